package client_test

// The hostile-server suite: scripted servers on loopback drive the client
// API with what a broken or malicious server can send (literals of absurd
// declared sizes, truncated bodies, floods, missing continuations, tag
// confusion, STARTTLS injection, a byte at a time then silence). Every case
// checks that the call
//   - does not panic (a panic in any goroutine fails the test binary),
//   - returns by its context's deadline (plus a grace for a loaded machine:
//     a call still running then is reported as a hang, with every stack),
//   - leaves no goroutine behind once the client is closed,
//   - keeps the heap within the case's stated budget (peak HeapAlloc above
//     the baseline, sampled while the call runs), and
//   - fails with the typed error the case names.

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapwire/imapwire/client"
	"github.com/imapwire/imapwire/command"
	"github.com/imapwire/imapwire/internal/testcert"
	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// hangGrace is how long past its deadline a call may take before the suite
// calls it a hang. It is not a timing assertion: a correct client returns
// within milliseconds of the deadline; the grace only keeps a loaded CI
// machine from being mistaken for a hang.
const hangGrace = 20 * time.Second

// A hostileCase is one scripted server and the client call it answers.
type hostileCase struct {
	name     string
	greeting string        // default: "* OK [CAPABILITY IMAP4rev1 IDLE] hostile\r\n"
	deadline time.Duration // the call's context (default 2 minutes: it only bounds a hang)
	budget   uint64        // peak heap above the baseline, in bytes (default 8 MiB)
	opts     client.Options
	serve    func(s *hconn)
	call     func(ctx context.Context, c *client.Client) error
	check    func(t *testing.T, err error)
}

// hconn is the server end of a hostile case's connection.
type hconn struct {
	net.Conn
	br *bufio.Reader
}

// command reads the next command line and returns its tag and the rest
// (without CRLF); ok is false once the client has gone.
func (s *hconn) command() (tag, rest string, ok bool) {
	line, err := s.br.ReadString('\n')
	if err != nil {
		return "", "", false
	}
	line = strings.TrimRight(line, "\r\n")
	tag, rest, _ = strings.Cut(line, " ")
	return tag, rest, true
}

// send writes s; errors mean the client has gone, which the case's call
// reports.
func (s *hconn) send(format string, args ...any) {
	fmt.Fprintf(s, format, args...)
}

// repeat writes n bytes of pattern (repeated), in chunks.
func (s *hconn) repeat(pattern string, n int64) {
	chunk := []byte(strings.Repeat(pattern, (64<<10)/len(pattern)))
	for n > 0 {
		b := chunk
		if int64(len(b)) > n {
			b = b[:n]
		}
		if _, err := s.Write(b); err != nil {
			return
		}
		n -= int64(len(b))
	}
}

// stall reads and discards until the client closes the connection.
func (s *hconn) stall() { io.Copy(io.Discard, s.br) }

func runHostile(t *testing.T, tc hostileCase) {
	before := runtime.NumGoroutine()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		nc, err := ln.Accept()
		ln.Close()
		if err != nil {
			return
		}
		defer nc.Close()
		s := &hconn{Conn: nc, br: bufio.NewReader(nc)}
		g := tc.greeting
		if g == "" {
			g = "* OK [CAPABILITY IMAP4rev1 IDLE] hostile\r\n"
		}
		s.send("%s", g)
		tc.serve(s)
		s.stall()
	}()

	opts := tc.opts
	opts.AllowPlaintext = true
	c, err := client.Dial(context.Background(), ln.Addr().String(), &opts)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}

	deadline := tc.deadline
	if deadline == 0 {
		// Cases that complete must never race a clock: on a loaded
		// machine under -race they take seconds. Cases about silence
		// set a short deadline: they end by it, whatever the load.
		deadline = 2 * time.Minute
	}
	budget := tc.budget
	if budget == 0 {
		budget = 8 << 20
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()

	peak := watchHeap()
	done := make(chan error, 1)
	go func() { done <- tc.call(ctx, c) }()
	var callErr error
	select {
	case callErr = <-done:
	case <-time.After(deadline + hangGrace):
		buf := make([]byte, 1<<20)
		t.Fatalf("the call did not return by its deadline (%v):\n%s", deadline, buf[:runtime.Stack(buf, true)])
	}
	grew := peak()
	t.Logf("peak heap +%d KiB (budget %d KiB)", grew>>10, budget>>10)
	if grew > budget {
		t.Errorf("peak heap grew by %d KiB, budget %d KiB", grew>>10, budget>>10)
	}
	if tc.check != nil {
		tc.check(t, callErr)
	} else if callErr != nil {
		t.Errorf("call: %v", callErr)
	}

	c.Close()
	<-served
	waitGoroutines(t, before)
}

