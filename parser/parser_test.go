package parser

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/imapwire/imapwire/wire"
)

// cmpOpts compare responses: times by their text (so that the zone
// counts), empty and nil slices and maps alike (tests that care about the
// difference check it separately), and the streaming Body never.
var cmpOpts = []cmp.Option{
	cmp.Transformer("time", func(t time.Time) string { return t.Format(time.RFC3339Nano) }),
	cmpopts.EquateEmpty(),
	cmpopts.IgnoreFields(BodySectionItem{}, "Body"),
	cmpopts.IgnoreUnexported(Fetch{}),
}

// A respCase is one input of the response table: the bytes (CRLF is
// appended), the expected lenient parse, and whether strict mode must
// reject it.
type respCase struct {
	name   string
	in     string
	want   Response
	strict bool // strict mode rejects the input with a *wire.SyntaxError
}

func u32(n uint32) *uint32 { return &n }
func u64(n uint64) *uint64 { return &n }

func code(name, args string) *Code { return &Code{Name: name, Args: args} }

func seqSet(s string) wire.SeqSet {
	set, err := wire.ParseSeqSet(s)
	if err != nil {
		panic(err)
	}
	return set
}

func atom(s string) wire.Value   { return wire.Value{Kind: wire.KindAtom, Text: s} }
func num(s string) wire.Value    { return wire.Value{Kind: wire.KindNumber, Text: s} }
func quoted(s string) wire.Value { return wire.Value{Kind: wire.KindQuoted, Text: s} }
func list(v ...wire.Value) wire.Value {
	return wire.Value{Kind: wire.KindList, List: append([]wire.Value{}, v...)}
}

var nilValue = wire.Value{Kind: wire.KindNIL, Text: "NIL"}

// statusCases cover StatusResponse and every response code.
var statusCases = []respCase{
	{name: "untagged OK", in: "* OK IMAP4rev1 server ready",
		want: &StatusResponse{Type: OK, Text: "IMAP4rev1 server ready"}},
	{name: "tagged NO", in: "A1 NO COPY failed: disk is full",
		want: &StatusResponse{Tag: "A1", Type: NO, Text: "COPY failed: disk is full"}},
	{name: "tagged BAD", in: `A044 BAD No such command as "BLURDYBLOOP"`,
		want: &StatusResponse{Tag: "A044", Type: BAD, Text: `No such command as "BLURDYBLOOP"`}},
	{name: "lower case condition", in: "a1 ok done",
		want: &StatusResponse{Tag: "a1", Type: OK, Text: "done"}},
	{name: "PREAUTH", in: "* PREAUTH IMAP4rev1 server logged in as Smith",
		want: &StatusResponse{Type: PREAUTH, Text: "IMAP4rev1 server logged in as Smith"}},
	{name: "BYE", in: "* BYE Autologout; idle for too long",
		want: &StatusResponse{Type: BYE, Text: "Autologout; idle for too long"}},
	{name: "tag with ]", in: "a]1 OK x",
		want: &StatusResponse{Tag: "a]1", Type: OK, Text: "x"}},
	{name: "text starting with [ that is a code", in: "* OK [ALERT] System shutdown in 10 minutes",
		want: &StatusResponse{Type: OK, Code: code("ALERT", ""), Text: "System shutdown in 10 minutes"}},
	{name: "BADCHARSET", in: "A2 NO [BADCHARSET] charset not supported",
		want: &StatusResponse{Tag: "A2", Type: NO, Code: code("BADCHARSET", ""), Text: "charset not supported"}},
	{name: "BADCHARSET with list", in: `A2 NO [BADCHARSET (UTF-8 "US-ASCII")] use these`,
		want: &StatusResponse{Tag: "A2", Type: NO, Code: &Code{Name: "BADCHARSET", Args: `(UTF-8 "US-ASCII")`, List: []string{"UTF-8", "US-ASCII"}}, Text: "use these"}},
	{name: "CAPABILITY code", in: "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] Dovecot ready.",
		want: &StatusResponse{Type: OK, Code: &Code{Name: "CAPABILITY", Args: "IMAP4rev1 SASL-IR AUTH=PLAIN", List: []string{"IMAP4rev1", "SASL-IR", "AUTH=PLAIN"}}, Text: "Dovecot ready."}},
	{name: "PARSE", in: "* BAD [PARSE] Bad header in message 7",
		want: &StatusResponse{Type: BAD, Code: code("PARSE", ""), Text: "Bad header in message 7"}},
	{name: "PERMANENTFLAGS", in: `* OK [PERMANENTFLAGS (\Deleted \Seen \*)] Limited`,
		want: &StatusResponse{Type: OK, Code: &Code{Name: "PERMANENTFLAGS", Args: `(\Deleted \Seen \*)`, List: []string{`\Deleted`, `\Seen`, `\*`}}, Text: "Limited"}},
	{name: "PERMANENTFLAGS empty", in: "* OK [PERMANENTFLAGS ()] No permanent flags permitted",
		want: &StatusResponse{Type: OK, Code: &Code{Name: "PERMANENTFLAGS", Args: "()", List: []string{}}, Text: "No permanent flags permitted"}},
	{name: "READ-ONLY", in: "A932 OK [READ-ONLY] EXAMINE completed",
		want: &StatusResponse{Tag: "A932", Type: OK, Code: code("READ-ONLY", ""), Text: "EXAMINE completed"}},
	{name: "READ-WRITE", in: "A142 OK [READ-WRITE] SELECT completed",
		want: &StatusResponse{Tag: "A142", Type: OK, Code: code("READ-WRITE", ""), Text: "SELECT completed"}},
	{name: "TRYCREATE", in: "A003 NO [TRYCREATE] No such mailbox",
		want: &StatusResponse{Tag: "A003", Type: NO, Code: code("TRYCREATE", ""), Text: "No such mailbox"}},
	{name: "UIDNEXT", in: "* OK [UIDNEXT 4392] Predicted next UID",
		want: &StatusResponse{Type: OK, Code: &Code{Name: "UIDNEXT", Args: "4392", Number: 4392}, Text: "Predicted next UID"}},
	{name: "UIDVALIDITY max", in: "* OK [UIDVALIDITY 4294967295] UIDs valid",
		want: &StatusResponse{Type: OK, Code: &Code{Name: "UIDVALIDITY", Args: "4294967295", Number: 4294967295}, Text: "UIDs valid"}},
	{name: "UNSEEN", in: "* OK [UNSEEN 12] Message 12 is first unseen",
		want: &StatusResponse{Type: OK, Code: &Code{Name: "UNSEEN", Args: "12", Number: 12}, Text: "Message 12 is first unseen"}},
	{name: "code name in lower case", in: "* OK [uidnext 5] x",
		want: &StatusResponse{Type: OK, Code: &Code{Name: "UIDNEXT", Args: "5", Number: 5}, Text: "x"}},
	{name: "APPENDUID", in: "A003 OK [APPENDUID 38505 3955] APPEND completed",
		want: &StatusResponse{Tag: "A003", Type: OK, Code: &Code{Name: "APPENDUID", Args: "38505 3955", Number: 38505, Set: seqSet("3955")}, Text: "APPEND completed"}},
	{name: "APPENDUID uid-set", in: "A003 OK [APPENDUID 38505 3955:3957,3960] MULTIAPPEND completed",
		want: &StatusResponse{Tag: "A003", Type: OK, Code: &Code{Name: "APPENDUID", Args: "38505 3955:3957,3960", Number: 38505, Set: seqSet("3955:3957,3960")}, Text: "MULTIAPPEND completed"}},
	{name: "COPYUID", in: "A004 OK [COPYUID 38505 304,319:320 3956:3958] Done",
		want: &StatusResponse{Tag: "A004", Type: OK, Code: &Code{Name: "COPYUID", Args: "38505 304,319:320 3956:3958", Number: 38505,
			Set: seqSet("304,319:320"), Dest: seqSet("3956:3958")}, Text: "Done"}},
	{name: "UIDNOTSTICKY", in: "A003 OK [UIDNOTSTICKY] Non-persistent UIDs",
		want: &StatusResponse{Tag: "A003", Type: OK, Code: code("UIDNOTSTICKY", ""), Text: "Non-persistent UIDs"}},
	{name: "HIGHESTMODSEQ", in: "* OK [HIGHESTMODSEQ 715194045007] Highest",
		want: &StatusResponse{Type: OK, Code: &Code{Name: "HIGHESTMODSEQ", Args: "715194045007", ModSeq: 715194045007}, Text: "Highest"}},
	{name: "HIGHESTMODSEQ 63 bits", in: "* OK [HIGHESTMODSEQ 9223372036854775807] max",
		want: &StatusResponse{Type: OK, Code: &Code{Name: "HIGHESTMODSEQ", Args: "9223372036854775807", ModSeq: 1<<63 - 1}, Text: "max"}},
	{name: "NOMODSEQ", in: "* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences",
		want: &StatusResponse{Type: OK, Code: code("NOMODSEQ", ""), Text: "Sorry, this mailbox format doesn't support modsequences"}},
	{name: "MODIFIED", in: "d105 OK [MODIFIED 7,9] Conditional STORE failed",
		want: &StatusResponse{Tag: "d105", Type: OK, Code: &Code{Name: "MODIFIED", Args: "7,9", Set: seqSet("7,9")}, Text: "Conditional STORE failed"}},
	{name: "CLOSED", in: "* OK [CLOSED] Previous mailbox closed",
		want: &StatusResponse{Type: OK, Code: code("CLOSED", ""), Text: "Previous mailbox closed"}},
	{name: "unknown code with raw args", in: `* OK [XFOO bar (baz "q]x") [y]] text`,
		want:   &StatusResponse{Type: OK, Code: code("XFOO", `bar (baz "q]x") [y]`), Text: "text"},
		strict: true}, // strictly the code's text ends at "[y": "]" is no SP
	// RFC 3501 section 9: atom [SP 1*<any TEXT-CHAR except "]">]; "[" is
	// a TEXT-CHAR (issue 18: refused before, expected "]").
	{name: "code text with [", in: "A1 NO [XSOMETHING see a[b] text",
		want: &StatusResponse{Tag: "A1", Type: NO, Code: code("XSOMETHING", "see a[b"), Text: "text"}},
	{name: "code text with [ and no text", in: "* OK [XFOO a[b]",
		want: &StatusResponse{Type: OK, Code: code("XFOO", "a[b")}, strict: true},
	{name: "code text with ( and ]", in: "* OK [XFOO a(b] c",
		want: &StatusResponse{Type: OK, Code: code("XFOO", "a(b"), Text: "c"}},
	// A code whose "]" never comes (a REFERRAL URL cut short): the text
	// kept whole, without a code (issue 18 section 2).
	{name: "unclosed code", in: "* NO [REFERRAL imap://user@host/INBOX cut short",
		want: &StatusResponse{Type: NO, Text: "[REFERRAL imap://user@host/INBOX cut short"}, strict: true},
	{name: "unclosed code, name alone", in: "* OK [ALERT",
		want: &StatusResponse{Type: OK, Text: "[ALERT"}, strict: true},
	{name: "unclosed code in quotes", in: `* OK [XFOO "a b`,
		want: &StatusResponse{Type: OK, Text: `[XFOO "a b`}, strict: true},
	{name: "unknown code without args", in: "* NO [XYZZY] nothing happens",
		want: &StatusResponse{Type: NO, Code: code("XYZZY", ""), Text: "nothing happens"}},
	{name: "known code with unparsable args is kept raw", in: "* OK [UIDNEXT abc] x",
		want: &StatusResponse{Type: OK, Code: code("UIDNEXT", "abc"), Text: "x"}, strict: true},
	{name: "8-bit text", in: "* OK caf\xc3\xa9",
		want: &StatusResponse{Type: OK, Text: "caf\xc3\xa9"}, strict: true},
}

