package parser

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/imapwire/imapwire/wire"
)

// A deviation is a class of issue 18 section 2: bytes real servers send
// that break the grammar, accepted leniently with the Leniency named, and
// refused strictly at off.
type deviation struct {
	name string
	in   string // CRLF appended
	want Response
	rule Leniency // "" for the unrecorded spacing leniencies
	off  int64    // strict: the offset of the *wire.SyntaxError
}

var deviations = []deviation{
	{name: "code without ]", in: "* NO [REFERRAL imap://a@b/INBOX;UIDVALIDITY=1",
		want: &StatusResponse{Type: NO, Text: "[REFERRAL imap://a@b/INBOX;UIDVALIDITY=1"}, rule: LenientUnclosedCode, off: 45},
	{name: "envelope with SP after (", in: `* 1 FETCH (ENVELOPE ( NIL "s" NIL NIL NIL NIL NIL NIL NIL NIL))`,
		want: &Message{SeqNum: 1, Items: []string{"ENVELOPE"}, Envelope: &Envelope{Subject: "s"}}, rule: LenientEnvelopeSpace, off: 21},
	{name: "envelope with SP before )", in: `* 1 FETCH (ENVELOPE (NIL "s" NIL NIL NIL NIL NIL NIL NIL NIL ))`,
		want: &Message{SeqNum: 1, Items: []string{"ENVELOPE"}, Envelope: &Envelope{Subject: "s"}}, rule: LenientEnvelopeSpace, off: 60},
	{name: "envelope with eight fields", in: `* 1 FETCH (ENVELOPE (NIL "s" NIL NIL NIL ((NIL NIL "a" "b")) NIL NIL))`,
		want: &Message{SeqNum: 1, Items: []string{"ENVELOPE"}, Envelope: &Envelope{Subject: "s", To: []Address{{Mailbox: "a", Host: "b"}}}}, rule: LenientEnvelopeShort, off: 68},
	{name: "envelope with two fields", in: `* 1 FETCH (ENVELOPE ("Mon, 1 Jan 2024 00:00:00 +0000" "s"))`,
		want: &Message{SeqNum: 1, Items: []string{"ENVELOPE"}, Envelope: &Envelope{Date: "Mon, 1 Jan 2024 00:00:00 +0000", Subject: "s"}}, rule: LenientEnvelopeShort, off: 57},
	{name: "BODY( without SP", in: `* 1 FETCH (BODY("text" "plain" NIL NIL NIL "7bit" 1 1))`,
		want: &Message{SeqNum: 1, Items: []string{"BODY"}, BodyStructure: &BodyStructure{Type: "text", Subtype: "plain", Encoding: "7bit", Size: 1, Lines: 1}}, rule: LenientBodyNoSP, off: 15},
	{name: "BODYSTRUCTURE( without SP", in: `* 2 FETCH (UID 4 BODYSTRUCTURE(("text" "plain" NIL NIL NIL "7bit" 1 1)("text" "html" NIL NIL NIL "7bit" 2 1) "alternative"))`,
		want: &Message{SeqNum: 2, Items: []string{"UID", "BODYSTRUCTURE"}, UID: 4, BodyStructure: &BodyStructure{Type: "multipart", Subtype: "alternative", Parts: []*BodyStructure{
			{Type: "text", Subtype: "plain", Encoding: "7bit", Size: 1, Lines: 1}, {Type: "text", Subtype: "html", Encoding: "7bit", Size: 2, Lines: 1}}}},
		rule: LenientBodyNoSP, off: 30},
	{name: "nested body without SP", in: `* 1 FETCH (BODY ("message" "rfc822" NIL NIL NIL "7bit" 1 (NIL "s" NIL NIL NIL NIL NIL NIL NIL NIL)("text" "plain" NIL NIL NIL "7bit" 1 1) 1))`,
		want: &Message{SeqNum: 1, Items: []string{"BODY"}, BodyStructure: &BodyStructure{Type: "message", Subtype: "rfc822", Encoding: "7bit", Size: 1, Lines: 1,
			Envelope: &Envelope{Subject: "s"}, Body: &BodyStructure{Type: "text", Subtype: "plain", Encoding: "7bit", Size: 1, Lines: 1}}},
		rule: LenientBodyNoSP, off: 98},
	{name: "SP between addresses", in: `* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL "a" "b") (NIL NIL "c" "d")) NIL NIL NIL NIL NIL NIL NIL))`,
		want: &Message{SeqNum: 1, Items: []string{"ENVELOPE"}, Envelope: &Envelope{From: []Address{{Mailbox: "a", Host: "b"}, {Mailbox: "c", Host: "d"}}}},
		off:  47},
	{name: "NIL parameter value", in: `* 4 FETCH (BODYSTRUCTURE ("text" "html" ("charset" "utf-8" "boundary" NIL) NIL NIL "8bit" 7130 0))`,
		want: &Message{SeqNum: 4, Items: []string{"BODYSTRUCTURE"}, BodyStructure: &BodyStructure{Type: "text", Subtype: "html",
			Params: Params{{"charset", "utf-8"}, {"boundary", ""}}, Encoding: "8bit", Size: 7130}},
		rule: LenientParamNIL, off: 70},
	{name: "empty multipart with NIL parameters", in: `* 1 FETCH (BODYSTRUCTURE (("text" "plain" NIL NIL NIL "7bit" 1 1)("RELATED" NIL ("ATTACHMENT" NIL) NIL) "MIXED"))`,
		want: &Message{SeqNum: 1, Items: []string{"BODYSTRUCTURE"}, BodyStructure: &BodyStructure{Type: "multipart", Subtype: "MIXED", Parts: []*BodyStructure{
			{Type: "text", Subtype: "plain", Encoding: "7bit", Size: 1, Lines: 1},
			{Type: "multipart", Subtype: "RELATED", Extended: true, Disposition: &Disposition{Type: "ATTACHMENT"}}}}},
		rule: LenientEmptyMultipart, off: 76},
	{name: "MODSEQ without parentheses", in: "* 1 FETCH (UID 3 MODSEQ 12345)",
		want: &Message{SeqNum: 1, Items: []string{"UID", "MODSEQ"}, UID: 3, ModSeq: 12345}, rule: LenientModSeqBare, off: 24},
	{name: "STATUS name with spaces", in: "* STATUS Old Mail 2019 (MESSAGES 3 UNSEEN 0)",
		want: &Status{Mailbox: Mailbox{Name: "Old Mail 2019", Raw: "Old Mail 2019"}, Messages: u32(3), Unseen: u32(0)}, rule: LenientStatusSpacedName, off: 13},
	{name: "partial echoed with its length", in: "* 1 FETCH (BODY[TEXT]<0.5> {5}\r\nhello)",
		want: &Message{SeqNum: 1, Items: []string{"BODY[TEXT]"}, Sections: []BodySectionItem{section("BODY", Section{Specifier: "TEXT"}, 0, "hello")}}, rule: LenientPartialLength, off: 23},
	{name: "64-bit HIGHESTMODSEQ", in: "* OK [HIGHESTMODSEQ 18446744073709551615] Highest",
		want: &StatusResponse{Type: OK, Code: &Code{Name: "HIGHESTMODSEQ", Args: "18446744073709551615", ModSeq: 18446744073709551615}, Text: "Highest"}, rule: LenientNumber64, off: 20},
	{name: "64-bit MODSEQ", in: "* 1 FETCH (MODSEQ (18446744073709551615))",
		want: &Message{SeqNum: 1, Items: []string{"MODSEQ"}, ModSeq: 18446744073709551615}, rule: LenientNumber64, off: 19},
	{name: "64-bit DELETED-STORAGE", in: "* STATUS INBOX (DELETED-STORAGE 18446744073709551615)",
		want: &Status{Mailbox: Mailbox{Name: "INBOX", Raw: "INBOX"}, Other: map[string]uint64{"DELETED-STORAGE": 18446744073709551615}}, rule: LenientNumber64, off: 32},
	{name: "ESEARCH key without value", in: `* ESEARCH (TAG "A1") UID COUNT 2 MIN`,
		want: &ESearch{Tag: "A1", UID: true, Count: u32(2), Malformed: []MalformedItem{{Name: "MIN", Err: "SP search-return-value"}}}, rule: LenientESearchRaw, off: 36},
	{name: "ESEARCH word for a number", in: `* ESEARCH (TAG "A1") MIN x COUNT 3`,
		want: &ESearch{Tag: "A1", Count: u32(3), Malformed: []MalformedItem{{Name: "MIN", Value: wire.Value{Kind: wire.KindAtom, Text: "x"}, Err: "number"}}}, rule: LenientESearchRaw, off: 25},
	{name: "ESEARCH stray list", in: `* ESEARCH (TAG "A1") (1 2) COUNT 3`,
		want: &ESearch{Tag: "A1", Count: u32(3), Malformed: []MalformedItem{{Value: wire.Value{Kind: wire.KindList, List: []wire.Value{{Kind: wire.KindNumber, Text: "1"}, {Kind: wire.KindNumber, Text: "2"}}}, Err: "search-modifier-name"}}},
		rule: LenientESearchRaw, off: 21},
	{name: "negative body-fld-octets", in: `* 1 FETCH (BODY ("text" "plain" NIL NIL NIL "7bit" -1 2))`,
		want: &Message{SeqNum: 1, Items: []string{"BODY"}, BodyStructure: &BodyStructure{Type: "text", Subtype: "plain", Encoding: "7bit", Lines: 2}}, rule: LenientBodyNumber, off: 51},
}

