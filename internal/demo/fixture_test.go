package demo

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// The sample account, generated here and committed under testdata/demo:
// go test ./internal/demo -run TestFixture -update rewrites the files;
// without -update the test checks that they are what this code makes.

var update = flag.Bool("update", false, "rewrite the demo fixture in testdata/demo")

const fixtureDir = "../../testdata/demo"

// fixtureMailboxes: name, special use, subscribed.
var fixtureMailboxes = [][3]string{
	{"INBOX", "", "subscribed"},
	{"Work", "", "subscribed"},
	{"Work/Projects", "", "subscribed"},
	{"Travel", "", "subscribed"},
	{"Travel/台北", "", "subscribed"},
	{"Deleted Items", "", ""},
	{"Entwürfe", "", ""},
	{"Archive", `\Archive`, "subscribed"},
	{"[Gmail]/Sent Mail", `\Sent`, "subscribed"},
	{"[Gmail]/Drafts", `\Drafts`, "subscribed"},
	{"[Gmail]/Trash", `\Trash`, "subscribed"},
	{"[Gmail]/Spam", `\Junk`, ""},
}

type fixtureMsg struct {
	mailbox string
	flags   string
	date    string // INTERNALDATE
	text    []byte // with LF line ends; CRLF on disk
}

// crlf turns LF line ends into CRLF.
func crlf(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}