// rfc5530Codes are the response codes of RFC 5530.
var rfc5530Codes = []string{
	CodeUnavailable, CodeAuthenticationFailed, CodeAuthorizationFailed, CodeExpired,
	CodePrivacyRequired, CodeContactAdmin, CodeNoPerm, CodeInUse, CodeExpungeIssued,
	CodeCorruption, CodeServerBug, CodeClientBug, CodeCannot, CodeLimit, CodeOverQuota,
	CodeAlreadyExists, CodeNonExistent,
}

func init() {
	for _, c := range rfc5530Codes {
		statusCases = append(statusCases, respCase{
			name: "RFC 5530 " + c,
			in:   "A1 NO [" + c + "] text for " + c,
			want: &StatusResponse{Tag: "A1", Type: NO, Code: code(c, ""), Text: "text for " + c},
		})
	}
}

var dataCases = []respCase{
	// continuation
	{name: "continuation", in: "+ Ready for additional command text",
		want: &Continuation{Text: "Ready for additional command text"}},
	{name: "continuation/base64", in: "+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMC",
		want: &Continuation{Text: "YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMC"}},
	{name: "continuation/empty base64", in: "+ ",
		want: &Continuation{}},

	// CAPABILITY, ENABLED
	{name: "CAPABILITY", in: "* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI LOGINDISABLED",
		want: &Capability{Caps: []string{"IMAP4rev1", "STARTTLS", "AUTH=GSSAPI", "LOGINDISABLED"}}},
	{name: "ENABLED", in: "* ENABLED CONDSTORE QRESYNC",
		want: &Enabled{Caps: []string{"CONDSTORE", "QRESYNC"}}},
	{name: "ENABLED none", in: "* ENABLED",
		want: &Enabled{}},

	// LIST, LSUB, XLIST
	{name: "LIST INBOX", in: `* LIST (\HasNoChildren) "/" "INBOX"`,
		want: &List{Command: "LIST", Attrs: []string{`\HasNoChildren`}, Delim: "/", Mailbox: Mailbox{Name: "INBOX", Raw: "INBOX"}}},
	// A literal is CHAR8: 8-bit bytes in a name are in the grammar, in
	// both modes; that they are not modified UTF-7 is reported, not
	// refused (issue 18: strict mode refused it).
	{name: "LIST 8-bit literal name", in: "* LIST () \"/\" {4}\r\nAb\xc3\xa4",
		want: &List{Command: "LIST", Delim: "/", Mailbox: Mailbox{Name: "Ab\xc3\xa4", Raw: "Ab\xc3\xa4", NotUTF7: true}}},
	{name: "LIST bad UTF-7 kept", in: `* LIST () "/" &Jjo`,
		want: &List{Command: "LIST", Delim: "/", Mailbox: Mailbox{Name: "&Jjo", Raw: "&Jjo", NotUTF7: true}}},
	{name: "LIST inbox in any case", in: `* LIST () "." inbox`,
		want: &List{Command: "LIST", Delim: ".", Mailbox: Mailbox{Name: "INBOX", Raw: "inbox"}}},
	{name: "LIST NIL delimiter", in: `* LIST (\Noselect) NIL ""`,
		want: &List{Command: "LIST", Attrs: []string{`\Noselect`}, Mailbox: Mailbox{}}},
	{name: "LIST escaped delimiter", in: `* LIST () "\\" Drafts`,
		want: &List{Command: "LIST", Delim: `\`, Mailbox: Mailbox{Name: "Drafts", Raw: "Drafts"}}},
	{name: "LIST literal name", in: "* LIST () \"/\" {11}\r\nfoo bar/baz",
		want: &List{Command: "LIST", Delim: "/", Mailbox: Mailbox{Name: "foo bar/baz", Raw: "foo bar/baz"}}},
	{name: "LIST modified UTF-7", in: `* LIST (\HasNoChildren) "/" "Entw&APw-rfe/&ZeVnLIqe-"`,
		want: &List{Command: "LIST", Attrs: []string{`\HasNoChildren`}, Delim: "/", Mailbox: Mailbox{Name: "Entwürfe/日本語", Raw: "Entw&APw-rfe/&ZeVnLIqe-"}}},
	{name: "LIST special-use", in: `* LIST (\HasNoChildren \Sent) "/" "[Gmail]/Sent Mail"`,
		want: &List{Command: "LIST", Attrs: []string{`\HasNoChildren`, `\Sent`}, Delim: "/", Mailbox: Mailbox{Name: "[Gmail]/Sent Mail", Raw: "[Gmail]/Sent Mail"}}},
	{name: "LIST CHILDINFO", in: `* LIST (\HasChildren) "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))`,
		want: &List{Command: "LIST", Attrs: []string{`\HasChildren`}, Delim: "/", Mailbox: Mailbox{Name: "Foo", Raw: "Foo"}, ChildInfo: []string{"SUBSCRIBED"}}},
	{name: "LIST OLDNAME", in: `* LIST () "/" "NewName" ("OLDNAME" ("Old&AOQ-"))`,
		want: &List{Command: "LIST", Delim: "/", Mailbox: Mailbox{Name: "NewName", Raw: "NewName"}, OldName: &Mailbox{Name: "Oldä", Raw: "Old&AOQ-"}}},
	{name: "LIST unknown extended item", in: `* LIST () "/" x ("X-FOO" (a "b") "CHILDINFO" ("SUBSCRIBED" "X"))`,
		want: &List{Command: "LIST", Delim: "/", Mailbox: Mailbox{Name: "x", Raw: "x"}, ChildInfo: []string{"SUBSCRIBED", "X"},
			Extended: []ExtItem{{Name: "X-FOO", Value: list(atom("a"), quoted("b"))}}}},
	{name: "LSUB", in: `* LSUB (\NoSelect) "." #news.comp.mail`,
		want: &List{Command: "LSUB", Attrs: []string{`\NoSelect`}, Delim: ".", Mailbox: Mailbox{Name: "#news.comp.mail", Raw: "#news.comp.mail"}}},
	{name: "XLIST", in: `* XLIST (\HasNoChildren \Inbox) "/" "Inbox"`,
		want: &List{Command: "XLIST", Attrs: []string{`\HasNoChildren`, `\Inbox`}, Delim: "/", Mailbox: Mailbox{Name: "INBOX", Raw: "Inbox"}}},

	// STATUS
	{name: "STATUS all items", in: `* STATUS "INBOX" (MESSAGES 231 RECENT 1 UIDNEXT 44292 UIDVALIDITY 4294967295 UNSEEN 3 DELETED 0 SIZE 12345678901 HIGHESTMODSEQ 7 X-FOO 9)`,
		want: &Status{Mailbox: Mailbox{Name: "INBOX", Raw: "INBOX"}, Messages: u32(231), Recent: u32(1), UIDNext: u32(44292), UIDValidity: u32(4294967295),
			Unseen: u32(3), Deleted: u32(0), Size: u64(12345678901), HighestModSeq: u64(7), Other: map[string]uint64{"X-FOO": 9}}},
	{name: "STATUS UTF-7 name", in: `* STATUS Entw&APw-rfe (UNSEEN 0)`,
		want: &Status{Mailbox: Mailbox{Name: "Entwürfe", Raw: "Entw&APw-rfe"}, Unseen: u32(0)}},

	// SEARCH, SORT, ESEARCH, THREAD
	{name: "SEARCH", in: "* SEARCH 2 84 882", want: &Search{Nums: []uint32{2, 84, 882}}},
	{name: "SEARCH empty", in: "* SEARCH", want: &Search{Nums: []uint32{}}},
	{name: "SEARCH MODSEQ", in: "* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)",
		want: &Search{Nums: []uint32{2, 5, 6, 7, 11, 12, 18, 19, 20, 23}, ModSeq: 917162500}},
	{name: "SORT", in: "* SORT 2 3 6", want: &Sort{Nums: []uint32{2, 3, 6}}},
	{name: "SORT empty", in: "* SORT", want: &Sort{}},
	{name: "SORT MODSEQ", in: "* SORT 5 3 (MODSEQ 9)", want: &Sort{Nums: []uint32{5, 3}, ModSeq: 9}},
	{name: "ESEARCH MIN COUNT", in: `* ESEARCH (TAG "A282") MIN 2 COUNT 3`,
		want: &ESearch{Tag: "A282", Min: u32(2), Count: u32(3)}},
	{name: "ESEARCH UID ALL MAX MODSEQ", in: `* ESEARCH (TAG "A284") UID MAX 20 ALL 2,10:15,21 MODSEQ 1234`,
		want: &ESearch{Tag: "A284", UID: true, Max: u32(20), All: seqSet("2,10:15,21"), ModSeq: 1234}},
	{name: "ESEARCH no correlator, unknown data", in: `* ESEARCH UID COUNT 0 X-RELEVANCY (4 6)`,
		want: &ESearch{UID: true, Count: u32(0), Other: []ExtItem{{Name: "X-RELEVANCY", Value: list(num("4"), num("6"))}}}},
	{name: "ESEARCH empty", in: `* ESEARCH (TAG "A285")`, want: &ESearch{Tag: "A285"}},
	{name: "THREAD", in: "* THREAD (2)(3 6 (4 23)(44 7 96))",
		want: &Thread{Threads: []*ThreadNode{
			{Num: 2},
			{Num: 3, Children: []*ThreadNode{{Num: 6, Children: []*ThreadNode{
				{Num: 4, Children: []*ThreadNode{{Num: 23}}},
				{Num: 44, Children: []*ThreadNode{{Num: 7, Children: []*ThreadNode{{Num: 96}}}}},
			}}}},
		}}},
	{name: "THREAD missing parent", in: "* THREAD ((3)(5))",
		want: &Thread{Threads: []*ThreadNode{{Children: []*ThreadNode{{Num: 3}, {Num: 5}}}}}},
	{name: "THREAD empty", in: "* THREAD", want: &Thread{}},
	{name: "THREAD members then two nested", in: "* THREAD (1 (2)(3))",
		want: &Thread{Threads: []*ThreadNode{{Num: 1, Children: []*ThreadNode{{Num: 2}, {Num: 3}}}}}},
	{name: "THREAD single nested list", in: "* THREAD (1 (2))",
		want:   &Thread{Threads: []*ThreadNode{{Num: 1, Children: []*ThreadNode{{Num: 2}}}}},
		strict: true},
	{name: "SEARCH zero", in: "* SEARCH 0", want: &Search{Nums: []uint32{0}}, strict: true},
	{name: "ESEARCH MIN zero", in: "* ESEARCH MIN 0 COUNT 0", want: &ESearch{Min: u32(0), Count: u32(0)}, strict: true},
	{name: "ESEARCH COUNT zero", in: "* ESEARCH COUNT 0", want: &ESearch{Count: u32(0)}},

	// mailbox size and message status
	{name: "FLAGS", in: `* FLAGS (\Answered \Flagged \Deleted \Seen \Draft $Forwarded)`,
		want: &Flags{Flags: []string{`\Answered`, `\Flagged`, `\Deleted`, `\Seen`, `\Draft`, "$Forwarded"}}},
	{name: "FLAGS empty", in: `* FLAGS ()`, want: &Flags{}},
	{name: "EXISTS", in: "* 23 EXISTS", want: &Exists{Num: 23}},
	{name: "EXISTS zero", in: "* 0 EXISTS", want: &Exists{}},
	{name: "EXISTS max", in: "* 4294967295 EXISTS", want: &Exists{Num: 4294967295}},
	{name: "RECENT", in: "* 5 RECENT", want: &Recent{Num: 5}},
	{name: "EXPUNGE", in: "* 44 EXPUNGE", want: &Expunge{SeqNum: 44}},
	{name: "VANISHED", in: "* VANISHED 405,407,410:420", want: &Vanished{UIDs: seqSet("405,407,410:420")}},
	{name: "VANISHED EARLIER", in: "* VANISHED (EARLIER) 41,43:116,118,120:211,214:540",
		want: &Vanished{Earlier: true, UIDs: seqSet("41,43:116,118,120:211,214:540")}},

	// NAMESPACE, QUOTA, ID
	{name: "NAMESPACE", in: `* NAMESPACE (("" "/")) (("~" "/")) (("#shared/" "/")("#public/" "/")("#ftp/" "/")("#news." "."))`,
		want: &Namespace{
			Personal: []NamespaceDesc{{Prefix: "", Delim: "/"}},
			Other:    []NamespaceDesc{{Prefix: "~", Delim: "/"}},
			Shared:   []NamespaceDesc{{Prefix: "#shared/", Delim: "/"}, {Prefix: "#public/", Delim: "/"}, {Prefix: "#ftp/", Delim: "/"}, {Prefix: "#news.", Delim: "."}},
		}},
	{name: "NAMESPACE empty list", in: `* NAMESPACE () NIL NIL`, want: &Namespace{Personal: []NamespaceDesc{}}, strict: true},
	{name: "NAMESPACE NIL and extension", in: `* NAMESPACE (("" "/" "X-PARAM" ("FLAG1" "FLAG2"))) NIL (("Public Folders/" NIL))`,
		want: &Namespace{
			Personal: []NamespaceDesc{{Prefix: "", Delim: "/", Extension: []ExtItem{{Name: "X-PARAM", Value: list(quoted("FLAG1"), quoted("FLAG2"))}}}},
			Shared:   []NamespaceDesc{{Prefix: "Public Folders/"}},
		}},
	{name: "QUOTA", in: `* QUOTA "" (STORAGE 10 512)`,
		want: &Quota{Root: "", Resources: []QuotaResource{{Name: "STORAGE", Usage: 10, Limit: 512}}}},
	{name: "QUOTA two resources", in: `* QUOTA #user/joe (STORAGE 10 512 MESSAGE 2 100)`,
		want: &Quota{Root: "#user/joe", Resources: []QuotaResource{{Name: "STORAGE", Usage: 10, Limit: 512}, {Name: "MESSAGE", Usage: 2, Limit: 100}}}},
	{name: "QUOTAROOT", in: `* QUOTAROOT INBOX ""`,
		want: &QuotaRoot{Mailbox: Mailbox{Name: "INBOX", Raw: "INBOX"}, Roots: []string{""}}},
	{name: "QUOTAROOT no root", in: `* QUOTAROOT comp.mail.mime`,
		want: &QuotaRoot{Mailbox: Mailbox{Name: "comp.mail.mime", Raw: "comp.mail.mime"}}},
	{name: "ID", in: `* ID ("name" "Cyrus" "version" "1.5" "os" "sunos" "os-version" "5.5" "support-url" "mailto:cyrus-bugs+@andrew.cmu.edu" "date" NIL)`,
		want: &ID{Params: map[string]string{"name": "Cyrus", "version": "1.5", "os": "sunos", "os-version": "5.5", "support-url": "mailto:cyrus-bugs+@andrew.cmu.edu"}, NilKeys: []string{"date"}}},
	{name: "ID NIL", in: `* ID NIL`, want: &ID{}},

	// unknown untagged responses
	{name: "unknown kept raw", in: "* XPIG-LATIN ow-nay eaking-spay (ig-pay) \"atin-lay\" NIL 7",
		want: &Unknown{Name: "XPIG-LATIN", Fields: []wire.Value{atom("ow-nay"), atom("eaking-spay"), list(atom("ig-pay")), quoted("atin-lay"), nilValue, num("7")}}},
	{name: "unknown numbered", in: "* 3 XFOO (a b)",
		want: &Unknown{Num: 3, HasNum: true, Name: "XFOO", Fields: []wire.Value{list(atom("a"), atom("b"))}}},
	{name: "unknown with literal", in: "* XBAR {4}\r\na\r\nb",
		want: &Unknown{Name: "XBAR", Fields: []wire.Value{{Kind: wire.KindLiteral, Text: "a\r\nb"}}}},
	{name: "unknown not values", in: "* XBAZ ) whatever ]",
		want: &Unknown{Name: "XBAZ", Text: ") whatever ]"}},
	{name: "unknown alone", in: "* NOOP", want: &Unknown{Name: "NOOP"}},
}

// rfcEnvelopeText is the ENVELOPE of RFC 3501 section 8, and rfcEnvelope
// its parse.
const rfcEnvelopeText = `("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" ` +
	`(("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ` +
	`(("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ` +
	`((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL ` +
	`"<B27397-0100000@cac.washington.edu>")`

var terry = []Address{{Name: "Terry Gray", Mailbox: "gray", Host: "cac.washington.edu"}}

var rfcEnvelope = &Envelope{
	Date:    "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)",
	Subject: "IMAP4rev1 WG mtg summary and minutes",
	From:    terry, Sender: terry, ReplyTo: terry,
	To:        []Address{{Mailbox: "imap", Host: "cac.washington.edu"}},
	Cc:        []Address{{Mailbox: "minutes", Host: "CNRI.Reston.VA.US"}, {Name: "John Klensin", Mailbox: "KLENSIN", Host: "MIT.EDU"}},
	MessageID: "<B27397-0100000@cac.washington.edu>",
}

func zone(h, m int) *time.Location {
	off := (h*60 + m) * 60
	if h < 0 {
		off = (h*60 - m) * 60
	}
	return time.FixedZone("", off)
}

// section returns a collected body section item.
func section(name string, sec Section, origin int64, data string) BodySectionItem {
	return BodySectionItem{Name: name, Section: sec, Origin: origin, Size: int64(len(data)), Data: []byte(data)}
}

var fetchCases = []respCase{
	{name: "UID FLAGS", in: `* 12 FETCH (UID 4827313 FLAGS (\Seen $Forwarded))`,
		want: &Message{SeqNum: 12, Items: []string{"UID", "FLAGS"}, UID: 4827313, Flags: []string{`\Seen`, "$Forwarded"}}},
	{name: "FLAGS empty", in: `* 1 FETCH (FLAGS ())`,
		want: &Message{SeqNum: 1, Items: []string{"FLAGS"}, Flags: []string{}}},
	{name: "FLAGS with \\Recent", in: `* 1 FETCH (FLAGS (\Recent))`,
		want: &Message{SeqNum: 1, Items: []string{"FLAGS"}, Flags: []string{`\Recent`}}},
	{name: "INTERNALDATE negative zone", in: `* 1 FETCH (INTERNALDATE "17-Jul-1996 02:44:25 -0700")`,
		want: &Message{SeqNum: 1, Items: []string{"INTERNALDATE"}, InternalDate: time.Date(1996, 7, 17, 2, 44, 25, 0, zone(-7, 0))}},
	{name: "INTERNALDATE SP-padded day, UTC", in: `* 1 FETCH (INTERNALDATE " 7-Feb-1994 21:52:25 +0000")`,
		want: &Message{SeqNum: 1, Items: []string{"INTERNALDATE"}, InternalDate: time.Date(1994, 2, 7, 21, 52, 25, 0, time.UTC)}},
	{name: "INTERNALDATE half-hour zone, lower-case month", in: `* 1 FETCH (INTERNALDATE "01-jan-2024 00:00:00 +0530")`,
		want: &Message{SeqNum: 1, Items: []string{"INTERNALDATE"}, InternalDate: time.Date(2024, 1, 1, 0, 0, 0, 0, zone(5, 30))}},
	{name: "INTERNALDATE zone -0330", in: `* 1 FETCH (INTERNALDATE "31-Dec-1999 23:59:59 -0330")`,
		want: &Message{SeqNum: 1, Items: []string{"INTERNALDATE"}, InternalDate: time.Date(1999, 12, 31, 23, 59, 59, 0, zone(-3, 30))}},
	{name: "INTERNALDATE one-digit day without SP", in: `* 1 FETCH (INTERNALDATE "7-Feb-1994 21:52:25 +0100")`,
		want:   &Message{SeqNum: 1, Items: []string{"INTERNALDATE"}, InternalDate: time.Date(1994, 2, 7, 21, 52, 25, 0, zone(1, 0))},
		strict: true},
	{name: "RFC822.SIZE", in: `* 23 FETCH (FLAGS (\Seen) RFC822.SIZE 44827)`,
		want: &Message{SeqNum: 23, Items: []string{"FLAGS", "RFC822.SIZE"}, Flags: []string{`\Seen`}, Size: 44827}},
	{name: "ENVELOPE", in: `* 12 FETCH (ENVELOPE ` + rfcEnvelopeText + `)`,
		want: &Message{SeqNum: 12, Items: []string{"ENVELOPE"}, Envelope: rfcEnvelope}},
	{name: "ENVELOPE group syntax", in: `* 2 FETCH (ENVELOPE (NIL "hi" ((NIL NIL "a" "b.example")) NIL NIL ` +
		`((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) ((NIL NIL "team" NIL)("Ann" NIL "ann" "x.example")(NIL NIL NIL NIL)) NIL "<p@x>" "<m@x>"))`,
		want: &Message{SeqNum: 2, Items: []string{"ENVELOPE"}, Envelope: &Envelope{
			Subject: "hi", From: []Address{{Mailbox: "a", Host: "b.example"}},
			To:        []Address{{Mailbox: "undisclosed-recipients"}, {}},
			Cc:        []Address{{Mailbox: "team"}, {Name: "Ann", Mailbox: "ann", Host: "x.example"}, {}},
			InReplyTo: "<p@x>", MessageID: "<m@x>",
		}}},
	{name: "ENVELOPE literal subject, adl", in: "* 3 FETCH (ENVELOPE (NIL {7}\r\nsu\"b\\j\r ((NIL \"@relay\" \"a\" \"b\")) NIL NIL NIL NIL NIL NIL NIL))",
		want: &Message{SeqNum: 3, Items: []string{"ENVELOPE"}, Envelope: &Envelope{
			Subject: "su\"b\\j\r", From: []Address{{ADL: "@relay", Mailbox: "a", Host: "b"}},
		}}},
	{name: "BODY", in: `* 12 FETCH (BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92))`,
		want: &Message{SeqNum: 12, Items: []string{"BODY"}, BodyStructure: &BodyStructure{
			Type: "TEXT", Subtype: "PLAIN", Params: Params{{"CHARSET", "US-ASCII"}}, Encoding: "7BIT", Size: 3028, Lines: 92}}},
	{name: "BODY non-text NIL params", in: `* 1 FETCH (BODY ("IMAGE" "PNG" NIL "<id>" "logo" "BASE64" 100))`,
		want: &Message{SeqNum: 1, Items: []string{"BODY"}, BodyStructure: &BodyStructure{
			Type: "IMAGE", Subtype: "PNG", ID: "<id>", Description: "logo", Encoding: "BASE64", Size: 100}}},
	{name: "BODYSTRUCTURE multipart with all extension data", in: `* 1 FETCH (BODYSTRUCTURE (` +
		`("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "FORMAT" "flowed") NIL NIL "7BIT" 1152 23 "Q2hlY2sgSW50ZWdyaXR5IQ==" ("INLINE" NIL) ("en" "fr") "http://example.com/a" "ext" 42 (1 "x" NIL))` +
		`("APPLICATION" "PDF" ("NAME" "a.pdf") "<id@x>" "A PDF" "BASE64" 4554 NIL ("ATTACHMENT" ("FILENAME" "a.pdf" "SIZE" "3300")) "de" NIL)` +
		` "MIXED" ("BOUNDARY" "xyz") ("inline" NIL) NIL "loc" "mp-ext"))`,
		want: &Message{SeqNum: 1, Items: []string{"BODYSTRUCTURE"}, BodyStructure: &BodyStructure{
			Type: "multipart", Subtype: "MIXED", Params: Params{{"BOUNDARY", "xyz"}},
			Parts: []*BodyStructure{
				{Type: "TEXT", Subtype: "PLAIN", Params: Params{{"CHARSET", "US-ASCII"}, {"FORMAT", "flowed"}}, Encoding: "7BIT", Size: 1152, Lines: 23,
					Extended: true, MD5: "Q2hlY2sgSW50ZWdyaXR5IQ==", Disposition: &Disposition{Type: "INLINE"}, Language: []string{"en", "fr"},
					Location: "http://example.com/a", Extensions: []wire.Value{quoted("ext"), num("42"), list(num("1"), quoted("x"), nilValue)}},
				{Type: "APPLICATION", Subtype: "PDF", Params: Params{{"NAME", "a.pdf"}}, ID: "<id@x>", Description: "A PDF", Encoding: "BASE64", Size: 4554,
					Extended: true, Disposition: &Disposition{Type: "ATTACHMENT", Params: Params{{"FILENAME", "a.pdf"}, {"SIZE", "3300"}}}, Language: []string{"de"}},
			},
			Extended: true, Disposition: &Disposition{Type: "inline"}, Location: "loc", Extensions: []wire.Value{quoted("mp-ext")},
		}}},
	{name: "BODYSTRUCTURE nested message/rfc822", in: `* 2 FETCH (BODYSTRUCTURE (("TEXT" "PLAIN" NIL NIL NIL "7BIT" 10 1 NIL NIL NIL NIL)` +
		`("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 2000 ` + rfcEnvelopeText +
		` (("TEXT" "PLAIN" ("CHARSET" "UTF-8") NIL NIL "QUOTED-PRINTABLE" 30 2 NIL NIL NIL NIL)("TEXT" "HTML" ("CHARSET" "UTF-8") NIL NIL "BASE64" 60 1 NIL NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "in") NIL NIL NIL)` +
		` 40 NIL ("ATTACHMENT" NIL) NIL NIL) "MIXED" ("BOUNDARY" "out") NIL NIL NIL))`,
		want: &Message{SeqNum: 2, Items: []string{"BODYSTRUCTURE"}, BodyStructure: &BodyStructure{
			Type: "multipart", Subtype: "MIXED", Params: Params{{"BOUNDARY", "out"}}, Extended: true,
			Parts: []*BodyStructure{
				{Type: "TEXT", Subtype: "PLAIN", Encoding: "7BIT", Size: 10, Lines: 1, Extended: true},
				{Type: "MESSAGE", Subtype: "RFC822", Encoding: "7BIT", Size: 2000, Envelope: rfcEnvelope, Lines: 40,
					Extended: true, Disposition: &Disposition{Type: "ATTACHMENT"},
					Body: &BodyStructure{Type: "multipart", Subtype: "ALTERNATIVE", Params: Params{{"BOUNDARY", "in"}}, Extended: true,
						Parts: []*BodyStructure{
							{Type: "TEXT", Subtype: "PLAIN", Params: Params{{"CHARSET", "UTF-8"}}, Encoding: "QUOTED-PRINTABLE", Size: 30, Lines: 2, Extended: true},
							{Type: "TEXT", Subtype: "HTML", Params: Params{{"CHARSET", "UTF-8"}}, Encoding: "BASE64", Size: 60, Lines: 1, Extended: true},
						}}},
			},
		}}},
	{name: "BODYSTRUCTURE single-element language string", in: `* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" NIL NIL NIL "8BIT" 5 1 NIL NIL "en"))`,
		want: &Message{SeqNum: 1, Items: []string{"BODYSTRUCTURE"}, BodyStructure: &BodyStructure{
			Type: "TEXT", Subtype: "PLAIN", Encoding: "8BIT", Size: 5, Lines: 1, Extended: true, Language: []string{"en"}}}},

	// body sections
	{name: "BODY[]", in: "* 1 FETCH (BODY[] {5}\r\nhello)",
		want: &Message{SeqNum: 1, Items: []string{"BODY[]"}, Sections: []BodySectionItem{section("BODY", Section{}, -1, "hello")}}},
	{name: "BODY[]<origin>", in: "* 1 FETCH (BODY[]<100> {3}\r\nabc)",
		want: &Message{SeqNum: 1, Items: []string{"BODY[]"}, Sections: []BodySectionItem{section("BODY", Section{}, 100, "abc")}}},
	{name: "BODY[part.TEXT]<origin>", in: "* 1 FETCH (BODY[1.TEXT]<4096> {2}\r\nab)",
		want: &Message{SeqNum: 1, Items: []string{"BODY[1.TEXT]"}, Sections: []BodySectionItem{section("BODY", Section{Part: []int{1}, Specifier: "TEXT"}, 4096, "ab")}}},
	{name: "BODY[part]", in: "* 1 FETCH (BODY[1.2.3] \"text\")",
		want: &Message{SeqNum: 1, Items: []string{"BODY[1.2.3]"}, Sections: []BodySectionItem{section("BODY", Section{Part: []int{1, 2, 3}}, -1, "text")}}},
	{name: "BODY[HEADER]", in: "* 1 FETCH (BODY[HEADER] {8}\r\nA: b\r\n\r\n)",
		want: &Message{SeqNum: 1, Items: []string{"BODY[HEADER]"}, Sections: []BodySectionItem{section("BODY", Section{Specifier: "HEADER"}, -1, "A: b\r\n\r\n")}}},
	{name: "BODY[HEADER.FIELDS]", in: "* 1 FETCH (BODY[HEADER.FIELDS (DATE FROM)] {2}\r\n\r\n)",
		want: &Message{SeqNum: 1, Items: []string{"BODY[HEADER.FIELDS (DATE FROM)]"}, Sections: []BodySectionItem{section("BODY", Section{Specifier: "HEADER.FIELDS", Fields: []string{"DATE", "FROM"}}, -1, "\r\n")}}},
	{name: "BODY[part.HEADER.FIELDS.NOT] quoted field", in: "* 1 FETCH (BODY[2.HEADER.FIELDS.NOT (\"X-Spam\" Received)] \"\")",
		want: &Message{SeqNum: 1, Items: []string{"BODY[2.HEADER.FIELDS.NOT (X-Spam Received)]"}, Sections: []BodySectionItem{section("BODY", Section{Part: []int{2}, Specifier: "HEADER.FIELDS.NOT", Fields: []string{"X-Spam", "Received"}}, -1, "")}}},
	{name: "BODY[TEXT]", in: "* 1 FETCH (BODY[TEXT] NIL)",
		want: &Message{SeqNum: 1, Items: []string{"BODY[TEXT]"}, Sections: []BodySectionItem{{Name: "BODY", Section: Section{Specifier: "TEXT"}, Origin: -1, Nil: true, Data: []byte{}}}}},
	{name: "BODY[part.MIME]", in: "* 1 FETCH (BODY[1.MIME] \"Content-Type: text/plain\\r\")",
		want: &Message{SeqNum: 1, Items: []string{"BODY[1.MIME]"}, Sections: []BodySectionItem{section("BODY", Section{Part: []int{1}, Specifier: "MIME"}, -1, `Content-Type: text/plain\r`)}}, strict: true},
	{name: "BODY[part.TEXT] lower case", in: "* 1 FETCH (body[4.2.text] \"x\")",
		want: &Message{SeqNum: 1, Items: []string{"BODY[4.2.TEXT]"}, Sections: []BodySectionItem{section("BODY", Section{Part: []int{4, 2}, Specifier: "TEXT"}, -1, "x")}}},
	{name: "RFC822", in: "* 1 FETCH (RFC822 {4}\r\na\r\nb UID 7)",
		want: &Message{SeqNum: 1, Items: []string{"RFC822", "UID"}, UID: 7, Sections: []BodySectionItem{section("RFC822", Section{}, -1, "a\r\nb")}}},
	{name: "RFC822.HEADER", in: "* 1 FETCH (RFC822.HEADER {2}\r\n\r\n)",
		want: &Message{SeqNum: 1, Items: []string{"RFC822.HEADER"}, Sections: []BodySectionItem{section("RFC822.HEADER", Section{}, -1, "\r\n")}}},
	{name: "RFC822.TEXT", in: "* 1 FETCH (RFC822.TEXT \"body\")",
		want: &Message{SeqNum: 1, Items: []string{"RFC822.TEXT"}, Sections: []BodySectionItem{section("RFC822.TEXT", Section{}, -1, "body")}}},
	{name: "BINARY literal8", in: "* 1 FETCH (BINARY[1] ~{4}\r\n\x00\x01\r\n)",
		want: &Message{SeqNum: 1, Items: []string{"BINARY[1]"}, Sections: []BodySectionItem{section("BINARY", Section{Part: []int{1}}, -1, "\x00\x01\r\n")}}},
	{name: "BINARY[] with origin", in: "* 1 FETCH (BINARY[]<0> ~{1}\r\nz)",
		want: &Message{SeqNum: 1, Items: []string{"BINARY[]"}, Sections: []BodySectionItem{section("BINARY", Section{}, 0, "z")}}},
	{name: "BINARY.SIZE", in: "* 1 FETCH (BINARY.SIZE[1.2] 4321 BINARY.SIZE[] 7)",
		want: &Message{SeqNum: 1, Items: []string{"BINARY.SIZE[1.2]", "BINARY.SIZE[]"}, BinarySizes: []BinarySizeItem{{Part: []int{1, 2}, Size: 4321}, {Size: 7}}}},
	{name: "two sections", in: "* 1 FETCH (BODY[1] {1}\r\na BODY[2] {1}\r\nb)",
		want: &Message{SeqNum: 1, Items: []string{"BODY[1]", "BODY[2]"}, Sections: []BodySectionItem{
			section("BODY", Section{Part: []int{1}}, -1, "a"), section("BODY", Section{Part: []int{2}}, -1, "b")}}},

	// extensions
	{name: "MODSEQ", in: "* 4 FETCH (UID 8 MODSEQ (12121231000))",
		want: &Message{SeqNum: 4, Items: []string{"UID", "MODSEQ"}, UID: 8, ModSeq: 12121231000}},
	{name: "Gmail items", in: `* 1 FETCH (X-GM-MSGID 1278455344230334865 X-GM-THRID 1266894439832287888 X-GM-LABELS (\Inbox \Sent Important "Muy importante" "\\Starred" "&ZeVnLIqe-"))`,
		want: &Message{SeqNum: 1, Items: []string{"X-GM-MSGID", "X-GM-THRID", "X-GM-LABELS"}, GmailMsgID: 1278455344230334865, GmailThrID: 1266894439832287888,
			GmailLabels: []string{`\Inbox`, `\Sent`, "Important", "Muy importante", `\Starred`, "日本語"}}},
	{name: "X-GM-LABELS empty", in: `* 1 FETCH (X-GM-LABELS ())`,
		want: &Message{SeqNum: 1, Items: []string{"X-GM-LABELS"}, GmailLabels: []string{}}},
	{name: "EMAILID THREADID", in: `* 3 FETCH (EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9))`,
		want: &Message{SeqNum: 3, Items: []string{"EMAILID", "THREADID"}, EmailID: "M6d99ac3275bb4e", ThreadID: "T64b478a75b7ea9"}},
	{name: "THREADID NIL", in: `* 3 FETCH (THREADID NIL)`,
		want: &Message{SeqNum: 3, Items: []string{"THREADID"}}},
	{name: "EMAILID NIL", in: `* 3 FETCH (EMAILID NIL)`,
		want: &Message{SeqNum: 3, Items: []string{"EMAILID"}}, strict: true},
	{name: "sequence number zero", in: `* 0 FETCH (UID 1)`,
		want: &Message{Items: []string{"UID"}, UID: 1}, strict: true},
	{name: "UID zero", in: `* 1 FETCH (UID 0)`,
		want: &Message{SeqNum: 1, Items: []string{"UID"}}, strict: true},
	{name: "unknown item kept raw", in: `* 5 FETCH (X-FOO (1 "two" NIL) UID 9 X-BAR[1]<5> "x" PREVIEW "hi")`,
		want: &Message{SeqNum: 5, Items: []string{"X-FOO", "UID", "X-BAR[1]<5>", "PREVIEW"}, UID: 9, Raw: []RawItem{
			{Name: "X-FOO", Value: list(num("1"), quoted("two"), nilValue)},
			{Name: "X-BAR[1]<5>", Value: quoted("x")},
			{Name: "PREVIEW", Value: quoted("hi")},
		}}},
	{name: "items in any order", in: "* 7 FETCH (BODY[] {2}\r\nhi FLAGS (\\Seen) UID 70 RFC822.SIZE 2)",
		want: &Message{SeqNum: 7, Items: []string{"BODY[]", "FLAGS", "UID", "RFC822.SIZE"}, UID: 70, Flags: []string{`\Seen`}, Size: 2,
			Sections: []BodySectionItem{section("BODY", Section{}, -1, "hi")}}},
}

func runRespCase(t *testing.T, tc respCase, strict bool, wrap func(io.Reader) io.Reader) (Response, error) {
	t.Helper()
	in := tc.in + "\r\n"
	var rd io.Reader = strings.NewReader(in)
	if wrap != nil {
		rd = wrap(rd)
	}
	r := NewReader(rd, &Options{Strict: strict})
	got, err := r.ReadResponse()
	if err != nil {
		return nil, err
	}
	if _, err := r.ReadResponse(); err != io.EOF {
		t.Errorf("after the response: got %v, want io.EOF (input not consumed exactly)", err)
	}
	return got, nil
}

func testRespCases(t *testing.T, cases []respCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := runRespCase(t, tc, false, nil)
			if err != nil {
				t.Fatalf("lenient: %v", err)
			}
			if diff := cmp.Diff(tc.want, got, cmpOpts...); diff != "" {
				t.Errorf("lenient (-want +got):\n%s", diff)
			}
			got1, err := runRespCase(t, tc, false, iotest.OneByteReader)
			if err != nil {
				t.Fatalf("lenient, one byte at a time: %v", err)
			}
			if diff := cmp.Diff(tc.want, got1, cmpOpts...); diff != "" {
				t.Errorf("lenient, one byte at a time (-want +got):\n%s", diff)
			}
			gotStrict, err := runRespCase(t, tc, true, nil)
			if tc.strict {
				var se *wire.SyntaxError
				if !errors.As(err, &se) {
					t.Errorf("strict: got %v, %v; want a *wire.SyntaxError", gotStrict, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("strict: %v", err)
			}
			if diff := cmp.Diff(tc.want, gotStrict, cmpOpts...); diff != "" {
				t.Errorf("strict (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStatusResponses(t *testing.T) { testRespCases(t, statusCases) }
func TestDataResponses(t *testing.T)   { testRespCases(t, dataCases) }
func TestFetchResponses(t *testing.T)  { testRespCases(t, fetchCases) }

// TestNilVersusEmpty checks the distinctions EquateEmpty hides in the
// tables: NIL and "()" namespaces, ID NIL and ID ().
func TestNilVersusEmpty(t *testing.T) {
	r := NewReader(strings.NewReader("* NAMESPACE NIL () ((\"\" \".\"))\r\n* ID NIL\r\n* ID (\"a\" \"b\")\r\n* ID ()\r\n"), nil)
	resp, err := r.ReadResponse()
	if err != nil {
		t.Fatal(err)
	}
	ns := resp.(*Namespace)
	if ns.Personal != nil || ns.Other == nil || len(ns.Other) != 0 || ns.Shared == nil {
		t.Errorf("NAMESPACE NIL () (...) = %+v: want nil, empty, non-nil", ns)
	}
	resp, err = r.ReadResponse()
	if err != nil {
		t.Fatal(err)
	}
	if id := resp.(*ID); id.Params != nil {
		t.Errorf("ID NIL: Params = %v, want nil", id.Params)
	}
	resp, err = r.ReadResponse()
	if err != nil {
		t.Fatal(err)
	}
	if id := resp.(*ID); id.Params == nil {
		t.Errorf("ID (...): Params is nil")
	}
	resp, err = r.ReadResponse()
	if err != nil {
		t.Fatal(err)
	}
	if id := resp.(*ID); id.Params == nil || len(id.Params) != 0 {
		t.Errorf("ID (): Params = %#v, want empty and non-nil", id.Params)
	}
}

// TestBodySectionNil checks that NIL and "" body sections differ.
func TestBodySectionNil(t *testing.T) {
	r := NewReader(strings.NewReader("* 1 FETCH (BODY[1] NIL BODY[2] \"\")\r\n"), nil)
	resp, err := r.ReadResponse()
	if err != nil {
		t.Fatal(err)
	}
	m := resp.(*Message)
	if len(m.Sections) != 2 || !m.Sections[0].Nil || m.Sections[1].Nil {
		t.Fatalf("sections = %+v; want NIL then empty", m.Sections)
	}
	if m.Section("BODY[2]") == nil || len(m.Section("BODY[2]")) != 0 {
		t.Errorf(`Section("BODY[2]") = %q, want empty non-nil`, m.Section("BODY[2]"))
	}
	if m.Section("BODY[3]") != nil {
		t.Errorf(`Section("BODY[3]") = %q, want nil`, m.Section("BODY[3]"))
	}
}

// TestItemNames checks ItemName for every fetch item kind, as Fetch.Next
// returns them.
func TestItemNames(t *testing.T) {
	in := "* 1 FETCH (UID 1 FLAGS () INTERNALDATE \"01-Jan-2000 00:00:00 +0000\" RFC822.SIZE 1 " +
		"ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) " +
		"BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL) BODY[1.HEADER.FIELDS (A B)]<3> \"x\" " +
		"BINARY[2] ~{1}\r\nx BINARY.SIZE[2] 1 RFC822 \"x\" RFC822.HEADER \"x\" RFC822.TEXT \"x\" MODSEQ (1) " +
		"X-GM-MSGID 1 X-GM-THRID 1 X-GM-LABELS () EMAILID (a) THREADID NIL X-OTHER 1)\r\n"
	want := []string{"UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY", "BODYSTRUCTURE",
		"BODY[1.HEADER.FIELDS (A B)]", "BINARY[2]", "BINARY.SIZE[2]", "RFC822", "RFC822.HEADER", "RFC822.TEXT", "MODSEQ",
		"X-GM-MSGID", "X-GM-THRID", "X-GM-LABELS", "EMAILID", "THREADID", "X-OTHER"}
	wantTypes := []string{"*parser.UIDItem", "*parser.FlagsItem", "*parser.InternalDateItem", "*parser.SizeItem",
		"*parser.EnvelopeItem", "*parser.BodyStructureItem", "*parser.BodyStructureItem", "*parser.BodySectionItem",
		"*parser.BodySectionItem", "*parser.BinarySizeItem", "*parser.BodySectionItem", "*parser.BodySectionItem",
		"*parser.BodySectionItem", "*parser.ModSeqItem", "*parser.GmailMsgIDItem", "*parser.GmailThrIDItem",
		"*parser.GmailLabelsItem", "*parser.EmailIDItem", "*parser.ThreadIDItem", "*parser.RawItem"}
	r := NewReader(strings.NewReader(in), nil)
	resp, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	f := resp.(*Fetch)
	var names, types []string
	for {
		item, err := f.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, item.ItemName())
		types = append(types, fmt.Sprintf("%T", item))
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantTypes, types); diff != "" {
		t.Errorf("types (-want +got):\n%s", diff)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the FETCH: %v, want io.EOF", err)
	}
}

// TestResponseType checks ResponseType for every response kind.
func TestResponseType(t *testing.T) {
	for _, tc := range append(append(append([]respCase{}, statusCases...), dataCases...), fetchCases...) {
		got := tc.want.ResponseType()
		want := strings.ToUpper(strings.Fields(strings.TrimPrefix(strings.TrimPrefix(tc.in, "* "), "A1 "))[0])
		switch w := tc.want.(type) {
		case *StatusResponse:
			want = string(w.Type)
		case *Continuation:
			want = "+"
		case *Message, *Exists, *Recent, *Expunge:
			want = strings.ToUpper(strings.Fields(tc.in)[2])
		case *Unknown:
			if w.HasNum {
				want = strings.ToUpper(strings.Fields(tc.in)[2])
			}
		}
		if got != want {
			t.Errorf("%s: ResponseType() = %q, want %q", tc.name, got, want)
		}
	}
}

// errCase is one row of the error table: the input, the offset and
// production of the *wire.SyntaxError, and its sentinel (nil for none).
// A row whose sentinel is io.ErrUnexpectedEOF expects that error itself.
type errCase struct {
	name       string
	in         string
	strict     bool
	lim        wire.Limits
	off        int64
	production string
	sentinel   error
}

var errCases = []errCase{
	{name: "number overflow in EXISTS", in: "* 4294967296 EXISTS\r\n", off: 2, production: "message-data", sentinel: wire.ErrNumberOverflow},
	{name: "number overflow in FETCH UID", in: "* 1 FETCH (UID 99999999999)\r\n", off: 15, production: "uniqueid", sentinel: wire.ErrNumberOverflow},
	{name: "number overflow in UIDNEXT, strict", in: "* OK [UIDNEXT 4294967296] x\r\n", strict: true, off: 14, production: "resp-text-code", sentinel: wire.ErrNumberOverflow},
	{name: "number overflow in STATUS MESSAGES", in: "* STATUS x (MESSAGES 4294967296)\r\n", off: 21, production: "status-att-val", sentinel: wire.ErrNumberOverflow},
	{name: "number overflow in MODSEQ", in: "* 1 FETCH (MODSEQ (18446744073709551616))\r\n", off: 19, production: "permsg-modsequence", sentinel: wire.ErrNumberOverflow},
	{name: "63-bit overflow in MODSEQ, strict", in: "* 1 FETCH (MODSEQ (9223372036854775808))\r\n", strict: true, off: 19, production: "permsg-modsequence", sentinel: wire.ErrNumberOverflow},
	{name: "number overflow in SEARCH", in: "* SEARCH 1 4294967296\r\n", off: 11, production: "nz-number", sentinel: wire.ErrNumberOverflow},
	// message-data = nz-number SP "EXPUNGE": a 0 would shift every
	// sequence number the client holds, so both modes refuse it.
	{name: "EXPUNGE zero", in: "* 0 EXPUNGE\r\n", off: 2, production: "message-data"},
	{name: "EXPUNGE zero, strict", in: "* 0 EXPUNGE\r\n", strict: true, off: 2, production: "message-data"},
	{name: "EXPUNGE zero in lower case", in: "* 0 expunge\r\n", off: 2, production: "message-data"},
	{name: "FETCH zero, strict", in: "* 0 FETCH (UID 1)\r\n", strict: true, off: 2, production: "message-data"},
	// Negative body-fld-octets and body-fld-lines are read as 0 leniently
	// (see the quirks); strict mode refuses them, and a "-" must be
	// followed by a number in both modes.
	{name: "negative body-fld-octets, strict", in: "* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" -1 1))\r\n", strict: true, off: 51, production: "body-fld-octets"},
	{name: "negative body-fld-lines, strict", in: "* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 -1))\r\n", strict: true, off: 53, production: "body-fld-lines"},
	{name: "minus without a number in body-fld-octets", in: "* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" - 1))\r\n", off: 52, production: "body-fld-octets"},
	{name: "negative body-fld-octets overflow", in: "* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" -99999999999 1))\r\n", off: 52, production: "body-fld-octets", sentinel: wire.ErrNumberOverflow},
	{name: "bad date-time month", in: "* 1 FETCH (INTERNALDATE \"17-Jux-1996 02:44:25 -0700\")\r\n", off: 24, production: "date-time"},
	{name: "bad date-time zone", in: "* 1 FETCH (INTERNALDATE \"17-Jul-1996 02:44:25 0700\")\r\n", off: 24, production: "date-time"},
	{name: "bad date-time hour", in: "* 1 FETCH (INTERNALDATE \"17-Jul-1996 24:44:25 -0700\")\r\n", off: 24, production: "date-time"},
	{name: "bad date-time day", in: "* 1 FETCH (INTERNALDATE \"32-Jul-1996 02:44:25 -0700\")\r\n", off: 24, production: "date-time"},
	{name: "unterminated flag list", in: "* FLAGS (\\Seen \\Draft\r\n", off: 21, production: "flag-list"},
	{name: "unterminated FETCH", in: "* 1 FETCH (UID 1\r\n", off: 16, production: "msg-att"},
	{name: "unterminated body structure", in: "* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1\r\n", off: 54, production: "body"},
	{name: "bad tag", in: "(A1 OK x\r\n", off: 0, production: "tag"},
	{name: "tag without condition", in: "A1 HELLO x\r\n", off: 3, production: "resp-cond-state"},
	{name: "not IMAP (SMTP greeting)", in: "220 smtp.example.com ESMTP\r\n", off: 4, production: "resp-cond-state"},
	{name: "empty line", in: "\r\n", off: 0, production: "tag"},
	{name: "bad seq number", in: "* 1x EXISTS\r\n", off: 3, production: "message-data"},
	{name: "unknown numbered response missing SP", in: "* 1\r\n", off: 3, production: "message-data"},
	{name: "FETCH without paren", in: "* 1 FETCH UID 1\r\n", off: 10, production: "msg-att"},
	{name: "bad section", in: "* 1 FETCH (BODY[FOO] \"x\")\r\n", off: 11, production: "section-spec"},
	{name: "MIME without part", in: "* 1 FETCH (BODY[MIME] \"x\")\r\n", off: 11, production: "section-spec"},
	{name: "quoted CR", in: "* LIST () \"/\" \"a\rb\"\r\n", off: 16, production: "mailbox"},
	{name: "odd ID list", in: "* ID (\"a\")\r\n", off: 10, production: "id-params-list"},
	// Issue 18 section 3: invalid responses that strict mode accepted.
	{name: "number before VANISHED, strict", in: "* 3 VANISHED 1:3\r\n", strict: true, off: 2, production: "message-data"},
	{name: "number before LIST, strict", in: "* 3 LIST () \"/\" a\r\n", strict: true, off: 2, production: "message-data"},
	{name: "FETCH after a word, strict", in: "* abc FETCH (UID 1)\r\n", strict: true, off: 2, production: "message-data"},
	{name: "EXPUNGE after a word, strict", in: "* x1 EXPUNGE\r\n", strict: true, off: 2, production: "message-data"},
	{name: "two SP after *, strict", in: "*  1 EXISTS\r\n", strict: true, off: 2, production: "response-data"},
	{name: "two SP between FETCH items, strict", in: "* 1 FETCH (UID 1  FLAGS ())\r\n", strict: true, off: 17, production: "msg-att"},
	{name: "trailing SP, strict", in: "* 1 EXISTS \r\n", strict: true, off: 10, production: "mailbox-data"},
	{name: "unknown escape in a quoted string, strict", in: "* LIST () \"/\" \"a\\b\"\r\n", strict: true, off: 17, production: "mailbox"},
	{name: "NUL in a literal, strict", in: "* 1 FETCH (BODY[] {3}\r\na\x00b)\r\n", strict: true, off: 24, production: "literal"},
	{name: "NUL in a literal mailbox name, strict", in: "* LIST () \"/\" {3}\r\na\x00b\r\n", strict: true, off: 20, production: "literal"},
	{name: "bare LF, strict", in: "* 1 EXISTS\n", strict: true, off: 10, production: "mailbox-data"},
	{name: "bad VANISHED", in: "* VANISHED (LATER) 1\r\n", off: 17, production: "expunged-resp"},
	{name: "zero in uid-set", in: "* VANISHED 0\r\n", off: 11, production: "known-uids"},
	{name: "literal too large for a mailbox name", in: "* LIST () \"/\" {17}\r\n01234567890123456\r\n", lim: wire.Limits{MaxLiteral: 16},
		off: 20, production: "mailbox", sentinel: wire.ErrLiteralTooLarge},
	{name: "atom too long", in: "* CAPABILITY IMAP4rev1 0123456789A\r\n", lim: wire.Limits{MaxAtom: 10},
		off: 23, production: "capability-data", sentinel: wire.ErrAtomTooLong},
	{name: "quoted too long", in: "* LIST () \"/\" \"012345678\"\r\n", lim: wire.Limits{MaxQuoted: 8},
		off: 15, production: "mailbox", sentinel: wire.ErrQuotedTooLong},
	{name: "text too long", in: "* OK 012345678\r\n", lim: wire.Limits{MaxQuoted: 8},
		off: 5, production: "text", sentinel: wire.ErrQuotedTooLong},
	{name: "list too long", in: "* FLAGS (a b c d e)\r\n", lim: wire.Limits{MaxListElems: 4},
		off: 17, production: "flag-list", sentinel: wire.ErrListTooLong},
	{name: "body nested too deep", in: "* 1 FETCH (BODY ((((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) \"A\") \"B\") \"C\"))\r\n", lim: wire.Limits{MaxDepth: 3},
		off: 19, production: "body", sentinel: wire.ErrTooDeep},
	{name: "thread nested too deep", in: "* THREAD ((((1))))\r\n", lim: wire.Limits{MaxDepth: 3},
		off: 12, production: "thread-list", sentinel: wire.ErrTooDeep},
	{name: "EOF mid-response", in: "* 1 FETCH (FLAGS (\\Seen", sentinel: io.ErrUnexpectedEOF},
	{name: "EOF mid-literal", in: "* 1 FETCH (BODY[] {10}\r\nabc", sentinel: io.ErrUnexpectedEOF},
	{name: "EOF before CRLF", in: "* OK done", sentinel: io.ErrUnexpectedEOF},
	{name: "EOF in quoted", in: "* LIST () \"/\" \"abc", sentinel: io.ErrUnexpectedEOF},
}

// limitCases are exactly at each limit; they must parse.
var limitCases = []struct {
	name string
	in   string
	lim  wire.Limits
}{
	{"literal at MaxLiteral", "* LIST () \"/\" {16}\r\n0123456789012345\r\n", wire.Limits{MaxLiteral: 16}},
	{"atom at MaxAtom", "* CAPABILITY IMAP4rev1 0123456789\r\n", wire.Limits{MaxAtom: 10}},
	{"quoted at MaxQuoted", "* LIST () \"/\" \"01234567\"\r\n", wire.Limits{MaxQuoted: 8}},
	{"text at MaxQuoted", "* OK 01234567\r\n", wire.Limits{MaxQuoted: 8}},
	{"list at MaxListElems", "* FLAGS (a b c d)\r\n", wire.Limits{MaxListElems: 4}},
	{"body at MaxDepth", "* 1 FETCH (BODY (((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) \"A\") \"B\"))\r\n", wire.Limits{MaxDepth: 3}},
	{"thread at MaxDepth", "* THREAD (((1)))\r\n", wire.Limits{MaxDepth: 3}},
}

func TestErrors(t *testing.T) {
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			for _, wrap := range []func(io.Reader) io.Reader{nil, iotest.OneByteReader} {
				var rd io.Reader = strings.NewReader(tc.in)
				if wrap != nil {
					rd = wrap(rd)
				}
				r := NewReader(rd, &Options{Strict: tc.strict, Limits: tc.lim})
				got, err := r.ReadResponse()
				if err == nil {
					t.Fatalf("got %#v, want an error", got)
				}
				if tc.sentinel == io.ErrUnexpectedEOF {
					if err != io.ErrUnexpectedEOF {
						t.Errorf("got %v, want io.ErrUnexpectedEOF itself", err)
					}
					continue
				}
				var se *wire.SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("got %v (%T), want a *wire.SyntaxError", err, err)
				}
				if se.Offset != tc.off || se.Production != tc.production {
					t.Errorf("got offset %d in %q, want offset %d in %q (%v)", se.Offset, se.Production, tc.off, tc.production, err)
				}
				if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
					t.Errorf("got %v, want errors.Is %v", err, tc.sentinel)
				}
				if tc.sentinel == nil && se.Err != nil {
					t.Errorf("got sentinel %v, want none", se.Err)
				}
			}
		})
	}
	for _, tc := range limitCases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tc.in), &Options{Limits: tc.lim})
			if _, err := r.ReadResponse(); err != nil {
				t.Fatalf("at the limit: %v", err)
			}
			if _, err := r.ReadResponse(); err != io.EOF {
				t.Errorf("after: %v, want io.EOF", err)
			}
		})
	}
}

