package demo

import (
	"strconv"
	"strings"
)

// ENVELOPE and BODYSTRUCTURE (RFC 3501 section 7.4.2), computed from an
// entity. Strings are the header values as sent (encoded words are not
// decoded), as Dovecot sends them.

// appendEnvelope appends the envelope of the message entity e.
func (e *entity) appendEnvelope(b []byte) []byte {
	nfield := func(b []byte, name string) []byte {
		v, ok := e.field(name)
		return appendNString(b, v, !ok)
	}
	b = append(b, '(')
	b = nfield(b, "Date")
	b = append(b, ' ')
	b = nfield(b, "Subject")
	var from []address
	for _, name := range []string{"From", "Sender", "Reply-To", "To", "Cc", "Bcc"} {
		b = append(b, ' ')
		var addrs []address
		if v, ok := e.field(name); ok {
			addrs = parseAddressList(v)
		}
		switch name {
		case "From":
			from = addrs
		case "Sender", "Reply-To":
			// RFC 3501 section 7.4.2: sender and reply-to default to
			// from when absent, and when empty ("Sender:" with no
			// address), as Dovecot and other servers fill them.
			if len(addrs) == 0 {
				addrs = from
			}
		}
		b = appendAddresses(b, addrs)
	}
	b = append(b, ' ')
	b = nfield(b, "In-Reply-To")
	b = append(b, ' ')
	b = nfield(b, "Message-ID")
	return append(b, ')')
}

// An address is one element of an envelope address list. A group start
// has only mailbox (the group's name); a group end has nothing.
type address struct {
	name, route, mailbox, host string
	hasName                    bool
	groupStart                 bool
	groupEnd                   bool
}

func appendAddresses(b []byte, addrs []address) []byte {
	if len(addrs) == 0 {
		return append(b, "NIL"...)
	}
	b = append(b, '(')
	for _, a := range addrs {
		b = append(b, '(')
		switch {
		case a.groupEnd:
			b = append(b, "NIL NIL NIL NIL"...)
		case a.groupStart:
			b = append(b, "NIL NIL "...)
			b = appendString(b, a.mailbox)
			b = append(b, " NIL"...)
		default:
			b = appendNString(b, a.name, !a.hasName)
			b = append(b, ' ')
			b = appendNString(b, a.route, a.route == "")
			b = append(b, ' ')
			b = appendString(b, a.mailbox)
			b = append(b, ' ')
			b = appendString(b, a.host)
		}
		b = append(b, ')')
	}
	return append(b, ')')
}

// An addrToken is a lexical token of an address header: a word (atom or
// quoted string), a comment (special '(', text its content) or a special
// character.
type addrToken struct {
	special byte // 0 for a word
	text    string
	quoted  bool
}

// lexAddresses splits an address header into tokens, dropping white space
// (RFC 5322 section 3.2). Comments are kept as tokens: a trailing one is
// the display name of an address that has no phrase.
func lexAddresses(s string) []addrToken {
	var out []addrToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '(':
			var b strings.Builder
			depth := 0
		comment:
			for ; i < len(s); i++ {
				switch s[i] {
				case '\\':
					if i+1 < len(s) {
						i++
						b.WriteByte(s[i])
					}
					continue
				case '(':
					depth++
					if depth == 1 {
						continue
					}
				case ')':
					depth--
					if depth == 0 {
						i++
						break comment
					}
				case '\r', '\n':
					continue
				}
				b.WriteByte(s[i])
			}
			out = append(out, addrToken{special: '(', text: strings.TrimSpace(b.String())})
		case c == '"':
			var b strings.Builder
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				if s[i] != '\r' && s[i] != '\n' {
					b.WriteByte(s[i])
				}
			}
			i++
			out = append(out, addrToken{text: b.String(), quoted: true})
		case strings.IndexByte("<>:;@,.[]", c) >= 0:
			out = append(out, addrToken{special: c})
			i++
		default:
			j := i
			for j < len(s) && strings.IndexByte(" \t\r\n()\"<>:;@,.[]", s[j]) < 0 {
				j++
			}
			out = append(out, addrToken{text: s[i:j]})
			i = j
		}
	}
	return out
}

