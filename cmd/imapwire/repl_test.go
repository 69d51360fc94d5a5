package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/imapwire/imapwire/wire"
)

func TestSplitCommand(t *testing.T) {
	tests := []struct {
		line, tag, name string
	}{
		{"NOOP", "", "NOOP"},
		{"noop", "", "NOOP"},
		{"a1 noop", "a1", "NOOP"},
		{"FETCH 1 (FLAGS)", "", "FETCH"},
		{"UID FETCH 1:* FLAGS", "", "UID FETCH"},
		{"x9 uid store 1 +FLAGS (\\Seen)", "x9", "UID STORE"},
		{"XYZZY", "", "XYZZY"},          // one word: a command, not a tag
		{"T1 XYZZY foo", "T1", "XYZZY"}, // first word unknown: the tag
		{"", "", ""},
		{"  LOGIN a b", "", "LOGIN"},
	}
	for _, tt := range tests {
		tag, name := splitCommand(tt.line)
		if tag != tt.tag || name != tt.name {
			t.Errorf("splitCommand(%q) = %q, %q; want %q, %q", tt.line, tag, name, tt.tag, tt.name)
		}
	}
}

func TestCredentialStart(t *testing.T) {
	tests := []struct {
		line string
		want string // the masked part, "" for none
	}{
		{"A1 LOGIN alice secret", "secret"},
		{"LOGIN alice secret", "secret"},
		{`A1 LOGIN "al ice" "se cret"`, `"se cret"`},
		{`LOGIN "a\"b" pw`, "pw"},
		{"A1 LOGIN alice", ""},
		{"A1 LOGIN {5}", ""},
		{"A1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==", "AGFsaWNlAHNlY3JldA=="},
		{"A1 AUTHENTICATE PLAIN", ""},
		{"A1 SELECT INBOX", ""},
	}
	for _, tt := range tests {
		i := credentialStart(tt.line)
		got := ""
		if i >= 0 {
			got = tt.line[i:]
		}
		if got != tt.want {
			t.Errorf("credentialStart(%q) masks %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestLiteralAtEnd(t *testing.T) {
	tests := []struct {
		line    string
		n       int64
		nonSync bool
		ok      bool
	}{
		{"A1 APPEND INBOX {12}\r\n", 12, false, true},
		{"A1 APPEND INBOX {12+}", 12, true, true},
		{"* 1 FETCH (BODY[] ~{3}\r\n", 3, false, true},
		{"A1 NOOP\r\n", 0, false, false},
		{"A1 {x}", 0, false, false},
		{"{}", 0, false, false},
		{"{-1}", 0, false, false},
		{"{0}", 0, false, true},
	}
	for _, tt := range tests {
		n, nonSync, ok := wire.LiteralAtLineEnd([]byte(tt.line))
		if n != tt.n || nonSync != tt.nonSync || ok != tt.ok {
			t.Errorf("wire.LiteralAtLineEnd(%q) = %d, %v, %v; want %d, %v, %v", tt.line, n, nonSync, ok, tt.n, tt.nonSync, tt.ok)
		}
	}
}

func TestEscapeText(t *testing.T) {
	var sb strings.Builder
	escapeText(&sb, []byte("a\r\n\t\x00\x7f é \xff台"))
	if got, want := sb.String(), `a\r\n\t\x00\x7f é \xff台`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestCaptureElide checks that an elided literal's body is dropped, and
// the bytes after it kept, whatever was read at once.
func TestCaptureElide(t *testing.T) {
	stream := "* 1 FETCH (BODY[] {5}\r\nhello)\r\n* 2 EXISTS\r\n"
	at := int64(strings.Index(stream, "hello"))
	for chunk := 1; chunk <= len(stream); chunk++ {
		c := newCapture(&chunkReader{s: stream, n: chunk}, &tracer{}, nil)
		buf := make([]byte, 64)
		for c.off < at {
			c.Read(buf[:min(chunk, int(at-c.off))])
		}
		lit := &literal{size: 5}
		c.elide(at, lit)
		for {
			if _, err := c.Read(buf[:chunk]); err != nil {
				break
			}
		}
		end := int64(strings.Index(stream, "* 2"))
		got := c.take(0, end)
		var text strings.Builder
		for _, p := range got {
			if p.lit != nil {
				text.WriteString("<lit>")
			} else {
				text.Write(p.data)
			}
		}
		if want := "* 1 FETCH (BODY[] {5}\r\n<lit>)\r\n"; text.String() != want {
			t.Fatalf("chunk %d: took %q, want %q", chunk, text.String(), want)
		}
		rest := c.take(end, int64(len(stream)))
		if len(rest) != 1 || string(rest[0].data) != "* 2 EXISTS\r\n" {
			t.Fatalf("chunk %d: rest %+v", chunk, rest)
		}
	}
}

type chunkReader struct {
	s string
	n int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.n)], r.s)
	r.s = r.s[k:]
	return k, nil
}

func TestRawRenderer(t *testing.T) {
	big := strings.Repeat("0123456789\r\n", 100)
	l := &literal{size: int64(len(big)), head: []byte(big[:litHeadLen%len(big)]), lines: 100, sum: make([]byte, 32)}
	l.head = []byte(big)
	var sb strings.Builder
	r := newRawRenderer(&sb, "S: ", false, 1)
	r.pieces([]piece{
		{data: []byte("* 1 FETCH (BODY[HEADER] {4}\r\nab\r\n BODY[] {1200}\r\n")},
		{lit: l},
		{data: []byte(")\r\n")},
	})
	r.finish()
	want := `S: * 1 FETCH (BODY[HEADER] {4}\r\n
   [literal 1: 4 bytes]
   | ab\r\n
S:  BODY[] {1200}\r\n
   [literal 2: 1200 bytes, 100 lines, sha256 0000000000000000]
   | 0123456789\r\n
   | 0123456789\r\n
   | 0123456789\r\n
   | 0123456789\r\n
   | 0123456789\r\n
   | … 1140 more bytes (.save 2 FILE keeps them)
S: )\r\n
`
	if diff := cmp.Diff(want, sb.String()); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if len(r.lits) != 2 || string(r.lits[0].data) != "ab\r\n" {
		t.Errorf("literals %+v", r.lits)
	}
}

// replRun runs a session with stdin as its script and returns the exit
// status and output.
func replRun(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(args, strings.NewReader(stdin), &out, &errb) }()
	select {
	case code := <-done:
		return code, out.String(), errb.String()
	case <-time.After(60 * time.Second):
		t.Fatalf("the session did not end; output so far:\n%s\nstderr:\n%s", out.String(), errb.String())
	}
	return 0, "", ""
}

