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

// TestMailboxNameNotMUTF7: every command that takes a mailbox name
// answers a well-formed command whose name is not modified UTF-7 with NO
// and Dovecot's text, never BAD: the syntax is fine, the name is not. In
// both modes, in every position a name can take.
func TestMailboxNameNotMUTF7(t *testing.T) {
	const no = "NO Mailbox name is not valid mUTF-7"
	const invalid = no + `: imap: syntax error at offset 4 in mailbox (modified UTF-7): invalid modified UTF-7: expected modified BASE64 or "-", found end of input`
	const utf8 = no + ` (send it as "W&APY-rk")`
	tests := []struct {
		cmd  string // %s is the name
		want string // for &Jjo; for "Wörk" it is utf8
	}{
		{"SELECT %s", invalid},
		{"SELECT %s (CONDSTORE)", invalid},
		{"EXAMINE %s", invalid},
		{"CREATE %s", invalid},
		{"DELETE %s", invalid},
		{"RENAME %s INBOX.Trash", invalid},
		{"RENAME Work %s", invalid},
		{"SUBSCRIBE %s", invalid},
		{"UNSUBSCRIBE %s", invalid},
		{"STATUS %s (MESSAGES)", invalid},
		{"APPEND %s {1}\r\nx", invalid},
		{"APPEND %s (\\Seen) {1}\r\nx", invalid},
		{"COPY 1 %s", invalid},
		{"MOVE 1 %s", invalid},
		{"UID COPY 1 %s", invalid},
		{"UID MOVE 1 %s", invalid},
		{"GETQUOTAROOT %s", invalid},
	}
	for _, mode := range []Mode{ModeDovecot, ModeOther} {
		s, err := New(&Options{UIDValidity: 1000, Mode: mode})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		r := dialRaw(t, s)
		r.login()
		r.ok("SELECT INBOX")
		for _, tt := range tests {
			for _, name := range []string{"&Jjo", `"Wörk"`} {
				want := tt.want
				if name != "&Jjo" {
					want = utf8
				}
				if mode == ModeOther && name == "&Jjo" {
					// The offset counts in the name: "INBOX." is six more.
					want = strings.Replace(want, "offset 4", "offset 10", 1)
				}
				line := strings.Replace(tt.cmd, "%s", name, 1)
				if mode == ModeOther && name == "&Jjo" {
					line = strings.Replace(tt.cmd, "%s", "INBOX.&Jjo", 1)
				}
				t.Run(string(mode)+"/"+line, func(t *testing.T) {
					_, tagged := r.cmd(line)
					if tagged != want {
						t.Errorf("%s: %s, want %s", line, tagged, want)
					}
				})
			}
		}
	}
}
