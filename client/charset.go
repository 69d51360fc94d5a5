package client

import (
	"encoding/base64"
	"errors"
	"io"
	"strconv"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
	"golang.org/x/text/transform"

	"github.com/imapwire/imapwire/parser"
)

// An UnknownCharsetError reports a charset name that CharsetReader, the
// header decoders and DecodePart have no table for.
type UnknownCharsetError struct {
	Charset string // the name as it was given
}

func (e *UnknownCharsetError) Error() string {
	return "imap: unknown charset " + strconv.Quote(e.Charset)
}

// extraCharsets are names mail carries that neither the WHATWG index
// (htmlindex) nor the IANA registry (ianaindex) knows, or knows
// differently from what mail needs.
var extraCharsets = map[string]encoding.Encoding{
	// RFC 2781 section 4.3: UTF-16 without a byte order mark is big
	// endian. (WHATWG says little endian, which is right for the web.)
	"utf-16":   unicode.UTF16(unicode.BigEndian, unicode.UseBOM),
	"utf-32":   utf32.UTF32(utf32.BigEndian, utf32.UseBOM),
	"utf-32be": utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM),
	"utf-32le": utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM),
	// Windows code page names that Outlook and old Windows mailers send.
	"cp932":       japanese.ShiftJIS,
	"windows-932": japanese.ShiftJIS,
	"cp949":       korean.EUCKR, // x/text's EUC-KR is the WHATWG one: UHC, a superset
	"windows-949": korean.EUCKR,
	"uhc":         korean.EUCKR,
	"cp950":       traditionalchinese.Big5,
	"windows-950": traditionalchinese.Big5,
	// EUC-CN is GB 2312's usual encoding, under another name.
	"euc-cn":   simplifiedchinese.GB18030,
	"x-euc-cn": simplifiedchinese.GB18030,
}

// normalizeCharset returns the lower-case charset name without the quotes
// and the RFC 2231 section 5 language suffix ("utf-8*en") that mail may
// carry.
func normalizeCharset(name string) string {
	name = strings.TrimSpace(name)
	name = strings.Trim(name, `"'`)
	if i := strings.IndexByte(name, '*'); i >= 0 {
		name = name[:i]
	}
	return strings.ToLower(strings.TrimSpace(name))
}

// lookupCharset finds the decoder for a charset name: first the names
// above, then the WHATWG Encoding Standard's labels (what browsers and
// Thunderbird use: ISO-8859-1 and US-ASCII read as windows-1252, GB2312 as
// GBK, Shift_JIS as windows-31j, EUC-KR as UHC, Big5 as Big5-HKSCS), then
// the IANA registry's names and aliases (cp936, IBM850, HZ-GB-2312...).
// GBK and its aliases decode with GB18030's decoder, which reads GBK's two
// bytes the same way and also GB18030's four-byte sequences, as the WHATWG
// gbk decoder does: mail labelled GB2312 or GBK often holds characters
// from the larger sets.
func lookupCharset(name string) (encoding.Encoding, error) {
	n := normalizeCharset(name)
	if n == "" {
		return nil, &UnknownCharsetError{Charset: name}
	}
	e, ok := extraCharsets[n]
	if !ok {
		// The WHATWG "replacement" encoding (for ISO-2022-KR,
		// ISO-2022-CN, HZ-GB-2312) turns any input into one U+FFFD; look
		// such names up in the IANA index instead.
		if h, err := htmlindex.Get(n); err == nil && h != encoding.Replacement {
			e = h
		} else if i, err := ianaindex.IANA.Encoding(n); err == nil && i != nil {
			e = i
		}
	}
	if e == nil {
		return nil, &UnknownCharsetError{Charset: name}
	}
	if e == simplifiedchinese.GBK {
		e = simplifiedchinese.GB18030
	}
	return e, nil
}

// CharsetReader returns a reader that converts input from charset to
// UTF-8. It has the signature of mime.WordDecoder's CharsetReader hook and
// of the hooks in packages that decode multipart bodies, so
//
//	dec := &mime.WordDecoder{CharsetReader: client.CharsetReader}
//
// makes the standard library's decoder know every charset
// golang.org/x/text knows. Names are matched without regard to case, with
// the WHATWG Encoding Standard's labels first and the IANA registry's
// aliases next (so GB2312, GBK, cp936, GB18030, Big5, Shift_JIS,
// ISO-2022-JP, EUC-JP, EUC-KR, ks_c_5601-1987, KOI8-R, KOI8-U, the
// windows-125x and ISO-8859-x families and UTF-16 are all known). The
// WHATWG choices apply: ISO-8859-1 and US-ASCII are read as windows-1252,
// its superset, GB2312 and GBK as GB18030. "UTF-16" without a byte order
// mark is big endian (RFC 2781). Byte sequences that are invalid in the
// charset come out as U+FFFD, so the reader always yields valid UTF-8,
// even for charset "utf-8".
//
// An unknown charset gives an *UnknownCharsetError and no reader.
func CharsetReader(charset string, input io.Reader) (io.Reader, error) {
	e, err := lookupCharset(charset)
	if err != nil {
		return nil, err
	}
	return transform.NewReader(input, e.NewDecoder()), nil
}

