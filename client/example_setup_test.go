package client_test

import (
	"log"

	"github.com/imapwire/imapwire/internal/demo"
)

// The Examples in example_test.go are the tutorial's programs (Python's
// imaplib and IMAPClient) in Go. They run in plain `go test`, each against
// a demo server of its own (internal/demo, in memory on loopback, no TLS),
// which starts from the sample account in testdata/demo every time: that
// is what makes their output the same on every run, so that `// Output:`
// can check it. Only the address comes from here; everything else in an
// Example is the client's exported API, to copy as it is. Against a real
// server, dial with TLS instead:
//
//	c, err := client.DialTLS(ctx, "imap.example.org", nil)
//
// The interop suite (interop_test.go, `make interop`) checks the same
// calls against Dovecot. `make interop` runs the Examples too, but still
// against the demo server: their output is the sample account's.

// demoServer starts a demo server on a loopback port and returns its
// address and the function that stops it. UIDVALIDITY starts at 1 instead
// of the clock, so that the Examples may print it.
func demoServer() (addr string, stop func()) {
	srv, err := demo.Listen("127.0.0.1:0", &demo.Options{UIDValidity: 1})
	if err != nil {
		log.Fatal(err)
	}
	return srv.Addr().String(), func() { srv.Close() }
}