// dropComments returns toks without the comments, and the text of the
// last non-empty one.
func dropComments(toks []addrToken) ([]addrToken, string) {
	var out []addrToken
	last := ""
	for _, t := range toks {
		if t.special == '(' {
			if t.text != "" {
				last = t.text
			}
			continue
		}
		out = append(out, t)
	}
	return out, last
}

// parseAddressList parses an address-list leniently: what cannot be read
// as an address is skipped. As RFC 3501 section 7.4.2 says, a group is
// a start (NIL NIL name NIL), its members and an end (NIL NIL NIL NIL);
// an obsolete route (<@a,@b:user@host>) is kept in the route field; and
// an address with no phrase takes its comment as its name
// ("user@host (Name)"), as Dovecot does.
func parseAddressList(s string) []address {
	toks := lexAddresses(s)
	var out []address
	inGroup := false
	for len(toks) > 0 {
		// Collect one address: up to "," or ";" at the top level.
		var unit []addrToken
		i := 0
		for i < len(toks) && toks[i].special != ',' && toks[i].special != ';' &&
			toks[i].special != '<' && toks[i].special != ':' {
			unit = append(unit, toks[i])
			i++
		}
		phrase, comment := dropComments(unit)
		if i == len(toks) || toks[i].special == ',' || toks[i].special == ';' {
			// An addr-spec, or nothing.
			if a, ok := addrSpec(phrase); ok {
				if comment != "" {
					a.name, a.hasName = comment, true
				}
				out = append(out, a)
			}
			if i < len(toks) && toks[i].special == ';' && inGroup {
				out = append(out, address{groupEnd: true})
				inGroup = false
			}
			toks = toks[min(i+1, len(toks)):]
			continue
		}
		switch toks[i].special {
		case ':':
			if inGroup { // no nested groups: read the name as a phrase
				toks = toks[i+1:]
				continue
			}
			out = append(out, address{groupStart: true, mailbox: joinPhrase(phrase)})
			inGroup = true
			toks = toks[i+1:]
		case '<':
			j := i + 1
			for j < len(toks) && toks[j].special != '>' {
				j++
			}
			inner, _ := dropComments(toks[i+1 : j])
			// An obsolete route ("@a,@b:") goes to the route field.
			route := ""
			for k, t := range inner {
				if t.special == ':' {
					route = joinTokens(inner[:k])
					inner = inner[k+1:]
					break
				}
			}
			a, ok := addrSpec(inner)
			if !ok {
				a, ok = address{mailbox: "MISSING_MAILBOX", host: "MISSING_DOMAIN"}, true
			}
			a.route = route
			toks = toks[min(j+1, len(toks)):]
			// Skip to the next "," or ";", noting a trailing comment.
			for len(toks) > 0 && toks[0].special != ',' && toks[0].special != ';' {
				if toks[0].special == '(' && toks[0].text != "" {
					comment = toks[0].text
				}
				toks = toks[1:]
			}
			switch {
			case len(phrase) > 0:
				a.name, a.hasName = joinPhrase(phrase), true
			case comment != "":
				a.name, a.hasName = comment, true
			}
			out = append(out, a)
			if len(toks) > 0 && toks[0].special == ';' && inGroup {
				out = append(out, address{groupEnd: true})
				inGroup = false
			}
			if len(toks) > 0 {
				toks = toks[1:]
			}
		}
	}
	if inGroup {
		out = append(out, address{groupEnd: true})
	}
	return out
}

// joinTokens joins tokens without spaces.
func joinTokens(ts []addrToken) string {
	var b strings.Builder
	for _, t := range ts {
		if t.special != 0 {
			b.WriteByte(t.special)
		} else {
			b.WriteString(t.text)
		}
	}
	return b.String()
}

