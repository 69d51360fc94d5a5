package wire

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// seqSetTests are valid sequence-sets, what ParseSeqSet makes of them and
// how String writes them back.
var seqSetTests = []struct {
	in   string
	want SeqSet
	str  string
}{
	{"1", SeqSet{{1, 1}}, "1"},
	{"*", SeqSet{{0, 0}}, "*"},
	{"1:*", SeqSet{{1, 0}}, "1:*"},
	{"*:4", SeqSet{{4, 0}}, "4:*"},
	{"*:*", SeqSet{{0, 0}}, "*"},
	{"5:1", SeqSet{{1, 5}}, "1:5"},
	{"3:3", SeqSet{{3, 3}}, "3"},
	{"2,4:6,20:*", SeqSet{{2, 2}, {4, 6}, {20, 0}}, "2,4:6,20:*"},
	{"1,1,1", SeqSet{{1, 1}, {1, 1}, {1, 1}}, "1,1,1"},
	{"9,1:3,*,2", SeqSet{{9, 9}, {1, 3}, {0, 0}, {2, 2}}, "9,1:3,*,2"},
	{"4294967295", SeqSet{{math.MaxUint32, math.MaxUint32}}, "4294967295"},
	{"4294967295:1", SeqSet{{1, math.MaxUint32}}, "1:4294967295"},
	{"10:100", SeqSet{{10, 100}}, "10:100"},
}

func TestParseSeqSet(t *testing.T) {
	for _, tt := range seqSetTests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSeqSet(tt.in)
			if err != nil {
				t.Fatalf("ParseSeqSet(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseSeqSet(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.str, got.String()); diff != "" {
				t.Errorf("String() mismatch (-want +got):\n%s", diff)
			}
			again, err := ParseSeqSet(got.String())
			if err != nil {
				t.Fatalf("ParseSeqSet(%q) of String(): %v", got.String(), err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("String() does not parse back (-want +got):\n%s", diff)
			}
		})
	}
}

// seqSetErrors are invalid sequence-sets and where ParseSeqSet reports the
// problem.
var seqSetErrors = []struct {
	name     string
	in       string
	offset   int64
	expected string
	err      error
}{
	{"empty", "", 0, `nz-number or "*"`, nil},
	{"zero", "0", 0, `nz-number or "*"`, nil},
	{"leading zero", "01", 0, `nz-number or "*"`, nil},
	{"zero range end", "1:0", 2, `nz-number or "*"`, nil},
	{"trailing comma", "1,", 2, `nz-number or "*"`, nil},
	{"leading comma", ",1", 0, `nz-number or "*"`, nil},
	{"double comma", "1,,2", 2, `nz-number or "*"`, nil},
	{"open range", "1:", 2, `nz-number or "*"`, nil},
	{"double colon", "1::2", 2, `nz-number or "*"`, nil},
	{"range of ranges", "1:2:3", 3, `","`, nil},
	{"space", "1 2", 1, `"," or ":"`, nil},
	{"trailing space", "1,2 ", 3, `"," or ":"`, nil},
	{"star star", "**", 1, `"," or ":"`, nil},
	{"star then digit", "*1", 1, `"," or ":"`, nil},
	{"negative", "-1", 0, `nz-number or "*"`, nil},
	{"decimal", "1.5", 1, `"," or ":"`, nil},
	{"letter", "a", 0, `nz-number or "*"`, nil},
	{"CRLF", "1\r\n", 1, `"," or ":"`, nil},
	{"overflow", "4294967296", 0, "number below 4294967296", ErrNumberOverflow},
	{"overflow in range end", "1:99999999999999999999", 2, "number below 4294967296", ErrNumberOverflow},
	{"overflow after comma", "1,2,4294967296:3", 4, "number below 4294967296", ErrNumberOverflow},
}

func TestParseSeqSetErrors(t *testing.T) {
	for _, tt := range seqSetErrors {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSeqSet(tt.in)
			if err == nil {
				t.Fatalf("ParseSeqSet(%q) = %v, want error", tt.in, got)
			}
			if got != nil {
				t.Errorf("ParseSeqSet(%q) returned %v with the error, want nil", tt.in, got)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseSeqSet(%q) error %T, want *SyntaxError", tt.in, err)
			}
			type pos struct {
				Offset     int64
				Production string
				Expected   string
			}
			want := pos{tt.offset, "sequence-set", tt.expected}
			if diff := cmp.Diff(want, pos{se.Offset, se.Production, se.Expected}); diff != "" {
				t.Errorf("ParseSeqSet(%q) error mismatch (-want +got):\n%s", tt.in, diff)
			}
			if tt.err != nil && !errors.Is(err, tt.err) {
				t.Errorf("ParseSeqSet(%q) error %v does not wrap %v", tt.in, err, tt.err)
			}
			if tt.err == nil && se.Err != nil {
				t.Errorf("ParseSeqSet(%q) error wraps %v, want no sentinel", tt.in, se.Err)
			}
		})
	}
}

