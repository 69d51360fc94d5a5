package demo

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
)

// TestCondstoreImplicitHighestModSeq: the first CONDSTORE enabling command
// (RFC 7162 section 3.1) in a selected mailbox announces OK [HIGHESTMODSEQ
// n] before its own answer, as Dovecot does; a second one does not, and
// neither does one with no mailbox selected (SELECT will send it).
func TestCondstoreImplicitHighestModSeq(t *testing.T) {
	const hms = "* OK [HIGHESTMODSEQ 6] Highest"
	tests := []struct {
		name  string
		cmds  []string
		wants [][]string // the untagged responses of each command
	}{
		{"FETCH MODSEQ", []string{"FETCH 1 (MODSEQ)", "FETCH 2 (MODSEQ)"},
			[][]string{{hms, "* 1 FETCH (MODSEQ (2))"}, {"* 2 FETCH (MODSEQ (3))"}}},
		{"FETCH CHANGEDSINCE", []string{"FETCH 1:* (UID) (CHANGEDSINCE 5)"},
			[][]string{{hms, "* 5 FETCH (UID 5 MODSEQ (6))"}}},
		{"SEARCH MODSEQ", []string{"SEARCH MODSEQ 6"},
			[][]string{{hms, "* SEARCH 5 (MODSEQ 6)"}}},
		{"STORE UNCHANGEDSINCE", []string{`STORE 1 (UNCHANGEDSINCE 100) +FLAGS.SILENT (\Flagged)`},
			[][]string{{hms, "* 1 FETCH (MODSEQ (7))"}}},
		{"STATUS HIGHESTMODSEQ", []string{"STATUS INBOX (HIGHESTMODSEQ)"},
			[][]string{{hms, "* STATUS INBOX (HIGHESTMODSEQ 27)"}}},
		{"ENABLE", []string{"ENABLE CONDSTORE", "ENABLE QRESYNC", "FETCH 1 (MODSEQ)"},
			[][]string{{"* ENABLED CONDSTORE", hms}, {"* ENABLED QRESYNC"}, {"* 1 FETCH (MODSEQ (2))"}}},
		{"ENABLE QRESYNC", []string{"ENABLE QRESYNC"},
			[][]string{{"* ENABLED QRESYNC", hms}}},
		{"not CONDSTORE", []string{"FETCH 1 (UID)", "SEARCH UID 1"},
			[][]string{{"* 1 FETCH (UID 1)"}, {"* SEARCH 1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testServer(t)
			r := dialRaw(t, s)
			r.login()
			r.ok("SELECT Work")
			for i, c := range tt.cmds {
				if u := r.ok(c); !slices.Equal(u, tt.wants[i]) {
					t.Errorf("%s: %q, want %q", c, u, tt.wants[i])
				}
			}
		})
	}
	t.Run("no mailbox selected", func(t *testing.T) {
		s := testServer(t)
		r := dialRaw(t, s)
		r.login()
		if u := r.ok("STATUS Work (HIGHESTMODSEQ)"); !slices.Equal(u, []string{"* STATUS Work (HIGHESTMODSEQ 6)"}) {
			t.Errorf("STATUS: %q", u)
		}
		if u := r.ok("SELECT Work"); !slices.Contains(u, hms) {
			t.Errorf("SELECT: %q", u)
		}
		if u := r.ok("FETCH 1 (MODSEQ)"); !slices.Equal(u, []string{"* 1 FETCH (MODSEQ (2))"}) {
			t.Errorf("FETCH: %q", u)
		}
	})
}

// TestESearchMinMaxModSeq: with MIN and/or MAX alone, the MODSEQ of an
// ESEARCH is the highest of the messages returned; with ALL or COUNT,
// of every match (RFC 4731 section 3.2).
func TestESearchMinMaxModSeq(t *testing.T) {
	s := testServer(t)
	r := dialRaw(t, s)
	r.login()
	r.ok("ENABLE CONDSTORE")
	r.ok("SELECT Work")
	// Work: messages 1..5 with MODSEQ 2..6; make 1 the highest.
	r.ok(`STORE 1 +FLAGS.SILENT (\Flagged)`) // MODSEQ 7
	tests := []struct {
		search string
		want   string
	}{
		{"SEARCH RETURN (MIN) MODSEQ 1", `* ESEARCH (TAG "%s") MIN 1 MODSEQ 7`},
		{"SEARCH RETURN (MAX) MODSEQ 1", `* ESEARCH (TAG "%s") MAX 5 MODSEQ 6`},
		{"SEARCH RETURN (MIN MAX) MODSEQ 1", `* ESEARCH (TAG "%s") MIN 1 MAX 5 MODSEQ 7`},
		{"SEARCH RETURN (MIN) 2:4 MODSEQ 1", `* ESEARCH (TAG "%s") MIN 2 MODSEQ 3`},
		{"SEARCH RETURN (MIN MAX) 2:4 MODSEQ 1", `* ESEARCH (TAG "%s") MIN 2 MAX 4 MODSEQ 5`},
		{"UID SEARCH RETURN (MAX) 2:3 MODSEQ 1", `* ESEARCH (TAG "%s") UID MAX 3 MODSEQ 4`},
		{"SEARCH RETURN (MIN COUNT) 2:4 MODSEQ 1", `* ESEARCH (TAG "%s") MIN 2 COUNT 3 MODSEQ 5`},
		{"SEARCH RETURN (MAX ALL) 1:2 MODSEQ 1", `* ESEARCH (TAG "%s") MAX 2 ALL 1:2 MODSEQ 7`},
		{"SEARCH RETURN () 2:3 MODSEQ 1", `* ESEARCH (TAG "%s") ALL 2:3 MODSEQ 4`},
		{"SEARCH RETURN (MIN) MODSEQ 100", `* ESEARCH (TAG "%s")`},
	}
	for _, tt := range tests {
		t.Run(tt.search, func(t *testing.T) {
			u := r.ok(tt.search)
			want := []string{fmt.Sprintf(tt.want, "t"+strconv.Itoa(r.n))}
			if !slices.Equal(u, want) {
				t.Errorf("%q, want %q", u, want)
			}
		})
	}
}
