package command

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/imapwire/imapwire/parser"
)

// TestReadAhead: with the default Options.ReadAheadBody, small bodies reach
// the consumer whole (no hand-off per message), a body larger than the
// threshold still streams, and no more than readAhead bytes are queued
// ahead of a consumer that does not read.
func TestReadAhead(t *testing.T) {
	stopped := make(chan struct{}, 1)
	c, p := start(t, &Options{ReadAheadBody: smallBody, reserveWait: func() {
		select {
		case stopped <- struct{}{}:
		default:
		}
	}})
	cmd := send(t, c, uidFetchSpec("1:*", "UID", "BODY.PEEK[]"))
	p.expect("A1 UID FETCH 1:* (UID BODY.PEEK[])")

	const n, size = 200, 40 << 10 // 8 MB in all: twice the read-ahead budget
	body := strings.Repeat("x", size-2) + "\r\n"
	big := strings.Repeat("y", smallBody+1)
	go func() {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "* %d FETCH (UID %d BODY[] {%d}\r\n%s)\r\n", i, i, size, body)
		}
		fmt.Fprintf(&b, "* %d FETCH (UID %d BODY[] {%d}\r\n%s)\r\n", n+1, n+1, len(big), big)
		b.WriteString("A1 OK done\r\n")
		p.conn.Write([]byte(b.String()))
	}()

	// Nobody reads: the reader must stop at the budget.
	select {
	case <-stopped:
	case <-testCtx(t).Done():
		t.Fatal("the reader never stopped at the read-ahead budget")
	}
	cmd.mu.Lock()
	ahead := cmd.ahead
	cmd.mu.Unlock()
	if ahead > readAhead+size {
		t.Fatalf("%d bytes read ahead, budget %d", ahead, readAhead)
	}
	if ahead == 0 {
		t.Fatalf("nothing was read ahead")
	}

	for i := 1; i <= n+1; i++ {
		x, err := cmd.Next(testCtx(t))
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		m := x.(*Message)
		if m.stream != (i == n+1) {
			t.Fatalf("message %d: stream = %v", i, m.stream)
		}
		for {
			it, err := m.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if bs, ok := it.(*parser.BodySectionItem); ok {
				var got bytes.Buffer
				if _, err := io.Copy(&got, bs.Body); err != nil {
					t.Fatal(err)
				}
				want := body
				if i == n+1 {
					want = big
				}
				if got.String() != want {
					t.Fatalf("message %d: body of %d bytes, want %d", i, got.Len(), len(want))
				}
			}
		}
	}
	if _, err := cmd.Next(testCtx(t)); err != io.EOF {
		t.Fatalf("after the last message: %v, want io.EOF", err)
	}
}
