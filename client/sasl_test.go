package client

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSASLInitialResponse(t *testing.T) {
	tests := []struct {
		name     string
		mech     SASL
		wantName string
		want     string // the initial response, raw
		wantB64  string // and as sent, when the source gives it
	}{
		// RFC 4616 section 4.
		{"plain rfc4616 tim", PlainAuth("", "tim", "tanstaaftanstaaf"), "PLAIN",
			"\x00tim\x00tanstaaftanstaaf", "AHRpbQB0YW5zdGFhZnRhbnN0YWFm"},
		{"plain rfc4616 ursel", PlainAuth("Ursel", "Kurt", "xipj3plmq"), "PLAIN",
			"Ursel\x00Kurt\x00xipj3plmq", ""},
		{"plain utf-8", PlainAuth("", "jörg", "pässwörd"), "PLAIN", "\x00jörg\x00pässwörd", ""},
		// Google's XOAUTH2 documentation.
		{"xoauth2 google", XOAuth2("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"), "XOAUTH2",
			"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01",
			"dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="},
		// RFC 7628 section 4.1.
		{"oauthbearer rfc7628", OAuthBearer("user@example.com", "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", "server.example.com", 143), "OAUTHBEARER",
			"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01",
			"bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB"},
		{"oauthbearer no host port user", OAuthBearer("", "tok", "", 0), "OAUTHBEARER",
			"n,,\x01auth=Bearer tok\x01\x01", ""},
		// RFC 5801 section 4: "," and "=" in a saslname.
		{"oauthbearer escaped user", OAuthBearer("a=b,c", "tok", "imap.example.com", 993), "OAUTHBEARER",
			"n,a=a=3Db=2Cc,\x01host=imap.example.com\x01port=993\x01auth=Bearer tok\x01\x01", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.mech.Name(); got != tt.wantName {
				t.Errorf("Name() = %q, want %q", got, tt.wantName)
			}
			ir, err := tt.mech.Start()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(ir)); diff != "" {
				t.Errorf("initial response mismatch (-want +got):\n%s", diff)
			}
			if tt.wantB64 != "" {
				if got := base64.StdEncoding.EncodeToString(ir); got != tt.wantB64 {
					t.Errorf("base64 %q, want %q", got, tt.wantB64)
				}
			}
		})
	}
}

func TestSASLCredentialErrors(t *testing.T) {
	tests := []struct {
		name         string
		mech         SASL
		field, cause string
	}{
		{"plain nul identity", PlainAuth("a\x00b", "u", "p"), "identity", "contains NUL"},
		{"plain nul username", PlainAuth("", "u\x00", "p"), "username", "contains NUL"},
		{"plain nul password", PlainAuth("", "u", "p\x00w"), "password", "contains NUL"},
		{"plain empty username", PlainAuth("", "", "p"), "username", "is empty"},
		{"plain empty password", PlainAuth("", "u", ""), "password", "is empty"},
		{"xoauth2 separator in username", XOAuth2("u\x01auth=x", "tok"), "username", "contains 0x01, the field separator"},
		{"xoauth2 nul in username", XOAuth2("u\x00", "tok"), "username", "contains NUL"},
		{"xoauth2 newline in token", XOAuth2("u", "tok\n"), "token", "contains a space, control or non-ASCII character"},
		{"xoauth2 empty token", XOAuth2("u", ""), "token", "is empty"},
		{"oauthbearer separator in user", OAuthBearer("u\x01", "tok", "h", 1), "username", "contains 0x01, the field separator"},
		{"oauthbearer control in host", OAuthBearer("u", "tok", "h\x1b", 1), "host", "contains a control character"},
		{"oauthbearer port", OAuthBearer("u", "tok", "h", 70000), "port", "is out of range: 70000"},
		{"oauthbearer negative port", OAuthBearer("u", "tok", "h", -1), "port", "is out of range: -1"},
		{"oauthbearer space in token", OAuthBearer("u", "to k", "h", 1), "token", "contains a space, control or non-ASCII character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ir, err := tt.mech.Start()
			var ce *CredentialError
			if !errors.As(err, &ce) {
				t.Fatalf("Start() = %q, %v; want a *CredentialError", ir, err)
			}
			want := &CredentialError{Mechanism: tt.mech.Name(), Field: tt.field, Reason: tt.cause}
			if diff := cmp.Diff(want, ce); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			if ir != nil {
				t.Errorf("initial response %q with the error", ir)
			}
		})
	}
}

