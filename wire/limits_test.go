package wire

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func opSeqSet(r *Reader) (any, error) { return r.ReadSeqSet("p") }

func atomValue(s string) Value { return Value{Kind: KindAtom, Text: s} }
func listValue(vs ...Value) Value {
	return Value{Kind: KindList, List: append([]Value{}, vs...)}
}

// TestCountLimits checks MaxListElems over a whole value (nested lists
// included) and MaxNumList over a sequence set (a range counts two),
// exactly at each limit and one past it.
func TestCountLimits(t *testing.T) {
	at := []struct {
		name string
		in   string
		op   op
		want any
	}{
		{"value at MaxListElems, nested", "(a (b) c) ", opValue, listValue(atomValue("a"), listValue(atomValue("b")), atomValue("c"))},
		{"value at MaxListElems, lists of lists", "((a) (b)) ", opValue, listValue(listValue(atomValue("a")), listValue(atomValue("b")))},
		{"sequence set at MaxNumList, ranges", "1:2,4:* ", opSeqSet, SeqSet{{1, 2}, {4, 0}}},
		{"sequence set at MaxNumList, numbers", "1,3 ", opSeqSet, SeqSet{{1, 1}, {3, 3}}},
	}
	for _, tc := range at {
		for _, k := range readerKinds {
			t.Run(tc.name+"/"+k.name, func(t *testing.T) {
				got, err := tc.op(newTestReader(tc.in, k.wrap, false, small))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	}
	past := []struct {
		name string
		in   string
		op   op
		off  int64
	}{
		{"value past MaxListElems, nested", "(a (b c) d) ", opValue, 9},
		{"value past MaxListElems, lists of lists", "((a b) (c d)) ", opValue, 8},
		{"value past MaxListElems, deep", "(((a b c))) ", opValue, 7},
		{"sequence set past MaxNumList, ranges", "1:2,4:*,6 ", opSeqSet, 8},
		{"sequence set past MaxNumList, numbers", "1,3,5 ", opSeqSet, 4},
	}
	for _, tc := range past {
		for _, k := range readerKinds {
			t.Run(tc.name+"/"+k.name, func(t *testing.T) {
				_, err := tc.op(newTestReader(tc.in, k.wrap, false, small))
				checkSyntaxError(t, err, tc.off, "p", ErrListTooLong)
			})
		}
	}
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestLiteralGrowsWithData: a buffered literal (LiteralBytes, and the
// string-valued reads built on it) takes memory as its bytes arrive, not as
// its header announces: a {67108864} (exactly MaxLiteral) followed by 10
// bytes and the end of the stream is io.ErrUnexpectedEOF at the cost of a
// few KiB; it allocated 64 MiB at once before.
func TestLiteralGrowsWithData(t *testing.T) {
	ops := []struct {
		name string
		op   op
	}{
		{"LiteralBytes", opLitBytes},
		{"ReadString", opString},
		{"ReadValue", opValue},
		{"ReadNString", opNString},
		{"ReadAString", opAString},
	}
	for _, o := range ops {
		for _, k := range readerKinds {
			t.Run(o.name+"/"+k.name, func(t *testing.T) {
				in := fmt.Sprintf("{%d}\r\n0123456789", DefaultLimits.MaxLiteral)
				r := newTestReader(in, k.wrap, false, Limits{})
				var err error
				n := allocated(func() { _, err = o.op(r) })
				if err != io.ErrUnexpectedEOF {
					t.Errorf("got %v, want io.ErrUnexpectedEOF", err)
				}
				// The Reader's 64 KiB buffer and the first 32 KiB of
				// the literal's.
				if n > 256<<10 {
					t.Errorf("allocated %d bytes for 10 bytes of a literal", n)
				}
			})
		}
	}
}

// TestLiteralBytesExact: literals of sizes around the growth steps of
// LiteralBytes come back whole, with no spare capacity.
func TestLiteralBytesExact(t *testing.T) {
	for _, size := range []int{0, 1, 32<<10 - 1, 32 << 10, 32<<10 + 1, 100_000, 1 << 20} {
		body := bytes.Repeat([]byte("abcdefghijklmnopqrstuvwxyz\r\n"), size/28+1)[:size]
		for _, k := range readerKinds {
			t.Run(fmt.Sprintf("%d/%s", size, k.name), func(t *testing.T) {
				r := newTestReader(fmt.Sprintf("{%d}\r\n%s)", size, body), k.wrap, false, Limits{})
				if _, err := r.ReadLiteralHeader("p"); err != nil {
					t.Fatal(err)
				}
				got, err := r.LiteralBytes("p")
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, body) || cap(got) != size {
					t.Fatalf("got %d bytes (cap %d), want %d", len(got), cap(got), size)
				}
				if c, err := r.ReadByte(); c != ')' || err != nil {
					t.Errorf("after the literal: %q, %v", c, err)
				}
			})
		}
	}
}

// TestLiteralBytesShortThenLimit: a literal cut short leaves the Reader's
// error final, and a literal past MaxLiteral is still refused before
// anything is read.
func TestLiteralBytesShortThenLimit(t *testing.T) {
	r := newTestReader("{17}\r\n01234567890123456", func(r io.Reader) io.Reader { return r }, false, small)
	if _, err := r.ReadLiteralHeader("p"); err != nil {
		t.Fatal(err)
	}
	_, err := r.LiteralBytes("p")
	checkSyntaxError(t, err, 6, "p", ErrLiteralTooLarge)
	if !errors.Is(err, ErrLiteralTooLarge) || !strings.Contains(err.Error(), "literal") {
		t.Errorf("got %v", err)
	}
}
