package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// This file holds the REPL's connection: one reader goroutine that parses
// and shows every response the moment it is complete, and the writes of the
// main goroutine, which it sends exactly as built (no dispatcher in
// between: raw mode must be able to send anything).

// A session is one connection to a server.
type session struct {
	cfg *sessionConfig
	con *console
	pal palette
	tr  tracer
	tls *tls.Config

	wmu  sync.Mutex // held across each write; the STARTTLS handshake holds it too
	conn net.Conn   // the transport: TCP, or TLS over it; replaced under wmu

	dead chan struct{} // closed when the connection is over

	// lastRead is when bytes last came from the server (UnixNano): a
	// wait times out only after that long a silence.
	lastRead atomic.Int64

	mu        sync.Mutex    // guards the fields below
	changed   chan struct{} // closed and replaced at each change of state
	chain     *chain        // what the reader goroutine reads through
	pending   map[string]*pendingCmd
	greeting  *parser.StatusResponse
	caps      []string // as last advertised; nil when unknown
	secure    bool     // TLS is on
	tlsErr    error    // why the upgrade after STARTTLS's OK failed
	loopback  bool     // the server is on a loopback address
	contSeq   int      // number of continuation requests ("+") received
	contText  string   // the text of the last one
	contWant  bool     // a literal or SASL exchange waits for the next "+"
	contFree  bool     // a "+" that no exchange waited for: the next line answers it
	contTag   string   // the command that the free "+" is for
	lastTag   string   // the tag of the last command sent
	badSeq    int      // number of untagged BAD and BYE responses received
	closed    bool
	closeErr  error
	loggedOut bool // LOGOUT was sent
	quitting  bool // the REPL is closing the connection itself
	lastLits  []*literal
	view      string
	raw       bool
	tagN      int
}

// A pendingCmd is a command sent and not yet completed.
type pendingCmd struct {
	tag      string
	name     string // upper case, "UID FETCH" for UID commands
	sent     time.Time
	starttls bool // upgrade to TLS on OK
	secret   bool // continuation answers are credentials: mask them
	// reportTLS: the main goroutine reports a failed upgrade itself
	// (startTLS); otherwise the reader goroutine notes it.
	reportTLS bool
}

// A chain is what the reader goroutine reads through: the connection, the
// capture that keeps the bytes for display, the tracker that knows lines
// and columns for carets, and the parser.
type chain struct {
	conn net.Conn
	cap  *capture
	trk  *tracker
	pr   *parser.Reader
	// partial is the parse of a FETCH up to a syntax error in its items.
	partial []byte
}

var (
	errClosed  = errors.New("connection closed")
	errTimeout = errors.New("timed out waiting for the server")
)

func newSession(cfg *sessionConfig, con *console) *session {
	return &session{
		cfg:     cfg,
		con:     con,
		pal:     con.color,
		dead:    make(chan struct{}),
		changed: make(chan struct{}),
		pending: map[string]*pendingCmd{},
		view:    cfg.view,
		raw:     cfg.raw,
	}
}

// connect dials the server (TLS at once for -security tls) and starts the
// reader goroutine.
func (s *session) connect() error {
	s.tls = &tls.Config{ServerName: s.cfg.host, InsecureSkipVerify: s.cfg.insecure}
	d := net.Dialer{Timeout: s.cfg.timeout}
	nc, err := d.Dial("tcp", s.cfg.addr)
	if err != nil {
		return err
	}
	if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		s.loopback = a.IP.IsLoopback()
	}
	note := fmt.Sprintf("connected to %s (%s)", s.cfg.addr, nc.RemoteAddr())
	if s.cfg.security == "tls" {
		tc := tls.Client(nc, s.tls)
		tc.SetDeadline(time.Now().Add(s.cfg.timeout))
		if err := tc.Handshake(); err != nil {
			nc.Close()
			return fmt.Errorf("TLS handshake with %s: %s", s.cfg.addr, tlsProblem(err, true))
		}
		tc.SetDeadline(time.Time{})
		note += ", " + tlsNote(tc)
		nc = tc
		s.secure = true
	}
	s.note("%s", note)
	s.conn = nc
	ch := s.newChain(nc)
	go s.readLoop(ch)
	return nil
}

