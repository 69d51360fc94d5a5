package wire

import (
	"io"
	"strconv"
)

// Kind is the kind of a Token or Value.
type Kind uint8

// Token and value kinds.
const (
	KindInvalid  Kind = iota
	KindAtom          // an atom-like word: 1*(any byte but SP, CTL, ( ) [ ] " {)
	KindNumber        // a word of digits
	KindQuoted        // a quoted string
	KindLiteral       // a literal or literal8
	KindNIL           // NIL, in any case
	KindLParen        // (
	KindRParen        // )
	KindLBracket      // [
	KindRBracket      // ]
	KindSP            // a space
	KindCRLF          // CRLF (or a bare LF, leniently)
	KindPlus          // a word that is exactly "+"
	KindStar          // a word that is exactly "*"
	KindList          // a parenthesized list (Value only)
)

var kindNames = [...]string{
	KindInvalid: "invalid", KindAtom: "atom", KindNumber: "number",
	KindQuoted: "quoted", KindLiteral: "literal", KindNIL: "NIL",
	KindLParen: "(", KindRParen: ")", KindLBracket: "[", KindRBracket: "]",
	KindSP: "SP", KindCRLF: "CRLF", KindPlus: "+", KindStar: "*", KindList: "list",
}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// A Token is one lexical unit of the stream, as returned by ReadToken.
type Token struct {
	Kind   Kind
	Offset int64 // stream offset of the token's first byte
	// Bytes is the token's text: the word for atoms, numbers, NIL, "+" and
	// "*", the unescaped content for quoted strings. It is empty for
	// literals, whose body is pending after ReadToken (see LiteralReader),
	// and valid only until the next call on the Reader.
	Bytes []byte
	// Num is the value of a number token. A number word too big for 63
	// bits is returned as an atom.
	Num uint64
	// Literal describes a literal token.
	Literal LiteralInfo
}

// ReadToken reads the next token without any knowledge of the grammar
// above the lexical level. It suits tools and fuzzers; the parser uses the
// typed methods. At the end of the stream it returns io.EOF.
func (r *Reader) ReadToken() (Token, error) {
	// The hot path, kept small so that it needs no stack frame to speak
	// of: one-byte tokens, words and quoted strings already buffered, with
	// nothing to drain. Everything else goes through readToken.
	r.gen++
	if r.failed || r.litPending || r.litRemain > 0 || r.r >= r.w {
		return r.readToken()
	}
	c := r.buf[r.r]
	off := r.base + int64(r.r)
	if k := punctKind[c]; k != KindInvalid {
		r.r++
		return Token{Kind: k, Offset: off}, nil
	}
	if c == '"' {
		// A string without escapes, closed inside the buffer, is
		// taken here (lenient mode); readQuotedBody does the rest.
		start, end := r.r+1, r.w
		if end-start > r.lim.MaxQuoted {
			end = start + r.lim.MaxQuoted + 1
		}
		i := scanQuotedPlain(r.buf[:end], start)
		if i < end && i+1 < r.w && r.buf[i] == '"' && quoteCloser[r.buf[i+1]] && !r.strict {
			r.r = i + 1
			return Token{Kind: KindQuoted, Offset: off, Bytes: r.buf[start:i]}, nil
		}
		r.r++
		b, err := r.readQuotedBody("quoted")
		if err != nil {
			return Token{}, err
		}
		return Token{Kind: KindQuoted, Offset: off, Bytes: b}, nil
	}
	if c != '~' && charClass[c]&classWord != 0 {
		// wordToken returns the fields, not a Token: filling a Token
		// through a pointer and copying it out stalls the CPU's store
		// forwarding, which cost a quarter of the tokenizing time.
		k, b, num, err := r.wordToken()
		if err != nil {
			return Token{}, err
		}
		return Token{Kind: k, Offset: off, Bytes: b, Num: num}, nil
	}
	return r.readToken()
}

// punctKind maps the bytes that are tokens by themselves to their kind.
var punctKind = [256]Kind{
	'(': KindLParen, ')': KindRParen, '[': KindLBracket, ']': KindRBracket, ' ': KindSP,
}

