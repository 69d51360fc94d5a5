package client

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// SASL is the client side of a SASL mechanism (RFC 4422), as AUTHENTICATE
// (RFC 3501 section 6.2.2) drives it. The mechanism works on raw bytes; the
// client does the base64 of the IMAP exchange.
//
// Start begins an exchange and returns the initial response: nil for none,
// an empty non-nil slice for an empty one. When the server offers SASL-IR
// (RFC 4959) the client sends it on the AUTHENTICATE line ("=" when
// empty); otherwise it sends the initial response in answer to the
// server's first, empty, challenge ("+ "), without calling Next.
//
// Next is called with each (further) server challenge, decoded, and
// returns the response to send. When Next returns an error and a nil
// response, the client cancels the exchange with "*". When it returns an
// error and a non-nil response, as XOAUTH2 and OAUTHBEARER do for a
// challenge that reports a failure, the client sends the response (the
// mechanism's way to end the exchange), waits for the server's tagged NO
// and then returns the error, which explains the failure better than the
// NO does.
//
// A SASL value serves one exchange at a time; Start resets it. It is not
// safe for concurrent use.
type SASL interface {
	// Name returns the mechanism name, such as "PLAIN".
	Name() string
	// Start returns the initial response.
	Start() (ir []byte, err error)
	// Next returns the response to a server challenge.
	Next(challenge []byte) (response []byte, err error)
}

// A CredentialError reports a credential that a SASL mechanism's message
// cannot carry, such as a PLAIN username with a NUL. Start returns it,
// before anything is sent.
type CredentialError struct {
	Mechanism string // "PLAIN", "XOAUTH2" or "OAUTHBEARER"
	Field     string // "identity", "username", "password", "token", "host" or "port"
	Reason    string // such as "contains NUL"
}

func (e *CredentialError) Error() string {
	return "imap: " + e.Mechanism + " " + e.Field + " " + e.Reason
}

// ErrUnexpectedChallenge is returned by Next when the server sends a
// challenge that the mechanism has no answer for, such as a challenge
// after PLAIN's initial response.
var ErrUnexpectedChallenge = errors.New("imap: unexpected SASL challenge")

// PlainAuth returns the PLAIN mechanism (RFC 4616): the single message
// identity NUL username NUL password. identity is the authorization
// identity, "" to act as username. RFC 4616 section 2 allows no NUL in
// any of them and requires a non-empty username and password; Start
// returns a *CredentialError otherwise. PLAIN sends the password in the
// clear: use it over TLS only.
func PlainAuth(identity, username, password string) SASL {
	return &plainAuth{identity, username, password}
}

type plainAuth struct {
	identity, username, password string
}

func (*plainAuth) Name() string { return "PLAIN" }

func (a *plainAuth) Start() ([]byte, error) {
	for _, f := range []struct{ name, value string }{
		{"identity", a.identity}, {"username", a.username}, {"password", a.password},
	} {
		if strings.IndexByte(f.value, 0) >= 0 {
			return nil, &CredentialError{"PLAIN", f.name, "contains NUL"}
		}
		if f.value == "" && f.name != "identity" {
			return nil, &CredentialError{"PLAIN", f.name, "is empty"}
		}
	}
	b := make([]byte, 0, len(a.identity)+len(a.username)+len(a.password)+2)
	b = append(b, a.identity...)
	b = append(b, 0)
	b = append(b, a.username...)
	b = append(b, 0)
	b = append(b, a.password...)
	return b, nil
}

func (*plainAuth) Next([]byte) ([]byte, error) { return nil, ErrUnexpectedChallenge }

// An OAuthError is the failure an XOAUTH2 or OAUTHBEARER server reports in
// a challenge: a JSON object (RFC 7628 section 3.2.2; Google's and
// Microsoft's XOAUTH2 send the same). Next returns it with the response
// that ends the exchange; see SASL.
type OAuthError struct {
	Mechanism           string // "XOAUTH2" or "OAUTHBEARER"
	Status              string // such as "invalid_token", or "401" from Google's XOAUTH2
	Schemes             string // such as "bearer"
	Scope               string // the scope the token needs
	OpenIDConfiguration string // "openid-configuration": where to discover the authorization server
	// Challenge is the challenge as received, for a server whose JSON
	// does not parse or says more than the fields above.
	Challenge string
}

func (e *OAuthError) Error() string {
	if e.Status == "" {
		return "imap: " + e.Mechanism + " failed: " + strconv.Quote(e.Challenge)
	}
	s := "imap: " + e.Mechanism + " failed: status " + e.Status
	if e.Scope != "" {
		s += " (scope " + e.Scope + ")"
	}
	return s
}

func newOAuthError(mech string, challenge []byte) *OAuthError {
	e := &OAuthError{Mechanism: mech, Challenge: string(challenge)}
	var m map[string]json.RawMessage
	if json.Unmarshal(challenge, &m) != nil {
		return e
	}
	// A string, or any other JSON value as it was sent: a server that
	// sends "status":401 as a number still has its status shown.
	field := func(key string) string {
		var s string
		if json.Unmarshal(m[key], &s) == nil {
			return s
		}
		return string(m[key])
	}
	e.Status = field("status")
	e.Schemes = field("schemes")
	e.Scope = field("scope")
	e.OpenIDConfiguration = field("openid-configuration")
	return e
}