// tlsProblem describes a failed TLS handshake, with what to try: a
// certificate that does not verify (self-signed, another name) is
// accepted with -insecure-skip-verify; a server that answers a TLS hello
// in plaintext does not speak TLS on that port (implicit: TLS was to start
// with the connection) or did not start it after its OK to STARTTLS.
func tlsProblem(err error, implicit bool) string {
	msg := err.Error()
	var cv *tls.CertificateVerificationError
	var rh tls.RecordHeaderError
	switch {
	case errors.As(err, &cv):
		msg += " (-insecure-skip-verify accepts any certificate: for a test server with a self-signed one)"
	case errors.As(err, &rh) && implicit:
		msg += fmt.Sprintf(" (it began with %q): the server does not speak TLS on this port from the start; for a plaintext port use -security starttls (STARTTLS) or -security plain (no TLS)", rh.RecordHeader[:])
	case errors.As(err, &rh):
		msg += fmt.Sprintf(" (it began with %q): the server did not start TLS after its OK", rh.RecordHeader[:])
	}
	return msg
}

func tlsNote(tc *tls.Conn) string {
	st := tc.ConnectionState()
	return fmt.Sprintf("%s %s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
}

func (s *session) newChain(nc net.Conn) *chain {
	ch := &chain{conn: nc, cap: newCapture(nc, &s.tr, &s.lastRead)}
	ch.trk = newTracker(ch.cap, true)
	ch.pr = parser.NewReader(ch.trk, &parser.Options{Strict: s.cfg.strict})
	s.mu.Lock()
	s.chain = ch
	s.mu.Unlock()
	return ch
}

// note prints an informational line, marked "# ".
func (s *session) note(format string, args ...any) {
	s.con.print(s.pal.paint(colDim, "# "+fmt.Sprintf(format, args...)) + "\n")
}

// changedLocked wakes every waiter. s.mu is held.
func (s *session) changedLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// wait waits until cond, called with s.mu held, is true. It fails with
// errClosed when the connection is over first, and with errTimeout when
// the server has sent nothing for timeout (none if 0): a long FETCH that
// streams is not cut short.
func (s *session) wait(cond func() bool, timeout time.Duration) error {
	var tc <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		tc = t.C
		s.lastRead.Store(max(s.lastRead.Load(), time.Now().UnixNano())) // the wait starts the clock
	}
	for {
		s.mu.Lock()
		ok, closed, ch := cond(), s.closed, s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		if closed {
			return errClosed
		}
		select {
		case <-ch:
		case <-tc:
			silence := time.Since(time.Unix(0, s.lastRead.Load()))
			if silence >= timeout {
				return errTimeout
			}
			t := time.NewTimer(timeout - silence)
			defer t.Stop()
			tc = t.C
		}
	}
}

// waitDone waits for the completion of tag.
func (s *session) waitDone(tag string) error {
	return s.wait(func() bool { return s.pending[tag] == nil }, s.cfg.timeout)
}

// waitAll waits until no command is pending.
func (s *session) waitAll() error {
	return s.wait(func() bool { return len(s.pending) == 0 }, s.cfg.timeout)
}

// waitAnswer waits until tag completes, the server asks for more (a "+"
// that no exchange waits for), or it sends an untagged BAD or BYE after
// the count bad (from badCount): what a script waits for after each line.
func (s *session) waitAnswer(tag string, bad int) error {
	return s.wait(func() bool { return s.pending[tag] == nil || s.contFree || s.badSeq > bad }, s.cfg.timeout)
}

// badCount returns the number of untagged BAD and BYE responses so far.
func (s *session) badCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.badSeq
}

// expectCont announces that the next "+" is for an exchange of the main
// goroutine (a synchronizing literal, SASL, IDLE); call it before sending
// what the server answers with "+". It returns the count to pass to
// awaitCont.
func (s *session) expectCont() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.contWant = true
	return s.contSeq
}

// awaitCont waits for a "+" after the one counted by seq; ok is false when
// tag completed first (the server refused, or the exchange is over).
func (s *session) awaitCont(seq int, tag string) (ok bool, err error) {
	err = s.wait(func() bool { return s.contSeq > seq || s.pending[tag] == nil }, s.cfg.timeout)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.contWant = false
	return s.contSeq > seq, err
}

// nextTag returns the next generated tag: A001, A002, ...
func (s *session) nextTag() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tagN++
	return fmt.Sprintf("A%03d", s.tagN)
}

