package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/imapwire/imapwire/command"
	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// Options configure a Client. The zero value is usable: TLS with the
// system's roots, no trace.
type Options struct {
	// TLSConfig is used by DialTLS and StartTLS. When its ServerName is
	// empty, the host part of the address is used.
	TLSConfig *tls.Config

	// AllowPlaintext lets Dial return a client on a connection that is
	// not encrypted and not upgraded with StartTLS, and lets Login send a
	// password over it. Without it, Dial refuses to log in before TLS.
	AllowPlaintext bool

	// Updates receives the unsolicited responses: *parser.Exists,
	// *parser.Expunge, *parser.Vanished, *parser.Recent, FETCH flag
	// updates (*parser.Message), ALERTs and BYE (*parser.StatusResponse),
	// and *command.Overflow when some had to be dropped. It is called
	// from one goroutine, in order. The selected mailbox's state is updated
	// before it is called.
	Updates func(parser.Response)

	// Trace receives a transcript of the session (the format that
	// `imapwire parse` reads) with LOGIN passwords and AUTHENTICATE
	// payloads masked.
	Trace io.Writer

	// Strict makes the response parser refuse every grammar deviation.
	Strict bool

	// Limits bound what the response parser holds for one token or
	// response (zero fields: wire.DefaultLimits). MaxLiteral is also the
	// largest body Collect buffers.
	Limits wire.Limits
}

// A Client is a connection to an IMAP server. Its methods are safe for
// concurrent use; commands issued concurrently are pipelined where RFC 3501
// allows it and serialized where it does not.
type Client struct {
	conn   *command.Conn
	netc   net.Conn
	opts   Options
	host   string
	secure bool // TLS is on

	conts atomic.Uint64 // continuation requests read (see Idle)

	mu       sync.Mutex // guards the fields below
	caps     map[string]bool
	greeting *parser.StatusResponse
	mailbox  *Mailbox // the selected mailbox, or nil
	enabled  map[string]bool
	// The encoder settings last applied by prepare.
	wmode wire.LiteralMode
	wutf8 bool
	wset  bool
}

// ErrPlaintext reports an attempt to authenticate over a connection that is
// neither TLS nor upgraded with STARTTLS, without Options.AllowPlaintext.
var ErrPlaintext = errors.New("imap: refusing to send credentials in plaintext (use DialTLS or StartTLS, or set Options.AllowPlaintext)")

// ErrPreauthPlaintext reports a PREAUTH greeting on a cleartext connection
// that was meant to be upgraded with STARTTLS: the session is already
// authenticated, so STARTTLS is no longer possible, and an attacker may be
// hiding it.
var ErrPreauthPlaintext = errors.New("imap: server sent PREAUTH on a cleartext connection that requires STARTTLS")

// ErrLoginDisabled reports LOGIN while the server advertises LOGINDISABLED.
var ErrLoginDisabled = errors.New("imap: server advertises LOGINDISABLED")