// readToken is ReadToken's general path.
//
//go:noinline
func (r *Reader) readToken() (Token, error) {
	if err := r.begin(); err != nil {
		return Token{}, err
	}
	c, err := r.peek()
	if err != nil {
		return Token{}, err
	}
	off := r.InputOffset()
	switch c {
	case '(', ')', '[', ']', ' ':
		r.r++
		return Token{Kind: punctKind[c], Offset: off}, nil
	case '\r', '\n':
		if err := r.expectCRLF("CRLF"); err != nil {
			return Token{}, err
		}
		return Token{Kind: KindCRLF, Offset: off}, nil
	case '"':
		b, err := r.readQuoted("quoted")
		if err != nil {
			return Token{}, err
		}
		return Token{Kind: KindQuoted, Offset: off, Bytes: b}, nil
	case '{':
		info, err := r.readLiteralHeader("literal")
		if err != nil {
			return Token{}, err
		}
		return Token{Kind: KindLiteral, Offset: off, Literal: info}, nil
	case '~':
		if r.w-r.r < 2 {
			if err := r.fill(); err != nil && r.w-r.r < 2 {
				if err != io.EOF {
					return Token{}, err
				}
			}
		}
		if r.w-r.r >= 2 && r.buf[r.r+1] == '{' {
			info, err := r.readLiteralHeader("literal8")
			if err != nil {
				return Token{}, err
			}
			return Token{Kind: KindLiteral, Offset: off, Literal: info}, nil
		}
	default:
		if charClass[c]&classWord == 0 {
			return Token{}, r.errorAt(off, "token", "token", nil)
		}
	}
	k, b, num, err := r.wordToken()
	if err != nil {
		return Token{}, err
	}
	return Token{Kind: k, Offset: off, Bytes: b, Num: num}, nil
}

// wordToken reads a word and returns its kind, text and number value. A
// word that ends inside the buffer, the common case, is scanned once: the
// same pass tells whether it is all digits, and a number's value is
// computed without strconv. A word that may go on past the buffer, or is
// too long, takes the general path.
func (r *Reader) wordToken() (k Kind, b []byte, num uint64, err error) {
	buf := r.buf[r.r:r.w]
	all := uint8(classDigit)
	n := 0
	for _, c := range buf {
		m := charClass[c]
		if m&classWord == 0 {
			break
		}
		all &= m
		n++
	}
	if n == len(buf) || n > r.lim.MaxAtom {
		b, err = r.readRun(classWord, "atom", "atom", ErrAtomTooLong, r.lim.MaxAtom)
		if err != nil {
			return 0, nil, 0, err
		}
		all = classDigit
		for _, c := range b {
			all &= charClass[c]
		}
	} else {
		b = buf[:n]
		r.r += n
	}
	k = KindAtom
	switch {
	case all != 0:
		// A number word too big for 63 bits stays an atom, with Num 0.
		if v, ok := parseNumber63(b); ok {
			k, num = KindNumber, v
		}
	case len(b) == 1 && b[0] == '+':
		k = KindPlus
	case len(b) == 1 && b[0] == '*':
		k = KindStar
	case isNIL(b):
		k = KindNIL
	}
	return k, b, num, nil
}

