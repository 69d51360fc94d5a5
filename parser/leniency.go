package parser

// A Leniency names a deviation from the grammar that a lenient Reader
// accepted. Reader.Leniencies lists those applied to the last response;
// the README's leniency table has a row for each, with the servers that
// need it. A strict Reader (Options.Strict) applies none: each rule asks
// r.lenient once, and refuses where it answers false.
type Leniency string

// The leniencies recorded per response. Wire-level ones (spaces, bare LF,
// unescaped quotes) are not recorded.
const (
	LenientUnclosedCode     Leniency = "unclosed-code"      // "[" with no "]" before CRLF: the whole text kept as text, no code
	LenientEnvelopeShort    Leniency = "envelope-short"     // an ENVELOPE with fewer than ten fields: the missing ones NIL
	LenientEnvelopeSpace    Leniency = "envelope-space"     // SP after an ENVELOPE's "(" or before its ")"
	LenientInternalDateNIL  Leniency = "internaldate-nil"   // INTERNALDATE NIL: no date
	LenientBodyNoSP         Leniency = "body-no-sp"         // BODY( or BODYSTRUCTURE( with no SP
	LenientModSeqBare       Leniency = "modseq-bare"        // MODSEQ n without parentheses
	LenientStatusSpacedName Leniency = "status-spaced-name" // a STATUS mailbox name that is an atom with spaces
	LenientPartialLength    Leniency = "partial-length"     // BODY[]<origin.length> echoed in a FETCH response
	LenientNumber64         Leniency = "number-64"          // a size or counter past the RFC's range, up to 2^64-1
	LenientESearchRaw       Leniency = "esearch-raw"        // ESEARCH return data malformed or unknown: kept raw
	LenientBodyNumber       Leniency = "body-number"        // NIL or a negative body-fld-octets or body-fld-lines, read as 0
	LenientCodeArgs         Leniency = "code-args"          // a known response code whose arguments do not parse: Args kept raw
	LenientParamNIL         Leniency = "param-nil"          // NIL as a body-fld-param value, read as ""
	LenientEmptyMultipart   Leniency = "empty-multipart"    // a multipart with no parts: ("ALTERNATIVE"), ("RELATED" NIL ...)
	LenientNoText           Leniency = "no-text"            // a status response, code or "+" with no text after it
	LenientTaggedBYE        Leniency = "tagged-bye"         // a tagged BYE
	LenientBareCode         Leniency = "bare-code"          // "[CODE ...] text" alone on a line, read as an untagged OK
	LenientBodyEmptyString  Leniency = "body-empty-string"  // "" between BODYSTRUCTURE and its value
	LenientDateRange        Leniency = "date-range"         // an INTERNALDATE in the grammar but out of range: Raw and Err
)

// lenient reports whether the deviation rule may be accepted, and records
// that it was. It is the one place where a rule's strict/lenient split is
// decided: "if !r.lenient(rule) { refuse }".
func (r *Reader) lenient(rule Leniency) bool {
	if r.strict {
		return false
	}
	if len(r.applied) < maxApplied {
		r.applied = append(r.applied, rule)
	}
	return true
}

// maxApplied bounds the leniencies kept per response: a FETCH of many
// parts may apply one rule per part.
const maxApplied = 16

// Leniencies returns the deviations accepted while reading the response
// most recently returned by Next (and its FETCH items read so far), in the
// order applied, possibly repeated; nil when the response kept to the
// grammar as far as the Reader checks. The slice is valid until the next
// call to Next.
func (r *Reader) Leniencies() []Leniency {
	if len(r.applied) == 0 {
		return nil
	}
	return r.applied
}