// syncBuffer is a bytes.Buffer safe for the REPL's two goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// wantInOrder checks that each of wants appears in out, in order.
func wantInOrder(t *testing.T, out string, wants ...string) {
	t.Helper()
	rest := out
	for _, w := range wants {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("output lacks %q (in order); output:\n%s", w, out)
		}
		rest = rest[i+len(w):]
	}
}

// parseTrace checks that imapwire parse reads the trace without an error,
// and returns its JSON output.
func parseTrace(t *testing.T, name string) string {
	t.Helper()
	code, out, stderr := runCmd(t, "", "parse", "-json", name)
	if code != 0 {
		b, _ := os.ReadFile(name)
		t.Fatalf("imapwire parse %s: exit %d, stderr %q, output:\n%s\ntrace:\n%s", name, code, stderr, out, b)
	}
	return out
}

func TestREPLScriptFake(t *testing.T) {
	f := newFakeServer(t)
	dir := t.TempDir()
	trace := filepath.Join(dir, "trace.txt")
	save := filepath.Join(dir, "body.eml")
	file := filepath.Join(dir, "msg.eml")
	if err := os.WriteFile(file, []byte("Subject: from a file\r\n\r\nbody\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := strings.Join([]string{
		f.password, // -user's password: the next line of stdin
		"CAPABILITY",
		"t1 NOOP",
		"SELECT INBOX",
		"APPEND INBOX {12}",
		"Subject: x", // 10 bytes + CRLF = 12: the command goes on with the next line
		"",
		".literal " + file + " APPEND INBOX (\\Seen)",
		"FETCH 1 (UID FLAGS BODY[])",
		".save 1 " + save,
		"XBROKEN",
		"NOOP",
		".view json",
		"NOOP",
		".view raw",
		"NOOP",
		".view both",
		".raw on",
		"r1 NOOP",
		"garbage",
		".raw off",
		".bogus",
	}, "\n") + "\n"
	code, out, stderr := replRun(t, script, "-security", "plain", "-user", "alice", "-trace", trace, f.addr)
	if code != 0 {
		t.Fatalf("exit status %d; stderr %q; output:\n%s", code, stderr, out)
	}
	wantInOrder(t, out,
		"S: * OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN SASL-IR IDLE LITERAL+] fake ready\\r\\n",
		"   status OK\n",
		"C: A001 LOGIN alice ***\\r\\n",
		"S: A001 OK [CAPABILITY IMAP4rev1 IDLE] logged in\\r\\n",
		"status OK tag=A001 (",
		"C: A002 CAPABILITY\\r\\n",
		"S: * CAPABILITY IMAP4rev1",
		"   data CAPABILITY\n",
		"C: t1 NOOP\\r\\n",
		"status OK tag=t1 (",
		"C: A003 SELECT INBOX\\r\\n",
		"C: A004 APPEND INBOX {12}\\r\\n",
		"S: + go ahead\\r\\n",
		"C: [literal: 12 bytes]",
		"   | Subject: x\\r\\n",
		"C: \\r\\n",
		"S: A004 OK [APPENDUID 42 8] appended\\r\\n",
		"C: A005 APPEND INBOX (\\Seen) {30}\\r\\n",
		"S: + go ahead\\r\\n",
		"C: [literal: 30 bytes]",
		"   | Subject: from a file\\r\\n",
		"C: A006 FETCH 1 (UID FLAGS BODY[])\\r\\n",
		"S: * 1 FETCH (UID 7 FLAGS (\\Seen) BODY[] {59}\\r\\n",
		"   [literal 1: 59 bytes, 5 lines, sha256 ",
		"   | line one\\r\\n",
		"S: )\\r\\n",
		"   data FETCH seq=1\n",
		"     UID: 7\n",
		"     BODY[]: 59 bytes sha256=",
		"# saved literal 1 (59 bytes)",
		"C: A007 XBROKEN\\r\\n",
		"S: * 1 FETCH (UID x FLAGS ())\\r\\n",
		"   error at offset ",
		", column 16) in uniqueid: expected number, found \"x FLAGS ())\\r\\n\"\n", // the offset said once
		"   ^\n",
		"S: * 3 EXISTS\\r\\n",
		"S: A007 OK so much for that\\r\\n",
		"C: A009 NOOP\\r\\n",
		`{"code":null,"elapsedMs":`,
		"C: A010 NOOP\\r\\n",
		"S: A010 OK noop\\r\\n\n   (",
		"C: r1 NOOP\\r\\n",
		"S: r1 OK noop\\r\\n",
		"C: garbage\\r\\n",
		"S: garbage BAD unknown command\\r\\n",
		"C: A011 LOGOUT\\r\\n",
		"S: * BYE bye\\r\\n",
		"# connection closed by the server\n",
	)
	if strings.Contains(out, f.password) {
		t.Errorf("the password is in the output:\n%s", out)
	}
	if strings.Contains(out, "syntax error at offset") {
		t.Errorf("an error line says its offset twice:\n%s", out)
	}
	if !strings.Contains(stderr, "unknown meta command .bogus") {
		t.Errorf("stderr %q lacks the unknown meta command", stderr)
	}
	if b, err := os.ReadFile(save); err != nil || string(b) != fakeBody {
		t.Errorf(".save wrote %q, %v; want %q", b, err, fakeBody)
	}
	// What the server received: the typed literal, the file, LOGIN.
	lines := f.lines()
	for _, want := range []string{`A001 LOGIN alice "s3cret pass"`, "literal:Subject: x\r\n", "literal:Subject: from a file\r\n\r\nbody\r\n", "garbage"} {
		found := false
		for _, l := range lines {
			found = found || l == want
		}
		if !found {
			t.Errorf("the server did not receive %q; it received %q", want, lines)
		}
	}
	tb, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(tb, []byte(f.password)) {
		t.Errorf("the password is in the trace:\n%s", tb)
	}
	if !bytes.Contains(tb, []byte("C: A001 LOGIN alice ***\r\n")) {
		t.Errorf("the trace lacks the masked LOGIN:\n%s", tb)
	}
	// The trace reads back; its only error is the malformed response the
	// server sent on purpose.
	code, pout, _ := runCmd(t, "", "parse", "-json", trace)
	errs := regexp.MustCompile(`"kind":"error"`).FindAllString(pout, -1)
	if code != 1 || len(errs) != 1 {
		t.Errorf("parse of the trace: exit %d, %d errors:\n%s", code, len(errs), pout)
	}
}