func encodeWith(enc encoding.Encoding, s string) []byte {
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

// bword returns an RFC 2047 B-encoded word of s in charset, s encoded
// with enc (nil for UTF-8).
func bword(charset string, enc encoding.Encoding, s string) string {
	b := []byte(s)
	if enc != nil {
		b = encodeWith(enc, s)
	}
	return "=?" + charset + "?B?" + base64.StdEncoding.EncodeToString(b) + "?="
}

func b64lines(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var out []string
	for len(s) > 76 {
		out = append(out, s[:76])
		s = s[76:]
	}
	return strings.Join(append(out, s), "\n")
}

// A tiny PNG (2x2 pixels) and a tiny PDF.
var (
	pngData, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8DAAMIQAgAc8gL+dHoKFwAAAABJRU5ErkJggg==")
	pdfData    = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
)

// The tutorial's nine messages (scripts/capture.py seeds Dovecot with the
// same ones, so the demo server's answers can be compared with Dovecot's
// captures in testdata/captures).
const msgPlain = `Return-Path: <alice@example.org>
Message-ID: <plain-1@example.org>
Date: Mon, 06 Jan 2020 09:15:00 +0100
From: Alice Example <alice@example.org>
To: Bob Example <bob@example.com>
Subject: Meeting tomorrow
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Hi Bob,

Can we meet tomorrow at 10:00 to go over something important?
The agenda is attached to the calendar invite.

Cheers,
Alice
`

const msgReply = `Message-ID: <reply-1@example.com>
In-Reply-To: <plain-1@example.org>
References: <plain-1@example.org>
Date: Mon, 06 Jan 2020 11:02:41 -0500
From: Bob Example <bob@example.com>
To: Alice Example <alice@example.org>
Cc: "Carol (Ops)" <carol@example.net>, dave@example.net
Subject: Re: Meeting tomorrow
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8; format=flowed
Content-Transfer-Encoding: quoted-printable

10:00 works for me. I'll book the small room =E2=80=93 the big one is taken.=
 See you there.

Bob

> Can we meet tomorrow at 10:00 to go over something important?
`

const msgAlternative = `Message-ID: <newsletter-2020-02@news.example.net>
Date: Tue, 04 Feb 2020 07:30:00 +0000
From: "Example News" <news@news.example.net>
Reply-To: No Reply <noreply@news.example.net>
Sender: bounces+1234@mailer.example.net
To: bob@example.com
Subject: Your February newsletter
MIME-Version: 1.0
List-Unsubscribe: <mailto:unsubscribe@news.example.net>
Content-Type: multipart/alternative; boundary="alt-boundary-42"

This is a multi-part message in MIME format.

--alt-boundary-42
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Welcome to the February issue =E2=80=94 three stories this month.
Read more at https://news.example.net/2020/02

--alt-boundary-42
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

<html><body><h1>February</h1><p>Welcome to the February issue =E2=80=94 thr=
ee stories this month.</p></body></html>

--alt-boundary-42--
`

var msgAttachment = fmt.Sprintf(`Message-ID: <report-q1@example.org>
Date: Fri, 03 Apr 2020 16:45:12 +0200
From: Alice Example <alice@example.org>
To: Bob Example <bob@example.com>, Team <team@example.org>
Subject: Q1 report with chart
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mixed-7f3a"

--mixed-7f3a
Content-Type: text/plain; charset=us-ascii

Please find the chart attached.

--mixed-7f3a
Content-Type: image/png; name="chart.png"
Content-Disposition: attachment; filename="chart.png"; size=73
Content-Transfer-Encoding: base64
Content-ID: <chart@example.org>
Content-Description: Q1 chart

%s
--mixed-7f3a
Content-Type: application/octet-stream; name="data.bin"
Content-Disposition: attachment; filename="data.bin"
Content-Transfer-Encoding: base64

%s
--mixed-7f3a--
`, base64.StdEncoding.EncodeToString(pngData), b64lines(func() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()))

const msgForward = `Message-ID: <fwd-1@example.com>
Date: Sat, 04 Apr 2020 08:00:00 +0000
From: Bob Example <bob@example.com>
To: Erin <erin@example.com>
Subject: Fwd: Meeting tomorrow
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="fwd-boundary"

--fwd-boundary
Content-Type: text/plain; charset=us-ascii

FYI, see the original below.

--fwd-boundary
Content-Type: message/rfc822
Content-Disposition: inline

Message-ID: <plain-1@example.org>
Date: Mon, 06 Jan 2020 09:15:00 +0100
From: Alice Example <alice@example.org>
To: Bob Example <bob@example.com>
Subject: Meeting tomorrow
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hi Bob,

Can we meet tomorrow at 10:00 to go over something important?

--fwd-boundary--
`

const msgEncoded = `Message-ID: <intl-1@example.cn>
Date: Sun, 10 May 2020 20:08:09 +0800
From: =?UTF-8?B?5byg5LiJ?= <zhang.san@example.cn>
To: =?UTF-8?Q?Caf=C3=A9_Owner?= <owner@cafe.example.fr>
Subject: =?UTF-8?B?5Lya6K6u6YCa55+l?= / =?GBK?B?suLK1NPKvP4=?=
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

大家好，

明天下午三点开会。Café at 15:00 — see you there.
`

var msgGBK = "Message-ID: <gbk-1@example.cn>\n" +
	"Date: Mon, 11 May 2020 09:00:00 +0800\n" +
	"From: =?GBK?B?wO7LxA==?= <li.si@example.cn>\n" +
	"To: bob@example.com\n" +
	"Subject: =?GBK?B?1tzN7Lvutq8=?=\n" + // as in scripts/capture.py, byte for byte

	"MIME-Version: 1.0\n" +
	"Content-Type: text/plain; charset=GBK\n" +
	"Content-Transfer-Encoding: 8bit\n" +
	"\n" +
	string(encodeWith(simplifiedchinese.GBK, "周末活动：周六上午十点在公园集合。\n"))

const msgGroup = `Message-ID: <bcc-1@example.org>
Date: Wed, 01 Jul 2020 12:00:00 -0700
From: "Alice Example" <alice@example.org>, Mallory <mallory@example.net>
Sender: Alice Example <alice@example.org>
To: undisclosed-recipients:;
Cc: Project Team: carol@example.net, "Dave D." <dave@example.net>;, frank@example.org
Bcc: secret@example.org
Subject: Announcement to a group
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

This message has an empty group in To and a non-empty group in Cc.
`

const msgMinimal = `From: robot@example.org
To: bob@example.com

ping
`

// simple returns a short text/plain message.
func simple(id, date, from, to, subject, body string) string {
	return fmt.Sprintf("Message-ID: <%s>\nDate: %s\nFrom: %s\nTo: %s\nSubject: %s\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n%s",
		id, date, from, to, subject, body)
}

// fixtureMessages returns every message of the sample account.
func fixtureMessages() []fixtureMsg {
	var out []fixtureMsg
	add := func(mailbox, flags, date, text string) {
		out = append(out, fixtureMsg{mailbox, flags, date, []byte(text)})
	}
	// INBOX: the tutorial's nine, then more.
	add("INBOX", `\Seen`, "06-Jan-2020 09:15:03 +0100", msgPlain)
	add("INBOX", `\Seen \Answered`, "06-Jan-2020 11:02:45 -0500", msgReply)
	add("INBOX", `$Newsletter`, "04-Feb-2020 07:30:05 +0000", msgAlternative)
	add("INBOX", `\Flagged $Important`, "03-Apr-2020 16:45:20 +0200", msgAttachment)
	add("INBOX", `\Seen $Forwarded`, "04-Apr-2020 08:00:01 +0000", msgForward)
	add("INBOX", ``, "10-May-2020 20:08:10 +0800", msgEncoded)
	add("INBOX", ``, "11-May-2020 09:00:02 +0800", msgGBK)
	add("INBOX", `\Seen`, "01-Jul-2020 12:00:03 -0700", msgGroup)
	add("INBOX", ``, "02-Jul-2020 00:00:00 +0000", msgMinimal)

	add("INBOX", `\Seen`, "12-Jul-2013 09:30:00 +0000", simple("apress-1@apress.example", "Fri, 12 Jul 2013 09:29:51 +0000",
		"Apress <news@apress.example>", "Bob Example <bob@example.com>", "New from Apress: Pro Python",
		"Dear reader,\n\nPro Python, second edition, is out this week.\n\nThe Apress team\n"))
	add("INBOX", ``, "14-Jul-2013 18:02:11 +0000", simple("apress-2@apress.example", "Sun, 14 Jul 2013 18:02:00 +0000",
		"Apress <news@apress.example>", "Bob Example <bob@example.com>", "Your Apress order has shipped",
		"Hello Bob,\n\nYour order #10452 (Beginning Python) has shipped.\nTrack it at https://apress.example/track/10452\n"))
	add("INBOX", `\Seen \Flagged`, "15-Jul-2013 08:00:00 +0200", simple("lunch-1@example.org", "Mon, 15 Jul 2013 07:59:40 +0200",
		"Alice Example <alice@example.org>", "Bob Example <bob@example.com>", "Lunch on Friday?",
		"Bob, lunch on Friday at the usual place?\n\nAlice\n"))
	add("INBOX", ``, "03-Mar-2021 10:15:00 +0100", simple("cafe-1@example.fr", "Wed, 03 Mar 2021 10:14:58 +0100",
		"=?UTF-8?Q?Fran=C3=A7oise_Durand?= <francoise@example.fr>", "bob@example.com",
		"=?UTF-8?Q?Caf=C3=A9_ce_soir_=3F?=",
		"Salut Bob,\n\nun café ce soir à 18 h ? Je connais un endroit près de la gare.\n\nFrançoise\n"))
	add("INBOX", ``, "15-Mar-2021 12:00:00 +0900", "Message-ID: <jp-1@example.jp>\nDate: Mon, 15 Mar 2021 12:00:00 +0900\n"+
		"From: "+bword("ISO-2022-JP", japanese.ISO2022JP, "山田太郎")+" <yamada@example.jp>\nTo: bob@example.com\n"+
		"Subject: "+bword("ISO-2022-JP", japanese.ISO2022JP, "会議の議事録")+"\nMIME-Version: 1.0\n"+
		"Content-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n"+
		string(encodeWith(japanese.ISO2022JP, "ボブさん\n\n会議の議事録を送ります。\n\n山田\n")))
	add("INBOX", ``, "20-Mar-2021 16:40:00 +0800", "Message-ID: <big5-1@example.tw>\nDate: Sat, 20 Mar 2021 16:40:00 +0800\n"+
		"From: "+bword("Big5", traditionalchinese.Big5, "陳小明")+" <chen@example.tw>\nTo: bob@example.com\n"+
		"Subject: "+bword("Big5", traditionalchinese.Big5, "台北旅遊行程")+"\nMIME-Version: 1.0\n"+
		"Content-Type: text/plain; charset=Big5\nContent-Transfer-Encoding: base64\n\n"+
		b64lines(encodeWith(traditionalchinese.Big5, "第一天：台北101，晚上逛士林夜市。\n第二天：故宮博物院。\n"))+"\n")
	add("INBOX", `\Seen`, "02-Apr-2021 09:00:00 +0000", fmt.Sprintf(`Message-ID: <invoice-1@shop.example>
Date: Fri, 02 Apr 2021 08:59:30 +0000
From: Example Shop <billing@shop.example>
To: Bob Example <bob@example.com>
Subject: Invoice 2021-0412
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="inv-3b1c"

--inv-3b1c
Content-Type: multipart/alternative; boundary="inv-alt-9d"

--inv-alt-9d
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Thank you for your order. Your invoice is attached (total =E2=82=AC 42.00).

--inv-alt-9d
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<p>Thank you for your order. Your invoice is attached (total &euro; 42.00).=
</p>

--inv-alt-9d--

--inv-3b1c
Content-Type: application/pdf; name="invoice-2021-0412.pdf"
Content-Disposition: attachment; filename="invoice-2021-0412.pdf"
Content-Transfer-Encoding: base64

%s
--inv-3b1c--
`, b64lines(pdfData)))
	add("INBOX", ``, "05-Apr-2021 14:30:00 +0200", fmt.Sprintf(`Message-ID: <related-1@example.de>
Date: Mon, 05 Apr 2021 14:29:00 +0200
From: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <juergen@example.de>
To: bob@example.com
Subject: =?ISO-8859-1?Q?Gr=FC=DFe_aus_M=FCnchen?=
MIME-Version: 1.0
Content-Type: multipart/related; boundary="rel-55"; type="text/html"

--rel-55
Content-Type: text/html; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

<p>Hallo Bob, viele Gr=FC=DFe aus M=FCnchen!</p><img src=3D"cid:logo@example.de">

--rel-55
Content-Type: image/png
Content-ID: <logo@example.de>
Content-Transfer-Encoding: base64
Content-Disposition: inline; filename="logo.png"

%s
--rel-55--
`, base64.StdEncoding.EncodeToString(pngData)))
	add("INBOX", `\Seen`, "08-Apr-2021 07:00:00 +0000", `Message-ID: <cal-1@example.org>
Date: Thu, 08 Apr 2021 06:59:59 +0000
From: Alice Example <alice@example.org>
To: Bob Example <bob@example.com>
Subject: Invitation: Sprint review
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="cal-b"

--cal-b
Content-Type: text/plain; charset=us-ascii

You are invited to the sprint review on Friday at 15:00.

--cal-b
Content-Type: text/calendar; charset=utf-8; method=REQUEST
Content-Disposition: attachment; filename*=UTF-8''sprint%20review.ics

BEGIN:VCALENDAR
VERSION:2.0
METHOD:REQUEST
BEGIN:VEVENT
UID:sprint-review-1@example.org
DTSTART:20210409T150000Z
SUMMARY:Sprint review
END:VEVENT
END:VCALENDAR

--cal-b--
`)
	add("INBOX", ``, "10-Apr-2021 11:11:11 +0000", `Message-ID: <long-1@example.org>
Date: Sat, 10 Apr 2021 11:11:00 +0000
From: "Mailing list" <list@lists.example.org>
To: bob@example.com
Subject: [imap-dev] A rather long subject line that is folded over two lines
 because it does not fit in seventy-eight characters
List-Id: IMAP developers <imap-dev.lists.example.org>
Content-Type: text/plain; charset=us-ascii

Folded headers are unfolded in the ENVELOPE.
`)
	add("INBOX", `\Deleted`, "11-Apr-2021 09:00:00 +0000", simple("spam-like-1@example.net", "Sun, 11 Apr 2021 08:59:00 +0000",
		"Prize Department <prize@example.net>", "bob@example.com", "You have won!",
		"Marked \\Deleted: EXPUNGE will remove this one.\n"))
	add("INBOX", `\Draft \Seen`, "12-Apr-2021 20:00:00 +0000", simple("draft-inbox-1@example.com", "Mon, 12 Apr 2021 20:00:00 +0000",
		"Bob Example <bob@example.com>", "Alice Example <alice@example.org>", "Notes (draft)",
		"A draft that ended up in INBOX.\n"))
	add("INBOX", `$Important`, "13-Apr-2021 06:30:00 -0400", simple("ceo-1@example.com", "Tue, 13 Apr 2021 06:29:00 -0400",
		"CEO <ceo@example.com>", "all@example.com", "All hands on Thursday",
		"Please join the all hands meeting on Thursday.\n"))
	add("INBOX", ``, "14-Apr-2021 10:00:00 +0000", simple("html-1@news.example.net", "Wed, 14 Apr 2021 09:59:00 +0000",
		"Example News <news@news.example.net>", "bob@example.com", "April newsletter",
		"April: five stories this month.\n"))
	add("INBOX", ``, "15-Apr-2021 10:00:00 +0000", `Message-ID: <digest-1@lists.example.org>
Date: Thu, 15 Apr 2021 09:59:00 +0000
From: "Mailing list" <list@lists.example.org>
To: bob@example.com
Subject: imap-dev digest, Vol 1, Issue 2
MIME-Version: 1.0
Content-Type: multipart/digest; boundary="dig"

--dig

From: carol@example.net
Subject: IDLE and NOOP

Does IDLE replace NOOP polling?

--dig

From: dave@example.net
Subject: Re: IDLE and NOOP

Mostly, yes.

--dig--
`)
	add("INBOX", ``, "16-Apr-2021 10:00:00 +0000", simple("utf8-raw-1@example.cn", "Fri, 16 Apr 2021 09:59:00 +0000",
		"Wang Wu <wang.wu@example.cn>", "bob@example.com", "=?UTF-8?B?5Y+w5YyX5aSp5rCU?=",
		"台北明天下雨，記得帶傘。\n"))
	add("INBOX", ``, "17-Apr-2021 10:00:00 +0000", simple("recent-1@example.org", "Sat, 17 Apr 2021 09:59:00 +0000",
		"Alice Example <alice@example.org>", "Bob Example <bob@example.com>", "Weekend plans",
		"Any plans for the weekend?\n"))

	// Other folders.
	add("Work", `\Seen`, "02-Mar-2020 10:00:00 +0000", simple("work-1@example.org", "Mon, 02 Mar 2020 10:00:00 +0000",
		"Boss <boss@example.org>", "bob@example.com", "Budget", "Please send the budget by Friday.\n"))
	add("Work", `\Seen \Answered`, "03-Mar-2020 09:00:00 +0000", simple("work-2@example.org", "Tue, 03 Mar 2020 08:59:00 +0000",
		"Carol <carol@example.net>", "Bob Example <bob@example.com>", "Re: Budget", "The numbers are in the shared sheet.\n"))
	add("Work", ``, "04-Mar-2020 15:00:00 +0000", simple("work-3@example.org", "Wed, 04 Mar 2020 14:59:00 +0000",
		"HR <hr@example.org>", "all@example.com", "Holiday calendar 2020", "The holiday calendar for 2020 is on the intranet.\n"))
	add("Work", `\Flagged`, "05-Mar-2020 11:00:00 +0000", simple("work-4@example.org", "Thu, 05 Mar 2020 10:59:00 +0000",
		"Boss <boss@example.org>", "bob@example.com", "Performance review", "Your review is scheduled for next Monday.\n"))
	add("Work", ``, "06-Mar-2020 17:45:00 +0000", simple("work-5@example.org", "Fri, 06 Mar 2020 17:44:00 +0000",
		"IT <it@example.org>", "all@example.com", "Password expiry", "Your password expires in 7 days.\n"))
	add("Work/Projects", ``, "03-Mar-2020 10:00:00 +0000", simple("proj-1@example.org", "Tue, 03 Mar 2020 10:00:00 +0000",
		"Carol <carol@example.net>", "bob@example.com", "Project kickoff", "Kickoff is on Monday.\n"))
	add("Work/Projects", `\Seen`, "10-Mar-2020 10:00:00 +0000", simple("proj-2@example.org", "Tue, 10 Mar 2020 10:00:00 +0000",
		"Carol <carol@example.net>", "bob@example.com", "Milestone 1 done", "Milestone 1 is done; milestone 2 starts now.\n"))
	add("Work/Projects", `\Seen $Important`, "17-Mar-2020 10:00:00 +0000", simple("proj-3@example.org", "Tue, 17 Mar 2020 10:00:00 +0000",
		"Dave <dave@example.net>", "bob@example.com", "Risks", "Two risks need an owner.\n"))
	add("Travel", `\Seen`, "01-Feb-2020 08:00:00 +0000", simple("trip-1@airline.example", "Sat, 01 Feb 2020 08:00:00 +0000",
		"Example Air <booking@airline.example>", "bob@example.com", "Your booking TPE-0231", "Frankfurt - Taipei, 12 May 2020, seat 42A.\n"))
	add("Travel", `\Seen`, "02-Feb-2020 08:00:00 +0000", simple("trip-2@hotel.example", "Sun, 02 Feb 2020 08:00:00 +0000",
		"Hotel Example <stay@hotel.example>", "bob@example.com", "Reservation confirmed", "Three nights from 12 May 2020.\n"))
	add("Travel", ``, "20-Apr-2020 08:00:00 +0000", simple("trip-3@airline.example", "Mon, 20 Apr 2020 08:00:00 +0000",
		"Example Air <booking@airline.example>", "bob@example.com", "Check-in is open", "Check in now for flight EA 231.\n"))
	add("Travel", `\Flagged`, "21-Apr-2020 08:00:00 +0000", simple("trip-4@example.org", "Tue, 21 Apr 2020 08:00:00 +0000",
		"Alice Example <alice@example.org>", "bob@example.com", "Visa documents", "Don't forget the visa documents.\n"))
	add("Travel/台北", `\Seen`, "12-May-2020 08:00:00 +0800", `Message-ID: <taipei-1@example.tw>
Date: Tue, 12 May 2020 08:00:00 +0800
From: travel@example.tw
To: bob@example.com
Subject: =?UTF-8?B?5Y+w5YyX6KGM56iL?=
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

5Y+w5YyXMTAx77yM5LiL5Y2I5LiJ6bue44CC
`)
	add("Travel/台北", ``, "13-May-2020 09:00:00 +0800", simple("taipei-2@example.tw", "Wed, 13 May 2020 09:00:00 +0800",
		"travel@example.tw", "bob@example.com", "=?UTF-8?B?5aSc5biC5o6o6Jam?=", "士林夜市，晚上七點見。\n"))
	add("Deleted Items", `\Seen`, "01-Jan-2020 00:00:00 +0000", simple("old-1@example.org", "Wed, 01 Jan 2020 00:00:00 +0000",
		"Alice Example <alice@example.org>", "bob@example.com", "Happy new year", "Happy new year!\n"))
	add("Deleted Items", `\Seen \Deleted`, "02-Jan-2020 00:00:00 +0000", simple("old-2@example.org", "Thu, 02 Jan 2020 00:00:00 +0000",
		"Newsletter <news@news.example.net>", "bob@example.com", "January newsletter", "January: two stories.\n"))
	add("Entwürfe", `\Draft`, "20-Feb-2020 18:00:00 +0100", simple("entwurf-1@example.com", "Thu, 20 Feb 2020 18:00:00 +0100",
		"Bob Example <bob@example.com>", "=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.de>",
		"=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=", "Hallo Jürgen,\n\n(unfertig)\n"))
	add("Archive", `\Seen`, "10-Oct-2019 10:00:00 +0000", simple("archive-1@example.org", "Thu, 10 Oct 2019 10:00:00 +0000",
		"Alice Example <alice@example.org>", "bob@example.com", "Old project notes", "Notes from the 2019 project.\n"))
	add("Archive", `\Seen \Answered`, "11-Oct-2019 10:00:00 +0000", simple("archive-2@example.org", "Fri, 11 Oct 2019 10:00:00 +0000",
		"Dave <dave@example.net>", "bob@example.com", "Re: Old project notes", "Thanks, filed.\n"))
	add("[Gmail]/Sent Mail", `\Seen`, "06-Jan-2020 11:02:46 -0500", msgReply)
	add("[Gmail]/Sent Mail", `\Seen`, "04-Apr-2020 08:00:02 +0000", msgForward)
	add("[Gmail]/Sent Mail", `\Seen`, "03-Mar-2020 08:59:01 +0000", simple("work-2@example.org", "Tue, 03 Mar 2020 08:59:00 +0000",
		"Bob Example <bob@example.com>", "Carol <carol@example.net>", "Re: Budget", "Thanks Carol.\n"))
	add("[Gmail]/Sent Mail", `\Seen`, "15-Jul-2013 08:05:00 +0200", simple("lunch-2@example.com", "Mon, 15 Jul 2013 08:05:00 +0200",
		"Bob Example <bob@example.com>", "Alice Example <alice@example.org>", "Re: Lunch on Friday?", "Sure, see you there.\n"))
	add("[Gmail]/Drafts", `\Draft`, "07-Jan-2020 08:00:00 +0000", simple("draft-1@example.com", "Tue, 07 Jan 2020 08:00:00 +0000",
		"Bob Example <bob@example.com>", "alice@example.org", "(draft) notes", "unfinished\n"))
	add("[Gmail]/Trash", `\Seen`, "03-Jan-2020 00:00:00 +0000", simple("trash-1@example.org", "Fri, 03 Jan 2020 00:00:00 +0000",
		"Shop <shop@shop.example>", "bob@example.com", "Sale ends today", "Everything 10% off.\n"))
	add("[Gmail]/Spam", ``, "04-Jan-2020 00:00:00 +0000", simple("spam-1@spam.example", "Sat, 04 Jan 2020 00:00:00 +0000",
		"=?UTF-8?B?8J+SsCBXaW5uZXI=?= <win@spam.example>", "bob@example.com", "=?UTF-8?B?8J+OgSBDbGFpbSB5b3VyIHByaXpl?=",
		"Not really.\n"))
	return out
}

// fixtureFiles returns the fixture's files by name.
func fixtureFiles() map[string][]byte {
	files := map[string][]byte{}
	var idx bytes.Buffer
	idx.WriteString("# The demo server's sample account (generated by internal/demo's TestFixture -update).\n")
	idx.WriteString("# mailbox<TAB>name<TAB>special-use<TAB>subscribed\n")
	idx.WriteString("# message<TAB>mailbox<TAB>file<TAB>flags<TAB>internal date\n")
	for _, m := range fixtureMailboxes {
		fmt.Fprintf(&idx, "mailbox\t%s\t%s\t%s\n", m[0], m[1], m[2])
	}
	for i, m := range fixtureMessages() {
		name := fmt.Sprintf("%02d-%s.eml", i+1, slug(m.mailbox))
		files[name] = crlf(m.text)
		fmt.Fprintf(&idx, "message\t%s\t%s\t%s\t%s\n", m.mailbox, name, m.flags, m.date)
	}
	files["fixture.txt"] = idx.Bytes()
	return files
}

// slug turns a mailbox name into a file name part.
func slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == 'ü':
			b.WriteString("ue")
		case r > 0x7f:
			b.WriteString(fmt.Sprintf("u%04x", r))
		default:
			if s := b.String(); s != "" && !strings.HasSuffix(s, "-") {
				b.WriteByte('-')
			}
		}
	}
	return strings.Trim(b.String(), "-")
}

