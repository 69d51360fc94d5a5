package command

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/imapwire/imapwire/internal/testcert"
	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// These tests run the dispatcher against a scripted server on a loopback
// socket: the test goroutine plays the server step by step (read a command
// line, write responses), so every interleaving the tests need is explicit.
// Interoperability with a real server is tested elsewhere (Dovecot).

// timeout bounds every wait of the tests: a broken dispatcher fails a test,
// it never hangs the suite.
const timeout = 10 * time.Second

// quietFor is how long the server watches for a command that must not be
// sent yet. A dispatcher that sent it too early would (almost always) be
// caught; a correct one never fails because of it.
const quietFor = 100 * time.Millisecond

const greetingLine = "* OK [CAPABILITY IMAP4rev1] ready\r\n"

// peer is the server end of a test connection.
type peer struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader

	mu   sync.Mutex
	sent []byte // every byte written, for the trace test
}

// write sends s as it is.
func (p *peer) write(s string) {
	p.t.Helper()
	p.conn.SetWriteDeadline(time.Now().Add(timeout))
	if _, err := io.WriteString(p.conn, s); err != nil {
		p.t.Errorf("server: write %q: %v", s, err)
		return
	}
	p.mu.Lock()
	p.sent = append(p.sent, s...)
	p.mu.Unlock()
}

// line reads one line from the client, without its CRLF.
func (p *peer) line() string {
	p.t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(timeout))
	s, err := p.r.ReadString('\n')
	if err != nil {
		p.t.Errorf("server: reading a line: %v (got %q)", err, s)
		return ""
	}
	if !strings.HasSuffix(s, "\r\n") {
		p.t.Errorf("server: line %q does not end with CRLF", s)
	}
	return strings.TrimSuffix(s, "\r\n")
}

// expect reads a line and checks it.
func (p *peer) expect(want string) {
	p.t.Helper()
	if got := p.line(); got != want {
		p.t.Errorf("server: got line %q, want %q", got, want)
	}
}

// read reads exactly n bytes.
func (p *peer) read(n int) string {
	p.t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(timeout))
	b := make([]byte, n)
	if _, err := io.ReadFull(p.r, b); err != nil {
		p.t.Errorf("server: reading %d bytes: %v", n, err)
	}
	return string(b)
}

// quiet checks that the client sends nothing for quietFor.
func (p *peer) quiet() {
	p.t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(quietFor))
	_, err := p.r.Peek(1)
	if err == nil {
		b, _ := p.r.Peek(p.r.Buffered())
		p.t.Errorf("server: client sent %q, want nothing yet", b)
		return
	}
	if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		p.t.Errorf("server: waiting for silence: %v", err)
	}
}

// expectClosed checks that the client closes the connection.
func (p *peer) expectClosed() {
	p.t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(timeout))
	b, err := io.ReadAll(p.r)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		p.t.Errorf("server: the client did not close the connection (read %q)", b)
	}
}

// pair connects a Conn to a peer over a loopback socket. Both are closed
// when the test ends.
func pair(t *testing.T, opts *Options) (*Conn, *peer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ln.Accept()
	if err != nil {
		cc.Close()
		t.Fatal(err)
	}
	p := &peer{t: t, conn: sc, r: bufio.NewReader(sc)}
	if opts == nil {
		opts = &Options{}
	}
	if opts.ReadAheadBody == 0 {
		// These tests watch bodies stream; TestReadAhead covers the
		// default.
		opts.ReadAheadBody = -1
	}
	c := New(cc, opts)
	t.Cleanup(func() {
		c.Close()
		sc.Close()
	})
	return c, p
}

// start is pair after the greeting, with a check that the test leaks no
// goroutine.
func start(t *testing.T, opts *Options) (*Conn, *peer) {
	t.Helper()
	checkLeaks(t)
	c, p := pair(t, opts)
	p.write(greetingLine)
	if _, err := c.Greeting(testCtx(t)); err != nil {
		t.Fatalf("Greeting: %v", err)
	}
	return c, p
}

// checkLeaks fails the test if, once its cleanups have run (the Conn
// closed), more goroutines run than when it started. Call it first, so that
// its cleanup runs last.
func checkLeaks(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				t.Errorf("goroutine leak: %d running, %d before the test\n%s", runtime.NumGoroutine(), before, buf)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

// waitBlockedInSend waits until n goroutines are blocked inside Conn.Send:
// a goroutine blocked in its select has joined the queue for the write
// lock (or holds it and waits for the commands in flight), so the order in
// which the calls started is fixed from then on. It polls the goroutine
// states, an event, not a guess at how long scheduling takes.
func waitBlockedInSend(t *testing.T, n int) {
	t.Helper()
	ctx := testCtx(t)
	buf := make([]byte, 1<<20)
	for {
		buf = buf[:runtime.Stack(buf[:cap(buf)], true)]
		blocked := 0
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "[select") && strings.Contains(g, "command.(*Conn).Send(") {
				blocked++
			}
		}
		if blocked >= n {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d goroutines blocked in Send, want %d", blocked, n)
		default:
			runtime.Gosched()
		}
	}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx
}

// send sends spec and fails the test on error.
func send(t *testing.T, c *Conn, spec *Spec) *Command {
	t.Helper()
	cmd, err := c.Send(testCtx(t), spec)
	if err != nil {
		t.Fatalf("Send %s: %v", spec.Name, err)
	}
	return cmd
}

// sendAsync sends spec from another goroutine.
func sendAsync(ctx context.Context, c *Conn, spec *Spec) <-chan sendResult {
	ch := make(chan sendResult, 1)
	go func() {
		cmd, err := c.Send(ctx, spec)
		ch <- sendResult{cmd, err}
	}()
	return ch
}

type sendResult struct {
	cmd *Command
	err error
}

// receive waits for a Send started with sendAsync.
func receive(t *testing.T, ch <-chan sendResult) sendResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(timeout):
		t.Fatal("Send did not return")
		return sendResult{}
	}
}

// ok waits for cmd and fails the test unless it completed with OK.
func ok(t *testing.T, cmd *Command) *parser.StatusResponse {
	t.Helper()
	st, err := cmd.Wait(testCtx(t))
	if err != nil {
		t.Fatalf("%s %s: %v", cmd.Tag, cmd.Spec.Name, err)
	}
	return st
}

// recorder is an Unsolicited handler that keeps what it receives.
type recorder struct {
	mu   sync.Mutex
	got  []parser.Response
	wake chan struct{}
}

func newRecorder() *recorder { return &recorder{wake: make(chan struct{}, 1)} }

func (r *recorder) handle(resp parser.Response) {
	r.mu.Lock()
	r.got = append(r.got, resp)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// wait waits until n responses arrived and returns them all, described.
func (r *recorder) wait(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		r.mu.Lock()
		got := len(r.got)
		r.mu.Unlock()
		if got >= n {
			return r.all()
		}
		select {
		case <-r.wake:
		case <-deadline:
			t.Fatalf("unsolicited: got %d responses, want %d: %q", got, n, r.all())
		}
	}
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, x := range r.got {
		out = append(out, describe(x))
	}
	return out
}