// TestREPLLoginLiteral: a password that needs a literal goes out after the
// server's "+", masked in the echo and the trace.
func TestREPLLoginLiteral(t *testing.T) {
	f := newFakeServer(t, func(f *fakeServer) { f.password = "pässwörd" })
	trace := filepath.Join(t.TempDir(), "trace.txt")
	code, out, stderr := replRun(t, ".login bob\n"+f.password+"\nNOOP\n", "-security", "plain", "-trace", trace, f.addr)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q, output:\n%s", code, stderr, out)
	}
	wantInOrder(t, out,
		"C: A001 LOGIN bob {10}\\r\\n",
		"S: + go ahead\\r\\n",
		"C: ***\\r\\n",
		"S: A001 NO [AUTHENTICATIONFAILED] bad password\\r\\n", // the fake compares the line's end only
		"C: A002 NOOP\\r\\n",
	)
	tb, _ := os.ReadFile(trace)
	if bytes.Contains(tb, []byte(f.password)) || strings.Contains(out, f.password) {
		t.Errorf("the password leaked:\n%s\n%s", out, tb)
	}
	if got := f.lines(); !slicesContains(got, "literal:"+f.password) {
		t.Errorf("the server received %q", got)
	}
	parseTrace(t, trace)
}

func slicesContains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestREPLAuthPlain: .auth plain with SASL-IR, the payload masked.
func TestREPLAuthPlain(t *testing.T) {
	f := newFakeServer(t)
	trace := filepath.Join(t.TempDir(), "trace.txt")
	code, out, stderr := replRun(t, ".auth plain carol\nhunter2\n", "-security", "plain", "-trace", trace, f.addr)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q, output:\n%s", code, stderr, out)
	}
	wantInOrder(t, out, "C: A001 AUTHENTICATE PLAIN ***\\r\\n", "S: A001 OK authenticated\\r\\n")
	tb, _ := os.ReadFile(trace)
	const payload = "AGNhcm9sAGh1bnRlcjI=" // base64("\x00carol\x00hunter2")
	if strings.Contains(out, payload) || bytes.Contains(tb, []byte(payload)) {
		t.Errorf("the SASL payload leaked:\n%s\n%s", out, tb)
	}
	if got := f.lines(); !slicesContains(got, "A001 AUTHENTICATE PLAIN "+payload) {
		t.Errorf("the server received %q", got)
	}
}

