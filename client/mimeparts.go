package client

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/transform"

	"github.com/imapwire/imapwire/parser"
)

// A Part describes one MIME entity of a message: what Python's
// email.message.Message.walk() visits, with the part's IMAP section
// number, from Parts (a downloaded message) or PartsFromStructure (a
// BODYSTRUCTURE, without downloading anything).
type Part struct {
	// Path is the section to fetch the part's body with, BODY[Path]
	// (RFC 3501 section 6.4.5): "1", "2.1". A message that is not
	// multipart has the single part "1". A multipart without a number of
	// its own, the message's top-level one or the body of a
	// message/rfc822 part "2", has the Path "TEXT" or "2.TEXT".
	Path string
	// ContentType is the lower-case media type, "text/plain" when the
	// header is missing or invalid (RFC 2045 section 5.2) and
	// "message/rfc822" in a multipart/digest (RFC 2046 section 5.1.5).
	ContentType string
	// Params are the Content-Type parameters, with lower-case names, RFC
	// 2231 continuations joined and extended values (name*=) decoded to
	// UTF-8. A text part without a charset has charset "us-ascii", as
	// IMAP servers report it (RFC 2045 section 5.2).
	Params map[string]string
	// Disposition is the lower-case Content-Disposition type, "inline"
	// or "attachment"; "" when there is none.
	Disposition string
	// Filename is the Content-Disposition filename, else the
	// Content-Type name, with RFC 2231 and RFC 2047 decoded ("" if none).
	Filename string
	// Charset is Params["charset"].
	Charset string
	// Encoding is the lower-case Content-Transfer-Encoding, "7bit" when
	// the header is missing (RFC 2045 section 6.1).
	Encoding string
	// ID is the Content-ID, angle brackets included, as sent.
	ID string
	// Description is the Content-Description, decoded.
	Description string
	// Size is the size in octets of the body as transmitted, before
	// DecodePart; 0 for a multipart. A server counts CRLF line ends, so
	// Parts over a message with bare LF line ends gives smaller sizes.
	Size int
}

// Limits of Parts and PartsFromStructure: those of Dovecot's message
// parser (message-parser.h, MESSAGE_PARSER_DEFAULT_MAX_NESTED_MIME_PARTS
// and MESSAGE_PARSER_DEFAULT_MAX_TOTAL_MIME_PARTS), so that a message an
// IMAP server can describe, these functions can list.
const (
	maxPartDepth = 100
	maxParts     = 10000
)

var (
	// ErrPartsTooDeep is returned by Parts for a message whose multiparts
	// and message/rfc822 parts nest more than 100 levels deep.
	ErrPartsTooDeep = errors.New("imap: MIME parts nested more than 100 deep")
	// ErrTooManyParts is returned by Parts for a message with more than
	// 10000 MIME parts.
	ErrTooManyParts = errors.New("imap: more than 10000 MIME parts")
)

// Parts lists the MIME parts of a whole RFC 822 message (as fetched with
// BODY[] or RFC822), depth first in the order they appear, multiparts
// included, like Python's walk(), and recursing into message/rfc822 and
// message/global parts. It reads the message as a stream and keeps none
// of the bodies. For a message it has stored, an IMAP server's
// BODYSTRUCTURE gives the same list through PartsFromStructure.
//
// Parts is lenient where mail is sloppy: a multipart missing its closing
// delimiter ends at the end of its enclosing body, and one without a
// boundary parameter is listed with no parts, as Dovecot treats them. A
// header it cannot parse ends the listing: Parts returns the parts listed
// so far together with the error, which also ErrPartsTooDeep and
// ErrTooManyParts are.
func Parts(raw io.Reader) ([]Part, error) {
	msg, err := mail.ReadMessage(raw)
	if err != nil {
		return nil, fmt.Errorf("imap: message header: %w", err)
	}
	var w rawWalker
	err = w.message(textproto.MIMEHeader(msg.Header), msg.Body, "", 0)
	return w.parts, err
}

// joinPath appends a section component to a section number.
func joinPath(base, s string) string {
	if base == "" {
		return s
	}
	return base + "." + s
}