// TestRecovery puts each malformed response of the error table (those with
// a syntax error) between two good ones and checks that the stream stays in
// sync: the good response after it parses.
func TestRecovery(t *testing.T) {
	const before, after = "* 1 EXISTS\r\n", "* 2 FETCH (UID 5 BODY[] {4}\r\n)\r\n\r)\r\nA9 OK done\r\n"
	extra := []errCase{
		{name: "literal with CRLFs in a bad response", in: "* 1 FETCH (UID x BODY[] {12}\r\n* 3 EXISTS\r\n)\r\n"},
		{name: "bad item after a literal", in: "* 1 FETCH (BODY[] {12}\r\n* 3 EXISTS\r\n BAD[ \"x\r\n"},
		{name: "bad response ending in a literal", in: "* XFOO ( {5}\r\n)\r\n\r\n\r\n"},
		{name: "two literals", in: "* 1 FETCH (BODY[1] {3}\r\n\r\n) BODY[2] {1}\r\n) UID x)\r\n"},
		{name: "non-sync literal", in: "* 1 FETCH (UID x BODY[] {3+}\r\n\r\n\n)\r\n"},
		{name: "unterminated quote", in: "* LIST () \"/\" \"abc\r\n"},
	}
	for _, tc := range append(extra, errCases...) {
		if tc.sentinel == io.ErrUnexpectedEOF || tc.lim != (wire.Limits{}) || tc.strict {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(before+tc.in+after), nil)
			resp, err := r.ReadResponse()
			if err != nil || resp.(*Exists).Num != 1 {
				t.Fatalf("first: %v, %v", resp, err)
			}
			if resp, err := r.ReadResponse(); err == nil {
				t.Fatalf("malformed response parsed: %#v", resp)
			} else if se := (*wire.SyntaxError)(nil); !errors.As(err, &se) {
				t.Fatalf("malformed response: %v, want a *wire.SyntaxError", err)
			}
			resp, err = r.ReadResponse()
			if err != nil {
				t.Fatalf("after the malformed response: %v", err)
			}
			want := &Message{SeqNum: 2, Items: []string{"UID", "BODY[]"}, UID: 5, Sections: []BodySectionItem{section("BODY", Section{}, -1, ")\r\n\r")}}
			if diff := cmp.Diff(want, resp, cmpOpts...); diff != "" {
				t.Fatalf("after the malformed response (-want +got):\n%s", diff)
			}
			resp, err = r.ReadResponse()
			if err != nil || resp.(*StatusResponse).Tag != "A9" {
				t.Fatalf("last: %v, %v", resp, err)
			}
			if _, err := r.ReadResponse(); err != io.EOF {
				t.Errorf("end: %v, want io.EOF", err)
			}
		})
	}
}

