package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/imapwire/imapwire/client"
	"github.com/imapwire/imapwire/wire"
)

// This file holds the REPL's entry point and its main loop: `imapwire
// [flags] HOST[:PORT]` connects, then every line typed is sent to the
// server (with a tag put in front when it has none) or, when it starts with
// a dot, run as a meta command (repl_meta.go). The reader goroutine
// (repl_session.go) shows each response as it arrives. Its model is
// golang.org/x/net/http2/h2i.

// sessionConfig holds the flags of a session.
type sessionConfig struct {
	addr     string // host:port
	host     string // for TLS verification
	security string // tls, starttls or plain
	insecure bool
	user     string
	trace    string
	view     string
	raw      bool
	strict   bool
	color    string
	history  string
	timeout  time.Duration
}

const sessionUsage = `usage: imapwire [flags] HOST[:PORT]

Opens a raw IMAP session: type commands (a tag is added when a line has
none), see each response as the bytes received and as parsed. Lines that
start with a dot are meta commands; .help lists them. Without a terminal,
every line of stdin is a command, and at its end imapwire waits for the
answers, logs out and exits.

flags:
`

// sessionFlags returns the flag set of a session, filling cfg.
func sessionFlags(cfg *sessionConfig, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("imapwire", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.security, "security", "tls", "`MODE`: tls (port 993 by default), starttls or plain (port 143)")
	fs.BoolVar(&cfg.insecure, "insecure-skip-verify", false, "accept any TLS certificate (self-signed test servers)")
	fs.StringVar(&cfg.user, "user", "", "log in as `NAME`, asking for the password without echo (from the next line of stdin when it is not a terminal)")
	fs.StringVar(&cfg.trace, "trace", "", "write a transcript to `FILE`, credentials masked; imapwire parse reads it")
	fs.StringVar(&cfg.view, "view", viewBoth, "`VIEW` of responses: raw, parsed, both or json")
	fs.BoolVar(&cfg.raw, "raw", false, "start in raw mode: lines are sent exactly as typed")
	fs.BoolVar(&cfg.strict, "strict", false, "parse responses without leniencies")
	fs.StringVar(&cfg.color, "color", "auto", "`WHEN` to colour: auto (on a terminal), always or never")
	fs.StringVar(&cfg.history, "history", defaultHistory(), "history `FILE` of the terminal's lines; empty for none")
	fs.DurationVar(&cfg.timeout, "timeout", time.Minute, "how long to wait for the server: to connect, for each command of a script, to log out")
	fs.Usage = func() {
		fmt.Fprint(out, sessionUsage)
		fs.PrintDefaults()
	}
	return fs
}

func runSession(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg := &sessionConfig{}
	fs := sessionFlags(cfg, stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	bad := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "imapwire: "+format+"\n", args...)
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	if !slices.Contains([]string{"tls", "starttls", "plain"}, cfg.security) {
		return bad("-security %q: want tls, starttls or plain", cfg.security)
	}
	if !slices.Contains([]string{viewRaw, viewParsed, viewBoth, viewJSON}, cfg.view) {
		return bad("-view %q: want raw, parsed, both or json", cfg.view)
	}
	if !slices.Contains([]string{"auto", "always", "never"}, cfg.color) {
		return bad("-color %q: want auto, always or never", cfg.color)
	}
	if cfg.timeout <= 0 {
		return bad("-timeout must be positive")
	}
	port := "993"
	if cfg.security != "tls" {
		port = "143"
	}
	cfg.addr, cfg.host = client.HostPort(fs.Arg(0), port)

	con, err := newConsole(stdin, stdout, stderr, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "imapwire:", err)
		return 1
	}
	defer con.close()
	s := newSession(cfg, con)
	if cfg.trace != "" {
		ts, err := newTraceSink(cfg.trace)
		if err != nil {
			con.warn("imapwire: " + err.Error())
			return 1
		}
		s.tr.set(ts)
	}
	defer s.tr.stop()
	if err := s.connect(); err != nil {
		con.warn("imapwire: " + err.Error())
		return 1
	}
	return s.run()
}

func defaultHistory() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "imapwire", "history")
}

var errQuit = errors.New("quit")

