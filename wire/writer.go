package wire

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A LiteralMode says how a Writer sends literals.
type LiteralMode uint8

const (
	// LiteralSync sends synchronizing literals, "{n}": the Writer sends
	// the header, then waits through Writer.ContinueFunc for the server's
	// continuation request before sending the data. Every server accepts
	// them. It is the zero value.
	LiteralSync LiteralMode = iota

	// LiteralPlus sends every literal non-synchronizing, "{n+}", without
	// waiting. Use it only when the server advertises LITERAL+ (RFC 7888).
	LiteralPlus

	// LiteralMinus sends literals of up to 4096 bytes non-synchronizing
	// and larger ones synchronizing. Use it when the server advertises
	// LITERAL- (RFC 7888), or IMAP4rev2, which implies it.
	LiteralMinus
)

const (
	// maxLiteralMinus is the largest non-synchronizing literal that
	// LITERAL- allows (RFC 7888 section 4).
	maxLiteralMinus = 4096

	// maxQuoted is the longest string that String and AString send as a
	// quoted string; longer ones go as literals. Servers read quoted
	// strings into line buffers of a few KiB (Dovecot switches to literals
	// itself above 4 KiB), and a literal costs a round trip only when it
	// is synchronizing, so 1 KiB keeps every ordinary argument on one line
	// without testing any server's limit.
	maxQuoted = 1024
)

var (
	// ErrUnencodable reports a value that the form a Writer method writes
	// cannot carry: CR, LF or NUL outside a literal, an empty atom or a
	// byte that is not an ATOM-CHAR in one, 8-bit text in a quoted string
	// without UTF8Accept.
	ErrUnencodable = errors.New("value cannot be encoded in this form")

	// ErrNoContinueFunc reports a synchronizing literal that a Writer
	// cannot send because its ContinueFunc is nil.
	ErrNoContinueFunc = errors.New("synchronizing literal needs Writer.ContinueFunc")
)

// A Writer encodes IMAP commands (RFC 3501 section 9) to an io.Writer
// through its own buffer. Each method writes one piece of a command;
// the caller writes the tag, the spaces between arguments and the final
// CRLF, then calls Flush.
//
// No method writes CR, LF or NUL except CRLF and the body of a literal,
// whose length is announced before it, and only the literal methods write
// a "{" outside a quoted string: whatever the arguments, the output is one
// command, so command injection is impossible by construction. The
// String, AString and Mailbox methods choose the form themselves (atom,
// quoted string or literal) from the value.
//
// Errors are sticky, as with bufio.Writer: every method returns an error,
// and after the first one (an I/O error, a value refused, a literal the
// server declined) every method, Flush included, writes nothing and
// returns that same error. A value is checked before any of it is written.
// Output reaches the io.Writer only on Flush, when a synchronizing literal
// flushes its header, or when the 4096-byte buffer fills; so after a
// refused value, Reset usually discards the whole command. If part of it
// was already sent, the connection is out of step until the command is
// ended (Reset, then CRLF: the server answers BAD) or the connection
// closed.
//
// A Writer is not safe for concurrent use: the caller holds a write lock
// across a whole command, continuation literals included.
type Writer struct {
	// LiteralMode says how literals are sent. The zero value, LiteralSync,
	// works with every server.
	LiteralMode LiteralMode

	// UTF8Accept says that UTF8=ACCEPT is enabled (RFC 6855): quoted
	// strings may then hold UTF-8, and Mailbox sends names as UTF-8
	// rather than modified UTF-7.
	UTF8Accept bool

	// ContinueFunc is called for each synchronizing literal, after the
	// header "{n}\r\n" has been flushed and before any of the data is
	// written. It must block until the server answers: it returns nil
	// when the server sent a continuation request ("+"), and the Writer
	// then sends the data; it returns an error when the server refused
	// the command instead (a tagged NO or BAD), or the connection failed.
	// That error is returned by the literal method, unwrapped, and becomes
	// the Writer's sticky error: the server has finished with the command,
	// so the caller calls Reset to discard the rest of it.
	//
	// The dispatcher sets ContinueFunc; it runs on the goroutine writing
	// the command. If it is nil, a synchronizing literal is refused with
	// ErrNoContinueFunc before anything of it is written.
	ContinueFunc func() error

	bw  *bufio.Writer
	err error
	num [20]byte // scratch for formatting numbers
}

