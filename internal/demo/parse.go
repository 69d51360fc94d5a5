package demo

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/imapwire/imapwire/wire"
)

// The command parser: RFC 3501 section 9 from the server's side, built on
// wire.Reader's typed primitives. parseCommand reads one command and its
// arguments, asking for each synchronizing literal's data with a
// continuation request; the session then runs it.

// Limits of the command parser, so that a client cannot make the server
// hold unbounded memory for one command.
const (
	maxStringLiteral = 64 << 10 // a literal that is not an APPEND message
	maxListItems     = 1000     // flags, FETCH items, header names, STATUS items, ID fields
	maxSearchKeys    = 1000     // keys in one SEARCH
	maxSearchDepth   = 50       // nesting of NOT, OR and parentheses
	maxPatternLen    = 1024     // a LIST pattern
	maxAuthLine      = 8 << 10  // an AUTHENTICATE response line
)

// readerLimits are the wire.Reader limits of a session.
var readerLimits = wire.Limits{
	MaxLiteral:   maxMessageSize,
	MaxAtom:      8 << 10,
	MaxQuoted:    64 << 10,
	MaxDepth:     maxSearchDepth,
	MaxListElems: 100000,
	MaxNumList:   200000, // a sequence set of 100,000 ranges, as MaxListElems bounded it before
}

// A command is one parsed client command.
type command struct {
	tag  string
	name string // upper case: "FETCH", "UID" is in uid
	uid  bool

	mailbox  string // SELECT, CREATE, STATUS, APPEND, ...; RENAME's source; LIST's reference
	mailbox2 string // RENAME's and COPY's destination; LIST's pattern
	user     string // LOGIN
	pass     string // LOGIN
	seq      wire.SeqSet
	atoms    []string // STATUS items, ENABLE capabilities, AUTHENTICATE mechanism and response
	fetch    []fetchItem
	store    *storeArgs
	search   *searchArgs
	list     *listArgs
	appendA  *appendArgs
	id       []string // ID parameters: name, value, ...; nil for NIL
	noID     bool
	badName  string // the NO text for a mailbox name that is not modified UTF-7

	// RFC 7162 (CONDSTORE, QRESYNC).
	selCondstore bool         // SELECT (CONDSTORE)
	qresync      *qresyncArgs // SELECT (QRESYNC (...))
	changedSince uint64       // FETCH (CHANGEDSINCE n); 0 when absent
	vanished     bool         // UID FETCH (... VANISHED)
}

// qresyncArgs are SELECT's QRESYNC parameters (RFC 7162 section 3.2.5).
type qresyncArgs struct {
	uidValidity uint32
	modseq      uint64
	knownUIDs   wire.SeqSet // nil: all
}

type storeArgs struct {
	op             byte // '=', '+' or '-'
	silent         bool
	flags          []string
	unchangedSince uint64 // (UNCHANGEDSINCE n), RFC 7162
	conditional    bool   // UNCHANGEDSINCE was given
}

type appendArgs struct {
	flags []string
	date  time.Time
	msg   []byte
}

type listArgs struct {
	selSubscribed, selRemote, selRecursive, selSpecialUse bool
	extended                                              bool // selection or return options given
	patterns                                              []string
	retSubscribed, retChildren, retSpecialUse             bool
	retStatus                                             []string
}

// A parseError is a command the server answers with BAD (or, with code,
// NO) without running it.
type parseError struct {
	msg  string
	code string // a response code for NO, such as "TOOBIG"; "" for BAD
	// lineDone reports that the command's line has been read to its end
	// (or, for a refused synchronizing literal, that nothing more of the
	// command will come): no resynchronization is needed.
	lineDone bool
}

func (e *parseError) Error() string { return e.msg }

// badf returns a *parseError for BAD.
func badf(format string, args ...any) error {
	return &parseError{msg: fmt.Sprintf(format, args...)}
}

// A cmdReader reads the arguments of a command.
type cmdReader struct {
	r *wire.Reader
	// cont sends a continuation request ("+ Ready") and flushes it; it is
	// called when a synchronizing literal's header has been read.
	cont func() error
	// reset drops the Reader's state after a refused synchronizing
	// literal, whose data the client will not send.
	reset func()
	// badName is the NO text for the first mailbox name of the command
	// that is not modified UTF-7; "" when there is none.
	badName string
	// delim is the server's hierarchy delimiter, for normalizing INBOX.
	delim byte
	// noLiteralPlus refuses non-synchronizing literals ({n+}): the
	// server does not advertise LITERAL+ (ModeOther).
	noLiteralPlus bool
}

// errEightBit is the error of a raw 8-bit byte outside a quoted string or
// a literal, in Dovecot's words (lib-imap/imap-parser.c).
var errEightBit = errors.New("8bit data in atom")

