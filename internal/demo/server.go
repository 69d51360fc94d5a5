package demo

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"strings"
	"sync"
	"time"

	fixture "github.com/imapwire/imapwire/testdata/demo"
)

// Options configure a Server. The zero value serves the sample account.
type Options struct {
	// IdleTimeout is how long a connection may stay silent (IDLE
	// included) before the server says BYE. Default 30 minutes (RFC 3501
	// section 5.4's minimum autologout timer).
	IdleTimeout time.Duration

	// UIDValidity is the UIDVALIDITY of the first mailbox; the others
	// count up from it. Default: the current time in seconds, as real
	// servers do, so that a client caching UIDs across two runs of the
	// demo server sees that they changed.
	UIDValidity uint32

	// Empty starts the account with INBOX alone instead of the sample
	// mailboxes and messages.
	Empty bool

	// Password replaces the sample account's password, DemoPassword.
	// Test suites that check that their traces never show the password
	// need one that differs from the user name.
	Password string

	// Mode is the server the demo server behaves like: ModeDovecot (the
	// zero value: like Dovecot 2.3) or ModeOther (like another conforming
	// server that differs from Dovecot wherever RFC 3501 and its
	// extensions let it, and in three ways they do not; see the package
	// doc). The interop suite passes against both.
	Mode Mode
}

// A Mode selects the server the demo server behaves like.
type Mode string

// The modes.
const (
	// ModeDovecot behaves like Dovecot 2.3: the "/" hierarchy delimiter
	// and an empty personal namespace, response codes on NO, UIDNEXT on
	// SELECT, LITERAL+, 8-bit headers kept.
	ModeDovecot Mode = ""
	// ModeOther behaves like another widely deployed server (a Maildir
	// server with an INBOX. namespace): every difference is listed in
	// the package doc, under "The other-server mode".
	ModeOther Mode = "other"
)

// ParseMode returns the Mode named by s: "dovecot" (or "") or "other".
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(s) {
	case "", "dovecot":
		return ModeDovecot, nil
	case "other":
		return ModeOther, nil
	}
	return "", fmt.Errorf("demo: unknown mode %q (want dovecot or other)", s)
}

// A Server is the in-memory demo IMAP4rev1 server: one account, demo with
// password demo, seeded from the fixture in testdata/demo. Its state lives
// in memory only: every Server starts from the fixture. It is safe for
// concurrent use; each connection is served by its own goroutine.
type Server struct {
	idleTimeout time.Duration
	mode        Mode
	delim       byte // the hierarchy delimiter: '/', or '.' in ModeOther
	// acceptBackoff is Serve's first pause after an Accept timeout
	// (firstAcceptBackoff; a test lengthens it).
	acceptBackoff time.Duration
	done          chan struct{} // closed by Close: ends Serve's pauses

	mu        sync.Mutex // guards the fields below and every account, mailbox, message and selection
	accounts  map[string]*account
	validity  uint32 // the last UIDVALIDITY given out
	nextID    uint64
	ln        net.Listener          // the latest listener, for Addr
	listeners map[net.Listener]bool // every listener Serve is accepting on
	conns     map[net.Conn]bool
	closed    bool

	wg sync.WaitGroup // Serve loops and connection goroutines
}

// Serve's pause after an Accept error that is a timeout (a deadline set
// on the listener) doubles from firstAcceptBackoff up to
// maxAcceptBackoff, as net/http's Server does: the error may last, and
// the loop must not spin. Close ends a pause at once.
const (
	firstAcceptBackoff = 5 * time.Millisecond
	maxAcceptBackoff   = time.Second
)

// The sample account's credentials.
const (
	DemoUser     = "demo"
	DemoPassword = "demo"
)