// run is the main loop: the greeting, STARTTLS and login the flags ask
// for, then each line typed. It returns the exit status.
func (s *session) run() int {
	if err := s.wait(func() bool { return s.greeting != nil }, s.cfg.timeout); err != nil {
		s.con.warn("imapwire: no greeting: " + err.Error())
		s.close()
		return 1
	}
	switch g := s.greeting; {
	case g.Type == "BYE":
		s.close()
		return 1
	case g.Type == "PREAUTH" && s.cfg.security == "starttls":
		s.con.warn("imapwire: the server sent PREAUTH on a cleartext connection that was to use STARTTLS; closing")
		s.close()
		return 1
	}
	if s.cfg.security == "starttls" {
		if err := s.startTLS(); err != nil {
			s.con.warn("imapwire: STARTTLS: " + err.Error())
			s.close()
			return 1
		}
	}
	if s.cfg.user != "" {
		if err := s.login(s.cfg.user); err != nil {
			if err == errClosed {
				return s.exitClosed()
			}
			s.con.warn("imapwire: login: " + err.Error())
		}
	}
	for {
		// An answer to a "+" of LOGIN or AUTHENTICATE is a credential:
		// read without echo (and so kept out of the history).
		s.mu.Lock()
		pc := s.pending[s.contTag]
		secret := s.contFree && pc != nil && pc.secret
		s.mu.Unlock()
		line, err := s.input(s.prompt(), secret)
		switch {
		case err == io.EOF:
			if s.con.term != nil {
				s.con.term.SetPrompt("") // no prompt under what follows
			}
			return s.finish()
		case err == errClosed:
			return s.exitClosed()
		case err != nil:
			s.con.warn("imapwire: " + err.Error())
			s.close()
			return 1
		}
		switch err := s.handleLine(line); {
		case err == errQuit:
			if s.con.term != nil {
				s.con.term.SetPrompt("")
			}
			return s.finish()
		case err == errClosed:
			return s.exitClosed()
		case errors.Is(err, io.EOF):
			return s.finish()
		case err != nil:
			s.con.warn("imapwire: " + err.Error())
		}
	}
}

// input reads a line typed, or a password.
func (s *session) input(prompt string, password bool) (string, error) {
	return s.con.readLine(prompt, password, s.dead)
}

func (s *session) prompt() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.contFree:
		return "+> "
	case s.raw:
		return "raw> "
	}
	return "imapwire> "
}

// finish ends the session at the end of input or on .quit: it waits for
// the commands still running, logs out and closes.
func (s *session) finish() int {
	status := 0
	if err := s.waitAll(); err == errTimeout {
		s.note("gave up waiting for the commands still running")
		status = 1
	}
	s.mu.Lock()
	done := s.loggedOut || s.closed
	if s.closed && !s.loggedOut {
		status = 1 // the server hung up first
	}
	s.mu.Unlock()
	if !done {
		tag := s.nextTag()
		s.register(&pendingCmd{tag: tag, name: "LOGOUT"})
		b := []byte(tag + " LOGOUT\r\n")
		s.echo(b, nil)
		if err := s.send(b, false); err == nil {
			if err := s.waitDone(tag); err == errTimeout {
				status = 1
			}
		}
	}
	// The server closes the connection after LOGOUT; give it a moment,
	// so that a script's output always ends the same way.
	s.wait(func() bool { return s.closed }, min(s.cfg.timeout, 5*time.Second))
	s.close()
	return status
}

// exitClosed ends the session after the server closed the connection.
func (s *session) exitClosed() int {
	s.mu.Lock()
	loggedOut := s.loggedOut
	s.mu.Unlock()
	s.close()
	if loggedOut {
		return 0
	}
	return 1
}

// handleLine runs one line typed.
func (s *session) handleLine(line string) error {
	s.mu.Lock()
	raw, contFree := s.raw, s.contFree
	s.mu.Unlock()
	trimmed := strings.TrimSpace(line)
	if strings.HasPrefix(trimmed, "..") {
		line = strings.Replace(line, ".", "", 1) // ".." sends a line that starts with a dot
	} else if strings.HasPrefix(trimmed, ".") {
		return s.meta(trimmed)
	}
	switch {
	case contFree:
		return s.answer(line)
	case raw:
		return s.sendRaw(line)
	case trimmed == "":
		return nil
	}
	return s.command(line, nil)
}