func TestSeqSetString(t *testing.T) {
	tests := []struct {
		name string
		set  SeqSet
		want string
	}{
		{"nil", nil, ""},
		{"empty", SeqSet{}, ""},
		{"unordered range kept as built", SeqSet{{0, 5}, {9, 2}}, "*:5,9:2"},
		{"largest", SeqSet{{1, math.MaxUint32}}, "1:4294967295"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.set.String()); diff != "" {
				t.Errorf("String() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSeqSetOf(t *testing.T) {
	tests := []struct {
		name string
		nums []uint32
		want string
	}{
		{"none", nil, ""},
		{"single", []uint32{42}, "42"},
		{"runs", []uint32{1, 2, 3, 5, 7, 8}, "1:3,5,7:8"},
		{"unsorted with duplicates", []uint32{8, 7, 5, 3, 2, 1, 1, 5, 8}, "1:3,5,7:8"},
		{"zeros ignored", []uint32{0, 3, 0}, "3"},
		{"only zero", []uint32{0}, ""},
		{"largest", []uint32{math.MaxUint32, 1, math.MaxUint32 - 1}, "1,4294967294:4294967295"},
		{"duplicates of largest", []uint32{math.MaxUint32, math.MaxUint32}, "4294967295"},
		{"two ranges", []uint32{10, 11, 12, 20, 21}, "10:12,20:21"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.nums)
			got := SeqSetOf(in...)
			if diff := cmp.Diff(tt.want, got.String()); diff != "" {
				t.Errorf("SeqSetOf(%v) mismatch (-want +got):\n%s", tt.nums, diff)
			}
			if diff := cmp.Diff(tt.nums, in); diff != "" {
				t.Errorf("SeqSetOf modified its argument (-want +got):\n%s", diff)
			}
			if tt.want == "" && got != nil {
				t.Errorf("SeqSetOf(%v) = %#v, want nil", tt.nums, got)
			}
		})
	}
}

func TestSeqSetContains(t *testing.T) {
	tests := []struct {
		set  string
		in   []uint32
		out  []uint32
		dyn  bool
		desc string
	}{
		{"2,4:6,20:*", []uint32{2, 4, 5, 6, 20, 21, math.MaxUint32}, []uint32{0, 1, 3, 7, 19}, true, ""},
		{"*", []uint32{math.MaxUint32}, []uint32{0, 1, 5}, true, ""},
		{"5:1", []uint32{1, 3, 5}, []uint32{0, 6}, false, ""},
		{"1", []uint32{1}, []uint32{0, 2}, false, ""},
		{"1:4294967295", []uint32{1, math.MaxUint32}, []uint32{0}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			set, err := ParseSeqSet(tt.set)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range tt.in {
				if !set.Contains(n) {
					t.Errorf("Contains(%d) = false, want true", n)
				}
			}
			for _, n := range tt.out {
				if set.Contains(n) {
					t.Errorf("Contains(%d) = true, want false", n)
				}
			}
			if got := set.Dynamic(); got != tt.dyn {
				t.Errorf("Dynamic() = %v, want %v", got, tt.dyn)
			}
		})
	}
	if (SeqSet{}).Contains(1) || (SeqSet{}).Dynamic() {
		t.Error("empty SeqSet contains 1 or is dynamic")
	}
	// A range built by hand may have its larger end first.
	if !(SeqSet{{9, 2}}).Contains(5) || !(SeqSet{{0, 5}}).Contains(7) || (SeqSet{{0, 5}}).Contains(4) {
		t.Error("Contains mishandles a range built with its larger end first")
	}
}

func TestSeqSetAll(t *testing.T) {
	tests := []struct {
		name string
		set  SeqSet
		max  uint32
		want []uint32
	}{
		{"example", SeqSet{{2, 2}, {4, 6}, {20, 0}}, 22, []uint32{2, 4, 5, 6, 20, 21, 22}},
		{"star is max", SeqSet{{0, 0}}, 7, []uint32{7}},
		{"range beyond max is reordered", SeqSet{{5, 0}}, 3, []uint32{3, 4, 5}},
		{"empty mailbox star", SeqSet{{0, 0}}, 0, nil},
		{"empty mailbox range", SeqSet{{5, 0}}, 0, []uint32{5}},
		{"empty mailbox range built star first", SeqSet{{0, 5}}, 0, []uint32{5}},
		{"overlaps merged", SeqSet{{1, 3}, {2, 5}, {4, 4}}, 10, []uint32{1, 2, 3, 4, 5}},
		{"unordered", SeqSet{{9, 9}, {1, 2}, {0, 0}, {2, 2}}, 4, []uint32{1, 2, 4, 9}},
		{"larger end first", SeqSet{{6, 4}}, 0, []uint32{4, 5, 6}},
		{"duplicates", SeqSet{{3, 3}, {3, 3}}, 0, []uint32{3}},
		{"top of range", SeqSet{{math.MaxUint32 - 1, 0}, {math.MaxUint32, math.MaxUint32}}, math.MaxUint32, []uint32{math.MaxUint32 - 1, math.MaxUint32}},
		{"empty", nil, 5, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := slices.Collect(tt.set.All(tt.max))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%v.All(%d) mismatch (-want +got):\n%s", tt.set, tt.max, diff)
			}
		})
	}
}

