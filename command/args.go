package command

import (
	"io"

	"github.com/imapwire/imapwire/wire"
)

// An Arg is one argument of a command. The encoder chooses the wire form
// (atom, quoted string or literal) for the string kinds, so no argument can
// inject a command.
type Arg interface {
	encode(e *encoder) error
}

type (
	// Atom is written as an atom: a keyword such as "FLAGS" or "UID".
	Atom string
	// AString is written as an atom, a quoted string or a literal, as its
	// content requires (a user name, a header field name).
	AString string
	// String is written as a quoted string or a literal (a search key's
	// value, a date).
	String string
	// Mailbox is a mailbox name, given decoded; it is encoded in modified
	// UTF-7 (or sent as UTF-8 once UTF8=ACCEPT is enabled).
	Mailbox string
	// Number is a 32-bit number.
	Number uint32
	// Number64 is a 63-bit number (a mod-sequence).
	Number64 uint64
	// SeqSet is a sequence set such as "1:4,7".
	SeqSet wire.SeqSet
	// List is a parenthesized list of arguments.
	List []Arg
	// Raw is protocol text the program itself supplies, such as
	// "BODY.PEEK[HEADER.FIELDS (FROM)]"; it is refused if it holds CR, LF,
	// NUL or "{".
	Raw string
)

// Literal is a literal of Size octets read from R (Binary: literal8, ~{n}).
type Literal struct {
	Size   int64
	R      io.Reader
	Binary bool
}

// Secret wraps an argument that a trace must not record, such as a
// password: the trace shows "***" in its place.
type Secret struct{ Arg Arg }

func (a Atom) encode(e *encoder) error     { return e.w.Atom(string(a)) }
func (a AString) encode(e *encoder) error  { return e.w.AString(string(a)) }
func (a String) encode(e *encoder) error   { return e.w.String(string(a)) }
func (a Mailbox) encode(e *encoder) error  { return e.w.Mailbox(string(a)) }
func (a Number) encode(e *encoder) error   { return e.w.Number(uint32(a)) }
func (a Number64) encode(e *encoder) error { return e.w.Number64(uint64(a)) }
func (a SeqSet) encode(e *encoder) error   { return e.w.SeqSet(wire.SeqSet(a)) }
func (a Raw) encode(e *encoder) error      { return e.w.Raw(string(a)) }

func (a List) encode(e *encoder) error {
	if err := e.w.OpenList(); err != nil {
		return err
	}
	for i, x := range a {
		if i > 0 {
			if err := e.w.SP(); err != nil {
				return err
			}
		}
		if err := x.encode(e); err != nil {
			return err
		}
	}
	return e.w.CloseList()
}

func (a Literal) encode(e *encoder) error {
	e.literal = true
	if a.Binary {
		return e.w.Literal8(a.Size, a.R)
	}
	return e.w.Literal(a.Size, a.R)
}

func (a Secret) encode(e *encoder) error {
	if e.mask == nil {
		return a.Arg.encode(e)
	}
	if err := e.w.Flush(); err != nil {
		return err
	}
	e.mask(true)
	err := a.Arg.encode(e)
	if err == nil {
		err = e.w.Flush()
	}
	e.mask(false)
	return err
}

// encoder writes one command.
type encoder struct {
	w       *wire.Writer
	mask    func(on bool) // trace masking, nil without a trace
	literal bool          // a literal has been started: cancelling now breaks the stream
}
