package client

import (
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/imapwire/imapwire/parser"
)

// encode returns s in charset e; the test's own source of non-UTF-8 bytes.
func encode(t testing.TB, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encoding %q: %v", s, err)
	}
	return b
}

// bword returns a B-encoded word of b.
func bword(charset string, b []byte) string {
	return "=?" + charset + "?B?" + base64.StdEncoding.EncodeToString(b) + "?="
}

// qword returns a Q-encoded word of b, every byte escaped.
func qword(charset string, b []byte) string {
	const hex = "0123456789ABCDEF"
	var s strings.Builder
	s.WriteString("=?" + charset + "?Q?")
	for _, c := range b {
		s.WriteByte('=')
		s.WriteByte(hex[c>>4])
		s.WriteByte(hex[c&15])
	}
	s.WriteString("?=")
	return s.String()
}

func TestDecodeHeader(t *testing.T) {
	gbk := func(s string) []byte { return encode(t, simplifiedchinese.GBK, s) }
	utf8Hui := []byte("会") // E4 BC 9A
	gbkTest := gbk("测试邮件")
	tests := []struct {
		name, in, want string
	}{
		// Real subjects and names, from the Dovecot captures.
		{"utf8 and gbk", "=?UTF-8?B?5Lya6K6u6YCa55+l?= / =?GBK?B?suLK1NPKvP4=?=", "会议通知 / 测试邮件"},
		// The seed script's subject is "周挽活动" (D6DC CDEC BBEE B6AF),
		// not the body's "周末活动" (D6DC C4A9 BBEE B6AF).
		{"gbk subject", "=?GBK?B?1tzN7Lvutq8=?=", "周挽活动"},
		{"gbk name", "=?GBK?B?wO7LxA==?=", "李四"},
		{"utf8 q name", "=?UTF-8?Q?Caf=C3=A9_Owner?=", "Café Owner"},
		// RFC 2047 section 8.
		{"rfc2047 a", "(=?ISO-8859-1?Q?a?=)", "(a)"},
		{"rfc2047 a b", "(=?ISO-8859-1?Q?a?= b)", "(a b)"},
		{"rfc2047 ab", "(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"rfc2047 ab spaces", "(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"rfc2047 ab folded", "(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"rfc2047 a_b", "(=?ISO-8859-1?Q?a_b?=)", "(a b)"},
		{"rfc2047 two charsets", "(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)"},
		{"rfc2047 moore", "=?US-ASCII?Q?Keith_Moore?=", "Keith Moore"},
		{"rfc2047 keld", "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=", "Keld Jørn Simonsen"},
		{"rfc2047 andre", "=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard"},
		{"rfc2047 example", "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=", "If you can read this you understand the example."},
		// Charsets, bytes made by x/text.
		{"gbk generated", bword("GBK", gbkTest), "测试邮件"},
		{"gb2312", bword("gb2312", gbk("你好，世界")), "你好，世界"},
		// 镕 is in GBK, not in GB 2312: mail labelled GB2312 holds it.
		{"gb2312 with gbk char", bword("GB2312", gbk("朱镕基")), "朱镕基"},
		// GB18030's four-byte form, labelled GBK.
		{"gbk with gb18030 char", bword("gbk", encode(t, simplifiedchinese.GB18030, "表情😀")), "表情😀"},
		{"gb18030", bword("GB18030", encode(t, simplifiedchinese.GB18030, "中文€")), "中文€"},
		{"cp936", bword("cp936", gbk("中文")), "中文"},
		{"big5", bword("Big5", encode(t, traditionalchinese.Big5, "中文測試")), "中文測試"},
		{"shift_jis", bword("Shift_JIS", encode(t, japanese.ShiftJIS, "日本語のテスト")), "日本語のテスト"},
		{"iso-2022-jp", bword("ISO-2022-JP", encode(t, japanese.ISO2022JP, "こんにちは")), "こんにちは"},
		{"euc-jp", bword("euc-jp", encode(t, japanese.EUCJP, "日本語")), "日本語"},
		{"euc-kr", bword("EUC-KR", encode(t, korean.EUCKR, "안녕하세요")), "안녕하세요"},
		{"ks_c_5601-1987", bword("ks_c_5601-1987", encode(t, korean.EUCKR, "안녕")), "안녕"},
		{"koi8-r", bword("KOI8-R", encode(t, charmap.KOI8R, "Привет, мир")), "Привет, мир"},
		{"koi8-u", qword("koi8-u", encode(t, charmap.KOI8U, "Ґанок")), "Ґанок"},
		{"windows-1251", bword("windows-1251", encode(t, charmap.Windows1251, "Тест")), "Тест"},
		{"windows-1252", "=?windows-1252?Q?=80_caf=E9?=", "€ café"},
		{"iso-8859-1", "=?iso-8859-1?q?Gr=FC=DFe?=", "Grüße"},
		{"iso-8859-2", qword("ISO-8859-2", encode(t, charmap.ISO8859_2, "Łódź")), "Łódź"},
		{"iso-8859-15", "=?ISO-8859-15?Q?=A4?=", "€"},
		{"utf-16 no bom is big endian", bword("UTF-16", encode(t, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "hé")), "hé"},
		{"utf-16 bom", bword("utf-16", encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), "hé")), "hé"},
		// Sloppiness.
		{"split utf8 char", bword("UTF-8", utf8Hui[:2]) + " " + bword("utf-8", utf8Hui[2:]), "会"},
		{"split utf8 char no space", bword("UTF-8", utf8Hui[:1]) + bword("UTF-8", utf8Hui[1:]), "会"},
		{"split gbk char q", qword("GBK", gbkTest[:3]) + "\r\n " + qword("gbk", gbkTest[3:]), "测试邮件"},
		{"split gbk char b and q", bword("GBK", gbkTest[:1]) + " " + qword("GBK", gbkTest[1:]), "测试邮件"},
		{"split iso-2022-jp", func() string {
			b := encode(t, japanese.ISO2022JP, "日本語")
			return bword("ISO-2022-JP", b[:5]) + " " + bword("ISO-2022-JP", b[5:])
		}(), "日本語"},
		{"lower case encodings", "=?utf-8?b?5byg5LiJ?= =?utf-8?q?=E6=9D=8E?=", "张三李"},
		{"missing padding", "=?UTF-8?B?QUI?=", "AB"},
		{"missing padding 2", "=?UTF-8?B?5byg5LiJ5a?=", "张三\uFFFD"},
		{"padded blocks", "=?UTF-8?B?QQ==Qg==?=", "AB"},
		{"stray characters in b", "=?UTF-8?B?Q UI=?=", "AB"},
		{"underscore", "=?UTF-8?Q?a_b__c?=", "a b  c"},
		{"lower case hex", "=?UTF-8?Q?caf=c3=a9?=", "café"},
		{"literal equals in q", "=?UTF-8?Q?1=2?=", "1=2"},
		{"space in q", "=?UTF-8?Q?hello world?=", "hello world"},
		{"language suffix", "=?UTF-8*en?Q?hello?=", "hello"},
		{"word inside text", "Re:=?utf-8?q?Caf=C3=A9?=!", "Re:Café!"},
		{"word in quotes", `"=?utf-8?q?Caf=C3=A9?=" <a@b>`, `"Café" <a@b>`},
		{"text between words kept", "=?utf-8?q?a?= - =?utf-8?q?b?=", "a - b"},
		{"space after word kept", "=?utf-8?q?a?= b", "a b"},
		{"different charsets adjacent", bword("UTF-8", []byte("中")) + " " + bword("GBK", gbk("文")), "中文"},
		{"empty text", "a =?utf-8?q??= b", "a  b"},
		{"invalid utf-8", "=?utf-8?q?a=FFb?=", "a\uFFFDb"},
		// Kept as they are.
		{"plain", "Hello, world", "Hello, world"},
		{"raw utf-8", "Grüße 你好", "Grüße 你好"},
		{"unknown charset", "=?x-unknown?Q?abc?=", "=?x-unknown?Q?abc?="},
		{"unknown charset between words", "=?utf-8?q?a?= =?x-unknown?q?b?= =?utf-8?q?c?=", "a =?x-unknown?q?b?= c"},
		{"unknown encoding", "=?utf-8?x?abc?=", "=?utf-8?x?abc?="},
		{"unterminated", "=?utf-8?q?abc", "=?utf-8?q?abc"},
		{"no charset", "=??q?abc?=", "=??q?abc?="},
		{"unterminated then word", "=?utf-8?q?broken =?utf-8?q?ok?=", "=?utf-8?q?broken ok"},
		{"lone start", "a =? b", "a =? b"},
		{"short", "=?a?q", "=?a?q"},
		{"short 2", "=?a?q?", "=?a?q?"},
		{"replacement charset", "=?iso-2022-kr?q?abc?=", "=?iso-2022-kr?q?abc?="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DecodeHeader(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DecodeHeader(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestDecodeHeaderStrict(t *testing.T) {
	tests := []struct {
		name, in, want string
		offset         int    // of the word in error, when wantErr != ""
		wantErr        string // substring of the error
		unknown        bool   // the error is an *UnknownCharsetError
	}{
		{name: "ok", in: "=?UTF-8?B?5Lya6K6u6YCa55+l?= / =?GBK?B?suLK1NPKvP4=?=", want: "会议通知 / 测试邮件"},
		{name: "rfc2047", in: "(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", want: "(ab)"},
		{name: "split char still joined", in: "=?UTF-8?B?5Lw=?= =?UTF-8?B?mg==?=", want: "会"},
		{name: "plain", in: "no words", want: "no words"},
		{name: "space is no word", in: "=?UTF-8?Q?a b?=", want: "=?UTF-8?Q?a b?="},
		{name: "unknown encoding is no word", in: "=?UTF-8?X?ab?=", want: "=?UTF-8?X?ab?="},
		{name: "unknown charset", in: "Re: =?x-unknown?Q?abc?=", offset: 4, wantErr: `unknown charset "x-unknown"`, unknown: true},
		{name: "missing padding", in: "a =?UTF-8?B?QUI?=", offset: 2, wantErr: "invalid B encoding"},
		{name: "bad base64", in: "=?UTF-8?B?QU*I?=", offset: 0, wantErr: "invalid B encoding"},
		{name: "bad q escape", in: "=?UTF-8?Q?a?= =?UTF-8?Q?1=ZZ?=", offset: 14, wantErr: "invalid Q encoding"},
		{name: "question mark in q", in: "=?UTF-8?Q?a?b?=", offset: 0, wantErr: "invalid Q encoding"},
		{name: "8bit in q", in: "=?UTF-8?Q?caf\xc3\xa9?=", offset: 0, wantErr: "invalid Q encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeHeaderStrict(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("DecodeHeaderStrict(%q): %v", tt.in, err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("DecodeHeaderStrict(%q) mismatch (-want +got):\n%s", tt.in, diff)
				}
				return
			}
			var we *WordError
			if !errors.As(err, &we) {
				t.Fatalf("DecodeHeaderStrict(%q) = %q, %v; want a *WordError", tt.in, got, err)
			}
			if we.Offset != tt.offset || !strings.HasPrefix(tt.in[we.Offset:], we.Word) {
				t.Errorf("error at offset %d word %q, want offset %d", we.Offset, we.Word, tt.offset)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not say %q", err, tt.wantErr)
			}
			var ue *UnknownCharsetError
			if errors.As(err, &ue) != tt.unknown {
				t.Errorf("errors.As(%v, *UnknownCharsetError) = %v, want %v", err, !tt.unknown, tt.unknown)
			}
		})
	}
}

func mimeWordDecoder() *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: CharsetReader}
}

