package client_test

import (
	"fmt"
	"io"
	"mime"
	"os"
	"strings"

	"github.com/imapwire/imapwire/client"
	"github.com/imapwire/imapwire/parser"
)

// Subjects as mail really sends them: UTF-8 and GBK words side by side
// (the tutorial decodes them with Python's email.header.decode_header), a
// GB2312 word, a UTF-8 character split across two words, and a word in a
// charset nobody knows, kept as it is.
func ExampleDecodeHeader() {
	for _, s := range []string{
		"=?UTF-8?B?5Lya6K6u6YCa55+l?= / =?GBK?B?suLK1NPKvP4=?=",
		"=?gb2312?B?xOO6ww==?=",
		"=?UTF-8?B?5Lw=?= =?UTF-8?B?mg==?=",
		"Re: =?x-unknown?Q?abc?=",
	} {
		fmt.Println(client.DecodeHeader(s))
	}
	_, err := client.DecodeHeaderStrict("Re: =?x-unknown?Q?abc?=")
	fmt.Println(err)
	// Output:
	// 会议通知 / 测试邮件
	// 你好
	// 会
	// Re: =?x-unknown?Q?abc?=
	// imap: encoded word "=?x-unknown?Q?abc?=" at offset 4: imap: unknown charset "x-unknown"
}

// The standard library's decoder with every charset golang.org/x/text
// knows.
func ExampleCharsetReader() {
	dec := &mime.WordDecoder{CharsetReader: client.CharsetReader}
	s, err := dec.DecodeHeader("=?Big5?B?pKSk5Q==?= =?koi8-r?q?=D0=D2=C9=D7=C5=D4?=")
	fmt.Println(s, err)
	// Output:
	// 中文привет <nil>
}

// An ENVELOPE as Dovecot sends it, and decoded.
func ExampleDecodeEnvelope() {
	line := `* 6 FETCH (ENVELOPE ("Sun, 10 May 2020 20:08:09 +0800" "=?UTF-8?B?5Lya6K6u6YCa55+l?= / =?GBK?B?suLK1NPKvP4=?=" ` +
		`(("=?UTF-8?B?5byg5LiJ?=" NIL "zhang.san" "example.cn")) NIL NIL ` +
		`(("=?UTF-8?Q?Caf=C3=A9_Owner?=" NIL "owner" "cafe.example.fr")) NIL NIL NIL "<intl-1@example.cn>"))` + "\r\n"
	resp, err := parser.NewReader(strings.NewReader(line), nil).ReadResponse()
	if err != nil {
		fmt.Println(err)
		return
	}
	env := client.DecodeEnvelope(resp.(*parser.Message).Envelope)
	fmt.Println("Subject:", env.Subject)
	fmt.Println("From:", env.From[0])
	fmt.Println("To:", env.To[0])
	// Output:
	// Subject: 会议通知 / 测试邮件
	// From: "张三" <zhang.san@example.cn>
	// To: "Café Owner" <owner@cafe.example.fr>
}

// Listing the parts of a downloaded message, as the tutorial does with
// Python's email walk(): here a message with a text part and two base64
// attachments, as fetched with BODY[].
func ExampleParts() {
	f, err := os.Open("testdata/dovecot-4-attachment.eml")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	parts, err := client.Parts(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range parts {
		line := fmt.Sprintf("%-4s %s", p.Path, p.ContentType)
		if !strings.HasPrefix(p.ContentType, "multipart/") {
			line += fmt.Sprintf(", %s, %d bytes", p.Encoding, p.Size)
		}
		if p.Filename != "" {
			line += fmt.Sprintf(", %s %q", p.Disposition, p.Filename)
		}
		fmt.Println(line)
	}
	// Output:
	// TEXT multipart/mixed
	// 1    text/plain, 7bit, 33 bytes
	// 2    image/png, base64, 100 bytes, attachment "chart.png"
	// 3    application/octet-stream, base64, 352 bytes, attachment "data.bin"
}

// The same list from a BODYSTRUCTURE, before downloading anything: the
// attachments to fetch with BODY[2] and BODY[3] (or BINARY[2] and
// BINARY[3], decoded by the server), and the text part to show.
func ExamplePartsFromStructure() {
	line := `* 4 FETCH (UID 4 BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 33 1 NIL NIL NIL NIL)` +
		`("image" "png" ("name" "chart.png") "<chart@example.org>" "Q1 chart" "base64" 100 NIL ("attachment" ("filename" "chart.png" "size" "73")) NIL NIL)` +
		`("application" "octet-stream" ("name" "=?UTF-8?B?5pWw5o2uLmJpbg==?=") NIL NIL "base64" 352 NIL ("attachment" ("filename*" "utf-8''%E6%95%B0%E6%8D%AE.bin")) NIL NIL)` +
		` "mixed" ("boundary" "mixed-7f3a") NIL NIL NIL))` + "\r\n"
	resp, err := parser.NewReader(strings.NewReader(line), nil).ReadResponse()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range client.PartsFromStructure(resp.(*parser.Message).BodyStructure) {
		switch {
		case p.Disposition == "attachment":
			fmt.Printf("attachment BODY[%s]: %s (%s, %d bytes encoded)\n", p.Path, p.Filename, p.ContentType, p.Size)
		case p.ContentType == "text/plain":
			fmt.Printf("text BODY[%s] in %s\n", p.Path, p.Charset)
		}
	}
	// Output:
	// text BODY[1] in us-ascii
	// attachment BODY[2]: chart.png (image/png, 100 bytes encoded)
	// attachment BODY[3]: 数据.bin (application/octet-stream, 352 bytes encoded)
}

// A part's body as fetched with BODY[1]: quoted-printable in GBK, decoded
// to UTF-8 text.
func ExampleDecodePart() {
	body := "=D6=DC=C4=A9=BB=EE=B6=AF=A3=BA=D6=DC=C1=F9=C9=CF=CE=E7=CA=AE=B5=E3=D4=DA=\r\n=B9=AB=D4=B0=BC=AF=BA=CF=A1=A3\r\n"
	r, err := client.DecodePart(strings.NewReader(body), "quoted-printable", "GBK")
	if err != nil {
		fmt.Println(err)
		return
	}
	text, err := io.ReadAll(r)
	fmt.Printf("%q %v\n", text, err)
	// Output:
	// "周末活动：周六上午十点在公园集合。\r\n" <nil>
}