// DialTLS connects to addr (host:port, port 993 by default) over TLS.
func DialTLS(ctx context.Context, addr string, opts *Options) (*Client, error) {
	addr, host := HostPort(addr, "993")
	o := options(opts)
	cfg := tlsConfig(o.TLSConfig, host)
	d := tls.Dialer{Config: cfg}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c, err := newClient(ctx, nc, o, host, true)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

// Dial connects to addr (host:port, port 143 by default) in cleartext. Call
// StartTLS before logging in, unless Options.AllowPlaintext is set.
func Dial(ctx context.Context, addr string, opts *Options) (*Client, error) {
	addr, host := HostPort(addr, "143")
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	o := options(opts)
	c, err := newClient(ctx, nc, o, host, false)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

// DialStartTLS connects to addr in cleartext and upgrades with STARTTLS
// before returning.
func DialStartTLS(ctx context.Context, addr string, opts *Options) (*Client, error) {
	o := options(opts)
	o.AllowPlaintext = false
	c, err := Dial(ctx, addr, &o)
	if err != nil {
		return nil, err
	}
	if err := c.StartTLS(ctx, nil); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// New starts a client on an established connection and reads the greeting.
// A *tls.Conn counts as secure.
func New(ctx context.Context, nc net.Conn, opts *Options) (*Client, error) {
	_, secure := nc.(*tls.Conn)
	host, _, _ := net.SplitHostPort(nc.RemoteAddr().String())
	return newClient(ctx, nc, options(opts), host, secure)
}

func options(opts *Options) Options {
	if opts == nil {
		return Options{}
	}
	return *opts
}

// HostPort returns addr as host:port, with defaultPort added when addr
// has no port, and the host alone (for TLS server name checks). A bare
// IPv6 address may come with or without brackets: "::1", "[::1]" and
// "[::1]:993" all work.
func HostPort(addr, defaultPort string) (hostport, host string) {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return addr, host
	}
	host = strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
	return net.JoinHostPort(host, defaultPort), host
}

func tlsConfig(cfg *tls.Config, host string) *tls.Config {
	if cfg == nil {
		cfg = &tls.Config{}
	} else {
		cfg = cfg.Clone()
	}
	if cfg.ServerName == "" && !cfg.InsecureSkipVerify {
		cfg.ServerName = host
	}
	return cfg
}

func newClient(ctx context.Context, nc net.Conn, o Options, host string, secure bool) (*Client, error) {
	c := &Client{netc: nc, opts: o, host: host, secure: secure}
	conn := command.New(nc, &command.Options{
		Observe:     c.observe,
		Unsolicited: c.unsolicited,
		Strict:      o.Strict,
		Limits:      o.Limits,
		Trace:       o.Trace,
	})
	c.mu.Lock() // the Unsolicited handler may run already
	c.conn = conn
	c.mu.Unlock()
	g, err := c.conn.Greeting(ctx)
	if err != nil {
		c.conn.Close()
		return nil, err
	}
	c.greeting = g
	if g.Type == parser.BYE {
		c.conn.Close()
		return nil, &command.ConnError{Err: command.ErrBye, Bye: g}
	}
	if g.Type == parser.PREAUTH && !secure && !o.AllowPlaintext {
		c.conn.Close()
		return nil, ErrPreauthPlaintext
	}
	c.takeCaps(g.Code)
	return c, nil
}

// Greeting returns the server's greeting.
func (c *Client) Greeting() *parser.StatusResponse { return c.greeting }

// Close closes the connection without LOGOUT.
func (c *Client) Close() error { return c.conn.Close() }

// Conn returns the command layer, for commands this package has no method
// for (see Raw).
func (c *Client) Conn() *command.Conn { return c.conn }

// unsolicited updates the selected mailbox and passes r to Options.Updates.
func (c *Client) unsolicited(r parser.Response) {
	c.mu.Lock()
	// A response read in the clear before STARTTLS must not reach the
	// caller after the upgrade (command.Conn.Stale).
	stale := c.conn != nil && c.conn.Stale()
	c.mu.Unlock()
	if stale {
		return
	}
	if c.opts.Updates != nil {
		c.opts.Updates(r)
	}
}

// partial reports whether a command's results are usable despite err: the
// command completed, but some of its responses did not parse
// (*command.MalformedError). Methods then return what did parse, with err.
func partial(err error) bool {
	var me *command.MalformedError
	return errors.As(err, &me)
}

// observe keeps the state that follows the stream's order, from the reader
// goroutine (command.Options.Observe): the selected mailbox's state, from
// whichever command's response or unsolicited response carries it, and the
// capabilities of a CAPABILITY response code. A command's caller sees the
// state as of its tagged completion.
func (c *Client) observe(r parser.Response) {
	if _, ok := r.(*parser.Continuation); ok {
		c.conts.Add(1) // for Idle
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if mb := c.mailbox; mb != nil {
		mb.apply(r)
	}
	if s, ok := r.(*parser.StatusResponse); ok && s.Code != nil && s.Code.Name == parser.CodeCapability {
		c.caps = capSet(s.Code.List)
	}
}

// takeCaps records the capabilities of a CAPABILITY response code.
func (c *Client) takeCaps(code *parser.Code) {
	if code == nil || code.Name != parser.CodeCapability {
		return
	}
	c.setCaps(code.List)
}

func (c *Client) setCaps(list []string) {
	caps := capSet(list)
	c.mu.Lock()
	c.caps = caps
	c.mu.Unlock()
}

// capSet returns the capabilities of list as a set, upper-cased.
func capSet(list []string) map[string]bool {
	caps := make(map[string]bool, len(list))
	for _, s := range list {
		caps[strings.ToUpper(s)] = true
	}
	return caps
}

// Has reports whether the server advertised the capability (as of the last
// CAPABILITY response or code), compared without regard to case. It does
// not ask the server; Capabilities does.
func (c *Client) Has(capability string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.caps[strings.ToUpper(capability)]
}

// capsKnown reports whether the capabilities are known. The reader
// goroutine sets them (observe): read them under c.mu only.
func (c *Client) capsKnown() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.caps != nil
}

// Capabilities returns the server's capabilities, asking with CAPABILITY
// unless they are known.
func (c *Client) Capabilities(ctx context.Context) ([]string, error) {
	if !c.capsKnown() {
		if err := c.refreshCaps(ctx); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.caps))
	for k := range c.caps {
		out = append(out, k)
	}
	slices.Sort(out)
	return out, nil
}

// refreshCaps sends CAPABILITY.
func (c *Client) refreshCaps(ctx context.Context) error {
	resps, _, err := c.run(ctx, &command.Spec{
		Name:  "CAPABILITY",
		Kinds: []string{"CAPABILITY"},
		Claim: isType[*parser.Capability],
	})
	if err != nil {
		return err
	}
	for _, r := range resps {
		if cp, ok := r.(*parser.Capability); ok {
			c.setCaps(cp.Caps)
		}
	}
	return nil
}

// forgetCaps drops what is known, after STARTTLS and authentication.
func (c *Client) forgetCaps() {
	c.mu.Lock()
	c.caps = nil
	c.mu.Unlock()
}

// isType is a Claim rule taking every response of type T.
func isType[T parser.Response](r parser.Response) bool {
	_, ok := r.(T)
	return ok
}

// run sends spec, waits, and returns the responses it claimed.
func (c *Client) run(ctx context.Context, spec *command.Spec) ([]parser.Response, *parser.StatusResponse, error) {
	if err := c.prepare(ctx); err != nil {
		return nil, nil, err
	}
	cmd, err := c.conn.Send(ctx, spec)
	if err != nil {
		return nil, nil, err
	}
	resps, status, err := cmd.Collect(ctx)
	if status != nil {
		if status.Code != nil && status.Code.Name == parser.CodeCapability {
			c.takeCaps(status.Code)
		}
	}
	return resps, status, err
}

// prepare sets the encoder's literal mode from the capabilities, and
// UTF8Accept from ENABLE. Commands are sent from many goroutines at once, so
// the encoder is changed only when a setting changed, and then under the
// connection's write lock (command.Conn.SetWriter): setting it before every
// command, unlocked, raced with the encoding of commands in flight.
func (c *Client) prepare(ctx context.Context) error {
	mode := wire.LiteralSync
	switch {
	case c.Has("LITERAL+"):
		mode = wire.LiteralPlus
	case c.Has("LITERAL-"):
		mode = wire.LiteralMinus
	}
	c.mu.Lock()
	utf8 := c.enabled["UTF8=ACCEPT"]
	same := c.wset && c.wmode == mode && c.wutf8 == utf8
	c.mu.Unlock()
	if same {
		return nil
	}
	err := c.conn.SetWriter(ctx, func(w *wire.Writer) {
		w.LiteralMode = mode
		w.UTF8Accept = utf8
	})
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.wmode, c.wutf8, c.wset = mode, utf8, true
	c.mu.Unlock()
	return nil
}

// simple runs a command that returns no data.
func (c *Client) simple(ctx context.Context, name string, args ...command.Arg) error {
	_, _, err := c.run(ctx, &command.Spec{Name: name, Args: args})
	return err
}

// StartTLS upgrades the connection with STARTTLS (RFC 3501 section 6.2.1).
// cfg may be nil to use Options.TLSConfig. Capabilities learnt before are
// forgotten. Any byte the server sent after its OK and before the handshake
// is refused as a response injection (command.ErrBufferedAfterStartTLS).
func (c *Client) StartTLS(ctx context.Context, cfg *tls.Config) error {
	if c.secure {
		return errors.New("imap: StartTLS on a connection already using TLS")
	}
	if cfg == nil {
		cfg = c.opts.TLSConfig
	}
	cfg = tlsConfig(cfg, c.host)
	if err := c.prepare(ctx); err != nil {
		return err
	}
	cmd, err := c.conn.Send(ctx, &command.Spec{Name: "STARTTLS", Barrier: true, Upgrade: true})
	if err != nil {
		return err
	}
	if _, err := cmd.Wait(ctx); err != nil {
		return err
	}
	var tc *tls.Conn
	err = c.conn.Upgrade(ctx, func(old io.ReadWriteCloser) (io.ReadWriteCloser, error) {
		tc = tls.Client(c.netc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, fmt.Errorf("imap: STARTTLS handshake: %w", err)
		}
		return tc, nil
	})
	if err != nil {
		return err
	}
	c.netc = tc
	c.secure = true
	c.forgetCaps()
	return nil
}

// Secure reports whether the connection uses TLS.
func (c *Client) Secure() bool { return c.secure }

// Login authenticates with LOGIN (RFC 3501 section 6.2.3). The password is
// masked in the trace. A wrong password is a *command.StatusError matching
// command.AUTHENTICATIONFAILED with errors.Is, where the server sends the
// code. Capabilities are refreshed afterwards.
func (c *Client) Login(ctx context.Context, username, password string) error {
	if !c.secure && !c.opts.AllowPlaintext {
		return ErrPlaintext
	}
	if !c.capsKnown() {
		if err := c.refreshCaps(ctx); err != nil {
			return err
		}
	}
	if c.Has("LOGINDISABLED") {
		return ErrLoginDisabled
	}
	_, status, err := c.run(ctx, &command.Spec{
		Name:    "LOGIN",
		Args:    []command.Arg{command.AString(username), command.Secret{Arg: command.AString(password)}},
		Barrier: true,
	})
	if err != nil {
		return err
	}
	return c.afterAuth(ctx, status)
}

// afterAuth takes the capabilities from the OK or asks for them.
func (c *Client) afterAuth(ctx context.Context, status *parser.StatusResponse) error {
	c.forgetCaps()
	if status != nil && status.Code != nil && status.Code.Name == parser.CodeCapability {
		c.takeCaps(status.Code)
		return nil
	}
	return c.refreshCaps(ctx)
}

// Logout sends LOGOUT and closes the connection.
func (c *Client) Logout(ctx context.Context) error {
	_, _, err := c.run(ctx, &command.Spec{Name: "LOGOUT", Barrier: true})
	c.conn.Close()
	var ce *command.ConnError
	if errors.As(err, &ce) && errors.Is(err, command.ErrBye) {
		return nil
	}
	if errors.Is(err, command.ErrClosed) {
		return nil
	}
	return err
}

// Noop sends NOOP; unsolicited updates arrive through Options.Updates.
func (c *Client) Noop(ctx context.Context) error { return c.simple(ctx, "NOOP") }

// Check sends CHECK.
func (c *Client) Check(ctx context.Context) error { return c.simple(ctx, "CHECK") }