// watchHeap samples HeapAlloc until the returned function is called, which
// reports the peak above the baseline taken after a GC.
func watchHeap() func() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	stop := make(chan struct{})
	result := make(chan uint64)
	go func() {
		peak := base
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-stop:
				result <- peak - base
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		return <-result
	}
}

// waitGoroutines fails the test if more goroutines than before remain once
// everything was closed; it waits for them to end first (they end on
// events the test already caused, such as the closed connection).
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(hangGrace)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutine leak: %d running, %d before\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond) // polling a condition, with a deadline
	}
}

// Checks of the call's error.

func wantCtxErr(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want one matching context.DeadlineExceeded", err)
	}
}

func wantConnErr(sentinel error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var ce *command.ConnError
		if !errors.As(err, &ce) {
			t.Errorf("error %v (%T), want a *command.ConnError", err, err)
			return
		}
		if sentinel != nil && !errors.Is(err, sentinel) {
			t.Errorf("error %v, want one matching %v", err, sentinel)
		}
	}
}

func wantSyntaxErr(sentinel error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		wantConnErr(sentinel)(t, err)
		var se *wire.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("error %v, want a *wire.SyntaxError inside", err)
		}
	}
}

func fetchCollect(set wire.SeqSet, items ...string) func(context.Context, *client.Client) error {
	return func(ctx context.Context, c *client.Client) error {
		f, err := c.Fetch(ctx, set, items...)
		if err != nil {
			return err
		}
		_, err = f.Collect(ctx)
		return err
	}
}

func seq(n uint32) wire.SeqSet { return wire.SeqSet{{Start: n, Stop: n}} }

func TestHostileServer(t *testing.T) {
	for _, tc := range hostileCases() {
		t.Run(tc.name, func(t *testing.T) { runHostile(t, tc) })
	}
}