// describe renders a response compactly for comparisons.
func describe(r parser.Response) string {
	switch v := r.(type) {
	case *parser.StatusResponse:
		s := string(v.Type)
		if v.Tag != "" {
			s = v.Tag + " " + s
		}
		if v.Code != nil {
			s += " [" + v.Code.Name + "]"
		}
		if v.Text != "" {
			s += " " + v.Text
		}
		return s
	case *parser.Continuation:
		return "+ " + v.Text
	case *parser.Exists:
		return fmt.Sprintf("EXISTS %d", v.Num)
	case *parser.Expunge:
		return fmt.Sprintf("EXPUNGE %d", v.SeqNum)
	case *parser.Recent:
		return fmt.Sprintf("RECENT %d", v.Num)
	case *parser.Vanished:
		return "VANISHED " + v.UIDs.String()
	case *parser.List:
		return "LIST " + v.Name
	case *parser.Message:
		s := fmt.Sprintf("FETCH %d %v", v.SeqNum, v.Items)
		if v.UID != 0 {
			s += fmt.Sprintf(" UID=%d", v.UID)
		}
		if v.Flags != nil {
			s += fmt.Sprintf(" FLAGS=%v", v.Flags)
		}
		if v.Envelope != nil {
			s += fmt.Sprintf(" SUBJECT=%q", v.Envelope.Subject)
		}
		for _, sec := range v.Sections {
			s += fmt.Sprintf(" %s=%q", sec.ItemName(), sec.Data)
		}
		return s
	case *parser.Unknown:
		if v.HasNum {
			return fmt.Sprintf("UNKNOWN %d %s", v.Num, v.Name)
		}
		return "UNKNOWN " + v.Name
	case *Overflow:
		return fmt.Sprintf("OVERFLOW %d", v.Dropped)
	}
	return fmt.Sprintf("%T", r)
}

// fetchClaim is the client's routing rule for FETCH and UID FETCH (see
// client/messages.go): a response belongs to the command when it is about a
// message of the set (by UID, wherever the UID comes, for UID FETCH) and
// carries an item other than UID, MODSEQ and unasked FLAGS; a body section
// is always solicited.
func fetchClaim(uid bool, set string, wantFlags bool) func(*FetchHeader) bool {
	s, err := wire.ParseSeqSet(set)
	if err != nil {
		panic(err)
	}
	return func(h *FetchHeader) bool {
		if h.HasBody {
			return true
		}
		if uid {
			if h.UID == 0 || !s.Contains(h.UID) {
				return false
			}
		} else if !s.Contains(h.SeqNum) {
			return false
		}
		for _, n := range h.Items {
			switch n {
			case "UID", "MODSEQ":
			case "FLAGS":
				if wantFlags {
					return true
				}
			default:
				return true
			}
		}
		return false
	}
}

func uidFetchSpec(set string, items ...string) *Spec {
	var list List
	for _, it := range items {
		list = append(list, Raw(it))
	}
	s, _ := wire.ParseSeqSet(set)
	return &Spec{
		Name:       "UID FETCH",
		Args:       []Arg{SeqSet(s), list},
		Kinds:      []string{"FETCH"},
		ClaimFetch: fetchClaim(true, set, slices.Contains(items, "FLAGS")),
		MayExpunge: true,
	}
}

func isType[T parser.Response](r parser.Response) bool {
	_, ok := r.(T)
	return ok
}

// readMessage reads every item of m, bodies streamed, and describes them.
func readMessage(t *testing.T, m *Message) []string {
	t.Helper()
	var out []string
	for {
		it, err := m.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("Message.Next: %v", err)
		}
		switch v := it.(type) {
		case *parser.BodySectionItem:
			b, err := io.ReadAll(v.Body)
			if err != nil {
				t.Fatalf("reading %s: %v", v.ItemName(), err)
			}
			out = append(out, fmt.Sprintf("%s=%q", v.ItemName(), b))
		case *parser.UIDItem:
			out = append(out, fmt.Sprintf("UID=%d", v.UID))
		case *parser.FlagsItem:
			out = append(out, fmt.Sprintf("FLAGS=%v", v.Flags))
		case *parser.GmailLabelsItem:
			out = append(out, fmt.Sprintf("X-GM-LABELS=%v", v.Labels))
		case *parser.GmailMsgIDItem:
			out = append(out, fmt.Sprintf("X-GM-MSGID=%d", v.ID))
		case *parser.GmailThrIDItem:
			out = append(out, fmt.Sprintf("X-GM-THRID=%d", v.ID))
		default:
			out = append(out, it.ItemName())
		}
	}
}

func TestTags(t *testing.T) {
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"A1", "A2", "A3"}},
		{"X", []string{"X1", "X2", "X3"}},
		{"tag.", []string{"tag.1", "tag.2", "tag.3"}},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			c, p := start(t, &Options{TagPrefix: tt.prefix})
			var cmds []*Command
			for range tt.want {
				cmds = append(cmds, send(t, c, &Spec{Name: "NOOP"}))
			}
			var got []string
			for i, cmd := range cmds {
				got = append(got, cmd.Tag)
				p.expect(tt.want[i] + " NOOP")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("tags (-want +got):\n%s", diff)
			}
			for i := len(cmds) - 1; i >= 0; i-- {
				p.write(cmds[i].Tag + " OK done\r\n")
			}
			for _, cmd := range cmds {
				ok(t, cmd)
			}
		})
	}
}