// register records a command about to be sent.
func (s *session) register(pc *pendingCmd) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pc.sent = time.Now()
	if pc.tag != "" {
		s.pending[pc.tag] = pc
		s.lastTag = pc.tag
	}
	if pc.name == "LOGOUT" {
		s.loggedOut = true
	}
}

// send writes b to the server. Masked bytes go to the trace as "***".
func (s *session) send(b []byte, masked bool) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.conn.SetWriteDeadline(time.Now().Add(s.cfg.timeout))
	// Recorded first: the answer may be read, and recorded, before Write
	// returns.
	s.tr.client(b, masked)
	_, err := s.conn.Write(b)
	return err
}

// sendFrom writes n bytes read from r to the server, through w as well
// (the display's hash and head).
func (s *session) sendFrom(r io.Reader, n int64, w io.Writer) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.conn.SetWriteDeadline(time.Time{})
	_, err := io.CopyN(io.MultiWriter(connWriter{s}, w), r, n)
	return err
}

// connWriter writes to the connection and the trace; s.wmu is held.
type connWriter struct{ s *session }

func (c connWriter) Write(p []byte) (int, error) {
	c.s.tr.client(p, false)
	return c.s.conn.Write(p)
}

// echo shows bytes sent, marked "C: "; masked ranges are shown as "***".
func (s *session) echo(b []byte, masks [][2]int) {
	var shown []byte
	last := 0
	for _, m := range masks {
		if m[0] < last || m[1] > len(b) || m[0] > m[1] {
			continue
		}
		shown = append(shown, b[last:m[0]]...)
		shown = append(shown, "***"...)
		last = m[1]
	}
	shown = append(shown, b[last:]...)
	var sb strings.Builder
	mark := s.pal.paint(colClient, "C:") + " "
	for len(shown) > 0 {
		i := bytes.IndexByte(shown, '\n')
		line := shown
		if i >= 0 {
			line = shown[:i+1]
		}
		shown = shown[len(line):]
		sb.WriteString(mark)
		if len(line) > maxRawLine {
			escapeText(&sb, line[:maxRawLine])
			fmt.Fprintf(&sb, "… (%d more bytes)", len(line)-maxRawLine)
		} else {
			escapeText(&sb, line)
		}
		sb.WriteByte('\n')
	}
	s.con.print(sb.String())
}

// echoLiteral shows a literal sent.
func (s *session) echoLiteral(l *literal, masked bool) {
	var sb strings.Builder
	mark := s.pal.paint(colClient, "C:") + " "
	if masked {
		sb.WriteString(mark + "***\n")
	} else {
		writeLiteral(&sb, l, s.pal, "", mark)
	}
	s.con.print(sb.String())
}

// close closes the connection from this side.
func (s *session) close() {
	s.mu.Lock()
	s.quitting = true
	s.mu.Unlock()
	s.wmu.Lock()
	if s.conn != nil {
		s.conn.Close()
	}
	s.wmu.Unlock()
	<-s.dead
}

// readLoop reads, shows and acts on every response until the connection
// ends.
func (s *session) readLoop(ch *chain) {
	var cut int64 // offset up to which the bytes were shown
	for {
		resp, err := ch.pr.Next()
		start := ch.pr.ResponseOffset()
		if start > cut {
			// The rest of a malformed response, skipped by the parser.
			s.showSkipped(ch.cap.take(cut, start))
			cut = start
		}
		if err != nil {
			var se *wire.SyntaxError
			if errors.As(err, &se) {
				cut = s.showError(ch, start, nil, se)
				continue
			}
			s.ended(err)
			return
		}
		next, end, err := s.handle(ch, resp, start)
		if err != nil {
			var se *wire.SyntaxError
			if errors.As(err, &se) {
				cut = s.showError(ch, start, resp, se)
				continue
			}
			s.ended(err)
			return
		}
		cut = end
		if next != ch {
			ch, cut = next, 0
		}
	}
}

