package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/imapwire/imapwire/internal/demo"
)

// runDemoFlags runs -demo and -demo-serve; ok is false when args have
// neither.
func runDemoFlags(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int, ok bool) {
	if len(args) == 0 || args[0] == "parse" {
		return 0, false
	}
	demoREPL, serveAddr, password, rest, valid := demoArgs(args)
	switch {
	case !valid:
		fmt.Fprintln(stderr, "imapwire: -demo-serve needs an address, such as 127.0.0.1:0, and -demo-password a password")
		return 2, true
	case serveAddr != "":
		return runDemoServe(serveAddr, password, stdout, stderr), true
	case demoREPL:
		return runDemo(rest, stdin, stdout, stderr), true
	}
	return 0, false
}

// demoArgs reports whether args ask for the built-in demo server: -demo
// (a REPL connected to it) or -demo-serve ADDR [-demo-password PASS] (the
// server alone).
func demoArgs(args []string) (demoREPL bool, serveAddr, password string, rest []string, ok bool) {
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-demo", "--demo":
			demoREPL = true
		case "-demo-serve", "--demo-serve", "-demo-password", "--demo-password":
			if i+1 == len(args) {
				return false, "", "", nil, false
			}
			if strings.HasSuffix(args[i], "serve") {
				serveAddr = args[i+1]
			} else {
				password = args[i+1]
			}
			i++
		default:
			rest = append(rest, args[i])
		}
	}
	return demoREPL, serveAddr, password, rest, true
}

// runDemo starts the demo server (internal/demo) on a random loopback
// port in this process and runs the REPL against it in plain mode: a
// working session on a machine with no IMAP account. The other flags are
// the REPL's.
func runDemo(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	srv, err := demo.Listen("127.0.0.1:0", nil)
	if err != nil {
		fmt.Fprintln(stderr, "imapwire: demo server:", err)
		return 1
	}
	defer srv.Close()
	addr := srv.Addr().String()
	fmt.Fprintf(stdout, "# imapwire demo server on %s: in memory, for teaching and testing; every run starts from the same sample mailboxes\n", addr)
	fmt.Fprintln(stdout, "# try: LOGIN demo demo")
	fmt.Fprintln(stdout, `#      LIST "" *`)
	return runSession(append(append([]string{"-security", "plain"}, args...), addr), stdin, stdout, stderr)
}

// runDemoServe serves the demo server on addr until SIGINT or SIGTERM,
// after printing its address (host:port) as the first line of stdout, so
// that a script can point tests at it (IMAPWIRE_TEST_ADDR). A password
// other than "" replaces the sample account's ("demo"): the interop suite
// checks that its traces never show the password, which cannot hold when
// it equals the user name.
func runDemoServe(addr, password string, stdout, stderr io.Writer) int {
	srv, err := demo.Listen(addr, &demo.Options{Password: password})
	if err != nil {
		fmt.Fprintln(stderr, "imapwire: demo server:", err)
		return 1
	}
	fmt.Fprintln(stdout, srv.Addr().String())
	if f, ok := stdout.(*os.File); ok {
		f.Sync()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	signal.Stop(sig)
	srv.Close()
	return 0
}
