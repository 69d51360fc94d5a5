package wire

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// utf7Pairs are mailbox names in UTF-8 and their canonical modified UTF-7
// form; each must encode and decode both ways.
var utf7Pairs = []struct {
	name    string
	decoded string
	encoded string
}{
	{"empty", "", ""},
	{"ascii", "INBOX", "INBOX"},
	{"ascii punctuation", `~peter/mail/a b!"#$%'()*+,-.;<=>?@[\]^_{|}~`, `~peter/mail/a b!"#$%'()*+,-.;<=>?@[\]^_{|}~`},
	{"rfc3501 example", "~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},
	{"rfc3501 merged section", "台北日本語", "&U,BTF2XlZyyKng-"},
	{"rfc3501 shift before ascii", "☺!", "&Jjo-!"},
	{"ampersand", "&", "&-"},
	{"two ampersands", "&&", "&-&-"},
	{"ampersand inside", "a&b", "a&-b"},
	{"ampersand after section", "á&", "&AOE-&-"},
	{"hyphen after section", "á-", "&AOE--"},
	{"latin", "Entwürfe", "Entw&APw-rfe"},
	{"two units, four padding bits", "áé", "&AOEA6Q-"},
	{"three units, no padding bits", "日本語", "&ZeVnLIqe-"},
	{"emoji surrogate pair", "😀", "&2D3eAA-"},
	{"two emoji", "😀😁", "&2D3eANg93gE-"},
	{"largest code point", "\U0010FFFF", "&2,,f,w-"},
	{"comma in alphabet", "\uFFFD", "&,,0-"},
	{"NUL", "\x00", "&AAA-"},
	{"three NULs", "\x00\x00\x00", "&AAAAAAAA-"},
	{"control characters", "a\tb\r\n", "a&AAk-b&AA0ACg-"},
	{"DEL", "\x7f", "&AH8-"},
}

func TestEncodeUTF7(t *testing.T) {
	for _, tt := range utf7Pairs {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.encoded, EncodeUTF7(tt.decoded)); diff != "" {
				t.Errorf("EncodeUTF7(%q) mismatch (-want +got):\n%s", tt.decoded, diff)
			}
		})
	}
}

func TestEncodeUTF7InvalidUTF8(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		decoded string
	}{
		{"lone byte", "\xff", "&,,0-", "\uFFFD"},
		{"truncated sequence is one U+FFFD per byte", "a\xe6\x97b", "a&,,3,,Q-b", "a\uFFFD\uFFFDb"},
		{"surrogate encoded in UTF-8", "\xed\xa0\x80", "&,,3,,f,9-", "\uFFFD\uFFFD\uFFFD"},
		{"between valid runes", "é\x80é", "&AOn,,QDp-", "é\uFFFDé"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EncodeUTF7(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("EncodeUTF7(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			dec, err := DecodeUTF7(got)
			if err != nil {
				t.Fatalf("DecodeUTF7(%q): %v", got, err)
			}
			if diff := cmp.Diff(tt.decoded, dec); diff != "" {
				t.Errorf("DecodeUTF7(%q) mismatch (-want +got):\n%s", got, diff)
			}
		})
	}
}

func TestDecodeUTF7(t *testing.T) {
	for _, tt := range utf7Pairs {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeUTF7(tt.encoded)
			if err != nil {
				t.Fatalf("DecodeUTF7(%q): %v", tt.encoded, err)
			}
			if diff := cmp.Diff(tt.decoded, got); diff != "" {
				t.Errorf("DecodeUTF7(%q) mismatch (-want +got):\n%s", tt.encoded, diff)
			}
		})
	}
}

