package parser

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/imapwire/imapwire/wire"
)

// A Fetch is a "* n FETCH (...)" response being read. Its items are read one
// at a time with Next, so that a body section can be streamed; Collect reads
// them all into a Message. Whatever the caller leaves unread is parsed and
// discarded by the Reader's next call.
type Fetch struct {
	SeqNum uint32 `json:"seqNum"`

	r    *Reader
	n    int   // items read so far
	done bool  // ")" CRLF consumed
	err  error // sticky

	// items holds the common items of this response in one allocation;
	// a slot is used once, and an item repeated in the same response
	// gets an allocation of its own. The items stay valid as long as the
	// caller keeps them.
	items struct {
		used     uint8
		uid      UIDItem
		flags    FlagsItem
		date     InternalDateItem
		size     SizeItem
		envelope EnvelopeItem
		body     BodyStructureItem
		modseq   ModSeqItem
	}
}

// slot reports whether the slot bit is free in f.items, taking it.
func (f *Fetch) slot(bit uint8) bool {
	if f == nil || f.items.used&bit != 0 {
		return false
	}
	f.items.used |= bit
	return true
}

// item returns v in its slot of f.items (bit), or in an allocation of its
// own when the slot is taken (an item repeated in one response).
func item[T any](f *Fetch, bit uint8, slot *T, v T) *T {
	if f.slot(bit) {
		*slot = v
		return slot
	}
	p := new(T)
	*p = v
	return p
}

// ResponseType returns "FETCH".
func (*Fetch) ResponseType() string { return "FETCH" }

// A FetchItem is one item of a FETCH response: *UIDItem, *FlagsItem,
// *InternalDateItem, *SizeItem, *EnvelopeItem, *BodyStructureItem,
// *BodySectionItem, *BinarySizeItem, *ModSeqItem, *GmailMsgIDItem,
// *GmailThrIDItem, *GmailLabelsItem, *EmailIDItem, *ThreadIDItem or
// *RawItem.
type FetchItem interface {
	// ItemName returns the item's name in upper case, such as "UID" or
	// "BODY[1.MIME]".
	ItemName() string
}

// UIDItem is the UID fetch item.
type UIDItem struct{ UID uint32 }

// FlagsItem is the FLAGS fetch item.
type FlagsItem struct{ Flags []string }

// InternalDateItem is the INTERNALDATE fetch item, with the zone it was
// sent in. A date-time that matches the grammar but names no real instant
// (a zone of +2400 or more, minutes past 59, year 0000, a day the month
// does not have) is refused in strict mode; leniently Time stays zero, Raw
// keeps the text as sent and Err says what is out of range (a
// *wire.SyntaxError matching ErrDateRange), so that no code downstream
// meets a time.Time it cannot handle (encoding/json refuses zones beyond
// ±23:59).
type InternalDateItem struct {
	Time time.Time
	Raw  string // the date-time as sent, set only when Err is
	Err  error
}

// ErrDateRange reports a date-time whose fields are in the grammar but out
// of range: zone hours above 23 or minutes above 59, year 0000, a day past
// the end of its month.
var ErrDateRange = errors.New("date-time out of range")

// ErrDateNIL reports INTERNALDATE NIL, accepted in lenient mode: the
// InternalDateItem has a zero Time, Raw "NIL", and an Err matching this.
var ErrDateNIL = errors.New("INTERNALDATE NIL")

// SizeItem is the RFC822.SIZE fetch item.
type SizeItem struct{ Size int64 }

// EnvelopeItem is the ENVELOPE fetch item.
type EnvelopeItem struct{ Envelope *Envelope }

// BodyStructureItem is the BODY or BODYSTRUCTURE fetch item.
type BodyStructureItem struct {
	Extended bool           `json:"extended"` // BODYSTRUCTURE (with extension data) rather than BODY
	Body     *BodyStructure `json:"body"`
}

