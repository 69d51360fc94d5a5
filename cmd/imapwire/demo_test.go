package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestDemo runs `imapwire -demo` with a script: the demo server starts in
// the process, the hint is printed, and the session works in plain mode.
func TestDemo(t *testing.T) {
	var stdout, stderr bytes.Buffer
	// Names in modified UTF-7 and 8-bit data in a literal: the demo server,
	// as Dovecot, refuses 8-bit bytes in atoms and names that are not
	// modified UTF-7.
	script := "LOGIN demo demo\nLIST \"\" Travel*\nSELECT Travel/&U,BTFw-\nSEARCH CHARSET UTF-8 SUBJECT {6}\n台北\n"
	code := run([]string{"-demo", "-view", "raw", "-history", "", "-color", "never"}, strings.NewReader(script), &stdout, &stderr)
	out := stdout.String()
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr.String())
	}
	for _, want := range []string{
		"# try: LOGIN demo demo",
		`#      LIST "" *`,
		"S: A001 OK [CAPABILITY IMAP4rev1",
		`S: * LIST (\HasNoChildren) "/" Travel/&U,BTFw-`,
		"S: * 2 EXISTS",
		"S: * SEARCH 1\\r\\n",
		"S: * BYE",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the output:\n%s", want, out)
		}
	}
	if strings.Contains(out+stderr.String(), "plaintext") || strings.Contains(out+stderr.String(), "cleartext") {
		t.Errorf("a plaintext warning:\n%s%s", out, stderr.String())
	}
}

func TestDemoArgs(t *testing.T) {
	tests := []struct {
		args           []string
		repl           bool
		addr, password string
		rest           []string
		ok             bool
	}{
		{[]string{"-demo"}, true, "", "", nil, true},
		{[]string{"-view", "raw", "-demo"}, true, "", "", []string{"-view", "raw"}, true},
		{[]string{"-demo-serve", "127.0.0.1:0"}, false, "127.0.0.1:0", "", nil, true},
		{[]string{"-demo-serve", "127.0.0.1:0", "-demo-password", "s3cret"}, false, "127.0.0.1:0", "s3cret", nil, true},
		{[]string{"-demo-serve"}, false, "", "", nil, false},
		{[]string{"imap.example.org"}, false, "", "", []string{"imap.example.org"}, true},
	}
	for _, tt := range tests {
		repl, addr, password, rest, ok := demoArgs(tt.args)
		if repl != tt.repl || addr != tt.addr || password != tt.password || ok != tt.ok || strings.Join(rest, " ") != strings.Join(tt.rest, " ") {
			t.Errorf("demoArgs(%q) = %v %q %q %q %v", tt.args, repl, addr, password, rest, ok)
		}
	}
}

// TestDemoUTF7: the name .utf7 prints is what the demo server takes: a
// folder created with it is listed under its UTF-8 name.
func TestDemoUTF7(t *testing.T) {
	var stdout, stderr bytes.Buffer
	script := "LOGIN demo demo\n.utf7 Notizen/台北\nCREATE Notizen/&U,BTFw-\nLIST \"\" Notizen/*\n"
	code := run([]string{"-demo", "-history", "", "-color", "never"}, strings.NewReader(script), &stdout, &stderr)
	out := stdout.String()
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr.String())
	}
	wantInOrder(t, out,
		"\nNotizen/&U,BTFw-\n",
		"C: A002 CREATE Notizen/&U,BTFw-\\r\\n",
		"S: A002 OK",
		`S: * LIST (\HasNoChildren) "/" Notizen/&U,BTFw-\r\n`,
		"     Name: Notizen/台北\n",
	)
}