// TestIOErrorPassesThrough checks that an I/O error is returned as is,
// not wrapped in a syntax error, and is final.
func TestIOErrorPassesThrough(t *testing.T) {
	boom := errors.New("connection reset")
	r := NewReader(io.MultiReader(strings.NewReader("* 1 FETCH (FLAGS (\\Se"), iotest.ErrReader(boom)), nil)
	if _, err := r.ReadResponse(); err != boom {
		t.Fatalf("got %v, want %v", err, boom)
	}
	if _, err := r.ReadResponse(); err != boom {
		t.Fatalf("second call: got %v, want %v", err, boom)
	}
}

// TestFetchStale checks that a Fetch whose items the next Reader.Next
// drained reports io.EOF, not items of another response.
func TestFetchStale(t *testing.T) {
	r := NewReader(strings.NewReader("* 1 FETCH (UID 1 FLAGS ())\r\n* 2 EXISTS\r\n"), nil)
	resp, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	f := resp.(*Fetch)
	if resp, err := r.Next(); err != nil || resp.(*Exists).Num != 2 {
		t.Fatalf("next response: %v, %v", resp, err)
	}
	if item, err := f.Next(); err != io.EOF {
		t.Fatalf("drained Fetch.Next: %v, %v; want io.EOF", item, err)
	}
}

