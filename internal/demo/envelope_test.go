package demo

import (
	"strconv"
	"strings"
	"testing"
)

// appendAndFetch appends msg to INBOX (selected) and returns the FETCH
// line of item for the new message.
func appendAndFetch(t *testing.T, r *raw, msg, item string) string {
	t.Helper()
	r.ok("APPEND INBOX {" + strconv.Itoa(len(msg)) + "+}\r\n" + msg)
	for _, l := range r.ok("FETCH * " + item) {
		if strings.Contains(l, " FETCH (") {
			return l
		}
	}
	t.Fatalf("no FETCH for %s", item)
	return ""
}

// TestEnvelopeAddresses: RFC 3501 section 7.4.2. Sender and Reply-To are
// From's when absent or empty; a route stays in the route field; a group
// is a start (NIL NIL name NIL), its members and an end (NIL NIL NIL
// NIL); a trailing comment is the name of an address without a phrase.
func TestEnvelopeAddresses(t *testing.T) {
	const from = `(("Ann" NIL "ann" "example.com"))`
	tests := []struct {
		name    string
		header  string // after "From: Ann <ann@example.com>"
		address string // the six address fields of the envelope
	}{
		{"absent", "To: bob@example.org",
			from + " " + from + " " + from + ` ((NIL NIL "bob" "example.org")) NIL NIL`},
		{"empty sender and reply-to", "Sender:\r\nReply-To:   \r\nTo: bob@example.org",
			from + " " + from + " " + from + ` ((NIL NIL "bob" "example.org")) NIL NIL`},
		{"comment-only sender", "Sender: (nobody)\r\nTo: bob@example.org",
			from + " " + from + " " + from + ` ((NIL NIL "bob" "example.org")) NIL NIL`},
		{"route", "To: <@relay.example,@hub.example:bob@example.org>",
			from + " " + from + " " + from + ` ((NIL "@relay.example,@hub.example" "bob" "example.org")) NIL NIL`},
		{"route with phrase", "Cc: Bob <@relay.example:bob@example.org>",
			from + " " + from + " " + from + ` NIL (("Bob" "@relay.example" "bob" "example.org")) NIL`},
		{"group", `To: Friends: a@x.example, "B B" <b@y.example>;, c@z.example`,
			from + " " + from + " " + from +
				` ((NIL NIL "Friends" NIL)(NIL NIL "a" "x.example")("B B" NIL "b" "y.example")(NIL NIL NIL NIL)(NIL NIL "c" "z.example")) NIL NIL`},
		{"empty group", "To: undisclosed-recipients:;",
			from + " " + from + " " + from + ` ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) NIL NIL`},
		{"trailing comment", "To: bob@example.org (Bob Jones), carl@example.org",
			from + " " + from + " " + from + ` (("Bob Jones" NIL "bob" "example.org")(NIL NIL "carl" "example.org")) NIL NIL`},
		{"comment after angle address", "Bcc: <dan@example.org> (Dan)",
			from + " " + from + " " + from + ` NIL NIL (("Dan" NIL "dan" "example.org"))`},
		{"phrase wins over comment", "To: Bob (the builder) <bob@example.org>",
			from + " " + from + " " + from + ` (("Bob" NIL "bob" "example.org")) NIL NIL`},
		{"comment inside addr-spec", "To: bob(x)@example.org",
			from + " " + from + " " + from + ` (("x" NIL "bob" "example.org")) NIL NIL`},
		{"sender given", "Sender: Sec <sec@example.com>\r\nReply-To: list@example.net",
			from + ` (("Sec" NIL "sec" "example.com")) ((NIL NIL "list" "example.net")) NIL NIL NIL`},
	}
	s := testServer(t)
	r := dialRaw(t, s)
	r.login()
	r.ok("SELECT INBOX")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := "From: Ann <ann@example.com>\r\n" + tt.header + "\r\nSubject: s\r\n\r\nbody\r\n"
			got := appendAndFetch(t, r, msg, "ENVELOPE")
			want := `ENVELOPE (NIL "s" ` + tt.address + ` NIL NIL))`
			if !strings.HasSuffix(got, want) {
				t.Errorf("got  %s\nwant ... %s", got, want)
			}
		})
	}
}

// TestSearchAddresses: SEARCH FROM, TO, CC and BCC find a message by the
// address and name its ENVELOPE shows (RFC 3501 section 6.4.4), read by
// the same parse: quoted local parts, comments, encoded words, folded
// lines.
func TestSearchAddresses(t *testing.T) {
	msgs := []string{
		1: "From: \"john doe\"@example.com\r\nTo: x@example.org\r\n",
		2: "From: john(the one)@example.com\r\nTo: x@example.org\r\n",
		3: "From: =?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <jm@example.de>\r\nTo: x@example.org\r\n",
		4: "From: a@example.com\r\nTo: y@example.org,\r\n bob.smith@\r\n example.org\r\n",
		5: "From: a@example.com\r\nCc: <@relay.example:carl@example.net> (Carl Comment)\r\nBcc: Team: dora@example.net;\r\n",
	}
	tests := []struct {
		search string
		want   string
	}{
		{`FROM "john doe@example.com"`, "* SEARCH 1"},
		{`FROM "\"john doe\"@example.com"`, "* SEARCH 1"},
		{`FROM john@example.com`, "* SEARCH 2"},
		{`FROM "the one"`, "* SEARCH 2"},
		{`FROM "Jörg Müller <jm@example.de>"`, "* SEARCH 3"},
		{`FROM "müller"`, "* SEARCH 3"},
		{`TO bob.smith@example.org`, "* SEARCH 4"},
		{`TO "y@example.org"`, "* SEARCH 4"},
		{`CC carl@example.net`, "* SEARCH 5"},
		{`CC "carl comment"`, "* SEARCH 5"},
		{`BCC team`, "* SEARCH 5"},
		{`BCC dora@example.net`, "* SEARCH 5"},
		{`FROM nobody@example.com`, "* SEARCH"},
	}
	s := testServer(t)
	r := dialRaw(t, s)
	r.login()
	r.ok("CREATE addr")
	for _, h := range msgs[1:] {
		m := h + "Subject: s\r\n\r\nbody\r\n"
		r.ok("APPEND addr {" + strconv.Itoa(len(m)) + "+}\r\n" + m)
	}
	r.ok("SELECT addr")
	for _, tt := range tests {
		t.Run(tt.search, func(t *testing.T) {
			u := r.ok("SEARCH CHARSET UTF-8 " + tt.search)
			if len(u) != 1 || u[0] != tt.want {
				t.Errorf("SEARCH %s: %q, want %q", tt.search, u, tt.want)
			}
		})
	}
}
