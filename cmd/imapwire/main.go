// Command imapwire is a tool for seeing what an IMAP server really says.
//
// Usage:
//
//	imapwire [flags] HOST[:PORT]
//	imapwire -demo [flags]
//	imapwire -demo-serve ADDR [-demo-password PASS] [-demo-mode dovecot|other]
//	imapwire parse [-json] [-q] [-strict] [FILE|-]
//
// The first form opens a raw session (a REPL, repl.go): each line typed is
// sent to the server, a tag put in front when it has none, and each
// response is shown as the bytes received and as parsed; lines starting
// with a dot are meta commands (.help). Without a terminal, stdin is a
// script: at its end imapwire waits for the answers, logs out and exits.
//
// parse reads a server-to-client byte stream (a raw capture, or a
// transcript whose lines start with "S: " and "C: ") and prints every
// response as a tree, as JSON lines (-json) or as a summary (-q). Exit
// status is 0 when every response parsed, 1 when any was malformed, and 2
// for usage errors.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	if code, ok := runDemoFlags(args, stdin, stdout, stderr); ok {
		return code // -demo or -demo-serve (demo.go)
	}
	switch args[0] {
	case "parse":
		return runParse(args[1:], stdin, stdout, stderr)
	case "help", "-h", "-help", "--help":
		usage(stdout)
		fmt.Fprintln(stdout)
		sessionFlags(&sessionConfig{}, stdout).Usage()
		return 0
	}
	if !strings.HasPrefix(args[0], "-") && !looksLikeHost(args[0]) {
		fmt.Fprintf(stderr, "imapwire: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	return runSession(args, stdin, stdout, stderr)
}

// looksLikeHost tells a session's HOST[:PORT] from a mistyped subcommand:
// a host has a dot or a colon, or is localhost.
func looksLikeHost(arg string) bool {
	return strings.ContainsAny(arg, ".:") || arg == "localhost"
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  imapwire [flags] HOST[:PORT]             a raw session: type IMAP, see bytes and parse (imapwire -h for flags)
  imapwire -demo [flags]                   the same with the built-in demo server (user demo, password demo)
  imapwire -demo-serve ADDR [-demo-password PASS]
                                           only the demo server, on ADDR (127.0.0.1:0: a free port); prints host:port
    -demo-mode dovecot|other               with -demo or -demo-serve: the server the demo server behaves like
                                           (other: INBOX. namespace, no LITERAL+, no codes on NO, ...; see internal/demo)
  imapwire parse [-json] [-q] [-strict] [FILE|-]
                                           parse a server byte stream or S:/C: transcript
`)
}
