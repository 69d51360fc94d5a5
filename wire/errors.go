package wire

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors. A *SyntaxError wraps one of these when the failure has a
// name of its own, so callers can test with errors.Is.
var (
	// ErrNumberOverflow reports a number that does not fit the production's
	// range (uint32 for nz-number and friends, 63 bits for mod-sequences).
	// It is never reported as "not a number".
	ErrNumberOverflow = errors.New("number overflows its range")

	// ErrLiteralTooLarge reports a literal bigger than Limits.MaxLiteral
	// that the caller asked to buffer. Such a literal can still be streamed.
	ErrLiteralTooLarge = errors.New("literal too large to buffer")

	// ErrAtomTooLong reports an atom longer than Limits.MaxAtom.
	ErrAtomTooLong = errors.New("atom too long")

	// ErrQuotedTooLong reports a quoted string longer than Limits.MaxQuoted.
	ErrQuotedTooLong = errors.New("quoted string too long")

	// ErrTooDeep reports lists nested deeper than Limits.MaxDepth.
	ErrTooDeep = errors.New("lists nested too deeply")

	// ErrListTooLong reports a value or response with more list elements
	// than Limits.MaxListElems, or a number list with more numbers than
	// Limits.MaxNumList.
	ErrListTooLong = errors.New("list has too many elements")

	// ErrLiteralFraming reports a literal header that could not be read
	// after its "{" (a size that is not a number, overflows or is not
	// closed by "}" CRLF). The size of what follows is unknown, so the
	// stream cannot be resynchronized past it.
	ErrLiteralFraming = errors.New("malformed literal header")

	// ErrUTF7 reports a mailbox name that is not valid modified UTF-7
	// (RFC 3501 section 5.1.3).
	ErrUTF7 = errors.New("invalid modified UTF-7")
)

// A SyntaxError reports input that does not match the RFC 3501 grammar
// (or a limit breached while reading it). It says where the problem is,
// which production was being parsed, what was expected and what was found.
type SyntaxError struct {
	// Offset is the byte offset in the stream of the offending byte,
	// counted from the first byte the Reader consumed.
	Offset int64
	// Production is the RFC 3501 (or extension) grammar rule being
	// parsed, such as "atom", "quoted" or "body-fld-param".
	Production string
	// Expected describes what the grammar allows at Offset.
	Expected string
	// Found quotes the bytes found at Offset, with a few bytes of context.
	Found string
	// Err is an optional sentinel such as ErrNumberOverflow.
	Err error
}

// Error implements the error interface.
func (e *SyntaxError) Error() string {
	s := "imap: syntax error at offset " + strconv.FormatInt(e.Offset, 10)
	if e.Production != "" {
		s += " in " + e.Production
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Expected != "" {
		s += ": expected " + e.Expected
	}
	if e.Found != "" {
		s += ", found " + e.Found
	}
	return s
}

// Unwrap returns the sentinel error, if any.
func (e *SyntaxError) Unwrap() error { return e.Err }

// quoteFound renders up to a few bytes of context for SyntaxError.Found.
func quoteFound(b []byte) string {
	const max = 16
	if len(b) == 0 {
		return "end of input"
	}
	more := ""
	if len(b) > max {
		b = b[:max]
		more = "..."
	}
	return fmt.Sprintf("%q%s", b, more)
}
