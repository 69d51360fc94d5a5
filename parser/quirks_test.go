package parser

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/imapwire/imapwire/wire"
)

// errSyntax in a quirk's want list stands for a *wire.SyntaxError.
type errSyntax struct{}

func (errSyntax) ResponseType() string { return "syntax error" }

// A quirk is a byte string a real server sent that broke some parser
// (docs/anchors section 3), with what the lenient Reader makes of it.
type quirk struct {
	server string // who sends it
	source string // where it was reported
	in     string // the bytes, line ends included
	want   []Response
	// strictOK says strict mode accepts the bytes too, because they are
	// within the grammar (the bug was in the parser that failed); the
	// reason is the comment. Otherwise strict mode must report a
	// *wire.SyntaxError.
	strictOK string
}

var gmailReportEnvelope = &Envelope{
	Date: "Sat, 3 Jan 2015 19:26:15 +0100", Subject: "Re: MPG",
	From:      []Address{{Name: "c p", Mailbox: "---.---87", Host: "gmail.com"}},
	Sender:    []Address{{Name: "c p", Mailbox: "---.---87", Host: "gmail.com"}},
	ReplyTo:   []Address{{Name: "c p", Mailbox: "---.---87", Host: "gmail.com"}},
	To:        []Address{{Name: "am sa[cft]", Mailbox: "sm", Host: "cft.ce.fr"}},
	InReplyTo: "<D3CAD328B4CFD24E83DD07E8923DFEE902FA8F1B@PRDGCE8P4523.sigce.ce.fr>",
	MessageID: "<D4A-8A32-4DC3-AC6C-98429154@gmail.com>",
}

