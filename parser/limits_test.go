package parser

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/imapwire/imapwire/wire"
)

// A listLimitCase holds a response with exactly as many list elements (or
// numbers) as its limit allows, and the same response with one more, which
// must fail with wire.ErrListTooLong at off in production.
type listLimitCase struct {
	name       string
	lim        wire.Limits
	at, past   string // CRLF is appended
	off        int64
	production string
}

// listLimitCases cover every list the parser builds. MaxListElems counts
// the list elements of a whole response (see wire.Limits), so each "at"
// input is counted out in its name where more than one list is involved.
var listLimitCases = []listLimitCase{
	{name: "CAPABILITY", lim: wire.Limits{MaxListElems: 3},
		at: "* CAPABILITY a b c", past: "* CAPABILITY a b c d", off: 19, production: "capability-data"},
	{name: "ENABLED", lim: wire.Limits{MaxListElems: 3},
		at: "* ENABLED a b c", past: "* ENABLED a b c d", off: 16, production: "enable-data"},
	{name: "FLAGS", lim: wire.Limits{MaxListElems: 3},
		at: "* FLAGS (a b c)", past: "* FLAGS (a b c d)", off: 15, production: "flag-list"},
	{name: "LIST attributes", lim: wire.Limits{MaxListElems: 3},
		at: `* LIST (a b c) "/" x`, past: `* LIST (a b c d) "/" x`, off: 14, production: "mbx-list-flags"},
	{name: "LIST extended items", lim: wire.Limits{MaxListElems: 2},
		at: `* LIST () "/" x (X-A 1 X-B 2)`, past: `* LIST () "/" x (X-A 1 X-B 2 X-C 3)`, off: 29, production: "mbox-list-extended"},
	{name: "LIST extended value (item 1 + 2 elements)", lim: wire.Limits{MaxListElems: 3},
		// Elements of a value kept raw are counted once it is read: the
		// error points at the value.
		at: `* LIST () "/" x (X-A (a b))`, past: `* LIST () "/" x (X-A (a b c))`, off: 21, production: "tagged-ext-val"},
	{name: "CHILDINFO (item 1 + 1 option)", lim: wire.Limits{MaxListElems: 2},
		at: `* LIST () "/" x (CHILDINFO (A))`, past: `* LIST () "/" x (CHILDINFO (A B))`, off: 30, production: "childinfo-extended-item"},
	{name: "STATUS", lim: wire.Limits{MaxListElems: 2},
		at: "* STATUS x (MESSAGES 1 RECENT 2)", past: "* STATUS x (MESSAGES 1 RECENT 2 UNSEEN 3)", off: 32, production: "status-att-list"},
	{name: "NAMESPACE (1 namespace + 2 fields)", lim: wire.Limits{MaxListElems: 3},
		at: `* NAMESPACE (("" "/")) NIL NIL`, past: `* NAMESPACE (("" "/")) (("~" "/")) NIL`, off: 24, production: "namespace"},
	{name: "ID", lim: wire.Limits{MaxListElems: 4},
		at: `* ID ("name" "x" "version" "1")`, past: `* ID ("name" "x" "version" "1" "os" "y")`, off: 31, production: "id-params-list"},
	{name: "QUOTA", lim: wire.Limits{MaxListElems: 2},
		at: `* QUOTA "" (STORAGE 10 512 MESSAGE 1 100)`, past: `* QUOTA "" (STORAGE 10 512 MESSAGE 1 100 X-R 1 2)`, off: 41, production: "quota-list"},
	{name: "QUOTAROOT", lim: wire.Limits{MaxListElems: 2},
		at: "* QUOTAROOT INBOX a b", past: "* QUOTAROOT INBOX a b c", off: 22, production: "quotaroot-response"},
	{name: "unknown response", lim: wire.Limits{MaxListElems: 3},
		at: "* XFOO a b c", past: "* XFOO a b c d", off: 13, production: "response-data"},
	{name: "unknown response, nested (1 field + 2 elements)", lim: wire.Limits{MaxListElems: 3},
		at: "* XFOO (a b)", past: "* XFOO (a b c)", off: 7, production: "response-data"},
	{name: "ESEARCH items", lim: wire.Limits{MaxListElems: 3},
		at: `* ESEARCH (TAG "a") UID MIN 1 MAX 2 COUNT 2`, past: `* ESEARCH (TAG "a") UID MIN 1 MAX 2 COUNT 2 X-A 1`, off: 44, production: "search-return-data"},
	{name: "THREAD members", lim: wire.Limits{MaxListElems: 3},
		at: "* THREAD (1 2 3)", past: "* THREAD (1 2 3)(4)", off: 17, production: "thread-list"},
	{name: "THREAD nested (3 members + 2 nested lists)", lim: wire.Limits{MaxListElems: 5},
		at: "* THREAD (1 (2)(3))", past: "* THREAD (1 (2)(3 4))", off: 18, production: "thread-list"},
	{name: "FETCH items", lim: wire.Limits{MaxListElems: 2},
		at: "* 1 FETCH (UID 1 RFC822.SIZE 2)", past: "* 1 FETCH (UID 1 RFC822.SIZE 2 MODSEQ (3))", off: 31, production: "msg-att"},
	{name: "FETCH FLAGS (item 1 + 2 flags)", lim: wire.Limits{MaxListElems: 3},
		at: "* 1 FETCH (FLAGS (a b))", past: "* 1 FETCH (FLAGS (a b c))", off: 22, production: "flag-fetch"},
	{name: "X-GM-LABELS (item 1 + 2 labels)", lim: wire.Limits{MaxListElems: 3},
		at: "* 1 FETCH (X-GM-LABELS (a b))", past: "* 1 FETCH (X-GM-LABELS (a b c))", off: 28, production: "x-gm-labels"},
	{name: "lists of one response add up (2 items + 2 elements)", lim: wire.Limits{MaxListElems: 4},
		at: "* 1 FETCH (FLAGS (a) X-GM-LABELS (b))", past: "* 1 FETCH (FLAGS (a) X-GM-LABELS (b c))", off: 36, production: "x-gm-labels"},
	{name: "raw FETCH item (item 1 + 2 elements)", lim: wire.Limits{MaxListElems: 3},
		at: "* 1 FETCH (X-A (a b))", past: "* 1 FETCH (X-A (a b c))", off: 15, production: "msg-att"},
	{name: "body-fld-param (item 1 + 2 strings)", lim: wire.Limits{MaxListElems: 3},
		at:   `* 1 FETCH (BODY ("TEXT" "PLAIN" ("A" "1") NIL NIL "7BIT" 1 1))`,
		past: `* 1 FETCH (BODY ("TEXT" "PLAIN" ("A" "1" "B" "2") NIL NIL "7BIT" 1 1))`, off: 41, production: "body-fld-param"},
	{name: "MIME parts (item 1 + 2 parts)", lim: wire.Limits{MaxListElems: 3},
		at:   `* 1 FETCH (BODY (("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1)("TEXT" "HTML" NIL NIL NIL "7BIT" 1 1) "ALTERNATIVE"))`,
		past: `* 1 FETCH (BODY (("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1)("TEXT" "HTML" NIL NIL NIL "7BIT" 1 1)("TEXT" "HTML" NIL NIL NIL "7BIT" 1 1) "ALTERNATIVE"))`,
		off:  94, production: "body-type-mpart"},
	{name: "body-fld-lang (item 1 + 2 languages)", lim: wire.Limits{MaxListElems: 3},
		at:   `* 1 FETCH (BODY ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1 NIL NIL ("en" "fr")))`,
		past: `* 1 FETCH (BODY ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1 NIL NIL ("en" "fr" "de")))`, off: 74, production: "body-fld-lang"},
	{name: "body-extension (item 1 + extension 1 + 1 element)", lim: wire.Limits{MaxListElems: 3},
		at:   `* 1 FETCH (BODY ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1 NIL NIL NIL NIL (a)))`,
		past: `* 1 FETCH (BODY ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1 NIL NIL NIL NIL (a b)))`, off: 71, production: "body-extension"},
	{name: "addresses (item 1 + 2 addresses)", lim: wire.Limits{MaxListElems: 3},
		at:   `* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL "a" "b")(NIL NIL "c" "d")) NIL NIL NIL NIL NIL NIL NIL))`,
		past: `* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL "a" "b")(NIL NIL "c" "d")(NIL NIL "e" "f")) NIL NIL NIL NIL NIL NIL NIL))`, off: 64, production: "env-from"},
	{name: "CAPABILITY response code", lim: wire.Limits{MaxListElems: 3},
		at: "* OK [CAPABILITY a b c] x", past: "* OK [CAPABILITY a b c d] x", off: 6, production: "resp-text-code"},
	{name: "PERMANENTFLAGS response code", lim: wire.Limits{MaxListElems: 3},
		at: "* OK [PERMANENTFLAGS (a b c)] x", past: "* OK [PERMANENTFLAGS (a b c d)] x", off: 6, production: "resp-text-code"},

	// Number lists count against MaxNumList, a sequence-set range as two.
	{name: "SEARCH", lim: wire.Limits{MaxNumList: 4},
		at: "* SEARCH 1 2 3 4", past: "* SEARCH 1 2 3 4 5", off: 17, production: "mailbox-data"},
	{name: "SEARCH with MODSEQ", lim: wire.Limits{MaxNumList: 2},
		at: "* SEARCH 1 2 (MODSEQ 5)", past: "* SEARCH 1 2 3 (MODSEQ 5)", off: 13, production: "mailbox-data"},
	{name: "SORT", lim: wire.Limits{MaxNumList: 4},
		at: "* SORT 1 2 3 4", past: "* SORT 1 2 3 4 5", off: 15, production: "sort-data"},
	{name: "ESEARCH ALL", lim: wire.Limits{MaxNumList: 4},
		at: "* ESEARCH ALL 1:2,4", past: "* ESEARCH ALL 1:2,4,6", off: 20, production: "sequence-set"},
	{name: "VANISHED", lim: wire.Limits{MaxNumList: 4},
		at: "* VANISHED 1,3", past: "* VANISHED 1,3,5", off: 15, production: "known-uids"},
	{name: "COPYUID response code", lim: wire.Limits{MaxNumList: 4},
		at: "* OK [COPYUID 1 1:2,4 5:6,8] x", past: "* OK [COPYUID 1 1:2,4 5:6,8,9] x", off: 6, production: "resp-text-code"},
}

