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
	from, fromOK := e.field("From")
	for _, name := range []string{"From", "Sender", "Reply-To", "To", "Cc", "Bcc"} {
		b = append(b, ' ')
		v, ok := e.field(name)
		if !ok && (name == "Sender" || name == "Reply-To") {
			// RFC 3501: sender and reply-to default to from.
			v, ok = from, fromOK
		}
		var addrs []address
		if ok {
			addrs = parseAddressList(v)
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
	name, mailbox, host string
	hasName             bool
	groupStart          bool
	groupEnd            bool
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
			b = append(b, " NIL "...)
			b = appendString(b, a.mailbox)
			b = append(b, ' ')
			b = appendString(b, a.host)
		}
		b = append(b, ')')
	}
	return append(b, ')')
}

// An addrToken is a lexical token of an address header: a word (atom or
// quoted string) or a special character.
type addrToken struct {
	special byte // 0 for a word
	text    string
	quoted  bool
}

// lexAddresses splits an address header into tokens, dropping comments
// and white space (RFC 5322 section 3.2).
func lexAddresses(s string) []addrToken {
	var out []addrToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '(':
			depth := 0
			for ; i < len(s); i++ {
				if s[i] == '\\' {
					i++
					continue
				}
				if s[i] == '(' {
					depth++
				} else if s[i] == ')' {
					depth--
					if depth == 0 {
						i++
						break
					}
				}
			}
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

// parseAddressList parses an address-list leniently: what cannot be read
// as an address is skipped.
func parseAddressList(s string) []address {
	toks := lexAddresses(s)
	var out []address
	inGroup := false
	for len(toks) > 0 {
		// Collect one address: up to "," or ";" at the top level.
		var phrase []addrToken
		i := 0
		for i < len(toks) && toks[i].special != ',' && toks[i].special != ';' &&
			toks[i].special != '<' && toks[i].special != ':' {
			phrase = append(phrase, toks[i])
			i++
		}
		if i == len(toks) || toks[i].special == ',' || toks[i].special == ';' {
			// An addr-spec, or nothing.
			if a, ok := addrSpec(phrase); ok {
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
			inner := toks[i+1 : j]
			// Drop an obsolete route ("@a,@b:").
			for k, t := range inner {
				if t.special == ':' {
					inner = inner[k+1:]
					break
				}
			}
			a, ok := addrSpec(inner)
			if !ok {
				a, ok = address{mailbox: "MISSING_MAILBOX", host: "MISSING_DOMAIN"}, true
			}
			if len(phrase) > 0 {
				a.name, a.hasName = joinPhrase(phrase), true
			}
			out = append(out, a)
			toks = toks[min(j+1, len(toks)):]
			// Skip to the next "," or ";".
			for len(toks) > 0 && toks[0].special != ',' && toks[0].special != ';' {
				toks = toks[1:]
			}
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
	join := func(ts []addrToken) string {
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
