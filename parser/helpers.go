package parser

import (
	"unsafe"

	"github.com/imapwire/imapwire/wire"
)

// List reading options for readParenList.
const (
	listNilOK    = 1 << iota // NIL stands for an empty list
	listAdjacent             // elements are parenthesized lists with no SP between them
)

// listOpen starts a parenthesized list: it consumes "(" and reports false,
// or consumes NIL (when opts has listNilOK) and reports isNil. Elements are
// then visited with listNext.
func (r *Reader) listOpen(production string, opts int) (isNil bool, err error) {
	w := r.w
	c, err := w.Peek()
	if err != nil {
		return false, unexpected(err)
	}
	if c != '(' {
		if opts&listNilOK != 0 {
			if isNil, err := w.PeekNIL(); err != nil {
				return false, err
			} else if isNil {
				return true, w.ReadNIL(production)
			}
		}
		return false, w.ErrorAt(production, `"("`)
	}
	w.ReadByte()
	return false, nil
}

// listNext prepares element n (counting from 0) of a list opened with
// listOpen: it consumes the SP before it, or the closing ")" and then
// reports false. In lenient mode "( a b )" (spaces after "(" and before
// ")", as QQ mail sends) is accepted.
func (r *Reader) listNext(production string, opts int, n int) (bool, error) {
	w := r.w
	c, err := w.Peek()
	if err != nil {
		return false, unexpected(err)
	}
	if c == ')' {
		w.ReadByte()
		return false, nil
	}
	if c == ' ' && n > 0 && opts&listAdjacent != 0 && r.strict {
		// 1*address, the namespace descriptions: no SP between them.
		return false, w.ErrorAt(production, `"(" or ")"`)
	}
	if (n > 0 && !(opts&listAdjacent != 0 && c == '(')) || (c == ' ' && !r.strict) {
		if err := w.ExpectSP(production); err != nil {
			return false, err
		}
		if !r.strict {
			if c, err := w.Peek(); err == nil && c == ')' {
				w.ReadByte()
				return false, nil
			}
		}
	}
	return true, r.countElem(production)
}

// countElem counts one list element of the current response, starting at
// the next byte; see countElems.
func (r *Reader) countElem(production string) error {
	r.elems++
	if r.elems > r.w.Limits().MaxListElems {
		return r.tooManyElems(r.w.InputOffset(), production)
	}
	return nil
}

// countElems counts n list elements of the current response, of a value
// that starts at off. Every list the parser builds counts against one
// budget per response, Limits.MaxListElems: a limit per list would let a
// list of a million lists of a million elements through.
func (r *Reader) countElems(n int, off int64, production string) error {
	r.elems += n
	if r.elems > r.w.Limits().MaxListElems {
		return r.tooManyElems(off, production)
	}
	return nil
}

func (r *Reader) tooManyElems(off int64, production string) error {
	return &wire.SyntaxError{Offset: off, Production: production, Expected: "fewer list elements", Err: wire.ErrListTooLong}
}

// readCountedValue reads a value kept raw (wire.Reader.ReadValue) and
// counts its list elements, and the value itself when it is an element of
// a list (elem), against the response's budget. The elements of a value
// are counted once it is read (wire.Reader bounds each value alone), so a
// breach is reported at the value's first byte.
func (r *Reader) readCountedValue(production string, elem bool) (wire.Value, error) {
	off := r.w.InputOffset()
	if elem {
		if err := r.countElem(production); err != nil {
			return wire.Value{}, err
		}
	}
	v, err := r.w.ReadValue(production)
	if err != nil {
		return v, err
	}
	if v.Kind == wire.KindList {
		if err := r.countElems(valueElems(v), off, production); err != nil {
			return wire.Value{}, err
		}
	}
	return v, nil
}

// valueElems returns the number of list elements in v, nested ones
// included.
func valueElems(v wire.Value) int {
	n := len(v.List)
	for _, e := range v.List {
		if e.Kind == wire.KindList {
			n += valueElems(e)
		}
	}
	return n
}

// A chunkList gathers a list of unknown and possibly great length (the
// numbers of a SEARCH, the atoms of a CAPABILITY line) in chunks that are
// never copied while it grows, then copies them once into a slice of
// exactly its length. The bytes allocated are about twice the result's
// at most, and so is the peak; a slice grown by append allocates about
// five times the result (large slices grow by a quarter), holds up to 2.25
// times at its peak, and keeps up to a quarter unused.
//
// cur may start as a scratch slice of the Reader (length 0): list always
// copies, so the result never shares it.
type chunkList[T any] struct {
	full [][]T // the filled chunks, in order
	cur  []T   // the chunk being filled
	n    int   // elements in full and cur
}

const (
	firstChunk    = 16      // elements of the first chunk when there is no scratch
	maxChunkBytes = 1 << 20 // chunks double up to this size
)

func (c *chunkList[T]) len() int { return c.n }

func (c *chunkList[T]) add(v T) {
	if len(c.cur) == cap(c.cur) {
		c.grow()
	}
	c.cur = append(c.cur, v)
	c.n++
}

func (c *chunkList[T]) grow() {
	size := firstChunk
	if cap(c.cur) > 0 {
		c.full = append(c.full, c.cur)
		var zero T
		size = max(cap(c.cur), min(2*cap(c.cur), maxChunkBytes/int(unsafe.Sizeof(zero))))
	}
	c.cur = make([]T, 0, size)
}