// eightBit returns the *wire.SyntaxError of the 8-bit byte that comes
// next, consuming it and the rest of its UTF-8 sequence (bytes of 0x80
// and above, never a delimiter: the resynchronization that follows is
// not disturbed). Found shows the character escaped, in ASCII.
func (c *cmdReader) eightBit(production, expected string) error {
	off := c.r.InputOffset()
	b, err := c.r.ReadByte()
	if err != nil {
		return err
	}
	seq := []byte{b}
	n := 1
	switch {
	case b >= 0xf0:
		n = 4
	case b >= 0xe0:
		n = 3
	case b >= 0xc0:
		n = 2
	}
	for len(seq) < n {
		if c.r.Buffered() == 0 {
			break // never wait for more input to render an error
		}
		next, err := c.r.Peek()
		if err != nil || next < 0x80 || next >= 0xc0 {
			break
		}
		c.r.ReadByte()
		seq = append(seq, next)
	}
	return &wire.SyntaxError{Offset: off, Production: production, Expected: expected,
		Found: strconv.QuoteToASCII(string(seq)), Err: errEightBit}
}

// isIOError reports an error that ends the connection: anything but a
// syntax error.
func isIOError(err error) bool {
	var se *wire.SyntaxError
	var pe *parseError
	return err != nil && !errors.As(err, &se) && !errors.As(err, &pe)
}

func (c *cmdReader) sp(production string) error { return c.r.ExpectSP(production) }

func (c *cmdReader) crlf(production string) error { return c.r.ExpectCRLF(production) }

func (c *cmdReader) peek() (byte, error) {
	b, err := c.r.Peek()
	if err == io.EOF {
		return 0, io.ErrUnexpectedEOF
	}
	return b, err
}

// atEOL reports whether the command's line ends next.
func (c *cmdReader) atEOL() (bool, error) { return c.r.AtEOL() }

// atom reads an atom in upper case.
func (c *cmdReader) atom(production string) (string, error) {
	b, err := c.rawAtom(production)
	if err != nil {
		return "", err
	}
	return strings.ToUpper(string(b)), nil
}

// rawAtom reads an atom as sent. An atom cut short by a raw 8-bit byte
// is "8bit data in atom" (FÖO is not the unknown command F). The byte
// that ended the atom is buffered: looking at it never waits.
func (c *cmdReader) rawAtom(production string) ([]byte, error) {
	b, err := c.r.ReadAtom(production)
	if err != nil {
		return nil, err
	}
	if c.r.Buffered() > 0 {
		if ch, err := c.r.Peek(); err == nil && ch >= 0x80 {
			return nil, c.eightBit(production, "ATOM-CHAR")
		}
	}
	return b, nil
}

// literal reads a literal of at most max bytes, sending the continuation
// request for a synchronizing one.
func (c *cmdReader) literal(production string, max int64) ([]byte, error) {
	info, err := c.r.ReadLiteralHeader(production)
	if err != nil {
		return nil, err
	}
	refuse := ""
	code := ""
	switch {
	case info.NonSync && c.noLiteralPlus:
		// RFC 7888: without LITERAL+ (or LITERAL-) advertised, {n+} is
		// a protocol violation. The data follows at once: the next
		// read discards it, and the command is BAD.
		refuse = fmt.Sprintf("%s: non-synchronizing literal {%d+} without LITERAL+", production, info.Size)
	case info.Binary:
		refuse = "literal8 is not supported here (no BINARY)"
	case info.Size > max:
		refuse = fmt.Sprintf("literal of %d bytes is larger than the %d allowed in %s", info.Size, max, production)
		code = "TOOBIG"
	}
	if refuse != "" {
		if !info.NonSync {
			// The client waits for "+": answer instead, and it will
			// not send the data.
			c.reset()
			return nil, &parseError{msg: refuse, code: code, lineDone: true}
		}
		// The data follows at once: the next read discards it.
		return nil, &parseError{msg: refuse, code: code}
	}
	if !info.NonSync {
		if err := c.cont(); err != nil {
			return nil, err
		}
	}
	return c.r.LiteralBytes(production)
}

// str reads a string: quoted or literal.
func (c *cmdReader) str(production string, max int64) ([]byte, error) {
	ch, err := c.peek()
	if err != nil {
		return nil, err
	}
	switch ch {
	case '"':
		return c.r.ReadQuoted(production)
	case '{', '~':
		return c.literal(production, max)
	}
	return nil, c.r.ErrorAt(production, "string")
}