func TestPlainNoChallenge(t *testing.T) {
	m := PlainAuth("", "u", "p")
	if _, err := m.Start(); err != nil {
		t.Fatal(err)
	}
	resp, err := m.Next([]byte("more?"))
	if !errors.Is(err, ErrUnexpectedChallenge) || resp != nil {
		t.Errorf("Next = %q, %v; want nil, ErrUnexpectedChallenge", resp, err)
	}
}

func TestOAuthErrorChallenge(t *testing.T) {
	tests := []struct {
		name     string
		mech     SASL
		chal     []byte
		wantResp []byte
		want     *OAuthError
		wantMsg  string
	}{
		{
			// RFC 7628 section 4.2: the client answers with 0x01 (AQ==).
			name:     "oauthbearer rfc7628",
			mech:     OAuthBearer("user@example.com", "tok", "server.example.com", 143),
			chal:     b64(t, "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0="),
			wantResp: b64(t, "AQ=="),
			want: &OAuthError{
				Mechanism: "OAUTHBEARER", Status: "invalid_token", Scope: "example_scope",
				OpenIDConfiguration: "https://example.com/.well-known/openid-configuration",
				Challenge:           `{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}`,
			},
			wantMsg: "imap: OAUTHBEARER failed: status invalid_token (scope example_scope)",
		},
		{
			// Google's XOAUTH2 documentation: the client answers with an
			// empty response.
			name:     "xoauth2 google",
			mech:     XOAuth2("someuser@example.com", "tok"),
			chal:     b64(t, "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoiaHR0cHM6Ly9tYWlsLmdvb2dsZS5jb20vIn0K"),
			wantResp: []byte{},
			want: &OAuthError{
				Mechanism: "XOAUTH2", Status: "401", Schemes: "bearer mac", Scope: "https://mail.google.com/",
				Challenge: "{\"status\":\"401\",\"schemes\":\"bearer mac\",\"scope\":\"https://mail.google.com/\"}\n",
			},
			wantMsg: "imap: XOAUTH2 failed: status 401 (scope https://mail.google.com/)",
		},
		{
			name:     "numeric status",
			mech:     XOAuth2("u", "tok"),
			chal:     []byte(`{"status":400}`),
			wantResp: []byte{},
			want:     &OAuthError{Mechanism: "XOAUTH2", Status: "400", Challenge: `{"status":400}`},
			wantMsg:  "imap: XOAUTH2 failed: status 400",
		},
		{
			name:     "not json",
			mech:     OAuthBearer("u", "tok", "", 0),
			chal:     []byte("go away"),
			wantResp: []byte{1},
			want:     &OAuthError{Mechanism: "OAUTHBEARER", Challenge: "go away"},
			wantMsg:  `imap: OAUTHBEARER failed: "go away"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.mech.Start(); err != nil {
				t.Fatal(err)
			}
			resp, err := tt.mech.Next(tt.chal)
			if resp == nil || string(resp) != string(tt.wantResp) {
				t.Errorf("response %q, want %q (non-nil: the client must send it)", resp, tt.wantResp)
			}
			var oe *OAuthError
			if !errors.As(err, &oe) {
				t.Fatalf("error %v, want an *OAuthError", err)
			}
			if diff := cmp.Diff(tt.want, oe); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			if err.Error() != tt.wantMsg {
				t.Errorf("Error() = %q, want %q", err, tt.wantMsg)
			}
			// A second challenge has no answer: cancel.
			resp, err = tt.mech.Next([]byte("again"))
			if resp != nil || !errors.Is(err, ErrUnexpectedChallenge) {
				t.Errorf("second Next = %q, %v; want nil, ErrUnexpectedChallenge", resp, err)
			}
			// Start resets the exchange.
			if _, err := tt.mech.Start(); err != nil {
				t.Fatal(err)
			}
			if _, err := tt.mech.Next(tt.chal); !errors.As(err, &oe) {
				t.Errorf("after Start again: %v, want an *OAuthError", err)
			}
		})
	}
}

// fakeAuthenticate runs the client side of AUTHENTICATE (RFC 3501 section
// 6.2.2, RFC 4959) as SASL documents it, against a scripted server, and
// returns the lines the client sent.
func fakeAuthenticate(m SASL, saslIR bool, challenges []string, final string) (sent []string, err error) {
	ir, err := m.Start()
	if err != nil {
		return nil, err
	}
	line := "A1 AUTHENTICATE " + m.Name()
	irPending := ir != nil
	if saslIR && ir != nil {
		enc := base64.StdEncoding.EncodeToString(ir)
		if enc == "" {
			enc = "="
		}
		line += " " + enc
		irPending = false
	}
	sent = append(sent, line)
	var mechErr error
	for _, c := range challenges {
		raw, _ := base64.StdEncoding.DecodeString(c)
		var resp []byte
		if irPending && c == "" {
			resp, irPending = ir, false
		} else {
			resp, err = m.Next(raw)
			if err != nil && resp == nil {
				sent = append(sent, "*")
				return sent, err
			}
			mechErr = err
		}
		sent = append(sent, base64.StdEncoding.EncodeToString(resp))
	}
	if strings.HasPrefix(final, "NO") {
		if mechErr != nil {
			return sent, mechErr
		}
		return sent, errors.New(final)
	}
	return sent, nil
}

// TestSASLExchange: the exchanges of the RFC examples, as the client runs
// them with and without SASL-IR.
func TestSASLExchange(t *testing.T) {
	tests := []struct {
		name       string
		mech       SASL
		saslIR     bool
		challenges []string
		final      string
		want       []string
		wantErr    string
	}{
		{"plain sasl-ir", PlainAuth("", "tim", "tanstaaftanstaaf"), true, nil, "OK",
			[]string{"A1 AUTHENTICATE PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm"}, ""},
		{"plain no sasl-ir", PlainAuth("", "tim", "tanstaaftanstaaf"), false, []string{""}, "OK",
			[]string{"A1 AUTHENTICATE PLAIN", "AHRpbQB0YW5zdGFhZnRhbnN0YWFm"}, ""},
		{"oauthbearer failure", OAuthBearer("user@example.com", "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", "server.example.com", 143), true,
			[]string{"eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0="},
			"NO SASL authentication failed",
			[]string{"A1 AUTHENTICATE OAUTHBEARER bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB", "AQ=="},
			"imap: OAUTHBEARER failed: status invalid_token (scope example_scope)"},
		{"xoauth2 failure", XOAuth2("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"), true,
			[]string{"eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoiaHR0cHM6Ly9tYWlsLmdvb2dsZS5jb20vIn0K"},
			"NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)",
			[]string{"A1 AUTHENTICATE XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==", ""},
			"imap: XOAUTH2 failed: status 401 (scope https://mail.google.com/)"},
		{"plain unexpected challenge", PlainAuth("", "u", "p"), true, []string{"bW9yZT8="}, "BAD",
			[]string{"A1 AUTHENTICATE PLAIN AHUAcA==", "*"}, ErrUnexpectedChallenge.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sent, err := fakeAuthenticate(tt.mech, tt.saslIR, tt.challenges, tt.final)
			if diff := cmp.Diff(tt.want, sent); diff != "" {
				t.Errorf("sent (-want +got):\n%s", diff)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}
