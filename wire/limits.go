package wire

// Limits bounds what a Reader will hold in memory for one token or value.
// Every limit is checked before the bytes it guards are buffered or any
// memory is allocated for them, so a peer announcing a literal of
// {99999999999} costs nothing. A zero field means "use the default".
//
// There is deliberately no limit on the length of a line: the Reader streams,
// so a "* SEARCH" line with two million numbers, or an ESEARCH ALL with a
// megabyte sequence set, parses in memory proportional to the values kept.
type Limits struct {
	// MaxLiteral is the largest literal the Reader will buffer for the
	// caller (LiteralBytes, or any string-valued production). Larger
	// literals can only be streamed with LiteralReader.
	// Default 64 MiB: twice the largest message that Gmail, Outlook and
	// Dovecot's defaults accept, so collecting a whole message body still
	// works while a hostile size cannot exhaust memory.
	MaxLiteral int64

	// MaxAtom is the longest atom (or unquoted astring) accepted.
	// Default 64 KiB: real atoms (capabilities, flags, keywords, section
	// specs, unquoted mailbox names) are at most a few hundred bytes;
	// the bound also bounds the Reader's buffer.
	MaxAtom int

	// MaxQuoted is the longest quoted string, and the longest resp-text,
	// accepted. Default 1 MiB: servers switch to literals long before
	// that (Dovecot above 4 KiB), and subjects and alert texts are
	// far shorter. The Reader's buffer never grows beyond this plus a
	// little.
	MaxQuoted int

	// MaxDepth is the deepest nesting of parenthesized lists.
	// Default 100: real BODYSTRUCTUREs nest a level or two per MIME level
	// and mail systems cap MIME depth well below 50; the bound keeps
	// recursion shallow.
	MaxDepth int

	// MaxListElems is the largest number of elements in one
	// parenthesized list. Default 1,000,000: enough for a flag list, a
	// THREAD branch or an X-GM-LABELS list many times over, while an
	// endless "(a a a ..." cannot grow a slice without bound.
	MaxListElems int
}

// DefaultLimits are the limits a new Reader starts with.
var DefaultLimits = Limits{
	MaxLiteral:   64 << 20,
	MaxAtom:      64 << 10,
	MaxQuoted:    1 << 20,
	MaxDepth:     100,
	MaxListElems: 1_000_000,
}

// withDefaults returns l with zero fields replaced by the defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxLiteral <= 0 {
		l.MaxLiteral = DefaultLimits.MaxLiteral
	}
	if l.MaxAtom <= 0 {
		l.MaxAtom = DefaultLimits.MaxAtom
	}
	if l.MaxQuoted <= 0 {
		l.MaxQuoted = DefaultLimits.MaxQuoted
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.MaxListElems <= 0 {
		l.MaxListElems = DefaultLimits.MaxListElems
	}
	return l
}