var quirks = []quirk{
	{server: "Outlook/Exchange", source: "go-imap#540", in: "* STATUS Inbox (MESSAGES 1) \r\n",
		want: []Response{&Status{Mailbox: Mailbox{Name: "INBOX", Raw: "Inbox"}, Messages: u32(1)}}},
	{server: "Apple-style (XAPPLEPUSHSERVICE)", source: "go-imap#571",
		in:   "* CAPABILITY IMAP4 IMAP4rev1 XLIST MOVE IDLE XAPPLEPUSHSERVICE NAMESPACE CHILDREN ID UIDPLUS \r\n",
		want: []Response{&Capability{Caps: []string{"IMAP4", "IMAP4rev1", "XLIST", "MOVE", "IDLE", "XAPPLEPUSHSERVICE", "NAMESPACE", "CHILDREN", "ID", "UIDPLUS"}}}},
	{server: "David.fx", source: "MailKit#422", in: "* SEARCH 28219 29170 29200 29242 29352 \r\n",
		want: []Response{&Search{Nums: []uint32{28219, 29170, 29200, 29242, 29352}}}},
	{server: "iCloud", source: "go-imap#500, #502", in: "* OK [UIDVALIDITY 1]\r\n* OK [UIDNEXT 4]\r\n",
		want: []Response{
			&StatusResponse{Type: OK, Code: &Code{Name: "UIDVALIDITY", Args: "1", Number: 1}},
			&StatusResponse{Type: OK, Code: &Code{Name: "UIDNEXT", Args: "4", Number: 4}},
		}},
	{server: "iCloud", source: "ruby/net-imap#229, #230", in: "* BYE\r\n",
		want: []Response{&StatusResponse{Type: BYE}}},
	{server: "Gmail", source: "modern-email/defects#28", in: "* OK [HIGHESTMODSEQ 90060115205545359]\r\n",
		want: []Response{&StatusResponse{Type: OK, Code: &Code{Name: "HIGHESTMODSEQ", Args: "90060115205545359", ModSeq: 90060115205545359}}}},
	{server: "ppops.net", source: "mscdex/node-imap#537", in: "A6 OK\r\n",
		want: []Response{&StatusResponse{Tag: "A6", Type: OK}}},
	{server: "163 / qiye.163.com", source: "go-imap#659",
		in: `* 150 FETCH (UID 1733220355 INTERNALDATE "10-Dec-2024 15:11:12 +0800" FLAGS (\Seen) ` +
			`ENVELOPE ("Tue, 10 Dec 2024 10:49:37 +0800" "=?UTF-8?B?MjE1NDk3MzU1MA==?=" ((NIL NIL "PLEASE-No-Reply-IRIS-4" "XXXX.COM")) ((NIL NIL "edith.test" "oocl.com")) NIL ((NIL NIL "OP-XXXX" "YYYY.COM")) NIL NIL NIL "<20241210104938.537cd90c@smtp.qiye.163.com>") ` +
			`BODY (("text" "html" ("charset" "UTF-8") NIL NIL "quoted-printable" 1224 16)("application" "octet-stream" ("name" "2154973550.pdf") NIL """" "base64" 65322) "MIXED"))` + "\r\n",
		want: []Response{&Message{SeqNum: 150, Items: []string{"UID", "INTERNALDATE", "FLAGS", "ENVELOPE", "BODY"}, UID: 1733220355,
			InternalDate: time.Date(2024, 12, 10, 15, 11, 12, 0, zone(8, 0)), Flags: []string{`\Seen`},
			Envelope: &Envelope{Date: "Tue, 10 Dec 2024 10:49:37 +0800", Subject: "=?UTF-8?B?MjE1NDk3MzU1MA==?=",
				From: []Address{{Mailbox: "PLEASE-No-Reply-IRIS-4", Host: "XXXX.COM"}}, Sender: []Address{{Mailbox: "edith.test", Host: "oocl.com"}},
				To: []Address{{Mailbox: "OP-XXXX", Host: "YYYY.COM"}}, MessageID: "<20241210104938.537cd90c@smtp.qiye.163.com>"},
			BodyStructure: &BodyStructure{Type: "multipart", Subtype: "MIXED", Parts: []*BodyStructure{
				{Type: "text", Subtype: "html", Params: Params{{"charset", "UTF-8"}}, Encoding: "quoted-printable", Size: 1224, Lines: 16},
				// The Content-Description was `""`: the unescaped inner
				// quotes are kept because the quote after them is not
				// followed by a delimiter.
				{Type: "application", Subtype: "octet-stream", Params: Params{{"name", "2154973550.pdf"}}, Description: `""`, Encoding: "base64", Size: 65322},
			}}}}},
	{server: "unknown", source: "IMAPClient#288", in: `* 1 FETCH (BODY ("TEXT" "PLAIN" ("charset " " "utf-8"") NIL NIL "7BIT" 10 1))` + "\r\n",
		// Read as the attribute `charset ` with the value ` "utf-8"`: a
		// DQUOTE closes a string only when a delimiter follows it.
		want: []Response{&Message{SeqNum: 1, Items: []string{"BODY"}, BodyStructure: &BodyStructure{
			Type: "TEXT", Subtype: "PLAIN", Params: Params{{"charset ", ` "utf-8"`}}, Encoding: "7BIT", Size: 10, Lines: 1}}}},
	{server: "QQ (imap.qq.com)", source: "jakartaee/mail-api#209", in: "* 11487 FETCH (UID 19436 )\r\n",
		want: []Response{&Message{SeqNum: 11487, Items: []string{"UID"}, UID: 19436}}},
	{server: "mail.ru", source: "go-imap#557",
		in: `* 3 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 10 1 NIL NIL NIL)` +
			`("message" "delivery-status" () NIL NIL "7bit" 340 NIL NIL NIL)` +
			`("message" "rfc822" () NIL NIL "7bit" 1000 NIL NIL NIL) "report" ("report-type" "delivery-status") NIL NIL))` + "\r\n",
		want: []Response{&Message{SeqNum: 3, Items: []string{"BODYSTRUCTURE"}, BodyStructure: &BodyStructure{
			Type: "multipart", Subtype: "report", Params: Params{{"report-type", "delivery-status"}}, Extended: true,
			Parts: []*BodyStructure{
				{Type: "text", Subtype: "plain", Params: Params{{"charset", "utf-8"}}, Encoding: "7bit", Size: 10, Lines: 1, Extended: true},
				{Type: "message", Subtype: "delivery-status", Params: Params{}, Encoding: "7bit", Size: 340, Extended: true},
				// No envelope, body or lines: what follows the size is
				// extension data.
				{Type: "message", Subtype: "rfc822", Params: Params{}, Encoding: "7bit", Size: 1000, Extended: true},
			}}}}},
	{server: "mail.ru", source: "go-imap#557", in: `* 4 FETCH (BODY ("message" "rfc822" NIL NIL NIL "7bit" 1000))` + "\r\n",
		want: []Response{&Message{SeqNum: 4, Items: []string{"BODY"}, BodyStructure: &BodyStructure{
			Type: "message", Subtype: "rfc822", Encoding: "7bit", Size: 1000}}}},
	{server: "server-side fallback (sora)", source: "migadu/alps#45", in: `* 5 FETCH (BODYSTRUCTURE ("text" "plain" NIL NIL NIL "7bit" 1234 NIL NIL NIL NIL))` + "\r\n",
		want: []Response{&Message{SeqNum: 5, Items: []string{"BODYSTRUCTURE"}, BodyStructure: &BodyStructure{
			Type: "text", Subtype: "plain", Encoding: "7bit", Size: 1234, Extended: true}}}},
	{server: "various", source: "modern-email/defects#41", in: `* 6 FETCH (BODY ("text" "plain" ("charset" "us-ascii") NIL NIL NIL 12 1))` + "\r\n",
		want: []Response{&Message{SeqNum: 6, Items: []string{"BODY"}, BodyStructure: &BodyStructure{
			Type: "text", Subtype: "plain", Params: Params{{"charset", "us-ascii"}}, Size: 12, Lines: 1}}}},
	{server: "Gmail", source: "MailKit#1841",
		in: `* 51 FETCH (MODSEQ (18812) BODY (("TEXT" "PLAIN" ("CHARSET" "windows-1252") NIL NIL "QUOTED-PRINTABLE" 211 5)` +
			`("MESSAGE" "DELIVERY-STATUS" NIL NIL NIL "7BIT" 344)("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 2942 ` +
			`("Sat, 3 Jan 2015 19:26:15 +0100" "Re: MPG" (("c p" NIL "---.---87" "gmail.com")) (("c p" NIL "---.---87" "gmail.com")) (("c p" NIL "---.---87" "gmail.com")) (("am sa[cft]" NIL "sm" "cft.ce.fr")) NIL NIL "<D3CAD328B4CFD24E83DD07E8923DFEE902FA8F1B@PRDGCE8P4523.sigce.ce.fr>" "<D4A-8A32-4DC3-AC6C-98429154@gmail.com>") ` +
			`("ALTERNATIVE") 51) "REPORT"))` + "\r\n",
		want: []Response{&Message{SeqNum: 51, Items: []string{"MODSEQ", "BODY"}, ModSeq: 18812, BodyStructure: &BodyStructure{
			Type: "multipart", Subtype: "REPORT", Parts: []*BodyStructure{
				{Type: "TEXT", Subtype: "PLAIN", Params: Params{{"CHARSET", "windows-1252"}}, Encoding: "QUOTED-PRINTABLE", Size: 211, Lines: 5},
				{Type: "MESSAGE", Subtype: "DELIVERY-STATUS", Encoding: "7BIT", Size: 344},
				{Type: "MESSAGE", Subtype: "RFC822", Encoding: "7BIT", Size: 2942, Envelope: gmailReportEnvelope, Lines: 51,
					// ("ALTERNATIVE") is an empty multipart/alternative.
					Body: &BodyStructure{Type: "multipart", Subtype: "ALTERNATIVE"}},
			}}}}},
	{server: "Gmail", source: "MailKit#205 (empty multipart with extension data)",
		in: `* 9 FETCH (BODYSTRUCTURE (("ALTERNATIVE" ("BOUNDARY" "==alternative_xad5934455aeex") NIL NIL)` +
			`("TEXT" "HTML" ("CHARSET" "iso-8859-1" "NAME" "seti_letter.html") NIL NIL "7BIT" 6769 171 NIL NIL NIL) ` +
			`"ALTERNATIVE" ("BOUNDARY" "==alternative_xad5934455aeex") NIL NIL))` + "\r\n",
		want: []Response{&Message{SeqNum: 9, Items: []string{"BODYSTRUCTURE"}, BodyStructure: &BodyStructure{
			Type: "multipart", Subtype: "ALTERNATIVE", Params: Params{{"BOUNDARY", "==alternative_xad5934455aeex"}}, Extended: true,
			Parts: []*BodyStructure{
				{Type: "multipart", Subtype: "ALTERNATIVE", Params: Params{{"BOUNDARY", "==alternative_xad5934455aeex"}}, Extended: true},
				{Type: "TEXT", Subtype: "HTML", Params: Params{{"CHARSET", "iso-8859-1"}, {"NAME", "seti_letter.html"}}, Encoding: "7BIT", Size: 6769, Lines: 171, Extended: true},
			}}}}},
	{server: "Exchange 2013", source: "ruby/net-imap#250", in: "[COPYUID 124 10 233]\r\n",
		want: []Response{&StatusResponse{Type: OK, Code: &Code{Name: "COPYUID", Args: "124 10 233", Number: 124, Set: seqSet("10"), Dest: seqSet("233")}}}},
	{server: "Office 365", source: "ruby/net-imap#597",
		in: `RUBY0001 OK [Error="Microsoft.Exchange.Data.Storage.WrongServerException:Cross Server access is not allowed [Server=AM0PR01MB1234]" ` +
			`AuthResultFromPopImapEnd=0 Proxy=AM0PR01MB5678.eurprd01.prod.exchangelabs.com:1993:SSL] AUTHENTICATE completed.` + "\r\n",
		// The code's name is the atom before the quote; the rest, with
		// the "]" inside the quoted string, is kept raw.
		want: []Response{&StatusResponse{Tag: "RUBY0001", Type: OK, Code: &Code{Name: "ERROR=",
			Args: `"Microsoft.Exchange.Data.Storage.WrongServerException:Cross Server access is not allowed [Server=AM0PR01MB1234]" AuthResultFromPopImapEnd=0 Proxy=AM0PR01MB5678.eurprd01.prod.exchangelabs.com:1993:SSL`},
			Text: "AUTHENTICATE completed."}}},
	{server: "Purelymail", source: "go-imap#749 (bytes reconstructed: the UID set of the command echoed)", in: "* OK [COPYUID 1719241227 1:* 4243:4247] Moved\r\n",
		want: []Response{&StatusResponse{Type: OK, Code: &Code{Name: "COPYUID", Args: "1719241227 1:* 4243:4247", Number: 1719241227,
			Set: wire.SeqSet{{Start: 1, Stop: 0}}, Dest: seqSet("4243:4247")}, Text: "Moved"}}},
	{server: "Zimbra", source: "ruby/net-imap#2", in: "* NOOP\r\n",
		want:     []Response{&Unknown{Name: "NOOP"}},
		strictOK: "an unknown untagged response is kept raw in both modes, as RFC 3501's own * XPIG-LATIN example needs"},
	{server: "wp.pl", source: "jonhoo/rust-imap#210", in: "a4 BYE IMAP4rev1 Server logging out\r\n",
		want: []Response{&StatusResponse{Tag: "a4", Type: BYE, Text: "IMAP4rev1 Server logging out"}}},
	{server: "StartMail", source: "go-imap#639", in: "* LIST (\\HasNoChildren) \".\" Special#Hash\r\n* LIST (\\HasNoChildren \\Marked) \".\" [Special]\r\n",
		want: []Response{
			&List{Command: "LIST", Attrs: []string{`\HasNoChildren`}, Delim: ".", Mailbox: Mailbox{Name: "Special#Hash", Raw: "Special#Hash"}},
			&List{Command: "LIST", Attrs: []string{`\HasNoChildren`, `\Marked`}, Delim: ".", Mailbox: Mailbox{Name: "[Special]", Raw: "[Special]"}},
		},
		strictOK: `"#" and "[" are ATOM-CHARs and "]" an ASTRING-CHAR: both names are valid astrings`},
	{server: "various", source: "ReadLooseAString", in: "* LIST () \"/\" 100%\\*\r\n",
		want: []Response{&List{Command: "LIST", Delim: "/", Mailbox: Mailbox{Name: `100%\*`, Raw: `100%\*`}}}},
	{server: "public-inbox", source: "modern-email/defects#7", in: "+\r\n",
		want: []Response{&Continuation{}}},
	{server: "Gmail", source: "MailKit#371",
		in: `* 56697 FETCH (X-GM-THRID 1483734403390586493 X-GM-MSGID 1483734403390586493 X-GM-LABELS ("\\Sent") UID 61186 MODSEQ (10677203) FLAGS (\Seen))` + "\r\n",
		want: []Response{&Message{SeqNum: 56697, Items: []string{"X-GM-THRID", "X-GM-MSGID", "X-GM-LABELS", "UID", "MODSEQ", "FLAGS"},
			GmailThrID: 1483734403390586493, GmailMsgID: 1483734403390586493, GmailLabels: []string{`\Sent`}, UID: 61186, ModSeq: 10677203, Flags: []string{`\Seen`}}},
		strictOK: "msg-att items may come in any order"},
	{server: "Tencent", source: "go-imap#435 (the greeting text as an IMAP server would send it)",
		in:   "* OK XMail Server v1.0 Service Ready\xef\xbc\x88XMail v1.0\xef\xbc\x89\r\n",
		want: []Response{&StatusResponse{Type: OK, Text: "XMail Server v1.0 Service Ready\uff08XMail v1.0\uff09"}}},
	{server: "Tencent (POP3 port)", source: "go-imap#435 (the bytes reported: a POP3 greeting)",
		in:       "+OK XMail POP3 Server v1.0 Service Ready\xef\xbc\x88XMail v1.0\xef\xbc\x89\r\n",
		want:     []Response{errSyntax{}},
		strictOK: "not IMAP at all: a syntax error at offset 1 in both modes"},
	{server: "mail.xwtec.cn", source: "modern-email/defects#52", in: "* OK [UIDVALIDITY 0] UIDs valid\r\n",
		want: []Response{&StatusResponse{Type: OK, Code: &Code{Name: "UIDVALIDITY", Args: "0"}, Text: "UIDs valid"}}},
	{server: "163", source: "modern-email/defects#15", in: "* STATUS \"INBOX\" ()\r\n",
		want:     []Response{&Status{Mailbox: Mailbox{Name: "INBOX", Raw: "INBOX"}}},
		strictOK: `RFC 3501 has "(" [status-att-list] ")": the empty list is valid`},
	{server: "various", source: "bare LF line ends", in: "* 1 EXISTS\n* 1 FETCH (BODY[] {2}\nhi UID 7)\nA1 OK done\n",
		want: []Response{
			&Exists{Num: 1},
			&Message{SeqNum: 1, Items: []string{"BODY[]", "UID"}, UID: 7, Sections: []BodySectionItem{section("BODY", Section{}, -1, "hi")}},
			&StatusResponse{Tag: "A1", Type: OK, Text: "done"},
		}},
	{server: "various", source: "FETCH items in any order", in: "* 1 FETCH (BODY[] {2}\r\nhi FLAGS (\\Seen) UID 7)\r\n",
		want:     []Response{&Message{SeqNum: 1, Items: []string{"BODY[]", "FLAGS", "UID"}, UID: 7, Flags: []string{`\Seen`}, Sections: []BodySectionItem{section("BODY", Section{}, -1, "hi")}}},
		strictOK: "msg-att items may come in any order"},
	{server: "Office 365", source: "Webklex/php-imap#258", in: "+ IDLE accepted, awaiting DONE command.\r\n* 5 EXISTS\r\n",
		want:     []Response{&Continuation{Text: "IDLE accepted, awaiting DONE command."}, &Exists{Num: 5}},
		strictOK: "untagged data may come at any time"},
	{server: "Exchange", source: "imapflow lib/handler/parser-instance.js", in: "Server Unavailable. 15\r\n* BYE\r\n",
		// No tag, no condition: nothing to type. A syntax error, and the
		// stream goes on with the next line.
		want: []Response{errSyntax{}, &StatusResponse{Type: BYE}}},
	{server: "various", source: `"()" where NIL is expected`, in: `* 1 FETCH (ENVELOPE (() () () () () () () () () ()))` + "\r\n",
		want: []Response{&Message{SeqNum: 1, Items: []string{"ENVELOPE"}, Envelope: &Envelope{}}}},
	{server: "Gmail", source: "swift-nio-imap PR #738 (labels as keywords)",
		in: "* FLAGS (\\Seen OIB-Seen-[Gmail]/Spam $Junk)\r\n* 3 FETCH (FLAGS (\\Seen OIB-Seen-[Gmail]/Trash))\r\n",
		want: []Response{
			&Flags{Flags: []string{`\Seen`, "OIB-Seen-[Gmail]/Spam", "$Junk"}},
			&Message{SeqNum: 3, Items: []string{"FLAGS"}, Flags: []string{`\Seen`, "OIB-Seen-[Gmail]/Trash"}},
		}},
	{server: "a Maildir server with an INBOX. namespace (imapwire issue 14)", source: "GETQUOTAROOT INBOX on an account without a quota",
		in:   "* QUOTA \"ROOT\"\r\n", // after * QUOTAROOT "INBOX" "ROOT"
		want: []Response{&Quota{Root: "ROOT", Resources: []QuotaResource{}}}},
	{server: "various", source: "doubled SP (Outlook)", in: "* 2 FETCH (UID 7  FLAGS  (\\Seen))\r\n",
		want: []Response{&Message{SeqNum: 2, Items: []string{"UID", "FLAGS"}, UID: 7, Flags: []string{`\Seen`}}}},
	{server: "Exchange (modern-email/defects#27)", source: "go-imap#534 (the bytes reported, cut after BODY)",
		in: `* 32 FETCH (UID 389 RFC822.SIZE 27824 BODY (("text" "plain" NIL NIL NIL "7bit" 155 1)("message" "feedback-report" NIL NIL NIL "7bit" 141)` +
			`("message" "rfc822" NIL NIL NIL "8bit" 0 ("Thu, 8 Jun 2023 11:37:19 +0200" "=?utf-8?... =?utf-8?Q?023@ID61326?=" ` +
			`(("{.eml From}" NIL "{.eml From local part}" "{.eml From domain}")) ((NIL NIL "{.eml Sender local part}" "{.eml Sender domain}")) NIL NIL NIL NIL NIL "<{.eml messageID}>") ` +
			`("multipart" "parallel" ("boundary" "_90b3ff09-0c78-477e-ac01-677ba1271137_") NIL NIL "7BIT" -1) 0) "report"))` + "\r\n",
		// body-fld-octets -1 (of a multipart sent as a single part) is
		// read as 0, as imap-codec rectifies it.
		want: []Response{&Message{SeqNum: 32, Items: []string{"UID", "RFC822.SIZE", "BODY"}, UID: 389, Size: 27824, BodyStructure: &BodyStructure{
			Type: "multipart", Subtype: "report", Parts: []*BodyStructure{
				{Type: "text", Subtype: "plain", Encoding: "7bit", Size: 155, Lines: 1},
				{Type: "message", Subtype: "feedback-report", Encoding: "7bit", Size: 141},
				{Type: "message", Subtype: "rfc822", Encoding: "8bit", Envelope: &Envelope{
					Date: "Thu, 8 Jun 2023 11:37:19 +0200", Subject: "=?utf-8?... =?utf-8?Q?023@ID61326?=",
					From:      []Address{{Name: "{.eml From}", Mailbox: "{.eml From local part}", Host: "{.eml From domain}"}},
					Sender:    []Address{{Mailbox: "{.eml Sender local part}", Host: "{.eml Sender domain}"}},
					MessageID: "<{.eml messageID}>"},
					Body: &BodyStructure{Type: "multipart", Subtype: "parallel", Params: Params{{"boundary", "_90b3ff09-0c78-477e-ac01-677ba1271137_"}}, Encoding: "7BIT"}},
			}}}}},
	{server: "Dovecot (by imap-codec's account)", source: "modern-email/defects#27 (bytes reconstructed: body-fld-lines -1)",
		in: `* 2 FETCH (BODY ("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 1234 -1))` + "\r\n",
		want: []Response{&Message{SeqNum: 2, Items: []string{"BODY"}, BodyStructure: &BodyStructure{
			Type: "text", Subtype: "plain", Params: Params{{"charset", "utf-8"}}, Encoding: "7bit", Size: 1234}}}},
	{server: "SmarterMail", source: "MailKit#385 (the part reported, alone)",
		in: `* 3 FETCH (BODYSTRUCTURE ("text" "plain" NIL NIL NIL "7bit" -2 0 NIL NIL NIL))` + "\r\n",
		want: []Response{&Message{SeqNum: 3, Items: []string{"BODYSTRUCTURE"}, BodyStructure: &BodyStructure{
			Type: "text", Subtype: "plain", Encoding: "7bit", Extended: true}}}},
}

