package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/imapwire/imapwire/internal/demo"
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
		args []string
		want demoConfig
		err  bool
	}{
		{[]string{"-demo"}, demoConfig{repl: true}, false},
		{[]string{"-view", "raw", "-demo"}, demoConfig{repl: true, rest: []string{"-view", "raw"}}, false},
		{[]string{"-demo-serve", "127.0.0.1:0"}, demoConfig{serveAddr: "127.0.0.1:0"}, false},
		{[]string{"-demo-serve", "127.0.0.1:0", "-demo-password", "s3cret"}, demoConfig{serveAddr: "127.0.0.1:0", password: "s3cret"}, false},
		{[]string{"--demo-serve", "127.0.0.1:0", "-demo-mode", "other"}, demoConfig{serveAddr: "127.0.0.1:0", mode: demo.ModeOther, modeSet: true}, false},
		{[]string{"-demo", "--demo-mode", "dovecot"}, demoConfig{repl: true, mode: demo.ModeDovecot, modeSet: true}, false},
		{[]string{"-demo-serve", "127.0.0.1:0", "-demo-mode", "courier"}, demoConfig{}, true},
		{[]string{"-demo-serve"}, demoConfig{}, true},
		{[]string{"-demo", "-demo-mode"}, demoConfig{}, true},
		{[]string{"imap.example.org"}, demoConfig{rest: []string{"imap.example.org"}}, false},
	}
	for _, tt := range tests {
		got, err := demoArgs(tt.args)
		if (err != nil) != tt.err {
			t.Errorf("demoArgs(%q): error %v, want error %v", tt.args, err, tt.err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(demoConfig{})); diff != "" {
			t.Errorf("demoArgs(%q) (-want +got):\n%s", tt.args, diff)
		}
	}
}

// TestDemoOther runs `imapwire -demo -demo-mode other` with a script: the
// demo server in its other-server mode, names under INBOX. with ".".
func TestDemoOther(t *testing.T) {
	var stdout, stderr bytes.Buffer
	script := "LOGIN demo demo\nNAMESPACE\nLIST \"\" INBOX.Travel*\nCREATE Top\n"
	code := run([]string{"-demo", "-demo-mode", "other", "-view", "raw", "-history", "", "-color", "never"}, strings.NewReader(script), &stdout, &stderr)
	out := stdout.String()
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr.String())
	}
	wantInOrder(t, out,
		"# mode other:",
		"S: A001 OK LOGIN Ok.",
		`S: * NAMESPACE (("INBOX." ".")) NIL NIL`,
		`S: * LIST (\HasNoChildren) "." INBOX.Travel.&U,BTFw-`,
		"S: A004 NO Invalid mailbox name.",
	)
	if code := run([]string{"-demo-serve", "127.0.0.1:0", "-demo-mode", "courier"}, strings.NewReader(""), &stdout, &stderr); code != 2 {
		t.Errorf("-demo-mode courier: exit %d, want 2", code)
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