// TestListLimits checks each list exactly at its limit and one past it,
// in both modes, through a one-byte reader too, and that the stream goes
// on after the refused response.
func TestListLimits(t *testing.T) {
	const next = "* 9 EXISTS\r\n"
	for _, tc := range listLimitCases {
		for _, strict := range []bool{false, true} {
			for _, wrap := range []func(io.Reader) io.Reader{nil, iotest.OneByteReader} {
				name := fmt.Sprintf("%s/strict=%v/onebyte=%v", tc.name, strict, wrap != nil)
				t.Run(name, func(t *testing.T) {
					open := func(in string) *Reader {
						var rd io.Reader = strings.NewReader(in + "\r\n" + next)
						if wrap != nil {
							rd = wrap(rd)
						}
						return NewReader(rd, &Options{Strict: strict, Limits: tc.lim})
					}
					r := open(tc.at)
					if resp, err := r.ReadResponse(); err != nil {
						t.Fatalf("at the limit: %v, %v", resp, err)
					}
					r = open(tc.past)
					resp, err := r.ReadResponse()
					var se *wire.SyntaxError
					if !errors.As(err, &se) {
						t.Fatalf("one past the limit: %v, %v; want a *wire.SyntaxError", resp, err)
					}
					if !errors.Is(err, wire.ErrListTooLong) {
						t.Errorf("one past the limit: %v; want errors.Is wire.ErrListTooLong", err)
					}
					if se.Offset != tc.off || se.Production != tc.production {
						t.Errorf("one past the limit: offset %d in %q, want offset %d in %q (%v)", se.Offset, se.Production, tc.off, tc.production, err)
					}
					resp, err = r.ReadResponse()
					if diff := cmp.Diff(Response(&Exists{Num: 9}), resp); err != nil || diff != "" {
						t.Errorf("after the refused response: %v (-want +got):\n%s", err, diff)
					}
				})
			}
		}
	}
}

