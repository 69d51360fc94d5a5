package demo

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/imapwire/imapwire/wire"
)

// parseOne parses the first command of input and reports the number of
// continuation requests it asked for.
func parseOne(input string) (*command, int, error) {
	r := wire.NewReader(strings.NewReader(input))
	r.SetLimits(readerLimits)
	conts := 0
	c := &cmdReader{r: r, cont: func() error { conts++; return nil }, reset: func() {}, delim: '/'}
	cmd, err := parseCommand(c)
	return cmd, conts, err
}

func TestParseCommand(t *testing.T) {
	date := time.Date(1996, 7, 17, 2, 44, 25, 0, time.FixedZone("", -7*3600))
	tests := []struct {
		name  string
		in    string
		want  *command
		conts int
	}{
		{"noop", "a1 NOOP\r\n", &command{tag: "a1", name: "NOOP"}, 0},
		{"lower case", "a1 noop\r\n", &command{tag: "a1", name: "NOOP"}, 0},
		{"bare LF", "a1 CAPABILITY\n", &command{tag: "a1", name: "CAPABILITY"}, 0},
		{"login atoms", "a LOGIN demo demo\r\n", &command{tag: "a", name: "LOGIN", user: "demo", pass: "demo"}, 0},
		{"login quoted and literal", "a LOGIN {4}\r\ndemo \"pa\\\"ss\"\r\n",
			&command{tag: "a", name: "LOGIN", user: "demo", pass: `pa"ss`}, 1},
		{"login non-sync literal", "a LOGIN {4+}\r\ndemo {2+}\r\npw\r\n",
			&command{tag: "a", name: "LOGIN", user: "demo", pass: "pw"}, 0},
		{"authenticate with SASL-IR", "a AUTHENTICATE PLAIN AGRlbW8AZGVtbw==\r\n",
			&command{tag: "a", name: "AUTHENTICATE", atoms: []string{"PLAIN", "AGRlbW8AZGVtbw=="}}, 0},
		{"select modified UTF-7", "a SELECT \"Travel/&U,BTFw-\"\r\n", &command{tag: "a", name: "SELECT", mailbox: "Travel/台北"}, 0},
		{"select inbox any case", "a SELECT inbox\r\n", &command{tag: "a", name: "SELECT", mailbox: "INBOX"}, 0},
		// Not modified UTF-7: parsed, and answered NO when it runs.
		{"select quoted UTF-8", "a SELECT \"Entwürfe\"\r\n", &command{tag: "a", name: "SELECT", mailbox: "Entwürfe",
			badName: `Mailbox name is not valid mUTF-7 (send it as "Entw&APw-rfe")`}, 0},
		{"select bad mUTF-7", "a SELECT &Jjo\r\n", &command{tag: "a", name: "SELECT", mailbox: "&Jjo",
			badName: `Mailbox name is not valid mUTF-7: imap: syntax error at offset 4 in mailbox (modified UTF-7): invalid modified UTF-7: expected modified BASE64 or "-", found end of input`}, 0},
		{"rename to a literal UTF-8 name", "a RENAME Work {5}\r\nWörk\r\n", &command{tag: "a", name: "RENAME", mailbox: "Work", mailbox2: "Wörk",
			badName: `Mailbox name is not valid mUTF-7 (send it as "W&APY-rk")`}, 1},
		{"rename", "a RENAME Work \"Work 2\"\r\n", &command{tag: "a", name: "RENAME", mailbox: "Work", mailbox2: "Work 2"}, 0},
		{"status", "a STATUS INBOX (MESSAGES unseen UIDNEXT)\r\n",
			&command{tag: "a", name: "STATUS", mailbox: "INBOX", atoms: []string{"MESSAGES", "UNSEEN", "UIDNEXT"}}, 0},
		{"list plain", "a LIST \"\" *\r\n", &command{tag: "a", name: "LIST", list: &listArgs{patterns: []string{"*"}}}, 0},
		{"list wildcards unquoted", "a LIST \"\" Work/%]\r\n", &command{tag: "a", name: "LIST", list: &listArgs{patterns: []string{"Work/%]"}}}, 0},
		{"list extended", "a LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (\"a*\" b%) RETURN (CHILDREN STATUS (MESSAGES))\r\n",
			&command{tag: "a", name: "LIST", list: &listArgs{selSubscribed: true, selRecursive: true, extended: true,
				patterns: []string{"a*", "b%"}, retChildren: true, retStatus: []string{"MESSAGES"}}}, 0},
		{"lsub", "a LSUB \"\" \"*\"\r\n", &command{tag: "a", name: "LSUB", list: &listArgs{patterns: []string{"*"}}}, 0},
		{"append", "a APPEND INBOX (\\Seen foo) \"17-Jul-1996 02:44:25 -0700\" {5}\r\nhello\r\n",
			&command{tag: "a", name: "APPEND", mailbox: "INBOX", appendA: &appendArgs{flags: []string{`\Seen`, "foo"}, date: date, msg: []byte("hello")}}, 1},
		{"append padded day, non-sync", "a APPEND INBOX \" 7-Jul-1996 02:44:25 -0700\" {2+}\r\nhi\r\n",
			&command{tag: "a", name: "APPEND", mailbox: "INBOX", appendA: &appendArgs{date: date.AddDate(0, 0, -10), msg: []byte("hi")}}, 0},
		{"uid fetch", "a UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (FROM Subject)]<0.100> BODY[1.2.MIME])\r\n",
			&command{tag: "a", name: "FETCH", uid: true, seq: wire.SeqSet{{Start: 1, Stop: 0}}, fetch: []fetchItem{
				{name: "FLAGS"},
				{name: "BODY[", section: &sectionSpec{peek: true, text: "HEADER.FIELDS", fields: []string{"FROM", "Subject"}, partial: true, length: 100}},
				{name: "BODY[", section: &sectionSpec{path: []int{1, 2}, text: "MIME"}},
			}}, 0},
		{"fetch macro", "a FETCH 2,4:5 FAST\r\n", &command{tag: "a", name: "FETCH", seq: wire.SeqSet{{Start: 2, Stop: 2}, {Start: 4, Stop: 5}},
			fetch: []fetchItem{{name: "FLAGS"}, {name: "INTERNALDATE"}, {name: "RFC822.SIZE"}}}, 0},
		{"fetch body[]", "a FETCH 1 BODY[]\r\n", &command{tag: "a", name: "FETCH", seq: wire.SeqSet{{Start: 1, Stop: 1}},
			fetch: []fetchItem{{name: "BODY[", section: &sectionSpec{}}}}, 0},
		{"store", "a STORE 1:3 +FLAGS.SILENT (\\seen $Label)\r\n", &command{tag: "a", name: "STORE", seq: wire.SeqSet{{Start: 1, Stop: 3}},
			store: &storeArgs{op: '+', silent: true, flags: []string{`\Seen`, "$Label"}}}, 0},
		{"store without parentheses", "a UID STORE 7 -FLAGS \\Deleted \\Seen\r\n", &command{tag: "a", name: "STORE", uid: true,
			seq: wire.SeqSet{{Start: 7, Stop: 7}}, store: &storeArgs{op: '-', flags: []string{`\Deleted`, `\Seen`}}}, 0},
		{"copy", "a UID COPY 1,3 \"Deleted Items\"\r\n", &command{tag: "a", name: "COPY", uid: true, seq: wire.SeqSet{{Start: 1, Stop: 1}, {Start: 3, Stop: 3}}, mailbox2: "Deleted Items"}, 0},
		{"uid expunge", "a UID EXPUNGE 4:7\r\n", &command{tag: "a", name: "EXPUNGE", uid: true, seq: wire.SeqSet{{Start: 4, Stop: 7}}}, 0},
		{"id", "a ID (\"name\" \"x\" \"version\" NIL)\r\n", &command{tag: "a", name: "ID", id: []string{"name", "x", "version", ""}}, 0},
		{"id nil", "a ID NIL\r\n", &command{tag: "a", name: "ID", noID: true}, 0},
		{"enable", "a ENABLE CONDSTORE UTF8=ACCEPT\r\n", &command{tag: "a", name: "ENABLE", atoms: []string{"CONDSTORE", "UTF8=ACCEPT"}}, 0},
	}
	opts := cmp.Options{cmp.AllowUnexported(command{}, fetchItem{}, sectionSpec{}, storeArgs{}, listArgs{}, appendArgs{}), cmpopts.EquateEmpty()}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, conts, err := parseOne(tt.in)
			if err != nil {
				t.Fatalf("parse %q: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got, opts); diff != "" {
				t.Errorf("parse %q (-want +got):\n%s", tt.in, diff)
			}
			if conts != tt.conts {
				t.Errorf("%d continuation requests, want %d", conts, tt.conts)
			}
		})
	}
}