// messagePath returns the Path of the body of a message (the top level, or
// the message in a message/rfc822 part numbered base).
func messagePath(base string, multipart bool) string {
	if multipart {
		return joinPath(base, "TEXT")
	}
	return joinPath(base, "1")
}

type rawWalker struct {
	parts []Part
}

// message lists a message, top level (base "") or encapsulated in the
// message/rfc822 part base.
func (w *rawWalker) message(h textproto.MIMEHeader, body io.Reader, base string, depth int) error {
	p := partFromHeader(h, false)
	return w.entity(p, body, messagePath(base, isMultipart(p.ContentType)), base, depth)
}

// entity lists p, whose body is body, and the parts below it. prefix is
// the section number its subparts are numbered under.
func (w *rawWalker) entity(p Part, body io.Reader, path, prefix string, depth int) error {
	if depth > maxPartDepth {
		return ErrPartsTooDeep
	}
	if len(w.parts) >= maxParts {
		return ErrTooManyParts
	}
	p.Path = path
	i := len(w.parts)
	w.parts = append(w.parts, p)
	boundary := p.Params["boundary"]
	switch {
	case isMultipart(p.ContentType) && boundary != "":
		return w.multipart(body, boundary, prefix, p.ContentType == "multipart/digest", depth)
	case isMessage(p.ContentType):
		c := &countingReader{r: body}
		msg, err := mail.ReadMessage(c)
		if err == nil {
			err = w.message(textproto.MIMEHeader(msg.Header), msg.Body, path, depth+1)
		} else if errors.Is(err, io.EOF) {
			err = nil // an empty message/rfc822 part
		} else {
			err = fmt.Errorf("imap: MIME part %s: message header: %w", path, err)
		}
		if _, cerr := io.Copy(io.Discard, c); err == nil && !isUnexpectedEOF(cerr) {
			err = cerr
		}
		w.parts[i].Size = int(c.n)
		return err
	}
	n, err := io.Copy(io.Discard, body)
	if !isMultipart(p.ContentType) {
		w.parts[i].Size = int(n)
	}
	if isUnexpectedEOF(err) {
		err = nil // the last part of a multipart without its close delimiter
	}
	return err
}

func (w *rawWalker) multipart(body io.Reader, boundary, prefix string, digest bool, depth int) error {
	mr := multipart.NewReader(body, boundary)
	for n := 1; ; n++ {
		part, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) || isUnexpectedEOF(err) {
			return nil // the end, or a missing close delimiter
		}
		if err != nil {
			return fmt.Errorf("imap: MIME part %s: %w", joinPath(prefix, strconv.Itoa(n)), err)
		}
		path := joinPath(prefix, strconv.Itoa(n))
		if err := w.entity(partFromHeader(part.Header, digest), part, path, path, depth+1); err != nil {
			return err
		}
	}
}

func isUnexpectedEOF(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }

func isMultipart(ct string) bool { return strings.HasPrefix(ct, "multipart/") }

func isMessage(ct string) bool { return ct == "message/rfc822" || ct == "message/global" }

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// partFromHeader describes the entity with header h; digest says that it
// is a part of a multipart/digest.
func partFromHeader(h textproto.MIMEHeader, digest bool) Part {
	var p Part
	ct, params, ok := parseMediaType(h.Get("Content-Type"))
	if !ok {
		ct, params = "text/plain", nil
		if digest {
			ct = "message/rfc822"
		}
	}
	p.ContentType = ct
	p.Params = mimeParams(params)
	var dparams map[string]string
	if d := h.Get("Content-Disposition"); d != "" {
		var raw []rawParam
		p.Disposition, raw = parseDisposition(d)
		dparams = mimeParams(raw)
	}
	p.Encoding = firstToken(h.Get("Content-Transfer-Encoding"))
	p.ID = strings.TrimSpace(h.Get("Content-ID"))
	p.Description = DecodeHeader(strings.TrimSpace(h.Get("Content-Description")))
	finishPart(&p, dparams)
	return p
}