func TestSeqSetAllStops(t *testing.T) {
	set := SeqSet{{1, 0}}
	var got []uint32
	for n := range set.All(math.MaxUint32) {
		got = append(got, n)
		if len(got) == 3 {
			break
		}
	}
	if diff := cmp.Diff([]uint32{1, 2, 3}, got); diff != "" {
		t.Errorf("All with break mismatch (-want +got):\n%s", diff)
	}
}

func TestSeqSetOfLarge(t *testing.T) {
	// Every other number of 1..4,000,000 shuffled: 2,000,000 ranges.
	nums := make([]uint32, 0, 2_000_000)
	for n := uint32(1); n <= 4_000_000; n += 2 {
		nums = append(nums, n)
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(nums), func(i, j int) { nums[i], nums[j] = nums[j], nums[i] })
	set := SeqSetOf(nums...)
	if len(set) != len(nums) {
		t.Fatalf("SeqSetOf of %d isolated numbers made %d ranges", len(nums), len(set))
	}
	// The same numbers with their even neighbours form one range.
	for n := uint32(2); n <= 4_000_000; n += 2 {
		nums = append(nums, n)
	}
	if diff := cmp.Diff(SeqSet{{1, 4_000_000}}, SeqSetOf(nums...)); diff != "" {
		t.Errorf("SeqSetOf mismatch (-want +got):\n%s", diff)
	}
}

func TestSortedCopy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tests := []struct {
		name string
		n    int
		gen  func() uint32
	}{
		{"small", 100, rng.Uint32},
		{"full 32 bits", 5000, rng.Uint32},
		{"low 16 bits only", 5000, func() uint32 { return rng.Uint32N(1 << 16) }},
		{"same low byte", 5000, func() uint32 { return rng.Uint32() &^ 0xff }},
		{"all equal", 2000, func() uint32 { return 7 }},
		{"with zeros and max", 3000, func() uint32 { return []uint32{0, math.MaxUint32, rng.Uint32()}[rng.IntN(3)] }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nums := make([]uint32, tt.n)
			for i := range nums {
				nums[i] = tt.gen()
			}
			orig := slices.Clone(nums)
			want := slices.Sorted(slices.Values(nums))
			if diff := cmp.Diff(want, sortedCopy(nums)); diff != "" {
				t.Errorf("sortedCopy mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(orig, nums); diff != "" {
				t.Errorf("sortedCopy modified its argument (-want +got):\n%s", diff)
			}
		})
	}
}

func BenchmarkSeqSetOf(b *testing.B) {
	nums := make([]uint32, 2_000_000)
	for i := range nums {
		nums[i] = uint32(i)*3/2 + 1
	}
	b.Run("sorted", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			SeqSetOf(nums...)
		}
	})
	shuffled := slices.Clone(nums)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) {
		shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
	})
	b.Run("shuffled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			SeqSetOf(shuffled...)
		}
	})
}

func BenchmarkParseSeqSet(b *testing.B) {
	s := SeqSetOf(func() []uint32 {
		nums := make([]uint32, 100_000)
		for i := range nums {
			nums[i] = uint32(i)*3/2 + 1
		}
		return nums
	}()...).String()
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSeqSet(s); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleParseSeqSet() {
	set, err := ParseSeqSet("2,4:6,*:20")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(set, set.Dynamic(), set.Contains(5))

	_, err = ParseSeqSet("1:0")
	fmt.Println(err)
	// Output:
	// 2,4:6,20:* true true
	// imap: syntax error at offset 2 in sequence-set: expected nz-number or "*", found "0"
}

func ExampleSeqSetOf() {
	fmt.Println(SeqSetOf(8, 7, 1, 2, 3, 5, 2))
	// Output:
	// 1:3,5,7:8
}

func ExampleSeqSet_All() {
	set := SeqSet{{2, 2}, {4, 6}, {20, 0}}
	// In a mailbox of 22 messages, * is 22.
	for n := range set.All(22) {
		fmt.Print(n, " ")
	}
	fmt.Println()
	// Output:
	// 2 4 5 6 20 21 22
}