// BodySectionItem is BODY[section]<origin>, BINARY[section]<origin>, RFC822,
// RFC822.HEADER or RFC822.TEXT.
//
// While the item is being streamed (from Fetch.Next), Body reads the
// section's data and is valid until the next call on the Fetch or Reader.
// After Collect, Data holds the bytes and Body is nil.
type BodySectionItem struct {
	Name    string    `json:"name"`    // "BODY", "BINARY", "RFC822", "RFC822.HEADER" or "RFC822.TEXT"
	Section Section   `json:"section"` // the section spec; empty for RFC822*
	Origin  int64     `json:"origin"`  // the <origin> octet, -1 when absent
	Nil     bool      `json:"nil"`     // the server sent NIL
	Size    int64     `json:"size"`    // the number of octets of data
	Data    []byte    `json:"-"`
	Body    io.Reader `json:"-"`
}

// BinarySizeItem is BINARY.SIZE[part] (RFC 3516).
type BinarySizeItem struct {
	Part []int  `json:"part"`
	Size uint32 `json:"size"`
}

// ModSeqItem is the MODSEQ fetch item (RFC 7162).
type ModSeqItem struct{ ModSeq uint64 }

// GmailMsgIDItem is Gmail's X-GM-MSGID.
type GmailMsgIDItem struct{ ID uint64 }

// GmailThrIDItem is Gmail's X-GM-THRID.
type GmailThrIDItem struct{ ID uint64 }

// GmailLabelsItem is Gmail's X-GM-LABELS.
type GmailLabelsItem struct{ Labels []string }

// EmailIDItem is EMAILID (RFC 8474).
type EmailIDItem struct{ ID string }

// ThreadIDItem is THREADID (RFC 8474); ID is "" for NIL.
type ThreadIDItem struct{ ID string }

// RawItem is a fetch item this package has no type for, kept raw.
type RawItem struct {
	Name  string     `json:"name"`
	Value wire.Value `json:"value"`
}

// ItemName implementations.
func (*UIDItem) ItemName() string          { return "UID" }
func (*FlagsItem) ItemName() string        { return "FLAGS" }
func (*InternalDateItem) ItemName() string { return "INTERNALDATE" }
func (*SizeItem) ItemName() string         { return "RFC822.SIZE" }
func (*EnvelopeItem) ItemName() string     { return "ENVELOPE" }
func (*ModSeqItem) ItemName() string       { return "MODSEQ" }
func (*GmailMsgIDItem) ItemName() string   { return "X-GM-MSGID" }
func (*GmailThrIDItem) ItemName() string   { return "X-GM-THRID" }
func (*GmailLabelsItem) ItemName() string  { return "X-GM-LABELS" }
func (*EmailIDItem) ItemName() string      { return "EMAILID" }
func (*ThreadIDItem) ItemName() string     { return "THREADID" }
func (i *RawItem) ItemName() string        { return i.Name }
func (i *BinarySizeItem) ItemName() string { return "BINARY.SIZE[" + partString(i.Part) + "]" }
func (i *BodyStructureItem) ItemName() string {
	if i.Extended {
		return "BODYSTRUCTURE"
	}
	return "BODY"
}

// ItemName returns the name with its section, such as "BODY[1.TEXT]".
func (i *BodySectionItem) ItemName() string {
	if strings.HasPrefix(i.Name, "RFC822") {
		return i.Name
	}
	return i.Name + "[" + i.Section.String() + "]"
}

// A Section is a section-spec (RFC 3501 section 6.4.5).
type Section struct {
	Part      []int    `json:"part,omitempty"`      // such as [1 2] for "1.2"
	Specifier string   `json:"specifier,omitempty"` // "", HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT or MIME
	Fields    []string `json:"fields,omitempty"`    // the header names of HEADER.FIELDS[.NOT]
}

// String formats the section as it appears between brackets.
func (s Section) String() string {
	var b strings.Builder
	b.WriteString(partString(s.Part))
	if s.Specifier != "" {
		if len(s.Part) > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.Specifier)
	}
	if strings.HasPrefix(s.Specifier, "HEADER.FIELDS") {
		b.WriteString(" (")
		b.WriteString(strings.Join(s.Fields, " "))
		b.WriteByte(')')
	}
	return b.String()
}