// astring reads an astring: atom, quoted string or literal.
func (c *cmdReader) astring(production string) (string, error) {
	ch, err := c.peek()
	if err != nil {
		return "", err
	}
	if ch == '"' || ch == '{' {
		b, err := c.str(production, maxStringLiteral)
		return string(b), err
	}
	// 1*ASTRING-CHAR. Raw 8-bit bytes are BAD, as with Dovecot 2.3:
	// UTF-8 goes in a quoted string or a literal (SEARCH SUBJECT "台北"),
	// and mailbox names in modified UTF-7.
	var b []byte
	for {
		ch, err := c.r.Peek()
		if err != nil {
			if len(b) > 0 && err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		if ch >= 0x80 {
			return "", c.eightBit(production, "ASTRING-CHAR")
		}
		if !wire.IsAStringChar(ch) {
			break
		}
		if len(b) >= readerLimits.MaxAtom {
			return "", badf("%s longer than %d bytes", production, readerLimits.MaxAtom)
		}
		c.r.ReadByte()
		b = append(b, ch)
	}
	if len(b) == 0 {
		return "", c.r.ErrorAt(production, "astring")
	}
	return string(b), nil
}

// mailbox reads a mailbox name and decodes it from modified UTF-7. A name
// that is not valid modified UTF-7 (UTF-8 in a quoted string or a literal
// included) is no syntax error: the command parses, and is answered NO
// with Dovecot 2.3's text (lib-imap's imap_utf7_to_utf8 refuses 8-bit
// bytes; UTF-8 names need UTF8=ACCEPT, which neither offers). The name is
// then returned as sent, and c.badName is set.
func (c *cmdReader) mailbox(production string) (string, error) {
	s, err := c.astring(production)
	if err != nil {
		return "", err
	}
	name, bad := decodeMailbox(s, c.delim)
	if bad != "" && c.badName == "" {
		c.badName = bad
	}
	return name, nil
}

// maxNameHint is the longest modified UTF-7 form a NO text shows.
const maxNameHint = 200

// decodeMailbox decodes a mailbox name from modified UTF-7 and normalizes
// INBOX. When s is not valid modified UTF-7 it returns s and the NO text:
// Dovecot's, and for a UTF-8 name the form to send instead.
func decodeMailbox(s string, delim byte) (name, bad string) {
	d, err := wire.DecodeUTF7(s)
	if err == nil {
		return normalizeName(d, delim), ""
	}
	bad = "Mailbox name is not valid mUTF-7"
	eight := false
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			eight = true
			break
		}
	}
	switch {
	case !eight:
		bad += ": " + errorText(err)
	case utf8.ValidString(s):
		if enc := wire.EncodeUTF7(s); len(enc) <= maxNameHint {
			bad += ` (send it as "` + enc + `")`
		}
	}
	return s, bad
}

// listMailbox reads a list-mailbox: a string, or 1*list-char (atom chars
// plus "%", "*" and "]").
func (c *cmdReader) listMailbox(production string) (string, error) {
	ch, err := c.peek()
	if err != nil {
		return "", err
	}
	if ch == '"' || ch == '{' {
		b, err := c.str(production, maxPatternLen)
		return string(b), err
	}
	var b []byte
	for {
		ch, err := c.peek()
		if err != nil {
			return "", err
		}
		if ch >= 0x80 {
			return "", c.eightBit(production, "list-char")
		}
		if !wire.IsAtomChar(ch) && ch != '%' && ch != '*' && ch != ']' {
			break
		}
		if len(b) >= maxPatternLen {
			return "", badf("%s longer than %d bytes", production, maxPatternLen)
		}
		c.r.ReadByte()
		b = append(b, ch)
	}
	if len(b) == 0 {
		return "", c.r.ErrorAt(production, "list-mailbox")
	}
	return string(b), nil
}

// number reads a number.
func (c *cmdReader) number(production string) (uint32, error) { return c.r.ReadNumber(production) }