// TestREPLStartTLSFake: -security starttls upgrades; a server that sends
// bytes after its OK, before the handshake, is refused.
func TestREPLStartTLSFake(t *testing.T) {
	t.Run("ok", func(t *testing.T) {
		f := newFakeServer(t)
		trace := filepath.Join(t.TempDir(), "trace.txt")
		code, out, stderr := replRun(t, "NOOP\n", "-security", "starttls", "-insecure-skip-verify", "-trace", trace, f.addr)
		if code != 0 {
			t.Fatalf("exit %d, stderr %q, output:\n%s", code, stderr, out)
		}
		wantInOrder(t, out, "C: A001 STARTTLS\\r\\n", "S: A001 OK begin TLS\\r\\n", "# TLS is on: TLS 1.3", "C: A002 NOOP\\r\\n", "S: A002 OK noop\\r\\n")
		parseTrace(t, trace)
	})
	t.Run("injection", func(t *testing.T) {
		f := newFakeServer(t, func(f *fakeServer) { f.injectAfterStartTLS = true })
		code, out, stderr := replRun(t, "NOOP\n", "-security", "starttls", "-insecure-skip-verify", f.addr)
		if code == 0 {
			t.Fatalf("exit 0 after a STARTTLS injection; output:\n%s", out)
		}
		wantInOrder(t, out, "S: A001 OK begin TLS\\r\\n")
		wantInOrder(t, stderr, "imapwire: STARTTLS: the server said OK, but the server sent", "injection")
		if strings.Contains(out, "A002 NOOP") {
			t.Errorf("a command went out after the injection:\n%s", out)
		}
	})
}

