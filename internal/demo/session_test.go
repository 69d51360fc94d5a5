package demo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapwire/imapwire/client"
	imapcmd "github.com/imapwire/imapwire/command"
	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// TestResync: after a malformed command the server answers BAD (or NO for
// a refused literal) and reads the next command correctly, whatever was
// left on the line.
func TestResync(t *testing.T) {
	s := testServer(t)
	r := dialRaw(t, s)
	steps := []struct {
		send string
		tag  string
		want string // prefix of the tagged response
	}{
		{"a1 FETCH 1 (FLAGS\r\n", "a1", "BAD"},
		{"a2 NOOP\r\n", "a2", "OK"},
		{"a3 FOO {5+}\r\nhello world\r\n", "a3", "BAD"},
		{"a4 NOOP\r\n", "a4", "OK"},
		// A synchronizing literal on a bad line: no "+", BAD at once, and
		// the client does not send the data.
		{"a5 FOO {5}\r\n", "a5", "BAD"},
		{"a6 LOGIN {99999999}\r\n", "a6", "NO [TOOBIG]"},
		{"a7 LOGIN {4}\r\n", "", "+ "},
		{"demo {4}\r\n", "", "+ "},
		{"demo\r\n", "a7", "OK"},
		{"\r\n", "", ""}, // empty lines are ignored
		{"a8 SELECT INBOX extra\r\n", "a8", "BAD"},
		{"a9 FETCH 1 FLAGS\r\n", "a9", "BAD No mailbox selected"},
		{"+ garbage\r\n", "*", "BAD"},
		{"b1 LOGIN again x\r\n", "b1", "BAD"},
		{"b2 APPEND INBOX {3+}\r\nabc {3+}\r\ndef\r\n", "b2", "BAD"},
		{"b3 NOOP\r\n", "b3", "OK"},
	}
	for _, st := range steps {
		r.write(st.send)
		if st.want == "" {
			continue
		}
		if st.tag == "" {
			if l := r.line(); !strings.HasPrefix(l, st.want) {
				t.Fatalf("after %q: %q, want %q", st.send, l, st.want)
			}
			continue
		}
		_, tagged := r.until(st.tag)
		if !strings.HasPrefix(tagged, st.want) {
			t.Fatalf("after %q: %q, want %q", st.send, tagged, st.want)
		}
	}
}

// TestBadOffsets: a BAD's offset counts from the first byte of the
// command's tag (literals included), not from the start of the
// connection, so that a learner finds the spot in the line typed.
func TestBadOffsets(t *testing.T) {
	s := testServer(t)
	r := dialRaw(t, s)
	r.login()
	r.ok("SELECT INBOX")
	r.ok("FETCH 1:3 (UID FLAGS)")
	tests := []struct {
		send, tag, want string
	}{
		{"x FETCH 1 (FLAGS\r\n", "x",
			`BAD Error in IMAP command FETCH: imap: syntax error at offset 16 in fetch-att: expected SP, found "\r\n"`},
		{"yy FETCH x FLAGS\r\n", "yy",
			`BAD Error in IMAP command FETCH: imap: syntax error at offset 9 in sequence-set: expected number, found "x FLAGS\r\n"`},
		// Offsets go on through a literal: the command is one unit.
		{"z SEARCH SUBJECT {2+}\r\nab LARGER x\r\n", "z",
			`BAD Error in IMAP command SEARCH: imap: syntax error at offset 33 in number: expected number, found "x\r\n"`},
		{"w NOOP now\r\n", "w",
			`BAD Error in IMAP command NOOP: imap: syntax error at offset 7 in noop: expected CRLF, found "now\r\n"`},
	}
	for _, tt := range tests {
		r.write(tt.send)
		if _, got := r.until(tt.tag); got != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.send, got, tt.want)
		}
	}
	// An AUTHENTICATE response line counts from its own first byte.
	a := dialRaw(t, s)
	a.write("a AUTHENTICATE PLAIN\r\n")
	if l := a.line(); l != "+ " {
		t.Fatalf("continuation %q", l)
	}
	a.write("AG\x00\r\n")
	want := `BAD Malformed AUTHENTICATE response: imap: syntax error at offset 2 in authenticate: expected CRLF, found "\x00\r\n"`
	if _, got := a.until("a"); got != want {
		t.Errorf("AUTHENTICATE:\n got %s\nwant %s", got, want)
	}
}