// handle shows one response and updates the state. It returns the chain
// to read on (a new one after STARTTLS) and the offset where the response
// ended.
func (s *session) handle(ch *chain, resp parser.Response, start int64) (*chain, int64, error) {
	s.mu.Lock()
	view := s.view
	var pc *pendingCmd
	st, _ := resp.(*parser.StatusResponse)
	if st != nil && st.Tag != "" {
		pc = s.pending[st.Tag]
	}
	unsolicited := s.greeting != nil && (st == nil || st.Tag == "") && resp.ResponseType() != "+"
	for _, p := range s.pending {
		if p.name != "IDLE" {
			unsolicited = false
		}
	}
	s.mu.Unlock()

	var tree bytes.Buffer
	out := bufio.NewWriter(&tree)
	budget := int64(litMemory)
	p := &printer{out: out, json: view == viewJSON}
	p.body = func(it *parser.BodySectionItem) (*literalSummary, error) {
		if it.Data != nil { // quoted or NIL: in the raw bytes
			return summarize(it)
		}
		lit := &literal{size: it.Size}
		ch.cap.elide(ch.pr.Wire().InputOffset(), lit)
		w := newLitWriter(lit, &budget)
		n, err := io.Copy(w, it.Body)
		w.finish()
		if err != nil {
			return nil, err
		}
		if n != it.Size {
			return nil, io.ErrUnexpectedEOF
		}
		return newSummary(it, lit.sum, lit.head), nil
	}
	timing := ""
	if pc != nil {
		d := time.Since(pc.sent)
		timing = elapsed(d)
		p.suffix = " (" + timing + ")"
		p.extra = map[string]any{"elapsedMs": float64(d.Microseconds()) / 1000}
	} else if unsolicited {
		p.suffix = " (unsolicited)"
		p.extra = map[string]any{"unsolicited": true}
	}
	if err := p.print(resp); err != nil {
		out.Flush()
		ch.partial = tree.Bytes() // what parsed before the error
		return ch, 0, err
	}
	out.Flush()
	end := ch.pr.Wire().InputOffset()
	pieces := ch.cap.take(start, end)
	s.show(view, pieces, tree.Bytes(), timing)

	// State.
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.changedLocked()
	if s.greeting == nil {
		if st != nil && st.Tag == "" {
			s.greeting = st
			s.takeCaps(st.Code)
		}
		return ch, end, nil
	}
	switch r := resp.(type) {
	case *parser.StatusResponse:
		s.takeCaps(r.Code)
		if r.Tag == "" {
			if r.Type == parser.BAD || r.Type == parser.BYE {
				s.badSeq++
			}
			break
		}
		if s.contTag == r.Tag {
			s.contFree = false
		}
		if pc == nil {
			break
		}
		if pc.starttls && r.Type == parser.OK {
			next, err := s.upgradeLocked(ch)
			if err != nil {
				s.tlsErr = err
				if !pc.reportTLS {
					s.noteLocked("STARTTLS failed: %s; closing", tlsProblem(err, false))
				}
				ch.conn.Close()
			} else {
				ch = next
				end = 0
			}
		}
		if r.Type == parser.OK && (pc.name == "LOGIN" || pc.name == "AUTHENTICATE") && (r.Code == nil || r.Code.Name != parser.CodeCapability) {
			s.caps = nil // they change after authentication
		}
		delete(s.pending, r.Tag)
	case *parser.Capability:
		s.caps = append([]string(nil), r.Caps...)
	case *parser.Continuation:
		s.contSeq++
		s.contText = r.Text
		if !s.contWant {
			s.contFree = true
			s.contTag = s.lastTag
		}
	}
	return ch, end, nil
}

func (s *session) takeCaps(code *parser.Code) {
	if code != nil && code.Name == parser.CodeCapability {
		s.caps = append([]string(nil), code.List...)
	}
}

// noteLocked prints a note while s.mu is held (printing never takes it).
func (s *session) noteLocked(format string, args ...any) { s.note(format, args...) }