// TestDecodeHeaderAgreesWithStdlib: on well-formed words, one character
// per word, DecodeHeader and DecodeHeaderStrict give what mime.WordDecoder
// (with CharsetReader) gives.
func TestDecodeHeaderAgreesWithStdlib(t *testing.T) {
	inputs := []string{
		"=?UTF-8?B?5Lya6K6u6YCa55+l?= / =?GBK?B?suLK1NPKvP4=?=",
		"(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)",
		"(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)",
		"=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
		"Re: =?utf-8?q?Caf=C3=A9?= and =?Big5?B?" + base64.StdEncoding.EncodeToString(encode(t, traditionalchinese.Big5, "繁體")) + "?=",
		"=?Shift_JIS?B?" + base64.StdEncoding.EncodeToString(encode(t, japanese.ShiftJIS, "日本")) + "?= x",
		"=?KOI8-R?Q?=F0=D2=C9=D7=C5=D4?=",
	}
	dec := mimeWordDecoder()
	for _, in := range inputs {
		want, err := dec.DecodeHeader(in)
		if err != nil {
			t.Fatalf("mime: %q: %v", in, err)
		}
		if got := DecodeHeader(in); got != want {
			t.Errorf("DecodeHeader(%q) = %q, mime.WordDecoder gives %q", in, got, want)
		}
		if got, err := DecodeHeaderStrict(in); got != want || err != nil {
			t.Errorf("DecodeHeaderStrict(%q) = %q, %v; mime.WordDecoder gives %q", in, got, err, want)
		}
	}
}