func TestFixture(t *testing.T) {
	files := fixtureFiles()
	if *update {
		old, _ := filepath.Glob(filepath.Join(fixtureDir, "*.eml"))
		for _, f := range old {
			os.Remove(f)
		}
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(fixtureDir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("wrote %d files to %s", len(files), fixtureDir)
	}
	var names []string
	for name, want := range files {
		names = append(names, name)
		got, err := os.ReadFile(filepath.Join(fixtureDir, name))
		if err != nil {
			t.Errorf("%v (run go test ./internal/demo -run TestFixture -update)", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what TestFixture generates (run with -update)", name)
		}
	}
	on, _ := filepath.Glob(filepath.Join(fixtureDir, "*.eml"))
	for _, f := range on {
		if !slices.Contains(names, filepath.Base(f)) {
			t.Errorf("%s is not part of the fixture (run with -update)", f)
		}
	}
	if n := len(files) - 1; n < 45 {
		t.Errorf("%d messages, want about 50", n)
	}
	// Every encoded word of the fixture decodes.
	dec := &mime.WordDecoder{CharsetReader: wordDecoder.CharsetReader}
	for name, b := range files {
		e := parseMessage(b)
		if v, ok := e.field("Subject"); ok {
			if _, err := dec.DecodeHeader(v); err != nil {
				t.Errorf("%s: Subject %q: %v", name, v, err)
			}
		}
	}
}
