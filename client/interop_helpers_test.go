package client_test

// Helpers of the interop suite (interop_test.go): the server configuration
// from the environment, connections in each security mode, the scratch
// folder every test works in, test messages, and a connection filter that
// hides capabilities so that fallbacks can be exercised against a real
// server.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapwire/imapwire/client"
	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// interopEnv is the server under test, from the IMAPWIRE_TEST_* variables.
type interopEnv struct {
	Addr     string // IMAPWIRE_TEST_ADDR
	TLSAddr  string // IMAPWIRE_TEST_TLS_ADDR (optional: an IMAPS port besides a STARTTLS one)
	Security string // IMAPWIRE_TEST_SECURITY: tls, starttls or plain
	User     string
	Pass     string
	Insecure bool   // IMAPWIRE_TEST_INSECURE=1: self-signed certificate
	CAFile   string // IMAPWIRE_TEST_CA_FILE: verify against this CA instead
}

// opTimeout bounds every step of a test against the server: generous, so
// that a slow machine does not fail, but a hang fails instead of blocking
// the test binary until its global timeout.
const opTimeout = 60 * time.Second

// interop returns the server configuration, or skips the test when no
// server is configured.
func interop(tb testing.TB) *interopEnv {
	tb.Helper()
	e := &interopEnv{
		Addr:     os.Getenv("IMAPWIRE_TEST_ADDR"),
		TLSAddr:  os.Getenv("IMAPWIRE_TEST_TLS_ADDR"),
		Security: strings.ToLower(os.Getenv("IMAPWIRE_TEST_SECURITY")),
		User:     os.Getenv("IMAPWIRE_TEST_USER"),
		Pass:     os.Getenv("IMAPWIRE_TEST_PASS"),
		Insecure: os.Getenv("IMAPWIRE_TEST_INSECURE") == "1",
		CAFile:   os.Getenv("IMAPWIRE_TEST_CA_FILE"),
	}
	if e.Addr == "" {
		tb.Skip("IMAPWIRE_TEST_ADDR is not set: the interop tests need an IMAP server " +
			"(`make interop` starts a private Dovecot; see scripts/README.md)")
	}
	if e.User == "" || e.Pass == "" {
		tb.Fatal("IMAPWIRE_TEST_ADDR is set but IMAPWIRE_TEST_USER or IMAPWIRE_TEST_PASS is not")
	}
	switch e.Security {
	case "":
		e.Security = "tls"
	case "tls", "starttls", "plain":
	default:
		tb.Fatalf("IMAPWIRE_TEST_SECURITY=%q: want tls, starttls or plain", e.Security)
	}
	return e
}

// tlsConfig verifies the server with IMAPWIRE_TEST_CA_FILE when set, skips
// verification with IMAPWIRE_TEST_INSECURE=1, and uses the system's roots
// otherwise.
func (e *interopEnv) tlsConfig(tb testing.TB) *tls.Config {
	tb.Helper()
	cfg := &tls.Config{}
	switch {
	case e.CAFile != "":
		pem, err := os.ReadFile(e.CAFile)
		if err != nil {
			tb.Fatalf("IMAPWIRE_TEST_CA_FILE: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			tb.Fatalf("IMAPWIRE_TEST_CA_FILE %s: no certificate", e.CAFile)
		}
		cfg.RootCAs = pool
	case e.Insecure:
		cfg.InsecureSkipVerify = true
	}
	return cfg
}

// testCtx returns a context for one test's commands.
func testCtx(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*opTimeout)
	tb.Cleanup(cancel)
	return ctx
}

// opCtx returns a context for cleanup steps, independent of the test's.
func opCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), opTimeout)
}