// TestEightBit: raw 8-bit bytes outside quoted strings and literals are
// refused as Dovecot 2.3 refuses them ("8bit data in atom"); in quoted
// strings and literals they are accepted, but a mailbox name must be
// modified UTF-7 (Dovecot: NO "Mailbox name is not valid mUTF-7"), while
// search strings and LIST patterns may be UTF-8.
func TestEightBit(t *testing.T) {
	s := testServer(t)
	r := dialRaw(t, s)
	r.login()
	const notMUTF7 = `NO Mailbox name is not valid mUTF-7`
	tests := []struct {
		name     string
		send     string // tag "a"
		untagged []string
		tagged   string
	}{
		{"atom mailbox", "a CREATE Entwürfe/台北", nil,
			`BAD Error in IMAP command CREATE: imap: syntax error at offset 13 in mailbox: 8bit data in atom: expected ASTRING-CHAR, found "\u00fc"`},
		{"quoted UTF-8 mailbox", `a CREATE "Entwürfe/台北"`, nil,
			notMUTF7 + ` (send it as "Entw&APw-rfe/&U,BTFw-")`},
		{"literal UTF-8 mailbox", "a CREATE {16+}\r\nEntwürfe/台北", nil,
			notMUTF7 + ` (send it as "Entw&APw-rfe/&U,BTFw-")`},
		{"literal Latin-1 mailbox", "a STATUS {4+}\r\ncaf\xe9 (MESSAGES)", nil, notMUTF7},
		{"second mailbox of RENAME", `a RENAME Work "Wörk"`, nil, notMUTF7 + ` (send it as "W&APY-rk")`},
		{"invalid mUTF-7", "a SELECT &Jjo", nil,
			notMUTF7 + `: imap: syntax error at offset 4 in mailbox (modified UTF-7): invalid modified UTF-7: expected modified BASE64 or "-", found end of input`},
		{"mUTF-7 mailbox", "a STATUS Travel/&U,BTFw- (MESSAGES)", []string{"* STATUS Travel/&U,BTFw- (MESSAGES 2)"}, "OK Status completed."},
		{"quoted UTF-8 pattern", `a LIST "" "Travel/台北"`, []string{`* LIST (\HasNoChildren) "/" Travel/&U,BTFw-`}, "OK List completed."},
		{"atom pattern", `a LIST "" Travel/台*`, nil,
			`BAD Error in IMAP command LIST: imap: syntax error at offset 17 in list-mailbox: 8bit data in atom: expected list-char, found "\u53f0"`},
		{"atom user name", "a LOGIN dëmo x", nil,
			`BAD Error in IMAP command LOGIN: imap: syntax error at offset 9 in userid: 8bit data in atom: expected ASTRING-CHAR, found "\u00eb"`},
		{"examine", "a EXAMINE INBOX", nil, ""},
		{"atom search string", "a SEARCH SUBJECT 台北", nil,
			`BAD Error in IMAP command SEARCH: imap: syntax error at offset 17 in search-key: 8bit data in atom: expected ASTRING-CHAR, found "\u53f0"`},
		{"quoted search string", `a SEARCH SUBJECT "台北"`, []string{"* SEARCH 15 25"}, "OK Search completed."},
		{"literal search string", "a SEARCH CHARSET UTF-8 SUBJECT {6+}\r\n台北", []string{"* SEARCH 15 25"}, "OK Search completed."},
		{"8-bit keyword", "a SEARCH KEYWORD $Ä", nil,
			`BAD Error in IMAP command SEARCH: imap: syntax error at offset 18 in flag-keyword: 8bit data in atom: expected ATOM-CHAR, found "\u00c4"`},
		{"8-bit fetch item", "a FETCH 1 FLÄGS", nil,
			`BAD Error in IMAP command FETCH: imap: syntax error at offset 12 in fetch-att: 8bit data in atom: expected ATOM-CHAR, found "\u00c4"`},
		{"8-bit command name", "a NOÖP", nil,
			`BAD Error in IMAP command: imap: syntax error at offset 4 in command: 8bit data in atom: expected ATOM-CHAR, found "\u00d6"`},
		{"8-bit flag", `a STORE 1 +FLAGS (\Seen Ä)`, nil,
			`BAD Error in IMAP command STORE: imap: syntax error at offset 24 in flag-list: 8bit data in atom: expected atom, found "\u00c4"`},
		{"8-bit header field name", "a FETCH 1 BODY.PEEK[HEADER.FIELDS (X\xeb)]", nil,
			`BAD Error in IMAP command FETCH: imap: syntax error at offset 36 in header-fld-name: 8bit data in atom: expected ASTRING-CHAR, found "\xeb"`},
		{"8-bit tag", "\xe4 NOOP", nil,
			`BAD Error in IMAP command: imap: syntax error at offset 0 in tag: 8bit data in atom: expected tag, found "\xe4"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r.write(tt.send + "\r\n")
			tag := "a"
			if strings.HasPrefix(tt.send, "\xe4") {
				tag = "*"
			}
			u, tagged := r.until(tag)
			if tt.tagged == "" {
				if !strings.HasPrefix(tagged, "OK") {
					t.Fatalf("%q: %s", tt.send, tagged)
				}
				return
			}
			if tagged != tt.tagged || !slices.Equal(u, tt.untagged) {
				t.Errorf("%q:\n got %q %s\nwant %q %s", tt.send, u, tagged, tt.untagged, tt.tagged)
			}
		})
	}
}

// TestTooManyBad: a client sending garbage is disconnected.
func TestTooManyBad(t *testing.T) {
	s := testServer(t)
	r := dialRaw(t, s)
	for i := 0; i < maxBadCommands-1; i++ {
		if _, tagged := r.cmd("FOO"); !strings.HasPrefix(tagged, "BAD") {
			t.Fatalf("FOO: %s", tagged)
		}
	}
	r.write("x FOO\r\n")
	var last string
	for {
		// The deadline only keeps a failing test from hanging.
		r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
		l, err := r.br.ReadString('\n')
		if err != nil {
			if err != io.EOF {
				t.Errorf("after BYE: %v, want the connection closed (EOF)", err)
			}
			break
		}
		last = l
	}
	if !strings.HasPrefix(last, "* BYE") {
		t.Errorf("last line %q, want BYE", last)
	}
}

// TestIdleTimeout: a silent client gets BYE and is disconnected.
func TestIdleTimeout(t *testing.T) {
	s, err := New(&Options{IdleTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := dialRaw(t, s)
	if l := r.line(); !strings.HasPrefix(l, "* BYE") {
		t.Errorf("%q, want BYE", l)
	}
}

// TestUpdates: what one session does, another sees as EXISTS, FETCH FLAGS
// and EXPUNGE at its next command (and never EXPUNGE during FETCH, STORE
// or SEARCH by sequence number), with sequence numbers renumbered.
func TestUpdates(t *testing.T) {
	s := testServer(t)
	a, b := dialRaw(t, s), dialRaw(t, s)
	a.login()
	b.login()
	a.ok("CREATE Box")
	for i := 0; i < 4; i++ {
		a.ok("APPEND Box {5+}\r\nhello")
	}
	a.ok("SELECT Box")
	b.ok("SELECT Box")
	// a: flags on 2, delete 1 and 3, expunge, append one more.
	a.ok(`STORE 2 +FLAGS.SILENT (\Flagged)`)
	a.ok(`STORE 1,3 +FLAGS.SILENT (\Deleted)`)
	if u := a.ok("EXPUNGE"); !slices.Equal(u, []string{"* 1 EXPUNGE", "* 2 EXPUNGE"}) {
		t.Errorf("EXPUNGE: %q", u)
	}
	a.ok("APPEND Box {5+}\r\nworld")
	// b: a FETCH by sequence number gets no EXPUNGE, but the flags and
	// the new message.
	u := b.ok("FETCH 1:4 UID")
	for _, l := range u {
		if strings.Contains(l, "EXPUNGE") {
			t.Errorf("EXPUNGE during FETCH: %q", u)
		}
	}
	if !slices.Contains(u, `* 2 FETCH (FLAGS (\Flagged \Recent))`) && !slices.Contains(u, `* 2 FETCH (FLAGS (\Flagged))`) {
		t.Errorf("no flag update for 2: %q", u)
	}
	if !slices.Contains(u, "* 5 EXISTS") {
		t.Errorf("no EXISTS: %q", u)
	}
	u = b.ok("NOOP")
	if !slices.Equal(u, []string{"* 1 EXPUNGE", "* 2 EXPUNGE"}) {
		t.Errorf("NOOP after the other's EXPUNGE: %q", u)
	}
	u = b.ok("UID SEARCH ALL")
	if !slices.Equal(u, []string{"* SEARCH 2 4 5"}) {
		t.Errorf("UID SEARCH ALL: %q", u)
	}
	// IDLE: updates arrive while idling.
	b.write("i1 IDLE\r\n")
	if l := b.line(); !strings.HasPrefix(l, "+ ") {
		t.Fatalf("IDLE: %q", l)
	}
	a.ok("APPEND Box {5+}\r\nagain")
	if l := b.line(); l != "* 4 EXISTS" {
		t.Errorf("during IDLE: %q, want * 4 EXISTS", l)
	}
	b.line() // RECENT
	a.ok(`STORE 1 +FLAGS.SILENT (\Seen)`)
	if l := b.line(); !strings.HasPrefix(l, `* 1 FETCH (FLAGS (\Flagged \Seen`) {
		t.Errorf("during IDLE: %q", l)
	}
	b.write("DONE\r\n")
	if _, tagged := b.until("i1"); !strings.HasPrefix(tagged, "OK") {
		t.Errorf("IDLE: %s", tagged)
	}
}

// TestDovecotAnswers: corner cases answered as Dovecot 2.3 answers them.
func TestDovecotAnswers(t *testing.T) {
	s := testServer(t)
	r := dialRaw(t, s)
	r.login()
	r.ok("CREATE empty")
	r.ok("SELECT empty")
	if _, tagged := r.cmd("FETCH 1:* FLAGS"); !strings.HasPrefix(tagged, "BAD") {
		t.Errorf("FETCH 1:* in an empty mailbox: %s", tagged)
	}
	if u := r.ok("SEARCH ALL"); !slices.Equal(u, []string{"* SEARCH"}) {
		t.Errorf("SEARCH ALL in an empty mailbox: %q", u)
	}
	r.ok("UNSUBSCRIBE never-subscribed")
	r.ok("EXAMINE INBOX")
	if _, tagged := r.cmd(`STORE 3 +FLAGS (\Seen)`); tagged != "OK Store ignored with read-only mailbox." {
		t.Errorf("STORE in EXAMINE: %s", tagged)
	}
	// \Recent: no session took message 3, so EXAMINE sees it recent
	// without taking it (RFC 3501 section 6.3.2), as Dovecot does.
	if u := r.ok("FETCH 3 FLAGS"); !slices.Equal(u, []string{`* 3 FETCH (FLAGS ($Newsletter \Recent))`}) {
		t.Errorf("flags after STORE in EXAMINE: %q", u)
	}
	r.ok("EXPUNGE")
	// Parts that do not exist are empty.
	if u := r.ok("FETCH 4 (BODY[9] BODY[1.HEADER] BODY[2.3.4]<0.5>)"); !slices.Equal(u, []string{"* 4 FETCH (BODY[9] {0}\r\n BODY[1.HEADER] {0}\r\n BODY[2.3.4]<0> {0}\r\n)"}) {
		t.Errorf("FETCH of parts that do not exist: %q", u)
	}
	if _, tagged := r.cmd("UID COPY 999 Work"); !strings.HasPrefix(tagged, "OK No messages found") {
		t.Errorf("UID COPY of nothing: %s", tagged)
	}
}

// TestQuota: GETQUOTAROOT, GETQUOTA and a refused SETQUOTA (RFC 2087).
func TestQuota(t *testing.T) {
	s := testServer(t)
	r := dialRaw(t, s)
	r.login()
	u := r.ok("GETQUOTAROOT INBOX")
	if len(u) != 2 || u[0] != `* QUOTAROOT INBOX "User quota"` || !strings.HasPrefix(u[1], `* QUOTA "User quota" (STORAGE `) || !strings.HasSuffix(u[1], " MESSAGE 52 100000)") {
		t.Errorf("GETQUOTAROOT: %q", u)
	}
	r.ok("APPEND INBOX {5+}\r\nhello")
	if u2 := r.ok(`GETQUOTA "User quota"`); len(u2) != 1 || !strings.HasSuffix(u2[0], " MESSAGE 53 100000)") {
		t.Errorf("GETQUOTA: %q", u2)
	}
	if _, tagged := r.cmd(`GETQUOTA "other"`); !strings.HasPrefix(tagged, "NO") {
		t.Errorf("GETQUOTA of another root: %s", tagged)
	}
	if _, tagged := r.cmd(`SETQUOTA "User quota" (STORAGE 512)`); !strings.HasPrefix(tagged, "NO [NOPERM]") {
		t.Errorf("SETQUOTA: %s", tagged)
	}
	r.ok("NOOP")
}

// TestCondstore: ENABLE CONDSTORE, HIGHESTMODSEQ, FETCH MODSEQ and
// CHANGEDSINCE, STORE UNCHANGEDSINCE, SEARCH MODSEQ, and another session's
// changes with their MODSEQ (RFC 7162).
func TestCondstore(t *testing.T) {
	s := testServer(t)
	a, b := dialRaw(t, s), dialRaw(t, s)
	a.login()
	b.login()
	if u := a.ok("ENABLE CONDSTORE"); !slices.Equal(u, []string{"* ENABLED CONDSTORE"}) {
		t.Errorf("ENABLE: %q", u)
	}
	u := a.ok("SELECT Work")
	if !slices.Contains(u, "* OK [HIGHESTMODSEQ 6] Highest") {
		t.Errorf("SELECT: %q", u)
	}
	if u := a.ok("FETCH 1:2 (MODSEQ)"); !slices.Equal(u, []string{"* 1 FETCH (MODSEQ (2))", "* 2 FETCH (MODSEQ (3))"}) {
		t.Errorf("FETCH MODSEQ: %q", u)
	}
	if u := a.ok(`STORE 1 +FLAGS (\Flagged)`); !slices.Equal(u, []string{`* 1 FETCH (MODSEQ (7) FLAGS (\Flagged \Seen \Recent))`}) {
		t.Errorf("STORE: %q", u)
	}
	if u := a.ok(`STORE 2 -FLAGS.SILENT (\Seen)`); !slices.Equal(u, []string{`* 2 FETCH (MODSEQ (8))`}) {
		t.Errorf("STORE .SILENT: %q", u)
	}
	u, tagged := a.cmd(`UID STORE 1:3 (UNCHANGEDSINCE 5) +FLAGS.SILENT ($x)`)
	if tagged != "OK [MODIFIED 1:2] Conditional STORE failed for some messages." || !slices.Equal(u, []string{
		"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $x)", "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $x \\*)] Flags permitted.",
		"* 3 FETCH (UID 3 MODSEQ (9))"}) {
		t.Errorf("STORE UNCHANGEDSINCE: %q %s", u, tagged)
	}
	if u := a.ok("FETCH 1:* (FLAGS) (CHANGEDSINCE 7)"); !slices.Equal(u, []string{`* 2 FETCH (FLAGS (\Answered \Recent) MODSEQ (8))`, `* 3 FETCH (FLAGS ($x \Recent) MODSEQ (9))`}) {
		t.Errorf("FETCH CHANGEDSINCE: %q", u)
	}
	if u := a.ok("SEARCH MODSEQ 8"); !slices.Equal(u, []string{"* SEARCH 2 3 (MODSEQ 9)"}) {
		t.Errorf("SEARCH MODSEQ: %q", u)
	}
	if u := a.ok(`SEARCH RETURN (COUNT) MODSEQ "/flags/\\draft" all 8`); !slices.Equal(u, []string{`* ESEARCH (TAG "t10") COUNT 2 MODSEQ 9`}) {
		t.Errorf("ESEARCH MODSEQ: %q", u)
	}
	if u := b.ok("STATUS Work (HIGHESTMODSEQ MESSAGES)"); !slices.Equal(u, []string{"* STATUS Work (HIGHESTMODSEQ 9 MESSAGES 5)"}) {
		t.Errorf("STATUS: %q", u)
	}
	b.ok("SELECT Work")
	b.ok(`STORE 4 FLAGS (\Seen)`)
	if u := a.ok("NOOP"); !slices.Equal(u, []string{`* 4 FETCH (UID 4 MODSEQ (10) FLAGS (\Seen \Recent))`}) {
		t.Errorf("another session's STORE: %q", u)
	}
}

// TestQresync: ENABLE QRESYNC, VANISHED instead of EXPUNGE, SELECT
// (QRESYNC ...) and UID FETCH (CHANGEDSINCE ... VANISHED).
func TestQresync(t *testing.T) {
	s := testServer(t)
	r := dialRaw(t, s)
	r.login()
	if _, tagged := r.cmd("SELECT Work (QRESYNC (1 1))"); !strings.HasPrefix(tagged, "BAD") {
		t.Errorf("QRESYNC before ENABLE: %s", tagged)
	}
	if u := r.ok("ENABLE QRESYNC"); !slices.Equal(u, []string{"* ENABLED QRESYNC"}) {
		t.Errorf("ENABLE: %q", u)
	}
	u := r.ok("SELECT Work")
	var validity string
	for _, l := range u {
		if v, ok := strings.CutPrefix(l, "* OK [UIDVALIDITY "); ok {
			validity = strings.Fields(v)[0][:len(strings.Fields(v)[0])-1]
		}
	}
	r.ok(`STORE 2,4 +FLAGS.SILENT (\Deleted)`)
	if u := r.ok("EXPUNGE"); !slices.Equal(u, []string{"* VANISHED 2,4"}) {
		t.Errorf("EXPUNGE under QRESYNC: %q", u)
	}
	r.ok(`STORE 3 +FLAGS.SILENT (\Flagged)`) // UID 5, modseq 10
	u = r.ok("SELECT Work (QRESYNC (" + validity + " 9 1:5))")
	if !slices.Contains(u, "* OK [CLOSED] Previous mailbox closed.") || !slices.Contains(u, "* VANISHED (EARLIER) 2,4") ||
		!slices.Contains(u, `* 3 FETCH (UID 5 FLAGS (\Flagged) MODSEQ (10))`) {
		t.Errorf("SELECT (QRESYNC): %q", u)
	}
	if u := r.ok("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 9 VANISHED)"); !slices.Equal(u, []string{"* VANISHED (EARLIER) 2,4", `* 3 FETCH (UID 5 FLAGS (\Flagged) MODSEQ (10))`}) {
		t.Errorf("UID FETCH (CHANGEDSINCE VANISHED): %q", u)
	}
}

// TestRecent: \Recent goes to the first session to see a message.
func TestRecent(t *testing.T) {
	s := testServer(t)
	a, b := dialRaw(t, s), dialRaw(t, s)
	a.login()
	b.login()
	if u := a.ok("SELECT Work"); !slices.Contains(u, "* 5 RECENT") {
		t.Errorf("first SELECT: %q", u)
	}
	if u := b.ok("SELECT Work"); !slices.Contains(u, "* 0 RECENT") {
		t.Errorf("second SELECT: %q", u)
	}
	if u := b.ok("SEARCH RECENT"); !slices.Equal(u, []string{"* SEARCH"}) {
		t.Errorf("SEARCH RECENT in the second session: %q", u)
	}
	if u := a.ok("SEARCH NEW"); !slices.Equal(u, []string{"* SEARCH 3 4 5"}) {
		t.Errorf("SEARCH NEW in the first session: %q", u)
	}
}

// TestFixtureFolders checks the sample account's folders.
func TestFixtureFolders(t *testing.T) {
	s := testServer(t)
	r := dialRaw(t, s)
	r.login()
	got := r.ok(`LIST "" *`)
	want := []string{
		`* LIST (\HasNoChildren) "/" INBOX`,
		`* LIST (\HasNoChildren \Archive) "/" Archive`,
		`* LIST (\HasNoChildren) "/" "Deleted Items"`,
		`* LIST (\HasNoChildren) "/" Entw&APw-rfe`,
		`* LIST (\HasChildren) "/" Travel`,
		`* LIST (\HasNoChildren) "/" Travel/&U,BTFw-`,
		`* LIST (\HasChildren) "/" Work`,
		`* LIST (\HasNoChildren) "/" Work/Projects`,
		`* LIST (\Noselect \HasChildren) "/" [Gmail]`,
		`* LIST (\HasNoChildren \Drafts) "/" [Gmail]/Drafts`,
		`* LIST (\HasNoChildren \Sent) "/" "[Gmail]/Sent Mail"`,
		`* LIST (\HasNoChildren \Junk) "/" [Gmail]/Spam`,
		`* LIST (\HasNoChildren \Trash) "/" [Gmail]/Trash`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("LIST:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := r.ok(`LIST "" %`); len(got) != 7 {
		t.Errorf("LIST %%: %q", got)
	}
	if got := r.ok(`LIST "" ""`); !slices.Equal(got, []string{`* LIST (\Noselect) "/" ""`}) {
		t.Errorf(`LIST "" "": %q`, got)
	}
	if got := r.ok(`XLIST "" "[Gmail]/*"`); !slices.Contains(got, `* XLIST (\HasNoChildren \Spam) "/" [Gmail]/Spam`) {
		t.Errorf("XLIST: %q", got)
	}
	if got := r.ok(`LSUB "" "*"`); len(got) != 9 {
		t.Errorf("LSUB: %q", got)
	}
	if got := r.ok(`LIST "" "Travel/*" RETURN (STATUS (MESSAGES UNSEEN))`); !slices.Equal(got, []string{
		`* LIST (\HasNoChildren) "/" Travel/&U,BTFw-`, `* STATUS Travel/&U,BTFw- (MESSAGES 2 UNSEEN 1)`}) {
		t.Errorf("LIST RETURN (STATUS): %q", got)
	}
	total := 0
	for _, l := range want {
		if strings.Contains(l, `\Noselect`) {
			continue
		}
		name := l[strings.LastIndex(l, `"/" `)+4:]
		u := r.ok("STATUS " + name + " (MESSAGES)")
		var n int
		if _, err := fmtSscanf(u[0], &n); err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if total < 45 {
		t.Errorf("%d messages in the fixture, want about 50", total)
	}
}

func fmtSscanf(line string, n *int) (int, error) {
	i := strings.LastIndex(line, "MESSAGES ")
	if i < 0 {
		return 0, errors.New("no MESSAGES in " + line)
	}
	v := 0
	for _, c := range line[i+len("MESSAGES "):] {
		if c < '0' || c > '9' {
			break
		}
		v = v*10 + int(c-'0')
	}
	*n = v
	return 1, nil
}

// TestSearchFixture runs SEARCH keys over the fixture's INBOX.
func TestSearchFixture(t *testing.T) {
	s := testServer(t)
	r := dialRaw(t, s)
	r.login()
	r.ok("EXAMINE INBOX")
	tests := []struct{ query, want string }{
		{"SEARCH SEEN", "* SEARCH 1 2 5 8 10 12 16 18 21"},
		{"SEARCH FLAGGED", "* SEARCH 4 12"},
		{"SEARCH KEYWORD $Important", "* SEARCH 4 22"},
		{"SEARCH DELETED", "* SEARCH 20"},
		{"SEARCH DRAFT", "* SEARCH 21"},
		{"SEARCH ANSWERED", "* SEARCH 2"},
		{"SEARCH FROM alice", "* SEARCH 1 4 8 12 18 26"},
		{`SEARCH TO "Bob Example"`, "* SEARCH 1 4 10 11 12 16 18 26"},
		{"SEARCH CC carol", "* SEARCH 2 8"},
		{"SEARCH SUBJECT meeting", "* SEARCH 1 2 5"},
		{"SEARCH SINCE 13-Jul-2013 BEFORE 1-Jan-2014", "* SEARCH 11 12"},
		{"SEARCH ON 12-Jul-2013", "* SEARCH 10"},
		{"SEARCH SENTBEFORE 1-Jan-2020", "* SEARCH 10 11 12"},
		{"SEARCH SENTON 10-May-2020", "* SEARCH 6"},
		{"SEARCH SENTSINCE 15-Apr-2021", "* SEARCH 24 25 26"},
		{"SEARCH LARGER 1000 SMALLER 2000", "* SEARCH 4 16"},
		{"SEARCH HEADER List-Id imap-dev", "* SEARCH 19"},
		{"SEARCH HEADER List-Unsubscribe \"\"", "* SEARCH 3"},
		{"SEARCH BODY Apress", "* SEARCH 10 11"},
		{"SEARCH TEXT apress", "* SEARCH 10 11"},
		{"SEARCH NOT SEEN NOT DELETED SUBJECT newsletter", "* SEARCH 3 23"},
		{"SEARCH OR FROM robot SUBJECT lunch", "* SEARCH 9 12"},
		{"SEARCH 2:4 NOT 3", "* SEARCH 2 4"},
		{"SEARCH *", "* SEARCH 26"},
		{"UID SEARCH UID 20:* UNSEEN", "* SEARCH 20 22 23 24 25 26"},
		{"SEARCH RETURN (MIN MAX COUNT ALL) FLAGGED", `* ESEARCH (TAG "t28") MIN 4 MAX 12 ALL 4,12 COUNT 2`},
		{"UID SEARCH RETURN () NOT ALL", `* ESEARCH (TAG "t29") UID`},
		// Charsets: encoded words, 8-bit bodies and base64 in GBK,
		// ISO-2022-JP, Big5 and Latin-1, all searched as UTF-8.
		{"SEARCH CHARSET UTF-8 SUBJECT {6+}\r\n会议", "* SEARCH 6"},
		{"SEARCH CHARSET UTF-8 SUBJECT {6+}\r\n测试", "* SEARCH 6"},
		{"SEARCH CHARSET UTF-8 TEXT {6+}\r\n周末", "* SEARCH 7"},
		{"SEARCH CHARSET UTF-8 FROM {6+}\r\n李四", "* SEARCH 7"},
		{"SEARCH CHARSET UTF-8 BODY {9+}\r\n議事録", "* SEARCH 14"},
		{"SEARCH CHARSET UTF-8 SUBJECT {6+}\r\n台北", "* SEARCH 15 25"},
		{"SEARCH CHARSET UTF-8 BODY {9+}\r\n士林夜", "* SEARCH 15"},
		{"SEARCH CHARSET UTF-8 SUBJECT {7+}\r\nGrüße", "* SEARCH 17"},
		{"SEARCH CHARSET UTF-8 BODY {8+}\r\nMÜNCHEN", "* SEARCH 17"},
		{"SEARCH CHARSET UTF-8 SUBJECT {5+}\r\ncafé", "* SEARCH 13"},
		{`SEARCH CHARSET UTF-8 SUBJECT "台北"`, "* SEARCH 15 25"}, // UTF-8 in a quoted string
		{"SEARCH CHARSET ISO-8859-1 SUBJECT {4+}\r\ncaf\xe9", "* SEARCH 13"},
		{"SEARCH CHARSET GBK SUBJECT {4+}\r\n\xbb\xe1\xd2\xe9", "* SEARCH 6"}, // 会议 in GBK
	}
	for _, tt := range tests {
		u, tagged := r.cmd(tt.query)
		if !strings.HasPrefix(tagged, "OK") || len(u) != 1 || u[0] != tt.want {
			t.Errorf("%s: %q %s, want %q", tt.query, u, tagged, tt.want)
		}
	}
}

// dialClient connects the client package to s over net.Pipe and logs in.
func dialClient(t *testing.T, s *Server, opts *client.Options) *client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	o := client.Options{AllowPlaintext: true}
	if opts != nil {
		o = *opts
		o.AllowPlaintext = true
	}
	c, err := client.New(ctx, pipeConn(t, s), &o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(ctx, DemoUser, DemoPassword); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestClientSession drives the server with the project's client: the
// tutorial's steps, each checked.
func TestClientSession(t *testing.T) {
	s := testServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := dialClient(t, s, nil)
	for _, cp := range []string{"IMAP4rev1", "IDLE", "UIDPLUS", "MOVE", "SPECIAL-USE", "LITERAL+", "ESEARCH"} {
		if !c.Has(cp) {
			t.Errorf("no %s after login", cp)
		}
	}
	sent, err := c.FindSpecial(ctx, `\Sent`)
	if err != nil || sent != "[Gmail]/Sent Mail" {
		t.Errorf("FindSpecial(\\Sent) = %q, %v", sent, err)
	}
	mb, err := c.Select(ctx, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	if mb.Exists != 26 || mb.UIDNext != 27 || mb.UIDValidity == 0 || mb.ReadOnly || mb.Unseen != 3 {
		t.Errorf("SELECT INBOX: %+v", mb)
	}
	msgs := fetchAll(t, c, wire.SeqSet{{Start: 4, Stop: 6}}, "UID", "ENVELOPE", "BODYSTRUCTURE", "BODY.PEEK[1]")
	if len(msgs) != 3 {
		t.Fatalf("FETCH 4:6: %d messages", len(msgs))
	}
	if env := msgs[0].Envelope; env == nil || env.Subject != "Q1 report with chart" || len(env.To) != 2 {
		t.Errorf("ENVELOPE of 4: %+v", env)
	}
	parts := client.PartsFromStructure(msgs[0].BodyStructure)
	if len(parts) != 4 || parts[2].Filename != "chart.png" || parts[3].ContentType != "application/octet-stream" {
		t.Errorf("parts of 4: %+v", parts)
	}
	if got := string(msgs[0].Section("BODY[1]")); got != "Please find the chart attached.\r\n" {
		t.Errorf("BODY[1] of 4: %q", got)
	}
	if got := string(msgs[1].Section("BODY[1]")); got != "FYI, see the original below.\r\n" {
		t.Errorf("BODY[1] of 5: %q", got)
	}
	// The subject in UTF-8 and GBK decodes.
	if subj := client.DecodeHeader(msgs[2].Envelope.Subject); subj != "会议通知 / 测试邮件" {
		t.Errorf("subject of 6: %q", subj)
	}
	// BODY[] without PEEK sets \Seen.
	fetchAll(t, c, wire.SeqSet{{Start: 6, Stop: 6}}, "BODY[TEXT]")
	f, err := c.GetFlags(ctx, false, wire.SeqSet{{Start: 6, Stop: 6}})
	if err != nil || len(f) != 1 || !slices.Contains(f[0].Flags, `\Seen`) {
		t.Errorf("flags of 6 after BODY[TEXT]: %+v, %v", f, err)
	}
	// Search, copy, move, expunge.
	uids, err := c.SearchNums(ctx, true, (&client.Criteria{}).Subject("台北"))
	if err != nil || !slices.Equal(uids, []uint32{15, 25}) {
		t.Errorf("UID SEARCH SUBJECT 台北: %v, %v", uids, err)
	}
	cu, err := c.Copy(ctx, true, wire.SeqSetOf(uids...), "Travel/台北")
	if err != nil || cu == nil || cu.Source.String() != "15,25" || cu.Dest.String() != "3:4" {
		t.Errorf("UID COPY: %+v, %v", cu, err)
	}
	cu, err = c.Move(ctx, true, wire.SeqSetOf(19), "[Gmail]/Trash")
	if err != nil || cu == nil || cu.Dest.String() != "2" {
		t.Errorf("UID MOVE: %+v, %v", cu, err)
	}
	if sel := c.Selected(); sel.Exists != 25 {
		t.Errorf("after MOVE: %d messages", sel.Exists)
	}
	if _, err := c.Store(ctx, wire.SeqSet{{Start: 1, Stop: 2}}, client.AddFlags, true, `\Deleted`); err != nil {
		t.Fatal(err)
	}
	seqs, err := c.Expunge(ctx)
	if err != nil || !slices.Equal(seqs, []uint32{1, 1, 17}) {
		t.Errorf("EXPUNGE: %v, %v", seqs, err)
	}
	// TRYCREATE, APPEND with APPENDUID, a non-ASCII folder.
	if _, err := c.Copy(ctx, false, wire.SeqSet{{Start: 1, Stop: 1}}, "Nowhere"); !errors.Is(err, imapcmd.TRYCREATE) {
		t.Errorf("COPY to a missing folder: %v", err)
	}
	msg := []byte("Subject: hi\r\n\r\nhello\r\n")
	au, err := c.Append(ctx, "Entwürfe", int64(len(msg)), bytes.NewReader(msg), &client.AppendOptions{Flags: []string{`\Draft`}})
	if err != nil || au.UID != 2 {
		t.Errorf("APPEND: %+v, %v", au, err)
	}
	st, err := c.Status(ctx, "Entwürfe", "MESSAGES", "UIDNEXT", "UNSEEN")
	if err != nil || *st.Messages != 2 || *st.UIDNext != 3 || *st.Unseen != 2 {
		t.Errorf("STATUS Entwürfe: %+v, %v", st, err)
	}
	if err := c.Create(ctx, "INBOX"); !errors.Is(err, imapcmd.ALREADYEXISTS) {
		t.Errorf("CREATE INBOX: %v", err)
	}
	if err := c.Delete(ctx, "Nowhere"); !errors.Is(err, imapcmd.NONEXISTENT) {
		t.Errorf("DELETE Nowhere: %v", err)
	}
	if err := c.Logout(ctx); err != nil {
		t.Errorf("LOGOUT: %v", err)
	}
}

// TestAuthenticate: AUTHENTICATE PLAIN with SASL-IR and with a
// continuation, and a wrong password.
func TestAuthenticate(t *testing.T) {
	s := testServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	{
		c, err := client.New(ctx, pipeConn(t, s), &client.Options{AllowPlaintext: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Authenticate(ctx, client.PlainAuth("", DemoUser, "wrong")); !errors.Is(err, imapcmd.AUTHENTICATIONFAILED) {
			t.Errorf("AUTHENTICATE with a wrong password: %v", err)
		}
		if err := c.Authenticate(ctx, client.PlainAuth("", DemoUser, DemoPassword)); err != nil {
			t.Errorf("AUTHENTICATE PLAIN: %v", err)
		}
		c.Close()
	}
	r := dialRaw(t, s)
	r.write("a AUTHENTICATE PLAIN\r\n")
	if l := r.line(); l != "+ " {
		t.Fatalf("continuation %q", l)
	}
	r.write("AGRlbW8AZGVtbw==\r\n")
	if _, tagged := r.until("a"); !strings.HasPrefix(tagged, "OK [CAPABILITY") {
		t.Errorf("AUTHENTICATE: %s", tagged)
	}
	r = dialRaw(t, s)
	r.write("b AUTHENTICATE PLAIN\r\n")
	r.line()
	r.write("*\r\n")
	if _, tagged := r.until("b"); !strings.HasPrefix(tagged, "BAD") {
		t.Errorf("cancelled AUTHENTICATE: %s", tagged)
	}
}

func fetchAll(t *testing.T, c *client.Client, set wire.SeqSet, items ...string) []*parser.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f, err := c.Fetch(ctx, set, items...)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := f.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// TestServerClose: Close ends every connection and its goroutine, IDLE
// included, and the Serve loop: when it returns, every connection has
// been closed by the server.
func TestServerClose(t *testing.T) {
	s, err := Listen("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	var conns []*raw
	for i := 0; i < 3; i++ {
		c, err := net.Dial("tcp", s.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		r := &raw{t: t, c: c, br: bufio.NewReader(c)}
		// The greeting: the connection is being served.
		if g := r.line(); !strings.HasPrefix(g, "* OK ") {
			t.Fatalf("greeting %q", g)
		}
		conns = append(conns, r)
	}
	conns[0].write("a LOGIN demo demo\r\nb IDLE\r\n")
	conns[0].until("a")
	if l := conns[0].line(); l != "+ idling" {
		t.Fatalf("IDLE: %q", l)
	}
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	for i, r := range conns {
		// Closed by the server: the rest of the stream, then EOF. The
		// deadline only keeps a failing test from hanging.
		r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err := io.Copy(io.Discard, r.br)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("connection %d still open after Close", i)
		}
	}
}

// timeoutListener is a net.Listener whose Accept fails with a timeout
// until it is closed; each call is reported on calls.
type timeoutListener struct {
	calls     chan struct{}
	closed    chan struct{}
	closeOnce sync.Once
}

type acceptTimeout struct{}

func (acceptTimeout) Error() string   { return "accept: i/o timeout" }
func (acceptTimeout) Timeout() bool   { return true }
func (acceptTimeout) Temporary() bool { return true }

func (l *timeoutListener) Accept() (net.Conn, error) {
	select {
	case <-l.closed:
		return nil, net.ErrClosed
	default:
	}
	select {
	case l.calls <- struct{}{}:
	default:
	}
	return nil, acceptTimeout{}
}

func (l *timeoutListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return nil
}

func (l *timeoutListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// TestServeBackoffClose: after an Accept timeout Serve pauses before
// trying again; Close ends the pause at once, and Serve has returned nil
// when Close returns (no goroutine outlives Close). The pause is an hour
// here: a Close that waited for it would not return.
func TestServeBackoffClose(t *testing.T) {
	s, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	s.acceptBackoff = time.Hour
	ln := &timeoutListener{calls: make(chan struct{}, 1), closed: make(chan struct{})}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	<-ln.calls // Accept failed: Serve is pausing
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for Serve's pause")
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve after Close: %v", err)
		}
	default:
		t.Error("Serve still running when Close returned")
	}
}

// TestConcurrentSessions: sessions changing one mailbox at once (run with
// -race) stay consistent: every session ends with the same messages.
func TestConcurrentSessions(t *testing.T) {
	s := testServer(t)
	setup := dialRaw(t, s)
	setup.login()
	setup.ok("CREATE Busy")
	const workers, rounds = 4, 25
	// Connected and logged in here; the workers only use try, which
	// never calls the test's Fatal from their goroutines.
	var rs []*raw
	for range workers {
		r := dialRaw(t, s)
		r.login()
		r.ok("SELECT Busy")
		rs = append(rs, r)
	}
	errs := make(chan error, workers)
	for w, r := range rs {
		go func() {
			tag := 0
			for i := 0; i < rounds; i++ {
				for _, cmd := range []string{"APPEND Busy {5+}\r\nhello", `STORE 1:* +FLAGS.SILENT (\Seen)`, "UID SEARCH UNSEEN",
					`UID STORE 1:* +FLAGS.SILENT (\Deleted)`, "EXPUNGE", "NOOP", "FETCH 1:* (UID FLAGS)"} {
					tag++
					tagged, err := r.try("w"+strconv.Itoa(tag), cmd)
					if err != nil {
						errs <- fmt.Errorf("worker %d: %s: %w", w, cmd, err)
						return
					}
					if !strings.HasPrefix(tagged, "OK") && !strings.HasPrefix(tagged, "BAD Error in IMAP command: Invalid messageset") {
						errs <- fmt.Errorf("worker %d: %s: %s", w, cmd, tagged)
						return
					}
				}
			}
			tagged, err := r.try("end", "NOOP")
			if err == nil && !strings.HasPrefix(tagged, "OK") {
				err = errors.New("NOOP: " + tagged)
			}
			errs <- err
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	u := setup.ok("STATUS Busy (MESSAGES UIDNEXT)")
	if len(u) != 1 || !strings.Contains(u[0], "UIDNEXT 101") {
		t.Errorf("STATUS after %d APPENDs: %q", workers*rounds, u)
	}
}
