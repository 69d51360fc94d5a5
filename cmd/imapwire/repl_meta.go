package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/imapwire/imapwire/client"
	"github.com/imapwire/imapwire/wire"
)

// This file holds the meta commands, the lines that start with a dot, in a
// table as h2i has its commands; and tab completion.

// A metaCmd is one meta command.
type metaCmd struct {
	name string // with its dot
	args string // for .help
	help string
	run  func(s *session, args []string) error
	// line: run gets the rest of the line as one argument, spaces kept
	// (none when it is empty), instead of its words.
	line bool
}

var metaCmds []metaCmd

func init() {
	metaCmds = []metaCmd{
		{".help", "", "list the meta commands", (*session).metaHelp, false},
		{".login", "USER", "log in as USER; the password is asked without echo and masked in the echo and the trace", (*session).metaLogin, false},
		{".auth", "plain|xoauth2 [USER]", "AUTHENTICATE with PLAIN (password) or XOAUTH2 (token), masked", (*session).metaAuth, false},
		{".starttls", "", "STARTTLS, then the TLS handshake", (*session).metaStartTLS, false},
		{".idle", "[DURATION]", "IDLE and show updates live until Enter (without a terminal: for DURATION, or until the next line)", (*session).metaIdle, false},
		{".caps", "", "show the capabilities (asking with CAPABILITY when unknown)", (*session).metaCaps, false},
		{".view", "raw|parsed|both|json", "how responses are shown", (*session).metaView, false},
		{".raw", "on|off", "raw mode: send lines exactly as typed (no tag, no literal handling)", (*session).metaRaw, false},
		{".literal", "FILE [COMMAND...]", "send COMMAND with FILE as a literal at its end; alone after a line ending in {n}: FILE is that literal", (*session).metaLiteral, false},
		{".save", "N FILE", "save literal N of the last response that had literals", (*session).metaSave, false},
		{".utf7", "[-d] NAME", "print mailbox NAME in modified UTF-7, quoted if it must be, to type in a command (CREATE, SELECT, LIST); -d decodes", (*session).metaUTF7, true},
		{".trace", "FILE|off", "write a transcript (for imapwire parse) to FILE, or stop", (*session).metaTrace, false},
		{".quit", "", "log out and exit (also Ctrl-D, or the end of input)", (*session).metaQuit, false},
	}
}

// meta runs a meta command line.
func (s *session) meta(line string) error {
	words := strings.Fields(line)
	name := strings.ToLower(words[0])
	for _, m := range metaCmds {
		if m.name != name {
			continue
		}
		args := words[1:]
		if m.line {
			args = nil
			if rest := strings.TrimSpace(line[len(words[0]):]); rest != "" {
				args = []string{rest}
			}
		}
		return m.run(s, args)
	}
	return fmt.Errorf("unknown meta command %s (.help lists them)", words[0])
}

func usageErr(name string) error {
	for _, m := range metaCmds {
		if m.name == name {
			return fmt.Errorf("usage: %s %s", m.name, m.args)
		}
	}
	return fmt.Errorf("usage: %s", name)
}

func (s *session) metaHelp([]string) error {
	var sb strings.Builder
	sb.WriteString("Type IMAP commands; a line without a tag gets the next one (A001, ...).\n")
	sb.WriteString("A line ending in {n} is followed by n bytes of literal, typed on the next lines.\n")
	sb.WriteString("Start a line with .. to send a line that starts with a dot.\n")
	for _, m := range metaCmds {
		head := m.name
		if m.args != "" {
			head += " " + m.args
		}
		fmt.Fprintf(&sb, "  %-28s %s\n", head, m.help)
	}
	s.con.print(sb.String())
	return nil
}

func (s *session) metaQuit([]string) error { return errQuit }

func (s *session) metaView(args []string) error {
	if len(args) != 1 || !slices.Contains([]string{viewRaw, viewParsed, viewBoth, viewJSON}, args[0]) {
		return usageErr(".view")
	}
	s.mu.Lock()
	s.view = args[0]
	s.mu.Unlock()
	return nil
}

