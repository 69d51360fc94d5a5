package wire

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Modified UTF-7 (RFC 3501 section 5.1.3) writes the printable US-ASCII
// characters 0x20-0x7e as themselves, except "&", which is written "&-".
// Every other character is written as UTF-16 in a modified BASE64 (","
// instead of "/", no "=" padding) between "&" and "-".

// utf7Production names the grammar rule in a *SyntaxError from DecodeUTF7.
const utf7Production = "mailbox (modified UTF-7)"

// utf7Alphabet is the modified BASE64 alphabet: RFC 4648 with "," for "/".
const utf7Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,"

// utf7Value maps a byte to its value in utf7Alphabet, or 0xff if it is not
// in the alphabet.
var utf7Value = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < len(utf7Alphabet); i++ {
		t[utf7Alphabet[i]] = byte(i)
	}
	return t
}()

// isUTF7Direct reports whether c represents itself in modified UTF-7:
// printable US-ASCII other than "&".
func isUTF7Direct(c byte) bool {
	return c >= 0x20 && c <= 0x7e && c != '&'
}

// EncodeUTF7 encodes the UTF-8 mailbox name s in modified UTF-7
// (RFC 3501 section 5.1.3). Each byte of s that is not part of valid UTF-8
// is encoded as U+FFFD. The result is the canonical form: it has no
// superfluous shifts, and DecodeUTF7 accepts it and returns s (when s is
// valid UTF-8).
//
// If s is printable US-ASCII without "&", EncodeUTF7 returns s itself
// without allocating.
func EncodeUTF7(s string) string {
	i := 0
	for i < len(s) && isUTF7Direct(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}

	var b strings.Builder
	b.Grow(len(s) + len(s)/2 + 8)
	b.WriteString(s[:i])

	var (
		bits    uint32 // pending bits, right-aligned
		nbits   uint   // number of pending bits, < 6 between code units
		shifted bool   // inside "&...-"
	)
	flush := func() {
		if nbits > 0 {
			b.WriteByte(utf7Alphabet[(bits<<(6-nbits))&0x3f])
		}
		b.WriteByte('-')
		bits, nbits, shifted = 0, 0, false
	}
	unit := func(u uint16) {
		bits = bits<<16 | uint32(u)
		nbits += 16
		for nbits >= 6 {
			nbits -= 6
			b.WriteByte(utf7Alphabet[(bits>>nbits)&0x3f])
		}
		bits &= 1<<nbits - 1
	}

	for _, r := range s[i:] {
		// Ranging over a string yields utf8.RuneError (U+FFFD) for each
		// invalid byte, which is the documented replacement.
		if r < utf8.RuneSelf && isUTF7Direct(byte(r)) {
			if shifted {
				flush()
			}
			b.WriteByte(byte(r))
			continue
		}
		if r == '&' {
			if shifted {
				flush()
			}
			b.WriteString("&-")
			continue
		}
		if !shifted {
			b.WriteByte('&')
			shifted = true
		}
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			unit(uint16(r1))
			unit(uint16(r2))
		} else {
			unit(uint16(r))
		}
	}
	if shifted {
		flush()
	}
	return b.String()
}