// answer sends a line in answer to a "+" (IDLE's DONE, a SASL response, a
// literal the REPL did not announce itself).
func (s *session) answer(line string) error {
	s.mu.Lock()
	s.contFree = false
	pc := s.pending[s.contTag]
	tag := s.contTag
	s.mu.Unlock()
	secret := pc != nil && pc.secret
	b := []byte(line + "\r\n")
	var masks [][2]int
	if secret && line != "" {
		masks = [][2]int{{0, len(line)}}
	}
	bad := s.badCount()
	s.echo(b, masks)
	if err := s.sendMasked(b, masks); err != nil {
		return err
	}
	if !s.con.interactive() && pc != nil {
		return s.waitScript(tag, bad)
	}
	return nil
}

// sendRaw sends a line exactly as typed (raw mode). A tag and command name
// are still recognized, for timing and STARTTLS.
func (s *session) sendRaw(line string) error {
	// Whatever the line, a server reads its first word as the tag.
	var pc *pendingCmd
	if words := strings.Fields(line); len(words) > 0 {
		pc = &pendingCmd{tag: words[0]}
		if len(words) > 1 {
			_, pc.name = splitCommand(strings.Join(words[1:], " "))
		}
		pc.starttls = pc.name == "STARTTLS"
		s.register(pc)
	}
	bad := s.badCount()
	b := []byte(line + "\r\n")
	s.echo(b, nil)
	if err := s.send(b, false); err != nil {
		return err
	}
	switch {
	case pc != nil && pc.starttls:
		return s.waitDone(pc.tag)
	case pc != nil && !s.con.interactive():
		return s.waitScript(pc.tag, bad)
	}
	return nil
}

// waitScript waits for the answer to a command, as a script must before
// its next line; a timeout is reported, not fatal.
func (s *session) waitScript(tag string, bad int) error {
	err := s.waitAnswer(tag, bad)
	if err == errTimeout {
		s.note("no answer to %s after %v", tag, s.cfg.timeout)
		return nil
	}
	return err
}

// command sends a typed command, putting a tag in front when it has none,
// and the literals it announces. file, when set, is sent as a literal at
// the end of the line (.literal FILE COMMAND).
func (s *session) command(line string, file *os.File) error {
	line = strings.TrimRight(line, " \t") // as tab completion leaves it
	tag, name := splitCommand(line)
	full := line
	if tag == "" {
		tag = s.nextTag()
		full = tag + " " + line
	}
	pc := &pendingCmd{tag: tag, name: name, starttls: name == "STARTTLS", secret: name == "LOGIN" || name == "AUTHENTICATE"}
	if pc.secret && !s.plaintextOK() {
		return nil
	}
	s.register(pc)
	bad := s.badCount()
	var err error
	if file != nil {
		err = s.sendFileCommand(pc, full, file)
	} else {
		err = s.sendTyped(pc, full, credentialStart(full))
	}
	if err != nil {
		return err
	}
	switch {
	case pc.starttls:
		return s.waitDone(tag)
	case !s.con.interactive():
		return s.waitScript(tag, bad)
	}
	return nil
}

// sendMasked sends b, recording the ranges masks in the trace as "***".
func (s *session) sendMasked(b []byte, masks [][2]int) error {
	last := 0
	for _, m := range masks {
		if m[0] > last {
			if err := s.send(b[last:m[0]], false); err != nil {
				return err
			}
		}
		if err := s.send(b[m[0]:m[1]], true); err != nil {
			return err
		}
		last = m[1]
	}
	return s.send(b[last:], false)
}