// list returns the elements in a new slice whose capacity is its length.
func (c *chunkList[T]) list() []T {
	out := make([]T, 0, c.n)
	for _, ch := range c.full {
		out = append(out, ch...)
	}
	return append(out, c.cur...)
}

// readParenList reads "(" [elem *(SP elem)] ")", calling elem for each
// element; opts is a set of list* bits.
func (r *Reader) readParenList(production string, opts int, elem func() error) error {
	if isNil, err := r.listOpen(production, opts); err != nil || isNil {
		return err
	}
	for n := 0; ; n++ {
		more, err := r.listNext(production, opts, n)
		if err != nil || !more {
			return err
		}
		if err := elem(); err != nil {
			return err
		}
	}
}

// readFlagList reads "(" [flag *(SP flag)] ")". Flags are atoms, "\" atom,
// or "\*"; in lenient mode any word.
func (r *Reader) readFlagList(production string) ([]string, error) {
	if _, err := r.listOpen(production, 0); err != nil {
		return nil, err
	}
	flags := make([]string, 0, 4)
	for n := 0; ; n++ {
		more, err := r.listNext(production, 0, n)
		if err != nil || !more {
			return flags, err
		}
		f, err := r.readFlag(production)
		if err != nil {
			return nil, err
		}
		flags = append(flags, f)
	}
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
			return r.intern(append([]byte{'\\'}, a...)), nil
		}
		a, err := w.ReadAtom(production)
		return r.intern(a), err
	}
	// Loosely: any run up to SP, ")" or CTL. Gmail turns labels into
	// keywords such as OIB-Seen-[Gmail]/Spam, with "[" and "]"
	// (swift-nio-imap PR #738).
	a, err := w.ReadLooseAString(production)
	return r.intern(a), err
}

// Mailbox is a mailbox name as received: Name is decoded from modified
// UTF-7 (RFC 3501 section 5.1.3) and Raw is the name as sent.
//
// A name that is not modified UTF-7 (8-bit bytes from a UTF8=ACCEPT server,
// RFC 6855, or a broken encoder) is no syntax error in either mode: the
// grammar's astring allows any CHAR8 in a literal, and the encoding is a
// separate rule (section 5.1.3). Such a name is kept as sent, in Name and
// Raw, with NotUTF7 set.
type Mailbox struct {
	Name string `json:"name"` // decoded; "INBOX" in any case becomes "INBOX"
	Raw  string `json:"raw"`  // as sent on the wire
	// NotUTF7 reports that Raw did not decode as modified UTF-7, so Name
	// is Raw unchanged (UTF-8 after ENABLE UTF8=ACCEPT, or bytes).
	NotUTF7 bool `json:"notUTF7,omitempty"`
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
	raw := r.intern(b)
	return r.decodeMailbox(raw, off, production)
}

func (r *Reader) decodeMailbox(raw string, off int64, production string) (Mailbox, error) {
	if equalFold([]byte(raw), "INBOX") {
		return Mailbox{Name: "INBOX", Raw: raw}, nil
	}
	name, err := wire.DecodeUTF7(raw)
	if err != nil {
		// UTF8=ACCEPT servers send UTF-8, and some servers send names
		// that are not valid modified UTF-7: keep the bytes as the name,
		// in both modes (the grammar allows them; issue 18).
		return Mailbox{Name: raw, Raw: raw, NotUTF7: true}, nil
	}
	return Mailbox{Name: name, Raw: raw}, nil
}

// readNumber64 reads a 63-bit number (RFC 7162 mod-sequence-value, RFC
// 9051 number64) or, leniently, one up to 2^64-1: servers send 64-bit
// MODSEQ and storage counters, and a uint64 holds them without truncation.
func (r *Reader) readNumber64(production string) (uint64, error) {
	if r.strict {
		return r.w.ReadNumber64(production)
	}
	off := r.w.InputOffset()
	n, err := r.w.ReadNumberU64(production)
	if err == nil && n > 1<<63-1 && !r.lenient(LenientNumber64) {
		return 0, &wire.SyntaxError{Offset: off, Production: production, Expected: "number", Err: wire.ErrNumberOverflow}
	}
	return n, err
}

// readNZNumber reads an nz-number. Strict mode refuses 0; lenient mode
// keeps it, as a server sent it.
func (r *Reader) readNZNumber(production string) (uint32, error) {
	off := r.w.InputOffset()
	n, err := r.w.ReadNumber(production)
	if err == nil && n == 0 && r.strict {
		return 0, &wire.SyntaxError{Offset: off, Production: production, Expected: "nz-number", Found: `"0"`}
	}
	return n, err
}

// readBodyNumber reads body-fld-octets or body-fld-lines, a number. In
// lenient mode NIL and a negative number read as 0: servers send NIL for
// sizes and line counts they do not know (sora, alps#45), and -1 (Exchange,
// go-imap#534; Dovecot by imap-codec's account, modern-email/defects#27)
// or -2 (SmarterMail, MailKit#385). A negative number must still be a
// number: "-" alone, or one that overflows, is an error.
func (r *Reader) readBodyNumber(production string) (uint32, error) {
	w := r.w
	c, err := w.Peek()
	if err != nil {
		return 0, unexpected(err)
	}
	if (c == 'N' || c == 'n' || c == '-') && r.lenient(LenientBodyNumber) {
		if c == '-' {
			w.ReadByte()
			_, err := w.ReadNumber(production)
			return 0, err
		}
		return 0, w.ReadNIL(production)
	}
	return w.ReadNumber(production)
}
