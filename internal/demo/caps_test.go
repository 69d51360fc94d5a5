package demo

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCapabilities: each capability the server advertises after login is
// exercised here by at least one exact exchange, and a capability with no
// row fails the test, so that nothing is advertised untested. The deeper
// tests of each are named in the rows' comments.
func TestCapabilities(t *testing.T) {
	const msg = "Subject: caps\r\n\r\nbody\r\n"
	steps := []struct {
		caps     []string // the capabilities the step exercises
		send     string
		untagged []string
		tagged   string
	}{
		// SASL-IR, AUTH=PLAIN (TestAuthenticate).
		{[]string{"SASL-IR", "AUTH=PLAIN"}, "AUTHENTICATE PLAIN AGRlbW8AZGVtbw==", nil, ""},
		{[]string{"IMAP4rev1"}, "CAPABILITY", nil, "OK Capability completed."},
		// LITERAL+ (TestResync, TestEightBit).
		{[]string{"LITERAL+"}, "STATUS {4+}\r\nWork (MESSAGES)", []string{"* STATUS Work (MESSAGES 5)"}, "OK Status completed."},
		{[]string{"ID"}, `ID ("name" "caps")`, []string{`* ID ("name" "imapwire" "vendor" "imapwire" "support-url" "https://github.com/imapwire/imapwire")`}, "OK ID completed."},
		{[]string{"NAMESPACE"}, "NAMESPACE", []string{`* NAMESPACE (("" "/")) NIL NIL`}, "OK Namespace completed."},
		// CHILDREN (TestFixtureFolders).
		{[]string{"CHILDREN"}, `LIST "" Work*`, []string{`* LIST (\HasChildren) "/" Work`, `* LIST (\HasNoChildren) "/" Work/Projects`}, "OK List completed."},
		// SPECIAL-USE (TestFixtureFolders).
		{[]string{"SPECIAL-USE"}, `LIST (SPECIAL-USE) "" [Gmail]/%`, []string{
			`* LIST (\HasNoChildren \Drafts) "/" [Gmail]/Drafts`, `* LIST (\HasNoChildren \Sent) "/" "[Gmail]/Sent Mail"`,
			`* LIST (\HasNoChildren \Junk) "/" [Gmail]/Spam`, `* LIST (\HasNoChildren \Trash) "/" [Gmail]/Trash`}, "OK List completed."},
		{[]string{"XLIST"}, `XLIST "" INBOX`, []string{`* XLIST (\HasNoChildren \Inbox) "/" INBOX`}, "OK Xlist completed."},
		// LIST-EXTENDED (TestListRecursiveMatch).
		{[]string{"LIST-EXTENDED"}, `LIST (SUBSCRIBED) "" (Work INBOX) RETURN (CHILDREN)`, []string{
			`* LIST (\HasNoChildren \Subscribed) "/" INBOX`, `* LIST (\HasChildren \Subscribed) "/" Work`}, "OK List completed."},
		{[]string{"LIST-STATUS"}, `LIST "" Work RETURN (STATUS (MESSAGES UIDNEXT))`, []string{
			`* LIST (\HasChildren) "/" Work`, `* STATUS Work (MESSAGES 5 UIDNEXT 6)`}, "OK List completed."},
		// QUOTA (TestQuota).
		{[]string{"QUOTA"}, "GETQUOTAROOT INBOX", []string{`* QUOTAROOT INBOX "User quota"`, `* QUOTA "User quota" (STORAGE 21 1048576 MESSAGE 52 100000)`}, "OK Getquotaroot completed."},
		{[]string{"ENABLE"}, "ENABLE CONDSTORE", []string{"* ENABLED CONDSTORE"}, "OK Enabled."},
		// CONDSTORE (TestCondstore, TestCondstoreImplicitHighestModSeq).
		{[]string{"CONDSTORE"}, "SELECT Work (CONDSTORE)", []string{
			`* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)`,
			`* OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted.`,
			"* 5 EXISTS", "* 5 RECENT", "* OK [UNSEEN 3] First unseen.", "* OK [UIDVALIDITY 1001] UIDs valid",
			"* OK [UIDNEXT 6] Predicted next UID", "* OK [HIGHESTMODSEQ 6] Highest"}, "OK [READ-WRITE] Select completed."},
		// ESEARCH (TestESearchMinMaxModSeq).
		{[]string{"ESEARCH"}, "SEARCH RETURN (MIN MAX COUNT) ALL", []string{`* ESEARCH (TAG "t14") MIN 1 MAX 5 COUNT 5`}, "OK Search completed."},
		// UIDPLUS (TestQresync, TestOtherServer).
		{[]string{"UIDPLUS"}, "APPEND Work {" + strconv.Itoa(len(msg)) + "+}\r\n" + msg, []string{"* 6 EXISTS", "* 6 RECENT"}, "OK [APPENDUID 1001 6] Append completed."},
		{[]string{"MOVE"}, "UID MOVE 6 INBOX", []string{"* OK [COPYUID 1000 6 27] Moved UIDs.", "* 6 EXPUNGE"}, "OK Move completed."},
		// QRESYNC (TestQresync).
		{[]string{"QRESYNC"}, "ENABLE QRESYNC", []string{"* ENABLED QRESYNC"}, "OK Enabled."},
		{[]string{"QRESYNC"}, "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 6 VANISHED)", []string{"* VANISHED (EARLIER) 6"}, "OK Fetch completed."},
		// IDLE (TestUpdates, TestIdleTimeout).
		{[]string{"IDLE"}, "IDLE\r\nDONE", []string{"+ idling"}, "OK Idle completed."},
		{[]string{"UNSELECT"}, "UNSELECT", nil, "OK Unselect completed."},
		{[]string{"UNSELECT"}, "FETCH 1 FLAGS", nil, "BAD No mailbox selected"},
	}
	s := testServer(t)
	r := dialRaw(t, s)
	covered := map[string]bool{}
	var advertised []string
	for i, st := range steps {
		for _, c := range st.caps {
			covered[c] = true
		}
		u, tagged := r.cmd(st.send)
		if st.send == "CAPABILITY" {
			advertised = strings.Fields(strings.TrimPrefix(u[0], "* CAPABILITY "))
			u = nil
		}
		if st.tagged == "" {
			if !strings.HasPrefix(tagged, "OK") {
				t.Fatalf("step %d %q: %s", i, st.send, tagged)
			}
			continue
		}
		if !slices.Equal(u, st.untagged) || tagged != st.tagged {
			t.Errorf("step %d %q:\n got %q %q\nwant %q %q", i, st.send, u, tagged, st.untagged, st.tagged)
		}
	}
	if len(advertised) == 0 {
		t.Fatal("no CAPABILITY")
	}
	for _, c := range advertised {
		if !covered[c] {
			t.Errorf("%s is advertised and has no row here", c)
		}
	}
}
