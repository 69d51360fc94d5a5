package fuzz_test

import (
	"errors"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/imapwire/imapwire/wire"
)

// utf7Seeds are the names of wire's unit tables, valid and invalid.
var utf7Seeds = []string{
	"", "INBOX", "~peter/mail/&U,BTFw-/&ZeVnLIqe-", "~peter/mail/台北/日本語",
	"&U,BTF2XlZyyKng-", "&Jjo-!", "&-", "&-&-", "a&-b", "&AOE-&-", "&AOE--",
	"Entw&APw-rfe", "&AOEA6Q-", "&ZeVnLIqe-", "&2D3eAA-", "&2D3eANg93gE-",
	"&2,,f,w-", "&,,0-", "&AAA-", "&AAAAAAAA-", "a&AAk-b&AA0ACg-", "&AH8-",
	"&", "&Jjo", "&-&AOE", "&Jjo!", "&U,BTFw-&ZeVnLIqe-", "&AOE-&AOE-", "&&-",
	"&,,0/-", "&AOE=-", "&AOEA6Q==-", "&AOF-", "&AOEA6R-", "&AOEA-",
	"&AOEA6QD-", "&AA-", "&AGE-", "&AOEAYQ-", "&ACY-", "&ACA-", "&AH4-",
	"&2D0-", "&2D3YPQ-", "&2D0A4Q-", "&2D0-&3gA-", "&3gA-", "&AOHeAA-",
	"caf\xc3\xa9", "&AOE-\xff", "a\tb", "a\r\n", "\x00", "a\x7f",
	"\xff", "a\xe6\x97b", "\xed\xa0\x80", "é\x80é", "😀😁",
}

// FuzzUTF7 checks that DecodeUTF7 never panics, that it accepts only the
// canonical form (whatever it decodes re-encodes to the same bytes), that
// its errors are well formed, and that EncodeUTF7 round-trips any valid
// UTF-8.
func FuzzUTF7(f *testing.F) {
	for _, s := range utf7Seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dec, err := wire.DecodeUTF7(s)
		if err == nil {
			if enc := wire.EncodeUTF7(dec); enc != s {
				t.Errorf("DecodeUTF7(%q) = %q, which encodes to %q: not canonical", s, dec, enc)
			}
		} else {
			var se *wire.SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, wire.ErrUTF7) {
				t.Fatalf("DecodeUTF7(%q) error %v: want a *SyntaxError wrapping ErrUTF7", s, err)
			}
			if se.Offset < 0 || se.Offset > int64(len(s)) {
				t.Errorf("DecodeUTF7(%q) error offset %d outside the input", s, se.Offset)
			}
		}

		enc := wire.EncodeUTF7(s)
		for i := 0; i < len(enc); i++ {
			if c := enc[i]; c < 0x20 || c > 0x7e {
				t.Fatalf("EncodeUTF7(%q) = %q holds byte %#02x", s, enc, c)
			}
		}
		dec, err = wire.DecodeUTF7(enc)
		if err != nil {
			t.Fatalf("DecodeUTF7(EncodeUTF7(%q) = %q): %v", s, enc, err)
		}
		want := s
		if !utf8.ValidString(s) {
			want = string([]rune(s)) // U+FFFD for each invalid byte
		}
		if dec != want {
			t.Errorf("DecodeUTF7(EncodeUTF7(%q)) = %q, want %q", s, dec, want)
		}
	})
}

// seqSetSeeds are the inputs of wire's unit tables, valid and invalid.
var seqSetSeeds = []string{
	"1", "*", "1:*", "*:4", "*:*", "5:1", "3:3", "2,4:6,20:*", "1,1,1",
	"9,1:3,*,2", "4294967295", "4294967295:1", "10:100",
	"", "0", "01", "1:0", "1,", ",1", "1,,2", "1:", "1::2", "1:2:3", "1 2",
	"1,2 ", "**", "*1", "-1", "1.5", "a", "1\r\n", "4294967296",
	"1:99999999999999999999", "1,2,4294967296:3",
}