// PartsFromStructure lists the parts of a BODYSTRUCTURE (or BODY) exactly as
// Parts lists them from the message itself, with the same Paths, so that a
// client can find the attachments and the text part to fetch before it
// fetches anything. The server's sizes and parameters are used as sent,
// decoded the way Parts decodes them. Beyond the limits of Parts (100
// levels, 10000 parts) the list is cut short. A nil bs gives nil.
func PartsFromStructure(bs *parser.BodyStructure) []Part {
	if bs == nil {
		return nil
	}
	var w structWalker
	w.message(bs, "", 0)
	return w.parts
}

type structWalker struct {
	parts []Part
}

func (w *structWalker) message(bs *parser.BodyStructure, base string, depth int) {
	w.entity(bs, messagePath(base, bs.IsMultipart()), base, depth)
}

func (w *structWalker) entity(bs *parser.BodyStructure, path, prefix string, depth int) {
	if depth > maxPartDepth || len(w.parts) >= maxParts {
		return
	}
	p := partFromStructure(bs)
	p.Path = path
	w.parts = append(w.parts, p)
	switch {
	case bs.IsMultipart():
		for i, c := range bs.Parts {
			if c == nil {
				continue
			}
			path := joinPath(prefix, strconv.Itoa(i+1))
			w.entity(c, path, path, depth+1)
		}
	case isMessage(p.ContentType) && bs.Body != nil:
		w.message(bs.Body, path, depth+1)
	}
}

func partFromStructure(bs *parser.BodyStructure) Part {
	var p Part
	p.ContentType = bs.MediaType()
	p.Params = mimeParams(structParams(bs.Params))
	var dparams map[string]string
	if d := bs.Disposition; d != nil {
		p.Disposition = strings.ToLower(d.Type)
		dparams = mimeParams(structParams(d.Params))
	}
	if !bs.IsMultipart() {
		// A multipart has no body fields (its parameters come with the
		// extension data, after its parts).
		p.Encoding = strings.ToLower(bs.Encoding)
		p.ID = bs.ID
		p.Description = DecodeHeader(bs.Description)
		p.Size = int(bs.Size)
	}
	finishPart(&p, dparams)
	return p
}

func structParams(ps parser.Params) []rawParam {
	if ps == nil {
		return nil
	}
	out := make([]rawParam, len(ps))
	for i, x := range ps {
		out[i] = rawParam{x.Name, x.Value}
	}
	return out
}

// finishPart fills in what both sources compute the same way.
func finishPart(p *Part, dparams map[string]string) {
	if isMultipart(p.ContentType) {
		p.Encoding = ""
	} else if p.Encoding == "" {
		p.Encoding = "7bit"
	}
	if strings.HasPrefix(p.ContentType, "text/") && p.Params["charset"] == "" {
		if p.Params == nil {
			p.Params = make(map[string]string, 1)
		}
		p.Params["charset"] = "us-ascii"
	}
	p.Charset = p.Params["charset"]
	name := dparams["filename"]
	if name == "" {
		name = p.Params["name"]
	}
	// RFC 2047 words in a quoted parameter are forbidden (RFC 2047
	// section 5) and what Outlook, Gmail and most webmail send for a
	// non-ASCII filename.
	p.Filename = DecodeHeader(name)
}

// A rawParam is a MIME parameter as sent, before RFC 2231 decoding.
type rawParam struct{ name, value string }

// parseMediaType parses a Content-Type value leniently: type "/" subtype,
// then parameters. ok is false when there is no valid type/subtype.
func parseMediaType(v string) (mediatype string, params []rawParam, ok bool) {
	t, rest, _ := strings.Cut(v, ";")
	t = strings.ToLower(strings.TrimSpace(stripComment(t)))
	typ, sub, found := strings.Cut(t, "/")
	typ, sub = strings.TrimSpace(typ), strings.TrimSpace(sub)
	if !found || !isToken(typ) || !isToken(sub) {
		return "", nil, false
	}
	return typ + "/" + sub, parseParams(rest), true
}

// parseDisposition parses a Content-Disposition value leniently.
func parseDisposition(v string) (string, []rawParam) {
	t, rest, _ := strings.Cut(v, ";")
	t = strings.ToLower(strings.TrimSpace(stripComment(t)))
	if !isToken(t) {
		t = ""
	}
	return t, parseParams(rest)
}

