package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The REPL against a real server: the private Dovecot of
// scripts/dovecot.sh, described by the IMAPWIRE_TEST_* variables. These
// tests skip when IMAPWIRE_TEST_ADDR is not set; run them with
//
//	eval "$(scripts/dovecot.sh start "$(mktemp -d)")"
//	go test -race -count=1 -run 'REPL|PTY' ./cmd/imapwire/

type replServer struct {
	addr, tlsAddr string
	security      string
	user, pass    string
	insecure      bool
}

func dovecot(t *testing.T) *replServer {
	t.Helper()
	s := &replServer{
		addr:     os.Getenv("IMAPWIRE_TEST_ADDR"),
		tlsAddr:  os.Getenv("IMAPWIRE_TEST_TLS_ADDR"),
		security: strings.ToLower(os.Getenv("IMAPWIRE_TEST_SECURITY")),
		user:     os.Getenv("IMAPWIRE_TEST_USER"),
		pass:     os.Getenv("IMAPWIRE_TEST_PASS"),
		insecure: os.Getenv("IMAPWIRE_TEST_INSECURE") == "1",
	}
	if s.addr == "" {
		t.Skip("IMAPWIRE_TEST_ADDR is not set: these tests need an IMAP server " +
			"(eval \"$(scripts/dovecot.sh start \"$(mktemp -d)\")\" starts a private Dovecot)")
	}
	if s.user == "" || s.pass == "" {
		t.Fatal("IMAPWIRE_TEST_ADDR is set but IMAPWIRE_TEST_USER or IMAPWIRE_TEST_PASS is not")
	}
	if s.security == "" {
		s.security = "tls"
	}
	return s
}

// args returns the flags to reach the server at addr with security.
func (s *replServer) args(security, addr string, more ...string) []string {
	a := []string{"-security", security, "-timeout", "30s"}
	if s.insecure {
		a = append(a, "-insecure-skip-verify")
	}
	return append(append(a, more...), addr)
}

