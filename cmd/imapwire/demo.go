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
	d, err := demoArgs(args)
	switch {
	case err != nil:
		fmt.Fprintln(stderr, "imapwire:", err)
		return 2, true
	case d.serveAddr != "":
		return runDemoServe(d, stdout, stderr), true
	case d.repl:
		return runDemo(d, stdin, stdout, stderr), true
	case d.modeSet || d.password != "":
		fmt.Fprintln(stderr, "imapwire: -demo-mode and -demo-password go with -demo or -demo-serve")
		return 2, true
	}
	return 0, false
}

// demoConfig is what the demo flags ask for.
type demoConfig struct {
	repl      bool      // -demo: a REPL connected to the demo server
	serveAddr string    // -demo-serve ADDR: the server alone
	password  string    // -demo-password PASS
	mode      demo.Mode // -demo-mode dovecot|other
	modeSet   bool
	rest      []string // the other arguments (the REPL's flags)
}

// demoArgs reads the demo flags from args: -demo, -demo-serve ADDR,
// -demo-password PASS and -demo-mode dovecot|other.
func demoArgs(args []string) (demoConfig, error) {
	var d demoConfig
	for i := 0; i < len(args); i++ {
		name := strings.TrimPrefix(args[i], "-")
		switch name {
		case "-demo", "demo":
			d.repl = true
		case "-demo-serve", "demo-serve", "-demo-password", "demo-password", "-demo-mode", "demo-mode":
			name = strings.TrimPrefix(name, "-")
			if i+1 == len(args) {
				return demoConfig{}, fmt.Errorf("-%s needs a value: -demo-serve an address such as 127.0.0.1:0, -demo-password a password, -demo-mode dovecot or other", name)
			}
			v := args[i+1]
			i++
			switch name {
			case "demo-serve":
				d.serveAddr = v
			case "demo-password":
				d.password = v
			case "demo-mode":
				m, err := demo.ParseMode(v)
				if err != nil {
					return demoConfig{}, fmt.Errorf("-demo-mode %q: want dovecot or other", v)
				}
				d.mode, d.modeSet = m, true
			}
		default:
			d.rest = append(d.rest, args[i])
		}
	}
	return d, nil
}

// runDemo starts the demo server (internal/demo) on a random loopback
// port in this process and runs the REPL against it in plain mode: a
// working session on a machine with no IMAP account. The other flags are
// the REPL's.
func runDemo(d demoConfig, stdin io.Reader, stdout, stderr io.Writer) int {
	srv, err := demo.Listen("127.0.0.1:0", &demo.Options{Password: d.password, Mode: d.mode})
	if err != nil {
		fmt.Fprintln(stderr, "imapwire: demo server:", err)
		return 1
	}
	defer srv.Close()
	addr := srv.Addr().String()
	fmt.Fprintf(stdout, "# imapwire demo server on %s: in memory, for teaching and testing; every run starts from the same sample mailboxes\n", addr)
	if d.mode == demo.ModeOther {
		fmt.Fprintln(stdout, "# mode other: INBOX. namespace with \".\", no LITERAL+, no codes on NO (internal/demo's package doc lists the differences)")
	}
	pass := demo.DemoPassword
	if d.password != "" {
		pass = d.password
	}
	fmt.Fprintln(stdout, "# try: LOGIN demo "+pass)
	fmt.Fprintln(stdout, `#      LIST "" *`)
	return runSession(append(append([]string{"-security", "plain"}, d.rest...), addr), stdin, stdout, stderr)
}

// runDemoServe serves the demo server on d.serveAddr until SIGINT or
// SIGTERM, after printing its address (host:port) as the first line of
// stdout, so that a script can point tests at it (IMAPWIRE_TEST_ADDR). A
// password other than "" replaces the sample account's ("demo"): the
// interop suite checks that its traces never show the password, which
// cannot hold when it equals the user name. d.mode is the server it
// behaves like (demo.Options.Mode).
func runDemoServe(d demoConfig, stdout, stderr io.Writer) int {
	srv, err := demo.Listen(d.serveAddr, &demo.Options{Password: d.password, Mode: d.mode})
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