// checkValue rejects what a key=value pair of RFC 7628 (and XOAUTH2, which
// shares its separators) cannot hold: value = *(VCHAR / SP / HTAB / CR /
// LF), so no NUL and no 0x01, the pair separator.
func checkValue(mech, field, v string) error {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == 0:
			return &CredentialError{mech, field, "contains NUL"}
		case c == 1:
			return &CredentialError{mech, field, "contains 0x01, the field separator"}
		case c < ' ' && c != '\t' && c != '\r' && c != '\n', c == 0x7f:
			return &CredentialError{mech, field, "contains a control character"}
		}
	}
	return nil
}

// checkToken checks a bearer token: RFC 6750's b64token is visible ASCII,
// so a control character (often the newline of a token read from a file)
// or a space is an error, not something to send.
func checkToken(mech, token string) error {
	if token == "" {
		return &CredentialError{mech, "token", "is empty"}
	}
	for i := 0; i < len(token); i++ {
		if c := token[i]; c <= ' ' || c >= 0x7f {
			return &CredentialError{mech, "token", "contains a space, control or non-ASCII character"}
		}
	}
	return nil
}

// XOAuth2 returns Google's and Microsoft's XOAUTH2 mechanism: the initial
// response is "user=" username "\x01auth=Bearer " token "\x01\x01". A
// username with NUL or 0x01, or a token that is not visible ASCII, makes
// Start return a *CredentialError. On failure the server sends a challenge
// with a base64 JSON error; Next answers it with an empty response and
// returns an *OAuthError (see SASL).
func XOAuth2(username, token string) SASL {
	return &xoauth2{username: username, token: token}
}

type xoauth2 struct {
	username, token string
	failed          bool
}

func (*xoauth2) Name() string { return "XOAUTH2" }

func (a *xoauth2) Start() ([]byte, error) {
	a.failed = false
	if err := checkValue("XOAUTH2", "username", a.username); err != nil {
		return nil, err
	}
	if err := checkToken("XOAUTH2", a.token); err != nil {
		return nil, err
	}
	return []byte("user=" + a.username + "\x01auth=Bearer " + a.token + "\x01\x01"), nil
}

func (a *xoauth2) Next(challenge []byte) ([]byte, error) {
	if a.failed {
		return nil, ErrUnexpectedChallenge
	}
	a.failed = true
	return []byte{}, newOAuthError("XOAUTH2", challenge)
}

// OAuthBearer returns the OAUTHBEARER mechanism (RFC 7628). The initial
// response is the GS2 header "n,a=" username "," (with "," and "=" in the
// username escaped as RFC 5801 section 4 requires; "n,," when username is
// ""), then "\x01host=" host "\x01port=" port "\x01auth=Bearer " token
// "\x01\x01". The host and port pairs are left out when host is "" or
// port is 0. A username with NUL or 0x01, a host with a control character,
// a port outside 0-65535 or a token that is not visible ASCII makes Start
// return a *CredentialError. On failure the server sends a challenge with
// a JSON error (RFC 7628 section 3.2.2); Next answers it with the single
// byte 0x01, as section 3.2.3 requires, and returns an *OAuthError (see
// SASL).
func OAuthBearer(username, token, host string, port int) SASL {
	return &oauthBearer{username: username, token: token, host: host, port: port}
}

type oauthBearer struct {
	username, token, host string
	port                  int
	failed                bool
}

func (*oauthBearer) Name() string { return "OAUTHBEARER" }

func (a *oauthBearer) Start() ([]byte, error) {
	a.failed = false
	const mech = "OAUTHBEARER"
	if err := checkValue(mech, "username", a.username); err != nil {
		return nil, err
	}
	if err := checkValue(mech, "host", a.host); err != nil {
		return nil, err
	}
	if a.port < 0 || a.port > 65535 {
		return nil, &CredentialError{mech, "port", "is out of range: " + strconv.Itoa(a.port)}
	}
	if err := checkToken(mech, a.token); err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("n,")
	if a.username != "" {
		// saslname (RFC 5801 section 4): "=" and "," escaped.
		b.WriteString("a=")
		b.WriteString(strings.NewReplacer("=", "=3D", ",", "=2C").Replace(a.username))
	}
	b.WriteString(",")
	if a.host != "" {
		b.WriteString("\x01host=" + a.host)
	}
	if a.port != 0 {
		b.WriteString("\x01port=" + strconv.Itoa(a.port))
	}
	b.WriteString("\x01auth=Bearer " + a.token + "\x01\x01")
	return []byte(b.String()), nil
}

func (a *oauthBearer) Next(challenge []byte) ([]byte, error) {
	if a.failed {
		return nil, ErrUnexpectedChallenge
	}
	a.failed = true
	return []byte{0x01}, newOAuthError("OAUTHBEARER", challenge)
}