// scratchFolder returns a folder name of this test's own.
func scratchFolder(t *testing.T) string {
	return fmt.Sprintf("repl-%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), time.Now().UnixNano())
}

// crlf turns LF line ends into CRLF, as a server stores messages.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// TestREPLDovecotScript runs a scripted session: -user with the password
// on stdin's next line, a typed literal, a file literal, FETCH with a
// streamed body saved with .save, a malformed command in raw mode, IDLE,
// and the end of input logging out; then reads the trace back.
func TestREPLDovecotScript(t *testing.T) {
	srv := dovecot(t)
	dir := t.TempDir()
	trace := filepath.Join(dir, "trace.txt")
	saved := filepath.Join(dir, "saved.eml")
	msgFile := filepath.Join(dir, "big.eml")
	var big strings.Builder
	big.WriteString("From: imapwire <imapwire@example.org>\nSubject: a big one\n\n")
	for i := 0; big.Len() < 200<<10; i++ {
		fmt.Fprintf(&big, "line %d of a message large enough to be streamed\n", i)
	}
	if err := os.WriteFile(msgFile, []byte(crlf(big.String())), 0o644); err != nil {
		t.Fatal(err)
	}
	folder := scratchFolder(t)
	typed := []string{"Subject: typed", "", "hello"} // 14+2+2+5 = 23 bytes with the CRLFs between
	script := strings.Join(append(append([]string{
		srv.pass,
		"CAPABILITY",
		"CREATE " + folder,
		"SELECT " + folder,
		"APPEND " + folder + " {23}",
	}, typed...),
		".literal "+msgFile+" APPEND "+folder+" (\\Seen)",
		"FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE)",
		"UID FETCH 2 BODY[]",
		".save 1 "+saved,
		"SEARCH ALL",
		".raw on",
		"r1 FETCH 1 (FLAGS",
		".raw off",
		".idle 300ms",
		"CLOSE",
		"DELETE "+folder,
	), "\n") + "\n"
	code, out, stderr := replRun(t, script, srv.args(srv.security, srv.addr, "-user", srv.user, "-trace", trace)...)
	if code != 0 {
		t.Fatalf("exit status %d; stderr %q; output:\n%s", code, stderr, out)
	}
	wantInOrder(t, out,
		"S: * OK ",
		"LOGIN "+srv.user+" ***\\r\\n",
		" OK [CAPABILITY IMAP4rev1",
		"CAPABILITY\\r\\n",
		"   data CAPABILITY\n",
		"APPEND "+folder+" {23}\\r\\n",
		"S: + OK\\r\\n",
		"C: [literal: 23 bytes]",
		"S: * 1 EXISTS\\r\\n",
		"OK [APPENDUID ",
		fmt.Sprintf("APPEND %s (\\Seen) {%d}\\r\\n", folder, len(crlf(big.String()))),
		fmt.Sprintf("C: [literal: %d bytes, ", len(crlf(big.String()))),
		"S: * 2 EXISTS\\r\\n",
		"FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE)\\r\\n",
		"S: * 1 FETCH (UID 1 FLAGS (\\Recent) ENVELOPE (",
		"     ENVELOPE:\n",
		`Subject: typed`,
		"S: * 2 FETCH (UID 2 FLAGS (\\Seen \\Recent) ENVELOPE (",
		`Subject: "a big one"`,
		"UID FETCH 2 BODY[]\\r\\n",
		fmt.Sprintf("S: * 2 FETCH (UID 2 BODY[] {%d}\\r\\n", len(crlf(big.String()))),
		fmt.Sprintf("   [literal 1: %d bytes, ", len(crlf(big.String()))),
		"   | From: imapwire <imapwire@example.org>\\r\\n",
		"(.save 1 FILE keeps them)",
		"# saved literal 1",
		"SEARCH ALL\\r\\n",
		"S: * SEARCH 1 2\\r\\n",
		"C: r1 FETCH 1 (FLAGS\\r\\n",
		"S: r1 BAD ",
		"IDLE\\r\\n",
		"S: + idling\\r\\n",
		"C: DONE\\r\\n",
		"OK Idle completed",
		"DELETE "+folder+"\\r\\n",
		"OK Delete completed",
		"LOGOUT\\r\\n",
		"S: * BYE ",
		"# connection closed by the server\n",
	)
	if strings.Contains(out, srv.pass) {
		t.Errorf("the password is in the output")
	}
	want, _ := os.ReadFile(msgFile)
	if got, err := os.ReadFile(saved); err != nil || !bytes.Equal(got, want) {
		t.Errorf(".save: %d bytes, %v; want the %d bytes appended", len(got), err, len(want))
	}
	tb, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(tb, []byte(srv.pass)) {
		t.Errorf("the password is in the trace")
	}
	// The trace reads back with no error, and holds the whole session.
	js := parseTrace(t, trace)
	for _, w := range []string{`"type":"SEARCH"`, `"type":"BYE"`, `"sha256"`} {
		if !strings.Contains(js, w) {
			t.Errorf("the trace's parse lacks %s", w)
		}
	}
}

// TestREPLDovecotJSON checks the json view: every response is one JSON
// object per line; tagged ones carry elapsedMs.
func TestREPLDovecotJSON(t *testing.T) {
	srv := dovecot(t)
	code, out, stderr := replRun(t, srv.pass+"\nNOOP\nLIST \"\" *\n", srv.args(srv.security, srv.addr, "-user", srv.user, "-view", "json")...)
	if code != 0 {
		t.Fatalf("exit status %d; stderr %q; output:\n%s", code, stderr, out)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(line, "C: ") || strings.HasPrefix(line, "# ") {
			continue
		}
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("line %q is not JSON: %v", line, err)
		}
		if obj["kind"] == "status" && obj["tag"] != "" {
			if _, ok := obj["elapsedMs"].(float64); !ok {
				t.Errorf("tagged status without elapsedMs: %s", line)
			}
		}
		n++
	}
	if n < 4 || !strings.Contains(out, `"type":"LIST"`) {
		t.Errorf("%d JSON lines:\n%s", n, out)
	}
}

// TestREPLDovecotTLS connects to the IMAPS port.
func TestREPLDovecotTLS(t *testing.T) {
	srv := dovecot(t)
	if srv.tlsAddr == "" {
		t.Skip("IMAPWIRE_TEST_TLS_ADDR is not set")
	}
	code, out, stderr := replRun(t, ".caps\n.auth plain "+srv.user+"\n"+srv.pass+"\nNOOP\n", srv.args("tls", srv.tlsAddr)...)
	if code != 0 {
		t.Fatalf("exit status %d; stderr %q; output:\n%s", code, stderr, out)
	}
	wantInOrder(t, out, "# connected to ", ", TLS 1.", "S: * OK ", "# capabilities: ", "AUTH=PLAIN",
		"AUTHENTICATE PLAIN ***\\r\\n", " OK ", "NOOP\\r\\n", " OK NOOP completed")
	if strings.Contains(out, srv.pass) {
		t.Error("the password is in the output")
	}
}