// TestOffsets checks ResponseOffset across a stream.
func TestOffsets(t *testing.T) {
	in := "* 1 EXISTS\r\n* 2 FETCH (BODY[] {3}\r\nabc)\r\nA1 OK x\r\n"
	r := NewReader(bytes.NewReader([]byte(in)), nil)
	var offs []int64
	for {
		if _, err := r.ReadResponse(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		offs = append(offs, r.ResponseOffset())
	}
	if diff := cmp.Diff([]int64{0, 12, 41}, offs); diff != "" {
		t.Errorf("offsets (-want +got):\n%s", diff)
	}
}

const bigBody = 10 << 20 // 10 MiB

// payload returns n pseudo-random bytes, the same for the same seed, CRLFs
// and parentheses included.
func payload(seed uint64, n int64) io.Reader {
	return io.LimitReader(rand.NewChaCha8([32]byte{byte(seed)}), n)
}

func payloadSum(seed uint64, n int64) [sha256.Size]byte {
	h := sha256.New()
	io.Copy(h, payload(seed, n))
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// bigFetchStream is two FETCH responses with 10 MiB BODY[] literals, then a
// tagged OK.
func bigFetchStream() io.Reader {
	n := strconv.Itoa(bigBody)
	return io.MultiReader(
		strings.NewReader("* 1 FETCH (UID 5 BODY[] {"+n+"}\r\n"),
		payload(1, bigBody),
		strings.NewReader(" FLAGS (\\Seen))\r\n* 2 FETCH (BODY[1] {"+n+"}\r\n"),
		payload(2, bigBody),
		strings.NewReader(" UID 6)\r\n* 3 FETCH (BODY[] {"+n+"}\r\n"),
		payload(3, bigBody),
		strings.NewReader(")\r\nA1 OK done\r\n"),
	)
}

// TestStreamBody reads a 10 MiB body through Fetch.Next and Body, leaves the
// next two unread, and checks the stream stays in sync and the memory
// allocated stays far below the body size.
func TestStreamBody(t *testing.T) {
	want := payloadSum(1, bigBody)
	r := NewReader(bigFetchStream(), nil)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	resp, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	f := resp.(*Fetch)
	item, err := f.Next()
	if err != nil || item.(*UIDItem).UID != 5 {
		t.Fatalf("first item: %v, %v", item, err)
	}
	item, err = f.Next()
	if err != nil {
		t.Fatal(err)
	}
	sec := item.(*BodySectionItem)
	if sec.Size != bigBody || sec.Data != nil || sec.Body == nil {
		t.Fatalf("section: size %d, data %d bytes, body %v", sec.Size, len(sec.Data), sec.Body)
	}
	h := sha256.New()
	n, err := io.Copy(h, sec.Body)
	if err != nil || n != bigBody {
		t.Fatalf("copy: %d, %v", n, err)
	}
	var got [sha256.Size]byte
	if h.Sum(got[:0]); got != want {
		t.Errorf("sha256 of the streamed body differs")
	}
	item, err = f.Next()
	if err != nil || len(item.(*FlagsItem).Flags) != 1 {
		t.Fatalf("item after the body: %v, %v", item, err)
	}
	if _, err := sec.Body.Read(make([]byte, 1)); err == nil {
		t.Errorf("Body still readable after the next call")
	}
	if _, err := f.Next(); err != io.EOF {
		t.Fatalf("end of FETCH: %v", err)
	}

	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2<<20 {
		t.Errorf("streaming a %d-byte body allocated %d bytes", bigBody, alloc)
	}

	// Second FETCH: take the body item, read a little of it, and go on
	// with Fetch.Next: the rest is skipped.
	resp, err = r.Next()
	if err != nil {
		t.Fatal(err)
	}
	f = resp.(*Fetch)
	item, err = f.Next()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(item.(*BodySectionItem).Body, make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	item, err = f.Next()
	if err != nil || item.(*UIDItem).UID != 6 {
		t.Fatalf("item after the unread body: %v, %v", item, err)
	}

	// Third FETCH: do not read its items at all; Reader.Next skips them.
	resp, err = r.Next()
	if err != nil || resp.(*Fetch).SeqNum != 3 {
		t.Fatalf("third: %v, %v", resp, err)
	}
	resp, err = r.Next()
	if err != nil || resp.(*StatusResponse).Tag != "A1" {
		t.Fatalf("after the unread FETCH: %v, %v", resp, err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("end: %v, want io.EOF", err)
	}
}

// TestCollectTooLarge: Collect (through ReadResponse) refuses a literal
// larger than MaxLiteral with wire.ErrLiteralTooLarge, without buffering
// it, and the stream stays in sync.
func TestCollectTooLarge(t *testing.T) {
	r := NewReader(bigFetchStream(), &Options{Limits: wire.Limits{MaxLiteral: 1 << 20}})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 1; i <= 3; i++ {
		resp, err := r.ReadResponse()
		if !errors.Is(err, wire.ErrLiteralTooLarge) {
			t.Fatalf("FETCH %d: %v, %v; want ErrLiteralTooLarge", i, resp, err)
		}
		var se *wire.SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("FETCH %d: %T, want *wire.SyntaxError", i, err)
		}
	}
	resp, err := r.ReadResponse()
	if err != nil || resp.(*StatusResponse).Tag != "A1" {
		t.Fatalf("after the refused FETCHes: %v, %v", resp, err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2<<20 {
		t.Errorf("refusing three %d-byte bodies allocated %d bytes", bigBody, alloc)
	}
	if _, err := r.ReadResponse(); err != io.EOF {
		t.Errorf("end: %v, want io.EOF", err)
	}
}

// TestCollectAtLimit: a literal of exactly MaxLiteral bytes is collected.
func TestCollectAtLimit(t *testing.T) {
	in := "* 1 FETCH (BODY[] {16}\r\n0123456789abcdef)\r\n* 2 FETCH (BODY[] {17}\r\n0123456789abcdefg)\r\n* 3 EXISTS\r\n"
	r := NewReader(strings.NewReader(in), &Options{Limits: wire.Limits{MaxLiteral: 16}})
	resp, err := r.ReadResponse()
	if err != nil || string(resp.(*Message).Section("BODY[]")) != "0123456789abcdef" {
		t.Fatalf("at the limit: %v, %v", resp, err)
	}
	if _, err := r.ReadResponse(); !errors.Is(err, wire.ErrLiteralTooLarge) {
		t.Fatalf("one past the limit: %v", err)
	}
	if resp, err := r.ReadResponse(); err != nil || resp.(*Exists).Num != 3 {
		t.Fatalf("after: %v, %v", resp, err)
	}
}

// repeatReader returns data over and over, forever.
type repeatReader struct {
	data []byte
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m := copy(p[n:], r.data[r.off:])
		n += m
		r.off = (r.off + m) % len(r.data)
	}
	return n, nil
}

// Allocation ceilings, measured in steady state (the Reader's buffer grown,
// its arena warm). Found when written, with Go 1.26 on amd64:
//
//   - 12 EXISTS                              1 (the *Exists)
//   - 12 FETCH (UID 4827313 FLAGS (\Seen))   ReadResponse: 7; Next and Fetch.Next: 4
//
// The ceilings leave a little room; a change that needs more should say why.
const (
	maxAllocsExists      = 1
	maxAllocsFetch       = 8
	maxAllocsFetchStream = 5
)

func TestAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts")
	}
	exists := NewReader(&repeatReader{data: []byte("* 12 EXISTS\r\n")}, nil)
	if n := testing.AllocsPerRun(1000, func() {
		if _, err := exists.ReadResponse(); err != nil {
			t.Fatal(err)
		}
	}); n > maxAllocsExists {
		t.Errorf("* 12 EXISTS: %v allocations per response, ceiling %d", n, maxAllocsExists)
	} else {
		t.Logf("* 12 EXISTS: %v allocations per response", n)
	}

	const fetch = "* 12 FETCH (UID 4827313 FLAGS (\\Seen))\r\n"
	fr := NewReader(&repeatReader{data: []byte(fetch)}, nil)
	if n := testing.AllocsPerRun(1000, func() {
		if _, err := fr.ReadResponse(); err != nil {
			t.Fatal(err)
		}
	}); n > maxAllocsFetch {
		t.Errorf("FETCH (UID FLAGS) with ReadResponse: %v allocations per response, ceiling %d", n, maxAllocsFetch)
	} else {
		t.Logf("FETCH (UID FLAGS) with ReadResponse: %v allocations per response", n)
	}

	fs := NewReader(&repeatReader{data: []byte(fetch)}, nil)
	if n := testing.AllocsPerRun(1000, func() {
		resp, err := fs.Next()
		if err != nil {
			t.Fatal(err)
		}
		f := resp.(*Fetch)
		for {
			if _, err := f.Next(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
		}
	}); n > maxAllocsFetchStream {
		t.Errorf("FETCH (UID FLAGS) with Next: %v allocations per response, ceiling %d", n, maxAllocsFetchStream)
	} else {
		t.Logf("FETCH (UID FLAGS) with Next: %v allocations per response", n)
	}
}

// TestStreamOneByte streams a body through a one-byte-at-a-time reader.
func TestStreamOneByte(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789\r\n"), 1000)
	in := "* 1 FETCH (BODY[TEXT] {" + strconv.Itoa(len(body)) + "}\r\n" + string(body) + " UID 2)\r\n"
	r := NewReader(&oneByte{strings.NewReader(in)}, nil)
	resp, err := r.ReadResponse()
	if err != nil {
		t.Fatal(err)
	}
	m := resp.(*Message)
	if !bytes.Equal(m.Section("BODY[TEXT]"), body) || m.UID != 2 {
		t.Errorf("got %d body bytes, UID %d", len(m.Section("BODY[TEXT]")), m.UID)
	}
}

// oneByte is iotest.OneByteReader without the io.WriterTo shortcut.
type oneByte struct{ r io.Reader }

func (o *oneByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

// TestWalk numbers the parts of the example message of RFC 3501 section
// 6.4.5 as the RFC does.
func TestWalk(t *testing.T) {
	const env = `(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)`
	text := func(sub string) string { return `("TEXT" "` + sub + `" NIL NIL NIL "7BIT" 10 1)` }
	const octets = `("APPLICATION" "OCTET-STREAM" NIL NIL NIL "BASE64" 100)`
	const gif = `("IMAGE" "GIF" NIL NIL NIL "BASE64" 100)`
	msg := func(body string) string {
		return `("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 500 ` + env + ` ` + body + ` 20)`
	}
	bs := "(" + text("PLAIN") + octets +
		msg("("+text("PLAIN")+octets+` "MIXED")`) +
		"(" + gif + msg("("+text("PLAIN")+"("+text("PLAIN")+text("RICHTEXT")+` "ALTERNATIVE") "MIXED")`) + ` "MIXED")` +
		` "MIXED")`
	r := NewReader(strings.NewReader("* 1 FETCH (BODY "+bs+")\r\n"), &Options{Strict: true})
	resp, err := r.ReadResponse()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	resp.(*Message).BodyStructure.Walk(func(part string, b *BodyStructure) bool {
		got = append(got, part+" "+b.MediaType())
		return true
	})
	want := []string{
		" multipart/mixed",
		"1 text/plain",
		"2 application/octet-stream",
		"3 message/rfc822",
		"3.1 text/plain",
		"3.2 application/octet-stream",
		"4 multipart/mixed",
		"4.1 image/gif",
		"4.2 message/rfc822",
		"4.2.1 text/plain",
		"4.2.2 multipart/alternative",
		"4.2.2.1 text/plain",
		"4.2.2.2 text/richtext",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Walk (-want +got):\n%s", diff)
	}
	// Walk stops when fn returns false.
	n := 0
	resp.(*Message).BodyStructure.Walk(func(string, *BodyStructure) bool { n++; return n < 3 })
	if n != 3 {
		t.Errorf("Walk went on after false: %d calls", n)
	}
}
