package demo

import (
	"bytes"
	"strings"
)

// The MIME structure of a stored message, computed from its raw bytes: what
// BODYSTRUCTURE, ENVELOPE and BODY[section] need (RFC 3501 sections 6.4.5
// and 7.4.2, RFC 2045, RFC 2046).

const (
	// maxMIMEDepth bounds the nesting of multiparts and message/rfc822
	// parts that is parsed; deeper entities are kept as opaque leaves.
	// Real mail nests a few levels; the bound keeps recursion shallow
	// for a crafted APPEND.
	maxMIMEDepth = 32

	// maxMIMEParts bounds the number of entities parsed in one message;
	// the rest of a multipart with more parts stays in its last part.
	maxMIMEParts = 10000
)

// An entity is a message or a body part: its header and its body.
type entity struct {
	header []byte // the header, with the blank line that ends it (if any)
	body   []byte
	fields []field

	typ, sub string  // media type and subtype, lower case
	params   []param // Content-Type parameters, in order
	enc      string  // Content-Transfer-Encoding, lower case ("7bit" by default)

	parts []*entity // the parts of a multipart
	msg   *entity   // the message inside a message/rfc822 part
}

// A field is one header field: its name and its value as it was sent
// (folding included, without the line end of its last line).
type field struct {
	name  string
	raw   []byte // the whole field, line ends included
	value string // the value, unfolded and trimmed
}

type param struct{ name, value string }

// parseMessage parses raw as an RFC 5322 message.
func parseMessage(raw []byte) *entity {
	count := 0
	return parseEntity(raw, "text", "plain", 0, &count)
}

// parseEntity parses an entity whose Content-Type defaults to deftyp/defsub.
func parseEntity(raw []byte, deftyp, defsub string, depth int, count *int) *entity {
	*count++
	e := &entity{}
	e.header, e.body = splitHeader(raw)
	e.fields = parseFields(e.header)
	e.typ, e.sub = deftyp, defsub
	if v, ok := e.field("Content-Type"); ok {
		typ, sub, params, ok := parseContentType(v)
		if ok {
			e.typ, e.sub, e.params = typ, sub, params
		}
	}
	if e.typ == "text" && e.param("charset") == "" {
		e.params = append([]param{{"charset", "us-ascii"}}, e.params...)
	}
	e.enc = "7bit"
	if v, ok := e.field("Content-Transfer-Encoding"); ok && strings.TrimSpace(v) != "" {
		e.enc = strings.ToLower(strings.TrimSpace(v))
	}
	if depth >= maxMIMEDepth || *count >= maxMIMEParts {
		return e
	}
	switch {
	case e.typ == "multipart":
		def := "text"
		defSub := "plain"
		if e.sub == "digest" {
			def, defSub = "message", "rfc822"
		}
		for _, b := range splitMultipart(e.body, e.param("boundary")) {
			if *count >= maxMIMEParts {
				break
			}
			e.parts = append(e.parts, parseEntity(b, def, defSub, depth+1, count))
		}
		if len(e.parts) == 0 {
			// RFC 3501's body-type-mpart needs one part at least: a
			// multipart without a boundary or a delimiter is one empty
			// text part (servers differ here; Dovecot does much the same).
			e.parts = []*entity{parseEntity(nil, "text", "plain", depth+1, count)}
		}
	case e.typ == "message" && e.sub == "rfc822":
		e.msg = parseEntity(e.body, "text", "plain", depth+1, count)
	}
	return e
}

// splitHeader splits raw at the blank line that ends the header. The
// header keeps the blank line. Without a blank line the whole is header.
func splitHeader(raw []byte) (header, body []byte) {
	i := 0
	for i < len(raw) {
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			return raw, nil
		}
		line := raw[i : i+j+1]
		i += j + 1
		if len(line) == 1 || (len(line) == 2 && line[0] == '\r') {
			return raw[:i], raw[i:]
		}
	}
	return raw, nil
}

// parseFields splits a header into its fields.
func parseFields(header []byte) []field {
	var out []field
	i := 0
	for i < len(header) {
		start := i
		// A field is its first line and every continuation line.
		for {
			j := bytes.IndexByte(header[i:], '\n')
			if j < 0 {
				i = len(header)
				break
			}
			i += j + 1
			if i >= len(header) || (header[i] != ' ' && header[i] != '\t') {
				break
			}
		}
		raw := header[start:i]
		colon := bytes.IndexByte(raw, ':')
		if colon <= 0 || bytes.ContainsAny(raw[:colon], " \t\r\n") {
			continue // the blank line, or a line that is no field
		}
		out = append(out, field{name: string(raw[:colon]), raw: raw, value: unfold(raw[colon+1:])})
	}
	return out
}

// unfold removes the line ends of a folded value and trims it.
func unfold(v []byte) string {
	var b strings.Builder
	for _, c := range v {
		if c != '\r' && c != '\n' {
			b.WriteByte(c)
		}
	}
	return strings.Trim(b.String(), " \t")
}

// field returns the value of the first field named name.
func (e *entity) field(name string) (string, bool) {
	for _, f := range e.fields {
		if strings.EqualFold(f.name, name) {
			return f.value, true
		}
	}
	return "", false
}

// param returns a Content-Type parameter ("" if absent).
func (e *entity) param(name string) string {
	for _, p := range e.params {
		if p.name == name {
			return p.value
		}
	}
	return ""
}