func partString(p []int) string {
	var b []byte
	for i, n := range p {
		if i > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	return string(b)
}

func (r *Reader) startFetch(n uint32) (Response, error) {
	w := r.w
	if err := w.ExpectSP("message-data"); err != nil {
		return nil, err
	}
	if err := w.Expect('(', "msg-att"); err != nil {
		return nil, err
	}
	f := &Fetch{SeqNum: n, r: r}
	r.fetch = f
	return f, nil
}

// errFetchDone is returned by Next after the last item.
var errFetchStale = errors.New("imap: Fetch used after the next response was read")

// Next returns the next item, or io.EOF after the last one. A
// *BodySectionItem's Body is valid until the next call.
func (f *Fetch) Next() (FetchItem, error) {
	if f.err != nil {
		return nil, f.err
	}
	if f.done {
		return nil, io.EOF
	}
	if f.r.fetch != f {
		return nil, errFetchStale
	}
	item, err := f.next()
	if err != nil {
		if err == io.EOF {
			f.done = true
			f.r.fetch = nil
			return nil, io.EOF
		}
		f.err = f.r.fail(err)
		return nil, err
	}
	return item, nil
}

func (f *Fetch) next() (FetchItem, error) {
	r := f.r
	w := r.w
	c, err := w.Peek()
	if err != nil {
		return nil, unexpected(err)
	}
	spaced := c == ' '
	if c == ' ' && (f.n > 0 || !r.strict) {
		w.ReadByte()
		if !r.strict {
			r.skipSP()
		}
		c, err = w.Peek()
		if err != nil {
			return nil, unexpected(err)
		}
	}
	if c == ')' && (f.n > 0 || !r.strict) {
		if spaced && r.strict {
			// SP before ")" is QQ mail's; the grammar has none.
			return nil, w.ErrorAt("msg-att", "msg-att-dynamic or msg-att-static")
		}
		w.ReadByte()
		if err := w.ExpectCRLF("message-data"); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	if f.n > 0 && !spaced {
		return nil, w.ErrorAt("msg-att", `SP or ")"`)
	}
	f.n++
	if err := r.countElem("msg-att"); err != nil {
		return nil, err
	}
	return r.readFetchItem()
}

// drain reads and discards the rest of the FETCH response.
func (f *Fetch) drain() error {
	for {
		_, err := f.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (r *Reader) readFetchItem() (FetchItem, error) {
	w := r.w
	off := w.InputOffset()
	nameb, err := w.ReadAtom("msg-att")
	if err != nil {
		return nil, err
	}
	var section, sectionName string
	hasSection := false
	if i := bytes.IndexByte(nameb, '['); i >= 0 {
		hasSection = true
		section = string(nameb[i+1:])
		// nameb is valid only until the next call on w.
		sectionName = upper(string(nameb[:i]))
		rest, err := r.readSectionRest()
		if err != nil {
			return nil, err
		}
		section += rest
	}
	// Names are compared without allocating.
	switch {
	case hasSection:
		name := sectionName
		switch name {
		case "BODY", "BINARY":
			return r.readBodySection(name, section, off)
		case "BINARY.SIZE":
			part, err := parsePart(section)
			if err != nil {
				return nil, &wire.SyntaxError{Offset: off, Production: "section-binary", Expected: "section-part", Found: strconv.Quote(section)}
			}
			if err := w.ExpectSP("msg-att-static"); err != nil {
				return nil, err
			}
			n, err := w.ReadNumber("number")
			return &BinarySizeItem{Part: part, Size: n}, err
		}
		raw := &RawItem{Name: name + "[" + section + "]"}
		if err := r.readOrigin(&raw.Name); err != nil {
			return nil, err
		}
		return raw, r.readRawValue(raw)
	case equalFold(nameb, "UID"):
		if err := w.ExpectSP("msg-att-static"); err != nil {
			return nil, err
		}
		n, err := r.readNZNumber("uniqueid")
		return item(r.fetch, 1, &r.fetch.items.uid, UIDItem{UID: n}), err
	case equalFold(nameb, "FLAGS"):
		if err := w.ExpectSP("msg-att-dynamic"); err != nil {
			return nil, err
		}
		flags, err := r.readFlagList("flag-fetch")
		return item(r.fetch, 2, &r.fetch.items.flags, FlagsItem{Flags: flags}), err
	case equalFold(nameb, "INTERNALDATE"):
		if err := w.ExpectSP("msg-att-static"); err != nil {
			return nil, err
		}
		doff := w.InputOffset()
		if c, err := w.Peek(); err == nil && (c == 'N' || c == 'n') && r.lenient(LenientInternalDateNIL) {
			if err := w.ReadNIL("date-time"); err != nil {
				return nil, err
			}
			err := &wire.SyntaxError{Offset: doff, Production: "date-time", Expected: "date-time", Found: "NIL", Err: ErrDateNIL}
			return item(r.fetch, 4, &r.fetch.items.date, InternalDateItem{Raw: "NIL", Err: err}), nil
		}
		b, err := w.ReadQuoted("date-time")
		if err != nil {
			return nil, err
		}
		t, perr, rangeErr := parseDateTime(b, r.strict)
		if perr != "" {
			return nil, &wire.SyntaxError{Offset: doff, Production: "date-time", Expected: perr, Found: strconv.Quote(string(b))}
		}
		if rangeErr != "" {
			err := &wire.SyntaxError{Offset: doff, Production: "date-time", Expected: rangeErr, Found: strconv.Quote(string(b)), Err: ErrDateRange}
			if !r.lenient(LenientDateRange) {
				return nil, err
			}
			return item(r.fetch, 4, &r.fetch.items.date, InternalDateItem{Raw: string(b), Err: err}), nil
		}
		return item(r.fetch, 4, &r.fetch.items.date, InternalDateItem{Time: t}), nil
	case equalFold(nameb, "RFC822.SIZE"):
		if err := w.ExpectSP("msg-att-static"); err != nil {
			return nil, err
		}
		n, err := w.ReadNumber64("number")
		return item(r.fetch, 8, &r.fetch.items.size, SizeItem{Size: int64(n)}), err
	case equalFold(nameb, "ENVELOPE"):
		if err := w.ExpectSP("msg-att-static"); err != nil {
			return nil, err
		}
		env, err := r.readEnvelope()
		return item(r.fetch, 16, &r.fetch.items.envelope, EnvelopeItem{Envelope: env}), err
	case equalFold(nameb, "BODYSTRUCTURE"), equalFold(nameb, "BODY"):
		ext := len(nameb) > 4
		if c, err := w.Peek(); err == nil && c == '(' && r.lenient(LenientBodyNoSP) {
			// "BODY(" with no SP.
		} else if err := w.ExpectSP("msg-att-static"); err != nil {
			return nil, err
		}
		if c, err := w.Peek(); err == nil && c == '"' && r.lenient(LenientBodyEmptyString) {
			// DavMail may send an empty string between BODYSTRUCTURE
			// and its value (go-imap#626).
			if b, err := w.ReadQuoted("body"); err != nil {
				return nil, err
			} else if len(b) > 0 {
				return nil, w.ErrorAt("body", `"("`)
			}
			if err := w.ExpectSP("msg-att-static"); err != nil {
				return nil, err
			}
		}
		b, err := r.readBody(0)
		return item(r.fetch, 32, &r.fetch.items.body, BodyStructureItem{Extended: ext || (b != nil && b.Extended), Body: b}), err
	case equalFold(nameb, "RFC822"), equalFold(nameb, "RFC822.HEADER"), equalFold(nameb, "RFC822.TEXT"):
		return r.readSectionData(&BodySectionItem{Name: upper(string(nameb)), Origin: -1})
	case equalFold(nameb, "MODSEQ"):
		if err := w.ExpectSP("fetch-mod-resp"); err != nil {
			return nil, err
		}
		paren := true
		if c, err := w.Peek(); err == nil && c >= '0' && c <= '9' && r.lenient(LenientModSeqBare) {
			paren = false // "MODSEQ 5" without the parentheses
		} else if err := w.Expect('(', "fetch-mod-resp"); err != nil {
			return nil, err
		}
		n, err := r.readNumber64("permsg-modsequence")
		if err != nil {
			return nil, err
		}
		if !paren {
			return item(r.fetch, 64, &r.fetch.items.modseq, ModSeqItem{ModSeq: n}), nil
		}
		return item(r.fetch, 64, &r.fetch.items.modseq, ModSeqItem{ModSeq: n}), w.Expect(')', "fetch-mod-resp")
	case equalFold(nameb, "X-GM-MSGID"), equalFold(nameb, "X-GM-THRID"):
		thr := nameb[5]|0x20 == 't'
		if err := w.ExpectSP("msg-att"); err != nil {
			return nil, err
		}
		n, err := r.readNumber64("x-gm-id")
		if thr {
			return &GmailThrIDItem{ID: n}, err
		}
		return &GmailMsgIDItem{ID: n}, err
	case equalFold(nameb, "X-GM-LABELS"):
		if err := w.ExpectSP("msg-att"); err != nil {
			return nil, err
		}
		labels := []string{}
		err := r.readParenList("x-gm-labels", listNilOK, func() error {
			c, err := w.Peek()
			if err != nil {
				return unexpected(err)
			}
			var b []byte
			if c == '\\' {
				b, err = w.ReadWord("x-gm-label")
			} else {
				b, err = w.ReadLooseAString("x-gm-label")
			}
			if err != nil {
				return err
			}
			mb, err := r.decodeMailbox(string(b), w.InputOffset(), "x-gm-label")
			labels = append(labels, mb.Name)
			return err
		})
		return &GmailLabelsItem{Labels: labels}, err
	case equalFold(nameb, "EMAILID"), equalFold(nameb, "THREADID"):
		isThread := nameb[0]|0x20 == 't'
		if err := w.ExpectSP("msg-att"); err != nil {
			return nil, err
		}
		var id string
		c, err := w.Peek()
		if err != nil {
			return nil, unexpected(err)
		}
		if c == '(' {
			w.ReadByte()
			b, err := w.ReadAtom("objectid")
			if err != nil {
				return nil, err
			}
			id = string(b)
			if err := w.Expect(')', "fetch-emailid-resp"); err != nil {
				return nil, err
			}
		} else if !isThread && r.strict {
			// RFC 8474: only THREADID may be NIL.
			return nil, w.ErrorAt("fetch-emailid-resp", `"("`)
		} else if err := w.ReadNIL("fetch-threadid-resp"); err != nil {
			return nil, err
		}
		if isThread {
			return &ThreadIDItem{ID: id}, nil
		}
		return &EmailIDItem{ID: id}, nil
	}
	raw := &RawItem{Name: upper(string(nameb))}
	return raw, r.readRawValue(raw)
}

// readRawValue reads SP value for an unknown item.
func (r *Reader) readRawValue(raw *RawItem) error {
	if err := r.w.ExpectSP("msg-att"); err != nil {
		return err
	}
	v, err := r.readCountedValue("msg-att", false)
	raw.Value = v
	return err
}

// readSectionRest reads the rest of a section after the atom that held its
// start, through the closing "]" (which is consumed), and returns the text
// before "]". It handles "HEADER.FIELDS (A B)".
func (r *Reader) readSectionRest() (string, error) {
	w := r.w
	var b []byte
	limit := w.Limits().MaxAtom
	depth := 0 // inside the header-list, "]" is an ASTRING-CHAR
	for {
		if c, err := w.Peek(); err == nil && c == '{' {
			// A literal header-fld-name: read it and keep it quoted.
			name, err := w.ReadString("header-fld-name")
			if err != nil {
				return "", err
			}
			b = strconv.AppendQuote(b, string(name))
			continue
		}
		c, err := w.ReadByte()
		if err != nil {
			return "", unexpected(err)
		}
		switch c {
		case ']':
			if depth == 0 {
				return string(b), nil
			}
		case '(':
			depth++
		case ')':
			depth--
		case '\r', '\n', 0:
			return "", &wire.SyntaxError{Offset: w.InputOffset() - 1, Production: "section", Expected: `"]"`, Found: strconv.QuoteRune(rune(c))}
		case '"':
			// A quoted header-fld-name: keep it whole, escapes included.
			b = append(b, c)
			for {
				c, err := w.ReadByte()
				if err != nil {
					return "", unexpected(err)
				}
				if c == '\r' || c == '\n' {
					return "", &wire.SyntaxError{Offset: w.InputOffset() - 1, Production: "section", Expected: "DQUOTE", Found: strconv.QuoteRune(rune(c))}
				}
				b = append(b, c)
				if c == '\\' {
					c, err := w.ReadByte()
					if err != nil {
						return "", unexpected(err)
					}
					b = append(b, c)
					continue
				}
				if c == '"' {
					break
				}
			}
			continue
		}
		b = append(b, c)
		if len(b) > limit {
			return "", &wire.SyntaxError{Offset: w.InputOffset(), Production: "section", Expected: "shorter section", Err: wire.ErrAtomTooLong}
		}
	}
}

// parseSection parses a section-spec such as "1.2.HEADER.FIELDS (A B)".
func parseSection(s string) (Section, bool) {
	var sec Section
	rest := s
	for rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		n, err := strconv.ParseUint(rest[:i], 10, 31)
		if err != nil || n == 0 {
			return sec, false
		}
		sec.Part = append(sec.Part, int(n))
		rest = rest[i:]
		if rest == "" {
			return sec, true
		}
		if rest[0] != '.' {
			return sec, false
		}
		rest = rest[1:]
		if rest == "" {
			return sec, false
		}
	}
	if rest == "" {
		return sec, true
	}
	spec := rest
	var fields string
	if i := strings.IndexByte(rest, ' '); i >= 0 {
		spec, fields = rest[:i], strings.TrimSpace(rest[i+1:])
	}
	spec = strings.ToUpper(spec)
	switch spec {
	case "HEADER", "TEXT":
	case "MIME":
		if len(sec.Part) == 0 {
			return sec, false
		}
	case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
		if len(fields) < 2 || fields[0] != '(' || fields[len(fields)-1] != ')' {
			return sec, false
		}
		names, ok := splitHeaderList(fields[1 : len(fields)-1])
		if !ok {
			return sec, false
		}
		sec.Fields = names
		if len(sec.Fields) == 0 {
			return sec, false
		}
		fields = ""
	default:
		return sec, false
	}
	if fields != "" {
		return sec, false
	}
	sec.Specifier = spec
	return sec, true
}

// splitHeaderList splits the inside of a header-list into header-fld-names:
// atoms (which may contain "]") and quoted strings with escapes.
func splitHeaderList(s string) ([]string, bool) {
	var names []string
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ':
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, false
			}
			names = append(names, b.String())
			i = j + 1
		default:
			j := i
			for j < len(s) && s[j] != ' ' {
				j++
			}
			names = append(names, s[i:j])
			i = j
		}
	}
	return names, true
}