// measure runs f and returns the bytes it allocated (runtime.MemStats
// TotalAlloc, an upper bound of its peak) and the peak of the live heap
// above where it started, sampled every millisecond (for the log only).
func measure(f func()) (total, peak uint64) {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var maxHeap atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > maxHeap.Load() {
					maxHeap.Store(m.HeapAlloc)
				}
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	peak = max(maxHeap.Load(), after.HeapAlloc)
	if peak > before.HeapAlloc {
		peak -= before.HeapAlloc
	} else {
		peak = 0
	}
	return after.TotalAlloc - before.TotalAlloc, peak
}

const mib = 1 << 20

// TestHostileLine sends 64 MiB lines that never end, with the default
// limits: each must fail with a *wire.SyntaxError wrapping
// wire.ErrListTooLong while the memory allocated stays within a stated
// budget. Before the limits, the SEARCH line cost 287-434 MiB and the
// CAPABILITY line 1.5 GiB and 17 s.
func TestHostileLine(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB inputs")
	}
	nested := "(" + strings.Repeat("a ", 999) + "a) "
	cases := []struct {
		name       string
		prefix     string
		unit       string // repeated to 64 MiB, with no CRLF
		production string
		budget     uint64
		why        string
	}{
		{"SEARCH of 32M numbers", "* SEARCH", " 1", "mailbox-data", 80 * mib,
			"MaxNumList (16 Mi) numbers of 4 bytes, 64 MiB, plus a quarter"},
		{"CAPABILITY of 32M atoms", "* CAPABILITY", " a", "capability-data", 40 * mib,
			"MaxListElems (1 M) strings of 16 bytes, in chunks, and their bytes, more than twice over"},
		{"unknown response of lists of 1,000 atoms", "* XFOO ", nested, "response-data", 160 * mib,
			"MaxListElems (1 M) wire.Values of 48 bytes, twice over for the growth of each list, plus two thirds"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := io.MultiReader(strings.NewReader(tc.prefix), io.LimitReader(&repeatReader{data: []byte(tc.unit)}, 64*mib))
			var err error
			total, peak := measure(func() {
				_, err = NewReader(in, nil).ReadResponse()
			})
			t.Logf("%s: allocated %.1f MiB, live heap peak %.1f MiB (budget %d MiB: %s)", tc.name, float64(total)/mib, float64(peak)/mib, tc.budget/mib, tc.why)
			var se *wire.SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, wire.ErrListTooLong) {
				t.Fatalf("got %v (%T), want a *wire.SyntaxError wrapping wire.ErrListTooLong", err, err)
			}
			if se.Production != tc.production {
				t.Errorf("production %q, want %q", se.Production, tc.production)
			}
			if total > tc.budget {
				t.Errorf("allocated %d bytes, budget %d", total, tc.budget)
			}
		})
	}
}