// TestREPLTLSErrors: a failed TLS handshake says what failed and what to
// try: a certificate that does not verify points at -insecure-skip-verify,
// a server that does not speak TLS on the port at -security starttls or
// plain; "the server refused" only when it did.
func TestREPLTLSErrors(t *testing.T) {
	tests := []struct {
		name      string
		opts      []func(*fakeServer)
		args      []string
		code      int
		want      []string // in stderr, in order
		notWanted string   // in stdout and stderr
	}{
		{"tls self-signed", []func(*fakeServer){func(f *fakeServer) { f.implicitTLS = true }}, []string{"-security", "tls"}, 1,
			[]string{"imapwire: TLS handshake with 127.0.0.1:", "x509: certificate signed by unknown authority", "-insecure-skip-verify"}, "refused"},
		{"tls self-signed accepted", []func(*fakeServer){func(f *fakeServer) { f.implicitTLS = true }}, []string{"-security", "tls", "-insecure-skip-verify"}, 0,
			nil, "imapwire:"},
		{"tls to a plaintext port", nil, []string{"-security", "tls"}, 1,
			[]string{"imapwire: TLS handshake with 127.0.0.1:", "tls: first record does not look like a TLS handshake", `(it began with "* OK ")`, "-security starttls", "-security plain"}, "insecure"},
		{"starttls self-signed", nil, []string{"-security", "starttls"}, 1,
			[]string{"imapwire: STARTTLS: the server said OK, but the TLS handshake failed: ", "x509: certificate signed by unknown authority", "-insecure-skip-verify"}, "refused"},
		{"starttls refused", []func(*fakeServer){func(f *fakeServer) { f.refuseStartTLS = true }}, []string{"-security", "starttls"}, 1,
			[]string{"imapwire: STARTTLS: the server refused"}, "handshake"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeServer(t, tt.opts...)
			code, out, stderr := replRun(t, "NOOP\n", append(tt.args, f.addr)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q; output:\n%s", code, tt.code, stderr, out)
			}
			wantInOrder(t, stderr, tt.want...)
			if strings.Contains(out+stderr, tt.notWanted) {
				t.Errorf("%q in the output:\n%s\nstderr:\n%s", tt.notWanted, out, stderr)
			}
			if strings.Count(stderr, "\n") > 1 {
				t.Errorf("more than one line on stderr:\n%s", stderr)
			}
		})
	}
}