func (s *session) metaRaw(args []string) error {
	if len(args) != 1 || (args[0] != "on" && args[0] != "off") {
		return usageErr(".raw")
	}
	s.mu.Lock()
	s.raw = args[0] == "on"
	s.mu.Unlock()
	return nil
}

func (s *session) metaCaps([]string) error {
	if err := s.knowCaps(); err != nil {
		return err
	}
	s.mu.Lock()
	caps := s.caps
	s.mu.Unlock()
	if caps == nil {
		return errors.New("the server did not say")
	}
	s.note("capabilities: %s", strings.Join(caps, " "))
	return nil
}

// knowCaps asks for the capabilities when they are unknown (after
// STARTTLS, or a login whose OK had none).
func (s *session) knowCaps() error {
	s.mu.Lock()
	known := s.caps != nil
	s.mu.Unlock()
	if known {
		return nil
	}
	return s.simple("CAPABILITY")
}

// hasCap reports whether the server advertised c.
func (s *session) hasCap(c string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.ContainsFunc(s.caps, func(x string) bool { return strings.EqualFold(x, c) })
}

// simple sends a command with no arguments and waits for its completion.
func (s *session) simple(name string) error {
	tag := s.nextTag()
	s.register(&pendingCmd{tag: tag, name: name})
	b := []byte(tag + " " + name + "\r\n")
	s.echo(b, nil)
	if err := s.send(b, false); err != nil {
		return err
	}
	return s.waitDone(tag)
}

func (s *session) metaStartTLS([]string) error {
	s.mu.Lock()
	secure := s.secure
	s.mu.Unlock()
	if secure {
		return errors.New("TLS is on already")
	}
	return s.startTLS()
}

// startTLS sends STARTTLS; the reader goroutine runs the handshake when
// the server answers OK. The error says which failed: the server (NO,
// BAD) or the handshake after its OK.
func (s *session) startTLS() error {
	tag := s.nextTag()
	s.mu.Lock()
	s.tlsErr = nil
	s.mu.Unlock()
	s.register(&pendingCmd{tag: tag, name: "STARTTLS", starttls: true, reportTLS: true})
	b := []byte(tag + " STARTTLS\r\n")
	s.echo(b, nil)
	if err := s.send(b, false); err != nil {
		return err
	}
	if err := s.waitDone(tag); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.secure:
		return nil
	case s.tlsErr != nil:
		return fmt.Errorf("the server said OK, but %s", tlsProblem(s.tlsErr, false))
	}
	return errors.New("the server refused")
}

func (s *session) metaLogin(args []string) error {
	if len(args) != 1 {
		return usageErr(".login")
	}
	return s.login(args[0])
}

// An encoded is a command built with wire.Writer: its bytes, where the
// server's "+" must be awaited (after each synchronizing literal header),
// and the byte ranges to mask.
type encoded struct {
	b     []byte
	waits []int
	masks [][2]int
}

// encode builds a command: parts are written with AString, SP between
// them, after the tag and name; the parts from secretFrom on are masked.
func encode(tag, name string, parts []string, secretFrom int) (*encoded, error) {
	e := &encoded{}
	var buf bytes.Buffer
	w := wire.NewWriter(&buf)
	w.ContinueFunc = func() error {
		e.waits = append(e.waits, buf.Len())
		return nil
	}
	w.Raw(tag + " " + name)
	for i, p := range parts {
		w.SP()
		if err := w.Flush(); err != nil {
			return nil, err
		}
		start := buf.Len()
		if err := w.AString(p); err != nil {
			return nil, err
		}
		if err := w.Flush(); err != nil {
			return nil, err
		}
		if i >= secretFrom {
			// Mask the data, not a literal's header.
			if n := len(e.waits); n > 0 && e.waits[n-1] > start {
				start = e.waits[n-1]
			}
			e.masks = append(e.masks, [2]int{start, buf.Len()})
		}
	}
	w.CRLF()
	if err := w.Flush(); err != nil {
		return nil, err
	}
	e.b = buf.Bytes()
	return e, nil
}