// DecodeUTF7 decodes the modified UTF-7 mailbox name s (RFC 3501 section
// 5.1.3) to UTF-8.
//
// DecodeUTF7 is strict: it accepts only the canonical form that EncodeUTF7
// produces, so that a name decodes to exactly one string and re-encodes to
// exactly the bytes received. It rejects bytes outside printable US-ASCII;
// a shift without its closing "-"; modified BASE64 that is not canonical
// ("=" padding, non-zero or superfluous padding bits); a printable US-ASCII
// character encoded in BASE64; a shifted section directly after another
// (RFC 3501 requires "&U,BTF2XlZyyKng-", not "&U,BTFw-&ZeVnLIqe-");
// and unpaired UTF-16 surrogates. "&-" is "&".
//
// The error is a *SyntaxError whose Offset is the byte index in s of the
// problem and whose Err is ErrUTF7.
//
// If s is printable US-ASCII without "&", DecodeUTF7 returns s itself
// without allocating.
func DecodeUTF7(s string) (string, error) {
	i := 0
	for i < len(s) && isUTF7Direct(s[i]) {
		i++
	}
	if i == len(s) {
		return s, nil
	}

	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	afterShift := false // the previous byte closed a shifted section
	for i < len(s) {
		c := s[i]
		switch {
		case isUTF7Direct(c):
			b.WriteByte(c)
			i++
			afterShift = false
		case c != '&':
			return "", utf7Error(i, `printable US-ASCII or "&"`, quoteFound([]byte(s[i:])))
		case i+1 < len(s) && s[i+1] == '-':
			b.WriteByte('&')
			i += 2
			afterShift = false
		case afterShift:
			return "", utf7Error(i, `one shifted section, not two adjacent ones`, quoteFound([]byte(s[i:])))
		default:
			n, err := decodeUTF7Section(&b, s, i+1)
			if err != nil {
				return "", err
			}
			i = n
			afterShift = true
		}
	}
	return b.String(), nil
}

// decodeUTF7Section decodes the modified BASE64 of s that starts at start,
// just after "&" (and not at "-"), up to and including the closing "-".
// It writes the decoded text to b and returns the index just after the "-".
func decodeUTF7Section(b *strings.Builder, s string, start int) (int, error) {
	var (
		bits      uint32 // pending bits, right-aligned
		nbits     uint   // number of pending bits
		high      rune   // pending high surrogate, or 0
		highAt    int    // offset of the first character of high
		unitStart = start
	)
	for i := start; ; i++ {
		if i == len(s) {
			return 0, utf7Error(i, `modified BASE64 or "-"`, quoteFound(nil))
		}
		c := s[i]
		if c == '-' {
			// The caller handles "&-", so the section is not empty.
			switch {
			case high != 0:
				return 0, utf7Error(highAt, "low surrogate after high surrogate", fmt.Sprintf("U+%04X at end of section", high))
			case nbits >= 6:
				// Each whole 6 bits left over is a character too many.
				extra := i - int(nbits/6)
				return 0, utf7Error(extra, "canonical modified BASE64", "superfluous "+quoteFound([]byte(s[extra:i])))
			case bits != 0:
				return 0, utf7Error(i-1, "canonical modified BASE64 (zero padding bits)", quoteFound([]byte(s[i-1:])))
			}
			return i + 1, nil
		}
		v := utf7Value[c]
		if v == 0xff {
			return 0, utf7Error(i, `modified BASE64 or "-"`, quoteFound([]byte(s[i:])))
		}
		bits = bits<<6 | uint32(v)
		nbits += 6
		if nbits < 16 {
			continue
		}
		nbits -= 16
		u := rune(bits >> nbits)
		bits &= 1<<nbits - 1
		at := unitStart
		if nbits > 0 {
			unitStart = i
		} else {
			unitStart = i + 1
		}
		switch {
		case high != 0:
			if u < 0xdc00 || u >= 0xe000 {
				return 0, utf7Error(highAt, "low surrogate after high surrogate", fmt.Sprintf("U+%04X U+%04X", high, u))
			}
			b.WriteRune(utf16.DecodeRune(high, u))
			high = 0
		case u >= 0xd800 && u < 0xdc00:
			high, highAt = u, at
		case u >= 0xdc00 && u < 0xe000:
			return 0, utf7Error(at, "character (not a lone low surrogate)", fmt.Sprintf("U+%04X", u))
		case u >= 0x20 && u <= 0x7e:
			return 0, utf7Error(at, "printable US-ASCII written as itself, not in BASE64", fmt.Sprintf("%q encoded", u))
		default:
			b.WriteRune(u)
		}
	}
}

// utf7Error returns a *SyntaxError for DecodeUTF7.
func utf7Error(offset int, expected, found string) error {
	return &SyntaxError{
		Offset:     int64(offset),
		Production: utf7Production,
		Expected:   expected,
		Found:      found,
		Err:        ErrUTF7,
	}
}