// utf7Errors are names DecodeUTF7 must reject, with the offset it reports.
var utf7Errors = []struct {
	name   string
	in     string
	offset int64
	found  string
}{
	{"lone shift", "&", 1, "end of input"},
	{"unterminated", "&Jjo", 4, "end of input"},
	{"unterminated after ampersand", "&-&AOE", 6, "end of input"},
	{"rfc3501 implicit shift", "&Jjo!", 4, `"!"`},
	{"rfc3501 superfluous shift", "&U,BTFw-&ZeVnLIqe-", 8, `"&ZeVnLIqe-"`},
	{"adjacent sections", "&AOE-&AOE-", 5, `"&AOE-"`},
	{"ampersand in base64", "&&-", 1, `"&-"`},
	{"slash is not modified base64", "&,,0/-", 4, `"/-"`},
	{"padding", "&AOE=-", 4, `"=-"`},
	{"padding after two units", "&AOEA6Q==-", 7, `"==-"`},
	{"nonzero padding bits", "&AOF-", 3, `"F-"`},
	{"nonzero padding bits after two units", "&AOEA6R-", 6, `"R-"`},
	{"superfluous character", "&AOEA-", 4, `superfluous "A"`},
	{"superfluous character after two units", "&AOEA6QD-", 7, `superfluous "D"`},
	{"section too short for a unit", "&AA-", 1, `superfluous "AA"`},
	{"encoded ASCII letter", "&AGE-", 1, `'a' encoded`},
	{"encoded ASCII after other unit", "&AOEAYQ-", 3, `'a' encoded`},
	{"encoded ampersand", "&ACY-", 1, `'&' encoded`},
	{"encoded space", "&ACA-", 1, `' ' encoded`},
	{"encoded tilde", "&AH4-", 1, `'~' encoded`},
	{"lone high surrogate", "&2D0-", 1, "U+D83D at end of section"},
	{"high surrogate then high", "&2D3YPQ-", 1, "U+D83D U+D83D"},
	{"high surrogate then BMP", "&2D0A4Q-", 1, "U+D83D U+00E1"},
	{"high surrogate split across sections", "&2D0-&3gA-", 1, "U+D83D at end of section"},
	{"lone low surrogate", "&3gA-", 1, "U+DE00"},
	{"low surrogate after a unit", "&AOHeAA-", 3, "U+DE00"},
	{"raw 8-bit", "caf\xc3\xa9", 3, `"é"`},
	{"raw 8-bit after section", "&AOE-\xff", 5, `"\xff"`},
	{"tab", "a\tb", 1, `"\tb"`},
	{"CR LF", "a\r\n", 1, `"\r\n"`},
	{"NUL", "\x00", 0, `"\x00"`},
	{"DEL", "a\x7f", 1, `"\x7f"`},
}

func TestDecodeUTF7Errors(t *testing.T) {
	for _, tt := range utf7Errors {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeUTF7(tt.in)
			if err == nil {
				t.Fatalf("DecodeUTF7(%q) = %q, want error", tt.in, got)
			}
			if got != "" {
				t.Errorf("DecodeUTF7(%q) returned %q with the error, want \"\"", tt.in, got)
			}
			if !errors.Is(err, ErrUTF7) {
				t.Errorf("DecodeUTF7(%q) error %v does not wrap ErrUTF7", tt.in, err)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("DecodeUTF7(%q) error %T, want *SyntaxError", tt.in, err)
			}
			type pos struct {
				Offset     int64
				Production string
				Found      string
			}
			want := pos{tt.offset, "mailbox (modified UTF-7)", tt.found}
			if diff := cmp.Diff(want, pos{se.Offset, se.Production, se.Found}); diff != "" {
				t.Errorf("DecodeUTF7(%q) error mismatch (-want +got):\n%s", tt.in, diff)
			}
			if se.Expected == "" {
				t.Errorf("DecodeUTF7(%q) error has no Expected", tt.in)
			}
		})
	}
}

func TestUTF7NoAllocation(t *testing.T) {
	const name = "Archive/2024/Receipts"
	if n := testing.AllocsPerRun(100, func() { _ = EncodeUTF7(name) }); n != 0 {
		t.Errorf("EncodeUTF7(%q) allocates %v times, want 0", name, n)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = DecodeUTF7(name) }); n != 0 {
		t.Errorf("DecodeUTF7(%q) allocates %v times, want 0", name, n)
	}
}

func BenchmarkEncodeUTF7(b *testing.B) {
	for _, name := range []string{"Archive/2024/Receipts", "~peter/mail/台北/日本語"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = EncodeUTF7(name)
			}
		})
	}
}

func BenchmarkDecodeUTF7(b *testing.B) {
	for _, name := range []string{"Archive/2024/Receipts", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = DecodeUTF7(name)
			}
		})
	}
}

func ExampleEncodeUTF7() {
	fmt.Println(EncodeUTF7("~peter/mail/台北/日本語"))
	fmt.Println(EncodeUTF7("Tom & Jerry"))
	// Output:
	// ~peter/mail/&U,BTFw-/&ZeVnLIqe-
	// Tom &- Jerry
}

func ExampleDecodeUTF7() {
	name, err := DecodeUTF7("~peter/mail/&U,BTFw-/&ZeVnLIqe-")
	fmt.Println(name, err)

	// RFC 3501 forbids the superfluous shift between the two sections.
	_, err = DecodeUTF7("&U,BTFw-&ZeVnLIqe-")
	fmt.Println(err)
	// Output:
	// ~peter/mail/台北/日本語 <nil>
	// imap: syntax error at offset 8 in mailbox (modified UTF-7): invalid modified UTF-7: expected one shifted section, not two adjacent ones, found "&ZeVnLIqe-"
}