// TestStatusErrors pipelines one command per case and completes them in
// reverse order: each completion must reach its own command, and a NO or
// BAD must match its code and ErrNo/ErrBad with errors.Is.
func TestStatusErrors(t *testing.T) {
	tests := []struct {
		name     string
		reply    string // after the tag
		code     Code   // the code errors.Is must match, if any
		sentinel error  // ErrNo, ErrBad, or nil for OK
	}{
		{"ok", "OK done", "", nil},
		{"ok with code", "OK [READ-WRITE] selected", "", nil},
		{"authenticationfailed", "NO [AUTHENTICATIONFAILED] Authentication failed.", AUTHENTICATIONFAILED, ErrNo},
		{"trycreate", "NO [TRYCREATE] Mailbox doesn't exist: Foo", TRYCREATE, ErrNo},
		{"nonexistent", "NO [NONEXISTENT] Mailbox doesn't exist: Bar", NONEXISTENT, ErrNo},
		{"alreadyexists", "NO [ALREADYEXISTS] Mailbox already exists", ALREADYEXISTS, ErrNo},
		{"overquota", "NO [OVERQUOTA] Quota exceeded", OVERQUOTA, ErrNo},
		{"no without code", "NO nope", "", ErrNo},
		{"no without text", "NO", "", ErrNo},
		{"bad with code", "BAD [CLIENTBUG] Unknown command", CLIENTBUG, ErrBad},
		{"bad", "BAD Error in IMAP command: Missing arguments", "", ErrBad},
		{"unknown code", "NO [XWEIRD 1 2] odd", "", ErrNo},
	}
	c, p := start(t, nil)
	cmds := make([]*Command, len(tests))
	for i := range tests {
		cmds[i] = send(t, c, &Spec{Name: "CREATE", Args: []Arg{Mailbox(fmt.Sprintf("box%d", i))}})
	}
	for i, cmd := range cmds {
		p.expect(fmt.Sprintf("%s CREATE box%d", cmd.Tag, i))
	}
	for i := len(cmds) - 1; i >= 0; i-- {
		p.write(cmds[i].Tag + " " + tests[i].reply + "\r\n")
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := cmds[i]
			st, err := cmd.Wait(testCtx(t))
			if st == nil || st.Tag != cmd.Tag {
				t.Fatalf("status %+v, want the completion tagged %s", st, cmd.Tag)
			}
			if tt.sentinel == nil {
				if err != nil {
					t.Fatalf("Wait: %v", err)
				}
				return
			}
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("Wait: %v (%T), want a *StatusError", err, err)
			}
			if se.Command != "CREATE" || se.Resp != st {
				t.Errorf("StatusError = %+v, want Command CREATE and Resp the status", se)
			}
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.sentinel)
			}
			other := ErrBad
			if tt.sentinel == ErrBad {
				other = ErrNo
			}
			if errors.Is(err, other) {
				t.Errorf("errors.Is(%v, %v) = true", err, other)
			}
			if tt.code != "" && !errors.Is(err, tt.code) {
				t.Errorf("errors.Is(%v, %s) = false", err, tt.code)
			}
			if errors.Is(err, LIMIT) {
				t.Errorf("errors.Is(%v, LIMIT) = true", err)
			}
			var ce *ConnError
			if errors.As(err, &ce) {
				t.Errorf("a NO or BAD is a *ConnError: %v", err)
			}
			if !strings.Contains(err.Error(), "CREATE") {
				t.Errorf("error %q does not name the command", err)
			}
		})
	}
	if err := c.Err(); err != nil {
		t.Errorf("after NO and BAD, Err() = %v, want nil", err)
	}
}

// TestConcurrentSends sends from many goroutines at once; the server answers
// in reverse order with the tag as text, so a completion routed to the
// wrong command shows.
func TestConcurrentSends(t *testing.T) {
	const n = 32
	c, p := start(t, nil)
	ctx := testCtx(t)
	type result struct {
		tag  string
		st   *parser.StatusResponse
		err  error
		sent error
	}
	results := make(chan result, n)
	for range n {
		go func() {
			cmd, err := c.Send(ctx, &Spec{Name: "NOOP"})
			if err != nil {
				results <- result{sent: err}
				return
			}
			st, err := cmd.Wait(ctx)
			results <- result{tag: cmd.Tag, st: st, err: err}
		}()
	}
	var tags []string
	for range n {
		tag, rest, _ := strings.Cut(p.line(), " ")
		if rest != "NOOP" {
			t.Errorf("server: got %q, want NOOP", rest)
		}
		tags = append(tags, tag)
	}
	for i := len(tags) - 1; i >= 0; i-- {
		p.write(tags[i] + " OK " + tags[i] + "\r\n")
	}
	var got []string
	for range n {
		r := <-results
		if r.sent != nil || r.err != nil {
			t.Errorf("Send: %v, Wait: %v", r.sent, r.err)
			continue
		}
		if r.st.Text != r.tag {
			t.Errorf("command %s got the completion of %s", r.tag, r.st.Text)
		}
		got = append(got, r.tag)
	}
	var want []string
	for i := 1; i <= n; i++ {
		want = append(want, fmt.Sprintf("A%d", i))
	}
	slices.Sort(got)
	slices.Sort(want)
	slices.Sort(tags)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, tags); diff != "" {
		t.Errorf("tags on the wire (-want +got):\n%s", diff)
	}
}

// TestRouting checks that untagged data goes to the command that claims it
// and everything else to the unsolicited handler, in order, and that
// unknown responses and items do no harm.
func TestRouting(t *testing.T) {
	rec := newRecorder()
	c, p := start(t, &Options{Unsolicited: rec.handle})
	list := send(t, c, &Spec{
		Name:  "LIST",
		Args:  []Arg{String(""), String("*")},
		Kinds: []string{"LIST"},
		Claim: isType[*parser.List],
	})
	noop := send(t, c, &Spec{Name: "NOOP"})
	p.expect(`A1 LIST "" "*"`)
	p.expect(`A2 NOOP`)
	p.write("* LIST (\\HasNoChildren) \"/\" INBOX\r\n" +
		"* 5 EXISTS\r\n" +
		"* 2 EXPUNGE\r\n" +
		"* 1 RECENT\r\n" +
		"* VANISHED 1:3,7\r\n" +
		"* 3 FETCH (FLAGS (\\Seen))\r\n" +
		"* OK [ALERT] System shutdown in 10 minutes\r\n" +
		"* XFOO bar (baz 1) {3}\r\nabc\r\n" +
		"* 7 XBAR\r\n" +
		"* 4 FETCH (FLAGS () X-UNKNOWN-ITEM (a \"b\" {2}\r\nxy))\r\n" +
		"* OK [UNSEEN 3] first unseen\r\n" +
		"* NO [ALERT] Quota nearly full\r\n" +
		"* BAD [CLIENTBUG] odd\r\n" +
		"* LIST () \"/\" Archive\r\n" +
		"A2 OK NOOP done\r\n" +
		"A1 OK LIST done\r\n")
	resps, st, err := list.Collect(testCtx(t))
	if err != nil {
		t.Fatalf("LIST: %v", err)
	}
	var got []string
	for _, r := range resps {
		got = append(got, describe(r))
	}
	if diff := cmp.Diff([]string{"LIST INBOX", "LIST Archive"}, got); diff != "" {
		t.Errorf("LIST responses (-want +got):\n%s", diff)
	}
	if st.Text != "LIST done" {
		t.Errorf("LIST status %+v", st)
	}
	ok(t, noop)
	wantUnsol := []string{
		"EXISTS 5",
		"EXPUNGE 2",
		"RECENT 1",
		"VANISHED 1:3,7",
		`FETCH 3 [FLAGS] FLAGS=[\Seen]`,
		"OK [ALERT] System shutdown in 10 minutes",
		"UNKNOWN XFOO",
		"UNKNOWN 7 XBAR",
		"FETCH 4 [FLAGS X-UNKNOWN-ITEM] FLAGS=[]",
		"OK [UNSEEN] first unseen",
		"NO [ALERT] Quota nearly full",
		"BAD [CLIENTBUG] odd",
	}
	if diff := cmp.Diff(wantUnsol, rec.wait(t, len(wantUnsol))); diff != "" {
		t.Errorf("unsolicited (-want +got):\n%s", diff)
	}

	// Unknown responses and items did not tear the connection down.
	if err := c.Err(); err != nil {
		t.Fatalf("Err() = %v", err)
	}
	noop = send(t, c, &Spec{Name: "NOOP"})
	p.expect("A3 NOOP")
	p.write("A3 OK done\r\n")
	ok(t, noop)

	// BYE, last, goes to the handler too.
	p.write("* BYE Server shutting down\r\n")
	p.conn.Close()
	wantUnsol = append(wantUnsol, "BYE Server shutting down")
	if diff := cmp.Diff(wantUnsol, rec.wait(t, len(wantUnsol))); diff != "" {
		t.Errorf("unsolicited (-want +got):\n%s", diff)
	}
}

