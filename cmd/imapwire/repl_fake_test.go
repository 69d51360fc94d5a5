package main

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/imapwire/imapwire/internal/testcert"
	"github.com/imapwire/imapwire/wire"
)

// A fakeServer is a small scripted IMAP server on loopback, enough to
// drive the REPL without Dovecot: it answers a few commands, reads
// literals after a "+", and can be made to misbehave.
type fakeServer struct {
	t    *testing.T
	ln   net.Listener
	addr string
	cert tls.Certificate

	// greeting is sent first; "" means the default.
	greeting string
	// injectAfterStartTLS makes the server send bytes after its OK to
	// STARTTLS, before the handshake (the STARTTLS injection attack).
	injectAfterStartTLS bool
	// implicitTLS makes the server speak TLS from the first byte (as on
	// port 993), with its self-signed certificate.
	implicitTLS bool
	// refuseStartTLS makes the server answer STARTTLS with NO.
	refuseStartTLS bool

	mu       sync.Mutex
	received []string    // command lines and literals, as read
	idle     chan string // responses to send while idling
	conns    []net.Conn
	done     chan struct{}
	wg       sync.WaitGroup
	password string
}

const fakeBody = "Subject: hello\r\nFrom: a@example.org\r\n\r\nline one\r\nline two\r\n"

// newFakeServer starts a server; opts configure it before it serves.
func newFakeServer(t *testing.T, opts ...func(*fakeServer)) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeServer{t: t, ln: ln, addr: ln.Addr().String(), idle: make(chan string, 10),
		done: make(chan struct{}), password: "s3cret pass"}
	f.cert = selfSigned(t)
	for _, o := range opts {
		o(f)
	}
	f.wg.Add(1)
	go f.serve()
	t.Cleanup(f.close)
	return f
}

func (f *fakeServer) close() {
	close(f.done)
	f.ln.Close()
	f.mu.Lock()
	for _, c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

func (f *fakeServer) serve() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		f.conns = append(f.conns, c)
		f.mu.Unlock()
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			defer c.Close()
			f.session(c)
		}()
	}
}

// lines returns what the server received.
func (f *fakeServer) lines() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.received...)
}

func (f *fakeServer) record(s string) {
	f.mu.Lock()
	f.received = append(f.received, s)
	f.mu.Unlock()
}

func (f *fakeServer) session(c net.Conn) {
	if f.implicitTLS {
		c = tls.Server(c, &tls.Config{Certificates: []tls.Certificate{f.cert}})
	}
	var nc net.Conn = c
	r := bufio.NewReader(nc)
	w := func(s string) { io.WriteString(nc, s) }
	g := f.greeting
	if g == "" {
		g = "* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN SASL-IR IDLE LITERAL+] fake ready\r\n"
	}
	w(g)
	for {
		line, err := readCommand(r, w, f.record)
		if err == errFakeTooBig {
			continue // answered NO [TOOBIG] instead of "+"
		}
		if err != nil {
			return
		}
		tag, rest, _ := strings.Cut(line, " ")
		name, args, _ := strings.Cut(rest, " ")
		switch strings.ToUpper(name) {
		case "CAPABILITY":
			w("* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN SASL-IR IDLE LITERAL+\r\n" + tag + " OK done\r\n")
		case "NOOP":
			w(tag + " OK noop\r\n")
		case "LOGIN":
			if strings.HasSuffix(args, f.password) || strings.HasSuffix(args, strconv.Quote(f.password)) {
				w(tag + " OK [CAPABILITY IMAP4rev1 IDLE] logged in\r\n")
			} else {
				w(tag + " NO [AUTHENTICATIONFAILED] bad password\r\n")
			}
		case "AUTHENTICATE":
			if _, ir, ok := strings.Cut(args, " "); ok && ir != "" {
				w(tag + " OK authenticated\r\n")
				break
			}
			w("+ \r\n")
			if _, err := readCommand(r, w, f.record); err != nil {
				return
			}
			w(tag + " OK authenticated\r\n")
		case "SELECT":
			w("* 1 EXISTS\r\n* OK [UIDVALIDITY 42] ok\r\n" + tag + " OK [READ-WRITE] selected\r\n")
		case "APPEND":
			w("* 2 EXISTS\r\n" + tag + " OK [APPENDUID 42 8] appended\r\n")
		case "FETCH":
			w(fmt.Sprintf("* 1 FETCH (UID 7 FLAGS (\\Seen) BODY[] {%d}\r\n%s)\r\n", len(fakeBody), fakeBody))
			w(tag + " OK fetched\r\n")
		case "XBROKEN":
			// A malformed FETCH (UID must be a number), then a good one.
			w("* 1 FETCH (UID x FLAGS ())\r\n* 3 EXISTS\r\n" + tag + " OK so much for that\r\n")
		case "IDLE":
			w("+ idling\r\n")
			// What was queued before IDLE goes out at once, from this
			// goroutine: on the wire before the OK that ends the IDLE.
			for queued := true; queued; {
				select {
				case s := <-f.idle:
					w(s)
				default:
					queued = false
				}
			}
			go func() {
				for {
					select {
					case s := <-f.idle:
						w(s)
					case <-f.done:
						return
					}
				}
			}()
			if _, err := readCommand(r, w, f.record); err != nil {
				return
			}
			w(tag + " OK idle done\r\n")
		case "STARTTLS":
			if f.refuseStartTLS {
				w(tag + " NO not today\r\n")
				break
			}
			if f.injectAfterStartTLS {
				w(tag + " OK begin TLS\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n")
			} else {
				w(tag + " OK begin TLS\r\n")
			}
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{f.cert}})
			if err := tc.Handshake(); err != nil {
				return
			}
			nc = tc
			r = bufio.NewReader(nc)
		case "LOGOUT":
			w("* BYE bye\r\n" + tag + " OK logged out\r\n")
			return
		default:
			w(tag + " BAD unknown command\r\n")
		}
	}
}

// fakeMaxLiteral is the largest synchronizing literal the fake server
// accepts; for a larger one it answers "tag NO [TOOBIG]" instead of "+",
// and the command is over (RFC 7889 and RFC 3501 7.5).
const fakeMaxLiteral = 1 << 20

var errFakeTooBig = errors.New("literal refused")

// readCommand reads a command line, with its literals (answering "+"
// for synchronizing ones), and records the line and each literal. A
// synchronizing literal over fakeMaxLiteral is refused with errFakeTooBig.
func readCommand(r *bufio.Reader, w func(string), record func(string)) (string, error) {
	var full strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", err
		}
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		record(line)
		full.WriteString(line)
		n, nonSync, ok := wire.LiteralAtLineEnd([]byte(line))
		if !ok {
			return full.String(), nil
		}
		if !nonSync && n > fakeMaxLiteral {
			tag, _, _ := strings.Cut(full.String(), " ")
			w(tag + " NO [TOOBIG] literal too big\r\n")
			return "", errFakeTooBig
		}
		if !nonSync {
			w("+ go ahead\r\n")
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return "", err
		}
		record("literal:" + string(b))
	}
}

// selfSigned returns a certificate for 127.0.0.1, trusted by nobody.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	cert, _, err := testcert.New()
	if err != nil {
		t.Fatal(err)
	}
	return cert
}
