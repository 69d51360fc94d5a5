package demo

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// testServer returns a Server with the fixture (UIDVALIDITY fixed) that is
// closed when the test ends.
func testServer(t testing.TB) *Server {
	t.Helper()
	s, err := New(&Options{UIDValidity: 1000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// strictTee parses everything the server sends with the parser in strict
// mode, in its own goroutine, and records the errors.
type strictTee struct {
	pw    *io.PipeWriter
	done  chan struct{}
	allow []string // errors holding one of these are deliberate
	mu    sync.Mutex
	errs  []string
	n     int
}

// newStrictTee returns a strictTee; errors whose text holds one of allow
// (such as "in quota-response", ModeOther's QUOTA without a list) are
// deliberate and not reported.
func newStrictTee(allow ...string) *strictTee {
	pr, pw := io.Pipe()
	st := &strictTee{pw: pw, done: make(chan struct{}), allow: allow}
	go func() {
		defer close(st.done)
		r := parser.NewReader(pr, &parser.Options{Strict: true})
		for {
			resp, err := r.Next()
			if err == io.EOF || errors.Is(err, io.ErrClosedPipe) || errors.Is(err, io.ErrUnexpectedEOF) {
				io.Copy(io.Discard, pr)
				return
			}
			if err == nil {
				if f, ok := resp.(*parser.Fetch); ok {
					_, err = f.Collect()
				}
			}
			st.mu.Lock()
			if err != nil {
				st.errs = append(st.errs, err.Error())
				var se *wire.SyntaxError
				if !errors.As(err, &se) {
					st.mu.Unlock()
					io.Copy(io.Discard, pr)
					return
				}
			} else {
				st.n++
			}
			st.mu.Unlock()
		}
	}()
	return st
}

func (st *strictTee) Write(p []byte) (int, error) {
	st.pw.Write(p)
	return len(p), nil
}

// check closes the tee and fails t with every strict parse error.
func (st *strictTee) check(t testing.TB) {
	t.Helper()
	st.pw.Close()
	<-st.done
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, e := range st.errs {
		if !slices.ContainsFunc(st.allow, func(a string) bool { return strings.Contains(e, a) }) {
			t.Errorf("strict parse of the server's output: %s", e)
		}
	}
}

// teeConn copies what is read from a connection to w.
type teeConn struct {
	net.Conn
	w io.Writer
}

func (c *teeConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.w.Write(p[:n])
	}
	return n, err
}

// pipeConn connects to s over net.Pipe; everything the server sends is
// parsed strictly and checked when the test ends.
func pipeConn(t testing.TB, s *Server) net.Conn {
	t.Helper()
	return pipeConnAllowing(t, s)
}

// pipeConnAllowing is pipeConn with the strict parse errors holding one of
// allow not reported.
func pipeConnAllowing(t testing.TB, s *Server, allow ...string) net.Conn {
	t.Helper()
	cc, sc := net.Pipe()
	go s.ServeConn(sc)
	st := newStrictTee(allow...)
	t.Cleanup(func() {
		cc.Close()
		st.check(t)
	})
	return &teeConn{Conn: cc, w: st}
}

// A raw is a hand-driven IMAP connection: lines go out as written, and
// the server's responses come back as text.
type raw struct {
	t  testing.TB
	c  net.Conn
	br *bufio.Reader
	n  int
}

// dialRaw connects to s and reads the greeting.
func dialRaw(t testing.TB, s *Server) *raw {
	t.Helper()
	return dialRawAllowing(t, s)
}

// dialRawAllowing is dialRaw with the strict parse errors holding one of
// allow not reported.
func dialRawAllowing(t testing.TB, s *Server, allow ...string) *raw {
	t.Helper()
	r := &raw{t: t, c: pipeConnAllowing(t, s, allow...)}
	r.br = bufio.NewReader(r.c)
	if g := r.line(); !strings.HasPrefix(g, "* OK ") {
		t.Fatalf("greeting %q", g)
	}
	return r
}

// line reads one line (with the literals it announces) and returns it
// without the final CRLF.
func (r *raw) line() string {
	r.t.Helper()
	l, err := r.readLine()
	if err != nil {
		r.t.Fatalf("reading: %v (have %q)", err, l)
	}
	return l
}

// readLine is line without the test's Fatal, for goroutines other than the
// test's: it returns what it read and the error.
func (r *raw) readLine() (string, error) {
	r.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var out []byte
	for {
		l, err := r.br.ReadBytes('\n')
		out = append(out, l...)
		if err != nil {
			return string(out), err
		}
		if n, ok := literalSize(l); ok {
			lit := make([]byte, n)
			if _, err := io.ReadFull(r.br, lit); err != nil {
				return string(out), err
			}
			out = append(out, lit...)
			continue
		}
		return strings.TrimSuffix(string(out), "\r\n"), nil
	}
}

func literalSize(line []byte) (int, bool) {
	line = bytes.TrimSuffix(line, []byte("\r\n"))
	if !bytes.HasSuffix(line, []byte("}")) {
		return 0, false
	}
	i := bytes.LastIndexByte(line, '{')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(string(line[i+1 : len(line)-1]))
	return n, err == nil
}

// write sends bytes as they are.
func (r *raw) write(s string) {
	r.t.Helper()
	r.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(r.c, s); err != nil {
		r.t.Fatal(err)
	}
}

// cmd sends "tag line" and returns the untagged lines and the tagged one.
func (r *raw) cmd(line string) ([]string, string) {
	r.t.Helper()
	r.n++
	tag := "t" + strconv.Itoa(r.n)
	r.write(tag + " " + line + "\r\n")
	return r.until(tag)
}

// until reads lines up to the tagged response of tag.
func (r *raw) until(tag string) ([]string, string) {
	r.t.Helper()
	var untagged []string
	for {
		l := r.line()
		if strings.HasPrefix(l, tag+" ") {
			return untagged, strings.TrimPrefix(l, tag+" ")
		}
		untagged = append(untagged, l)
	}
}

// try sends "tag line" and returns the tagged response without the tag;
// unlike cmd it never calls the test's Fatal, so that goroutines other
// than the test's may use it.
func (r *raw) try(tag, line string) (string, error) {
	r.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(r.c, tag+" "+line+"\r\n"); err != nil {
		return "", err
	}
	for {
		l, err := r.readLine()
		if err != nil {
			return "", err
		}
		if t, ok := strings.CutPrefix(l, tag+" "); ok {
			return t, nil
		}
	}
}

// ok runs a command that must succeed and returns its untagged lines.
func (r *raw) ok(line string) []string {
	r.t.Helper()
	u, tagged := r.cmd(line)
	if !strings.HasPrefix(tagged, "OK") {
		r.t.Fatalf("%s: %s (untagged %q)", line, tagged, u)
	}
	return u
}

// login logs in as demo.
func (r *raw) login() {
	r.t.Helper()
	r.ok("LOGIN demo demo")
}

// TestNoPasswordInResponses: the interop suite checks that its traces do
// not hold the password, and the sample account's is "demo": no response
// text may contain that word.
func TestNoPasswordInResponses(t *testing.T) {
	s := testServer(t)
	r := dialRaw(t, s)
	var all []string
	for _, line := range []string{"CAPABILITY", "SELECT INBOX", "LOGIN demo wrong", "ID NIL", "STARTTLS", "FOO", "LOGIN demo demo",
		"ID NIL", "NAMESPACE", `LIST "" *`, "SELECT INBOX", "FETCH 1 ENVELOPE", "CREATE x", "APPEND Nope {1+}\r\nx", "LOGIN demo demo"} {
		u, tagged := r.cmd(line)
		all = append(all, u...)
		all = append(all, tagged)
	}
	for _, l := range all {
		if strings.Contains(strings.ToLower(l), DemoPassword) {
			t.Errorf("response %q holds the sample password", l)
		}
	}
}