// TestREPLIdleScript: .idle DURATION shows what arrives meanwhile, then
// sends DONE. The update is sent right after the "+", so it comes before
// the OK; whether it is shown before or after the DONE depends on the
// clock, and is not checked.
func TestREPLIdleScript(t *testing.T) {
	f := newFakeServer(t)
	f.idle <- "* 4 EXISTS\r\n"
	code, out, stderr := replRun(t, ".idle 300ms\nNOOP\n", "-security", "plain", f.addr)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q, output:\n%s", code, stderr, out)
	}
	wantInOrder(t, out, "C: A001 IDLE\\r\\n", "S: + idling\\r\\n", "S: * 4 EXISTS\\r\\n", "   data EXISTS (unsolicited)\n     Num: 4\n", "S: A001 OK idle done\\r\\n", "C: A002 NOOP\\r\\n")
	wantInOrder(t, out, "S: + idling\\r\\n", "C: DONE\\r\\n", "S: A001 OK idle done\\r\\n")
}

// TestREPLTypedIdle: IDLE typed as a command; the "+" makes the next line
// (DONE) an answer, sent without a tag.
func TestREPLTypedIdle(t *testing.T) {
	f := newFakeServer(t)
	code, out, stderr := replRun(t, "IDLE\nDONE\nNOOP\n", "-security", "plain", f.addr)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q, output:\n%s", code, stderr, out)
	}
	wantInOrder(t, out, "C: A001 IDLE\\r\\n", "S: + idling\\r\\n", "C: DONE\\r\\n", "S: A001 OK idle done\\r\\n", "C: A002 NOOP\\r\\n")
}

// TestREPLServerCloses: a server that hangs up makes the session end with
// status 1.
func TestREPLServerCloses(t *testing.T) {
	f := newFakeServer(t, func(f *fakeServer) { f.greeting = "* BYE not today\r\n" })
	code, out, _ := replRun(t, "NOOP\n", "-security", "plain", f.addr)
	if code != 1 {
		t.Fatalf("exit %d, want 1; output:\n%s", code, out)
	}
	wantInOrder(t, out, "S: * BYE not today\\r\\n")
}

func TestREPLUsage(t *testing.T) {
	for _, args := range [][]string{
		{"-security", "ssl", "localhost"},
		{"-view", "tree", "localhost"},
		{"-color", "sometimes", "localhost"},
		{"-security", "plain"},
		{"-nope", "localhost"},
		{"a.example", "b.example"},
	} {
		if code, _, _ := runCmd(t, "", args...); code != 2 {
			t.Errorf("imapwire %q: exit %d, want 2", args, code)
		}
	}
	code, out, _ := runCmd(t, "", "-h")
	if code != 0 || !strings.Contains(out, "-insecure-skip-verify") || !strings.Contains(out, "imapwire parse") {
		t.Errorf("imapwire -h: exit %d, output:\n%s", code, out)
	}
}

// TestPlaintextWarning: credentials over cleartext to a host that is not
// on loopback are preceded by a warning.
func TestPlaintextWarning(t *testing.T) {
	var errb bytes.Buffer
	con := &console{out: io.Discard, errOut: &errb, ttyIn: -1}
	s := newSession(&sessionConfig{addr: "mail.example.org:143"}, con)
	if !s.plaintextOK() || !strings.Contains(errb.String(), "not encrypted") {
		t.Errorf("no warning: %q", errb.String())
	}
	errb.Reset()
	s.loopback = true
	if !s.plaintextOK() || errb.Len() != 0 {
		t.Errorf("a warning on loopback: %q", errb.String())
	}
}

func TestComplete(t *testing.T) {
	c := &console{out: io.Discard}
	tests := []struct {
		line, want string
	}{
		{"CAPA", "CAPABILITY "},
		{"capa", "capability "},
		{"a1 SEL", "a1 SELECT "},
		{".lo", ".login "},
		{"UID FE", "UID FETCH "},
		{"FETCH 1 (ENV", "FETCH 1 (ENVELOPE "},
		{"FETCH 1 BODY.P", "FETCH 1 BODY.PEEK["},
	}
	for _, tt := range tests {
		got, pos, ok := c.complete(tt.line, len(tt.line), '\t')
		if !ok || got != tt.want || pos != len(tt.want) {
			t.Errorf("complete(%q) = %q, %d, %v; want %q", tt.line, got, pos, ok, tt.want)
		}
	}
	if _, _, ok := c.complete("NOOP", 4, 'x'); ok {
		t.Error("completion on a key other than Tab")
	}
}

// TestREPLTraceMeta: .trace starts a transcript in the middle of a session
// and .trace off ends it; it reads back without error.
func TestREPLTraceMeta(t *testing.T) {
	f := newFakeServer(t)
	dir := t.TempDir()
	t1, t2 := filepath.Join(dir, "1.txt"), filepath.Join(dir, "2.txt")
	script := "NOOP\n.trace " + t1 + "\nSELECT INBOX\nFETCH 1 BODY[]\n.trace " + t2 + "\nNOOP\n.trace off\nNOOP\n"
	code, out, stderr := replRun(t, script, "-security", "plain", f.addr)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q, output:\n%s", code, stderr, out)
	}
	wantInOrder(t, out, "# tracing to "+t1, "# tracing to "+t2, "# trace off")
	b1, _ := os.ReadFile(t1)
	b2, _ := os.ReadFile(t2)
	if !strings.HasPrefix(string(b1), "C: A002 SELECT INBOX\r\n") || !strings.Contains(string(b1), fakeBody) || strings.Contains(string(b1), "A004") {
		t.Errorf("first trace:\n%s", b1)
	}
	if !strings.HasPrefix(string(b2), "C: A004 NOOP\r\n") || strings.Contains(string(b2), "A005") {
		t.Errorf("second trace:\n%s", b2)
	}
	parseTrace(t, t1)
	parseTrace(t, t2)
}

// TestREPLTypedAuthenticate: AUTHENTICATE typed by hand; the answer to the
// server's "+" is sent without a tag and masked.
func TestREPLTypedAuthenticate(t *testing.T) {
	f := newFakeServer(t)
	trace := filepath.Join(t.TempDir(), "trace.txt")
	const payload = "AHUAcGFzcw=="
	code, out, stderr := replRun(t, "AUTHENTICATE PLAIN\n"+payload+"\nNOOP\n", "-security", "plain", "-trace", trace, f.addr)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q, output:\n%s", code, stderr, out)
	}
	wantInOrder(t, out, "C: A001 AUTHENTICATE PLAIN\\r\\n", "S: + \\r\\n", "C: ***\\r\\n", "S: A001 OK authenticated", "C: A002 NOOP")
	tb, _ := os.ReadFile(trace)
	if strings.Contains(out, payload) || bytes.Contains(tb, []byte(payload)) {
		t.Errorf("the payload leaked:\n%s\n%s", out, tb)
	}
	if !slicesContains(f.lines(), payload) {
		t.Errorf("the server received %q", f.lines())
	}
}

// TestLitWriterSpill: literals beyond the memory budget go to a temporary
// file, which .save copies and release removes.
func TestLitWriterSpill(t *testing.T) {
	budget := int64(10)
	small := &literal{size: 4}
	w := newLitWriter(small, &budget)
	w.Write([]byte("abcd"))
	w.finish()
	big := &literal{size: 20}
	w = newLitWriter(big, &budget)
	w.Write([]byte("0123456789"))
	w.Write([]byte("0123456789"))
	w.finish()
	if small.file != "" || string(small.data) != "abcd" {
		t.Errorf("small literal: file %q, data %q", small.file, small.data)
	}
	if big.file == "" || big.data != nil || big.lines != 0 || string(big.head) != "01234567890123456789" {
		t.Fatalf("big literal: %+v", big)
	}
	out := filepath.Join(t.TempDir(), "out")
	if err := big.save(out); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); string(b) != "01234567890123456789" {
		t.Errorf("saved %q", b)
	}
	name := big.file
	big.release()
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Errorf("the temporary file is still there: %v", err)
	}
}

// TestREPLLiteralEOF: a script that ends inside a literal closes the
// connection (the server waits for the rest) and exits 1, without
// waiting for a timeout.
func TestREPLLiteralEOF(t *testing.T) {
	f := newFakeServer(t)
	start := time.Now()
	code, out, _ := replRun(t, ".help\nAPPEND INBOX {50}\nshort\n", "-security", "plain", f.addr)
	if code != 1 || time.Since(start) > 10*time.Second {
		t.Fatalf("exit %d after %v; output:\n%s", code, time.Since(start), out)
	}
	wantInOrder(t, out, ".login USER", ".quit", "C: A001 APPEND INBOX {50}\\r\\n", "# input ended inside a literal; closing the connection")
}