func TestDeviations(t *testing.T) {
	for _, d := range deviations {
		t.Run(d.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(d.in+"\r\n"), nil)
			got, err := r.ReadResponse()
			if err != nil {
				t.Fatalf("lenient: %v", err)
			}
			if diff := cmp.Diff(d.want, got, cmpOpts...); diff != "" {
				t.Errorf("lenient (-want +got):\n%s", diff)
			}
			if l := r.Leniencies(); d.rule != "" && (len(l) == 0 || l[0] != d.rule) {
				t.Errorf("Leniencies() = %v, want %v first", l, d.rule)
			}
			r = NewReader(strings.NewReader(d.in+"\r\n"), &Options{Strict: true})
			got, err = r.ReadResponse()
			var se *wire.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("strict: %#v, %v; want a *wire.SyntaxError", got, err)
			}
			if se.Offset != d.off {
				t.Errorf("strict: error at %d, want %d: %v", se.Offset, d.off, err)
			}
			if l := r.Leniencies(); l != nil {
				t.Errorf("strict: Leniencies() = %v", l)
			}
		})
	}
}

// TestInternalDateNIL: INTERNALDATE NIL leniently has no Time, Raw "NIL"
// and an Err matching ErrDateNIL; strictly it is refused.
func TestInternalDateNIL(t *testing.T) {
	const in = "* 1 FETCH (INTERNALDATE NIL UID 2)\r\n"
	r := NewReader(strings.NewReader(in), nil)
	got, err := r.ReadResponse()
	if err != nil {
		t.Fatal(err)
	}
	m := got.(*Message)
	if !m.InternalDate.IsZero() || m.InternalDateRaw != "NIL" || !errors.Is(m.InternalDateErr, ErrDateNIL) || m.UID != 2 {
		t.Errorf("got %v %q %v UID %d", m.InternalDate, m.InternalDateRaw, m.InternalDateErr, m.UID)
	}
	if l := r.Leniencies(); len(l) != 1 || l[0] != LenientInternalDateNIL {
		t.Errorf("Leniencies() = %v", l)
	}
	r = NewReader(strings.NewReader(in), &Options{Strict: true})
	_, err = r.ReadResponse()
	var se *wire.SyntaxError
	if !errors.As(err, &se) || se.Offset != 24 {
		t.Errorf("strict: %v, want a syntax error at 24", err)
	}
}