// parseNumber63 returns the value of the digits b, and false when it does
// not fit in 63 bits.
func parseNumber63(b []byte) (uint64, bool) {
	var v uint64
	if len(b) <= 18 { // 10^18-1 < 2^63: no overflow possible
		for _, c := range b {
			v = v*10 + uint64(c-'0')
		}
		return v, true
	}
	for _, c := range b {
		d := uint64(c - '0')
		if v > (1<<63-1-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

func classifyWord(b []byte) (Kind, []byte) {
	if len(b) == 1 {
		switch b[0] {
		case '+':
			return KindPlus, b
		case '*':
			return KindStar, b
		}
	}
	if isNIL(b) {
		return KindNIL, b
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return KindAtom, b
		}
	}
	return KindNumber, b
}

// A Value is a parsed value tree: what the parser keeps for data it has no
// type for, such as an unknown FETCH item or untagged response.
type Value struct {
	Kind Kind    `json:"kind"`           // KindAtom, KindNumber, KindQuoted, KindLiteral, KindNIL or KindList
	Text string  `json:"text,omitempty"` // the atom, number or string; a buffered literal's bytes
	List []Value `json:"list,omitempty"` // the elements of a KindList
}

// String formats v in IMAP syntax (literals as quoted strings when they are
// printable, else as "{n}" followed by the bytes).
func (v Value) String() string { return string(v.AppendTo(nil)) }

// AppendTo appends v in IMAP syntax to b.
func (v Value) AppendTo(b []byte) []byte {
	switch v.Kind {
	case KindNIL:
		return append(b, "NIL"...)
	case KindList:
		b = append(b, '(')
		for i, e := range v.List {
			if i > 0 {
				b = append(b, ' ')
			}
			b = e.AppendTo(b)
		}
		return append(b, ')')
	case KindQuoted, KindLiteral:
		return strconv.AppendQuote(b, v.Text)
	}
	return append(b, v.Text...)
}

// ReadValue reads one value: NIL, a number, an atom-like word (with any
// bracketed section such as "BODY[HEADER.FIELDS (A B)]<0>" kept as part of
// the word), a string or a parenthesized list of values. Literals are
// buffered subject to Limits.MaxLiteral; lists are bounded by MaxDepth, and
// by MaxListElems elements in the whole value, nested lists included.
func (r *Reader) ReadValue(production string) (Value, error) {
	if err := r.begin(); err != nil {
		return Value{}, err
	}
	elems := 0
	return r.readValue(production, 0, &elems)
}

// readValue reads a value nested depth lists deep; *elems counts the list
// elements of the whole value read so far.
func (r *Reader) readValue(production string, depth int, elems *int) (Value, error) {
	c, err := r.peek()
	if err != nil {
		return Value{}, unexpected(err)
	}
	switch c {
	case '(':
		if depth >= r.lim.MaxDepth {
			return Value{}, r.errorAt(r.InputOffset(), production, "shallower nesting", ErrTooDeep)
		}
		r.r++
		v := Value{Kind: KindList, List: []Value{}}
		for {
			c, err := r.peek()
			if err != nil {
				return Value{}, unexpected(err)
			}
			if c == ')' {
				r.r++
				return v, nil
			}
			if len(v.List) > 0 {
				if c != ' ' {
					return Value{}, r.errorAt(r.InputOffset(), production, "SP or ')'", nil)
				}
				if r.strict {
					r.r++ // exactly one SP: a second one is then no value
				} else {
					r.skipSpaces()
					if c, err := r.peek(); err == nil && c == ')' {
						continue // SP before ')': QQ mail
					}
				}
			}
			if *elems >= r.lim.MaxListElems {
				return Value{}, r.errorAt(r.InputOffset(), production, "fewer list elements", ErrListTooLong)
			}
			*elems++
			e, err := r.readValue(production, depth+1, elems)
			if err != nil {
				return Value{}, err
			}
			v.List = append(v.List, e)
		}
	case '"':
		b, err := r.readQuoted(production)
		if err != nil {
			return Value{}, err
		}
		return Value{Kind: KindQuoted, Text: string(b)}, nil
	case '{', '~':
		if c == '~' {
			// "~" not followed by "{" is an ordinary word.
			if r.w-r.r < 2 {
				_ = r.fill()
			}
			if r.w-r.r < 2 || r.buf[r.r+1] != '{' {
				break
			}
		}
		if _, err := r.readLiteralHeader(production); err != nil {
			return Value{}, err
		}
		b, err := r.LiteralBytes(production)
		if err != nil {
			return Value{}, err
		}
		return Value{Kind: KindLiteral, Text: string(b)}, nil
	}
	b, err := r.readSectionWord(production)
	if err != nil {
		return Value{}, err
	}
	k, _ := classifyWord(b)
	switch k {
	case KindPlus, KindStar:
		k = KindAtom
	}
	return Value{Kind: k, Text: string(b)}, nil
}

// readSectionWord reads a word that may contain bracketed sections with
// spaces and parentheses inside, such as BODY[HEADER.FIELDS (A B)]<0>.
func (r *Reader) readSectionWord(production string) ([]byte, error) {
	n := 0
	depth := 0
	for {
		for r.r+n < r.w {
			c := r.buf[r.r+n]
			switch {
			case c == '[':
				depth++
			case c == ']' && depth > 0:
				depth--
			case depth > 0 && c != '\r' && c != '\n' && c != 0:
				// inside brackets anything but a line end goes
			case charClass[c]&classWord == 0:
				if n == 0 {
					return nil, r.errorAt(r.InputOffset(), production, "value", nil)
				}
				b := r.buf[r.r : r.r+n]
				r.r += n
				return b, nil
			}
			n++
			if n > r.lim.MaxAtom {
				return nil, r.errorAt(r.InputOffset(), production, "shorter atom", ErrAtomTooLong)
			}
		}
		if err := r.fill(); err != nil {
			return nil, unexpected(err)
		}
	}
}

// MarshalText encodes the kind as its name, so JSON shows "atom", not 1.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }
