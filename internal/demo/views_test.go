package demo

import (
	"slices"
	"testing"
)

// TestViewConsistency: what another session did reaches a session in an
// order that keeps its view consistent (issue 19 section 3): a FETCH
// never shows a keyword that no FLAGS listed before it (RFC 3501 section
// 7.2.6), and a message another session expunged stays addressable, in
// SEARCH too, until the session is told (section 7.4.1).
func TestViewConsistency(t *testing.T) {
	const flags = `* FLAGS (\Answered \Flagged \Deleted \Seen \Draft $new)`
	const perm = `* OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft $new \*)] Flags permitted.`
	steps := []struct {
		who, cmd string
		want     []string
	}{
		{"A", `STORE 1 +FLAGS.SILENT ($new)`, []string{flags, perm}},
		{"B", `FETCH 1 (FLAGS)`, []string{flags, perm, `* 1 FETCH (FLAGS (\Seen $new))`, `* 1 FETCH (FLAGS (\Seen $new))`}},
		{"A", `STORE 2 +FLAGS.SILENT ($new2)`, nil},
		{"B", `STORE 2 +FLAGS ($new)`, []string{
			`* FLAGS (\Answered \Flagged \Deleted \Seen \Draft $new $new2)`,
			`* OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft $new $new2 \*)] Flags permitted.`,
			`* 2 FETCH (FLAGS (\Answered \Seen $new2 $new))`, `* 2 FETCH (FLAGS (\Answered \Seen $new2 $new))`}},
		{"A", `STORE 3 +FLAGS.SILENT (\Deleted)`, nil},
		{"A", `EXPUNGE`, []string{"* 3 EXPUNGE"}},
		{"B", `SEARCH ALL`, []string{"* SEARCH 1 2 3 4 5"}},
		{"B", `SEARCH DELETED`, []string{"* SEARCH 3"}},
		{"B", `FETCH 3 (UID FLAGS)`, []string{`* 3 FETCH (UID 3 FLAGS (\Deleted))`}},
		{"B", `NOOP`, []string{"* 3 EXPUNGE"}},
		{"B", `SEARCH ALL`, []string{"* SEARCH 1 2 3 4"}},
	}
	s := testServer(t)
	sess := map[string]*raw{"A": dialRaw(t, s), "B": dialRaw(t, s)}
	for _, who := range []string{"A", "B"} { // A selects first: \Recent is A's
		r := sess[who]
		r.login()
		r.ok("SELECT Work")
	}
	for i, st := range steps {
		u := sess[st.who].ok(st.cmd)
		if st.want != nil && !slices.Equal(u, st.want) {
			t.Errorf("step %d, %s %q:\n got %q\nwant %q", i, st.who, st.cmd, u, st.want)
		}
	}
}