// dial connects in the configured security mode, without logging in. The
// connection is closed when the test ends.
func (e *interopEnv) dial(tb testing.TB, opts *client.Options) *client.Client {
	tb.Helper()
	o := client.Options{}
	if opts != nil {
		o = *opts
	}
	if o.TLSConfig == nil {
		o.TLSConfig = e.tlsConfig(tb)
	}
	ctx, cancel := opCtx()
	defer cancel()
	var (
		c   *client.Client
		err error
	)
	switch e.Security {
	case "tls":
		c, err = client.DialTLS(ctx, e.Addr, &o)
	case "starttls":
		c, err = client.DialStartTLS(ctx, e.Addr, &o)
	case "plain":
		o.AllowPlaintext = true
		c, err = client.Dial(ctx, e.Addr, &o)
	}
	if err != nil {
		tb.Fatalf("connecting to %s (%s): %v", e.Addr, e.Security, err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// dialFresh is dial from a loopback source address of its own when the
// server is on loopback (any of 127.0.0.0/8 reaches it on Linux). A failed
// login makes Dovecot (anvil) delay the next authentications from the same
// IP address by seconds: charged to this address, the delay slows no other
// test. Elsewhere, or when binding fails, it is dial.
func (e *interopEnv) dialFresh(tb testing.TB, opts *client.Options) *client.Client {
	tb.Helper()
	host, _, err := net.SplitHostPort(e.Addr)
	ip := net.ParseIP(host)
	if err != nil || ip == nil || ip.To4() == nil || !ip.IsLoopback() {
		return e.dial(tb, opts)
	}
	var rnd [3]byte
	rand.Read(rnd[:])
	local := net.IPv4(127, 1+rnd[0]%254, 1+rnd[1]%254, 1+rnd[2]%254)
	ctx, cancel := opCtx()
	defer cancel()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: local}}
	nc, err := d.DialContext(ctx, "tcp", e.Addr)
	if err != nil {
		tb.Logf("dialing from %v: %v; using the default address", local, err)
		return e.dial(tb, opts)
	}
	o := client.Options{}
	if opts != nil {
		o = *opts
	}
	cfg := e.tlsConfig(tb)
	if cfg.ServerName == "" && !cfg.InsecureSkipVerify {
		cfg.ServerName = host
	}
	var c *client.Client
	switch e.Security {
	case "tls":
		tc := tls.Client(nc, cfg)
		if err = tc.HandshakeContext(ctx); err == nil {
			c, err = client.New(ctx, tc, &o)
		}
	case "starttls":
		if c, err = client.New(ctx, nc, &o); err == nil {
			err = c.StartTLS(ctx, cfg)
		}
	case "plain":
		o.AllowPlaintext = true
		c, err = client.New(ctx, nc, &o)
	}
	if err != nil {
		nc.Close()
		tb.Fatalf("connecting to %s from %v (%s): %v", e.Addr, local, e.Security, err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// connect dials and logs in; LOGOUT is sent when the test ends.
func (e *interopEnv) connect(tb testing.TB, opts *client.Options) *client.Client {
	tb.Helper()
	c := e.dial(tb, opts)
	e.login(tb, c)
	return c
}

func (e *interopEnv) login(tb testing.TB, c *client.Client) {
	tb.Helper()
	ctx, cancel := opCtx()
	defer cancel()
	if err := c.Login(ctx, e.User, e.Pass); err != nil {
		tb.Fatalf("LOGIN %s: %v", e.User, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := opCtx()
		defer cancel()
		if err := c.Logout(ctx); err != nil {
			tb.Logf("LOGOUT: %v", err)
		}
	})
}

// rawDial opens a connection in the configured security mode without the
// client package: TCP or TLS, the greeting read, STARTTLS done by hand when
// configured. It returns the connection (TLS where configured) and a reader
// positioned after the greeting (or after the STARTTLS handshake).
func (e *interopEnv) rawDial(tb testing.TB) (net.Conn, *bufio.Reader) {
	tb.Helper()
	ctx, cancel := opCtx()
	defer cancel()
	host, _, err := net.SplitHostPort(e.Addr)
	if err != nil {
		tb.Fatal(err)
	}
	cfg := e.tlsConfig(tb)
	if cfg.ServerName == "" && !cfg.InsecureSkipVerify {
		cfg.ServerName = host
	}
	var nc net.Conn
	if e.Security == "tls" {
		nc, err = (&tls.Dialer{Config: cfg}).DialContext(ctx, "tcp", e.Addr)
	} else {
		nc, err = (&net.Dialer{}).DialContext(ctx, "tcp", e.Addr)
	}
	if err != nil {
		tb.Fatalf("raw dial %s: %v", e.Addr, err)
	}
	tb.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(opTimeout))
	defer nc.SetDeadline(time.Time{})
	br := bufio.NewReaderSize(nc, 64<<10)
	greeting, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(greeting, "* OK") {
		tb.Fatalf("raw greeting %q: %v", greeting, err)
	}
	if e.Security != "starttls" {
		return nc, br
	}
	if _, err := io.WriteString(nc, "S1 STARTTLS\r\n"); err != nil {
		tb.Fatal(err)
	}
	if line, err := rawReadTagged(br, "S1"); err != nil || !strings.HasPrefix(line, "S1 OK") {
		tb.Fatalf("raw STARTTLS: %q, %v", line, err)
	}
	if br.Buffered() > 0 {
		tb.Fatal("raw STARTTLS: data after the OK")
	}
	tc := tls.Client(nc, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		tb.Fatalf("raw STARTTLS handshake: %v", err)
	}
	return tc, bufio.NewReaderSize(tc, 64<<10)
}

// rawReadTagged reads responses, discarding literals, until the tagged
// line of tag, and returns that line.
func rawReadTagged(br *bufio.Reader, tag string) (string, error) {
	prefix := []byte(tag + " ")
	for {
		line, err := br.ReadSlice('\n')
		for err == bufio.ErrBufferFull { // a line longer than the buffer: keep its end
			line, err = br.ReadSlice('\n')
		}
		if err != nil {
			return "", err
		}
		if bytes.HasPrefix(line, prefix) {
			return string(line), nil
		}
		if n, ok := literalAtEnd(line); ok {
			if _, err := br.Discard(int(n)); err != nil {
				return "", err
			}
		}
	}
}

// literalAtEnd reports the size of the literal a line announces ("{n}"
// before its CRLF).
func literalAtEnd(line []byte) (int64, bool) {
	line = bytes.TrimSuffix(line, []byte("\r\n"))
	if len(line) < 3 || line[len(line)-1] != '}' {
		return 0, false
	}
	i := bytes.LastIndexByte(line, '{')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(bytes.TrimSuffix(line[i+1:len(line)-1], []byte("+"))), 10, 64)
	return n, err == nil && n >= 0
}

// rawQuote writes s as an IMAP quoted string.
func rawQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// rawCommand sends line with tag and returns the tagged response line,
// failing the test unless it is OK.
func rawCommand(tb testing.TB, nc net.Conn, br *bufio.Reader, tag, line string) {
	tb.Helper()
	nc.SetDeadline(time.Now().Add(opTimeout))
	defer nc.SetDeadline(time.Time{})
	if _, err := io.WriteString(nc, tag+" "+line+"\r\n"); err != nil {
		tb.Fatal(err)
	}
	resp, err := rawReadTagged(br, tag)
	if err != nil || !strings.HasPrefix(resp, tag+" OK") {
		tb.Fatalf("raw %s: %q, %v", strings.Fields(line)[0], resp, err)
	}
}

// dialHiding connects through a filter that removes the capabilities hide
// from every CAPABILITY response and response code, so that the client's
// fallbacks (Move without MOVE, Search without ESEARCH, Idle without IDLE,
// ...) run against the real server. The transport underneath is what the
// configuration says (TLS or STARTTLS); since the client cannot see that
// through the filter, AllowPlaintext is set. The client is logged in.
func (e *interopEnv) dialHiding(tb testing.TB, opts *client.Options, hide ...string) *client.Client {
	tb.Helper()
	o := client.Options{}
	if opts != nil {
		o = *opts
	}
	o.AllowPlaintext = true
	c := e.rawClient(tb, &o, hide...)
	e.login(tb, c)
	for _, h := range hide {
		if c.Has(h) {
			tb.Fatalf("the filter did not hide %s", h)
		}
	}
	return c
}

// rawClient starts a client, not logged in, on a connection made by rawDial
// and wrapped in a capFilter hiding the capabilities hide. The client sees
// a net.Conn that is not a *tls.Conn, so it takes it for cleartext.
func (e *interopEnv) rawClient(tb testing.TB, opts *client.Options, hide ...string) *client.Client {
	tb.Helper()
	nc, br := e.rawDial(tb)
	f := &capFilter{Conn: nc, br: br, hide: map[string]bool{},
		// The greeting was consumed by rawDial; give the client one.
		out: []byte("* OK imapwire interop test filter ready\r\n")}
	for _, h := range hide {
		f.hide[strings.ToUpper(h)] = true
	}
	ctx, cancel := opCtx()
	defer cancel()
	c, err := client.New(ctx, f, opts)
	if err != nil {
		tb.Fatalf("client.New on the filtered connection: %v", err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// capFilter is a net.Conn that rewrites CAPABILITY lists on the way in.
type capFilter struct {
	net.Conn
	br   *bufio.Reader
	hide map[string]bool

	mu  sync.Mutex
	out []byte // filtered bytes not yet read
	lit int64  // literal bytes to pass through untouched
}

func (f *capFilter) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.out) == 0 {
		if f.lit > 0 {
			n, err := f.br.Read(p[:min(int64(len(p)), f.lit)])
			f.lit -= int64(n)
			return n, err
		}
		line, err := f.br.ReadBytes('\n')
		if len(line) > 0 {
			f.out = f.filter(line)
			if n, ok := literalAtEnd(line); ok {
				f.lit = n
			}
		}
		if err != nil {
			if len(f.out) == 0 {
				return 0, err
			}
			break
		}
	}
	n := copy(p, f.out)
	f.out = f.out[n:]
	return n, nil
}

// filter removes the hidden capabilities from "* CAPABILITY ..." and from
// "[CAPABILITY ...]" codes.
func (f *capFilter) filter(line []byte) []byte {
	s := string(line)
	var start, end int
	switch {
	case strings.HasPrefix(strings.ToUpper(s), "* CAPABILITY "):
		start = len("* CAPABILITY ")
		end = len(strings.TrimRight(s, "\r\n"))
	case strings.Contains(strings.ToUpper(s), "[CAPABILITY "):
		start = strings.Index(strings.ToUpper(s), "[CAPABILITY ") + len("[CAPABILITY ")
		end = start + strings.IndexByte(s[start:], ']')
		if end < start {
			return line
		}
	default:
		return line
	}
	var kept []string
	for _, c := range strings.Fields(s[start:end]) {
		if !f.hide[strings.ToUpper(c)] {
			kept = append(kept, c)
		}
	}
	return []byte(s[:start] + strings.Join(kept, " ") + s[end:])
}

// A scratch folder: a uniquely named folder under the personal namespace
// that a test creates, works in, and deletes with everything under it.
type scratch struct {
	Base  string // the folder's full name
	Delim string // the server's hierarchy delimiter ("" for a flat namespace)
}

// newScratch creates a scratch folder named after the test, in the first
// personal namespace (NAMESPACE, or the LIST "" "" delimiter without it):
// under its prefix, such as "INBOX." where the server has one, never at
// the top level on the assumption that it may be created there.
// When the test ends, a separate connection unsubscribes and deletes it and
// every folder under it, deepest first, and checks that none is left.
func (e *interopEnv) newScratch(tb testing.TB, c *client.Client) *scratch {
	tb.Helper()
	ctx, cancel := opCtx()
	defer cancel()
	prefix, delim := "", ""
	if c.Has("NAMESPACE") {
		ns, err := c.Namespace(ctx)
		if err != nil {
			tb.Fatalf("NAMESPACE: %v", err)
		}
		if len(ns.Personal) > 0 {
			prefix, delim = ns.Personal[0].Prefix, ns.Personal[0].Delim
		}
	} else {
		l, err := c.List(ctx, "", "", nil)
		if err != nil {
			tb.Fatalf(`LIST "" "": %v`, err)
		}
		if len(l) > 0 {
			delim = l[0].Delim
		}
	}
	var rnd [4]byte
	rand.Read(rnd[:])
	// Hierarchy delimiters are "/" or "." (INBOX.): neither goes in the
	// name, nor the delimiter the server has.
	name := strings.NewReplacer("/", "-", ".", "-", " ", "-").Replace(tb.Name())
	if delim != "" {
		name = strings.ReplaceAll(name, delim, "-")
	}
	s := &scratch{
		Base:  prefix + "imapwire-test-" + name + "-" + hex.EncodeToString(rnd[:]),
		Delim: delim,
	}
	if err := c.Create(ctx, s.Base); err != nil {
		tb.Fatalf("CREATE %q: %v", s.Base, err)
	}
	tb.Cleanup(func() { e.removeScratch(tb, s) })
	return s
}

// Path returns the name of a folder under the scratch folder.
func (s *scratch) Path(parts ...string) string {
	sep := s.Delim
	if sep == "" {
		sep = "-" // flat namespace: sibling names with the same prefix
	}
	return s.Base + sep + strings.Join(parts, sep)
}

func (e *interopEnv) removeScratch(tb testing.TB, s *scratch) {
	ctx, cancel := opCtx()
	defer cancel()
	c := e.dial(tb, nil)
	if err := c.Login(ctx, e.User, e.Pass); err != nil {
		tb.Errorf("cleanup of %q: LOGIN: %v", s.Base, err)
		return
	}
	defer c.Logout(ctx)
	// The base name is unique (random suffix), so Base* is only ours.
	pattern := s.Base + "*"
	if subs, err := c.Lsub(ctx, "", pattern); err == nil {
		for _, l := range subs {
			c.Unsubscribe(ctx, l.Name)
		}
	}
	list, err := c.List(ctx, "", pattern, nil)
	if err != nil {
		tb.Errorf("cleanup of %q: LIST: %v", s.Base, err)
		return
	}
	names := []string{}
	for _, l := range list {
		names = append(names, l.Name)
	}
	// Deepest first: servers refuse to delete a folder with children, or
	// leave it as \Noselect. A parent that was never created (CREATE a/b
	// alone) is listed as \NonExistent or \Noselect and vanishes with
	// its children: deleting it fails, which the final LIST judges.
	slices.SortFunc(names, func(a, b string) int { return len(b) - len(a) })
	var failed []error
	for _, n := range names {
		if err := c.Delete(ctx, n); err != nil {
			failed = append(failed, err)
		}
	}
	if left, err := c.List(ctx, "", pattern, nil); err != nil || len(left) > 0 {
		var names []string
		for _, l := range left {
			names = append(names, l.Name)
		}
		tb.Errorf("cleanup of %q left %q (%v); DELETE errors: %v", s.Base, names, err, failed)
	}
}

// testMessage returns an RFC 5322 message with CRLF line ends.
func testMessage(subject, body string) []byte {
	var rnd [8]byte
	rand.Read(rnd[:])
	return fmt.Appendf(nil, "From: Alice Example <alice@example.org>\r\n"+
		"To: Bob Example <bob@example.org>\r\n"+
		"Subject: %s\r\n"+
		"Date: Mon, 15 Jul 2013 10:00:00 +0200\r\n"+
		"Message-ID: <%x@imapwire.test>\r\n"+
		"MIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n"+
		"Content-Transfer-Encoding: 8bit\r\n"+
		"\r\n"+
		"%s\r\n", subject, rnd, body)
}

// appendMsg appends msg and returns its APPENDUID (zero without UIDPLUS).
func appendMsg(tb testing.TB, c *client.Client, mailbox string, msg []byte, opts *client.AppendOptions) client.AppendUID {
	tb.Helper()
	ctx, cancel := opCtx()
	defer cancel()
	au, err := c.Append(ctx, mailbox, int64(len(msg)), bytes.NewReader(msg), opts)
	if err != nil {
		tb.Fatalf("APPEND to %q: %v", mailbox, err)
	}
	if c.Has("UIDPLUS") && (au.UID == 0 || au.UIDValidity == 0) {
		tb.Fatalf("APPEND to %q: no APPENDUID although the server has UIDPLUS", mailbox)
	}
	return au
}

// fetchAll collects a UID FETCH of set, failing the test on error.
func fetchAll(tb testing.TB, c *client.Client, uid bool, set wire.SeqSet, items ...string) []*parser.Message {
	tb.Helper()
	ctx, cancel := opCtx()
	defer cancel()
	var (
		f   *client.FetchCommand
		err error
	)
	if uid {
		f, err = c.UIDFetch(ctx, set, items...)
	} else {
		f, err = c.Fetch(ctx, set, items...)
	}
	if err != nil {
		tb.Fatalf("FETCH %s %v: %v", set, items, err)
	}
	msgs, err := f.Collect(ctx)
	if err != nil {
		tb.Fatalf("FETCH %s %v: %v", set, items, err)
	}
	return msgs
}

// bodiesByUID fetches BODY.PEEK[] of the UIDs in set.
func bodiesByUID(tb testing.TB, c *client.Client, set wire.SeqSet) map[uint32][]byte {
	tb.Helper()
	out := map[uint32][]byte{}
	for _, m := range fetchAll(tb, c, true, set, "UID", "BODY.PEEK[]") {
		if m.UID == 0 {
			tb.Fatalf("UID FETCH: message %d without UID", m.SeqNum)
		}
		out[m.UID] = m.Section("BODY[]")
	}
	return out
}

// flagsOf returns the flags of the messages in set by UID.
func flagsOf(tb testing.TB, c *client.Client, set wire.SeqSet) map[uint32][]string {
	tb.Helper()
	ctx, cancel := opCtx()
	defer cancel()
	msgs, err := c.GetFlags(ctx, true, set)
	if err != nil {
		tb.Fatalf("GetFlags %s: %v", set, err)
	}
	out := map[uint32][]string{}
	for _, m := range msgs {
		out[m.UID] = m.Flags
	}
	return out
}

func hasFlag(flags []string, f string) bool {
	return slices.ContainsFunc(flags, func(x string) bool { return strings.EqualFold(x, f) })
}

// requireCap skips the test when the server lacks a capability.
func requireCap(tb testing.TB, c *client.Client, caps ...string) {
	tb.Helper()
	for _, cp := range caps {
		if !c.Has(cp) {
			tb.Skipf("the server does not advertise %s", cp)
		}
	}
}

// nums returns the numbers of a set (without "*").
func nums(set wire.SeqSet) []uint32 {
	var out []uint32
	for n := range set.All(0) {
		out = append(out, n)
	}
	return out
}

// traceWatch is a Trace writer that records the transcript and lets a test
// wait until the server sent a number of continuation requests (IDLE's
// "+ idling").
type traceWatch struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newTraceWatch() *traceWatch { return &traceWatch{changed: make(chan struct{})} }

func (w *traceWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	close(w.changed)
	w.changed = make(chan struct{})
	return len(p), nil
}

// continuations counts the server's "+" lines so far.
func (w *traceWatch) continuations() (int, chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := w.buf.Bytes()
	n := bytes.Count(b, []byte("\nS: +"))
	if bytes.HasPrefix(b, []byte("S: +")) {
		n++
	}
	return n, w.changed
}

// waitContinuations waits until the server has sent n continuations.
func (w *traceWatch) waitContinuations(ctx context.Context, n int) error {
	for {
		got, changed := w.continuations()
		if got >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("waiting for continuation #%d (have %d): %w", n, got, ctx.Err())
		}
	}
}

func (w *traceWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// isCtxErr reports a context error.
func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// rng returns the sequence set start:stop (0 for "*").
func rng(start, stop uint32) wire.SeqSet { return wire.SeqSet{{Start: start, Stop: stop}} }