// sendEncoded sends e, waiting for the "+" where it must. It reports
// false when the server completed the command instead.
func (s *session) sendEncoded(tag string, e *encoded) (bool, error) {
	last := 0
	for _, at := range append(e.waits, len(e.b)) {
		seg := e.b[last:at]
		var masks [][2]int
		for _, m := range e.masks {
			if lo, hi := max(m[0], last), min(m[1], at); lo < hi {
				masks = append(masks, [2]int{lo - last, hi - last})
			}
		}
		seq := 0
		wait := at < len(e.b)
		if wait {
			seq = s.expectCont()
		}
		s.echo(seg, masks)
		if err := s.sendMasked(seg, masks); err != nil {
			return false, err
		}
		if wait {
			ok, err := s.awaitCont(seq, tag)
			if err != nil || !ok {
				return false, err
			}
		}
		last = at
	}
	return true, nil
}

// login asks for the password and sends LOGIN, with the user name and
// password written by wire.Writer's AString (atom, quoted or literal).
func (s *session) login(user string) error {
	if !s.plaintextOK() {
		return nil
	}
	if s.hasCap("LOGINDISABLED") {
		s.note("the server advertises LOGINDISABLED: it will refuse LOGIN (STARTTLS first?)")
	}
	pass, err := s.input("Password: ", true) // without echo: never in the history
	if err != nil {
		return err
	}
	tag := s.nextTag()
	e, err := encode(tag, "LOGIN", []string{user, pass}, 1)
	if err != nil {
		return err
	}
	s.register(&pendingCmd{tag: tag, name: "LOGIN", secret: true})
	if _, err := s.sendEncoded(tag, e); err != nil {
		return err
	}
	return s.waitDone(tag)
}

func (s *session) metaAuth(args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return usageErr(".auth")
	}
	mech := strings.ToUpper(args[0])
	if mech != "PLAIN" && mech != "XOAUTH2" {
		return usageErr(".auth")
	}
	user := s.cfg.user
	if len(args) == 2 {
		user = args[1]
	}
	if !s.plaintextOK() {
		return nil
	}
	var err error
	if user == "" {
		if user, err = s.input("User: ", false); err != nil {
			return err
		}
	}
	prompt := "Password: "
	if mech == "XOAUTH2" {
		prompt = "Token: "
	}
	secret, err := s.input(prompt, true)
	if err != nil {
		return err
	}
	var sasl client.SASL
	if mech == "PLAIN" {
		sasl = client.PlainAuth("", user, secret)
	} else {
		sasl = client.XOAuth2(user, secret)
	}
	return s.authenticate(sasl)
}

// authenticate runs AUTHENTICATE with a SASL mechanism, every payload
// masked, the initial response on the command line when the server offers
// SASL-IR.
func (s *session) authenticate(sasl client.SASL) error {
	ir, err := sasl.Start()
	if err != nil {
		return err
	}
	if err := s.knowCaps(); err != nil {
		return err
	}
	if !s.hasCap("AUTH=" + sasl.Name()) {
		s.note("the server does not advertise AUTH=%s (as far as known); trying anyway", sasl.Name())
	}
	tag := s.nextTag()
	s.register(&pendingCmd{tag: tag, name: "AUTHENTICATE", secret: true})
	line := tag + " AUTHENTICATE " + sasl.Name()
	var masks [][2]int
	pendingIR := ir != nil
	if pendingIR && s.hasCap("SASL-IR") {
		enc := base64.StdEncoding.EncodeToString(ir)
		if enc == "" {
			enc = "="
		}
		masks = [][2]int{{len(line) + 1, len(line) + 1 + len(enc)}}
		line += " " + enc
		pendingIR = false
	}
	seq := s.expectCont()
	b := []byte(line + "\r\n")
	s.echo(b, masks)
	if err := s.sendMasked(b, masks); err != nil {
		return err
	}
	var mechErr error
	for {
		ok, err := s.awaitCont(seq, tag)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		s.mu.Lock()
		text := s.contText
		s.mu.Unlock()
		var resp []byte
		if pendingIR {
			resp, pendingIR = ir, false
		} else if ch, err := base64.StdEncoding.DecodeString(text); err != nil {
			mechErr = fmt.Errorf("the challenge is not base64: %w", err)
		} else if resp, err = sasl.Next(ch); err != nil {
			mechErr = err
		}
		out := "*" // cancels the exchange
		if resp != nil {
			out = base64.StdEncoding.EncodeToString(resp)
		}
		seq = s.expectCont()
		b := []byte(out + "\r\n")
		masks := [][2]int{{0, len(out)}}
		if out == "" || out == "*" {
			masks = nil
		}
		s.echo(b, masks)
		if err := s.sendMasked(b, masks); err != nil {
			return err
		}
	}
	if mechErr != nil {
		s.note("%s: %v", sasl.Name(), mechErr)
	}
	return nil
}

