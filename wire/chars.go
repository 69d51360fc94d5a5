package wire

// Character classes of RFC 3501 section 9, as bits in a table indexed by byte.
const (
	classAtom    = 1 << iota // ATOM-CHAR
	classAString             // ASTRING-CHAR = ATOM-CHAR / resp-specials
	classTag                 // tag = 1*<any ASTRING-CHAR except "+">
	classDigit               // DIGIT
	classWord                // lenient run: anything but SP, CTL, 8-bit none, ( ) " { and ]
	classText                // TEXT-CHAR plus 8-bit (lenient text)
	classLoose               // lenient unquoted astring: not SP, CTL, ( ) " {
)

var charClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		var m uint8
		isCTL := c < 0x20 || c == 0x7f
		atomSpecial := c == '(' || c == ')' || c == '{' || c == ' ' || isCTL ||
			c == '%' || c == '*' || c == '"' || c == '\\' || c == ']'
		if c < 0x80 && !atomSpecial {
			m |= classAtom
		}
		if c < 0x80 && (!atomSpecial || c == ']') {
			m |= classAString
			if c != '+' {
				m |= classTag
			}
		}
		if c >= '0' && c <= '9' {
			m |= classDigit
		}
		if !isCTL && c != ' ' && c != '(' && c != ')' && c != '"' && c != '{' && c != ']' && c != '[' {
			m |= classWord
		}
		if c != '\r' && c != '\n' && c != 0 {
			m |= classText
		}
		if !isCTL && c != ' ' && c != '(' && c != ')' && c != '"' && c != '{' {
			m |= classLoose
		}
		t[c] = m
	}
	return t
}()

// quotedPlain marks the bytes a quoted string holds verbatim: all but
// DQUOTE, "\\" and the CR, LF and NUL it may never hold. readQuoted skips
// runs of them with one table lookup per byte.
var quotedPlain = func() (t [256]bool) {
	for c := range t {
		t[c] = c != '"' && c != '\\' && c != '\r' && c != '\n' && c != 0
	}
	return t
}()

// IsAtomChar reports whether c is an ATOM-CHAR of RFC 3501.
func IsAtomChar(c byte) bool { return charClass[c]&classAtom != 0 }

// IsAStringChar reports whether c is an ASTRING-CHAR of RFC 3501.
func IsAStringChar(c byte) bool { return charClass[c]&classAString != 0 }