// parsePart parses section-part = nz-number *("." nz-number), or "".
func parsePart(s string) ([]int, error) {
	sec, ok := parseSection(s)
	if !ok || sec.Specifier != "" {
		return nil, errors.New("bad section-part")
	}
	return sec.Part, nil
}

// readOrigin reads an optional "<" number ">" after a section, appending it
// to name.
func (r *Reader) readOrigin(name *string) error {
	w := r.w
	c, err := w.Peek()
	if err != nil {
		return unexpected(err)
	}
	if c != '<' {
		return nil
	}
	w.ReadByte()
	n, err := w.ReadNumber("section-partial")
	if err != nil {
		return err
	}
	*name += "<" + strconv.FormatUint(uint64(n), 10) + ">"
	if err := r.skipPartialLength(); err != nil {
		return err
	}
	return w.Expect('>', "section-partial")
}

func (r *Reader) readBodySection(name, section string, off int64) (FetchItem, error) {
	w := r.w
	sec, ok := parseSection(section)
	if !ok || (name == "BINARY" && sec.Specifier != "") {
		return nil, &wire.SyntaxError{Offset: off, Production: "section-spec", Expected: "section-spec", Found: strconv.Quote(section)}
	}
	item := &BodySectionItem{Name: name, Section: sec, Origin: -1}
	c, err := w.Peek()
	if err != nil {
		return nil, unexpected(err)
	}
	if c == '<' {
		w.ReadByte()
		n, err := w.ReadNumber("section-partial")
		if err != nil {
			return nil, err
		}
		item.Origin = int64(n)
		if err := r.skipPartialLength(); err != nil {
			return nil, err
		}
		if err := w.Expect('>', "section-partial"); err != nil {
			return nil, err
		}
	}
	return r.readSectionData(item)
}

