package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// Fault tests: each failure must give a typed error, fail every pending
// command, hang nothing and leak no goroutine (start registers the leak
// check).

// pending sends n pipelined NOOPs and reads them on the server.
func pending(t *testing.T, c *Conn, p *peer, n int) []*Command {
	t.Helper()
	var cmds []*Command
	for range n {
		cmd := send(t, c, &Spec{Name: "NOOP"})
		p.expect(cmd.Tag + " NOOP")
		cmds = append(cmds, cmd)
	}
	return cmds
}

// allFail checks that every command fails with the connection's error, a
// *ConnError (or ErrClosed) that matches target (if not nil).
func allFail(t *testing.T, c *Conn, target error, cmds ...*Command) {
	t.Helper()
	select {
	case <-c.Done():
	case <-time.After(timeout):
		t.Fatal("the connection is still up")
	}
	connErr := c.Err()
	if target != nil && !errors.Is(connErr, target) {
		t.Errorf("Err() = %v, want %v", connErr, target)
	}
	var ce *ConnError
	if connErr != ErrClosed && !errors.As(connErr, &ce) {
		t.Errorf("Err() = %v (%T), want a *ConnError", connErr, connErr)
	}
	for _, cmd := range cmds {
		_, err := cmd.Wait(testCtx(t))
		if err != connErr {
			t.Errorf("%s %s: %v, want the connection's error %v", cmd.Tag, cmd.Spec.Name, err, connErr)
		}
	}
	if _, err := c.Send(testCtx(t), &Spec{Name: "NOOP"}); err != connErr {
		t.Errorf("Send after the failure: %v, want %v", err, connErr)
	}
}

// TestFaultCloseMidLiteral: the server dies 10 bytes into a 1000-byte body
// that the consumer is streaming. Whatever the consumer does next, every
// command fails with io.ErrUnexpectedEOF.
func TestFaultCloseMidLiteral(t *testing.T) {
	tests := []struct {
		name string
		then func(t *testing.T, c *Conn, fetch *Command, m *Message)
		want error
	}{
		{"Message.Next", func(t *testing.T, c *Conn, fetch *Command, m *Message) {
			if _, err := m.Next(); !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("Message.Next: %v", err)
			}
		}, io.ErrUnexpectedEOF},
		{"Command.Next", func(t *testing.T, c *Conn, fetch *Command, m *Message) {
			if _, err := fetch.Next(testCtx(t)); !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("Command.Next: %v", err)
			}
		}, io.ErrUnexpectedEOF},
		{"nothing", func(t *testing.T, c *Conn, fetch *Command, m *Message) {}, io.ErrUnexpectedEOF},
		{"Message.Close", func(t *testing.T, c *Conn, fetch *Command, m *Message) { m.Close() }, io.ErrUnexpectedEOF},
		{"Command.Abandon", func(t *testing.T, c *Conn, fetch *Command, m *Message) { fetch.Abandon() }, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, p := start(t, nil)
			fetch := send(t, c, uidFetchSpec("1", "UID", "BODY[]"))
			p.expect("A1 UID FETCH 1 (UID BODY[])")
			list := send(t, c, &Spec{Name: "LIST", Args: []Arg{String(""), String("%")}, Kinds: []string{"LIST"}, Claim: isType[*parser.List]})
			p.expect(`A2 LIST "" "%"`)
			cmds := append([]*Command{fetch, list}, pending(t, c, p, 2)...)
			p.write("* LIST () \"/\" INBOX\r\n* 1 FETCH (UID 1 BODY[] {1000}\r\n0123456789")

			x, err := fetch.Next(testCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			m := x.(*Message)
			if it, err := m.Next(); err != nil || it.ItemName() != "UID" {
				t.Fatalf("Message.Next: %v, %v", it, err)
			}
			it, err := m.Next()
			if err != nil {
				t.Fatal(err)
			}
			body := it.(*parser.BodySectionItem).Body
			buf := make([]byte, 10)
			if _, err := io.ReadFull(body, buf); err != nil || string(buf) != "0123456789" {
				t.Fatalf("body: %q, %v", buf, err)
			}
			p.conn.Close()
			rest, err := io.ReadAll(body)
			if !errors.Is(err, io.ErrUnexpectedEOF) || len(rest) != 0 {
				t.Fatalf("reading the rest of the body: %q, %v; want io.ErrUnexpectedEOF", rest, err)
			}
			tt.then(t, c, fetch, m)
			allFail(t, c, tt.want, cmds...)
			if _, err := body.Read(buf); err == nil {
				t.Error("the body reads on after the failure")
			}
		})
	}
}

