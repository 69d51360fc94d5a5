package parser

import (
	"github.com/imapwire/imapwire/wire"
)

// List reading options for readParenList.
const (
	listNilOK    = 1 << iota // NIL stands for an empty list
	listAdjacent             // elements are parenthesized lists with no SP between them
)

// readParenList reads "(" [elem *(SP elem)] ")", calling elem for each
// element. In lenient mode "( a b )" (spaces after "(" and before ")",
// as QQ mail sends) is accepted. opts is a set of list* bits.
func (r *Reader) readParenList(production string, opts int, elem func() error) error {
	w := r.w
	c, err := w.Peek()
	if err != nil {
		return unexpected(err)
	}
	if c != '(' {
		if opts&listNilOK != 0 {
			if isNil, err := w.PeekNIL(); err != nil {
				return err
			} else if isNil {
				return w.ReadNIL(production)
			}
		}
		return w.ErrorAt(production, `"("`)
	}
	w.ReadByte()
	max := w.Limits().MaxListElems
	for n := 0; ; n++ {
		c, err := w.Peek()
		if err != nil {
			return unexpected(err)
		}
		if c == ')' {
			w.ReadByte()
			return nil
		}
		if (n > 0 && !(opts&listAdjacent != 0 && c == '(')) || (c == ' ' && !r.strict) {
			if err := w.ExpectSP(production); err != nil {
				return err
			}
			if !r.strict {
				if c, err := w.Peek(); err == nil && c == ')' {
					continue
				}
			}
		}
		if n >= max {
			return &wire.SyntaxError{Offset: w.InputOffset(), Production: production, Expected: "fewer list elements", Err: wire.ErrListTooLong}
		}
		if err := elem(); err != nil {
			return err
		}
	}
}

// readFlagList reads "(" [flag *(SP flag)] ")". Flags are atoms, "\" atom,
// or "\*"; in lenient mode any word.
func (r *Reader) readFlagList(production string) ([]string, error) {
	flags := []string{}
	err := r.readParenList(production, 0, func() error {
		f, err := r.readFlag(production)
		if err != nil {
			return err
		}
		flags = append(flags, f)
		return nil
	})
	return flags, err
}

func (r *Reader) readFlag(production string) (string, error) {
	w := r.w
	if r.strict {
		c, err := w.Peek()
		if err != nil {
			return "", unexpected(err)
		}
		if c == '\\' {
			w.ReadByte()
			c, err := w.Peek()
			if err != nil {
				return "", unexpected(err)
			}
			if c == '*' {
				w.ReadByte()
				return `\*`, nil
			}
			a, err := w.ReadAtom(production)
			if err != nil {
				return "", err
			}
			return intern(append([]byte{'\\'}, a...)), nil
		}
		a, err := w.ReadAtom(production)
		return intern(a), err
	}
	a, err := w.ReadWord(production)
	return intern(a), err
}

// Mailbox is a mailbox name as received: Name is decoded from modified
// UTF-7 (RFC 3501 section 5.1.3) and Raw is the name as sent.
type Mailbox struct {
	Name string `json:"name"` // decoded; "INBOX" in any case becomes "INBOX"
	Raw  string `json:"raw"`  // as sent on the wire
}

// readMailbox reads a mailbox (astring) and decodes it.
func (r *Reader) readMailbox(production string) (Mailbox, error) {
	w := r.w
	off := w.InputOffset()
	var b []byte
	var err error
	if r.strict {
		b, err = w.ReadAString(production)
	} else {
		b, err = w.ReadLooseAString(production)
	}
	if err != nil {
		return Mailbox{}, err
	}
	raw := intern(b)
	return r.decodeMailbox(raw, off, production)
}

func (r *Reader) decodeMailbox(raw string, off int64, production string) (Mailbox, error) {
	if equalFold([]byte(raw), "INBOX") {
		return Mailbox{Name: "INBOX", Raw: raw}, nil
	}
	name, err := wire.DecodeUTF7(raw)
	if err != nil {
		if r.strict {
			if se, ok := err.(*wire.SyntaxError); ok {
				se.Offset += off
				se.Production = production
			}
			return Mailbox{}, err
		}
		// UTF8=ACCEPT servers send UTF-8, and some servers send names
		// that are not valid modified UTF-7: keep the bytes as the name.
		name = raw
	}
	return Mailbox{Name: name, Raw: raw}, nil
}

// readNumberOrNIL reads a number; in lenient mode NIL reads as 0 (servers
// send NIL for body-fld-lines and sizes they do not know).
func (r *Reader) readNumberOrNIL(production string) (uint32, error) {
	w := r.w
	if !r.strict {
		c, err := w.Peek()
		if err != nil {
			return 0, unexpected(err)
		}
		if c == 'N' || c == 'n' {
			return 0, w.ReadNIL(production)
		}
	}
	return w.ReadNumber(production)
}
