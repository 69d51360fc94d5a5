package demo

import (
	"bufio"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imapwire/imapwire/client"
	imapcmd "github.com/imapwire/imapwire/command"
	"github.com/imapwire/imapwire/wire"
)

// otherServer returns a Server in ModeOther with the fixture (UIDVALIDITY
// fixed) that is closed when the test ends.
func otherServer(t testing.TB) *Server {
	t.Helper()
	s, err := New(&Options{UIDValidity: 1000, Mode: ModeOther})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// quotaWithoutList is the strict parser's error for ModeOther's
// `* QUOTA "ROOT"`, the one response of the mode that breaks the grammar
// (deliberately: imapwire issue 14).
const quotaWithoutList = "in quota-response"

// An exchange is one command and the server's exact answer.
type exchange struct {
	name     string
	send     string // the command without its tag
	literal  string // when send ends with {n}: sent after the server's "+"
	untagged []string
	tagged   string // without the tag
}

// run sends each exchange on r, in order, and checks the answers.
func (r *raw) run(t *testing.T, steps []exchange) {
	t.Helper()
	for _, st := range steps {
		r.n++
		tag := "t" + strconv.Itoa(r.n)
		r.write(tag + " " + st.send + "\r\n")
		if st.literal != "" {
			if l := r.line(); l != "+ Ready for literal data" {
				t.Fatalf("%s: %q, want the continuation request", st.name, l)
			}
			r.write(st.literal + "\r\n")
		}
		u, tagged := r.until(tag)
		if tagged != st.tagged || !slices.Equal(u, st.untagged) {
			t.Errorf("%s: %s\n got %q\n     %s\nwant %q\n     %s", st.name, st.send, u, tagged, st.untagged, st.tagged)
		}
	}
}

// TestOtherCapabilities: in ModeOther one capability list, without
// LITERAL+, is sent before and after login, and LOGIN's OK has no
// CAPABILITY code.
func TestOtherCapabilities(t *testing.T) {
	s := otherServer(t)
	r := &raw{t: t, c: pipeConn(t, s)}
	r.br = bufio.NewReader(r.c)
	if g, want := r.line(), "* OK [CAPABILITY "+capsOther+"] imapwire teaching server ready (in memory, for teaching and testing)"; g != want {
		t.Errorf("greeting %q, want %q", g, want)
	}
	if strings.Contains(capsOther, "LITERAL") {
		t.Errorf("capsOther advertises %q", capsOther)
	}
	r.run(t, []exchange{
		{"before login", "CAPABILITY", "", []string{"* CAPABILITY " + capsOther}, "OK Capability completed."},
		{"wrong password: no code", "LOGIN demo wrong", "", nil, "NO Login failed."},
		{"AUTHENTICATE PLAIN, wrong password: no code", "AUTHENTICATE PLAIN AGRlbW8Ad3Jvbmc=", "", nil, "NO Login failed."},
		{"LOGIN: no CAPABILITY code", "LOGIN demo demo", "", nil, "OK LOGIN Ok."},
		{"after login", "CAPABILITY", "", []string{"* CAPABILITY " + capsOther}, "OK Capability completed."},
	})
}

// TestOtherServer: each way ModeOther differs from the default mode, as
// exact exchanges.
func TestOtherServer(t *testing.T) {
	s := otherServer(t)
	r := dialRawAllowing(t, s, quotaWithoutList)
	r.login()
	const msg8 = "Subject: Gr\xc3\xbc\xc3\x9fe \xe5\x8f\xb0\xe5\x8c\x97\r\nFrom: a@example.org\r\n\r\nK\xc3\xa4se\r\n"
	hdr := func(subject string) string {
		return "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {" + strconv.Itoa(len(subject)+13) + "}\r\nSubject: " + subject + "\r\n\r\n)"
	}
	steps := []exchange{
		// The INBOX. namespace with "." as the delimiter.
		{"NAMESPACE", "NAMESPACE", "", []string{`* NAMESPACE (("INBOX." ".")) NIL NIL`}, "OK Namespace completed."},
		{"LIST delimiter", `LIST "" ""`, "", []string{`* LIST (\Noselect) "." ""`}, "OK List completed."},
		{"LIST fixture", `LIST "" INBOX.Travel*`, "", []string{
			`* LIST (\HasChildren) "." INBOX.Travel`,
			`* LIST (\HasNoChildren) "." INBOX.Travel.&U,BTFw-`,
		}, "OK List completed."},
		{"LIST % at the top", `LIST "" %`, "", []string{`* LIST (\HasChildren) "." INBOX`}, "OK List completed."},
		{"LIST % in INBOX.", `LIST INBOX. %`, "", []string{
			`* LIST (\HasNoChildren \Archive) "." INBOX.Archive`,
			`* LIST (\HasNoChildren) "." "INBOX.Deleted Items"`,
			`* LIST (\HasNoChildren) "." INBOX.Entw&APw-rfe`,
			`* LIST (\HasChildren) "." INBOX.Travel`,
			`* LIST (\HasChildren) "." INBOX.Work`,
			`* LIST (\Noselect \HasChildren) "." INBOX.[Gmail]`,
		}, "OK List completed."},
		{"CREATE top level", "CREATE Top", "", nil, "NO Invalid mailbox name."},
		{"CREATE with / (no hierarchy)", "CREATE Top/x", "", nil, "NO Invalid mailbox name."},
		{"CREATE", "CREATE INBOX.Box", "", nil, "OK Create completed."},
		{"CREATE in lower case", "CREATE inbox.Box.Sub", "", nil, "OK Create completed."},
		{"LIST INBOX.Box*", `LIST "" INBOX.Box*`, "", []string{
			`* LIST (\HasChildren) "." INBOX.Box`,
			`* LIST (\HasNoChildren) "." INBOX.Box.Sub`,
		}, "OK List completed."},
		// NO without response codes, but TRYCREATE.
		{"CREATE existing", "CREATE INBOX.Box", "", nil, "NO Mailbox already exists: INBOX.Box"},
		{"SELECT missing", "SELECT INBOX.Nope", "", nil, "NO Mailbox doesn't exist: INBOX.Nope"},
		{"DELETE INBOX", "DELETE INBOX", "", nil, "NO INBOX can't be deleted."},
		{"APPEND to a missing mailbox: TRYCREATE", "APPEND INBOX.Nope {1}", "x", nil, "NO [TRYCREATE] Mailbox doesn't exist: INBOX.Nope"},
		// RENAME: of a missing mailbox OK; to a top-level name refused.
		{"RENAME missing", "RENAME INBOX.Missing INBOX.Other", "", nil, "OK Rename completed."},
		{"RENAME missing made nothing", `LIST "" INBOX.Other*`, "", nil, "OK List completed."},
		{"RENAME to top level", "RENAME INBOX.Box.Sub Top", "", nil, "NO Invalid mailbox name."},
		// LITERAL+ is not advertised: {n+} is BAD, and its data skipped.
		{"{n+} refused", "APPEND INBOX.Box {5+}\r\nhello", "", nil,
			"BAD Error in IMAP command APPEND: append: non-synchronizing literal {5+} without LITERAL+"},
		{"after {n+}", "NOOP", "", nil, "OK NOOP completed."},
		// 8-bit header bytes are rewritten to X at APPEND; the body is kept.
		{"APPEND 8-bit", "APPEND INBOX.Box {" + strconv.Itoa(len(msg8)) + "}", msg8, nil, "OK [APPENDUID 1012 1] Append completed."},
		// SELECT without UIDNEXT.
		{"SELECT", "SELECT INBOX.Box", "", []string{
			`* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)`,
			`* OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted.`,
			"* 1 EXISTS",
			"* 1 RECENT",
			"* OK [UNSEEN 1] First unseen.",
			"* OK [UIDVALIDITY 1012] UIDs valid",
			"* OK [HIGHESTMODSEQ 2] Highest",
		}, "OK [READ-WRITE] Select completed."},
		{"8-bit header rewritten", "FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]", "", []string{hdr("GrXXXXe XXXXXX")}, "OK Fetch completed."},
		{"8-bit body kept", "FETCH 1 (RFC822.SIZE BODY.PEEK[TEXT])", "", []string{
			"* 1 FETCH (RFC822.SIZE " + strconv.Itoa(len(msg8)) + " BODY[TEXT] {7}\r\nK\xc3\xa4se\r\n)"}, "OK Fetch completed."},
		// .SILENT answered with FETCH FLAGS.
		{"STORE .SILENT", `STORE 1 +FLAGS.SILENT (\Flagged)`, "", []string{`* 1 FETCH (FLAGS (\Flagged \Recent))`}, "OK Store completed."},
		{"UID STORE .SILENT", `UID STORE 1 -FLAGS.SILENT (\Flagged)`, "", []string{`* 1 FETCH (UID 1 FLAGS (\Recent))`}, "OK Store completed."},
		// Quotas: GETQUOTA refused, QUOTA without a list.
		{"GETQUOTAROOT", "GETQUOTAROOT INBOX.Box", "", []string{`* QUOTAROOT INBOX.Box "ROOT"`, `* QUOTA "ROOT"`}, "OK GETQUOTAROOT Ok."},
		{"GETQUOTA", `GETQUOTA "ROOT"`, "", nil, "NO Permission denied"},
		{"GETQUOTAROOT missing", "GETQUOTAROOT INBOX.Nope", "", nil, "NO Mailbox doesn't exist: INBOX.Nope"},
		// EXAMINE: APPEND to the mailbox refused, STORE stored.
		{"EXAMINE", "EXAMINE INBOX.Box", "", []string{
			"* OK [CLOSED] Previous mailbox closed.",
			`* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)`,
			`* OK [PERMANENTFLAGS ()] Read-only mailbox.`,
			"* 1 EXISTS",
			"* 0 RECENT",
			"* OK [UNSEEN 1] First unseen.",
			"* OK [UIDVALIDITY 1012] UIDs valid",
			"* OK [HIGHESTMODSEQ 4] Highest",
		}, "OK [READ-ONLY] Examine completed."},
		{"APPEND to the EXAMINEd mailbox", "APPEND INBOX.Box {1}", "x", nil, "NO Current box is selected READ-ONLY."},
		{"APPEND to another mailbox", "APPEND INBOX.Box.Sub {1}", "x", nil, "OK [APPENDUID 1013 1] Append completed."},
		{"STORE in EXAMINE", `STORE 1 +FLAGS (\Seen)`, "", []string{`* 1 FETCH (FLAGS (\Seen))`}, "OK Store completed."},
		{"COPY to a missing mailbox: TRYCREATE", "COPY 1 INBOX.Nope", "", nil, "NO [TRYCREATE] Mailbox doesn't exist: INBOX.Nope"},
		{"MOVE in EXAMINE: no code", "MOVE 1 INBOX.Box.Sub", "", nil, "NO Mailbox is read-only (EXAMINE)"},
	}
	r.run(t, steps)
}

// TestOtherExpunge: in ModeOther EXPUNGE is followed by the new EXISTS
// and RECENT, the exchange of imapwire issue 14; the client's
// Selected().Exists follows it.
func TestOtherExpunge(t *testing.T) {
	s := otherServer(t)
	r := dialRaw(t, s)
	r.login()
	r.ok("CREATE INBOX.Five")
	for i := 0; i < 5; i++ {
		r.n++
		tag := "a" + strconv.Itoa(i)
		r.write(tag + " APPEND INBOX.Five {1}\r\n")
		if l := r.line(); !strings.HasPrefix(l, "+ ") {
			t.Fatalf("APPEND: %q", l)
		}
		r.write("x\r\n")
		if _, tagged := r.until(tag); !strings.HasPrefix(tagged, "OK") {
			t.Fatalf("APPEND: %s", tagged)
		}
	}
	r.run(t, []exchange{
		{"EXAMINE", "EXAMINE INBOX.Five", "", []string{
			`* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)`,
			`* OK [PERMANENTFLAGS ()] Read-only mailbox.`,
			"* 5 EXISTS",
			"* 5 RECENT",
			"* OK [UNSEEN 1] First unseen.",
			"* OK [UIDVALIDITY 1012] UIDs valid",
			"* OK [HIGHESTMODSEQ 6] Highest",
		}, "OK [READ-ONLY] Examine completed."},
		{"SELECT", "SELECT INBOX.Five", "", []string{
			"* OK [CLOSED] Previous mailbox closed.",
			`* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)`,
			`* OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted.`,
			"* 5 EXISTS",
			"* 5 RECENT",
			"* OK [UNSEEN 1] First unseen.",
			"* OK [UIDVALIDITY 1012] UIDs valid",
			"* OK [HIGHESTMODSEQ 6] Highest",
		}, "OK [READ-WRITE] Select completed."},
		{"STORE", `STORE 2,4 +FLAGS.SILENT (\Deleted)`, "", []string{
			`* 2 FETCH (FLAGS (\Deleted \Recent))`,
			`* 4 FETCH (FLAGS (\Deleted \Recent))`,
		}, "OK Store completed."},
		{"EXPUNGE", "EXPUNGE", "", []string{"* 2 EXPUNGE", "* 3 EXPUNGE", "* 3 EXISTS", "* 3 RECENT"}, "OK Expunge completed."},
		{"NOOP: nothing more", "NOOP", "", nil, "OK NOOP completed."},
	})
}

// TestOtherClient runs the client against ModeOther where it differs: no
// LITERAL+ sent, the EXISTS after EXPUNGE, the QUOTA without a list (the
// connection survives), GETQUOTA's NO, LOGIN's NO without a code.
func TestOtherClient(t *testing.T) {
	s := otherServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var trace strings.Builder
	c, err := client.New(ctx, pipeConnAllowing(t, s, quotaWithoutList), &client.Options{AllowPlaintext: true, Trace: &trace})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	err = c.Login(ctx, DemoUser, "wrong")
	var se *imapcmd.StatusError
	if !errors.As(err, &se) || !errors.Is(err, imapcmd.ErrNo) || se.Resp.Code != nil {
		t.Errorf("LOGIN with a wrong password: %v, want a NO without code", err)
	}
	if err := c.Login(ctx, DemoUser, DemoPassword); err != nil {
		t.Fatal(err)
	}
	if c.Has("LITERAL+") || !c.Has("QUOTA") {
		t.Errorf("capabilities after login: %v", must(c.Capabilities(ctx)))
	}
	if err := c.Create(ctx, "INBOX.Five"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := c.Append(ctx, "INBOX.Five", 1, strings.NewReader("x"), nil); err != nil {
			t.Fatalf("APPEND: %v", err)
		}
	}
	if strings.Contains(trace.String(), "+}") {
		t.Errorf("the client sent a non-synchronizing literal without LITERAL+:\n%s", trace.String())
	}
	mb, err := c.Select(ctx, "INBOX.Five")
	if err != nil {
		t.Fatal(err)
	}
	if mb.Exists != 5 || mb.UIDNext != 0 {
		t.Errorf("SELECT: Exists %d UIDNext %d, want 5 and 0 (none sent)", mb.Exists, mb.UIDNext)
	}
	if _, err := c.Store(ctx, wire.SeqSetOf(2, 4), client.AddFlags, true, `\Deleted`); err != nil {
		t.Fatal(err)
	}
	seqs, err := c.Expunge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(seqs, []uint32{2, 3}) || c.Selected().Exists != 3 {
		t.Errorf("EXPUNGE: %v, Exists %d; want [2 3] and 3", seqs, c.Selected().Exists)
	}

	root, quotas, err := c.GetQuotaRoot(ctx, "INBOX")
	if err != nil {
		t.Fatalf("GETQUOTAROOT: %v", err)
	}
	if root == nil || root.Name != "INBOX" || !slices.Equal(root.Roots, []string{"ROOT"}) {
		t.Errorf("QUOTAROOT %+v, want INBOX in the root ROOT", root)
	}
	if len(quotas) != 1 || quotas[0].Root != "ROOT" || len(quotas[0].Resources) != 0 {
		t.Errorf("QUOTA %+v, want ROOT without resources", quotas)
	}
	if _, err := c.GetQuota(ctx, "ROOT"); !errors.As(err, &se) || !errors.Is(err, imapcmd.ErrNo) {
		t.Errorf("GETQUOTA: %v, want a NO", err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Errorf("NOOP after the quota commands: %v", err)
	}
	if err := c.Logout(ctx); err != nil {
		t.Error(err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestParseMode: the names of the modes, and New refusing an unknown one.
func TestParseMode(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Mode
		ok   bool
	}{
		{"", ModeDovecot, true},
		{"dovecot", ModeDovecot, true},
		{"Dovecot", ModeDovecot, true},
		{"other", ModeOther, true},
		{"OTHER", ModeOther, true},
		{"courier", "", false},
	} {
		got, err := ParseMode(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseMode(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if _, err := New(&Options{Mode: "courier"}); err == nil {
		t.Error("New with an unknown mode succeeded")
	}
}