// sendTyped sends a command line; when it ends with a literal header
// ("{n}", "{n+}", "~{n}"), the literal is read from the lines that follow
// (the lines joined with CRLF, the first n bytes), for a synchronizing
// literal only after the server's "+" (a server that answers the command
// instead has refused the literal, and the next line is a command); the
// rest of the line where the literal ended, or the next line when it ended
// with a line, continues the command. mask is where credentials start on
// the line, or -1.
func (s *session) sendTyped(pc *pendingCmd, line string, mask int) error {
	cur := line
	after := false // cur continues the command after a literal
	for {
		n, nonSync, isLit := wire.LiteralAtLineEnd([]byte(cur))
		hdr := len(cur)
		if isLit {
			hdr = strings.LastIndexByte(cur, '{')
			if hdr > 0 && cur[hdr-1] == '~' {
				hdr--
			}
		}
		var masks [][2]int
		switch {
		case after && pc.secret && hdr > 0:
			masks = [][2]int{{0, hdr}}
		case !after && mask >= 0 && mask < hdr:
			masks = [][2]int{{mask, hdr}}
		}
		seq := 0
		if isLit && !nonSync {
			seq = s.expectCont()
		}
		b := []byte(cur + "\r\n")
		s.echo(b, masks)
		if err := s.sendMasked(b, masks); err != nil {
			return err
		}
		if !isLit {
			return nil
		}
		if !nonSync {
			// The lines that follow are the literal only once the server
			// asks for it: when it answers the command instead (NO
			// [TOOBIG]), they are commands again.
			ok, err := s.awaitCont(seq, pc.tag)
			if err != nil {
				return err
			}
			if !ok {
				s.note("the server refused the literal (it answered the command instead of sending \"+\"): not sent; the next line is a command")
				return nil
			}
		}
		src, rest, err := s.collectLiteral(n, pc.secret)
		if errors.Is(err, io.EOF) {
			// The server waits for the rest of the command: the
			// connection cannot be used any more.
			s.note("input ended inside a literal; closing the connection")
			s.close()
			return errClosed
		}
		if err != nil {
			return err
		}
		if err := s.sendLiteral(src, pc.secret); err != nil {
			return err
		}
		cur, after = rest, true
	}
}

// A litSource is the data of a literal: typed bytes, or a file.
type litSource struct {
	data []byte
	file *os.File
	size int64
}

// sendLiteral sends a literal's data and shows it.
func (s *session) sendLiteral(src litSource, secret bool) error {
	lit := &literal{size: src.size, err: errNotKept}
	if src.file != nil {
		defer src.file.Close()
		w := newLitWriter(lit, nil)
		err := s.sendFrom(src.file, src.size, w)
		w.finish()
		if err != nil {
			return err
		}
	} else {
		if err := s.send(src.data, secret); err != nil {
			return err
		}
		lit = newInlineLiteral(src.data)
	}
	s.echoLiteral(lit, secret)
	return nil
}

var errNotKept = errors.New("a literal sent is not kept")

// collectLiteral reads the n bytes of a literal from the lines typed (or,
// when the first line is ".literal FILE", from that file), and the rest of
// the command after it. Lines of a credential are read without echo.
func (s *session) collectLiteral(n int64, secret bool) (litSource, string, error) {
	var acc []byte
	for n > 0 {
		if !secret {
			s.con.hist.skipNext() // a literal's lines are data, not commands
		}
		line, err := s.input(fmt.Sprintf("{%d}> ", n-int64(len(acc))), secret)
		if err == io.EOF {
			return litSource{}, "", fmt.Errorf("input ended inside a literal: %w", io.EOF)
		}
		if err != nil {
			return litSource{}, "", err
		}
		if len(acc) == 0 && strings.HasPrefix(line, ".literal ") {
			name := strings.TrimSpace(strings.TrimPrefix(line, ".literal "))
			f, size, err := openLiteral(name)
			if err != nil {
				s.con.warn("imapwire: " + err.Error())
				continue
			}
			if size != n {
				f.Close()
				s.con.warn(fmt.Sprintf("imapwire: %s has %d bytes; the literal announced %d", name, size, n))
				continue
			}
			rest, err := s.input("…> ", false)
			return litSource{file: f, size: n}, rest, err
		}
		chunk := line + "\r\n"
		need := int(n) - len(acc)
		switch {
		case len(chunk) < need:
			acc = append(acc, chunk...)
			continue
		case need <= len(line):
			acc = append(acc, line[:need]...)
			return litSource{data: acc, size: n}, line[need:], nil
		case need == len(line)+1:
			// The literal ends between CR and LF: the LF is dropped.
			acc = append(acc, chunk[:need]...)
			return litSource{data: acc, size: n}, "", nil
		}
		acc = append(acc, chunk...)
		break
	}
	rest, err := s.input("…> ", false)
	if err == io.EOF {
		err = nil // the command ends at the end of input
	}
	return litSource{data: acc, size: n}, rest, err
}

// openLiteral opens a file to send as a literal.
func openLiteral(name string) (*os.File, int64, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("%s is not a regular file", name)
	}
	return f, fi.Size(), nil
}

