package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/term"
)

// This file holds the REPL's console: on a terminal, golang.org/x/term's
// Terminal (line editing, history, completion, and output that redraws the
// prompt, so that responses can be printed while the user types); without
// one, plain lines in and out, no prompt.

// A console reads the user's lines and prints the session.
type console struct {
	term    *term.Terminal // nil without a terminal
	restore func()         // puts the terminal back as it was
	hist    *history
	size    func() // reads the window size into term

	in     *bufio.Reader // the lines, without a terminal
	ttyIn  int           // stdin's descriptor when it is a terminal but stdout is not, else -1
	out    io.Writer
	errOut io.Writer
	outMu  sync.Mutex // serializes writes to out without a terminal
	color  palette

	reqs chan inputReq // to the goroutine that reads input
}

type inputReq struct {
	prompt   string
	password bool
	reply    chan inputResult
}

type inputResult struct {
	line string
	err  error
}

// newConsole sets up the console: a terminal when stdin and stdout are
// both terminals, plain lines otherwise.
func newConsole(stdin io.Reader, stdout, stderr io.Writer, cfg *sessionConfig) (*console, error) {
	c := &console{out: stdout, errOut: stderr, ttyIn: -1, reqs: make(chan inputReq)}
	inF, inOK := stdin.(*os.File)
	outF, outOK := stdout.(*os.File)
	inTTY := inOK && term.IsTerminal(int(inF.Fd()))
	outTTY := outOK && term.IsTerminal(int(outF.Fd()))
	switch cfg.color {
	case "always":
		c.color = true
	case "auto":
		c.color = palette(outTTY && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb")
	}
	if inTTY && outTTY {
		fd := int(inF.Fd())
		st, err := term.MakeRaw(fd)
		if err != nil {
			return nil, err
		}
		c.restore = func() { term.Restore(fd, st) }
		c.term = term.NewTerminal(struct {
			io.Reader
			io.Writer
		}{inF, outF}, "imapwire> ")
		c.hist = loadHistory(cfg.history)
		c.term.History = c.hist
		c.term.AutoCompleteCallback = c.complete
		c.size = func() {
			if w, h, err := term.GetSize(int(outF.Fd())); err == nil && w > 0 && h > 0 {
				c.term.SetSize(w, h)
			}
		}
		c.size()
	} else {
		c.in = bufio.NewReaderSize(stdin, 64<<10)
		if inTTY {
			c.ttyIn = int(inF.Fd())
		}
	}
	go c.readInput()
	return c, nil
}

// interactive reports whether the console is a terminal.
func (c *console) interactive() bool { return c.term != nil }

// close puts the terminal back.
func (c *console) close() {
	if c.restore != nil {
		c.restore()
	}
}

// print writes s, whose lines end with "\n".
func (c *console) print(s string) {
	if c.term != nil {
		c.term.Write([]byte(s))
		return
	}
	c.outMu.Lock()
	io.WriteString(c.out, s)
	c.outMu.Unlock()
}

// warn writes a warning: to stderr without a terminal, so that it is seen
// even when the output goes to a file.
func (c *console) warn(s string) {
	if c.term != nil {
		c.print(c.color.paint(colBad, s) + "\n")
		return
	}
	fmt.Fprintln(c.errOut, s)
}

// readInput serves the read requests, one at a time, on its own goroutine:
// the main goroutine can then stop waiting when the connection ends.
func (c *console) readInput() {
	for req := range c.reqs {
		line, err := c.read(req.prompt, req.password)
		req.reply <- inputResult{line, err}
	}
}

func (c *console) read(prompt string, password bool) (string, error) {
	if c.term != nil {
		c.size()
		if password {
			return c.term.ReadPassword(prompt)
		}
		c.term.SetPrompt(prompt)
		line, err := c.term.ReadLine()
		if err == term.ErrPasteIndicator {
			err = nil
		}
		return line, err
	}
	if password && c.ttyIn >= 0 {
		fmt.Fprint(c.errOut, prompt)
		b, err := term.ReadPassword(c.ttyIn)
		fmt.Fprintln(c.errOut)
		return string(b), err
	}
	line, err := c.in.ReadString('\n')
	if err == io.EOF && line != "" {
		err = nil // the last line has no end; EOF comes next time
	}
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	return line, err
}

// readLine reads a line (a password without echo), giving up with
// errClosed when dead is closed first.
func (c *console) readLine(prompt string, password bool, dead <-chan struct{}) (string, error) {
	req := inputReq{prompt: prompt, password: password, reply: make(chan inputResult, 1)}
	select {
	case c.reqs <- req:
	case <-dead:
		return "", errClosed
	}
	select {
	case r := <-req.reply:
		return r.line, r.err
	case <-dead:
		return "", errClosed
	}
}

// A history is the terminal's line history, kept in a file (one line per
// entry, the oldest first) when it has a name. Lines with credentials
// (LOGIN, AUTHENTICATE and SASL answers) are not kept.
type history struct {
	mu    sync.Mutex
	lines []string
	file  string
	skip  bool // do not keep the next line
}

const historyMax = 1000

func loadHistory(file string) *history {
	h := &history{file: file}
	if file == "" {
		return h
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return h
	}
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" {
			h.lines = append(h.lines, l)
		}
	}
	if n := len(h.lines); n > historyMax {
		h.lines = h.lines[n-historyMax:]
		if n > 2*historyMax { // keep the file from growing without end
			os.WriteFile(file, []byte(strings.Join(h.lines, "\n")+"\n"), 0o600)
		}
	}
	return h
}

// skipNext makes the next line read by ReadLine not kept (ReadPassword
// keeps none).
func (h *history) skipNext() {
	if h == nil {
		return
	}
	h.mu.Lock()
	h.skip = true
	h.mu.Unlock()
}

// Add implements term.History.
func (h *history) Add(entry string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	skip := h.skip
	h.skip = false
	if skip || strings.TrimSpace(entry) == "" || hasCredentials(entry) {
		return
	}
	if n := len(h.lines); n > 0 && h.lines[n-1] == entry {
		return
	}
	h.lines = append(h.lines, entry)
	if len(h.lines) > historyMax {
		h.lines = h.lines[1:]
	}
	if h.file == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(h.file), 0o700); err != nil {
		return
	}
	f, err := os.OpenFile(h.file, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return
	}
	fmt.Fprintln(f, entry)
	f.Close()
}

// Len implements term.History.
func (h *history) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.lines)
}

// At implements term.History: 0 is the most recent line.
func (h *history) At(i int) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lines[len(h.lines)-1-i]
}

// hasCredentials reports whether a typed line is a LOGIN or AUTHENTICATE
// command (with its tag or without).
func hasCredentials(line string) bool {
	_, name := splitCommand(line)
	return name == "LOGIN" || name == "AUTHENTICATE"
}
