package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/imapwire/imapwire/client"
)

// TestRawCriteria: criteria written by hand are sent as written (non-ASCII
// words as UTF-8 literals) or refused with their offset, never repaired.
func TestRawCriteria(t *testing.T) {
	tests := []struct {
		in      string
		want    string // the command line after "UID SEARCH "
		wantOff int    // the CriteriaError's offset, when want is ""
	}{
		{in: "SINCE 13-Jul-2013 TEXT Apress", want: "SINCE 13-Jul-2013 TEXT Apress"},
		{in: `OR FROM "a b" (SUBJECT x)`, want: `OR FROM "a b" (SUBJECT x)`},
		{in: `NOT (OR SEEN (FLAGGED DRAFT))`, want: `NOT (OR SEEN (FLAGGED DRAFT))`},
		{in: `SUBJECT "say \"hi\""`, want: `SUBJECT "say \"hi\""`},
		{in: "SUBJECT 台北", want: "CHARSET UTF-8 SUBJECT {6+}"},
		{in: `SINCE 13-Jul-2013 (TEXT "Apress"`, wantOff: 18}, // was sent with the ")" added
		{in: "TEXT Apress)", wantOff: 11},                     // was sent with the ")" dropped
		{in: "(a) )", wantOff: 4},
		{in: `SUBJECT "unterminated`, wantOff: 8},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var line string
			runHostile(t, hostileCase{
				name:     tt.in,
				greeting: "* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n",
				serve: func(s *hconn) {
					tag, rest, ok := s.command()
					if !ok {
						return
					}
					line = strings.TrimPrefix(rest, "UID SEARCH ")
					if strings.HasSuffix(line, "+}") {
						s.br.ReadString('\n') // the literal and the rest of the line
					}
					s.send("* SEARCH 1\r\n%s OK done\r\n", tag)
				},
				call: func(ctx context.Context, c *client.Client) error {
					_, err := c.Search(ctx, true, client.RawCriteria(tt.in))
					return err
				},
				check: func(t *testing.T, err error) {
					if tt.want != "" {
						if err != nil {
							t.Fatalf("Search: %v", err)
						}
						return
					}
					var ce *client.CriteriaError
					if !errors.As(err, &ce) {
						t.Fatalf("Search: %v (%T), want a *client.CriteriaError", err, err)
					}
					if ce.Offset != tt.wantOff {
						t.Errorf("offset %d, want %d (%v)", ce.Offset, tt.wantOff, err)
					}
				},
			})
			if line != tt.want {
				t.Errorf("sent %q, want %q", line, tt.want)
			}
		})
	}
}
