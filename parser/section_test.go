package parser

import (
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSectionHeaderNames: header-fld-names are astrings, so "]" may stand in
// an atom, a quoted name may hold an escaped quote, and a name may come as a
// literal (found by the demo server's fuzzer).
func TestSectionHeaderNames(t *testing.T) {
	in := "* 1 FETCH (BODY[1.HEADER.FIELDS.NOT (\"A\\\"B\" a]b {3}\r\nX-Y)]<2> \"v\")\r\n"
	for _, strict := range []bool{false, true} {
		r := NewReader(strings.NewReader(in), &Options{Strict: strict})
		resp, err := r.ReadResponse()
		if err != nil {
			t.Fatalf("strict=%v: %v", strict, err)
		}
		m := resp.(*Message)
		want := Section{Part: []int{1}, Specifier: "HEADER.FIELDS.NOT", Fields: []string{`A"B`, "a]b", "X-Y"}}
		if diff := cmp.Diff(want, m.Sections[0].Section); diff != "" {
			t.Errorf("strict=%v: section (-want +got):\n%s", strict, diff)
		}
		if m.Sections[0].Origin != 2 || string(m.Sections[0].Data) != "v" {
			t.Errorf("strict=%v: origin %d data %q", strict, m.Sections[0].Origin, m.Sections[0].Data)
		}
		if _, err := r.ReadResponse(); err != io.EOF {
			t.Errorf("strict=%v: after the response: %v", strict, err)
		}
	}
}