// NewWriter returns a Writer that writes to w through a 4096-byte buffer,
// with LiteralMode LiteralSync, UTF8Accept off and no ContinueFunc.
func NewWriter(w io.Writer) *Writer {
	return &Writer{bw: bufio.NewWriter(w)}
}

// Reset discards any unflushed data and the sticky error, and makes the
// Writer write to dst. LiteralMode, UTF8Accept and ContinueFunc are kept.
// A dispatcher calls it after a value was refused or a synchronizing
// literal was declined, to drop the rest of that command.
func (w *Writer) Reset(dst io.Writer) {
	w.bw.Reset(dst)
	w.err = nil
}

// Flush writes any buffered data to the underlying io.Writer.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	return w.check(w.bw.Flush())
}

// check records err, if any, as the sticky error and returns it.
func (w *Writer) check(err error) error {
	if err != nil && w.err == nil {
		w.err = err
	}
	return err
}

// refuse records and returns an ErrUnencodable error for the byte at
// index i of a value written as form. The value itself is not quoted in
// the message: it may be a password.
func (w *Writer) refuse(form, s string, i int) error {
	var what string
	switch {
	case s == "":
		what = "empty"
	case s[i] == '\r':
		what = "CR at index " + strconv.Itoa(i)
	case s[i] == '\n':
		what = "LF at index " + strconv.Itoa(i)
	case s[i] == 0:
		what = "NUL at index " + strconv.Itoa(i)
	default:
		what = fmt.Sprintf("byte %#02x at index %d", s[i], i)
	}
	return w.check(fmt.Errorf("imap: writing %s: %w: %s", form, ErrUnencodable, what))
}

// write writes s unchecked.
func (w *Writer) write(s string) error {
	if w.err != nil {
		return w.err
	}
	_, err := w.bw.WriteString(s)
	return w.check(err)
}

// writeByte writes c unchecked.
func (w *Writer) writeByte(c byte) error {
	if w.err != nil {
		return w.err
	}
	return w.check(w.bw.WriteByte(c))
}

// SP writes a space.
func (w *Writer) SP() error { return w.writeByte(' ') }

// CRLF writes the CRLF that ends a command.
func (w *Writer) CRLF() error { return w.write("\r\n") }

// OpenList writes the "(" that opens a parenthesized list.
func (w *Writer) OpenList() error { return w.writeByte('(') }

// CloseList writes the ")" that closes a parenthesized list.
func (w *Writer) CloseList() error { return w.writeByte(')') }

// Raw writes s as it is. It is for protocol text that the program itself
// supplies, such as command names, "\Seen", "BODY.PEEK[HEADER]" or
// "(FLAGS UID)", never for values from users or servers: use Atom,
// String, AString or Mailbox for those. Raw still refuses with
// ErrUnencodable CR, LF and NUL, and "{", which in a command only starts
// a literal header: the literal methods write those.
func (w *Writer) Raw(s string) error {
	if w.err != nil {
		return w.err
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\r' || c == '\n' || c == 0 || c == '{' {
			return w.refuse("raw text", s, i)
		}
	}
	return w.write(s)
}

// Atom writes s as an atom, such as a tag, a command name or a keyword.
// It refuses with ErrUnencodable an empty s or one with a byte that is not
// an ATOM-CHAR (RFC 3501: any 7-bit character but SP, controls, and
// ( ) { % * " \ ]).
func (w *Writer) Atom(s string) error {
	if w.err != nil {
		return w.err
	}
	if s == "" {
		return w.refuse("atom", s, 0)
	}
	for i := 0; i < len(s); i++ {
		if !IsAtomChar(s[i]) {
			return w.refuse("atom", s, i)
		}
	}
	return w.write(s)
}