// TestSearch2MMemory parses a SEARCH of 2,000,000 UIDs (a UID SEARCH ALL of
// a large mailbox) and checks that the bytes allocated stay within twice
// the result's size, plus a little: the numbers are gathered in chunks and
// copied once into a slice of exactly their size, instead of a slice grown
// by doubling (41.7 MB allocated for this 8 MB result before).
func TestSearch2MMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("16 MB input")
	}
	const n = 2_000_000
	var b bytes.Buffer
	b.WriteString("* SEARCH")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, " %d", i*3)
	}
	b.WriteString("\r\n")
	wireSize := b.Len()
	var resp Response
	var err error
	total, peak := measure(func() {
		resp, err = NewReader(bytes.NewReader(b.Bytes()), nil).ReadResponse()
	})
	if err != nil {
		t.Fatal(err)
	}
	s := resp.(*Search)
	if len(s.Nums) != n || s.Nums[n-1] != 3*n {
		t.Fatalf("got %d numbers, last %d", len(s.Nums), s.Nums[len(s.Nums)-1])
	}
	result := uint64(4 * n)
	t.Logf("2M SEARCH: %d bytes on the wire, result %d bytes (cap %d), allocated %d (%.2fx the result, %.2fx the wire), live heap peak %d",
		wireSize, 4*len(s.Nums), cap(s.Nums), total, float64(total)/float64(4*n), float64(total)/float64(wireSize), peak)
	if cap(s.Nums) != n {
		t.Errorf("result capacity %d, want exactly %d", cap(s.Nums), n)
	}
	if budget := 2*result + 2*mib; total > budget {
		t.Errorf("allocated %d bytes for a %d-byte result, budget %d (twice the result plus 2 MiB)", total, result, budget)
	}
}