func TestParseSearch(t *testing.T) {
	tests := []struct {
		in   string
		want string // the key tree, rendered
		ret  []string
		cs   string
	}{
		{"a SEARCH ALL\r\n", "AND(ALL)", nil, ""},
		{"a SEARCH SINCE 13-Jul-2013 TEXT Apress\r\n", "AND(SINCE[2013-07-13] TEXT[Apress])", nil, ""},
		{"a SEARCH OR SUBJECT \"Holiday\" (SEEN FLAGGED)\r\n", "AND(OR(SUBJECT[Holiday] AND(SEEN FLAGGED)))", nil, ""},
		{"a SEARCH NOT NOT 2:4,* UID 5:*\r\n", "AND(NOT(NOT(SEQ[2:4,*])) UID[5:*])", nil, ""},
		{"a SEARCH CHARSET UTF-8 SUBJECT {6}\r\n会议\r\n", "AND(SUBJECT[会议])", nil, "UTF-8"},
		{"a SEARCH SUBJECT \"台北\"\r\n", "AND(SUBJECT[台北])", nil, ""}, // 8-bit quoted: accepted, as by Dovecot
		{"a SEARCH SUBJECT 台北\r\n", "", nil, ""},                     // 8-bit atom: BAD
		{"a SEARCH RETURN () HEADER X-Spam yes\r\n", "AND(HEADER[X-Spam:yes])", []string{"ALL"}, ""},
		{"a SEARCH RETURN (MIN COUNT) CHARSET us-ascii LARGER 100 KEYWORD $Important\r\n", "AND(LARGER[100] KEYWORD[$Important])", []string{"MIN", "COUNT"}, "US-ASCII"},
		{"a SEARCH \"SEEN\" \r\n", "", nil, ""}, // a quoted key is no key
	}
	for _, tt := range tests {
		cmd, _, err := parseOne(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("parse %q: no error", tt.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("parse %q: %v", tt.in, err)
			continue
		}
		if got := renderKey(cmd.search.key); got != tt.want {
			t.Errorf("parse %q: %s, want %s", tt.in, got, tt.want)
		}
		if !cmp.Equal(cmd.search.ret, tt.ret) || cmd.search.charset != tt.cs {
			t.Errorf("parse %q: RETURN %v CHARSET %q, want %v %q", tt.in, cmd.search.ret, cmd.search.charset, tt.ret, tt.cs)
		}
	}
}

func renderKey(k *searchKey) string {
	switch k.op {
	case "AND", "OR", "NOT":
		var parts []string
		for _, s := range k.sub {
			parts = append(parts, renderKey(s))
		}
		return k.op + "(" + strings.Join(parts, " ") + ")"
	case "SEQ", "UID":
		return k.op + "[" + k.set.String() + "]"
	case "SINCE", "BEFORE", "ON", "SENTSINCE", "SENTBEFORE", "SENTON":
		return k.op + "[" + k.date.Format("2006-01-02") + "]"
	case "LARGER", "SMALLER":
		return k.op + "[" + strings.TrimSpace(strings.Repeat(" ", 0)) + itoa(k.size) + "]"
	case "KEYWORD", "UNKEYWORD":
		return k.op + "[" + k.flag + "]"
	case "HEADER":
		return k.op + "[" + k.field + ":" + k.value + "]"
	}
	if k.value != "" {
		return k.op + "[" + k.value + "]"
	}
	return k.op
}

func itoa(n uint32) string { return wire.SeqSetOf(n).String() }

// TestParseErrors: malformed commands are a *parseError or a
// *wire.SyntaxError (BAD), never an I/O error, and report whether the line
// still needs skipping.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		code     string // NO code, "" for BAD
		lineDone bool
		contains string
	}{
		{"unknown command", "a FOO bar\r\n", "", false, "unknown command"},
		{"missing paren", "a FETCH 1 (FLAGS\r\n", "", false, ""},
		{"seq 0", "a FETCH 0 FLAGS\r\n", "", false, "nz-number"},
		{"seq overflow", "a FETCH 4294967296 FLAGS\r\n", "", false, "overflow"},
		{"login no args", "a LOGIN\r\n", "", false, "SP"},
		{"unknown fetch item", "a FETCH 1 (FLAGS FOO)\r\n", "", false, "unknown item"},
		{"bad section", "a FETCH 1 BODY[HEADER.FOO]\r\n", "", false, "invalid section"},
		{"8-bit header field name", "a FETCH 1 BODY[HEADER.FIELDS (X\xeb)]\r\n", "", false, "at offset 31 in header-fld-name: 8bit data in atom"},
		{"8-bit mailbox atom", "a SELECT Travel/台北\r\n", "", false, "at offset 16 in mailbox: 8bit data in atom"},
		{"8-bit search atom", "a SEARCH SUBJECT 台北\r\n", "", false, "at offset 17 in search-key: 8bit data in atom"},
		{"8-bit pattern", "a LIST \"\" Ä\r\n", "", false, "at offset 10 in list-mailbox: 8bit data in atom"},
		{"8-bit keyword", "a STORE 1 +FLAGS ($Ä)\r\n", "", false, "at offset 19 in flag-list: 8bit data in atom"},
		{"8-bit tag", "\xe4 NOOP\r\n", "", false, "at offset 0 in tag: 8bit data in atom"},
		{"quoted special header field name", "a FETCH 1 BODY[HEADER.FIELDS (\"a]b\")]\r\n", "", false, "header field name"},
		{"mime without part", "a FETCH 1 BODY[MIME]\r\n", "", false, "MIME"},
		{"partial of 0", "a FETCH 1 BODY[]<0.0>\r\n", "", false, "partial"},
		{"store recent", "a STORE 1 FLAGS (\\Recent)\r\n", "", false, "cannot be set"},
		{"store item", "a STORE 1 LABELS (x)\r\n", "", false, "FLAGS"},
		{"extra argument", "a NOOP now\r\n", "", false, "CRLF"},
		{"uid unknown", "a UID LIST \"\" *\r\n", "", false, "unknown"},
		{"bad date", "a SEARCH SINCE 31-Foo-2020\r\n", "", false, "invalid date"},
		{"bad charset", "a SEARCH CHARSET X-NOSUCH TEXT x\r\n", "BADCHARSET (UTF-8 US-ASCII)", false, "unsupported charset"},
		{"status item", "a STATUS INBOX (MESSAGES FOO)\r\n", "", false, "unknown item"},
		{"sync literal too big", "a LOGIN {99999999}\r\n", "TOOBIG", true, "larger than"},
		{"non-sync literal too big", "a LOGIN {99999999+}\r\n", "TOOBIG", false, "larger than"},
		{"append too big", "a APPEND INBOX {40000000}\r\n", "TOOBIG", true, "larger than"},
		{"literal8 as astring", "a LOGIN ~{3}\r\n", "", false, "SP"},
		{"literal8", "a APPEND INBOX ~{3}\r\n", "", true, "literal8"},
		{"multiappend", "a APPEND INBOX {1+}\r\nx {1+}\r\ny\r\n", "", false, "MULTIAPPEND"},
		{"search depth", "a SEARCH " + strings.Repeat("NOT ", maxSearchDepth+1) + "ALL\r\n", "", false, "nested"},
		{"search keys", "a SEARCH" + strings.Repeat(" SEEN", maxSearchKeys+1) + "\r\n", "", false, "more than"},
		{"pattern too long", "a LIST \"\" " + strings.Repeat("a", maxPatternLen+1) + "\r\n", "", false, "longer than"},
		{"id odd", "a ID (\"name\")\r\n", "", false, "without a value"},
		{"list select option", "a LIST (FOO) \"\" *\r\n", "", false, "selection option"},
		{"recursivematch alone", "a LIST (RECURSIVEMATCH) \"\" *\r\n", "", false, "RECURSIVEMATCH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parseOne(tt.in)
			if err == nil {
				t.Fatalf("parse %q: no error", tt.in)
			}
			if isIOError(err) {
				t.Fatalf("parse %q: %v is taken for an I/O error", tt.in, err)
			}
			var pe *parseError
			errors.As(err, &pe)
			code, lineDone := "", false
			if pe != nil {
				code, lineDone = pe.code, pe.lineDone
			}
			if code != tt.code || lineDone != tt.lineDone {
				t.Errorf("parse %q: code %q lineDone %v, want %q %v (%v)", tt.in, code, lineDone, tt.code, tt.lineDone, err)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("parse %q: %v, want it to mention %q", tt.in, err, tt.contains)
			}
		})
	}
}

func TestMatchPattern(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*", "Work/Projects", true},
		{"%", "Work/Projects", false},
		{"%", "Work", true},
		{"Work/%", "Work/Projects", true},
		{"Work/%", "Work/Projects/2020", false},
		{"Work*", "Work/Projects/2020", true},
		{"W%s", "Work/Projects", false},
		{"W*s", "Work/Projects", true},
		{"*ts", "Work/Projects", true},
		{"INBOX", "INBOX", true},
		{"", "INBOX", false},
		{strings.Repeat("*%", 500) + "x", strings.Repeat("a", 500), false},
	}
	for _, tt := range tests {
		if got := matchPattern(tt.pattern, tt.name, '/'); got != tt.want {
			t.Errorf("matchPattern(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}