// flag reads one flag: "\" atom or a keyword atom.
func (c *cmdReader) flag(production string) (string, error) {
	ch, err := c.peek()
	if err != nil {
		return "", err
	}
	if ch == '\\' {
		c.r.ReadByte()
		a, err := c.rawAtom(production)
		if err != nil {
			return "", err
		}
		f := canonicalFlag(`\` + string(a))
		switch f {
		case `\Answered`, `\Flagged`, `\Deleted`, `\Seen`, `\Draft`:
			return f, nil
		}
		return "", badf("%s: %s cannot be set by a client", production, f)
	}
	a, err := c.rawAtom(production)
	return string(a), err
}

// flagList reads "(" [flag *(SP flag)] ")".
func (c *cmdReader) flagList(production string) ([]string, error) {
	if err := c.r.Expect('(', production); err != nil {
		return nil, err
	}
	flags := []string{}
	for {
		ch, err := c.peek()
		if err != nil {
			return nil, err
		}
		if ch == ')' {
			c.r.ReadByte()
			return flags, nil
		}
		if len(flags) > 0 {
			if err := c.sp(production); err != nil {
				return nil, err
			}
		}
		if len(flags) >= maxListItems {
			return nil, badf("%s: more than %d flags", production, maxListItems)
		}
		f, err := c.flag(production)
		if err != nil {
			return nil, err
		}
		flags = append(flags, f)
	}
}

// atomList reads "(" atom *(SP atom) ")" in upper case (empty allowed
// when empty is set).
func (c *cmdReader) atomList(production string, empty bool) ([]string, error) {
	if err := c.r.Expect('(', production); err != nil {
		return nil, err
	}
	var out []string
	for {
		ch, err := c.peek()
		if err != nil {
			return nil, err
		}
		if ch == ')' {
			if len(out) == 0 && !empty {
				return nil, c.r.ErrorAt(production, "atom")
			}
			c.r.ReadByte()
			return out, nil
		}
		if len(out) > 0 {
			if err := c.sp(production); err != nil {
				return nil, err
			}
		}
		if len(out) >= maxListItems {
			return nil, badf("%s: more than %d items", production, maxListItems)
		}
		a, err := c.atom(production)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
}

// seqSet reads a sequence-set.
func (c *cmdReader) seqSet(production string) (wire.SeqSet, error) {
	return c.r.ReadSeqSet(production)
}

// parseDateTime parses an RFC 3501 date-time ("17-Jul-1996 02:44:25 -0700"
// with the day padded by a space or not).
func parseDateTime(s string) (time.Time, error) {
	t, err := time.Parse("_2-Jan-2006 15:04:05 -0700", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, badf("invalid date-time %q (want dd-Mon-yyyy hh:mm:ss +zzzz)", s)
	}
	return t, nil
}

// parseDate parses an RFC 3501 date ("1-Feb-1994").
func parseDate(s string) (time.Time, error) {
	t, err := time.Parse("_2-Jan-2006", s)
	if err != nil {
		return time.Time{}, badf("invalid date %q (want d-Mon-yyyy)", s)
	}
	return t, nil
}

// parseCommand reads the next command. A *parseError or *wire.SyntaxError
// means a malformed command: cmd then holds the tag (if it was read) and
// the name (if known). Any other error is the connection's.
//
// A syntax error's Offset counts from the first byte of the command's tag
// (literals included), so that the BAD text points into the line the
// client sent, not into the whole connection. A syntax error at a raw
// 8-bit byte is Dovecot's "8bit data in atom": no production of the
// command grammar takes one outside a quoted string or a literal.
func parseCommand(c *cmdReader) (*command, error) {
	start := c.r.InputOffset()
	c.badName = ""
	cmd, err := parseCommandLine(c)
	cmd.badName = c.badName
	var se *wire.SyntaxError
	if err == nil || !errors.As(err, &se) {
		return cmd, err
	}
	if !errors.Is(err, errEightBit) && se.Err == nil && se.Offset == c.r.InputOffset() {
		if ch, perr := c.r.Peek(); perr == nil && ch >= 0x80 {
			if err8 := c.eightBit(se.Production, se.Expected); errors.As(err8, &se) {
				err = err8
			}
		}
	}
	return cmd, relativeOffset(err, start)
}

// relativeOffset returns err with the offset of its *wire.SyntaxError
// counted from start. The error is copied, never changed in place.
func relativeOffset(err error, start int64) error {
	se, ok := err.(*wire.SyntaxError)
	if !ok || start == 0 {
		return err
	}
	rel := *se
	rel.Offset -= start
	return &rel
}

// parseCommandLine reads the tag, the command name and its arguments, up
// to the line end.
func parseCommandLine(c *cmdReader) (*command, error) {
	cmd := &command{}
	tag, err := c.r.ReadTag("tag")
	if err != nil {
		return cmd, err
	}
	cmd.tag = string(tag)
	if err := c.sp("command"); err != nil {
		return cmd, err
	}
	if cmd.name, err = c.atom("command"); err != nil {
		return cmd, err
	}
	if cmd.name == "UID" {
		cmd.uid = true
		if err := c.sp("uid"); err != nil {
			return cmd, err
		}
		if cmd.name, err = c.atom("uid"); err != nil {
			return cmd, err
		}
		switch cmd.name {
		case "FETCH", "STORE", "SEARCH", "COPY", "MOVE", "EXPUNGE":
		default:
			return cmd, badf("UID %s: unknown command", cmd.name)
		}
	}
	if err := parseArgs(c, cmd); err != nil {
		return cmd, err
	}
	return cmd, c.crlf(strings.ToLower(cmd.name))
}

// parseArgs reads the arguments of cmd.name, up to the line end.
func parseArgs(c *cmdReader, cmd *command) error {
	var err error
	switch cmd.name {
	case "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "CHECK", "CLOSE", "UNSELECT", "IDLE", "NAMESPACE":
		return nil
	case "EXPUNGE":
		if cmd.uid {
			if err := c.sp("uid-expunge"); err != nil {
				return err
			}
			cmd.seq, err = c.seqSet("uid-expunge")
		}
		return err
	case "LOGIN":
		if err := c.sp("login"); err != nil {
			return err
		}
		if cmd.user, err = c.astring("userid"); err != nil {
			return err
		}
		if err := c.sp("login"); err != nil {
			return err
		}
		cmd.pass, err = c.astring("password")
		return err
	case "AUTHENTICATE":
		if err := c.sp("authenticate"); err != nil {
			return err
		}
		mech, err := c.atom("auth-type")
		if err != nil {
			return err
		}
		cmd.atoms = []string{mech}
		if eol, err := c.atEOL(); err != nil || eol {
			return err
		}
		if err := c.sp("authenticate"); err != nil {
			return err
		}
		ir, err := c.rawAtom("initial-response")
		if err != nil {
			return err
		}
		cmd.atoms = append(cmd.atoms, string(ir))
		return nil
	case "SELECT", "EXAMINE":
		if err := c.sp(strings.ToLower(cmd.name)); err != nil {
			return err
		}
		if cmd.mailbox, err = c.mailbox("mailbox"); err != nil {
			return err
		}
		return parseSelectParams(c, cmd)
	case "CREATE", "DELETE", "SUBSCRIBE", "UNSUBSCRIBE":
		if err := c.sp(strings.ToLower(cmd.name)); err != nil {
			return err
		}
		cmd.mailbox, err = c.mailbox("mailbox")
		return err
	case "RENAME":
		if err := c.sp("rename"); err != nil {
			return err
		}
		if cmd.mailbox, err = c.mailbox("mailbox"); err != nil {
			return err
		}
		if err := c.sp("rename"); err != nil {
			return err
		}
		cmd.mailbox2, err = c.mailbox("mailbox")
		return err
	case "LIST", "LSUB", "XLIST":
		return parseList(c, cmd)
	case "STATUS":
		if err := c.sp("status"); err != nil {
			return err
		}
		if cmd.mailbox, err = c.mailbox("mailbox"); err != nil {
			return err
		}
		if err := c.sp("status"); err != nil {
			return err
		}
		cmd.atoms, err = c.atomList("status-att", false)
		if err == nil {
			err = checkStatusItems(cmd.atoms)
		}
		return err
	case "APPEND":
		return parseAppend(c, cmd)
	case "FETCH":
		if err := c.sp("fetch"); err != nil {
			return err
		}
		if cmd.seq, err = c.seqSet("sequence-set"); err != nil {
			return err
		}
		if err := c.sp("fetch"); err != nil {
			return err
		}
		if cmd.fetch, err = parseFetchAtts(c); err != nil {
			return err
		}
		return parseFetchModifiers(c, cmd)
	case "STORE":
		return parseStore(c, cmd)
	case "COPY", "MOVE":
		if err := c.sp(strings.ToLower(cmd.name)); err != nil {
			return err
		}
		if cmd.seq, err = c.seqSet("sequence-set"); err != nil {
			return err
		}
		if err := c.sp(strings.ToLower(cmd.name)); err != nil {
			return err
		}
		cmd.mailbox2, err = c.mailbox("mailbox")
		return err
	case "SEARCH":
		cmd.search, err = parseSearch(c)
		return err
	case "ENABLE":
		for {
			if eol, err := c.atEOL(); err != nil || eol {
				if err == nil && len(cmd.atoms) == 0 {
					return c.r.ErrorAt("enable", "SP capability")
				}
				return err
			}
			if err := c.sp("enable"); err != nil {
				return err
			}
			if len(cmd.atoms) >= maxListItems {
				return badf("enable: more than %d capabilities", maxListItems)
			}
			a, err := c.atom("capability")
			if err != nil {
				return err
			}
			cmd.atoms = append(cmd.atoms, a)
		}
	case "ID":
		return parseID(c, cmd)
	case "GETQUOTAROOT":
		if err := c.sp("getquotaroot"); err != nil {
			return err
		}
		cmd.mailbox, err = c.mailbox("mailbox")
		return err
	case "GETQUOTA", "SETQUOTA":
		if err := c.sp(strings.ToLower(cmd.name)); err != nil {
			return err
		}
		if cmd.user, err = c.astring("quota-root"); err != nil {
			return err
		}
		if cmd.name == "SETQUOTA" {
			// Refused whatever its list says; the rest of the line is
			// skipped like a malformed command's.
			return &parseError{msg: "Quotas are fixed on this server", code: "NOPERM"}
		}
		return nil
	}
	return badf("%s: unknown command", cmd.name)
}

// parseList reads LIST, LSUB and XLIST arguments, with the LIST-EXTENDED
// (RFC 5258) selection and return options and several patterns for LIST.
func parseList(c *cmdReader, cmd *command) error {
	la := &listArgs{}
	cmd.list = la
	prod := strings.ToLower(cmd.name)
	if err := c.sp(prod); err != nil {
		return err
	}
	ch, err := c.peek()
	if err != nil {
		return err
	}
	if ch == '(' && cmd.name == "LIST" {
		opts, err := c.atomList("list-select-opts", true)
		if err != nil {
			return err
		}
		la.extended = true
		for _, o := range opts {
			switch o {
			case "SUBSCRIBED":
				la.selSubscribed = true
			case "REMOTE":
				la.selRemote = true
			case "RECURSIVEMATCH":
				la.selRecursive = true
			case "SPECIAL-USE":
				la.selSpecialUse = true
			default:
				return badf("list: unknown selection option %s", o)
			}
		}
		if la.selRecursive && !la.selSubscribed && !la.selSpecialUse {
			return badf("list: RECURSIVEMATCH needs another selection option")
		}
		if err := c.sp(prod); err != nil {
			return err
		}
	}
	// The reference is a mailbox, taken as is (not normalized).
	ref, err := c.astring("mailbox")
	if err != nil {
		return err
	}
	cmd.mailbox = ref
	if err := c.sp(prod); err != nil {
		return err
	}
	if ch, err := c.peek(); err != nil {
		return err
	} else if ch == '(' && cmd.name == "LIST" {
		c.r.ReadByte()
		la.extended = true
		for {
			p, err := c.listMailbox("list-mailbox")
			if err != nil {
				return err
			}
			la.patterns = append(la.patterns, p)
			if len(la.patterns) > maxListItems {
				return badf("list: more than %d patterns", maxListItems)
			}
			ch, err := c.peek()
			if err != nil {
				return err
			}
			if ch == ')' {
				c.r.ReadByte()
				break
			}
			if err := c.sp("list-mailbox"); err != nil {
				return err
			}
		}
	} else {
		p, err := c.listMailbox("list-mailbox")
		if err != nil {
			return err
		}
		la.patterns = []string{p}
	}
	if eol, err := c.atEOL(); err != nil || eol || cmd.name != "LIST" {
		return err
	}
	if err := c.sp(prod); err != nil {
		return err
	}
	if a, err := c.atom("list-return-opts"); err != nil {
		return err
	} else if a != "RETURN" {
		return badf("list: expected RETURN, found %s", a)
	}
	la.extended = true
	if err := c.sp("list-return-opts"); err != nil {
		return err
	}
	if err := c.r.Expect('(', "list-return-opts"); err != nil {
		return err
	}
	for n := 0; ; n++ {
		ch, err := c.peek()
		if err != nil {
			return err
		}
		if ch == ')' {
			c.r.ReadByte()
			return nil
		}
		if n > 0 {
			if err := c.sp("list-return-opts"); err != nil {
				return err
			}
		}
		if n >= maxListItems {
			return badf("list: too many return options")
		}
		o, err := c.atom("return-option")
		if err != nil {
			return err
		}
		switch o {
		case "SUBSCRIBED":
			la.retSubscribed = true
		case "CHILDREN":
			la.retChildren = true
		case "SPECIAL-USE":
			la.retSpecialUse = true
		case "STATUS":
			if err := c.sp("return-option"); err != nil {
				return err
			}
			items, err := c.atomList("status-att", false)
			if err != nil {
				return err
			}
			if err := checkStatusItems(items); err != nil {
				return err
			}
			la.retStatus = items
		default:
			return badf("list: unknown return option %s", o)
		}
	}
}

// statusItems are the STATUS items the server knows.
var statusItems = []string{"MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "SIZE", "HIGHESTMODSEQ"}

func checkStatusItems(items []string) error {
	for _, it := range items {
		found := false
		for _, s := range statusItems {
			if it == s {
				found = true
			}
		}
		if !found {
			return badf("status: unknown item %s", it)
		}
	}
	return nil
}

// parseSelectParams reads SELECT's and EXAMINE's optional parameters:
// (CONDSTORE) and (QRESYNC (uidvalidity modseq [known-uids] [seq-match]))
// (RFC 7162).
func parseSelectParams(c *cmdReader, cmd *command) error {
	if eol, err := c.atEOL(); err != nil || eol {
		return err
	}
	if err := c.sp("select-params"); err != nil {
		return err
	}
	if err := c.r.Expect('(', "select-params"); err != nil {
		return err
	}
	for n := 0; ; n++ {
		ch, err := c.peek()
		if err != nil {
			return err
		}
		if ch == ')' && n > 0 {
			c.r.ReadByte()
			return nil
		}
		if n > 0 {
			if err := c.sp("select-params"); err != nil {
				return err
			}
		}
		if n > 10 {
			return badf("select: too many parameters")
		}
		p, err := c.atom("select-param")
		if err != nil {
			return err
		}
		switch p {
		case "CONDSTORE":
			cmd.selCondstore = true
		case "QRESYNC":
			q := &qresyncArgs{}
			if err := c.sp("select-param"); err != nil {
				return err
			}
			if err := c.r.Expect('(', "select-param"); err != nil {
				return err
			}
			if q.uidValidity, err = c.number("uidvalidity"); err != nil {
				return err
			}
			if err := c.sp("select-param"); err != nil {
				return err
			}
			if q.modseq, err = c.r.ReadNumber64("mod-sequence-value"); err != nil {
				return err
			}
			if ch, err := c.peek(); err != nil {
				return err
			} else if ch == ' ' {
				c.r.ReadByte()
				if ch, err = c.peek(); err != nil {
					return err
				}
				if ch != '(' {
					if q.knownUIDs, err = c.seqSet("known-uids"); err != nil {
						return err
					}
					if ch, err = c.peek(); err != nil {
						return err
					}
					if ch == ' ' {
						c.r.ReadByte()
					}
				}
				if ch, err = c.peek(); err != nil {
					return err
				}
				if ch == '(' {
					// seq-match-data: read and not needed (the server
					// keeps no expunge log: every missing UID is
					// reported).
					c.r.ReadByte()
					if _, err := c.seqSet("known-sequence-set"); err != nil {
						return err
					}
					if err := c.sp("seq-match-data"); err != nil {
						return err
					}
					if _, err := c.seqSet("known-uid-set"); err != nil {
						return err
					}
					if err := c.r.Expect(')', "seq-match-data"); err != nil {
						return err
					}
				}
			}
			if err := c.r.Expect(')', "select-param"); err != nil {
				return err
			}
			cmd.qresync = q
		default:
			return badf("select: unknown parameter %s", p)
		}
	}
}

// parseFetchModifiers reads FETCH's optional modifiers: (CHANGEDSINCE n
// [VANISHED]) (RFC 7162).
func parseFetchModifiers(c *cmdReader, cmd *command) error {
	if eol, err := c.atEOL(); err != nil || eol {
		return err
	}
	if err := c.sp("fetch-modifiers"); err != nil {
		return err
	}
	if err := c.r.Expect('(', "fetch-modifiers"); err != nil {
		return err
	}
	for n := 0; ; n++ {
		ch, err := c.peek()
		if err != nil {
			return err
		}
		if ch == ')' && n > 0 {
			c.r.ReadByte()
			break
		}
		if n > 0 {
			if err := c.sp("fetch-modifiers"); err != nil {
				return err
			}
		}
		if n > 10 {
			return badf("fetch: too many modifiers")
		}
		m, err := c.atom("fetch-modifier")
		if err != nil {
			return err
		}
		switch m {
		case "CHANGEDSINCE":
			if err := c.sp("fetch-modifier"); err != nil {
				return err
			}
			if cmd.changedSince, err = c.r.ReadNumber64("mod-sequence-value"); err != nil {
				return err
			}
			if cmd.changedSince == 0 {
				return badf("fetch: CHANGEDSINCE 0")
			}
		case "VANISHED":
			cmd.vanished = true
		default:
			return badf("fetch: unknown modifier %s", m)
		}
	}
	if cmd.vanished && (cmd.changedSince == 0 || !cmd.uid) {
		return badf("fetch: VANISHED needs UID FETCH and CHANGEDSINCE")
	}
	return nil
}

// parseAppend reads APPEND mailbox [flags] [date-time] literal.
func parseAppend(c *cmdReader, cmd *command) error {
	a := &appendArgs{}
	cmd.appendA = a
	if err := c.sp("append"); err != nil {
		return err
	}
	var err error
	if cmd.mailbox, err = c.mailbox("mailbox"); err != nil {
		return err
	}
	if err := c.sp("append"); err != nil {
		return err
	}
	ch, err := c.peek()
	if err != nil {
		return err
	}
	if ch == '(' {
		if a.flags, err = c.flagList("flag-list"); err != nil {
			return err
		}
		if err := c.sp("append"); err != nil {
			return err
		}
		if ch, err = c.peek(); err != nil {
			return err
		}
	}
	if ch == '"' {
		d, err := c.r.ReadQuoted("date-time")
		if err != nil {
			return err
		}
		if a.date, err = parseDateTime(string(d)); err != nil {
			return err
		}
		if err := c.sp("append"); err != nil {
			return err
		}
	}
	if a.msg, err = c.literal("append", maxMessageSize); err != nil {
		return err
	}
	if eol, err := c.atEOL(); err == nil && !eol {
		return badf("append: one message per APPEND (no MULTIAPPEND)")
	}
	return nil
}

// parseStore reads STORE sequence-set SP store-att-flags.
func parseStore(c *cmdReader, cmd *command) error {
	if err := c.sp("store"); err != nil {
		return err
	}
	var err error
	if cmd.seq, err = c.seqSet("sequence-set"); err != nil {
		return err
	}
	if err := c.sp("store"); err != nil {
		return err
	}
	st := &storeArgs{op: '='}
	cmd.store = st
	ch, err := c.peek()
	if err != nil {
		return err
	}
	if ch == '(' {
		// store-modifiers (RFC 7162): (UNCHANGEDSINCE n).
		c.r.ReadByte()
		a, err := c.atom("store-modifier")
		if err != nil {
			return err
		}
		if a != "UNCHANGEDSINCE" {
			return badf("store: unknown modifier %s", a)
		}
		if err := c.sp("store-modifier"); err != nil {
			return err
		}
		if st.unchangedSince, err = c.r.ReadNumber64("mod-sequence-valzer"); err != nil {
			return err
		}
		st.conditional = true
		if err := c.r.Expect(')', "store-modifiers"); err != nil {
			return err
		}
		if err := c.sp("store"); err != nil {
			return err
		}
		if ch, err = c.peek(); err != nil {
			return err
		}
	}
	if ch == '+' || ch == '-' {
		st.op = ch
		c.r.ReadByte()
	}
	item, err := c.atom("store-att-flags")
	if err != nil {
		return err
	}
	switch item {
	case "FLAGS":
	case "FLAGS.SILENT":
		st.silent = true
	default:
		return badf("store: expected FLAGS or FLAGS.SILENT, found %s", item)
	}
	if err := c.sp("store-att-flags"); err != nil {
		return err
	}
	if ch, err = c.peek(); err != nil {
		return err
	}
	if ch == '(' {
		st.flags, err = c.flagList("flag-list")
		return err
	}
	// flag *(SP flag), without parentheses.
	for {
		f, err := c.flag("flag")
		if err != nil {
			return err
		}
		st.flags = append(st.flags, f)
		if len(st.flags) > maxListItems {
			return badf("store: more than %d flags", maxListItems)
		}
		if eol, err := c.atEOL(); err != nil || eol {
			return err
		}
		if err := c.sp("flag"); err != nil {
			return err
		}
	}
}

// parseID reads ID ("name" "value" ...) or ID NIL (RFC 2971).
func parseID(c *cmdReader, cmd *command) error {
	if err := c.sp("id"); err != nil {
		return err
	}
	ch, err := c.peek()
	if err != nil {
		return err
	}
	if ch != '(' {
		if err := c.r.ReadNIL("id-params-list"); err != nil {
			return err
		}
		cmd.noID = true
		return nil
	}
	c.r.ReadByte()
	for {
		ch, err := c.peek()
		if err != nil {
			return err
		}
		if ch == ')' {
			c.r.ReadByte()
			if len(cmd.id)%2 != 0 {
				return badf("id: a name without a value")
			}
			return nil
		}
		if len(cmd.id) > 0 {
			if err := c.sp("id-params-list"); err != nil {
				return err
			}
		}
		if len(cmd.id) >= 2*30 {
			return badf("id: more than 30 fields (RFC 2971)")
		}
		if len(cmd.id)%2 == 1 {
			b, isNil, err := readNString(c, "id-params-list")
			if err != nil {
				return err
			}
			_ = isNil
			cmd.id = append(cmd.id, string(b))
			continue
		}
		b, err := c.str("id-params-list", 1024)
		if err != nil {
			return err
		}
		cmd.id = append(cmd.id, string(b))
	}
}

// readNString reads NIL or a string.
func readNString(c *cmdReader, production string) ([]byte, bool, error) {
	ch, err := c.peek()
	if err != nil {
		return nil, false, err
	}
	if ch == 'N' || ch == 'n' {
		return nil, true, c.r.ReadNIL(production)
	}
	b, err := c.str(production, 1024)
	return b, false, err
}

// skipLine discards the rest of a malformed command's line. Non-
// synchronizing literals on the way are skipped whole; at a synchronizing
// literal's header it stops: the client waits for a "+" that will not
// come, and takes the tagged BAD as the answer.
func skipLine(r *wire.Reader) error {
	// 0 none; 1 after '{'; 2 in digits; 3 after '+'; 4 after '}'; 5 after "}\r".
	state := 0
	var size int64
	nonSync := false
	for {
		ch, err := r.ReadByte()
		if err != nil {
			return err
		}
		switch {
		case ch == '\n':
			if state == 4 || state == 5 {
				if !nonSync {
					return nil
				}
				if _, err := io.CopyN(io.Discard, readerFunc(r.ReadByte), size); err != nil {
					return err
				}
				state, size, nonSync = 0, 0, false
				continue
			}
			return nil
		case ch == '{':
			state, size, nonSync = 1, 0, false
		case ch >= '0' && ch <= '9' && (state == 1 || state == 2):
			state = 2
			if size < 1<<40 {
				size = size*10 + int64(ch-'0')
			}
		case ch == '+' && state == 2:
			state, nonSync = 3, true
		case ch == '}' && (state == 2 || state == 3):
			state = 4
		case ch == '\r' && state == 4:
			state = 5
		default:
			state = 0
		}
	}
}

// readerFunc makes an io.Reader of a ReadByte function.
type readerFunc func() (byte, error)

func (f readerFunc) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b, err := f()
	if err != nil {
		return 0, err
	}
	p[0] = b
	return 1, nil
}

// errorText renders a parse error for a BAD response: one line of text.
func errorText(err error) string {
	s := strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f {
			return '?'
		}
		return r
	}, err.Error())
	if s == "" {
		s = "Error in command"
	}
	return s
}