func TestDecodeHeaderNoWordsNoAlloc(t *testing.T) {
	s := "A plain subject with no encoded words"
	if n := testing.AllocsPerRun(100, func() { DecodeHeader(s) }); n != 0 {
		t.Errorf("DecodeHeader of plain text: %v allocations, want 0", n)
	}
}

func TestCharsetReader(t *testing.T) {
	tests := []struct {
		charset string
		in      []byte
		want    string
	}{
		{"utf-8", []byte("héllo\xff"), "héllo\uFFFD"},
		{"UTF8", []byte("ok"), "ok"},
		{"GB2312", encode(t, simplifiedchinese.GBK, "中文"), "中文"},
		{`"gbk"`, encode(t, simplifiedchinese.GBK, "中文"), "中文"},
		{"gb18030", encode(t, simplifiedchinese.GB18030, "😀"), "😀"},
		{"x-gbk", encode(t, simplifiedchinese.GBK, "中"), "中"},
		{"euc-cn", encode(t, simplifiedchinese.GBK, "中"), "中"},
		{"hz-gb-2312", encode(t, simplifiedchinese.HZGB2312, "中文"), "中文"},
		{"big5", encode(t, traditionalchinese.Big5, "繁體"), "繁體"},
		{"cp950", encode(t, traditionalchinese.Big5, "繁體"), "繁體"},
		{"Shift_JIS", encode(t, japanese.ShiftJIS, "日本"), "日本"},
		{"cp932", encode(t, japanese.ShiftJIS, "日本"), "日本"},
		{"iso-2022-jp", encode(t, japanese.ISO2022JP, "日本"), "日本"},
		{"EUC-JP", encode(t, japanese.EUCJP, "日本"), "日本"},
		{"euc-kr", encode(t, korean.EUCKR, "한국"), "한국"},
		{"cp949", encode(t, korean.EUCKR, "한국"), "한국"},
		{"koi8-r", encode(t, charmap.KOI8R, "Россия"), "Россия"},
		{"KOI8-U", encode(t, charmap.KOI8U, "Україна"), "Україна"},
		{"windows-1250", encode(t, charmap.Windows1250, "Žluťoučký"), "Žluťoučký"},
		{"windows-1251", encode(t, charmap.Windows1251, "Россия"), "Россия"},
		{"cp1252", []byte{0x80, 0x93, 'x', 0x94}, "€“x”"},
		{"windows-1253", encode(t, charmap.Windows1253, "Ελλάδα"), "Ελλάδα"},
		{"windows-1254", encode(t, charmap.Windows1254, "Türkçe"), "Türkçe"},
		{"windows-1255", encode(t, charmap.Windows1255, "עברית"), "עברית"},
		{"windows-1256", encode(t, charmap.Windows1256, "عربي"), "عربي"},
		{"windows-1257", encode(t, charmap.Windows1257, "Lietuvių"), "Lietuvių"},
		{"windows-1258", encode(t, charmap.Windows1258, "Đà"), "Đà"},
		{"windows-874", encode(t, charmap.Windows874, "ไทย"), "ไทย"},
		{"latin1", []byte{'c', 'a', 'f', 0xe9}, "café"},
		{"ISO-8859-1", []byte{'c', 'a', 'f', 0xe9}, "café"},
		{"iso-8859-2", encode(t, charmap.ISO8859_2, "Łódź"), "Łódź"},
		{"iso-8859-5", encode(t, charmap.ISO8859_5, "Мир"), "Мир"},
		{"iso-8859-7", encode(t, charmap.ISO8859_7, "Ελλάδα"), "Ελλάδα"},
		{"iso-8859-9", encode(t, charmap.ISO8859_9, "Türkçe"), "Türkçe"},
		{"ISO-8859-15", []byte{0xa4}, "€"},
		{"iso-8859-16", encode(t, charmap.ISO8859_16, "Ș"), "Ș"},
		{"us-ascii", []byte("plain"), "plain"},
		{"ibm850", encode(t, charmap.CodePage850, "Ç"), "Ç"},
		{"cp437", encode(t, charmap.CodePage437, "é"), "é"},
		{"ibm866", encode(t, charmap.CodePage866, "Мир"), "Мир"},
		{"macintosh", encode(t, charmap.Macintosh, "é"), "é"},
		{"utf-16", []byte{0, 'h', 0, 'i'}, "hi"},
		{"utf-16", []byte{0xff, 0xfe, 'h', 0, 'i', 0}, "hi"},
		{"utf-16le", []byte{'h', 0, 'i', 0}, "hi"},
		{"UTF-16BE", []byte{0, 'h', 0, 'i'}, "hi"},
		{"utf-32", []byte{0, 0, 0, 'h'}, "h"},
		{"utf-32le", []byte{'h', 0, 0, 0}, "h"},
		{" UTF-8 ", []byte("x"), "x"},
	}
	for _, tt := range tests {
		t.Run(tt.charset, func(t *testing.T) {
			r, err := CharsetReader(tt.charset, strings.NewReader(string(tt.in)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCharsetReaderUnknown(t *testing.T) {
	for _, name := range []string{"x-unknown", "unknown-8bit", "", "utf-7", "iso-2022-kr", "iso-2022-cn", "replacement"} {
		r, err := CharsetReader(name, strings.NewReader("x"))
		var ue *UnknownCharsetError
		if !errors.As(err, &ue) || ue.Charset != name || r != nil {
			t.Errorf("CharsetReader(%q) = %v, %v; want nil, *UnknownCharsetError{%q}", name, r, err, name)
		}
	}
}

// TestCharsetReaderWordDecoder: CharsetReader plugged into mime.WordDecoder
// as its doc says.
func TestCharsetReaderWordDecoder(t *testing.T) {
	dec := mimeWordDecoder()
	got, err := dec.DecodeHeader("=?GBK?B?1tzN7Lvutq8=?= =?koi8-r?b?" + base64.StdEncoding.EncodeToString(encode(t, charmap.KOI8R, "мир")) + "?=")
	if err != nil {
		t.Fatal(err)
	}
	if got != "周挽活动мир" {
		t.Errorf("got %q", got)
	}
	if _, err := dec.DecodeHeader("=?x-unknown?q?a?="); err == nil {
		t.Error("unknown charset: no error")
	}
}

func TestDecodeEnvelope(t *testing.T) {
	msgs := fetchCapture(t)
	var env6, env7, env8 *parser.Envelope
	for _, m := range msgs {
		if m.Envelope == nil {
			continue
		}
		switch m.SeqNum {
		case 6:
			env6 = m.Envelope
		case 7:
			env7 = m.Envelope
		case 8:
			env8 = m.Envelope
		}
	}
	if env6 == nil || env7 == nil || env8 == nil {
		t.Fatal("envelopes of messages 6, 7 and 8 not in the capture")
	}
	orig := *env6
	got := DecodeEnvelope(env6)
	if diff := cmp.Diff(orig, *env6); diff != "" {
		t.Errorf("DecodeEnvelope changed its argument (-before +after):\n%s", diff)
	}
	zhang := []parser.Address{{Name: "张三", Mailbox: "zhang.san", Host: "example.cn"}}
	want := &parser.Envelope{
		Date:      "Sun, 10 May 2020 20:08:09 +0800",
		Subject:   "会议通知 / 测试邮件",
		From:      zhang,
		Sender:    zhang,
		ReplyTo:   zhang,
		To:        []parser.Address{{Name: "Café Owner", Mailbox: "owner", Host: "cafe.example.fr"}},
		MessageID: "<intl-1@example.cn>",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("message 6 (-want +got):\n%s", diff)
	}
	got7 := DecodeEnvelope(env7)
	if got7.Subject != "周挽活动" || got7.From[0].Name != "李四" {
		t.Errorf("message 7: subject %q, from %q", got7.Subject, got7.From[0].Name)
	}
	// Groups survive; plain names are unchanged.
	if diff := cmp.Diff(env8, DecodeEnvelope(env8)); diff != "" {
		t.Errorf("message 8 changed (-want +got):\n%s", diff)
	}
	// A group name with encoded words.
	g := &parser.Envelope{Cc: []parser.Address{
		{Mailbox: "=?utf-8?q?Equipe_=C3=A9t=C3=A9?="},
		{Name: "=?utf-8?b?5byg5LiJ?=", Mailbox: "z", Host: "example.cn"},
		{},
	}}
	wantG := []parser.Address{{Mailbox: "Equipe été"}, {Name: "张三", Mailbox: "z", Host: "example.cn"}, {}}
	if diff := cmp.Diff(wantG, DecodeEnvelope(g).Cc); diff != "" {
		t.Errorf("group (-want +got):\n%s", diff)
	}
	if DecodeEnvelope(nil) != nil {
		t.Error("DecodeEnvelope(nil) != nil")
	}
}
