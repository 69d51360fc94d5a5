package demo

import (
	"slices"
	"strings"
	"testing"
)

// TestRecentOneSession: \Recent is told to exactly one read-write session
// (RFC 3501 section 2.3.2), and STATUS RECENT, SELECT's RECENT, FETCH
// FLAGS and SEARCH RECENT of every session agree with that. A read-only
// session (EXAMINE) sees the messages no session has as recent without
// taking them (section 6.3.2), consistently in its count, FLAGS and
// SEARCH.
func TestRecentOneSession(t *testing.T) {
	s := testServer(t)
	sess := map[string]*raw{}
	for _, n := range []string{"A", "B", "C"} {
		sess[n] = dialRaw(t, s)
		sess[n].login()
	}
	const msg = "APPEND r {20+}\r\nSubject: r\r\n\r\nbody\r\n"
	steps := []struct {
		who, cmd string
		want     []string // the EXISTS, RECENT, FETCH, SEARCH and STATUS lines, exactly
	}{
		{"B", "CREATE r", nil},
		{"B", msg, nil},
		{"C", "EXAMINE r", []string{"* 1 EXISTS", "* 1 RECENT"}},
		{"C", "FETCH 1 FLAGS", []string{`* 1 FETCH (FLAGS (\Recent))`}},
		{"C", "SEARCH RECENT", []string{"* SEARCH 1"}},
		{"A", "STATUS r (MESSAGES RECENT)", []string{"* STATUS r (MESSAGES 1 RECENT 1)"}},
		{"A", "SELECT r", []string{"* 1 EXISTS", "* 1 RECENT"}},
		{"A", "FETCH 1 FLAGS", []string{`* 1 FETCH (FLAGS (\Recent))`}},
		{"A", "STATUS r (RECENT)", []string{"* STATUS r (RECENT 1)"}},
		{"B", "STATUS r (MESSAGES RECENT)", []string{"* STATUS r (MESSAGES 1 RECENT 0)"}},
		{"B", "SELECT r", []string{"* 1 EXISTS", "* 0 RECENT"}},
		{"B", "FETCH 1 FLAGS", []string{`* 1 FETCH (FLAGS ())`}},
		{"B", "SEARCH RECENT", []string{"* SEARCH"}},
		{"A", msg, []string{"* 2 EXISTS", "* 2 RECENT"}},
		{"B", "NOOP", []string{"* 2 EXISTS", "* 0 RECENT"}},
		{"B", "STATUS r (RECENT)", []string{"* STATUS r (RECENT 0)"}},
		{"C", "NOOP", []string{"* 2 EXISTS", "* 1 RECENT"}},
		{"C", "SEARCH RECENT", []string{"* SEARCH 1"}},
		{"A", "SEARCH RECENT", []string{"* SEARCH 1 2"}},
		{"A", "CLOSE", nil},
		{"B", "STATUS r (RECENT)", []string{"* STATUS r (RECENT 0)"}},
		{"A", "SELECT r", []string{"* 2 EXISTS", "* 0 RECENT"}},
	}
	for i, st := range steps {
		u := sess[st.who].ok(st.cmd)
		var got []string
		for _, l := range u {
			if strings.HasSuffix(l, " EXISTS") || strings.HasSuffix(l, " RECENT") || strings.Contains(l, " FETCH (") ||
				strings.HasPrefix(l, "* SEARCH") || strings.HasPrefix(l, "* STATUS ") {
				got = append(got, l)
			}
		}
		if !slices.Equal(got, st.want) {
			t.Errorf("step %d, %s %q: %q, want %q", i, st.who, st.cmd, got, st.want)
		}
	}
}
