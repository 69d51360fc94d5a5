package demo

import (
	"strconv"
	"strings"

	"github.com/imapwire/imapwire/wire"
)

// FETCH items (RFC 3501 section 6.4.5): parsing and rendering.

// A fetchItem is one fetch-att.
type fetchItem struct {
	// name is the item's name in upper case: FLAGS, INTERNALDATE,
	// RFC822.SIZE, ENVELOPE, BODY, BODYSTRUCTURE, UID, RFC822,
	// RFC822.HEADER, RFC822.TEXT, or BODY[ for a body section.
	name    string
	section *sectionSpec
}

// A sectionSpec is BODY[section]<partial> or BODY.PEEK[...].
type sectionSpec struct {
	peek    bool
	path    []int
	text    string   // "", HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT or MIME
	fields  []string // HEADER.FIELDS names, as sent
	partial bool
	origin  uint32
	length  uint32
}

// responseName returns the item's name in the response, such as
// "BODY[1.HEADER.FIELDS (FROM)]<0>".
func (s *sectionSpec) responseName() []byte {
	b := []byte("BODY[")
	for i, n := range s.path {
		if i > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	if s.text != "" {
		if len(s.path) > 0 {
			b = append(b, '.')
		}
		b = append(b, s.text...)
	}
	if len(s.fields) > 0 {
		b = append(b, " ("...)
		for i, f := range s.fields {
			if i > 0 {
				b = append(b, ' ')
			}
			b = appendAString(b, f)
		}
		b = append(b, ')')
	}
	b = append(b, ']')
	if s.partial {
		b = append(b, '<')
		b = strconv.AppendUint(b, uint64(s.origin), 10)
		b = append(b, '>')
	}
	return b
}

// parseFetchAtts reads a macro (ALL, FAST, FULL), one fetch-att, or a
// parenthesized list of them.
func parseFetchAtts(c *cmdReader) ([]fetchItem, error) {
	ch, err := c.peek()
	if err != nil {
		return nil, err
	}
	if ch != '(' {
		return parseFetchAtt(c, true)
	}
	c.r.ReadByte()
	var items []fetchItem
	for {
		ch, err := c.peek()
		if err != nil {
			return nil, err
		}
		if ch == ')' && len(items) > 0 {
			c.r.ReadByte()
			return items, nil
		}
		if len(items) > 0 {
			if err := c.sp("fetch-att"); err != nil {
				return nil, err
			}
		}
		if len(items) >= maxListItems {
			return nil, badf("fetch: more than %d items", maxListItems)
		}
		it, err := parseFetchAtt(c, false)
		if err != nil {
			return nil, err
		}
		items = append(items, it...)
	}
}

// macros are FETCH's shorthands.
var macros = map[string][]string{
	"ALL":  {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"},
	"FAST": {"FLAGS", "INTERNALDATE", "RFC822.SIZE"},
	"FULL": {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"},
}

// parseFetchAtt reads one fetch-att (or, when macro is set, a macro).
func parseFetchAtt(c *cmdReader, macro bool) ([]fetchItem, error) {
	word, err := c.rawAtom("fetch-att")
	if err != nil {
		return nil, err
	}
	w := strings.ToUpper(string(word))
	i := strings.IndexByte(w, '[')
	if i < 0 {
		if m, ok := macros[w]; ok && macro {
			items := make([]fetchItem, len(m))
			for i, n := range m {
				items[i] = fetchItem{name: n}
			}
			return items, nil
		}
		switch w {
		case "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY", "BODYSTRUCTURE", "UID",
			"RFC822", "RFC822.HEADER", "RFC822.TEXT", "MODSEQ":
			return []fetchItem{{name: w}}, nil
		}
		return nil, badf("fetch: unknown item %s", word)
	}
	sec := &sectionSpec{}
	switch w[:i] {
	case "BODY":
	case "BODY.PEEK":
		sec.peek = true
	default:
		return nil, badf("fetch: unknown item %s", word)
	}
	spec := w[i+1:]
	// section-part: nz-number *("." nz-number), then the section-text.
	for spec != "" && spec[0] >= '0' && spec[0] <= '9' {
		j := 0
		for j < len(spec) && spec[j] >= '0' && spec[j] <= '9' {
			j++
		}
		n, err := strconv.ParseUint(spec[:j], 10, 31)
		if err != nil || n == 0 || len(sec.path) >= maxMIMEDepth*2 {
			return nil, badf("fetch: invalid section part %q", spec[:j])
		}
		sec.path = append(sec.path, int(n))
		spec = spec[j:]
		if spec == "" {
			break
		}
		if spec[0] != '.' {
			return nil, badf("fetch: invalid section %q", w[i+1:])
		}
		spec = spec[1:]
		if spec == "" {
			return nil, badf("fetch: invalid section %q", w[i+1:])
		}
	}
	switch spec {
	case "", "HEADER", "TEXT":
	case "MIME":
		if len(sec.path) == 0 {
			return nil, badf("fetch: MIME needs a part number")
		}
	case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
		if err := c.sp("header-list"); err != nil {
			return nil, err
		}
		if err := c.r.Expect('(', "header-list"); err != nil {
			return nil, err
		}
		for {
			f, err := c.astring("header-fld-name")
			if err != nil {
				return nil, err
			}
			if !isFieldName(f) {
				return nil, badf("fetch: invalid header field name %q", f)
			}
			sec.fields = append(sec.fields, f)
			if len(sec.fields) > maxListItems {
				return nil, badf("fetch: more than %d header fields", maxListItems)
			}
			ch, err := c.peek()
			if err != nil {
				return nil, err
			}
			if ch == ')' {
				c.r.ReadByte()
				break
			}
			if err := c.sp("header-list"); err != nil {
				return nil, err
			}
		}
	default:
		return nil, badf("fetch: invalid section %q", w[i+1:])
	}
	sec.text = spec
	if err := c.r.Expect(']', "section"); err != nil {
		return nil, err
	}
	if ch, err := c.peek(); err == nil && ch == '<' {
		c.r.ReadByte()
		if sec.origin, err = c.number("partial"); err != nil {
			return nil, err
		}
		if err := c.r.Expect('.', "partial"); err != nil {
			return nil, err
		}
		if sec.length, err = c.number("partial"); err != nil {
			return nil, err
		}
		if sec.length == 0 {
			return nil, badf("fetch: partial length must not be 0")
		}
		if err := c.r.Expect('>', "partial"); err != nil {
			return nil, err
		}
		sec.partial = true
	} else if err != nil {
		return nil, err
	}
	return []fetchItem{{name: "BODY[", section: sec}}, nil
}

// isFieldName reports a header field name the server accepts: an RFC
// 5322 field name (printable ASCII but ":") made of ATOM-CHARs only, so
// that the name echoed in the response is an atom. Names with ( ) " \ %
// * { or ], legal in RFC 5322 but never used, are refused: parser reads
// some of their quoted forms in a response's section wrongly.
func isFieldName(f string) bool {
	if f == "" {
		return false
	}
	for i := 0; i < len(f); i++ {
		if !wire.IsAtomChar(f[i]) || f[i] == ':' {
			return false
		}
	}
	return true
}

// sectionData returns the bytes of a body section of the message e. A part
// that does not exist is empty, as Dovecot answers (RFC 3501 allows NIL
// or an empty string); ok is always true today.
func sectionData(e *entity, raw []byte, s *sectionSpec) ([]byte, bool) {
	var data []byte
	if len(s.path) == 0 {
		switch s.text {
		case "":
			data = raw
		case "HEADER":
			data = e.header
		case "TEXT":
			data = e.body
		case "HEADER.FIELDS":
			data = headerFields(e.fields, s.fields, false)
		case "HEADER.FIELDS.NOT":
			data = headerFields(e.fields, s.fields, true)
		}
	} else {
		p := e.resolve(s.path)
		if p == nil {
			return nil, true
		}
		switch s.text {
		case "":
			data = p.body
		case "MIME":
			data = p.header
		default:
			// HEADER and TEXT of a part are those of the message
			// inside a message/rfc822 part.
			m := p.msg
			if m == nil {
				if p != e {
					return nil, true
				}
				m = e
			}
			switch s.text {
			case "HEADER":
				data = m.header
			case "TEXT":
				data = m.body
			case "HEADER.FIELDS":
				data = headerFields(m.fields, s.fields, false)
			case "HEADER.FIELDS.NOT":
				data = headerFields(m.fields, s.fields, true)
			}
		}
	}
	if s.partial {
		if uint64(s.origin) >= uint64(len(data)) {
			return nil, true
		}
		data = data[s.origin:]
		if uint64(len(data)) > uint64(s.length) {
			data = data[:s.length]
		}
	}
	return data, true
}

// internalDateLayout is RFC 3501's date-time.
const internalDateLayout = "02-Jan-2006 15:04:05 -0700"