// skipPartialLength skips the ".length" some servers echo from the
// command's <origin.length> in a FETCH response, where RFC 3501 has
// "<" number ">" only; the length is that of the data that follows.
func (r *Reader) skipPartialLength() error {
	w := r.w
	if c, err := w.Peek(); err != nil || c != '.' || !r.lenient(LenientPartialLength) {
		return nil // the caller's Expect('>') reports what is there
	}
	w.ReadByte()
	_, err := w.ReadNumber("section-partial")
	return err
}

// readSectionData reads SP nstring (or literal8 for BINARY) as the item's
// data. A literal is left pending and exposed as item.Body.
func (r *Reader) readSectionData(item *BodySectionItem) (FetchItem, error) {
	w := r.w
	if err := w.ExpectSP("msg-att-static"); err != nil {
		return nil, err
	}
	c, err := w.Peek()
	if err != nil {
		return nil, unexpected(err)
	}
	switch c {
	case '{', '~':
		if c == '~' && item.Name != "BINARY" && r.strict {
			return nil, w.ErrorAt("nstring", "string")
		}
		info, err := w.ReadLiteralHeader("nstring")
		if err != nil {
			return nil, err
		}
		item.Size = info.Size
		item.Body = w.LiteralReader()
		return item, nil
	}
	b, isNil, err := w.ReadNString("nstring")
	if err != nil {
		return nil, err
	}
	item.Nil = isNil
	item.Data = bytes.Clone(b)
	if item.Data == nil {
		item.Data = []byte{}
	}
	item.Size = int64(len(b))
	item.Body = bytes.NewReader(item.Data)
	return item, nil
}

