package parser

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/imapwire/imapwire/wire"
)

// TestInternalDateRange: a date-time in the grammar but out of range
// (FuzzResponse found "+2700", which encoding/json cannot encode) is a
// syntax error in strict mode; leniently it is kept raw beside an error
// matching ErrDateRange, with a zero Time, and the rest of the response
// parses.
func TestInternalDateRange(t *testing.T) {
	tests := []struct {
		date     string
		expected string // the error's Expected; "" when in range
	}{
		{"10-DeC-0000 00:00:00 +2700", "a zone from -2359 to +2359"}, // the fuzz finding
		{"17-Jul-1996 02:44:25 +2400", "a zone from -2359 to +2359"},
		{"17-Jul-1996 02:44:25 -9959", "a zone from -2359 to +2359"},
		{"17-Jul-1996 02:44:25 +0060", "a zone from -2359 to +2359"},
		{"17-Jul-0000 02:44:25 +0000", "a year from 0001"},
		{"31-Feb-2024 02:44:25 +0000", "a day of the month"},
		{"29-Feb-2023 02:44:25 +0000", "a day of the month"},
		{"29-Feb-2024 02:44:25 +0000", ""},
		{"17-Jul-1996 02:44:25 +2359", ""},
		{"17-Jul-1996 02:44:25 -2359", ""},
		{"01-Jan-0001 00:00:01 +0000", ""},
	}
	for _, tt := range tests {
		in := `* 1 FETCH (INTERNALDATE "` + tt.date + `" UID 7)` + "\r\n"
		t.Run(tt.date, func(t *testing.T) {
			r := NewReader(strings.NewReader(in), nil)
			resp, err := r.ReadResponse()
			if err != nil {
				t.Fatalf("lenient: %v", err)
			}
			m := resp.(*Message)
			if m.UID != 7 {
				t.Errorf("UID %d, want 7 (the rest of the response)", m.UID)
			}
			if _, err := json.Marshal(m); err != nil {
				t.Errorf("json.Marshal: %v", err)
			}
			rs := NewReader(strings.NewReader(in), &Options{Strict: true})
			_, serr := rs.ReadResponse()
			if tt.expected == "" {
				if m.InternalDateErr != nil || m.InternalDate.IsZero() || serr != nil {
					t.Errorf("in range: lenient %v, %v; strict %v", m.InternalDate, m.InternalDateErr, serr)
				}
				return
			}
			var se *wire.SyntaxError
			if !errors.As(m.InternalDateErr, &se) || !errors.Is(se, ErrDateRange) || se.Expected != tt.expected || se.Offset != int64(len("* 1 FETCH (INTERNALDATE ")) {
				t.Errorf("lenient error %#v, want ErrDateRange expecting %q at offset %d", m.InternalDateErr, tt.expected, len("* 1 FETCH (INTERNALDATE "))
			}
			if !m.InternalDate.IsZero() || m.InternalDateRaw != tt.date {
				t.Errorf("InternalDate %v, raw %q; want zero and %q", m.InternalDate, m.InternalDateRaw, tt.date)
			}
			if !errors.As(serr, &se) || !errors.Is(serr, ErrDateRange) {
				t.Errorf("strict: %v, want a *wire.SyntaxError matching ErrDateRange", serr)
			}
		})
	}
}