// Number writes n, an RFC 3501 number or nz-number.
func (w *Writer) Number(n uint32) error { return w.Number64(uint64(n)) }

// Number64 writes n, such as an RFC 7162 mod-sequence (which the grammar
// bounds to 63 bits; Number64 writes any uint64).
func (w *Writer) Number64(n uint64) error {
	if w.err != nil {
		return w.err
	}
	_, err := w.bw.Write(strconv.AppendUint(w.num[:0], n, 10))
	return w.check(err)
}

// SeqSet writes s as a sequence-set, such as "2,4:6,20:*". It refuses an
// empty s with ErrUnencodable: the grammar needs at least one number.
func (w *Writer) SeqSet(s SeqSet) error {
	if w.err != nil {
		return w.err
	}
	if len(s) == 0 {
		return w.refuse("sequence-set", "", 0)
	}
	for i, r := range s {
		if i > 0 {
			w.writeByte(',')
		}
		w.seqNumber(r.Start)
		if r.Stop != r.Start {
			w.writeByte(':')
			w.seqNumber(r.Stop)
		}
	}
	return w.err
}

// seqNumber writes n, or "*" for 0.
func (w *Writer) seqNumber(n uint32) {
	if n == 0 {
		w.writeByte('*')
		return
	}
	w.Number(n)
}

// unquotable returns the index of the first byte of s that a quoted string
// cannot carry, or -1 if there is none. CR, LF and NUL never fit; 8-bit
// bytes fit only with UTF8Accept, as valid UTF-8 (RFC 6855 section 3).
func (w *Writer) unquotable(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\r' || c == '\n' || c == 0:
			return i
		case c < utf8.RuneSelf:
		case !w.UTF8Accept:
			return i
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return i
			}
			i += size - 1
		}
	}
	return -1
}

// Quoted writes s as a quoted string, escaping '"' and '\'. It refuses
// with ErrUnencodable an s that holds CR, LF or NUL, or 8-bit bytes
// (unless UTF8Accept is set and s is valid UTF-8). Prefer String and
// AString, which fall back to a literal.
func (w *Writer) Quoted(s string) error {
	if w.err != nil {
		return w.err
	}
	if i := w.unquotable(s); i >= 0 {
		return w.refuse("quoted string", s, i)
	}
	w.quoted(s)
	return w.err
}