// A WordError reports an RFC 2047 encoded word that DecodeHeaderStrict
// could not decode.
type WordError struct {
	Offset int    // byte offset of the word in the header value
	Word   string // the whole encoded word, "=?" to "?="
	Err    error  // an *UnknownCharsetError, or what is wrong with the encoded text
}

func (e *WordError) Error() string {
	return "imap: encoded word " + strconv.Quote(e.Word) + " at offset " + strconv.Itoa(e.Offset) + ": " + e.Err.Error()
}

func (e *WordError) Unwrap() error { return e.Err }

var (
	errQEncoding = errors.New("invalid Q encoding")
	errBEncoding = errors.New("invalid B encoding")
)

// DecodeHeader decodes the RFC 2047 encoded words in a header value (a
// Subject, a display name) to UTF-8. It never fails: a word it cannot
// decode, because its charset is unknown, is kept as it is, with the
// white space around it. It accepts what real mail sends:
//
//   - encoded words anywhere, also inside other text and quoted strings
//     (RFC 2047 section 5 forbids both; Outlook, webmail and Python's
//     email package produce or accept them);
//   - 'b', 'q' and charsets in any case, and the RFC 2231 section 5
//     language suffix ("=?utf-8*en?q?...?=");
//   - B text without its "=" padding or with stray characters, and Q text
//     with spaces or with an "=" that starts no escape (kept literally);
//   - a multibyte character split across two encoded words: the bytes of
//     adjacent words in the same charset are decoded together, as Python's
//     email.header.decode_header does (mime.WordDecoder decodes each word
//     alone and so turns both halves into U+FFFD).
//
// White space between two adjacent encoded words is dropped, as RFC 2047
// section 6.2 requires. Bytes that are invalid in a word's charset come
// out as U+FFFD. Text outside encoded words, including raw UTF-8
// (RFC 6532), is returned as it is.
func DecodeHeader(s string) string {
	out, _ := decodeHeader(s, false)
	return out
}

// DecodeHeaderStrict is DecodeHeader with errors: it returns a *WordError
// for the first encoded word that it cannot decode (an unknown charset,
// base64 that is not exactly RFC 4648's padded alphabet, a Q escape that
// is not "=" and two hex digits, or a character RFC 2047 section 4.2 does
// not allow in Q text), where DecodeHeader would keep the word or decode
// it leniently. Text with spaces between "=?" and "?=" is not an encoded
// word by RFC 2047's grammar and is returned as it is. Like DecodeHeader
// it decodes adjacent words in one charset together.
func DecodeHeaderStrict(s string) (string, error) {
	return decodeHeader(s, true)
}

// An encodedWord is "=?" charset "?" encoding "?" encoded-text "?=".
type encodedWord struct {
	start, end int // s[start:end] is the whole word
	charset    string
	b          bool // B encoding (base64), else Q
	text       string
}

// parseEncodedWord parses the encoded-word that may start at s[i:], where
// s[i:i+2] == "=?". In lenient mode the encoded text may hold spaces.
func parseEncodedWord(s string, i int, strict bool) (encodedWord, bool) {
	w := encodedWord{start: i}
	j := i + 2
	q := strings.IndexByte(s[j:], '?')
	if q <= 0 {
		return w, false
	}
	w.charset = s[j : j+q]
	for k := 0; k < len(w.charset); k++ {
		if c := w.charset[k]; c <= ' ' || c == 0x7f {
			return w, false
		}
	}
	k := j + q + 1
	if k+2 > len(s) || s[k+1] != '?' {
		return w, false
	}
	switch s[k] {
	case 'b', 'B':
		w.b = true
	case 'q', 'Q':
	default:
		return w, false
	}
	t := k + 2
	e := strings.Index(s[t:], "?=")
	if e < 0 {
		return w, false
	}
	w.text = s[t : t+e]
	w.end = t + e + 2
	// "=?" inside the text means this word never ended and a new one
	// started: "=?utf-8?q?broken =?utf-8?q?fine?=".
	if strings.Contains(w.text, "=?") || strings.ContainsAny(w.text, "\r\n") {
		return w, false
	}
	if strict && strings.ContainsAny(w.text, " \t") {
		return w, false
	}
	return w, true
}