// TestAlertAlwaysUnsolicited: an ALERT reaches the user even while a
// command claims every status response.
func TestAlertAlwaysUnsolicited(t *testing.T) {
	rec := newRecorder()
	c, p := start(t, &Options{Unsolicited: rec.handle})
	cmd := send(t, c, &Spec{Name: "SELECT", Args: []Arg{Mailbox("INBOX")}, Barrier: true, Claim: func(parser.Response) bool { return true }})
	p.expect("A1 SELECT INBOX")
	p.write("* OK [ALERT] Mailbox is being migrated\r\n" +
		"* 3 EXISTS\r\n" +
		"* OK [UIDVALIDITY 42] UIDs valid\r\n" +
		"* NO [ALERT] Over quota\r\n" +
		"A1 OK [READ-WRITE] Select completed\r\n")
	resps, _, err := cmd.Collect(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range resps {
		got = append(got, describe(r))
	}
	if diff := cmp.Diff([]string{"EXISTS 3", "OK [UIDVALIDITY] UIDs valid"}, got); diff != "" {
		t.Errorf("claimed (-want +got):\n%s", diff)
	}
	want := []string{"OK [ALERT] Mailbox is being migrated", "NO [ALERT] Over quota"}
	if diff := cmp.Diff(want, rec.wait(t, 2)); diff != "" {
		t.Errorf("unsolicited (-want +got):\n%s", diff)
	}
}

// TestFetchRoutingGmailOrder: Gmail sends X-GM items first and the UID
// after the body; the body decides the owner, the rest streams after it.
// FETCH responses about other messages, or with flags only, are
// unsolicited.
func TestFetchRoutingGmailOrder(t *testing.T) {
	rec := newRecorder()
	c, p := start(t, &Options{Unsolicited: rec.handle})
	spec := uidFetchSpec("100:102", "X-GM-THRID", "X-GM-MSGID", "X-GM-LABELS", "BODY.PEEK[]", "UID")
	var mu sync.Mutex
	var headers []string
	claim := spec.ClaimFetch
	spec.ClaimFetch = func(h *FetchHeader) bool {
		mu.Lock()
		headers = append(headers, fmt.Sprintf("%d uid=%d body=%v %v", h.SeqNum, h.UID, h.HasBody, h.Items))
		mu.Unlock()
		return claim(h)
	}
	cmd := send(t, c, spec)
	p.expect("A1 UID FETCH 100:102 (X-GM-THRID X-GM-MSGID X-GM-LABELS BODY.PEEK[] UID)")
	p.write("* 1 FETCH (X-GM-THRID 1001 X-GM-MSGID 2001 X-GM-LABELS (\\Inbox \"Work\") BODY[] {11}\r\nhello world UID 100)\r\n" +
		"* 9 FETCH (FLAGS (\\Seen))\r\n" +
		"* 2 FETCH (X-GM-THRID 1002 X-GM-MSGID 2002 X-GM-LABELS () BODY[] {0}\r\n UID 101)\r\n" +
		"* 3 FETCH (X-GM-MSGID 2003 X-GM-LABELS (\\Sent) UID 102)\r\n" +
		"* 4 FETCH (X-GM-MSGID 2004 FLAGS (\\Seen) UID 555)\r\n" +
		"* 5 FETCH (X-GM-MSGID 2005 UID 101 MODSEQ (7) X-UNKNOWN (1 2))\r\n" +
		"A1 OK Success\r\n")
	var got [][]string
	for {
		x, err := cmd.Next(testCtx(t))
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		m, isMsg := x.(*Message)
		if !isMsg {
			t.Fatalf("Next returned %T, want *Message", x)
		}
		got = append(got, append([]string{fmt.Sprint(m.SeqNum)}, readMessage(t, m)...))
	}
	want := [][]string{
		{"1", "X-GM-THRID=1001", "X-GM-MSGID=2001", "X-GM-LABELS=[\\Inbox Work]", `BODY[]="hello world"`, "UID=100"},
		{"2", "X-GM-THRID=1002", "X-GM-MSGID=2002", "X-GM-LABELS=[]", `BODY[]=""`, "UID=101"},
		{"3", "X-GM-MSGID=2003", "X-GM-LABELS=[\\Sent]", "UID=102"},
		{"5", "X-GM-MSGID=2005", "UID=101", "MODSEQ", "X-UNKNOWN"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	wantHeaders := []string{
		"1 uid=0 body=true [X-GM-THRID X-GM-MSGID X-GM-LABELS BODY[]]",
		"9 uid=0 body=false [FLAGS]",
		"2 uid=0 body=true [X-GM-THRID X-GM-MSGID X-GM-LABELS BODY[]]",
		"3 uid=102 body=false [X-GM-MSGID X-GM-LABELS UID]",
		"4 uid=555 body=false [X-GM-MSGID FLAGS UID]",
		"5 uid=101 body=false [X-GM-MSGID UID MODSEQ X-UNKNOWN]",
	}
	mu.Lock()
	if diff := cmp.Diff(wantHeaders, headers); diff != "" {
		t.Errorf("ClaimFetch saw (-want +got):\n%s", diff)
	}
	mu.Unlock()
	wantUnsol := []string{
		`FETCH 9 [FLAGS] FLAGS=[\Seen]`,
		`FETCH 4 [X-GM-MSGID FLAGS UID] UID=555 FLAGS=[\Seen]`,
	}
	if diff := cmp.Diff(wantUnsol, rec.wait(t, 2)); diff != "" {
		t.Errorf("unsolicited (-want +got):\n%s", diff)
	}
}

// TestFetchFlagsInterleaved: a flag update for another message arrives in
// the middle of a UID FETCH of envelopes (one with a literal subject).
func TestFetchFlagsInterleaved(t *testing.T) {
	rec := newRecorder()
	c, p := start(t, &Options{Unsolicited: rec.handle})
	cmd := send(t, c, uidFetchSpec("100:101", "UID", "ENVELOPE"))
	p.expect("A1 UID FETCH 100:101 (UID ENVELOPE)")
	p.write("* 1 FETCH (UID 100 ENVELOPE (\"Mon, 1 Jan 2024 00:00:00 +0000\" \"first\" NIL NIL NIL NIL NIL NIL NIL \"<1@x>\"))\r\n" +
		"* 3 FETCH (FLAGS (\\Seen))\r\n" +
		"* 2 FETCH (UID 101 ENVELOPE (\"Tue, 2 Jan 2024 00:00:00 +0000\" {6}\r\nsecond NIL NIL NIL NIL NIL NIL NIL \"<2@x>\"))\r\n" +
		"* 3 FETCH (UID 102 FLAGS (\\Deleted))\r\n" +
		"A1 OK Fetch completed\r\n")
	resps, _, err := cmd.Collect(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range resps {
		got = append(got, describe(r))
	}
	want := []string{
		`FETCH 1 [UID ENVELOPE] UID=100 SUBJECT="first"`,
		`FETCH 2 [UID ENVELOPE] UID=101 SUBJECT="second"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claimed (-want +got):\n%s", diff)
	}
	wantUnsol := []string{`FETCH 3 [FLAGS] FLAGS=[\Seen]`, `FETCH 3 [UID FLAGS] UID=102 FLAGS=[\Deleted]`}
	if diff := cmp.Diff(wantUnsol, rec.wait(t, 2)); diff != "" {
		t.Errorf("unsolicited (-want +got):\n%s", diff)
	}
}

// TestPipeliningRules checks the RFC 3501 section 5.5 rules on the wire:
// the second command is sent at once, or only after the first completed.
func TestPipeliningRules(t *testing.T) {
	noop := &Spec{Name: "NOOP"}
	sel := &Spec{Name: "SELECT", Args: []Arg{Mailbox("INBOX")}, Barrier: true}
	expunge := &Spec{Name: "EXPUNGE", MayExpunge: true}
	fetch := &Spec{Name: "FETCH", Args: []Arg{SeqSet{{Start: 1, Stop: 3}}, Raw("FLAGS")}, Kinds: []string{"FETCH"}, UsesSeqNums: true}
	search := &Spec{Name: "SEARCH", Args: []Arg{Atom("UNSEEN")}, Kinds: []string{"SEARCH"}, UsesSeqNums: true}
	uidFetch := &Spec{Name: "UID FETCH", Args: []Arg{SeqSet{{Start: 1, Stop: 0}}, Raw("FLAGS")}, Kinds: []string{"FETCH"}, MayExpunge: true}
	uidSearch := &Spec{Name: "UID SEARCH", Args: []Arg{Atom("ALL")}, Kinds: []string{"SEARCH"}, MayExpunge: true}
	list := &Spec{Name: "LIST", Args: []Arg{String(""), String("*")}, Kinds: []string{"LIST"}}
	lsub := &Spec{Name: "LSUB", Args: []Arg{String(""), String("*")}, Kinds: []string{"LSUB"}}
	status := &Spec{Name: "STATUS", Args: []Arg{Mailbox("INBOX"), List{Atom("MESSAGES")}}, Kinds: []string{"STATUS", "LIST"}}

	tests := []struct {
		name          string
		first, second *Spec
		waits         bool
	}{
		{"plain commands pipeline", noop, noop, false},
		{"barrier waits for in-flight", noop, sel, true},
		{"command waits for barrier", sel, noop, true},
		{"seq-num command waits for expunge", expunge, fetch, true},
		{"expunge waits for seq-num command", fetch, expunge, true},
		{"seq-num search waits for uid fetch", uidFetch, search, true},
		{"seq-num commands pipeline", fetch, search, false},
		{"uid commands pipeline with expunge", uidSearch, expunge, false},
		{"uid commands of different kinds pipeline", uidFetch, uidSearch, false},
		{"same kind serializes", list, list, true},
		{"fetch kind serializes", uidFetch, uidFetch, true},
		{"one kind in common serializes", list, status, true},
		{"disjoint kinds pipeline", list, lsub, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, p := start(t, nil)
			first := send(t, c, tt.first)
			if l := p.line(); !strings.HasPrefix(l, "A1 "+tt.first.Name) {
				t.Fatalf("server: got %q, want A1 %s", l, tt.first.Name)
			}
			res := sendAsync(testCtx(t), c, tt.second)
			if tt.waits {
				p.quiet()
				select {
				case r := <-res:
					t.Fatalf("Send returned (%v) while the first command was in flight", r.err)
				default:
				}
				p.write("A1 OK done\r\n")
			}
			if l := p.line(); !strings.HasPrefix(l, "A2 "+tt.second.Name) {
				t.Fatalf("server: got %q, want A2 %s", l, tt.second.Name)
			}
			r := receive(t, res)
			if r.err != nil {
				t.Fatalf("Send: %v", r.err)
			}
			if !tt.waits {
				p.write("A1 OK done\r\n")
			}
			p.write("A2 OK done\r\n")
			ok(t, first)
			ok(t, r.cmd)
		})
	}
}

// TestBarrierOrder: commands queued behind a barrier go out after it, in
// the order they were sent.
func TestBarrierOrder(t *testing.T) {
	c, p := start(t, nil)
	ctx := testCtx(t)
	sel := send(t, c, &Spec{Name: "SELECT", Args: []Arg{Mailbox("INBOX")}, Barrier: true})
	p.expect("A1 SELECT INBOX")
	var results []<-chan sendResult
	for i := range 3 {
		results = append(results, sendAsync(ctx, c, &Spec{Name: "STATUS", Args: []Arg{Mailbox(fmt.Sprint("m", i)), List{Atom("UNSEEN")}}}))
		waitBlockedInSend(t, i+1) // each Send queues up before the next starts
	}
	p.quiet()
	p.write("A1 OK [READ-WRITE] selected\r\n")
	ok(t, sel)
	got := []string{p.line(), p.line(), p.line()}
	want := []string{"A2 STATUS m0 (UNSEEN)", "A3 STATUS m1 (UNSEEN)", "A4 STATUS m2 (UNSEEN)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("wire order (-want +got):\n%s", diff)
	}
	for _, tag := range []string{"A3", "A2", "A4"} {
		p.write(tag + " OK done\r\n")
	}
	for _, res := range results {
		r := receive(t, res)
		if r.err != nil {
			t.Fatal(r.err)
		}
		ok(t, r.cmd)
	}
}

func appendSpec(body string) *Spec {
	return &Spec{
		Name: "APPEND",
		Args: []Arg{Mailbox("INBOX"), Literal{Size: int64(len(body)), R: strings.NewReader(body)}},
	}
}

// TestSyncLiteral: the literal's bytes wait for the server's "+".
func TestSyncLiteral(t *testing.T) {
	c, p := start(t, nil)
	res := sendAsync(testCtx(t), c, appendSpec("hello"))
	p.expect("A1 APPEND INBOX {5}")
	p.quiet() // no literal before "+"
	select {
	case r := <-res:
		t.Fatalf("Send returned before the continuation: %v", r.err)
	default:
	}
	p.write("+ Ready for literal data\r\n")
	p.expect("hello")
	r := receive(t, res)
	if r.err != nil {
		t.Fatalf("Send: %v", r.err)
	}
	p.write("A1 OK [APPENDUID 1 10] Append completed\r\n")
	ok(t, r.cmd)
}

// slowHeader delays the return of the Write that ends with a literal
// header, so that the server's "+" reaches the reader before the writer
// goroutine starts waiting for it.
type slowHeader struct {
	net.Conn
}

func (s slowHeader) Write(p []byte) (int, error) {
	n, err := s.Conn.Write(p)
	if bytes.HasSuffix(p, []byte("}\r\n")) {
		time.Sleep(50 * time.Millisecond)
	}
	return n, err
}

// TestSyncLiteralFastContinuation: a "+" that arrives before the writer
// waits for it is not lost (nor given to the unsolicited handler).
func TestSyncLiteralFastContinuation(t *testing.T) {
	checkLeaks(t)
	rec := newRecorder()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	p := &peer{t: t, conn: sc, r: bufio.NewReader(sc)}
	c := New(slowHeader{cc}, &Options{Unsolicited: rec.handle})
	t.Cleanup(func() {
		c.Close()
		sc.Close()
	})
	p.write(greetingLine)
	res := sendAsync(testCtx(t), c, appendSpec("hello"))
	p.expect("A1 APPEND INBOX {5}")
	p.write("+ go ahead\r\n")
	p.expect("hello")
	r := receive(t, res)
	if r.err != nil {
		t.Fatalf("Send: %v", r.err)
	}
	p.write("A1 OK done\r\n")
	ok(t, r.cmd)
	if got := rec.all(); len(got) != 0 {
		t.Errorf("unsolicited got %q", got)
	}
}

// TestLiteralRefused: the server answers NO or BAD instead of "+": the
// command fails with its StatusError, the literal is not sent, and the
// connection stays usable.
func TestLiteralRefused(t *testing.T) {
	tests := []struct {
		reply    string
		sentinel error
		code     Code
	}{
		{"NO [TRYCREATE] Mailbox doesn't exist: INBOX", ErrNo, TRYCREATE},
		{"NO [OVERQUOTA] Quota exceeded", ErrNo, OVERQUOTA},
		{"BAD [TOOBIG] Message too large", ErrBad, ""},
		{"OK no thanks", nil, ""}, // odd, but the command is over all the same
	}
	for _, tt := range tests {
		t.Run(tt.reply, func(t *testing.T) {
			c, p := start(t, nil)
			res := sendAsync(testCtx(t), c, appendSpec("hello"))
			p.expect("A1 APPEND INBOX {5}")
			p.write("A1 " + tt.reply + "\r\n")
			r := receive(t, res)
			err := r.err
			if err == nil {
				_, err = r.cmd.Wait(testCtx(t))
			}
			if tt.sentinel == nil {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
			} else {
				var se *StatusError
				if !errors.As(err, &se) || !errors.Is(err, tt.sentinel) {
					t.Fatalf("got %v (%T), want a *StatusError matching %v", err, err, tt.sentinel)
				}
				if tt.code != "" && !errors.Is(err, tt.code) {
					t.Errorf("errors.Is(%v, %s) = false", err, tt.code)
				}
			}
			if err := c.Err(); err != nil {
				t.Fatalf("Err() = %v, want the connection up", err)
			}
			// The literal was not sent: the next line is the next command.
			noop := send(t, c, &Spec{Name: "NOOP"})
			p.expect("A2 NOOP")
			p.write("A2 OK done\r\n")
			ok(t, noop)
			// And the writer works for literals again.
			res = sendAsync(testCtx(t), c, appendSpec("again"))
			p.expect("A3 APPEND INBOX {5}")
			p.write("+ ok\r\n")
			p.expect("again")
			r = receive(t, res)
			if r.err != nil {
				t.Fatal(r.err)
			}
			p.write("A3 OK done\r\n")
			ok(t, r.cmd)
		})
	}
}

// TestLiteralPlus: with LITERAL+ the literal follows its header at once.
func TestLiteralPlus(t *testing.T) {
	for _, mode := range []struct {
		name string
		mode wire.LiteralMode
		size int
		want string
	}{
		{"LITERAL+", wire.LiteralPlus, 5000, "{5000+}"},
		{"LITERAL- small", wire.LiteralMinus, 4096, "{4096+}"},
	} {
		t.Run(mode.name, func(t *testing.T) {
			c, p := start(t, nil)
			c.Writer().LiteralMode = mode.mode
			body := strings.Repeat("x", mode.size)
			cmd := send(t, c, appendSpec(body)) // returns without waiting for "+"
			p.expect("A1 APPEND INBOX " + mode.want)
			if got := p.read(mode.size); got != body {
				t.Errorf("literal: got %d bytes, want %d", len(got), len(body))
			}
			p.expect("")
			p.write("A1 OK done\r\n")
			ok(t, cmd)
		})
	}
}

// TestContinueSASL: a challenge/response exchange through Spec.Continue.
func TestContinueSASL(t *testing.T) {
	c, p := start(t, nil)
	var challenges []string
	spec := &Spec{
		Name: "AUTHENTICATE",
		Args: []Arg{Atom("CRAM-MD5")},
		Continue: func(ctx context.Context, text string) ([]byte, error) {
			b, err := base64.StdEncoding.DecodeString(text)
			if err != nil {
				return nil, err
			}
			challenges = append(challenges, string(b))
			return []byte(base64.StdEncoding.EncodeToString([]byte("re: " + string(b)))), nil
		},
		SecretContinuation: true,
		Barrier:            true,
	}
	res := sendAsync(testCtx(t), c, spec)
	p.expect("A1 AUTHENTICATE CRAM-MD5")
	for _, ch := range []string{"first", "second"} {
		p.write("+ " + base64.StdEncoding.EncodeToString([]byte(ch)) + "\r\n")
		p.expect(base64.StdEncoding.EncodeToString([]byte("re: " + ch)))
	}
	p.write("A1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n")
	r := receive(t, res)
	if r.err != nil {
		t.Fatal(r.err)
	}
	st := ok(t, r.cmd)
	if st.Code == nil || st.Code.Name != "CAPABILITY" {
		t.Errorf("status %+v", st)
	}
	if diff := cmp.Diff([]string{"first", "second"}, challenges); diff != "" {
		t.Errorf("challenges (-want +got):\n%s", diff)
	}
	// A refused exchange is a StatusError, and the connection goes on.
	res = sendAsync(testCtx(t), c, spec)
	p.expect("A2 AUTHENTICATE CRAM-MD5")
	p.write("+ " + base64.StdEncoding.EncodeToString([]byte("third")) + "\r\n")
	p.line()
	p.write("A2 NO [AUTHENTICATIONFAILED] Authentication failed\r\n")
	r = receive(t, res)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if _, err := r.cmd.Wait(testCtx(t)); !errors.Is(err, AUTHENTICATIONFAILED) {
		t.Errorf("Wait: %v, want AUTHENTICATIONFAILED", err)
	}
	noop := send(t, c, &Spec{Name: "NOOP"})
	p.expect("A3 NOOP")
	p.write("A3 OK done\r\n")
	ok(t, noop)
}

// TestContinueIdle: "+ idling", updates while idle, DONE when the context
// ends.
func TestContinueIdle(t *testing.T) {
	rec := newRecorder()
	c, p := start(t, &Options{Unsolicited: rec.handle})
	idleCtx, stop := context.WithCancel(context.Background())
	defer stop()
	var texts []string
	res := sendAsync(testCtx(t), c, &Spec{
		Name:    "IDLE",
		Barrier: true,
		Continue: func(ctx context.Context, text string) ([]byte, error) {
			texts = append(texts, text)
			<-idleCtx.Done()
			return []byte("DONE"), nil
		},
	})
	p.expect("A1 IDLE")
	p.write("+ idling\r\n")
	p.write("* 4 EXISTS\r\n* 1 RECENT\r\n")
	if diff := cmp.Diff([]string{"EXISTS 4", "RECENT 1"}, rec.wait(t, 2)); diff != "" {
		t.Errorf("unsolicited (-want +got):\n%s", diff)
	}
	// Other commands wait for the end of IDLE.
	later := sendAsync(testCtx(t), c, &Spec{Name: "NOOP"})
	p.quiet()
	stop()
	p.expect("DONE")
	p.write("A1 OK Idle completed (0.001 + 1.999 secs).\r\n")
	r := receive(t, res)
	if r.err != nil {
		t.Fatal(r.err)
	}
	ok(t, r.cmd)
	p.expect("A2 NOOP")
	p.write("A2 OK done\r\n")
	lr := receive(t, later)
	if lr.err != nil {
		t.Fatal(lr.err)
	}
	ok(t, lr.cmd)
	if diff := cmp.Diff([]string{"idling"}, texts); diff != "" {
		t.Errorf("continuations (-want +got):\n%s", diff)
	}
}

// TestStartTLSInjection: bytes after the STARTTLS OK, before the handshake,
// are a response injection: the connection is closed.
func TestStartTLSInjection(t *testing.T) {
	checkLeaks(t)
	// net.Pipe delivers one Write in one Read, so the injected line is
	// buffered with the OK.
	cc, sc := net.Pipe()
	rec := newRecorder()
	c := New(cc, &Options{Unsolicited: rec.handle})
	defer c.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer sc.Close()
		r := bufio.NewReader(sc)
		io.WriteString(sc, greetingLine)
		if l, _ := r.ReadString('\n'); l != "A1 STARTTLS\r\n" {
			t.Errorf("server: got %q", l)
		}
		io.WriteString(sc, "A1 OK Begin TLS negotiation now\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n")
		io.Copy(io.Discard, r)
	}()
	cmd, err := c.Send(testCtx(t), &Spec{Name: "STARTTLS", Barrier: true, Upgrade: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cmd.Wait(testCtx(t))
	var ce *ConnError
	if !errors.As(err, &ce) || !errors.Is(err, ErrBufferedAfterStartTLS) {
		t.Fatalf("Wait: %v, want a *ConnError wrapping ErrBufferedAfterStartTLS", err)
	}
	select {
	case <-c.Done():
	case <-time.After(timeout):
		t.Fatal("the connection stays open")
	}
	if !errors.Is(c.Err(), ErrBufferedAfterStartTLS) {
		t.Errorf("Err() = %v", c.Err())
	}
	if err := c.Upgrade(testCtx(t), func(old io.ReadWriteCloser) (io.ReadWriteCloser, error) {
		t.Error("wrap called")
		return old, nil
	}); err == nil {
		t.Error("Upgrade succeeded after the injection")
	}
	if _, err := c.Send(testCtx(t), &Spec{Name: "NOOP"}); !errors.Is(err, ErrBufferedAfterStartTLS) {
		t.Errorf("Send after the injection: %v", err)
	}
	c.Close()
	<-done
	for _, s := range rec.all() {
		if strings.Contains(s, "injected") {
			t.Errorf("the injected response was delivered: %q", s)
		}
	}
}

// selfSigned returns a server certificate for "imap.test" and a pool that
// trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	cert, pool, err := testcert.New("imap.test")
	if err != nil {
		t.Fatal(err)
	}
	return cert, pool
}

// TestStartTLS: after the OK the reader waits; Upgrade swaps in a TLS
// connection and everything resumes on it.
func TestStartTLS(t *testing.T) {
	var trace bytes.Buffer
	c, p := start(t, &Options{Trace: &trace})
	cert, pool := selfSigned(t)
	cmd := send(t, c, &Spec{Name: "STARTTLS", Barrier: true, Upgrade: true})
	p.expect("A1 STARTTLS")
	// A command sent now waits for the upgrade.
	later := sendAsync(testCtx(t), c, &Spec{Name: "CAPABILITY", Kinds: []string{"CAPABILITY"}, Claim: isType[*parser.Capability]})
	p.write("A1 OK Begin TLS negotiation now\r\n")
	ok(t, cmd)
	srv := tls.Server(p.conn, &tls.Config{Certificates: []tls.Certificate{cert}})
	hs := make(chan error, 1)
	go func() { hs <- srv.Handshake() }()
	err := c.Upgrade(testCtx(t), func(old io.ReadWriteCloser) (io.ReadWriteCloser, error) {
		tc := tls.Client(old.(net.Conn), &tls.Config{RootCAs: pool, ServerName: "imap.test"})
		if err := tc.HandshakeContext(testCtx(t)); err != nil {
			return nil, err
		}
		return tc, nil
	})
	if err != nil {
		t.Fatalf("Upgrade: %v", err)
	}
	if err := <-hs; err != nil {
		t.Fatalf("server handshake: %v", err)
	}
	p.conn = srv
	p.r = bufio.NewReader(srv)
	p.expect("A2 CAPABILITY")
	p.write("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK done\r\n")
	r := receive(t, later)
	if r.err != nil {
		t.Fatal(r.err)
	}
	resps, _, err := r.cmd.Collect(testCtx(t))
	if err != nil || len(resps) != 1 {
		t.Fatalf("CAPABILITY: %v, %d responses", err, len(resps))
	}
	if caps := resps[0].(*parser.Capability).Caps; !slices.Contains(caps, "AUTH=PLAIN") {
		t.Errorf("caps %q", caps)
	}
	c.Close()
	// The trace goes on in the clear after the upgrade.
	if !strings.Contains(trace.String(), "S: * CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n") {
		t.Errorf("trace:\n%s", trace.String())
	}
}

// TestStartTLSFailures: a refused STARTTLS leaves the connection as it
// was; a failed handshake, or Close while the reader waits for Upgrade,
// ends it without hanging.
func TestStartTLSFailures(t *testing.T) {
	startTLS := &Spec{Name: "STARTTLS", Barrier: true, Upgrade: true}
	t.Run("refused", func(t *testing.T) {
		c, p := start(t, nil)
		cmd := send(t, c, startTLS)
		p.expect("A1 STARTTLS")
		p.write("A1 BAD [PRIVACYREQUIRED] TLS is not available\r\n")
		if _, err := cmd.Wait(testCtx(t)); !errors.Is(err, ErrBad) || !errors.Is(err, PRIVACYREQUIRED) {
			t.Fatalf("Wait: %v", err)
		}
		if err := c.Upgrade(testCtx(t), func(old io.ReadWriteCloser) (io.ReadWriteCloser, error) { return old, nil }); err == nil {
			t.Error("Upgrade after a refused STARTTLS succeeded")
		}
		noop := send(t, c, &Spec{Name: "NOOP"})
		p.expect("A2 NOOP")
		p.write("A2 OK done\r\n")
		ok(t, noop)
	})
	t.Run("handshake fails", func(t *testing.T) {
		c, p := start(t, nil)
		_, pool := selfSigned(t)
		cmd := send(t, c, startTLS)
		p.expect("A1 STARTTLS")
		p.write("A1 OK Begin TLS negotiation now\r\n")
		ok(t, cmd)
		later := sendAsync(testCtx(t), c, &Spec{Name: "NOOP"})
		go func() {
			p.read(5) // the ClientHello's record header
			p.conn.Write([]byte("* OK this is not TLS\r\n"))
		}()
		err := c.Upgrade(testCtx(t), func(old io.ReadWriteCloser) (io.ReadWriteCloser, error) {
			tc := tls.Client(old.(net.Conn), &tls.Config{RootCAs: pool, ServerName: "imap.test"})
			if err := tc.HandshakeContext(testCtx(t)); err != nil {
				return nil, fmt.Errorf("handshake: %w", err)
			}
			return tc, nil
		})
		if err == nil {
			t.Fatal("Upgrade succeeded")
		}
		r := receive(t, later)
		var ce *ConnError
		if !errors.As(r.err, &ce) || r.err != c.Err() {
			t.Errorf("Send after the failed handshake: %v, want the connection's error %v", r.err, c.Err())
		}
		<-c.Done()
	})
	t.Run("closed before Upgrade", func(t *testing.T) {
		c, p := start(t, nil)
		cmd := send(t, c, startTLS)
		p.expect("A1 STARTTLS")
		p.write("A1 OK Begin TLS negotiation now\r\n")
		ok(t, cmd)
		later := sendAsync(testCtx(t), c, &Spec{Name: "NOOP"})
		closed := make(chan error, 1)
		go func() { closed <- c.Close() }()
		select {
		case <-closed:
		case <-time.After(timeout):
			t.Fatal("Close hangs while the reader waits for Upgrade")
		}
		if r := receive(t, later); r.err != ErrClosed {
			t.Errorf("Send: %v, want ErrClosed", r.err)
		}
		if err := c.Upgrade(testCtx(t), func(old io.ReadWriteCloser) (io.ReadWriteCloser, error) { return old, nil }); err == nil {
			t.Error("Upgrade after Close succeeded")
		}
	})
}

// TestTrace: the transcript masks secrets, and the server's side parses back
// byte for byte.
func TestTrace(t *testing.T) {
	var trace bytes.Buffer
	rec := newRecorder()
	c, p := start(t, &Options{Trace: &trace, Unsolicited: rec.handle})

	login := send(t, c, &Spec{Name: "LOGIN", Args: []Arg{AString("alice"), Secret{AString("s3cret pass")}}, Barrier: true})
	p.expect(`A1 LOGIN alice "s3cret pass"`)
	p.write("A1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n")
	ok(t, login)

	plain := base64.StdEncoding.EncodeToString([]byte("\x00alice\x00s3cret pass"))
	res := sendAsync(testCtx(t), c, &Spec{
		Name:               "AUTHENTICATE",
		Args:               []Arg{Atom("PLAIN")},
		Continue:           func(context.Context, string) ([]byte, error) { return []byte(plain), nil },
		SecretContinuation: true,
		Barrier:            true,
	})
	p.expect("A2 AUTHENTICATE PLAIN")
	p.write("+ \r\n")
	p.expect(plain)
	p.write("A2 NO [AUTHENTICATIONFAILED] no\r\n")
	if r := receive(t, res); r.err != nil {
		t.Fatal(r.err)
	} else if _, err := r.cmd.Wait(testCtx(t)); !errors.Is(err, AUTHENTICATIONFAILED) {
		t.Fatalf("AUTHENTICATE: %v", err)
	}

	fetch := send(t, c, uidFetchSpec("7", "UID", "BODY[]"))
	p.expect("A3 UID FETCH 7 (UID BODY[])")
	p.write("* 1 FETCH (UID 7 BODY[] {15}\r\nHello\r\nWorld!\r\n FLAGS (\\Seen))\r\n* 2 EXISTS\r\nA3 OK done\r\n")
	msgs, _, err := fetch.Collect(testCtx(t))
	if err != nil || len(msgs) != 1 {
		t.Fatalf("FETCH: %v, %d messages", err, len(msgs))
	}

	res = sendAsync(testCtx(t), c, appendSpec("hi {3}\r\nyou"))
	p.expect("A4 APPEND INBOX {11}")
	p.write("+ OK\r\n")
	p.expect("hi {3}")
	p.expect("you")
	if r := receive(t, res); r.err != nil {
		t.Fatal(r.err)
	} else {
		p.write("A4 OK [APPENDUID 1 8] done\r\n")
		ok(t, r.cmd)
	}
	rec.wait(t, 1) // the EXISTS: everything the server sent was read
	c.Close()

	tr := trace.String()
	for _, secret := range []string{"s3cret", plain} {
		if strings.Contains(tr, secret) {
			t.Errorf("the trace holds the secret %q:\n%s", secret, tr)
		}
	}
	for _, want := range []string{
		// A "+" may be recorded before the line it answers:
		// wire.Transcript records the client's bytes once the write
		// has returned, and the reader may have read the answer first.
		"C: A1 LOGIN alice ***\r\n",
		"C: A2 AUTHENTICATE PLAIN\r\n",
		"S: + \r\n",
		"C: ***\r\n",
		"S: * 1 FETCH (UID 7 BODY[] {15}\r\nHello\r\nWorld!\r\n FLAGS (\\Seen))\r\n",
		"C: A4 APPEND INBOX {11}\r\n",
		"S: + OK\r\n",
		"C: hi {3}\r\nC: you\r\n",
	} {
		if !strings.Contains(tr, want) {
			t.Errorf("the trace lacks %q:\n%s", want, tr)
		}
	}

	// The server's side comes back byte for byte...
	got, err := io.ReadAll(wire.NewTranscriptReader(strings.NewReader(tr)))
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	sent := string(p.sent)
	p.mu.Unlock()
	if diff := cmp.Diff(sent, string(got)); diff != "" {
		t.Errorf("server bytes from the transcript (-sent +recovered):\n%s", diff)
	}
	// ... and parses.
	pr := parser.NewReader(wire.NewTranscriptReader(strings.NewReader(tr)), nil)
	var parsed []string
	for {
		r, err := pr.ReadResponse()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("parsing the transcript: %v", err)
		}
		parsed = append(parsed, describe(r))
	}
	want := []string{
		"OK [CAPABILITY] ready",
		"A1 OK [CAPABILITY] Logged in",
		"+ ",
		"A2 NO [AUTHENTICATIONFAILED] no",
		"FETCH 1 [UID BODY[] FLAGS] UID=7 FLAGS=[\\Seen] BODY[]=\"Hello\\r\\nWorld!\\r\\n\"",
		"EXISTS 2",
		"A3 OK done",
		"+ OK",
		"A4 OK [APPENDUID] done",
	}
	if diff := cmp.Diff(want, parsed); diff != "" {
		t.Errorf("parsed transcript (-want +got):\n%s", diff)
	}
}
