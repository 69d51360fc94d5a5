package fuzz_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapwire/imapwire/internal/demo"
	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// demoSeeds are client byte streams for FuzzDemoServer: the tutorial's
// session, every command the demo server knows, and malformed ones.
var demoSeeds = []string{
	"a LOGIN demo demo\r\nb LIST \"\" *\r\nc SELECT INBOX\r\nd FETCH 1:* (FLAGS UID ENVELOPE BODYSTRUCTURE)\r\ne LOGOUT\r\n",
	"a LOGIN {4}\r\ndemo {4+}\r\ndemo\r\nb SELECT \"Travel/&U,BTFw-\"\r\nc FETCH 1 (BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)]<0.40> BODY[1.MIME] RFC822.SIZE)\r\n",
	"a AUTHENTICATE PLAIN\r\nAGRlbW8AZGVtbw==\r\nb EXAMINE INBOX\r\nc UID FETCH 1:* (UID BODY[TEXT]<5.10> BODY[4.2] BODY[5.2.HEADER] BODY[5.2.1] RFC822.HEADER)\r\n",
	"a AUTHENTICATE PLAIN AGRlbW8AZGVtbw==\r\nb SELECT INBOX\r\nc STORE 1:3 +FLAGS (\\Flagged $x)\r\nd UID STORE 4 -FLAGS.SILENT \\Seen\r\ne EXPUNGE\r\nf CLOSE\r\n",
	"a LOGIN demo demo\r\nb SELECT INBOX\r\nc SEARCH CHARSET UTF-8 OR SUBJECT {6}\r\n会议 (SEEN FLAGGED) NOT 2:4\r\nd UID SEARCH RETURN (MIN MAX COUNT ALL) SINCE 1-Jan-2020 LARGER 10\r\n",
	"a LOGIN demo demo\r\nb CREATE x/y\r\nc RENAME x z\r\nd APPEND z/y (\\Seen) \" 2-Jan-2020 10:00:00 +0100\" {11+}\r\nSubject: x\r\n\r\ne SELECT z/y\r\nf COPY 1 INBOX\r\ng MOVE 1 Work\r\nh DELETE z/y\r\n",
	"a LOGIN demo demo\r\nb LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (\"*\" %) RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES UNSEEN SIZE))\r\nc LSUB \"\" %\r\nd XLIST \"\" *\r\ne STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)\r\n",
	"a LOGIN demo demo\r\nb SELECT INBOX\r\nc IDLE\r\nDONE\r\nd NOOP\r\ne UNSELECT\r\nf NAMESPACE\r\ng ID (\"name\" \"x\")\r\nh ENABLE X\r\ni CAPABILITY\r\n",
	"a FETCH 1 (FLAGS\r\nb LOGIN {5}\r\nc FOO {3+}\r\nabc\r\n+\r\n\r\n)\r\n* OK\r\nx LOGIN ~{3}\r\n",
	"a LOGIN demo demo\r\nb ENABLE QRESYNC\r\nc SELECT INBOX (QRESYNC (1 2 1:9 (1:3 1:3)))\r\nd UID FETCH 1:* FLAGS (CHANGEDSINCE 3 VANISHED)\r\n" +
		"e STORE 1:4 (UNCHANGEDSINCE 20) +FLAGS.SILENT (\\Deleted)\r\nf EXPUNGE\r\ng SEARCH MODSEQ \"/flags/\\\\seen\" all 5\r\nh STATUS Work (HIGHESTMODSEQ)\r\n",
	"a LOGIN demo demo\r\nb SELECT INBOX\r\nc FETCH 99 FLAGS\r\nd FETCH 1 BODY[1.2.3.4.5.6]\r\ne SEARCH NOT NOT NOT (OR ALL ALL)\r\nf UID EXPUNGE 1:*\r\ng APPEND INBOX {99999999999}\r\n",
	// 8-bit bytes: BAD in atoms, accepted quoted and as literals, NO as
	// a mailbox name that is not modified UTF-7.
	"a LOGIN demo demo\r\nb CREATE Entw\xc3\xbcrfe\r\nc CREATE \"Entw\xc3\xbcrfe/\xe5\x8f\xb0\"\r\nd SELECT {4+}\r\ncaf\xe9\r\ne EXAMINE INBOX\r\n" +
		"f SEARCH SUBJECT \xe5\x8f\xb0\r\ng SEARCH SUBJECT \"\xe5\x8f\xb0\"\r\nh NO\xc3\x96P\r\n\xe4 NOOP\r\ni LIST \"\" \"Travel/\xe5\x8f\xb0\x8c\"\r\n",
	"a LOGIN demo demo\r\nx GETQUOTAROOT INBOX\r\ny GETQUOTA \"User quota\"\r\nz SETQUOTA \"\" (STORAGE {1}\r\nb SELECT INBOX\r\nc IDLE\r\nnot done\r\nd STORE 1 FLAGS (\\Recent)\r\ne COPY 1 Nowhere\r\nf LOGOUT\r\n",
}

// demoConn is a net.Conn for the demo server: it reads the fuzzer's bytes
// and then io.EOF, and records what the server writes.
type demoConn struct {
	r   *bytes.Reader
	mu  sync.Mutex
	out bytes.Buffer
}

func (c *demoConn) Read(p []byte) (int, error) { return c.r.Read(p) }
func (c *demoConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.out.Len() > 64<<20 {
		return 0, errors.New("too much output")
	}
	return c.out.Write(p)
}
func (c *demoConn) Close() error                     { return nil }
func (c *demoConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *demoConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *demoConn) SetDeadline(time.Time) error      { return nil }
func (c *demoConn) SetReadDeadline(time.Time) error  { return nil }
func (c *demoConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzDemoServer sends arbitrary client bytes to the demo server
// (internal/demo): it must never panic, must end the session when the
// input ends (never hang), and everything it writes must parse with the
// parser in strict mode.
func FuzzDemoServer(f *testing.F) {
	for _, s := range demoSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		srv, err := demo.New(&demo.Options{UIDValidity: 1})
		if err != nil {
			t.Fatal(err)
		}
		c := &demoConn{r: bytes.NewReader(input)}
		done := make(chan struct{})
		go func() {
			defer close(done)
			srv.ServeConn(c)
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("the server did not end its session when the input ended")
		}
		srv.Close()

		c.mu.Lock()
		out := bytes.Clone(c.out.Bytes())
		c.mu.Unlock()
		if !bytes.HasPrefix(out, []byte("* OK ")) {
			t.Fatalf("no greeting: %q", out[:min(len(out), 100)])
		}
		pr := parser.NewReader(bytes.NewReader(out), &parser.Options{Strict: true})
		for {
			resp, err := pr.ReadResponse()
			if err == io.EOF {
				break
			}
			if err != nil {
				var se *wire.SyntaxError
				if errors.As(err, &se) {
					t.Fatalf("the server sent a response that does not parse strictly: %v\ninput %q", err, input)
				}
				t.Fatalf("reading the output: %v", err)
			}
			if st, ok := resp.(*parser.StatusResponse); ok && st.Tag != "" && strings.ContainsAny(st.Tag, " \r\n") {
				t.Fatalf("tag %q", st.Tag)
			}
		}
	})
}
