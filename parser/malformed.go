package parser

import (
	"bytes"
	"errors"

	"github.com/imapwire/imapwire/wire"
)

// A Malformed is a response that did not parse, skipped by SkipMalformed:
// what is known of it, its raw bytes and the syntax error.
type Malformed struct {
	// Tag is the tag of a tagged response, "+" for a continuation
	// request, "" for an untagged response, and "?" for a tagged one
	// whose tag is no longer known (its start was past the buffer).
	Tag string `json:"tag,omitempty"`
	// Name is the response's name as far as it was read, in upper case
	// (such as "QUOTA", "FETCH" or "OK"), or "" when unknown.
	Name string `json:"name,omitempty"`
	// Num is the number of a "* n NAME" response, when HasNum.
	Num    uint32 `json:"num,omitempty"`
	HasNum bool   `json:"hasNum,omitempty"`
	// Raw holds the response's bytes, at most MaxMalformedRaw of them;
	// Truncated reports that there were more (or that its start had left
	// the read buffer).
	Raw       []byte `json:"raw"`
	Truncated bool   `json:"truncated,omitempty"`
	// Err is where and why it did not parse.
	Err *wire.SyntaxError `json:"error"`
}

// ResponseType returns "MALFORMED".
func (*Malformed) ResponseType() string { return "MALFORMED" }

// MaxMalformedRaw is the most of a malformed response's bytes that
// SkipMalformed keeps: enough to show and log it, not a way to hold a
// hostile line.
const MaxMalformedRaw = 4 << 10

// SkipMalformed skips the rest of the response whose syntax error err was
// just returned by Next or by a Fetch's Next, and returns it as a
// *Malformed, so that the caller can report it and carry on with the next
// response. It returns a nil *Malformed and an error when the stream
// cannot be resynchronized: err is not a syntax error (I/O errors and EOF
// end the stream), the error breached a limit (a line that long or that
// deep is not skipped: ErrAtomTooLong, ErrQuotedTooLong, ErrTooDeep,
// ErrListTooLong) or broke a literal's framing (wire.ErrLiteralFraming:
// the size of what follows is unknown), or skipping failed.
func (r *Reader) SkipMalformed(err error) (*Malformed, error) {
	var se *wire.SyntaxError
	if r.err != nil || !r.needSkip || !errors.As(err, &se) {
		return nil, err
	}
	for _, fatal := range []error{wire.ErrLiteralFraming, wire.ErrAtomTooLong, wire.ErrQuotedTooLong, wire.ErrTooDeep, wire.ErrListTooLong} {
		if errors.Is(se, fatal) {
			return nil, err
		}
	}
	m := &Malformed{Err: se}
	start := r.w.Since(r.respStart)
	headKnown := r.w.InputOffset()-r.respStart == int64(len(start))
	m.Truncated = !headKnown
	raw := make([]byte, 0, min(len(start)+512, MaxMalformedRaw))
	raw = append(raw, start[:min(len(start), MaxMalformedRaw)]...)
	r.needSkip = false
	rest, skipErr := r.w.SkipLineRaw(MaxMalformedRaw - len(raw) + 1)
	if skipErr != nil {
		r.err = skipErr
		return nil, skipErr
	}
	raw = append(raw, rest...)
	if len(raw) > MaxMalformedRaw {
		raw, m.Truncated = raw[:MaxMalformedRaw], true
	}
	m.Raw = raw
	m.describe(r.respKind, headKnown)
	return m, nil
}

// describe fills Tag, Name and Num from the raw bytes, when they begin at
// the response's first byte (headKnown).
func (m *Malformed) describe(kind byte, headKnown bool) {
	var words [][]byte
	if headKnown {
		words = bytes.Fields(m.Raw[:min(len(m.Raw), 128)])
	}
	word := func(i int) string {
		if i < len(words) {
			return upper(string(words[i]))
		}
		return ""
	}
	switch kind {
	case '+':
		m.Tag = "+"
	case 't':
		m.Tag = "?"
		if len(words) > 0 {
			m.Tag = string(words[0])
			m.Name = trimName(word(1))
		}
	case '*':
		name := word(1)
		if n, ok := parseNum(name); ok {
			m.Num, m.HasNum = n, true
			name = word(2)
		}
		m.Name = trimName(name)
	}
}

// trimName keeps the atom at the start of a response name ("QUOTA" of
// "QUOTA(").
func trimName(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '=') {
			return s[:i]
		}
	}
	return s
}

func parseNum(s string) (uint32, bool) {
	if s == "" || len(s) > 10 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + uint64(s[i]-'0')
	}
	return uint32(n), n <= 1<<32-1
}
