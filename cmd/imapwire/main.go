// Command imapwire is a tool for seeing what an IMAP server really says.
//
// Usage:
//
//	imapwire parse [-json] [-q] [FILE|-]
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
	switch args[0] {
	case "parse":
		return runParse(args[1:], stdin, stdout, stderr)
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "imapwire: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  imapwire parse [-json] [-q] [FILE|-]   parse a server byte stream or S:/C: transcript
`)
}