func hostileCases() []hostileCase {
	const mib = 1 << 20
	return []hostileCase{
		// Literals.
		{
			name: "GetFlags answered with a body of declared size MaxInt64",
			serve: func(s *hconn) {
				tag, _, _ := s.command()
				s.send("* 1 FETCH (FLAGS (\\Seen) BODY[] {9223372036854775807}\r\n0123456789")
				_ = tag
			},
			deadline: 300 * time.Millisecond,
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.GetFlags(ctx, false, seq(1))
				return err
			},
			check: wantCtxErr,
		},
		{
			name: "GetFlags answered with 500 MiB declared, 10 bytes sent",
			serve: func(s *hconn) {
				s.command()
				s.send("* 1 FETCH (FLAGS (\\Seen) BODY[] {524288000}\r\n0123456789")
			},
			deadline: 300 * time.Millisecond,
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.GetFlags(ctx, false, seq(1))
				return err
			},
			check: wantCtxErr,
		},
		{
			name: "Store answered with an unasked body",
			serve: func(s *hconn) {
				tag, _, _ := s.command()
				s.send("* 1 FETCH (FLAGS (\\Seen) BODY[] {33554432}\r\n")
				s.repeat("x", 32*mib)
				s.send(")\r\n%s OK stored\r\n", tag)
			},
			call: func(ctx context.Context, c *client.Client) error {
				msgs, err := c.Store(ctx, seq(1), client.AddFlags, false, `\Seen`)
				if err != nil {
					return err
				}
				if len(msgs) != 1 || len(msgs[0].Sections) != 0 || len(msgs[0].Flags) != 1 {
					return fmt.Errorf("got %d messages (%+v), want one with FLAGS and no body", len(msgs), msgs)
				}
				return nil
			},
		},
		{
			name: "Fetch ENVELOPE answered with an unasked 100 MiB body",
			serve: func(s *hconn) {
				tag, _, _ := s.command()
				s.send(`* 1 FETCH (ENVELOPE (NIL "hi" NIL NIL NIL NIL NIL NIL NIL NIL) BODY[] {104857600}` + "\r\n")
				s.repeat("x", 100*mib)
				s.send(")\r\n%s OK done\r\n", tag)
			},
			call: func(ctx context.Context, c *client.Client) error {
				f, err := c.Fetch(ctx, seq(1), "ENVELOPE")
				if err != nil {
					return err
				}
				msgs, err := f.Collect(ctx)
				if err != nil {
					return err
				}
				if len(msgs) != 1 || msgs[0].Envelope == nil || msgs[0].Envelope.Subject != "hi" || len(msgs[0].Sections) != 0 {
					return fmt.Errorf("got %+v, want one message with its ENVELOPE and no body", msgs)
				}
				return nil
			},
		},
		{
			name: "Fetch BODY[] of 50 MB declared, 1000 bytes sent, then silence",
			serve: func(s *hconn) {
				s.command()
				s.send("* 1 FETCH (BODY[] {50000000}\r\n")
				s.repeat("x", 1000)
			},
			deadline: 300 * time.Millisecond,
			call:     fetchCollect(seq(1), "BODY.PEEK[]"),
			check:    wantConnErr(command.ErrInterruptedRead),
		},
		{
			name: "Fetch BODY[] larger than MaxLiteral",
			serve: func(s *hconn) {
				s.command()
				s.send("* 1 FETCH (BODY[] {104857600}\r\n")
				s.repeat("x", 1000)
			},
			deadline: 5 * time.Second,
			call:     fetchCollect(seq(1), "BODY.PEEK[]"),
			check: func(t *testing.T, err error) {
				var le *command.LiteralError
				if !errors.As(err, &le) || !errors.Is(err, wire.ErrLiteralTooLarge) {
					t.Errorf("error %v, want a *command.LiteralError matching wire.ErrLiteralTooLarge", err)
				}
			},
		},
		{
			name: "negative literal size",
			serve: func(s *hconn) {
				s.command()
				s.send("* 1 FETCH (BODY[] {-1}\r\n")
			},
			call:  fetchCollect(seq(1), "BODY.PEEK[]"),
			check: wantSyntaxErr(nil),
		},
		{
			name: "literal size overflowing 64 bits",
			serve: func(s *hconn) {
				s.command()
				s.send("* 1 FETCH (BODY[] {99999999999999999999}\r\n")
			},
			call:  fetchCollect(seq(1), "BODY.PEEK[]"),
			check: wantSyntaxErr(wire.ErrNumberOverflow),
		},
		{
			name: "truncated literal, then EOF",
			serve: func(s *hconn) {
				s.command()
				s.send("* 1 FETCH (BODY[] {100000}\r\nabc")
				s.Close()
			},
			call:  fetchCollect(seq(1), "BODY.PEEK[]"),
			check: wantConnErr(io.ErrUnexpectedEOF),
		},

		// Missing continuations.
		{
			name: "APPEND: no continuation for the literal",
			serve: func(s *hconn) {
				s.command() // and nothing more
			},
			deadline: 300 * time.Millisecond,
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.Append(ctx, "INBOX", 5, strings.NewReader("hello"), nil)
				return err
			},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, command.ErrInterruptedWrite) && !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("error %v, want ErrInterruptedWrite or the deadline", err)
				}
			},
		},
		{
			name: "IDLE: no continuation",
			serve: func(s *hconn) {
				s.command() // IDLE, never answered
			},
			deadline: 300 * time.Millisecond,
			call: func(ctx context.Context, c *client.Client) error {
				return c.Idle(ctx, nil)
			},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, client.ErrIdleNotStarted) || !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("error %v, want ErrIdleNotStarted and the deadline", err)
				}
			},
		},
		{
			name: "IDLE: no completion after DONE",
			serve: func(s *hconn) {
				s.command()
				s.send("+ idling\r\n")
				s.command() // DONE, never completed
			},
			deadline: 300 * time.Millisecond,
			call: func(ctx context.Context, c *client.Client) error {
				return c.Idle(ctx, nil)
			},
		},

		// Floods.
		{
			name: "response text of 64 MiB",
			serve: func(s *hconn) {
				tag, _, _ := s.command()
				s.send("%s OK ", tag)
				s.repeat("x", 64*mib)
				s.send("\r\n")
			},
			call:  func(ctx context.Context, c *client.Client) error { return c.Noop(ctx) },
			check: wantSyntaxErr(wire.ErrQuotedTooLong),
		},

		// Tag confusion.
		{
			name: "tagged answers for tags never sent",
			serve: func(s *hconn) {
				tag, _, _ := s.command()
				s.send("X99 OK not yours\r\n%s1 NO not yours either\r\n* 1 EXISTS\r\n%s OK done\r\n", tag, tag)
			},
			call: func(ctx context.Context, c *client.Client) error { return c.Noop(ctx) },
		},
		{
			name:     "ESEARCH correlated to another tag",
			greeting: "* OK [CAPABILITY IMAP4rev1 ESEARCH] hostile\r\n",
			serve: func(s *hconn) {
				tag, _, _ := s.command()
				s.send("* ESEARCH (TAG \"A77\") ALL 1:999\r\n* ESEARCH (TAG \"%s\") ALL 4\r\n%s OK done\r\n", tag, tag)
			},
			call: func(ctx context.Context, c *client.Client) error {
				set, err := c.Search(ctx, false, nil)
				if err != nil {
					return err
				}
				if set.String() != "4" {
					return fmt.Errorf("Search = %v, want 4", set)
				}
				return nil
			},
		},

		// Slowloris.
		{
			name: "a byte at a time, then silence mid-line",
			serve: func(s *hconn) {
				tag, _, _ := s.command()
				for _, b := range []byte(tag + " OK sl") {
					if _, err := s.Write([]byte{b}); err != nil {
						return
					}
				}
			},
			deadline: 300 * time.Millisecond,
			call:     func(ctx context.Context, c *client.Client) error { return c.Noop(ctx) },
			check:    wantCtxErr,
		},
		{
			name: "greeting only, then silence",
			serve: func(s *hconn) {
				s.command()
			},
			deadline: 300 * time.Millisecond,
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.Select(ctx, "INBOX")
				return err
			},
			check: wantCtxErr,
		},
	}
}