// zones caches the fixed zones of date-times: a mailbox's messages share a
// handful of offsets, and time.FixedZone allocates. Offsets are at most
// ±23:59, so the cache is bounded.
var zones sync.Map // int -> *time.Location

func fixedZone(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	if loc, ok := zones.Load(offset); ok {
		return loc.(*time.Location)
	}
	loc, _ := zones.LoadOrStore(offset, time.FixedZone("", offset))
	return loc.(*time.Location)
}

var months = [12]string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}

// parseDateTime parses date-time content: "17-Jul-1996 02:44:25 -0700".
// It returns a description of what was expected when the grammar is not
// met, or of the range a field broke when it is met but names no instant
// (see InternalDateItem). Leniently the day may have one digit without the
// leading space.
func parseDateTime(b []byte, strict bool) (t time.Time, expected, outOfRange string) {
	s := b // no string conversion: this runs for every INTERNALDATE
	padded := len(s) > 0 && s[0] == ' '
	if padded {
		s = s[1:]
	}
	num := func(t []byte) (int, bool) {
		if len(t) == 0 {
			return 0, false
		}
		n := 0
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return 0, false
			}
			n = n*10 + int(t[i]-'0')
		}
		return n, true
	}
	i := bytes.IndexByte(s, '-')
	if i < 1 || i > 2 || (padded && i != 1) || (strict && !padded && i != 2) {
		return t, "date-day-fixed", ""
	}
	// "00" is in the grammar but out of range (Domino sends
	// "00-Jan-0000 00:00:00 +0000", MailKit#1236); a day past 31 is
	// refused as no day at all.
	day, ok := num(s[:i])
	if !ok || day > 31 {
		return t, "date-day-fixed", ""
	}
	s = s[i+1:]
	if len(s) < 4 || s[3] != '-' {
		return t, "date-month", ""
	}
	month := 0
	for k, name := range months {
		if bytes.EqualFold(s[:3], []byte(name)) {
			month = k + 1
		}
	}
	if month == 0 {
		return t, "date-month", ""
	}
	s = s[4:]
	// date-year SP time SP zone: "1996 02:44:25 -0700"
	if len(s) != 4+1+8+1+5 || s[4] != ' ' || s[7] != ':' || s[10] != ':' || s[13] != ' ' {
		return t, `"YYYY HH:MM:SS +ZZZZ"`, ""
	}
	year, ok1 := num(s[:4])
	hh, ok2 := num(s[5:7])
	mm, ok3 := num(s[8:10])
	ss, ok4 := num(s[11:13])
	zh, ok5 := num(s[15:17])
	zm, ok6 := num(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || (s[14] != '+' && s[14] != '-') || hh > 23 || mm > 59 || ss > 60 {
		return t, `"YYYY HH:MM:SS +ZZZZ"`, ""
	}
	switch {
	case zh > 23 || zm > 59:
		return t, "", "a zone from -2359 to +2359"
	case year == 0:
		return t, "", "a year from 0001"
	case day < 1 || day > daysIn(time.Month(month), year):
		return t, "", "a day of the month"
	}
	offset := zh*3600 + zm*60
	if s[14] == '-' {
		offset = -offset
	}
	loc := fixedZone(offset)
	return time.Date(year, time.Month(month), day, hh, mm, ss, 0, loc), "", ""
}

// daysIn returns the number of days of month m in year.
func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