// firstToken returns the first token of a header value such as
// Content-Transfer-Encoding, in lower case: "base64 (comment)" is "base64".
func firstToken(v string) string {
	v = strings.TrimSpace(v)
	i := 0
	for i < len(v) && isTokenChar(v[i]) {
		i++
	}
	return strings.ToLower(v[:i])
}

// stripComment removes a trailing RFC 822 comment: "us-ascii (Plain text)".
func stripComment(s string) string {
	if i := strings.IndexByte(s, '('); i >= 0 {
		return s[:i]
	}
	return s
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

// isTokenChar reports a character of RFC 2045's token.
func isTokenChar(c byte) bool {
	return c > ' ' && c < 0x7f && !strings.ContainsRune(`()<>@,;:\"/[]?=`, rune(c))
}

// parseParams parses `; name=value; name="quoted value"` leniently: white
// space around "=", empty parameters, a missing value, unquoted values
// with spaces (taken up to the next ";"), a trailing comment and an
// unterminated quoted string are all accepted.
func parseParams(s string) []rawParam {
	var out []rawParam
	for i := 0; i < len(s); {
		// Skip separators.
		for i < len(s) && (s[i] == ';' || s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
			i++
		}
		if i == len(s) {
			break
		}
		eq := strings.IndexAny(s[i:], "=;")
		if eq < 0 || s[i+eq] == ';' {
			// A parameter without a value: skip it.
			if eq < 0 {
				break
			}
			i += eq
			continue
		}
		name := strings.TrimSpace(s[i : i+eq])
		i += eq + 1
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		var value string
		if i < len(s) && s[i] == '"' {
			var b strings.Builder
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
				i++
			}
			value = b.String()
			// Skip the closing quote and anything up to the next ";".
			if j := strings.IndexByte(s[i:], ';'); j >= 0 {
				i += j
			} else {
				i = len(s)
			}
		} else {
			j := strings.IndexByte(s[i:], ';')
			if j < 0 {
				j = len(s) - i
			}
			value = strings.TrimSpace(stripComment(s[i : i+j]))
			i += j
		}
		if name != "" {
			out = append(out, rawParam{name, value})
		}
	}
	return out
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// A paramSection is one piece of an RFC 2231 parameter.
type paramSection struct {
	n        int // section number; -1 for an unnumbered parameter
	extended bool
	value    string
}

// maxParamSections bounds RFC 2231 section numbers (name*999 is a lot).
const maxParamSections = 1000

// mimeParams returns params as a map with lower-case names, joining RFC
// 2231 continuations (name*0, name*1*...) and decoding extended values
// (charset'language'%XX). Dovecot sends a parameter it has joined as
// "name*" with the value "charset'language'..." (its rfc2231_parse), which
// decodes the same way. When a parameter comes both plain and extended,
// the extended value wins (RFC 2231 section 4, RFC 6266 section 4.3).
func mimeParams(params []rawParam) map[string]string {
	if len(params) == 0 {
		return nil
	}
	sections := make(map[string][]paramSection, len(params))
	var order []string
	for _, p := range params {
		name := strings.ToLower(p.name)
		s := paramSection{n: -1, value: p.value}
		if strings.HasSuffix(name, "*") {
			s.extended = true
			name = name[:len(name)-1]
		}
		if i := strings.LastIndexByte(name, '*'); i >= 0 && isDigits(name[i+1:]) {
			if n, err := strconv.Atoi(name[i+1:]); err == nil && n < maxParamSections {
				s.n = n
				name = name[:i]
			}
		}
		if _, ok := sections[name]; !ok {
			order = append(order, name)
		}
		sections[name] = append(sections[name], s)
	}
	out := make(map[string]string, len(order))
	for _, name := range order {
		out[name] = joinParam(sections[name])
	}
	return out
}

// joinParam returns the value of a parameter from its sections: a single
// extended value, else the numbered sections in order, else the plain
// value.
func joinParam(ss []paramSection) string {
	var plain, ext *paramSection
	var numbered []paramSection
	for i := range ss {
		s := &ss[i]
		switch {
		case s.n >= 0:
			numbered = append(numbered, *s)
		case s.extended:
			if ext == nil {
				ext = s
			}
		default:
			if plain == nil {
				plain = s
			}
		}
	}
	switch {
	case ext != nil:
		numbered = []paramSection{{n: 0, extended: true, value: ext.value}}
	case len(numbered) > 0:
		sort.SliceStable(numbered, func(i, j int) bool { return numbered[i].n < numbered[j].n })
	default:
		return plain.value
	}
	var charset string
	var b []byte
	for i, s := range numbered {
		v := s.value
		if !s.extended {
			b = append(b, v...)
			continue
		}
		if i == 0 {
			// charset'language'value; a value without the quotes is
			// taken as it is.
			if cs, rest, ok := strings.Cut(v, "'"); ok {
				if _, rest, ok := strings.Cut(rest, "'"); ok {
					charset, v = cs, rest
				}
			}
		}
		b = percentDecode(b, v)
	}
	return bytesToUTF8(b, charset)
}

// percentDecode appends the RFC 2231 %XX-decoded s to b; a "%" that starts
// no escape is kept.
func percentDecode(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return b
}

// bytesToUTF8 converts b from charset; bytes in an unknown charset, or in
// none, are kept as they are if they are valid UTF-8.
func bytesToUTF8(b []byte, charset string) string {
	switch normalizeCharset(charset) {
	case "", "utf-8", "utf8", "us-ascii":
		if utf8.Valid(b) {
			return string(b)
		}
	}
	if e, err := lookupCharset(charset); err == nil {
		if out, err := e.NewDecoder().Bytes(b); err == nil {
			return string(out)
		}
	}
	return string(b)
}

// An UnknownEncodingError reports a Content-Transfer-Encoding that
// DecodePart cannot undo, such as "x-uuencode".
type UnknownEncodingError struct {
	Encoding string // as given
}

func (e *UnknownEncodingError) Error() string {
	return "imap: unknown content transfer encoding " + strconv.Quote(e.Encoding)
}

// DecodePart returns a reader of a part's body (as fetched with
// BODY[Path]) with its Content-Transfer-Encoding undone and, when charset
// is not "", its text converted from charset to UTF-8 as CharsetReader
// does. Pass a Part's Encoding and, for a text part, its Charset; pass
// charset "" for a body whose bytes matter (an attachment), or fetch
// BINARY[Path] (RFC 3516) and let the server undo the encoding.
//
// The decoders are lenient, as mail needs: base64 skips characters outside
// its alphabet and reads missing padding and padded blocks in a row;
// quoted-printable keeps an "=" that starts no escape, takes lower-case
// hex, accepts bare LF line ends, control characters and lines of any
// length (mime/quotedprintable rejects the last two), and drops the white
// space at line ends (RFC 2045 section 6.7, rule 3). "7bit", "8bit",
// "binary" and "" pass the bytes through.
//
// An unknown encoding gives an *UnknownEncodingError and an unknown
// charset an *UnknownCharsetError, before anything is read.
func DecodePart(p io.Reader, encoding, charset string) (io.Reader, error) {
	var ts []transform.Transformer
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "7bit", "8bit", "binary":
	case "base64":
		ts = append(ts, new(base64Decoder))
	case "quoted-printable":
		ts = append(ts, qpDecoder{})
	default:
		return nil, &UnknownEncodingError{Encoding: encoding}
	}
	if charset != "" {
		e, err := lookupCharset(charset)
		if err != nil {
			return nil, err
		}
		ts = append(ts, e.NewDecoder())
	}
	switch len(ts) {
	case 0:
		return p, nil
	case 1:
		return transform.NewReader(p, ts[0]), nil
	}
	return transform.NewReader(p, transform.Chain(ts...)), nil
}