// addrSpec reads local-part "@" domain from tokens.
func addrSpec(toks []addrToken) (address, bool) {
	if len(toks) == 0 {
		return address{}, false
	}
	at := -1
	for i, t := range toks {
		if t.special == '@' {
			at = i
		}
	}
	join := joinTokens
	if at < 0 {
		return address{mailbox: join(toks), host: "MISSING_DOMAIN"}, true
	}
	local, domain := join(toks[:at]), join(toks[at+1:])
	if local == "" {
		local = "MISSING_MAILBOX"
	}
	if domain == "" {
		domain = "MISSING_DOMAIN"
	}
	return address{mailbox: local, host: domain}, true
}

// joinPhrase joins the words of a display name with single spaces; dots
// stick to the word before them.
func joinPhrase(toks []addrToken) string {
	var b strings.Builder
	for i, t := range toks {
		if t.special != 0 {
			b.WriteByte(t.special)
			continue
		}
		if i > 0 && b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

// appendBodyStructure appends BODYSTRUCTURE (ext) or BODY (!ext) of e.
func (e *entity) appendBodyStructure(b []byte, ext bool) []byte {
	b = append(b, '(')
	if e.typ == "multipart" {
		for _, p := range e.parts {
			b = p.appendBodyStructure(b, ext)
		}
		b = append(b, ' ')
		b = appendString(b, e.sub)
		if ext {
			b = append(b, ' ')
			b = appendParams(b, e.params)
			b = e.appendExtTail(b)
		}
		return append(b, ')')
	}
	b = appendString(b, e.typ)
	b = append(b, ' ')
	b = appendString(b, e.sub)
	b = append(b, ' ')
	b = appendParams(b, e.params)
	for _, name := range []string{"Content-ID", "Content-Description"} {
		b = append(b, ' ')
		v, ok := e.field(name)
		b = appendNString(b, v, !ok)
	}
	b = append(b, ' ')
	b = appendString(b, e.enc)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(len(e.body)), 10)
	switch {
	case e.msg != nil:
		b = append(b, ' ')
		b = e.msg.appendEnvelope(b)
		b = append(b, ' ')
		b = e.msg.appendBodyStructure(b, ext)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(countLines(e.body)), 10)
	case e.typ == "text":
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(countLines(e.body)), 10)
	}
	if ext {
		b = append(b, ' ')
		v, ok := e.field("Content-MD5")
		b = appendNString(b, v, !ok)
		b = e.appendExtTail(b)
	}
	return append(b, ')')
}

// appendExtTail appends SP body-fld-dsp SP body-fld-lang SP body-fld-loc.
func (e *entity) appendExtTail(b []byte) []byte {
	b = append(b, ' ')
	if v, ok := e.field("Content-Disposition"); ok && strings.TrimSpace(v) != "" {
		typ, params := parseDisposition(v)
		b = append(b, '(')
		b = appendString(b, typ)
		b = append(b, ' ')
		b = appendParams(b, params)
		b = append(b, ')')
	} else {
		b = append(b, "NIL"...)
	}
	b = append(b, ' ')
	if v, ok := e.field("Content-Language"); ok && strings.TrimSpace(v) != "" {
		var langs []string
		for _, l := range strings.Split(stripComments(v), ",") {
			if l = strings.TrimSpace(l); l != "" {
				langs = append(langs, l)
			}
		}
		switch len(langs) {
		case 0:
			b = append(b, "NIL"...)
		case 1:
			b = appendString(b, langs[0])
		default:
			b = append(b, '(')
			for i, l := range langs {
				if i > 0 {
					b = append(b, ' ')
				}
				b = appendString(b, l)
			}
			b = append(b, ')')
		}
	} else {
		b = append(b, "NIL"...)
	}
	b = append(b, ' ')
	v, ok := e.field("Content-Location")
	return appendNString(b, v, !ok)
}