// TestHostileUnsolicitedFlood: 200,000 untagged responses while the
// Updates handler is stuck: the queue holds at most its bound
// (Options.UnsolicitedQueue, 4096), the rest are dropped and counted, the
// command completes, and the handler is told how many it missed.
func TestHostileUnsolicitedFlood(t *testing.T) {
	const n = 200_000
	stuck := make(chan struct{})
	overflow := make(chan *command.Overflow, 1)
	var once sync.Once
	runHostile(t, hostileCase{
		name: "unsolicited flood",
		opts: client.Options{Updates: func(r parser.Response) {
			once.Do(func() { <-stuck })
			if o, ok := r.(*command.Overflow); ok {
				select {
				case overflow <- o:
				default:
				}
			}
		}},
		budget: 16 << 20,
		serve: func(s *hconn) {
			tag, _, _ := s.command()
			s.repeat("* 1 RECENT\r\n", 12*n)
			s.send("%s OK done\r\n", tag)
		},
		call: func(ctx context.Context, c *client.Client) error {
			err := c.Noop(ctx)
			close(stuck)
			if err != nil {
				return err
			}
			select {
			case o := <-overflow:
				if o.Dropped < n-4096-1 {
					return fmt.Errorf("Overflow of %d, want at least %d", o.Dropped, n-4096-1)
				}
				return nil
			case <-ctx.Done():
				return errors.New("no *command.Overflow reached the handler")
			}
		},
	})
}