// base64Decoder is a lenient base64 decoder (see decodeBase64Lenient).
type base64Decoder struct {
	acc  uint32  // the sextets of the current quantum
	n    int     // how many
	out  [3]byte // decoded bytes not yet written
	i, k int     // out[i:k] is pending
}

var base64Values = func() (t [256]byte) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

func (d *base64Decoder) Reset() { *d = base64Decoder{} }

// endQuantum decodes the quantum so far: 4 sextets make 3 bytes, 3 make
// 2, 2 make 1 and 1 makes none.
func (d *base64Decoder) endQuantum() {
	acc := d.acc << (6 * (4 - d.n))
	d.out = [3]byte{byte(acc >> 16), byte(acc >> 8), byte(acc)}
	d.i, d.k = 0, max(d.n-1, 0)
	d.acc, d.n = 0, 0
}

// drain writes pending bytes to dst and reports whether none are left.
func (d *base64Decoder) drain(dst []byte, nDst *int) bool {
	n := copy(dst[*nDst:], d.out[d.i:d.k])
	*nDst += n
	d.i += n
	return d.i == d.k
}

func (d *base64Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	if !d.drain(dst, &nDst) {
		return nDst, nSrc, transform.ErrShortDst
	}
	for nSrc < len(src) {
		c := src[nSrc]
		nSrc++
		if v := base64Values[c]; v != 0xff {
			d.acc = d.acc<<6 | uint32(v)
			d.n++
			if d.n < 4 {
				continue
			}
		} else if c != '=' || d.n == 0 {
			continue // outside the alphabet, or padding already used
		}
		d.endQuantum()
		if !d.drain(dst, &nDst) {
			return nDst, nSrc, transform.ErrShortDst
		}
	}
	if atEOF && d.n > 0 {
		d.endQuantum()
		if !d.drain(dst, &nDst) {
			return nDst, nSrc, transform.ErrShortDst
		}
	}
	return nDst, nSrc, nil
}