// quoted writes s as a quoted string, unchecked.
func (w *Writer) quoted(s string) {
	w.writeByte('"')
	for {
		i := strings.IndexAny(s, `"\`)
		if i < 0 {
			break
		}
		w.write(s[:i])
		w.writeByte('\\')
		w.writeByte(s[i])
		s = s[i+1:]
	}
	w.write(s)
	w.writeByte('"')
}

// String writes s as an RFC 3501 string: a quoted string if s is short
// and quotable, otherwise a literal. It refuses an s holding NUL with
// ErrUnencodable: no string form can carry NUL.
func (w *Writer) String(s string) error {
	if w.err != nil {
		return w.err
	}
	if len(s) <= maxQuoted && w.unquotable(s) < 0 {
		w.quoted(s)
		return w.err
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		return w.refuse("string", s, i)
	}
	if err := w.literalHeader("", int64(len(s))); err != nil {
		return err
	}
	return w.write(s)
}

// AString writes s as an RFC 3501 astring: an atom if s is non-empty and
// all ASTRING-CHARs, otherwise as String does. Userids, passwords and
// search keys are astrings.
func (w *Writer) AString(s string) error {
	if w.err != nil {
		return w.err
	}
	if isAStringAtom(s) {
		return w.write(s)
	}
	return w.String(s)
}

// isAStringAtom reports whether s can be written as 1*ASTRING-CHAR.
func isAStringAtom(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !IsAStringChar(s[i]) {
			return false
		}
	}
	return true
}

// Mailbox writes the mailbox name, given decoded (UTF-8, as DecodeUTF7
// returns it). Any case of "INBOX" is written INBOX (RFC 3501 section
// 5.1). Other names are encoded in modified UTF-7 (EncodeUTF7), or left in
// UTF-8 when UTF8Accept is set, and written as AString does. In either
// encoding each byte of name that is not valid UTF-8 is sent as U+FFFD.
func (w *Writer) Mailbox(name string) error {
	if w.err != nil {
		return w.err
	}
	if isInbox(name) {
		return w.write("INBOX")
	}
	if !w.UTF8Accept {
		return w.AString(EncodeUTF7(name))
	}
	if !utf8.ValidString(name) {
		var b strings.Builder
		for _, r := range name {
			b.WriteRune(r) // utf8.RuneError for each invalid byte
		}
		name = b.String()
	}
	return w.AString(name)
}

// isInbox reports whether name is "INBOX" in any ASCII case.
func isInbox(name string) bool {
	if len(name) != len("INBOX") {
		return false
	}
	for i := 0; i < len(name); i++ {
		if name[i]&^0x20 != "INBOX"[i] {
			return false
		}
	}
	return true
}

// Literal writes a literal of size bytes read from r: the header, "{n}"
// or "{n+}" according to LiteralMode, then the data. A synchronizing
// literal is sent only once ContinueFunc has returned nil (see
// ContinueFunc). If r ends before size bytes, Literal fails with
// io.ErrUnexpectedEOF; then, as after an error from r, the connection is
// out of step and must be closed.
//
// The data is sent as it is. RFC 3501 literals cannot hold NUL: use
// Literal8 for binary content when the server supports BINARY.
func (w *Writer) Literal(size int64, r io.Reader) error {
	return w.literal("", size, r)
}

// Literal8 writes a literal8, "~{n}" (RFC 3516 BINARY), which may hold any
// byte, NUL included, as Literal does.
func (w *Writer) Literal8(size int64, r io.Reader) error {
	return w.literal("~", size, r)
}

// LiteralBytes writes b as a literal, as Literal does.
func (w *Writer) LiteralBytes(b []byte) error {
	if err := w.literalHeader("", int64(len(b))); err != nil {
		return err
	}
	_, err := w.bw.Write(b)
	return w.check(err)
}

// literal writes a literal with the header prefix ("" or "~").
func (w *Writer) literal(prefix string, size int64, r io.Reader) error {
	if err := w.literalHeader(prefix, size); err != nil {
		return err
	}
	n, err := io.CopyN(w.bw, r, size)
	if n < size && err == io.EOF {
		err = fmt.Errorf("imap: literal of %d bytes ended after %d: %w", size, n, io.ErrUnexpectedEOF)
	}
	return w.check(err)
}

// literalHeader writes the header of a literal of size bytes and, for a
// synchronizing literal, flushes it and waits for ContinueFunc.
func (w *Writer) literalHeader(prefix string, size int64) error {
	if w.err != nil {
		return w.err
	}
	if size < 0 {
		return w.check(fmt.Errorf("imap: literal of negative size %d", size))
	}
	sync := w.LiteralMode != LiteralPlus &&
		(w.LiteralMode != LiteralMinus || size > maxLiteralMinus)
	if sync && w.ContinueFunc == nil {
		return w.check(fmt.Errorf("imap: literal of %d bytes: %w", size, ErrNoContinueFunc))
	}
	w.write(prefix)
	w.writeByte('{')
	w.Number64(uint64(size))
	if !sync {
		w.writeByte('+')
	}
	w.write("}\r\n")
	if !sync {
		return w.err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return w.check(w.ContinueFunc())
}
