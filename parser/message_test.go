package parser

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/imapwire/imapwire/wire"
)

// TestAddGrowsWithData: Message.Add reads a streaming body into a buffer
// that grows as bytes arrive, never by the declared Size: a huge Size with
// a few bytes and then EOF is io.ErrUnexpectedEOF at the cost of those few
// bytes (it was a makeslice panic, or 500 MiB allocated at once).
func TestAddGrowsWithData(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 100_000) // 1.6 MB: several doublings
	cases := []struct {
		name    string
		size    int64
		body    io.Reader
		want    []byte // nil: want err
		err     error
		maxHeap uint64 // bytes allocated: doubling from 32 KiB to the size allocates less than 3 times the size
	}{
		{name: "exact size", size: int64(len(body)), body: bytes.NewReader(body), want: body, maxHeap: 3 * uint64(len(body))},
		{name: "exact size, one byte at a time", size: int64(len(body)), body: iotest.OneByteReader(bytes.NewReader(body)), want: body, maxHeap: 3 * uint64(len(body))},
		{name: "empty", size: 0, body: strings.NewReader(""), want: []byte{}, maxHeap: 4 << 10},
		{name: "one byte", size: 1, body: strings.NewReader("x"), want: []byte("x"), maxHeap: 4 << 10},
		{name: "500 MiB declared, 10 bytes sent", size: 524288000, body: strings.NewReader("0123456789"), err: io.ErrUnexpectedEOF, maxHeap: 1 * mib},
		{name: "MaxInt64 declared, 10 bytes sent", size: 1<<63 - 1, body: strings.NewReader("0123456789"), err: io.ErrUnexpectedEOF, maxHeap: 1 * mib},
		{name: "1 byte short", size: int64(len(body)) + 1, body: bytes.NewReader(body), err: io.ErrUnexpectedEOF, maxHeap: 3 * uint64(len(body))},
		{name: "negative size", size: -1, body: strings.NewReader("x"), err: errNegativeSize, maxHeap: 4 << 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			item := &BodySectionItem{Name: "BODY", Origin: -1, Size: tc.size, Body: tc.body}
			m := &Message{}
			var err error
			total, _ := measure(func() {
				defer func() {
					if p := recover(); p != nil {
						err = fmt.Errorf("panic: %v", p)
					}
				}()
				err = m.Add(item)
			})
			t.Logf("allocated %d bytes", total)
			if tc.want == nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("got %v, want errors.Is %v", err, tc.err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if len(m.Sections) != 1 || !bytes.Equal(m.Sections[0].Data, tc.want) {
					t.Fatalf("got %d sections, data %.20q, want %.20q", len(m.Sections), m.Section("BODY[]"), tc.want)
				}
				if m.Sections[0].Body != nil {
					t.Errorf("Body kept after Add")
				}
			}
			if total > tc.maxHeap {
				t.Errorf("allocated %d bytes, want at most %d", total, tc.maxHeap)
			}
		})
	}
}

// TestCollectHugeDeclaredLiteral: with MaxLiteral raised, a FETCH whose
// literal announces 500 MiB and sends 10 bytes before the connection ends
// costs 10 bytes' worth of memory, not 500 MiB, and is io.ErrUnexpectedEOF.
func TestCollectHugeDeclaredLiteral(t *testing.T) {
	for _, size := range []int64{524288000, 1<<63 - 1} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			in := fmt.Sprintf("* 1 FETCH (BODY[] {%d}\r\n0123456789", size)
			r := NewReader(strings.NewReader(in), &Options{Limits: wire.Limits{MaxLiteral: 1<<63 - 1}})
			var err error
			total, _ := measure(func() {
				defer func() {
					if p := recover(); p != nil {
						err = fmt.Errorf("panic: %v", p)
					}
				}()
				_, err = r.ReadResponse()
			})
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("got %v, want io.ErrUnexpectedEOF", err)
			}
			if total > 1*mib {
				t.Errorf("allocated %d bytes for 10 bytes received", total)
			}
		})
	}
}

// TestCollectExactLiteral: a body section's data is exactly what was
// sent, through a one-byte reader too.
func TestCollectExactLiteral(t *testing.T) {
	body := strings.Repeat("line of text\r\n", 10_000)
	in := fmt.Sprintf("* 1 FETCH (BODY[] {%d}\r\n%s UID 4)\r\n", len(body), body)
	for _, wrap := range []func(io.Reader) io.Reader{nil, iotest.OneByteReader} {
		var rd io.Reader = strings.NewReader(in)
		if wrap != nil {
			rd = wrap(rd)
		}
		resp, err := NewReader(rd, nil).ReadResponse()
		if err != nil {
			t.Fatal(err)
		}
		m := resp.(*Message)
		if got := m.Section("BODY[]"); string(got) != body || cap(got) != len(body) {
			t.Fatalf("BODY[]: %d bytes (cap %d), want the %d sent", len(got), cap(got), len(body))
		}
		m.Sections[0].Data = nil // compared above: cmp is slow on 140 KB
		want := &Message{SeqNum: 1, Items: []string{"BODY[]", "UID"}, UID: 4, Sections: []BodySectionItem{{Name: "BODY", Origin: -1, Size: int64(len(body))}}}
		if diff := cmp.Diff(want, resp, cmpOpts...); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	}
}