// qpDecoder is a lenient quoted-printable decoder (see DecodePart). It
// keeps no state: it asks for more input (ErrShortSrc) when it needs to
// look ahead, at most maxQPLookahead bytes, far less than the buffer of a
// transform.Reader.
type qpDecoder struct{ transform.NopResetter }

// maxQPLookahead bounds the run of white space looked through to find a
// line end; a longer run is kept as it is.
const maxQPLookahead = 256

func isWSP(c byte) bool { return c == ' ' || c == '\t' }

// lineEnd reports whether b starts with a line end: CRLF, LF, or (at the
// end of the input) nothing. more is true when that depends on bytes not
// seen yet.
func lineEnd(b []byte, atEOF bool) (n int, ok, more bool) {
	switch {
	case len(b) == 0:
		return 0, atEOF, !atEOF
	case b[0] == '\n':
		return 1, true, false
	case b[0] == '\r' && len(b) == 1:
		return 0, false, !atEOF
	case b[0] == '\r' && b[1] == '\n':
		return 2, true, false
	}
	return 0, false, false
}

func (qpDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		c := src[nSrc]
		switch {
		case c == '=':
			rest := src[nSrc+1:]
			if len(rest) >= 2 && isHex(rest[0]) && isHex(rest[1]) {
				if nDst == len(dst) {
					return nDst, nSrc, transform.ErrShortDst
				}
				dst[nDst] = unhex(rest[0])<<4 | unhex(rest[1])
				nDst++
				nSrc += 3
				continue
			}
			if len(rest) < 2 && !atEOF && (len(rest) == 0 || isHex(rest[0])) {
				return nDst, nSrc, transform.ErrShortSrc
			}
			// A soft line break: "=" *WSP line-end.
			j := 0
			for j < len(rest) && j < maxQPLookahead && isWSP(rest[j]) {
				j++
			}
			if j < maxQPLookahead {
				n, ok, more := lineEnd(rest[j:], atEOF)
				if more {
					return nDst, nSrc, transform.ErrShortSrc
				}
				if ok {
					nSrc += 1 + j + n
					continue
				}
			}
			// A literal "=".
			if nDst == len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = '='
			nDst++
			nSrc++
		case isWSP(c):
			j := nSrc
			for j < len(src) && j-nSrc < maxQPLookahead && isWSP(src[j]) {
				j++
			}
			if j-nSrc < maxQPLookahead {
				_, ok, more := lineEnd(src[j:], atEOF)
				if more {
					return nDst, nSrc, transform.ErrShortSrc
				}
				if ok {
					nSrc = j // trailing white space: dropped
					continue
				}
			}
			n := copy(dst[nDst:], src[nSrc:j])
			nDst += n
			nSrc += n
			if nSrc < j {
				return nDst, nSrc, transform.ErrShortDst
			}
		default:
			if nDst == len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = c
			nDst++
			nSrc++
		}
	}
	return nDst, nSrc, nil
}
