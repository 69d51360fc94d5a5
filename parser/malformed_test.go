package parser

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/imapwire/imapwire/wire"
)

// TestSkipMalformed: a response with a syntax error is skipped whole
// (literals included) and described; the next response parses. What cannot
// be resynchronized is refused.
func TestSkipMalformed(t *testing.T) {
	const next = "* 9 EXISTS\r\n"
	tests := []struct {
		name   string
		in     string
		strict bool
		lim    wire.Limits
		want   *Malformed // nil: not skippable
		off    int64      // the syntax error's offset
	}{
		{
			name: "QUOTA without its list (strict)", in: "* QUOTA \"ROOT\"\r\n", strict: true,
			want: &Malformed{Name: "QUOTA", Raw: []byte("* QUOTA \"ROOT\"\r\n")}, off: 14,
		},
		{
			name: "tagged, unknown condition", in: "A1 MAYBE done\r\n",
			want: &Malformed{Tag: "A1", Name: "MAYBE", Raw: []byte("A1 MAYBE done\r\n")}, off: 3,
		},
		{
			name: "numbered", in: "* 0 EXPUNGE\r\n",
			want: &Malformed{Name: "EXPUNGE", Num: 0, HasNum: true, Raw: []byte("* 0 EXPUNGE\r\n")}, off: 2,
		},
		{
			name: "a literal inside, skipped with it", in: "* STATUS {5}\r\nINBOX (MESSAGES x)\r\n",
			want: &Malformed{Name: "STATUS", Raw: []byte("* STATUS {5}\r\nINBOX (MESSAGES x)\r\n")}, off: 30,
		},
		{
			name: "a literal after the error, skipped", in: "* LIST (\\X) \"/\" x y {3}\r\na\r\n\r\n",
			want: &Malformed{Name: "LIST", Raw: []byte("* LIST (\\X) \"/\" x y {3}\r\na\r\n\r\n")}, off: 18,
		},
		{
			name: "FETCH item", in: "* 3 FETCH (FLAGS (\\Seen) UID x)\r\n",
			want: &Malformed{Name: "FETCH", Num: 3, HasNum: true, Raw: []byte("* 3 FETCH (FLAGS (\\Seen) UID x)\r\n")}, off: 29,
		},
		{name: "literal framing", in: "* LIST () \"/\" {-1}\r\nabc\r\n"},
		{name: "literal size overflow", in: "* LIST () \"/\" {99999999999999999999}\r\n"},
		{name: "past MaxListElems", in: "* CAPABILITY A B C D E\r\n", lim: wire.Limits{MaxListElems: 3}},
		{name: "past MaxQuoted", in: "A1 OK 123456789\r\n", lim: wire.Limits{MaxQuoted: 4}},
	}
	for _, tt := range tests {
		for _, wrap := range []func(io.Reader) io.Reader{nil, iotest.OneByteReader} {
			t.Run(tt.name, func(t *testing.T) {
				var rd io.Reader = strings.NewReader(tt.in + next)
				if wrap != nil {
					rd = wrap(rd)
				}
				r := NewReader(rd, &Options{Strict: tt.strict, Limits: tt.lim})
				_, err := r.ReadResponse()
				if err == nil {
					t.Fatal("no error")
				}
				m, err := r.SkipMalformed(err)
				if tt.want == nil {
					if m != nil || err == nil {
						t.Fatalf("SkipMalformed = %+v, %v; want nil and the error", m, err)
					}
					return
				}
				if err != nil {
					t.Fatalf("SkipMalformed: %v", err)
				}
				if m.Err == nil || m.Err.Offset != tt.off {
					t.Errorf("error %v, want offset %d", m.Err, tt.off)
				}
				got := *m
				got.Err = nil
				if diff := cmp.Diff(tt.want, &got); diff != "" {
					t.Errorf("Malformed (-want +got):\n%s", diff)
				}
				resp, err := r.Next()
				if e, ok := resp.(*Exists); err != nil || !ok || e.Num != 9 {
					t.Errorf("next response %#v, %v; want * 9 EXISTS", resp, err)
				}
			})
		}
	}
}

// TestSkipMalformedRawLimit: only MaxMalformedRaw bytes are kept of a long
// malformed response, which is skipped whole.
func TestSkipMalformedRawLimit(t *testing.T) {
	long := "* LIST () \"/\" x " + strings.Repeat("y", 3*MaxMalformedRaw) + "\r\n"
	r := NewReader(strings.NewReader(long+"* 9 EXISTS\r\n"), nil)
	_, err := r.Next()
	m, err := r.SkipMalformed(err)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Raw) != MaxMalformedRaw || !m.Truncated || m.Name != "LIST" {
		t.Errorf("raw %d bytes, truncated %v, name %q; want %d, true, LIST", len(m.Raw), m.Truncated, m.Name, MaxMalformedRaw)
	}
	if resp, err := r.Next(); err != nil || resp.ResponseType() != "EXISTS" {
		t.Errorf("next: %v, %v", resp, err)
	}
}

// TestSkipMalformedIOError: I/O errors are never skipped.
func TestSkipMalformedIOError(t *testing.T) {
	r := NewReader(strings.NewReader("* LIST () \"/\" x"), nil)
	_, err := r.Next()
	if m, err2 := r.SkipMalformed(err); m != nil || !errors.Is(err2, io.ErrUnexpectedEOF) && err2 == nil {
		t.Errorf("SkipMalformed = %v, %v", m, err2)
	}
}