// upgradeLocked runs the TLS handshake after STARTTLS's OK, on the reader
// goroutine, holding the write lock so that no command goes out meanwhile.
// Bytes the server sent after its OK and before the handshake would be
// read as if they came over TLS: that is the STARTTLS injection attack
// (CVE-2011-0411 and kin), and the connection is closed instead.
func (s *session) upgradeLocked(ch *chain) (*chain, error) {
	if n := ch.pr.Wire().Buffered(); n > 0 {
		return nil, fmt.Errorf("the server sent %d bytes after its OK, before the TLS handshake (STARTTLS injection?)", n)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tc := tls.Client(ch.conn, s.tls)
	tc.SetDeadline(time.Now().Add(s.cfg.timeout))
	if err := tc.Handshake(); err != nil {
		return nil, fmt.Errorf("the TLS handshake failed: %w", err)
	}
	tc.SetDeadline(time.Time{})
	s.conn = tc
	s.secure = true
	s.caps = nil // RFC 3501 6.2.1: forget what was said before TLS
	s.noteLocked("TLS is on: %s", tlsNote(tc))
	next := &chain{conn: tc, cap: newCapture(tc, &s.tr, &s.lastRead)}
	next.trk = newTracker(next.cap, true)
	next.pr = parser.NewReader(next.trk, &parser.Options{Strict: s.cfg.strict})
	s.chain = next
	return next, nil
}

// show prints one response in the current view.
func (s *session) show(view string, pieces []piece, tree []byte, timing string) {
	var sb strings.Builder
	var raw strings.Builder
	rr := newRawRenderer(&raw, s.pal.paint(colServer, "S:")+" ", s.pal, 1)
	rr.pieces(pieces)
	rr.finish()
	s.keepLiterals(rr.lits)
	switch view {
	case viewRaw:
		sb.WriteString(raw.String())
		if timing != "" {
			sb.WriteString(rawIndent + s.pal.paint(colDim, "("+timing+")") + "\n")
		}
	case viewParsed:
		if len(tree) > 0 {
			sb.WriteString(s.pal.paint(colServer, "S:") + " ")
			sb.Write(tree[:bytes.IndexByte(tree, '\n')+1])
			indent(&sb, tree[bytes.IndexByte(tree, '\n')+1:])
		}
	case viewJSON:
		sb.Write(tree)
	default:
		sb.WriteString(raw.String())
		indent(&sb, tree)
	}
	s.con.print(sb.String())
}

// keepLiterals makes lits the literals that .save reads, when there are any.
func (s *session) keepLiterals(lits []*literal) {
	if len(lits) == 0 {
		return
	}
	s.mu.Lock()
	old := s.lastLits
	s.lastLits = lits
	s.mu.Unlock()
	for _, l := range old {
		l.release()
	}
}

// showSkipped prints the rest of a malformed response.
func (s *session) showSkipped(pieces []piece) {
	var sb strings.Builder
	rr := newRawRenderer(&sb, s.pal.paint(colServer, "S:")+" ", s.pal, 1)
	rr.bad = true
	rr.pieces(pieces)
	rr.finish()
	sb.WriteString(rawIndent + s.pal.paint(colDim, "(skipped: the rest of the malformed response)") + "\n")
	s.con.print(sb.String())
}

// showError prints a malformed response: its bytes up to the end of the
// line with the error, highlighted, the parser's error and a caret under
// the bad byte. It returns the offset up to which bytes were shown.
func (s *session) showError(ch *chain, start int64, resp parser.Response, se *wire.SyntaxError) int64 {
	defer func() { ch.partial = nil }()
	line, col, text, caret := ch.trk.position(se.Offset)
	end := ch.cap.lineEnd(se.Offset)
	pieces := ch.cap.take(start, end)
	s.mu.Lock()
	view := s.view
	s.mu.Unlock()
	var sb strings.Builder
	if view == viewJSON {
		sb.WriteString(errorJSON(se, line, col))
		s.con.print(sb.String())
		return end
	}
	rr := newRawRenderer(&sb, s.pal.paint(colServer, "S:")+" ", s.pal, 1)
	rr.bad = true
	rr.pieces(pieces)
	rr.finish()
	s.keepLiterals(rr.lits)
	if view != viewRaw {
		indent(&sb, ch.partial)
	}
	errorLines(&sb, s.pal, se, line, col, text, caret)
	s.con.print(sb.String())
	return end
}

// ended records the end of the connection.
func (s *session) ended(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	s.closeErr = err
	quiet := s.quitting
	if !quiet {
		switch {
		case err == io.EOF && s.loggedOut:
			s.note("connection closed by the server")
		case err == io.EOF:
			s.note("connection closed by the server unexpectedly")
		case err == io.ErrUnexpectedEOF:
			s.note("connection closed by the server in the middle of a response")
		default:
			s.note("connection error: %v", err)
		}
	}
	s.changedLocked()
	close(s.dead)
}