func (s *session) metaIdle(args []string) error {
	var d time.Duration
	if len(args) > 1 {
		return usageErr(".idle")
	}
	if len(args) == 1 {
		var err error
		if d, err = time.ParseDuration(args[0]); err != nil || d <= 0 {
			return usageErr(".idle")
		}
	}
	tag := s.nextTag()
	s.register(&pendingCmd{tag: tag, name: "IDLE"})
	seq := s.expectCont()
	b := []byte(tag + " IDLE\r\n")
	s.echo(b, nil)
	if err := s.send(b, false); err != nil {
		return err
	}
	ok, err := s.awaitCont(seq, tag)
	if err != nil || !ok {
		return err
	}
	switch {
	case s.con.interactive():
		s.con.hist.skipNext()
		if _, err := s.input("idling, Enter ends> ", false); err != nil && err != io.EOF {
			return err
		}
	case d > 0:
		select {
		case <-time.After(d):
		case <-s.dead:
			return errClosed
		}
	default:
		if _, err := s.input("", false); err != nil && err != io.EOF {
			return err
		}
	}
	done := []byte("DONE\r\n")
	s.echo(done, nil)
	if err := s.send(done, false); err != nil {
		return err
	}
	return s.waitDone(tag)
}

func (s *session) metaLiteral(args []string) error {
	if len(args) == 0 {
		return usageErr(".literal")
	}
	if len(args) == 1 {
		return errors.New(".literal FILE alone supplies the literal announced by {n} at the end of the line before; to send a command with a file, use .literal FILE COMMAND")
	}
	f, _, err := openLiteral(args[0])
	if err != nil {
		return err
	}
	return s.command(strings.Join(args[1:], " "), f)
}

