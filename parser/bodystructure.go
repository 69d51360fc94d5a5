package parser

import (
	"encoding/json"
	"strings"

	"github.com/imapwire/imapwire/wire"
)

// A BodyStructure is the MIME structure of a message or of one of its parts,
// as returned by FETCH BODY and BODYSTRUCTURE (RFC 3501 section 7.4.2).
//
// A multipart body has Parts and a Subtype; its Type is "multipart". A
// single-part body has the body fields; a message/rfc822 (or message/global)
// part also has Envelope, Body and Lines; a text part has Lines.
type BodyStructure struct {
	Type    string `json:"type"`    // media type as sent, such as "text" or "TEXT"
	Subtype string `json:"subtype"` // media subtype, such as "plain"

	// Params holds body-fld-param (for a multipart, the extension
	// parameters), in the order sent.
	Params Params `json:"params,omitempty"`

	// Single-part body fields.
	ID          string `json:"id,omitempty"`
	Description string `json:"description,omitempty"`
	Encoding    string `json:"encoding,omitempty"` // "" when the server sent NIL
	Size        uint32 `json:"size,omitempty"`     // body-fld-octets

	// Envelope and Body of a message/rfc822 part.
	Envelope *Envelope      `json:"envelope,omitempty"`
	Body     *BodyStructure `json:"body,omitempty"`
	// Lines is body-fld-lines of text and message/rfc822 parts.
	Lines uint32 `json:"lines,omitempty"`

	// Parts are the parts of a multipart body.
	Parts []*BodyStructure `json:"parts,omitempty"`

	// Extended reports that extension data was present (BODYSTRUCTURE
	// rather than BODY); the fields below are then filled as far as the
	// server sent them.
	Extended    bool         `json:"extended,omitempty"`
	MD5         string       `json:"md5,omitempty"`
	Disposition *Disposition `json:"disposition,omitempty"`
	Language    []string     `json:"language,omitempty"`
	Location    string       `json:"location,omitempty"`
	// Extensions keeps body-extension data beyond the location, raw.
	Extensions []wire.Value `json:"extensions,omitempty"`
}

// A Param is one MIME parameter (attribute and value) as sent.
type Param struct {
	Name  string
	Value string
}

// Params is a MIME parameter list (body-fld-param), in the order sent.
// Its JSON form is an object.
type Params []Param

// Get returns the value of the parameter called name, compared without
// regard to case, or "" when there is none.
func (p Params) Get(name string) string {
	for _, x := range p {
		if strings.EqualFold(x.Name, name) {
			return x.Value
		}
	}
	return ""
}

