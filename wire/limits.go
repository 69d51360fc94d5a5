package wire

// Limits bounds what a Reader will hold in memory for one token or value.
// Every limit is checked before the bytes it guards are buffered or any
// memory is allocated for them, so a peer announcing a literal of
// {99999999999} costs nothing. A zero field means "use the default".
//
// There is deliberately no limit on the length of a line: the Reader streams,
// so a "* SEARCH" line with two million numbers, or an ESEARCH ALL with a
// megabyte sequence set, parses in memory proportional to the values kept.
// What bounds the memory of a line that never ends is the count of what it
// holds: MaxListElems for lists of values, MaxNumList for lists of numbers.
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

	// MaxListElems is the largest number of list elements in one value
	// read by ReadValue, its nested lists included, and (in package
	// parser) in one response, all its lists together: capabilities,
	// flags, FETCH items, addresses, MIME parts and parameters, THREAD
	// nodes, the elements of values kept raw. Counting a whole value or
	// response, not each list alone, is what bounds memory: a limit per
	// list would let a list of a million lists of a million elements
	// through. Default 1,000,000: enough for any flag list, capability
	// list, BODYSTRUCTURE or X-GM-LABELS list many times over, and for a
	// THREAD of a million messages, while an endless "(a a a ..." stops
	// at a few tens of MiB (an element is a string or a Value of 16 to 48
	// bytes).
	MaxListElems int

	// MaxNumList is the largest count of numbers in one number list: the
	// message numbers or UIDs of a SEARCH or SORT response, and the
	// numbers of a sequence set read by ReadSeqSet (ESEARCH ALL,
	// VANISHED), where a range counts two since it holds two. They are
	// not list elements: a UID SEARCH ALL of a mailbox of two million
	// messages (large archives have that many) must parse, which
	// MaxListElems would refuse. Default 16 Mi (16,777,216): eight times
	// that mailbox, and 64 MiB as []uint32, the same as MaxLiteral, so an
	// endless "* SEARCH 1 1 1 ..." costs at most what a hostile literal
	// may.
	MaxNumList int
}

// DefaultLimits are the limits a new Reader starts with.
var DefaultLimits = Limits{
	MaxLiteral:   64 << 20,
	MaxAtom:      64 << 10,
	MaxQuoted:    1 << 20,
	MaxDepth:     100,
	MaxListElems: 1_000_000,
	MaxNumList:   16 << 20,
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
	if l.MaxNumList <= 0 {
		l.MaxNumList = DefaultLimits.MaxNumList
	}
	return l
}