// TestPTYDovecot drives the REPL in a terminal against Dovecot: the
// prompt, a command with its raw and parsed response, .login with a
// password that is not echoed and not in the trace, and an EXISTS caused
// by another connection's APPEND shown while the user sits at the prompt
// of .idle.
func TestPTYDovecot(t *testing.T) {
	srv := dovecot(t)
	dir := t.TempDir()
	trace := filepath.Join(dir, "trace.txt")
	folder := scratchFolder(t)
	p := startPTY(t, srv.args(srv.security, srv.addr, "-trace", trace, "-history", filepath.Join(dir, "history"))...)
	p.expect("S: * OK ")
	p.expect("imapwire> ")
	p.typeIn("NOOP\r")
	p.expect(" NOOP\\r\\n")
	p.expect(" OK NOOP completed")
	p.expect("   status OK tag=")
	p.typeIn(".login " + srv.user + "\r")
	p.expect("Password: ")
	p.typeIn(srv.pass + "\r")
	p.expect(" LOGIN " + srv.user + " ***\\r\\n")
	p.expect(" OK [CAPABILITY ")
	p.typeIn("CREATE " + folder + "\r")
	p.expect(" OK Create completed")
	p.typeIn("SELECT " + folder + "\r")
	p.expect(" OK [READ-WRITE] Select completed")
	p.typeIn(".idle\r")
	p.expect("S: + idling\\r\\n")
	p.expect("idling, Enter ends> ")

	// Another connection appends a message.
	msg := crlf("Subject: from elsewhere\n\nhi\n")
	code, out, stderr := replRun(t, fmt.Sprintf("%s\nAPPEND %s {%d}\n%s\n", srv.pass, folder, len(msg), strings.TrimSuffix(msg, "\r\n")),
		srv.args(srv.security, srv.addr, "-user", srv.user)...)
	if code != 0 {
		t.Fatalf("the other connection: exit %d, stderr %q, output:\n%s", code, stderr, out)
	}
	p.expect("S: * 1 EXISTS\\r\\n")
	p.expect("data EXISTS (unsolicited)")
	p.typeIn("\r")
	p.expect("C: DONE\\r\\n")
	p.expect(" OK Idle completed")
	p.typeIn("CLOSE\r")
	p.expect(" OK Close completed")
	p.typeIn("DELETE " + folder + "\r")
	p.expect(" OK Delete completed")
	p.typeIn(".quit\r")
	p.expect(" LOGOUT\\r\\n")
	p.expect("S: * BYE ")
	if code := p.wait(); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if strings.Contains(p.raw(), srv.pass) {
		t.Error("the password was echoed")
	}
	tb, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(tb, []byte(srv.pass)) {
		t.Error("the password is in the trace")
	}
	parseTrace(t, trace)
}

// TestREPLDovecotAuth runs .auth plain after STARTTLS: the capabilities,
// forgotten with TLS, are asked for first, and the initial response goes
// on the command line (SASL-IR), masked.
func TestREPLDovecotAuth(t *testing.T) {
	srv := dovecot(t)
	if srv.security != "starttls" {
		t.Skip("no STARTTLS capability: the server at IMAPWIRE_TEST_ADDR speaks IMAPS (IMAPWIRE_TEST_SECURITY=" + srv.security + "); TestREPLDovecotTLS covers .auth over IMAPS")
	}
	trace := filepath.Join(t.TempDir(), "trace.txt")
	code, out, stderr := replRun(t, ".auth plain "+srv.user+"\n"+srv.pass+"\nNOOP\n", srv.args("starttls", srv.addr, "-trace", trace)...)
	if code != 0 {
		t.Fatalf("exit status %d; stderr %q; output:\n%s", code, stderr, out)
	}
	wantInOrder(t, out, "STARTTLS\\r\\n", "# TLS is on", "CAPABILITY\\r\\n", "SASL-IR", "AUTHENTICATE PLAIN ***\\r\\n", " OK ", "NOOP\\r\\n", " OK NOOP completed")
	tb, _ := os.ReadFile(trace)
	if strings.Contains(out, srv.pass) || bytes.Contains(tb, []byte(srv.pass)) {
		t.Error("the password leaked")
	}
	parseTrace(t, trace)
}