// decodeText undoes the word's B or Q encoding.
func (w *encodedWord) decodeText(strict bool) ([]byte, error) {
	if w.b {
		if strict {
			b, err := base64.StdEncoding.Strict().DecodeString(w.text)
			if err != nil {
				return nil, errBEncoding
			}
			return b, nil
		}
		return decodeBase64Lenient(nil, []byte(w.text)), nil
	}
	return decodeQ(w.text, strict)
}

// decodeQ decodes RFC 2047 section 4.2 Q encoding.
func decodeQ(s string, strict bool) ([]byte, error) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_':
			b = append(b, ' ')
		case c == '=':
			if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
				b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
				i += 2
				continue
			}
			if strict {
				return nil, errQEncoding
			}
			b = append(b, '=')
		default:
			if strict && (c <= ' ' || c >= 0x7f || c == '?') {
				return nil, errQEncoding
			}
			b = append(b, c)
		}
	}
	return b, nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func isLWSP(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return false
		}
	}
	return true
}

// decodeHeader implements DecodeHeader and DecodeHeaderStrict.
func decodeHeader(s string, strict bool) (string, error) {
	if !strings.Contains(s, "=?") {
		return s, nil
	}
	var (
		out strings.Builder
		// The run: decoded bytes of adjacent words in one charset,
		// converted together when the run ends.
		runCharset string
		runEnc     encoding.Encoding
		run        []byte
		inRun      bool
		last       int // s[last:] is not written yet
	)
	flush := func() {
		if !inRun {
			return
		}
		if b, err := runEnc.NewDecoder().Bytes(run); err == nil {
			out.Write(b)
		} else {
			out.WriteString(strings.ToValidUTF8(string(run), "\uFFFD"))
		}
		run, inRun = run[:0], false
	}
	out.Grow(len(s))
	for i := 0; ; {
		p := strings.Index(s[i:], "=?")
		if p < 0 {
			break
		}
		p += i
		w, ok := parseEncodedWord(s, p, strict)
		if !ok {
			i = p + 2
			continue
		}
		i = w.end
		cs := normalizeCharset(w.charset)
		enc, err := lookupCharset(cs)
		var b []byte
		if err == nil {
			b, err = w.decodeText(strict)
		}
		if err != nil {
			if strict {
				return "", &WordError{Offset: p, Word: s[p:w.end], Err: err}
			}
			// Kept verbatim, as ordinary text.
			flush()
			out.WriteString(s[last:w.end])
			last = w.end
			continue
		}
		between := s[last:p]
		if inRun && isLWSP(between) {
			between = "" // RFC 2047 section 6.2
		}
		if between != "" || !inRun || cs != runCharset {
			flush()
			out.WriteString(between)
			runCharset, runEnc, inRun = cs, enc, true
		}
		run = append(run, b...)
		last = w.end
	}
	flush()
	out.WriteString(s[last:])
	return out.String(), nil
}

// decodeBase64Lenient appends to dst the bytes of base64 text src, skipping
// characters outside the alphabet and taking "=" or the end of src as the
// end of a quantum, so that missing padding and several padded blocks in a
// row both decode.
func decodeBase64Lenient(dst, src []byte) []byte {
	var d base64Decoder
	buf := make([]byte, len(src)*3/4+3)
	n, _, _ := d.Transform(buf, src, true)
	return append(dst, buf[:n]...)
}

// DecodeEnvelope returns a copy of env with the Subject, the display names
// and the group names decoded by DecodeHeader. Mailboxes, hosts, dates and
// message IDs are copied as they are: RFC 2047 section 5 allows encoded
// words only in phrases and unstructured text. A nil env gives nil.
func DecodeEnvelope(env *parser.Envelope) *parser.Envelope {
	if env == nil {
		return nil
	}
	c := *env
	c.Subject = DecodeHeader(env.Subject)
	c.From = decodeAddresses(env.From)
	c.Sender = decodeAddresses(env.Sender)
	c.ReplyTo = decodeAddresses(env.ReplyTo)
	c.To = decodeAddresses(env.To)
	c.Cc = decodeAddresses(env.Cc)
	c.Bcc = decodeAddresses(env.Bcc)
	return &c
}

func decodeAddresses(in []parser.Address) []parser.Address {
	if in == nil {
		return nil
	}
	out := make([]parser.Address, len(in))
	for i, a := range in {
		a.Name = DecodeHeader(a.Name)
		if a.IsGroupStart() {
			a.Mailbox = DecodeHeader(a.Mailbox)
		}
		out[i] = a
	}
	return out
}
