package parser

import (
	"github.com/imapwire/imapwire/wire"
)

// A Response is one server response: *StatusResponse, *Continuation, or one
// of the untagged data types of this package.
type Response interface {
	// ResponseType returns the response's name in upper case, such as
	// "OK", "FETCH", "LIST", "EXISTS", or "+" for a continuation.
	ResponseType() string
}

// StatusType is the condition of a status response.
type StatusType string

// Status conditions.
const (
	OK      StatusType = "OK"
	NO      StatusType = "NO"
	BAD     StatusType = "BAD"
	PREAUTH StatusType = "PREAUTH"
	BYE     StatusType = "BYE"
)

// A StatusResponse is a tagged or untagged OK, NO, BAD, PREAUTH or BYE.
type StatusResponse struct {
	Tag  string     `json:"tag"`  // "" for untagged ("*") responses
	Type StatusType `json:"type"` // OK, NO, BAD, PREAUTH or BYE
	Code *Code      `json:"code"` // the response code in brackets, if any
	Text string     `json:"text"` // human-readable text; may be empty
}

// ResponseType returns the condition, such as "OK".
func (s *StatusResponse) ResponseType() string { return string(s.Type) }

// A Continuation is a command continuation request ("+ text").
type Continuation struct {
	Text string `json:"text"` // the text after "+ ", often base64 during AUTHENTICATE
}

// ResponseType returns "+".
func (*Continuation) ResponseType() string { return "+" }

// Capability is "* CAPABILITY ...".
type Capability struct {
	Caps []string `json:"caps"` // as sent, such as "IMAP4rev1", "AUTH=PLAIN"
}

// ResponseType returns "CAPABILITY".
func (*Capability) ResponseType() string { return "CAPABILITY" }

// Enabled is "* ENABLED ..." (RFC 5161).
type Enabled struct {
	Caps []string `json:"caps"`
}

// ResponseType returns "ENABLED".
func (*Enabled) ResponseType() string { return "ENABLED" }

// Flags is "* FLAGS (...)": the flags defined in the mailbox.
type Flags struct {
	Flags []string `json:"flags"` // such as `\Seen`, `$Forwarded`
}

// ResponseType returns "FLAGS".
func (*Flags) ResponseType() string { return "FLAGS" }

// Exists is "* n EXISTS".
type Exists struct {
	Num uint32 `json:"num"`
}

// ResponseType returns "EXISTS".
func (*Exists) ResponseType() string { return "EXISTS" }

// Recent is "* n RECENT".
type Recent struct {
	Num uint32 `json:"num"`
}

// ResponseType returns "RECENT".
func (*Recent) ResponseType() string { return "RECENT" }

// Expunge is "* n EXPUNGE".
type Expunge struct {
	SeqNum uint32 `json:"seqNum"`
}

// ResponseType returns "EXPUNGE".
func (*Expunge) ResponseType() string { return "EXPUNGE" }

// Vanished is "* VANISHED [(EARLIER)] uid-set" (RFC 7162 QRESYNC).
type Vanished struct {
	Earlier bool        `json:"earlier"`
	UIDs    wire.SeqSet `json:"uiDs"`
}

// ResponseType returns "VANISHED".
func (*Vanished) ResponseType() string { return "VANISHED" }

// Unknown is an untagged response this package has no type for, kept raw.
// It is never an error to receive one.
type Unknown struct {
	Num    uint32       `json:"num"`    // the leading number of "* n NAME ...", 0 if none
	HasNum bool         `json:"hasNum"` // whether the response started with a number
	Name   string       `json:"name"`   // the response name as sent, such as "NOOP" or "XFOO"
	Fields []wire.Value `json:"fields"` // the values after the name, parsed generically
	Text   string       `json:"text"`   // the rest of the line, when it did not parse as values
}

// ResponseType returns the name in upper case.
func (u *Unknown) ResponseType() string { return upper(u.Name) }

// upper returns s in ASCII upper case, without allocating when it already is.
func upper(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'a' && c <= 'z' {
					b[j] = c - 32
				}
			}
			return string(b)
		}
	}
	return s
}

// equalFold reports whether b equals the upper-case ASCII word s, ignoring case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= 'a' && c <= 'z' {
			c -= 32
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