// sendFileCommand sends "line {size}", then, after the "+", the file as
// the literal, and CRLF.
func (s *session) sendFileCommand(pc *pendingCmd, line string, f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	size := fi.Size()
	seq := s.expectCont()
	b := fmt.Appendf(nil, "%s {%d}\r\n", line, size)
	s.echo(b, nil)
	if err := s.send(b, false); err != nil {
		f.Close()
		return err
	}
	ok, err := s.awaitCont(seq, pc.tag)
	if err != nil || !ok {
		f.Close()
		if !ok && err == nil {
			s.note("the file was not sent: the server answered the command instead of asking for it")
		}
		return err
	}
	if err := s.sendLiteral(litSource{file: f, size: size}, false); err != nil {
		return err
	}
	s.echo([]byte("\r\n"), nil)
	return s.send([]byte("\r\n"), false)
}

// plaintextOK warns before credentials go out in cleartext to a host that
// is not on a loopback address, and on a terminal asks to go on.
func (s *session) plaintextOK() bool {
	s.mu.Lock()
	safe := s.secure || s.loopback
	s.mu.Unlock()
	if safe {
		return true
	}
	msg := fmt.Sprintf("warning: the connection to %s is not encrypted: the password would be sent in cleartext", s.cfg.addr)
	if !s.con.interactive() {
		s.con.warn("imapwire: " + msg)
		return true
	}
	s.con.warn(msg)
	ans, err := s.input("send it anyway? [y/N] ", false)
	return err == nil && strings.EqualFold(strings.TrimSpace(ans), "y")
}

// IMAP command names: a line whose first word is one of them has no tag.
var imapCommands = []string{
	"APPEND", "AUTHENTICATE", "CAPABILITY", "CHECK", "CLOSE", "COMPRESS",
	"COPY", "CREATE", "DELETE", "DELETEACL", "ENABLE", "EXAMINE", "EXPUNGE",
	"FETCH", "GETACL", "GETMETADATA", "GETQUOTA", "GETQUOTAROOT", "ID",
	"IDLE", "LIST", "LISTRIGHTS", "LOGIN", "LOGOUT", "LSUB", "MOVE",
	"MYRIGHTS", "NAMESPACE", "NOOP", "NOTIFY", "RENAME", "REPLACE", "SEARCH",
	"SELECT", "SETACL", "SETMETADATA", "SETQUOTA", "SORT", "STARTTLS",
	"STATUS", "STORE", "SUBSCRIBE", "THREAD", "UID", "UNAUTHENTICATE",
	"UNSELECT", "UNSUBSCRIBE", "XLIST",
}

// The commands that follow UID.
var uidCommands = []string{"COPY", "EXPUNGE", "FETCH", "MOVE", "REPLACE", "SEARCH", "SORT", "STORE", "THREAD"}

func isCommand(word string) bool {
	return slices.Contains(imapCommands, strings.ToUpper(word))
}

// splitCommand returns the tag typed on a line ("" when the first word is
// a command name, or the only word) and the command's name in upper case
// ("UID FETCH" for UID commands).
func splitCommand(line string) (tag, name string) {
	words := strings.Fields(line)
	if len(words) == 0 {
		return "", ""
	}
	if !isCommand(words[0]) && len(words) > 1 {
		tag, words = words[0], words[1:]
	}
	name = strings.ToUpper(words[0])
	if name == "UID" && len(words) > 1 {
		name += " " + strings.ToUpper(words[1])
	}
	return tag, name
}

// credentialStart returns where the credentials start on a typed LOGIN
// line (the password) or AUTHENTICATE line (the initial response), or -1.
func credentialStart(line string) int {
	tag, name := splitCommand(line)
	skip := 2 // the tag and the name
	if tag == "" {
		skip = 1
	}
	switch name {
	case "LOGIN":
		skip++ // the user name
	case "AUTHENTICATE":
		skip++ // the mechanism
	default:
		return -1
	}
	i := 0
	for k := 0; k < skip; k++ {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if i >= len(line) {
			return -1
		}
		if line[i] == '{' {
			return -1 // a literal: its data is masked
		}
		i = skipToken(line, i)
	}
	for i < len(line) && line[i] == ' ' {
		i++
	}
	if i >= len(line) {
		return -1
	}
	return i
}

// skipToken returns the end of the atom or quoted string at i.
func skipToken(line string, i int) int {
	if line[i] == '"' {
		for i++; i < len(line); i++ {
			switch line[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return len(line)
	}
	for i < len(line) && line[i] != ' ' {
		i++
	}
	return i
}
