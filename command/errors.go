package command

import (
	"errors"
	"fmt"

	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// A Code is a response code name (RFC 3501, RFC 5530, ...) used as an error
// value, so that a failed command can be tested with errors.Is:
//
//	if errors.Is(err, command.AUTHENTICATIONFAILED) { ... }
type Code string

// Error returns the code's name.
func (c Code) Error() string { return string(c) }

// Response codes that commonly explain a NO or BAD.
const (
	ALERT                Code = "ALERT"
	AUTHENTICATIONFAILED Code = "AUTHENTICATIONFAILED"
	AUTHORIZATIONFAILED  Code = "AUTHORIZATIONFAILED"
	EXPIRED              Code = "EXPIRED"
	PRIVACYREQUIRED      Code = "PRIVACYREQUIRED"
	CONTACTADMIN         Code = "CONTACTADMIN"
	NOPERM               Code = "NOPERM"
	INUSE                Code = "INUSE"
	EXPUNGEISSUED        Code = "EXPUNGEISSUED"
	CORRUPTION           Code = "CORRUPTION"
	SERVERBUG            Code = "SERVERBUG"
	CLIENTBUG            Code = "CLIENTBUG"
	CANNOT               Code = "CANNOT"
	LIMIT                Code = "LIMIT"
	OVERQUOTA            Code = "OVERQUOTA"
	ALREADYEXISTS        Code = "ALREADYEXISTS"
	NONEXISTENT          Code = "NONEXISTENT"
	TRYCREATE            Code = "TRYCREATE"
	UNAVAILABLE          Code = "UNAVAILABLE"
	BADCHARSET           Code = "BADCHARSET"
	PARSE                Code = "PARSE"
)

// A StatusError is a command that completed with NO or BAD (or a tagged
// BYE). It matches a Code with errors.Is when the server sent that code.
type StatusError struct {
	Command string // the command's name, such as "LOGIN" or "UID FETCH"
	Resp    *parser.StatusResponse
}

// Error describes the failure with the server's own text.
func (e *StatusError) Error() string {
	s := fmt.Sprintf("imap: %s: %s", e.Command, e.Resp.Type)
	if e.Resp.Code != nil {
		s += " [" + e.Resp.Code.Name + "]"
	}
	if e.Resp.Text != "" {
		s += " " + e.Resp.Text
	}
	return s
}

// Is reports whether target is the Code the server sent, or the status type
// (NO or BAD) as an ErrNo / ErrBad sentinel.
func (e *StatusError) Is(target error) bool {
	switch t := target.(type) {
	case Code:
		return e.Resp.Code != nil && e.Resp.Code.Name == string(t)
	}
	switch target {
	case ErrNo:
		return e.Resp.Type == parser.NO
	case ErrBad:
		return e.Resp.Type == parser.BAD
	}
	return false
}

// Sentinels for errors.Is on a *StatusError.
var (
	ErrNo  = errors.New("imap: NO")
	ErrBad = errors.New("imap: BAD")
)

// Connection-fatal errors. Every pending command fails with a *ConnError
// wrapping one of these, or the I/O or syntax error that ended the
// connection.
var (
	// ErrClosed reports a command on a connection already closed.
	ErrClosed = errors.New("imap: connection closed")
	// ErrBye reports that the server said BYE; ConnError.Bye has its text.
	ErrBye = errors.New("imap: server said BYE")
	// ErrInterruptedWrite reports a command whose context ended while a
	// literal or continuation was half written: the stream cannot be
	// resynchronized, so the connection is closed.
	ErrInterruptedWrite = errors.New("imap: context ended in the middle of a command; connection closed")
	// ErrInterruptedRead reports a context that ended while a streamed
	// FETCH body was being collected: the rest of the response cannot be
	// skipped without reading it, so the connection is closed.
	ErrInterruptedRead = errors.New("imap: context ended in the middle of a response; connection closed")
	// ErrUnexpectedContinuation reports a "+" that no command was waiting for.
	ErrUnexpectedContinuation = errors.New("imap: unexpected continuation request")
)

// A ConnError is the connection-fatal event that failed a command: a
// protocol error, the server's BYE, EOF or an I/O failure. It keeps the
// cause: Unwrap returns it (a *wire.SyntaxError with its offset, io.EOF,
// a net.Error, ErrBye, ...).
type ConnError struct {
	Err error
	Bye *parser.StatusResponse // the BYE, when the server sent one
}

// Error describes the cause.
func (e *ConnError) Error() string {
	if e.Bye != nil {
		return fmt.Sprintf("imap: connection closed by server: BYE %s", e.Bye.Text)
	}
	return "imap: connection failed: " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *ConnError) Unwrap() error { return e.Err }

// Is reports whether target is ErrBye and the server said BYE, whatever
// the cause recorded: after BYE the server may reset the connection, and
// the client may see the reset (or a failed write) rather than EOF.
func (e *ConnError) Is(target error) bool { return target == ErrBye && e.Bye != nil }

// A LiteralError reports a FETCH body section that Collect refused to
// buffer because the server declared it larger than Limits.MaxLiteral. It
// matches wire.ErrLiteralTooLarge with errors.Is. The body was discarded,
// not read into memory, and the connection stays usable; stream such a
// body with Message.Next instead.
type LiteralError struct {
	Item string // the item, such as "BODY[]"
	Size int64  // the size the server declared
	Max  int64  // Limits.MaxLiteral
}

// Error describes the refused body.
func (e *LiteralError) Error() string {
	return fmt.Sprintf("imap: %s of %d bytes exceeds the %d-byte limit for collecting a body (stream it instead)", e.Item, e.Size, e.Max)
}

// Unwrap returns wire.ErrLiteralTooLarge.
func (e *LiteralError) Unwrap() error { return wire.ErrLiteralTooLarge }

// A MalformedError reports a command that completed with OK while some of
// its responses did not parse: they were skipped, and the connection goes
// on. Responses holds them (raw bytes and *wire.SyntaxError each); the
// command's other results are complete. errors.As finds the first one's
// *wire.SyntaxError through Unwrap.
type MalformedError struct {
	Command   string
	Status    *parser.StatusResponse // nil when a message failed before completion
	Responses []*parser.Malformed
}

// Error describes the first malformed response and counts the others.
func (e *MalformedError) Error() string {
	s := fmt.Sprintf("imap: %s: a response did not parse: %v", e.Command, e.Responses[0].Err)
	if n := len(e.Responses) - 1; n > 0 {
		s += fmt.Sprintf(" (and %d more)", n)
	}
	return s
}

// Unwrap returns the first malformed response's *wire.SyntaxError.
func (e *MalformedError) Unwrap() error { return e.Responses[0].Err }