// New returns a Server with the sample account, not yet serving.
func New(opts *Options) (*Server, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	s := &Server{idleTimeout: o.IdleTimeout, acceptBackoff: firstAcceptBackoff, done: make(chan struct{}),
		accounts: map[string]*account{}, listeners: map[net.Listener]bool{}, conns: map[net.Conn]bool{}}
	if s.idleTimeout <= 0 {
		s.idleTimeout = 30 * time.Minute
	}
	switch o.Mode {
	case ModeDovecot:
		s.delim = '/'
	case ModeOther:
		s.mode, s.delim = ModeOther, '.'
	default:
		return nil, fmt.Errorf("demo: unknown mode %q", o.Mode)
	}
	s.validity = o.UIDValidity
	if s.validity == 0 {
		s.validity = uint32(time.Now().Unix())
	}
	s.validity-- // newMailbox counts up first
	pass := DemoPassword
	if o.Password != "" {
		pass = o.Password
	}
	a := &account{user: DemoUser, password: pass, delim: s.delim, mailboxes: map[string]*mailbox{}, subscribed: map[string]bool{}}
	s.accounts[a.user] = a
	if o.Empty {
		s.newMailbox(a, "INBOX", "")
		return s, nil
	}
	if err := s.loadFixture(a); err != nil {
		return nil, err
	}
	return s, nil
}

// loadFixture fills the account from testdata/demo/fixture.txt.
func (s *Server) loadFixture(a *account) error {
	f, err := fixture.FS.Open("fixture.txt")
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Split(text, "\t")
		bad := func(why string) error { return fmt.Errorf("demo fixture line %d: %s", line, why) }
		switch {
		case fields[0] == "mailbox" && len(fields) == 4:
			name := s.fixtureName(fields[1])
			if !validName(name, a.delim) || a.mailboxes[name] != nil {
				return bad("invalid or repeated mailbox " + fields[1])
			}
			s.newMailbox(a, name, fields[2])
			if fields[3] == "subscribed" {
				a.subscribed[name] = true
			}
		case fields[0] == "message" && len(fields) == 5:
			mb := a.mailboxes[s.fixtureName(fields[1])]
			if mb == nil {
				return bad("no mailbox " + fields[1])
			}
			raw, err := fs.ReadFile(fixture.FS, fields[2])
			if err != nil {
				return bad(err.Error())
			}
			date, err := parseDateTime(fields[4])
			if err != nil {
				return bad(err.Error())
			}
			a.addMessage(mb, newContent(normalizeLineEnds(raw)), strings.Fields(fields[3]), date)
		default:
			return bad("unknown line")
		}
	}
	if a.mailboxes["INBOX"] == nil {
		return errors.New("demo fixture: no INBOX")
	}
	return sc.Err()
}

// fixtureName returns the name of a fixture mailbox (written with "/")
// in the server's mode: as written, or in ModeOther under "INBOX." with
// "." as the delimiter (Work/Projects is INBOX.Work.Projects).
func (s *Server) fixtureName(name string) string {
	if s.mode != ModeOther || name == "INBOX" {
		return name
	}
	return "INBOX." + strings.ReplaceAll(name, "/", ".")
}

// Listen starts a Server with opts (nil: the sample account) on addr
// (such as "127.0.0.1:0") and serves it in the background until Close.
func Listen(addr string, opts *Options) (*Server, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	go s.Serve(ln)
	return s, nil
}

// Serve accepts connections on ln until Close; it returns nil after Close
// (which closes ln and waits for Serve to return), or Accept's error when
// ln fails otherwise. An Accept timeout is retried after a pause (see
// maxAcceptBackoff).
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.ln = ln
	s.listeners[ln] = true
	s.wg.Add(1)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
		s.wg.Done()
	}()
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return nil
			}
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				return err
			}
			if backoff == 0 {
				backoff = s.acceptBackoff
			} else {
				backoff = min(2*backoff, maxAcceptBackoff)
			}
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-s.done:
				t.Stop()
				return nil
			}
			continue
		}
		backoff = 0
		go s.ServeConn(c)
	}
}

// ServeConn serves one connection (a net.Conn from a listener, or one end
// of net.Pipe in a test) until the client logs out, it fails or the
// server closes; then it closes c.
func (s *Server) ServeConn(c net.Conn) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.Close()
		return
	}
	s.nextID++
	id := s.nextID
	s.conns[c] = true
	s.wg.Add(1)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		s.wg.Done()
	}()
	newSession(s, c, id).serve()
}

// Addr returns the listener's address, or nil before Serve.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Close stops the listeners, closes every connection and waits for the
// Serve loops and the connections' goroutines to end. It returns the
// error of closing the latest listener.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.wg.Wait()
		return nil
	}
	s.closed = true
	close(s.done)
	var err error
	if s.ln != nil {
		err = s.ln.Close()
	}
	for ln := range s.listeners {
		if ln != s.ln {
			ln.Close()
		}
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}