// TestHostileStartTLSInjection: a CAPABILITY response sent in the clear in
// the same packet as STARTTLS's OK, queued behind a busy Updates handler,
// is neither delivered nor believed after the upgrade (RFC 3501 section
// 6.2.1, RFC 2595 section 3.1).
func TestHostileStartTLSInjection(t *testing.T) {
	cert := selfSigned(t)
	busy := make(chan struct{})
	var mu sync.Mutex
	var updates []string
	seen := make(chan struct{}, 1)
	opts := client.Options{
		TLSConfig: &tls.Config{RootCAs: cert.pool},
		Updates: func(r parser.Response) {
			if s, ok := r.(*parser.StatusResponse); ok && s.Text == "busy" {
				seen <- struct{}{}
				<-busy // hold the handler until StartTLS is done
			}
			mu.Lock()
			updates = append(updates, fmt.Sprintf("%+v", r))
			mu.Unlock()
		},
	}
	runHostile(t, hostileCase{
		name:     "STARTTLS injection",
		greeting: "* OK [CAPABILITY IMAP4rev1 STARTTLS] hostile\r\n",
		opts:     opts,
		serve: func(s *hconn) {
			s.send("* OK busy\r\n")  // keeps the handler busy
			tag, _, _ := s.command() // STARTTLS
			s.send("* OK [CAPABILITY IMAP4rev1 X-INJECTED] injected\r\n%s OK Begin TLS\r\n", tag)
			tc := tls.Server(s.Conn, &tls.Config{Certificates: []tls.Certificate{cert.cert}})
			if err := tc.Handshake(); err != nil {
				return
			}
			ts := &hconn{Conn: tc, br: bufio.NewReader(tc)}
			for {
				tag, rest, ok := ts.command()
				if !ok {
					return
				}
				if strings.EqualFold(rest, "CAPABILITY") {
					ts.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n")
				}
				ts.send("%s OK done\r\n", tag)
			}
		},
		call: func(ctx context.Context, c *client.Client) error {
			<-seen // the handler is busy with a response before STARTTLS
			if err := c.StartTLS(ctx, nil); err != nil {
				return err
			}
			if c.Has("X-INJECTED") {
				return errors.New("the injected capability is believed after STARTTLS")
			}
			close(busy)
			caps, err := c.Capabilities(ctx)
			if err != nil {
				return err
			}
			if strings.Contains(strings.Join(caps, " "), "X-INJECTED") {
				return fmt.Errorf("capabilities after STARTTLS: %v", caps)
			}
			if err := c.Noop(ctx); err != nil { // the queue has run since
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, u := range updates {
				if strings.Contains(u, "X-INJECTED") {
					return fmt.Errorf("the injected response reached Updates: %s", u)
				}
			}
			return nil
		},
	})
}

type testCert struct {
	cert tls.Certificate
	pool *x509.CertPool
}

// selfSigned makes a certificate for 127.0.0.1.
func selfSigned(t *testing.T) testCert {
	t.Helper()
	cert, pool, err := testcert.New()
	if err != nil {
		t.Fatal(err)
	}
	return testCert{cert: cert, pool: pool}
}

// TestHostileFloods: responses that never end hold memory in proportion to
// what the limits allow, then fail with the limit's sentinel; with the
// default limits and with small ones. (A SEARCH at the default MaxNumList,
// 16 Mi numbers, is 32 MB on the wire: the parser's own tests cover it.)
func TestHostileFloods(t *testing.T) {
	const mib = 1 << 20
	small := wire.Limits{MaxListElems: 10_000, MaxNumList: 100_000}
	search := func(ctx context.Context, c *client.Client) error {
		_, err := c.Search(ctx, false, nil)
		return err
	}
	noop := func(ctx context.Context, c *client.Client) error { return c.Noop(ctx) }
	for _, tc := range []hostileCase{
		{
			name: "SEARCH without end, small limits",
			opts: client.Options{Limits: small},
			serve: func(s *hconn) {
				s.command()
				s.send("* SEARCH")
				s.repeat(" 1", 2*1_000_000)
			},
			budget: 4 * mib,
			call:   search,
			check:  wantSyntaxErr(wire.ErrListTooLong),
		},
		{
			name: "CAPABILITY without end, default limits",
			serve: func(s *hconn) {
				s.command()
				s.send("* CAPABILITY")
				s.repeat(" A", 2*2_000_000) // past MaxListElems (1,000,000)
			},
			budget: 64 * mib,
			call:   noop,
			check:  wantSyntaxErr(wire.ErrListTooLong),
		},
		{
			name: "CAPABILITY without end, small limits",
			opts: client.Options{Limits: small},
			serve: func(s *hconn) {
				s.command()
				s.send("* CAPABILITY")
				s.repeat(" A", 2*1_000_000)
			},
			budget: 4 * mib,
			call:   noop,
			check:  wantSyntaxErr(wire.ErrListTooLong),
		},
	} {
		t.Run(tc.name, func(t *testing.T) { runHostile(t, tc) })
	}
}

// TestHostileSearchExpansion: an ESEARCH result of a few bytes naming
// four billion UIDs is not expanded by SearchNums (it would take 16 GiB);
// Search returns the set itself.
func TestHostileSearchExpansion(t *testing.T) {
	answer := func(s *hconn) {
		for {
			tag, _, ok := s.command()
			if !ok {
				return
			}
			s.send("* ESEARCH (TAG \"%s\") UID ALL 1:4294967295\r\n%s OK done\r\n", tag, tag)
		}
	}
	runHostile(t, hostileCase{
		greeting: "* OK [CAPABILITY IMAP4rev1 ESEARCH] hostile\r\n",
		serve:    answer,
		call: func(ctx context.Context, c *client.Client) error {
			_, err := c.SearchNums(ctx, true, nil)
			var re *client.ResultTooLargeError
			if !errors.As(err, &re) || re.Numbers != 1<<32-1 {
				return fmt.Errorf("SearchNums: %v, want a *client.ResultTooLargeError for 4294967295 numbers", err)
			}
			set, err := c.Search(ctx, true, nil)
			if err != nil || set.String() != "1:4294967295" {
				return fmt.Errorf("Search = %v, %v; want the set", set, err)
			}
			return nil
		},
	})
}