// parseContentType parses "type/subtype; name=value; ..." with the
// parameters in order, names in lower case and values unquoted. It reports
// false for a value without a valid type/subtype (RFC 2045 section 5.2:
// the default applies then).
func parseContentType(v string) (typ, sub string, params []param, ok bool) {
	v = stripComments(v)
	head, rest, _ := strings.Cut(v, ";")
	typ, sub, found := strings.Cut(strings.TrimSpace(head), "/")
	typ, sub = strings.ToLower(strings.TrimSpace(typ)), strings.ToLower(strings.TrimSpace(sub))
	if !found || !isToken(typ) || !isToken(sub) {
		return "", "", nil, false
	}
	return typ, sub, parseParams(rest), true
}

// parseDisposition parses a Content-Disposition value.
func parseDisposition(v string) (string, []param) {
	v = stripComments(v)
	head, rest, _ := strings.Cut(v, ";")
	return strings.ToLower(strings.TrimSpace(head)), parseParams(rest)
}

// parseParams parses "; name=value" parameters leniently: values may be
// tokens or quoted strings; malformed pieces are skipped.
func parseParams(s string) []param {
	var out []param
	for len(s) > 0 {
		s = strings.TrimLeft(s, " \t;")
		if s == "" {
			break
		}
		eq := strings.IndexAny(s, "=;")
		if eq < 0 || s[eq] == ';' {
			if eq < 0 {
				break
			}
			s = s[eq:]
			continue
		}
		name := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = strings.TrimLeft(s[eq+1:], " \t")
		var value string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			value = b.String()
			s = s[min(i+1, len(s)):]
		} else {
			end := strings.IndexByte(s, ';')
			if end < 0 {
				end = len(s)
			}
			value = strings.TrimSpace(s[:end])
			s = s[end:]
		}
		if name != "" {
			out = append(out, param{name, value})
		}
	}
	return out
}

// stripComments removes RFC 822 comments outside quoted strings.
func stripComments(v string) string {
	if !strings.Contains(v, "(") {
		return v
	}
	var b strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && i+1 < len(v) && (quoted || depth > 0):
			if depth == 0 {
				b.WriteByte(c)
				b.WriteByte(v[i+1])
			}
			i++
		case quoted:
			if c == '"' {
				quoted = false
			}
			b.WriteByte(c)
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth > 0:
		default:
			if c == '"' {
				quoted = true
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// isToken reports an RFC 2045 token: no SP, CTL or tspecials.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

// splitMultipart returns the bodies of the parts of a multipart body
// (RFC 2046 section 5.1.1): the CRLF before each delimiter belongs to the
// delimiter; preamble and epilogue are dropped. A missing close delimiter
// ends the last part at the end of the body.
func splitMultipart(body []byte, boundary string) [][]byte {
	if boundary == "" {
		return nil
	}
	delim := []byte("--" + boundary)
	var parts [][]byte
	start := -1 // start of the current part, -1 before the first delimiter
	i := 0
	for i < len(body) {
		lineStart := i
		j := bytes.IndexByte(body[i:], '\n')
		next := len(body)
		if j >= 0 {
			next = i + j + 1
		}
		line := body[lineStart:next]
		if bytes.HasPrefix(line, delim) {
			rest := bytes.TrimRight(line[len(delim):], " \t\r\n")
			isClose := bytes.Equal(rest, []byte("--"))
			if len(rest) == 0 || isClose {
				if start >= 0 {
					end := lineStart
					if end > start && body[end-1] == '\n' {
						end--
						if end > start && body[end-1] == '\r' {
							end--
						}
					}
					if end < start {
						end = start
					}
					parts = append(parts, body[start:end])
				}
				if isClose {
					return parts
				}
				start = next
				if len(parts) >= maxMIMEParts {
					return parts
				}
			}
		}
		i = next
	}
	if start >= 0 && start <= len(body) {
		parts = append(parts, body[start:])
	}
	return parts
}

// lines counts the lines of a body as IMAP servers do: its LFs.
func countLines(b []byte) int { return bytes.Count(b, []byte{'\n'}) }

// child returns part n (1-based) of a message entity e (the top-level
// message, or the message inside a message/rfc822 part): for a multipart
// message its nth part; otherwise part 1 is the message's own body.
func (e *entity) messageChild(n int) *entity {
	if e.typ == "multipart" {
		if n >= 1 && n <= len(e.parts) {
			return e.parts[n-1]
		}
		return nil
	}
	if n == 1 {
		return e
	}
	return nil
}

// partChild returns subpart n of a body part p: a part of a multipart, or
// a part of the message inside a message/rfc822 part.
func (p *entity) partChild(n int) *entity {
	switch {
	case p.typ == "multipart":
		if n >= 1 && n <= len(p.parts) {
			return p.parts[n-1]
		}
	case p.msg != nil:
		return p.msg.messageChild(n)
	}
	return nil
}

// resolve returns the body part with the part numbers path, or nil.
func (e *entity) resolve(path []int) *entity {
	if len(path) == 0 {
		return e
	}
	p := e.messageChild(path[0])
	for _, n := range path[1:] {
		if p == nil {
			return nil
		}
		p = p.partChild(n)
	}
	return p
}

// headerFields returns the fields of header whose names are (not, when
// not is set) in names, followed by the blank line, as HEADER.FIELDS and
// HEADER.FIELDS.NOT return them.
func headerFields(fields []field, names []string, not bool) []byte {
	var out []byte
	for _, f := range fields {
		in := false
		for _, n := range names {
			if strings.EqualFold(f.name, n) {
				in = true
				break
			}
		}
		if in != not {
			out = append(out, f.raw...)
			if !bytes.HasSuffix(f.raw, []byte("\n")) {
				out = append(out, '\r', '\n')
			}
		}
	}
	return append(out, '\r', '\n')
}