// maxIterated bounds the numbers FuzzSeqSet collects from one set.
const maxIterated = 1 << 16

// FuzzSeqSet checks that ParseSeqSet never panics, that String parses back
// to the same set, and that All, SeqSetOf and Contains agree.
func FuzzSeqSet(f *testing.F) {
	for i, s := range seqSetSeeds {
		f.Add(s, uint32(i*7))
	}
	f.Fuzz(func(t *testing.T, s string, max uint32) {
		set, err := wire.ParseSeqSet(s)
		if err != nil {
			var se *wire.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseSeqSet(%q) error %T, want *SyntaxError", s, err)
			}
			if se.Offset < 0 || se.Offset > int64(len(s)) {
				t.Errorf("ParseSeqSet(%q) error offset %d outside the input", s, se.Offset)
			}
			return
		}
		str := set.String()
		again, err := wire.ParseSeqSet(str)
		if err != nil {
			t.Fatalf("ParseSeqSet(%q) = %v; ParseSeqSet of its String %q: %v", s, set, str, err)
		}
		if diff := cmp.Diff(set, again); diff != "" {
			t.Fatalf("ParseSeqSet(%q).String() = %q parses differently (-want +got):\n%s", s, str, diff)
		}

		// Collect the numbers, unless the set is too large to.
		var size uint64
		for _, r := range set {
			lo, hi := resolve(r, max)
			if lo != 0 {
				size += uint64(hi-lo) + 1
			}
		}
		if size > maxIterated {
			return
		}
		nums := slices.Collect(set.All(max))
		if len(nums) > maxIterated {
			t.Fatalf("%v.All(%d) yielded %d numbers, more than its ranges hold", set, max, len(nums))
		}
		for i, n := range nums {
			if n == 0 || i > 0 && n <= nums[i-1] {
				t.Fatalf("%v.All(%d) = %v: not strictly increasing non-zero numbers", set, max, nums)
			}
		}

		// SeqSetOf makes the canonical set: its ranges are sorted, apart
		// and not adjacent, and hold exactly nums.
		canon := wire.SeqSetOf(nums...)
		for i, r := range canon {
			if r.Start == 0 || r.Start > r.Stop || i > 0 && uint64(r.Start) <= uint64(canon[i-1].Stop)+1 {
				t.Fatalf("SeqSetOf(%v) = %v is not canonical", nums, canon)
			}
		}
		if diff := cmp.Diff(nums, slices.Collect(canon.All(0))); diff != "" {
			t.Fatalf("SeqSetOf(%v) = %v holds other numbers (-want +got):\n%s", nums, canon, diff)
		}
		// Order and duplicates do not matter.
		mixed := append(slices.Clone(nums), nums...)
		slices.Reverse(mixed)
		if diff := cmp.Diff(canon, wire.SeqSetOf(mixed...)); diff != "" {
			t.Fatalf("SeqSetOf of shuffled duplicates differs (-want +got):\n%s", diff)
		}

		// Without "*", Contains agrees with All.
		if !set.Dynamic() {
			for _, n := range nums {
				for _, m := range []uint32{n - 1, n, n + 1} {
					_, in := slices.BinarySearch(nums, m)
					if set.Contains(m) != in || canon.Contains(m) != in {
						t.Fatalf("%v.Contains(%d) = %v, want %v", set, m, set.Contains(m), in)
					}
				}
			}
		}
	})
}

// resolve returns the ends of r, lo <= hi, with "*" as max, or 0, 0 if r
// stands for no number (a "*" in an empty mailbox).
func resolve(r wire.SeqRange, max uint32) (lo, hi uint32) {
	lo, hi = r.Start, r.Stop
	if lo == 0 {
		lo = max
	}
	if hi == 0 {
		hi = max
	}
	if lo == 0 {
		lo = hi
	}
	if hi == 0 {
		hi = lo
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	return lo, hi
}