// MarshalJSON encodes p as an object whose keys are the lower-cased
// parameter names, in the order sent.
func (p Params) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, x := range p {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(strings.ToLower(x.Name))
		v, _ := json.Marshal(x.Value)
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

// A Disposition is a Content-Disposition: its type and parameters.
type Disposition struct {
	Type   string `json:"type"`
	Params Params `json:"params,omitempty"`
}

// MediaType returns "type/subtype" in lower case.
func (b *BodyStructure) MediaType() string {
	return strings.ToLower(b.Type + "/" + b.Subtype)
}

// IsMultipart reports whether b is a multipart body.
func (b *BodyStructure) IsMultipart() bool { return strings.EqualFold(b.Type, "multipart") }

// Walk calls fn for b and every part below it, depth first, with the part's
// section number (RFC 3501 section 6.4.5), such as "1.2"; the top is "".
// The body of a message/rfc822 part is visited with the part's own number,
// as its parts are numbered below it. Walk stops when fn returns false.
func (b *BodyStructure) Walk(fn func(part string, b *BodyStructure) bool) {
	b.walk("", fn)
}

func (b *BodyStructure) walk(part string, fn func(string, *BodyStructure) bool) bool {
	if !fn(part, b) {
		return false
	}
	prefix := part
	if prefix != "" {
		prefix += "."
	}
	if b.IsMultipart() {
		for i, p := range b.Parts {
			if !p.walk(prefix+itoa(i+1), fn) {
				return false
			}
		}
		return true
	}
	if b.Body != nil {
		inner := b.Body
		if inner.IsMultipart() {
			for i, p := range inner.Parts {
				if !p.walk(prefix+itoa(i+1), fn) {
					return false
				}
			}
			return true
		}
		return inner.walk(prefix+"1", fn)
	}
	return true
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// readBody reads body = "(" (body-type-1part / body-type-mpart) ")".
func (r *Reader) readBody(depth int) (*BodyStructure, error) {
	w := r.w
	if depth >= w.Limits().MaxDepth {
		return nil, &wire.SyntaxError{Offset: w.InputOffset(), Production: "body", Expected: "shallower nesting", Err: wire.ErrTooDeep}
	}
	if err := w.Expect('(', "body"); err != nil {
		return nil, err
	}
	c, err := w.Peek()
	if err != nil {
		return nil, unexpected(err)
	}
	var b *BodyStructure
	if c == '(' {
		b, err = r.readMultipart(depth)
	} else {
		b, err = r.readOnePart(depth)
	}
	if err != nil {
		return nil, err
	}
	if !r.strict {
		r.skipSP()
	}
	if err := w.Expect(')', "body"); err != nil {
		return nil, err
	}
	return b, nil
}

// skipSP consumes spaces (lenient SP before ")").
func (r *Reader) skipSP() {
	for {
		c, err := r.w.Peek()
		if err != nil || c != ' ' {
			return
		}
		r.w.ReadByte()
	}
}

func (r *Reader) readMultipart(depth int) (*BodyStructure, error) {
	w := r.w
	b := new(BodyStructure)
	b.Type = "multipart"
	for {
		c, err := w.Peek()
		if err != nil {
			return nil, unexpected(err)
		}
		if c == ' ' {
			w.ReadByte()
			c2, err := w.Peek()
			if err != nil {
				return nil, unexpected(err)
			}
			if c2 != '(' {
				break
			}
			if r.strict {
				return nil, w.ErrorAt("body-type-mpart", "body")
			}
			continue // lenient SP between parts
		}
		if c != '(' {
			return nil, w.ErrorAt("body-type-mpart", "SP media-subtype")
		}
		if err := r.countElem("body-type-mpart"); err != nil {
			return nil, err
		}
		p, err := r.readBody(depth + 1)
		if err != nil {
			return nil, err
		}
		b.Parts = append(b.Parts, p)
	}
	sub, err := w.ReadString("media-subtype")
	if err != nil {
		return nil, err
	}
	b.Subtype = r.str(sub)
	return b, r.readExtMultipart(b)
}

// readOnePart reads body-type-1part after the "(".
func (r *Reader) readOnePart(depth int) (*BodyStructure, error) {
	w := r.w
	b := new(BodyStructure)
	t, err := w.ReadString("media-type")
	if err != nil {
		return nil, err
	}
	b.Type = r.str(t)
	c, err := w.Peek()
	if err != nil {
		return nil, unexpected(err)
	}
	if c == ')' && r.lenient(LenientEmptyMultipart) {
		// Gmail sends an empty multipart as ("ALTERNATIVE").
		return &BodyStructure{Type: "multipart", Subtype: b.Type}, nil
	}
	if err := w.ExpectSP("media-basic"); err != nil {
		return nil, err
	}
	if c, err := w.Peek(); err == nil && (c == '(' || (c == 'N' || c == 'n') && r.nilNext()) && r.lenient(LenientEmptyMultipart) {
		// Gmail also sends an empty multipart with its extension data:
		// ("ALTERNATIVE" ("BOUNDARY" "x") NIL NIL) (MailKit#205), and
		// with NIL parameters: ("RELATED" NIL ("ATTACHMENT" NIL) NIL)
		// (MailKit#371).
		mp := &BodyStructure{Type: "multipart", Subtype: b.Type, Extended: true}
		if mp.Params, err = r.readParams("body-fld-param"); err != nil {
			return nil, err
		}
		return mp, r.readExtCommon(mp)
	}
	sub, err := w.ReadString("media-subtype")
	if err != nil {
		return nil, err
	}
	b.Subtype = r.str(sub)
	if err := w.ExpectSP("body-type-1part"); err != nil {
		return nil, err
	}
	// body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP
	//               body-fld-enc SP body-fld-octets
	if b.Params, err = r.readParams("body-fld-param"); err != nil {
		return nil, err
	}
	if err := w.ExpectSP("body-fields"); err != nil {
		return nil, err
	}
	if b.ID, err = r.nstring("body-fld-id"); err != nil {
		return nil, err
	}
	if err := w.ExpectSP("body-fields"); err != nil {
		return nil, err
	}
	if b.Description, err = r.nstring("body-fld-desc"); err != nil {
		return nil, err
	}
	if err := w.ExpectSP("body-fields"); err != nil {
		return nil, err
	}
	if r.strict {
		enc, err := w.ReadString("body-fld-enc")
		if err != nil {
			return nil, err
		}
		b.Encoding = r.str(enc)
	} else if b.Encoding, err = r.nstring("body-fld-enc"); err != nil {
		// Some servers send NIL for the encoding.
		return nil, err
	}
	if err := w.ExpectSP("body-fields"); err != nil {
		return nil, err
	}
	if b.Size, err = r.readBodyNumber("body-fld-octets"); err != nil {
		return nil, err
	}

	isMessage := strings.EqualFold(b.Type, "message") &&
		(strings.EqualFold(b.Subtype, "rfc822") || strings.EqualFold(b.Subtype, "global"))
	isText := strings.EqualFold(b.Type, "text")
	switch {
	case isMessage:
		more, err := r.moreFields()
		if err != nil || !more {
			if err == nil && r.strict {
				// mail.ru sends message/rfc822 with no envelope, body
				// or lines; the grammar requires them.
				return nil, w.ErrorAt("body-type-msg", "SP envelope")
			}
			return b, err
		}
		c, err := w.Peek()
		if err != nil {
			return nil, unexpected(err)
		}
		if c != '(' && !r.strict {
			// mail.ru sends message/rfc822 with no envelope, body or
			// lines: what follows is extension data, starting with
			// body-fld-md5 (its SP is consumed already, so this cannot
			// go through readExt1Part).
			b.Extended = true
			if b.MD5, err = r.nstring("body-fld-md5"); err != nil {
				return nil, err
			}
			return b, r.readExtCommon(b)
		}
		if b.Envelope, err = r.readEnvelope(); err != nil {
			return nil, err
		}
		if c, err := w.Peek(); err == nil && c == '(' && r.lenient(LenientBodyNoSP) {
			// "(envelope)(body)": the nested body with no SP, as
			// BODY( at the top.
		} else if err := w.ExpectSP("body-type-msg"); err != nil {
			return nil, err
		}
		if b.Body, err = r.readBody(depth + 1); err != nil {
			return nil, err
		}
		if err := w.ExpectSP("body-type-msg"); err != nil {
			return nil, err
		}
		if b.Lines, err = r.readBodyNumber("body-fld-lines"); err != nil {
			return nil, err
		}
	case isText:
		more, err := r.moreFields()
		if err != nil || !more {
			if err == nil && r.strict {
				return nil, w.ErrorAt("body-type-text", "SP body-fld-lines")
			}
			return b, err
		}
		if b.Lines, err = r.readBodyNumber("body-fld-lines"); err != nil {
			return nil, err
		}
	}
	return b, r.readExt1Part(b)
}

// moreFields consumes an SP and reports true when more fields follow in
// the current body; it reports false at ")".
func (r *Reader) moreFields() (bool, error) {
	w := r.w
	c, err := w.Peek()
	if err != nil {
		return false, unexpected(err)
	}
	if c == ')' {
		return false, nil
	}
	if err := w.ExpectSP("body"); err != nil {
		return false, err
	}
	c, err = w.Peek()
	if err != nil {
		return false, unexpected(err)
	}
	if c == ')' && !r.strict {
		return false, nil // SP before ")"
	}
	return true, nil
}

func (r *Reader) nstring(production string) (string, error) {
	b, _, err := r.w.ReadNString(production)
	return r.str(b), err
}

// readParams reads body-fld-param = "(" string SP string *(SP string SP
// string) ")" / nil. Leniently "()" is an empty list.
func (r *Reader) readParams(production string) (Params, error) {
	w := r.w
	c, err := w.Peek()
	if err != nil {
		return nil, unexpected(err)
	}
	if c != '(' {
		return nil, w.ReadNIL(production)
	}
	if _, err := r.listOpen(production, 0); err != nil {
		return nil, err
	}
	params := r.paramScratch[:0]
	n := 0
	for ; ; n++ {
		more, err := r.listNext(production, 0, n)
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
		b, err := w.ReadString(production)
		if err != nil {
			// mail.ru sends ("boundary" NIL): a NIL value, read as "".
			if n%2 == 0 || !r.nilParamValue(production) {
				return nil, err
			}
			b = nil
		}
		if n%2 == 0 {
			params = append(params, Param{Name: r.str(b)})
		} else {
			params[len(params)-1].Value = r.str(b)
		}
	}
	if n%2 == 1 {
		return nil, w.ErrorAt(production, "parameter value")
	}
	if n == 0 && r.strict {
		return nil, w.ErrorAt(production, "parameter")
	}
	r.paramScratch = params
	return r.keepParams(params), nil
}

// nilNext reports whether NIL is next.
func (r *Reader) nilNext() bool {
	isNil, err := r.w.PeekNIL()
	return err == nil && isNil
}

// nilParamValue consumes NIL where a parameter value belongs, in lenient
// mode, and reports whether it did.
func (r *Reader) nilParamValue(production string) bool {
	if isNil, err := r.w.PeekNIL(); err != nil || !isNil || !r.lenient(LenientParamNIL) {
		return false
	}
	return r.w.ReadNIL(production) == nil
}

// readExt1Part reads [SP body-ext-1part]:
// body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
func (r *Reader) readExt1Part(b *BodyStructure) error {
	more, err := r.moreFields()
	if err != nil || !more {
		return err
	}
	b.Extended = true
	if b.MD5, err = r.nstring("body-fld-md5"); err != nil {
		return err
	}
	return r.readExtCommon(b)
}

// readExtMultipart reads [SP body-ext-mpart]:
// body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
func (r *Reader) readExtMultipart(b *BodyStructure) error {
	more, err := r.moreFields()
	if err != nil || !more {
		return err
	}
	b.Extended = true
	if b.Params, err = r.readParams("body-fld-param"); err != nil {
		return err
	}
	return r.readExtCommon(b)
}

func (r *Reader) readExtCommon(b *BodyStructure) error {
	more, err := r.moreFields()
	if err != nil || !more {
		return err
	}
	if b.Disposition, err = r.readDisposition(); err != nil {
		return err
	}
	if more, err = r.moreFields(); err != nil || !more {
		return err
	}
	if b.Language, err = r.readLanguage(); err != nil {
		return err
	}
	if more, err = r.moreFields(); err != nil || !more {
		return err
	}
	if b.Location, err = r.nstring("body-fld-loc"); err != nil {
		return err
	}
	for {
		if more, err = r.moreFields(); err != nil || !more {
			return err
		}
		v, err := r.readCountedValue("body-extension", true)
		if err != nil {
			return err
		}
		b.Extensions = append(b.Extensions, v)
	}
}

// readDisposition reads body-fld-dsp = "(" string SP body-fld-param ")" / nil.
func (r *Reader) readDisposition() (*Disposition, error) {
	w := r.w
	c, err := w.Peek()
	if err != nil {
		return nil, unexpected(err)
	}
	if c != '(' {
		return nil, w.ReadNIL("body-fld-dsp")
	}
	w.ReadByte()
	d := &Disposition{}
	t, err := w.ReadString("body-fld-dsp")
	if err != nil {
		return nil, err
	}
	d.Type = r.str(t)
	if err := w.ExpectSP("body-fld-dsp"); err != nil {
		return nil, err
	}
	if d.Params, err = r.readParams("body-fld-param"); err != nil {
		return nil, err
	}
	if !r.strict {
		r.skipSP()
	}
	return d, w.Expect(')', "body-fld-dsp")
}

// readLanguage reads body-fld-lang = nstring / "(" string *(SP string) ")".
func (r *Reader) readLanguage() ([]string, error) {
	w := r.w
	c, err := w.Peek()
	if err != nil {
		return nil, unexpected(err)
	}
	if c == '(' {
		var langs []string
		err := r.readParenList("body-fld-lang", 0, func() error {
			s, err := w.ReadString("body-fld-lang")
			langs = append(langs, r.str(s))
			return err
		})
		return langs, err
	}
	s, isNil, err := w.ReadNString("body-fld-lang")
	if err != nil || isNil {
		return nil, err
	}
	return []string{r.str(s)}, nil
}