// TestREPLLiteralRefused: a server that refuses a synchronizing literal
// (NO [TOOBIG] instead of "+") ends the command: the REPL shows the answer
// and the lines that follow are commands again, .quit included; none is
// read as the literal's data.
func TestREPLLiteralRefused(t *testing.T) {
	f := newFakeServer(t)
	script := "APPEND INBOX {999999999999}\nNOOP\nAPPEND INBOX (\\Seen) {3}\nabc\n.quit\nNOOP\n"
	code, out, stderr := replRun(t, script, "-security", "plain", f.addr)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q, output:\n%s", code, stderr, out)
	}
	wantInOrder(t, out,
		"C: A001 APPEND INBOX {999999999999}\\r\\n",
		"S: A001 NO [TOOBIG] literal too big\\r\\n",
		"   status NO tag=A001 (",
		"# the server refused the literal (it answered the command instead of sending \"+\"): not sent; the next line is a command\n",
		"C: A002 NOOP\\r\\n",
		"S: A002 OK noop\\r\\n",
		// A literal the server accepts after one it refused.
		"C: A003 APPEND INBOX (\\Seen) {3}\\r\\n",
		"S: + go ahead\\r\\n",
		"C: [literal: 3 bytes]",
		"S: A003 OK [APPENDUID 42 8] appended\\r\\n",
		"C: A004 LOGOUT\\r\\n", // .quit: the NOOP after it is never sent
		"S: A004 OK logged out\\r\\n",
	)
	if strings.Contains(out, "A005") {
		t.Errorf("a command after .quit went out:\n%s", out)
	}
	want := []string{"A001 APPEND INBOX {999999999999}", "A002 NOOP", `A003 APPEND INBOX (\Seen) {3}`, "literal:abc", "", "A004 LOGOUT"}
	if diff := cmp.Diff(want, f.lines()); diff != "" {
		t.Errorf("the server received (-want +got):\n%s", diff)
	}
}

// TestREPLUTF7: .utf7 prints a mailbox name in modified UTF-7, as a
// command takes it (an atom, or quoted when it must be), and .utf7 -d
// decodes one, quoted or not; errors and usage go to stderr.
func TestREPLUTF7(t *testing.T) {
	f := newFakeServer(t)
	script := strings.Join([]string{
		".utf7 Entwürfe/台北",
		".utf7 [Gmail]/Sent  Mail & Co",
		".utf7 INBOX",
		".utf7 -d Entw&APw-rfe/&U,BTFw-",
		`.utf7 -d "[Gmail]/Sent  Mail &- Co \"x\""`,
		".utf7 -d &U,BTFw",
		".utf7",
		".utf7 -d",
		".help",
	}, "\n") + "\n"
	code, out, stderr := replRun(t, script, "-security", "plain", f.addr)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q, output:\n%s", code, stderr, out)
	}
	wantInOrder(t, out,
		"\nEntw&APw-rfe/&U,BTFw-\n", // each match ends a line: the next starts one
		"\"[Gmail]/Sent  Mail &- Co\"\n",
		"INBOX\n",
		"Entwürfe/台北\n",
		"[Gmail]/Sent  Mail & Co \"x\"\n",
		".utf7 [-d] NAME", // in .help
	)
	wantInOrder(t, stderr,
		"imapwire: .utf7 -d: ", "offset 7", // the end, where "-" is missing

		"imapwire: usage: .utf7 [-d] NAME\n",
		"imapwire: usage: .utf7 [-d] NAME\n",
	)
	if got := f.lines(); len(got) != 1 || got[0] != "A001 LOGOUT" {
		t.Errorf("the server received %q; .utf7 sends nothing", got)
	}
}