func (s *session) metaSave(args []string) error {
	if len(args) != 2 {
		return usageErr(".save")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil {
		return usageErr(".save")
	}
	s.mu.Lock()
	lits := s.lastLits
	s.mu.Unlock()
	if n < 1 || n > len(lits) {
		return fmt.Errorf("no literal %d (the last response with literals had %d)", n, len(lits))
	}
	if err := lits[n-1].save(args[1]); err != nil {
		return err
	}
	s.note("saved literal %d (%d bytes) to %s", n, lits[n-1].size, args[1])
	return nil
}

// unquoter undoes the escapes of an IMAP quoted string.
var unquoter = strings.NewReplacer(`\\`, `\`, `\"`, `"`)

// metaUTF7 prints a mailbox name in modified UTF-7 (RFC 3501 5.1.3), as
// wire.Writer's Mailbox writes it in a command (an atom, or quoted), so
// that a name such as Entwürfe/台北 can be typed: servers refuse its raw
// 8-bit bytes (Dovecot: "8bit data in atom"). With -d it decodes a name
// as servers send it, quoted or not.
func (s *session) metaUTF7(args []string) error {
	if len(args) != 1 {
		return usageErr(".utf7")
	}
	arg := args[0]
	if rest, ok := strings.CutPrefix(arg, "-d"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
		name := strings.TrimSpace(rest)
		if name == "" {
			return usageErr(".utf7")
		}
		if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
			name = unquoter.Replace(name[1 : len(name)-1]) // as sent: quoted
		}
		dec, err := wire.DecodeUTF7(name)
		if err != nil {
			return fmt.Errorf(".utf7 -d: %w", err)
		}
		s.con.print(dec + "\n")
		return nil
	}
	var buf bytes.Buffer
	w := wire.NewWriter(&buf)
	enc := wire.EncodeUTF7(arg)
	if err := w.Mailbox(arg); err != nil || w.Flush() != nil || bytes.ContainsAny(buf.Bytes(), "\r\n") {
		s.con.print(enc + "\n") // too long to quote: as it is
		return nil
	}
	s.con.print(buf.String() + "\n")
	return nil
}

func (s *session) metaTrace(args []string) error {
	if len(args) != 1 {
		return usageErr(".trace")
	}
	if err := s.tr.stop(); err != nil {
		s.note("closing the trace: %v", err)
	}
	if args[0] == "off" {
		s.note("trace off")
		return nil
	}
	ts, err := newTraceSink(args[0])
	if err != nil {
		return err
	}
	s.mu.Lock()
	ch := s.chain
	s.mu.Unlock()
	if ch.cap.startTrace(ts) {
		s.note("tracing to %s from the next response", args[0])
	} else {
		s.note("tracing to %s", args[0])
	}
	return nil
}

// complete is the terminal's tab completion: meta commands, IMAP command
// names, the commands after UID, and FETCH items. It must not take
// session locks: the terminal's lock is held.
func (c *console) complete(line string, pos int, key rune) (string, int, bool) {
	if key != '\t' {
		return "", 0, false
	}
	start := strings.LastIndexByte(line[:pos], ' ') + 1
	for start < pos && line[start] == '(' {
		start++
	}
	word := line[start:pos]
	if word == "" {
		return "", 0, false
	}
	before := strings.Fields(line[:start])
	var cands []string
	switch {
	case start == 0 && strings.HasPrefix(word, "."):
		for _, m := range metaCmds {
			cands = append(cands, m.name)
		}
	case len(before) == 0 || (len(before) == 1 && !isCommand(before[0])):
		cands = imapCommands
	case strings.EqualFold(before[len(before)-1], "UID"):
		cands = uidCommands
	case slices.ContainsFunc(before, func(w string) bool { return strings.EqualFold(w, "FETCH") }):
		cands = fetchItems
	default:
		return "", 0, false
	}
	var match []string
	for _, c := range cands {
		if len(c) >= len(word) && strings.EqualFold(c[:len(word)], word) {
			if word == strings.ToLower(word) {
				c = strings.ToLower(c)
			}
			match = append(match, c)
		}
	}
	if len(match) == 0 {
		return "", 0, false
	}
	repl := match[0]
	if len(match) == 1 {
		if !strings.HasSuffix(repl, "[") && !strings.HasSuffix(repl, "(") {
			repl += " "
		}
	} else {
		for _, m := range match[1:] {
			k := 0
			for k < len(repl) && k < len(m) && repl[k] == m[k] {
				k++
			}
			repl = repl[:k]
		}
		if len(repl) <= len(word) {
			list := strings.Join(match, "  ") + "\n"
			go c.print(list) // the terminal's lock is held now
			return "", 0, false
		}
	}
	return line[:start] + repl + line[pos:], start + len(repl), true
}

var fetchItems = []string{
	"ALL", "BODY", "BODY.PEEK[", "BODY[", "BODYSTRUCTURE", "ENVELOPE", "FAST", "FLAGS", "FULL",
	"INTERNALDATE", "RFC822", "RFC822.HEADER", "RFC822.SIZE", "RFC822.TEXT", "UID",
	"BINARY[", "BINARY.PEEK[", "BINARY.SIZE[", "MODSEQ", "EMAILID", "THREADID",
}