func parseQuirk(in string, strict bool) []Response {
	r := NewReader(strings.NewReader(in), &Options{Strict: strict})
	var out []Response
	for {
		resp, err := r.ReadResponse()
		if err == io.EOF {
			return out
		}
		var se *wire.SyntaxError
		if errors.As(err, &se) {
			out = append(out, errSyntax{})
			continue
		}
		if err != nil {
			return append(out, &Unknown{Name: "ERROR", Text: err.Error()})
		}
		out = append(out, resp)
	}
}

func TestQuirks(t *testing.T) {
	for _, q := range quirks {
		t.Run(q.server+"/"+q.source, func(t *testing.T) {
			got := parseQuirk(q.in, false)
			if diff := cmp.Diff(q.want, got, cmpOpts...); diff != "" {
				t.Errorf("lenient %q (-want +got):\n%s", q.in, diff)
			}
			strict := parseQuirk(q.in, true)
			if q.strictOK != "" {
				if diff := cmp.Diff(q.want, strict, cmpOpts...); diff != "" {
					t.Errorf("strict %q (-want +got):\n%s", q.in, diff)
				}
				return
			}
			if len(strict) == 0 || strict[0] != (errSyntax{}) {
				t.Errorf("strict %q: got %#v first, want a *wire.SyntaxError", q.in, strict)
			}
		})
	}
}

// quirksCorpus is the path of the quirk corpus for the fuzzers.
var quirksCorpus = filepath.Join("..", "testdata", "quirks", "quirks.txt")

// TestQuirksCorpus checks that testdata/quirks/quirks.txt holds the bytes
// of every quirk that parses leniently without error, one response per
// line, and that it parses so; -update rewrites it from the table.
func TestQuirksCorpus(t *testing.T) {
	var b bytes.Buffer
	n := 0
	for _, q := range quirks {
		bad := false
		for _, w := range q.want {
			if w == (errSyntax{}) {
				bad = true
			}
		}
		if !bad {
			b.WriteString(q.in)
			n += len(q.want)
		}
	}
	if *update {
		if err := os.WriteFile(quirksCorpus, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(quirksCorpus)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b.String(), string(got)); diff != "" {
		t.Fatalf("%s is stale (run go test -update) (-want +got):\n%s", quirksCorpus, diff)
	}
	resps := parseQuirk(string(got), false)
	if len(resps) != n {
		t.Errorf("corpus: %d responses, want %d", len(resps), n)
	}
	for i, r := range resps {
		if r == (errSyntax{}) {
			t.Errorf("corpus response %d: syntax error", i)
		}
	}
}