// TestFaultCloseWhileStreaming: Close from another goroutine while a
// consumer holds a half-read body returns, and fails everything.
func TestFaultCloseWhileStreaming(t *testing.T) {
	c, p := start(t, nil)
	fetch := send(t, c, uidFetchSpec("1", "BODY[]"))
	p.expect("A1 UID FETCH 1 (BODY[])")
	cmds := append([]*Command{fetch}, pending(t, c, p, 2)...)
	p.write("* 1 FETCH (BODY[] {1000}\r\n0123456789")
	x, err := fetch.Next(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	it, err := x.(*Message).Next()
	if err != nil {
		t.Fatal(err)
	}
	body := it.(*parser.BodySectionItem).Body
	buf := make([]byte, 10)
	if _, err := io.ReadFull(body, buf); err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	select {
	case <-closed:
	case <-time.After(timeout):
		t.Fatal("Close hangs while a body is half read")
	}
	allFail(t, c, ErrClosed, cmds...)
	if _, err := x.(*Message).Next(); err == nil {
		t.Error("Message.Next after Close: no error")
	}
}

// TestFaultCloseMidCommand: the server hangs up having read part of a
// command.
func TestFaultCloseMidCommand(t *testing.T) {
	t.Run("waiting for +", func(t *testing.T) {
		c, p := start(t, nil)
		cmds := pending(t, c, p, 2)
		res := sendAsync(testCtx(t), c, appendSpec("hello"))
		p.expect("A3 APPEND INBOX {5}")
		p.conn.Close()
		r := receive(t, res)
		var ce *ConnError
		if !errors.As(r.err, &ce) || !errors.Is(r.err, io.EOF) {
			t.Errorf("Send: %v, want a *ConnError wrapping io.EOF", r.err)
		}
		allFail(t, c, io.EOF, cmds...)
	})
	t.Run("in a long literal", func(t *testing.T) {
		c, p := start(t, nil)
		c.Writer().LiteralMode = wire.LiteralPlus
		cmds := pending(t, c, p, 2)
		const size = 64 << 20 // more than the socket buffers hold
		res := sendAsync(testCtx(t), c, &Spec{Name: "APPEND", Args: []Arg{Mailbox("INBOX"), Literal{Size: size, R: io.LimitReader(zeros{}, size)}}})
		p.expect(fmt.Sprintf("A3 APPEND INBOX {%d+}", size))
		p.read(1000)
		p.conn.Close()
		r := receive(t, res)
		var ce *ConnError
		if !errors.As(r.err, &ce) {
			t.Errorf("Send: %v (%T), want a *ConnError", r.err, r.err)
		}
		if r.err != c.Err() {
			t.Errorf("Send: %v, want the connection's error %v", r.err, c.Err())
		}
		allFail(t, c, nil, cmds...)
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestFaultGarbage: a syntax error that cannot be skipped is fatal and
// says where it is: a malformed tagged status (which command it completes
// is unknown), bytes that start no response, a literal whose framing broke,
// a line past the limits.
func TestFaultGarbage(t *testing.T) {
	g := int64(len(greetingLine))
	tests := []struct {
		name    string
		garbage string
		offset  int64 // of the offending byte, in the whole stream
		prod    string
	}{
		{"bad condition", "A1 HELLO world\r\n", g + 3, "resp-cond-state"},
		{"control bytes", "\x01\x02\x03\r\n", g, "tag"},
		{"after good responses", "* 1 EXISTS\r\n* 2 RECENT\r\n)\r\n", g + 24, ""},
		{"literal framing", "* LIST () \"/\" {-1}\r\n", g + int64(len(`* LIST () "/" {`)), ""},
		{"past the limits", "* 1 FETCH (UID 1 " + strings.Repeat("X", 70_000) + ")\r\n", g + int64(len("* 1 FETCH (UID 1 ")), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, p := start(t, nil)
			cmds := pending(t, c, p, 3)
			p.write(tt.garbage)
			allFail(t, c, nil, cmds...)
			var ce *ConnError
			var se *wire.SyntaxError
			if !errors.As(c.Err(), &ce) || !errors.As(c.Err(), &se) {
				t.Fatalf("Err() = %v (%T), want a *ConnError wrapping a *wire.SyntaxError", c.Err(), c.Err())
			}
			if se.Offset != tt.offset {
				t.Errorf("Offset = %d, want %d (%v)", se.Offset, tt.offset, se)
			}
			if tt.prod != "" && se.Production != tt.prod {
				t.Errorf("Production = %q, want %q", se.Production, tt.prod)
			}
			p.expectClosed()
		})
	}
}

// TestMalformedSkipped: a malformed untagged response costs that response,
// not the connection. It is skipped and delivered as a *parser.Malformed to
// the command whose Kinds name it (which then completes with a
// *MalformedError, its other results intact) or to the Unsolicited handler;
// every command in flight completes with its own status.
func TestMalformedSkipped(t *testing.T) {
	g := int64(len(greetingLine))
	tests := []struct {
		name    string
		spec    *Spec // the command in flight (a NOOP when nil)
		answer  string
		offset  int64  // of the syntax error, in the whole stream
		kind    string // the Malformed's Name
		owned   bool   // delivered to the command, not the handler
		results int    // the command's other responses
	}{
		{name: "bad FETCH item", answer: "* 1 FETCH (UID abc)\r\n", offset: g + int64(len("* 1 FETCH (UID ")), kind: "FETCH"},
		{name: "bad EXISTS", answer: "* 1 EXISTS now\r\n", offset: g + int64(len("* 1 EXISTS")), kind: "EXISTS"}, // strict: the SP
		{name: "no name", answer: "* \r\n", offset: g + 2},
		{name: "bad code, untagged", answer: "* OK [UIDNEXT x] hi\r\n", offset: g + int64(len("* OK [UIDNEXT ")), kind: "OK"},
		{
			name:   "QUOTA without its list, strict, owned by GETQUOTAROOT",
			spec:   &Spec{Name: "GETQUOTAROOT", Args: []Arg{Mailbox("INBOX")}, Kinds: []string{"QUOTAROOT", "QUOTA"}, Claim: func(parser.Response) bool { return true }},
			answer: "* QUOTAROOT \"INBOX\" \"ROOT\"\r\n* QUOTA \"ROOT\"\r\n",
			offset: g + int64(len("* QUOTAROOT \"INBOX\" \"ROOT\"\r\n* QUOTA \"ROOT\"")), kind: "QUOTA", owned: true, results: 1,
		},
		{
			name:   "a literal in a malformed LIST, owned by LIST",
			spec:   &Spec{Name: "LIST", Args: []Arg{Raw(`"" *`)}, Kinds: []string{"LIST"}, Claim: func(r parser.Response) bool { return r.ResponseType() == "LIST" }},
			answer: "* LIST () \"/\" {3}\r\na b x\r\n* LIST () \"/\" INBOX\r\n",
			offset: g + int64(len("* LIST () \"/\" {3}\r\na b ")), kind: "LIST", owned: true, results: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder()
			c, p := start(t, &Options{Unsolicited: rec.handle, Strict: true})
			spec := tt.spec
			if spec == nil {
				spec = &Spec{Name: "NOOP"}
			}
			cmd := send(t, c, spec)
			p.line()
			other := send(t, c, &Spec{Name: "CHECK"})
			p.line()
			p.write(tt.answer + cmd.Tag + " OK done\r\n" + other.Tag + " OK done\r\n")

			resps, st, err := cmd.Collect(testCtx(t))
			var me *MalformedError
			if tt.owned {
				if !errors.As(err, &me) || st == nil || st.Type != parser.OK {
					t.Fatalf("Collect = %v, %v; want the OK and a *MalformedError", st, err)
				}
				var se *wire.SyntaxError
				if !errors.As(err, &se) || se.Offset != tt.offset {
					t.Errorf("error %v, want a *wire.SyntaxError at offset %d", err, tt.offset)
				}
				n := 0
				for _, r := range resps {
					if _, bad := r.(*parser.Malformed); !bad {
						n++
					}
				}
				if n != tt.results || len(me.Responses) != 1 || me.Responses[0].Name != tt.kind {
					t.Errorf("%d results, malformed %+v; want %d results and one %s", n, me.Responses, tt.results, tt.kind)
				}
			} else {
				if err != nil {
					t.Fatalf("Collect: %v", err)
				}
				got := rec.wait(t, 1)
				rec.mu.Lock()
				m, isMalformed := rec.got[0].(*parser.Malformed)
				rec.mu.Unlock()
				if !isMalformed || m.Name != tt.kind || m.Err.Offset != tt.offset {
					t.Errorf("Unsolicited got %v, want a Malformed %s at offset %d", got, tt.kind, tt.offset)
				}
			}
			ok(t, other)
			if c.Err() != nil {
				t.Fatalf("the connection failed: %v", c.Err())
			}
			third := send(t, c, &Spec{Name: "NOOP"})
			p.line()
			p.write(third.Tag + " OK still here\r\n")
			ok(t, third)
		})
	}
}

// TestFaultDeadline: the server is slow; Wait gives up with the context's
// error, the connection stays up, and the late answer is read and dropped.
func TestFaultDeadline(t *testing.T) {
	tests := []struct {
		name string
		spec *Spec
		late string
		wait func(ctx context.Context, cmd *Command) error
	}{
		{"Wait", &Spec{Name: "NOOP"}, "A1 OK late\r\n", func(ctx context.Context, cmd *Command) error {
			_, err := cmd.Wait(ctx)
			return err
		}},
		{"Next", &Spec{Name: "LIST", Args: []Arg{String(""), String("*")}, Kinds: []string{"LIST"}, Claim: isType[*parser.List]},
			"* LIST () \"/\" INBOX\r\nA1 OK late\r\n", func(ctx context.Context, cmd *Command) error {
				_, err := cmd.Next(ctx)
				return err
			}},
		{"Collect with a body", uidFetchSpec("1", "UID", "BODY[]"),
			"* 1 FETCH (UID 1 BODY[] {20}\r\n01234567890123456789)\r\nA1 OK late\r\n", func(ctx context.Context, cmd *Command) error {
				_, _, err := cmd.Collect(ctx)
				return err
			}},
		{"barrier", &Spec{Name: "SELECT", Args: []Arg{Mailbox("INBOX")}, Barrier: true, Claim: isType[*parser.Exists]},
			"* 3 EXISTS\r\nA1 OK late\r\n", func(ctx context.Context, cmd *Command) error {
				_, err := cmd.Wait(ctx)
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder()
			c, p := start(t, &Options{Unsolicited: rec.handle})
			cmd := send(t, c, tt.spec)
			p.line()
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			if err := tt.wait(ctx, cmd); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("got %v, want context.DeadlineExceeded", err)
			}
			if err := c.Err(); err != nil {
				t.Fatalf("Err() = %v, want the connection up", err)
			}
			p.write(tt.late + "* 7 EXISTS\r\n")
			noop := send(t, c, &Spec{Name: "NOOP"})
			p.expect("A2 NOOP")
			p.write("A2 OK done\r\n")
			ok(t, noop)
			// The late responses went nowhere: only the EXISTS that no
			// command claims is unsolicited.
			if diff := cmp.Diff([]string{"EXISTS 7"}, rec.wait(t, 1)); diff != "" {
				t.Errorf("unsolicited (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFaultBye: BYE then close fails everything with ErrBye and the text.
func TestFaultBye(t *testing.T) {
	t.Run("pending commands", func(t *testing.T) {
		rec := newRecorder()
		c, p := start(t, &Options{Unsolicited: rec.handle})
		cmds := pending(t, c, p, 3)
		p.write("* BYE [UNAVAILABLE] Server shutting down\r\n")
		p.conn.Close()
		allFail(t, c, ErrBye, cmds...)
		var ce *ConnError
		if !errors.As(c.Err(), &ce) || ce.Bye == nil || ce.Bye.Text != "Server shutting down" {
			t.Fatalf("Err() = %#v, want a *ConnError with the BYE", c.Err())
		}
		if !strings.Contains(ce.Error(), "Server shutting down") {
			t.Errorf("Error() = %q, without the server's text", ce.Error())
		}
		if diff := cmp.Diff([]string{"BYE [UNAVAILABLE] Server shutting down"}, rec.wait(t, 1)); diff != "" {
			t.Errorf("unsolicited (-want +got):\n%s", diff)
		}
	})
	t.Run("LOGOUT", func(t *testing.T) {
		c, p := start(t, nil)
		logout := send(t, c, &Spec{Name: "LOGOUT", Barrier: true})
		p.expect("A1 LOGOUT")
		p.write("* BYE Logging out\r\nA1 OK Logout completed.\r\n")
		p.conn.Close()
		ok(t, logout)
		<-c.Done()
		if !errors.Is(c.Err(), ErrBye) {
			t.Errorf("Err() = %v, want ErrBye", c.Err())
		}
	})
	t.Run("greeting", func(t *testing.T) {
		checkLeaks(t)
		c, p := pair(t, nil)
		p.write("* BYE Too many connections\r\n")
		p.conn.Close()
		g, err := c.Greeting(testCtx(t))
		if err != nil || g.Type != parser.BYE || g.Text != "Too many connections" {
			t.Fatalf("Greeting: %+v, %v", g, err)
		}
		allFail(t, c, ErrBye)
	})
	t.Run("no greeting", func(t *testing.T) {
		checkLeaks(t)
		c, p := pair(t, nil)
		p.conn.Close()
		if g, err := c.Greeting(testCtx(t)); !errors.Is(err, io.EOF) {
			t.Fatalf("Greeting: %+v, %v; want io.EOF", g, err)
		}
	})
}

// TestConnErrorIsBye: once the server said BYE, the connection's error
// matches ErrBye whatever ended it (a reset, a failed write).
func TestConnErrorIsBye(t *testing.T) {
	bye := &parser.StatusResponse{Type: parser.BYE, Text: "Autologout; idle for too long"}
	tests := []struct {
		err  *ConnError
		want bool
	}{
		{&ConnError{Err: ErrBye, Bye: bye}, true},
		{&ConnError{Err: io.ErrClosedPipe, Bye: bye}, true},
		{&ConnError{Err: io.EOF}, false},
		{&ConnError{Err: ErrBye}, true},
	}
	for _, tt := range tests {
		if got := errors.Is(tt.err, ErrBye); got != tt.want {
			t.Errorf("errors.Is(%v, ErrBye) = %v, want %v", tt.err, got, tt.want)
		}
		if errors.Is(tt.err, ErrClosed) {
			t.Errorf("errors.Is(%v, ErrClosed) = true", tt.err)
		}
	}
}

// TestFaultCancelWrite: a context that ends in the middle of a command
// closes the connection (ErrInterruptedWrite); one that ends before any
// byte was written leaves it up.
func TestFaultCancelWrite(t *testing.T) {
	t.Run("waiting for + of a literal", func(t *testing.T) {
		c, p := start(t, nil)
		cmds := pending(t, c, p, 2)
		ctx, cancel := context.WithCancel(context.Background())
		res := sendAsync(ctx, c, appendSpec("hello"))
		p.expect("A3 APPEND INBOX {5}")
		cancel()
		r := receive(t, res)
		if !errors.Is(r.err, ErrInterruptedWrite) || !errors.Is(r.err, context.Canceled) {
			t.Errorf("Send: %v, want ErrInterruptedWrite and context.Canceled", r.err)
		}
		allFail(t, c, ErrInterruptedWrite, cmds...)
		p.expectClosed()
	})
	t.Run("in a continuation exchange", func(t *testing.T) {
		c, p := start(t, nil)
		cmds := pending(t, c, p, 1)
		ctx, cancel := context.WithCancel(context.Background())
		res := sendAsync(ctx, c, &Spec{Name: "AUTHENTICATE", Args: []Arg{Atom("PLAIN")}, Barrier: true,
			Continue: func(context.Context, string) ([]byte, error) { return []byte("AGEAYg=="), nil }})
		p.write("A1 OK done\r\n") // the barrier goes once A1 is done
		p.expect("A2 AUTHENTICATE PLAIN")
		cancel()
		r := receive(t, res)
		if !errors.Is(r.err, ErrInterruptedWrite) {
			t.Errorf("Send: %v, want ErrInterruptedWrite", r.err)
		}
		if _, err := cmds[0].Wait(testCtx(t)); err != nil {
			t.Errorf("A1: %v", err)
		}
		allFail(t, c, ErrInterruptedWrite)
	})
	t.Run("before writing", func(t *testing.T) {
		c, p := start(t, nil)
		sel := send(t, c, &Spec{Name: "SELECT", Args: []Arg{Mailbox("INBOX")}, Barrier: true})
		p.expect("A1 SELECT INBOX")
		ctx, cancel := context.WithCancel(context.Background())
		res := sendAsync(ctx, c, appendSpec("hello")) // waits for the barrier
		p.quiet()
		cancel()
		if r := receive(t, res); !errors.Is(r.err, context.Canceled) || errors.Is(r.err, ErrInterruptedWrite) {
			t.Errorf("Send: %v, want context.Canceled alone", r.err)
		}
		p.write("A1 OK selected\r\n")
		ok(t, sel)
		noop := send(t, c, &Spec{Name: "NOOP"})
		p.expect("A2 NOOP") // the cancelled command took no tag
		p.write("A2 OK done\r\n")
		ok(t, noop)
	})
}

// TestFaultAbandonMidBody: the consumer gives up in the middle of a body;
// the reader reads the rest through and the next command works.
func TestFaultAbandonMidBody(t *testing.T) {
	tests := []struct {
		name    string
		abandon func(t *testing.T, fetch *Command, m *Message)
		rest    []string // what the consumer still gets from the command
		err     error    // and the command's result
	}{
		{"Message.Close", func(t *testing.T, fetch *Command, m *Message) { m.Close() }, []string{"2 UID=2 BODY[]=\"abcde\""}, nil},
		{"Command.Abandon", func(t *testing.T, fetch *Command, m *Message) { fetch.Abandon() }, nil, nil},
		{"Wait with a dead context", func(t *testing.T, fetch *Command, m *Message) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			// The command cannot be done (the reader waits on the body),
			// so Wait sees the context and abandons the command.
			if _, err := fetch.Wait(ctx); !errors.Is(err, context.Canceled) {
				t.Errorf("Wait: %v", err)
			}
		}, nil, nil},
		// Command.Next closes the message it returned before.
		{"Command.Next", func(t *testing.T, fetch *Command, m *Message) {}, []string{"2 UID=2 BODY[]=\"abcde\""}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder()
			c, p := start(t, &Options{Unsolicited: rec.handle})
			fetch := send(t, c, uidFetchSpec("1:2", "UID", "BODY[]"))
			p.expect("A1 UID FETCH 1:2 (UID BODY[])")
			body := strings.Repeat("0123456789", 100)
			p.write("* 1 FETCH (UID 1 BODY[] {1000}\r\n" + body + ")\r\n" +
				"* 2 FETCH (UID 2 BODY[] {5}\r\nabcde)\r\n" +
				"* 3 EXISTS\r\n" +
				"A1 OK Fetch completed\r\n")
			x, err := fetch.Next(testCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			m := x.(*Message)
			m.Next() // UID
			it, err := m.Next()
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 10)
			r := it.(*parser.BodySectionItem).Body
			if _, err := io.ReadFull(r, buf); err != nil {
				t.Fatal(err)
			}
			tt.abandon(t, fetch, m)
			var rest []string
			for {
				x, err := fetch.Next(testCtx(t))
				if err != nil {
					if err != io.EOF && !errors.Is(err, context.Canceled) {
						t.Errorf("Next: %v", err)
					}
					break
				}
				m := x.(*Message)
				rest = append(rest, strings.Join(append([]string{fmt.Sprint(m.SeqNum)}, readMessage(t, m)...), " "))
			}
			if diff := cmp.Diff(tt.rest, rest); diff != "" {
				t.Errorf("rest of the command (-want +got):\n%s", diff)
			}
			if it, err := m.Next(); err == nil {
				t.Errorf("Message.Next after abandoning: %v, want an error", it.ItemName())
			}
			// The body is no longer readable: the reader has moved on.
			if n, err := r.Read(buf); err == nil {
				t.Errorf("the abandoned body reads on: %q", buf[:n])
			}
			if _, err := fetch.Wait(testCtx(t)); err != tt.err {
				t.Errorf("Wait: %v, want %v", err, tt.err)
			}
			noop := send(t, c, &Spec{Name: "NOOP"})
			p.expect("A2 NOOP")
			p.write("A2 OK done\r\n")
			ok(t, noop)
			if diff := cmp.Diff([]string{"EXISTS 3"}, rec.wait(t, 1)); diff != "" {
				t.Errorf("unsolicited (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnsolicitedOverflow: a handler that blocks never blocks the reader;
// what does not fit in the queue is counted and reported.
func TestUnsolicitedOverflow(t *testing.T) {
	first := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	var mu sync.Mutex
	var got []string
	changed := make(chan struct{}, 1)
	handler := func(r parser.Response) {
		mu.Lock()
		got = append(got, describe(r))
		n := len(got)
		mu.Unlock()
		select {
		case changed <- struct{}{}:
		default:
		}
		if n == 1 {
			close(first)
			<-release
		}
	}
	c, p := start(t, &Options{Unsolicited: handler, UnsolicitedQueue: 4})
	t.Cleanup(unblock) // before Close, which waits for the handler
	p.write("* 1 EXISTS\r\n")
	select {
	case <-first:
	case <-time.After(timeout):
		t.Fatal("the handler was not called")
	}
	noop := send(t, c, &Spec{Name: "NOOP"})
	p.expect("A1 NOOP")
	var b strings.Builder
	for i := 2; i <= 100; i++ {
		fmt.Fprintf(&b, "* %d EXISTS\r\n", i)
	}
	b.WriteString("A1 OK done\r\n")
	p.write(b.String())
	ok(t, noop) // while the handler is blocked
	unblock()
	want := []string{"EXISTS 1", "EXISTS 2", "EXISTS 3", "EXISTS 4", "EXISTS 5", "OVERFLOW 95"}
	wait := func(want []string) {
		t.Helper()
		deadline := time.After(timeout)
		for {
			mu.Lock()
			n := len(got)
			mu.Unlock()
			if n >= len(want) {
				break
			}
			select {
			case <-changed:
			case <-deadline:
				t.Fatalf("handler got %d responses, want %d", n, len(want))
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("handler (-want +got):\n%s", diff)
		}
	}
	wait(want)
	// After the overflow, delivery goes on as usual.
	p.write("* 101 EXISTS\r\n")
	wait(append(want, "EXISTS 101"))
}
