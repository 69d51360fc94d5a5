package main

import (
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/imapwire/imapwire/wire"
)

// A workload is one command's worth of server responses, generated once and
// replayed byte for byte to every client, with what a correct decoder must
// find in it.
type workload struct {
	Name    string // "envelope", "body", "list", "search"
	Title   string // for the table
	Unit    string // what Items counts: "msg", "mailbox", "UID"
	Payload []byte // the untagged responses, without the tagged completion
	Exists  uint32 // what SELECT reports
	// WantRaw is the digest of the values as sent (imapwire's typed
	// values keep encoded words, the Date header and the angle brackets
	// of message IDs as they are); WantDecoded the digest of the values
	// decoded as go-imap v2 decodes them (RFC 2047 words in subjects,
	// names, descriptions and parameter values; the Date header parsed;
	// message IDs without brackets). They differ only for "envelope".
	WantRaw     digest
	WantDecoded digest
	// CRC is the CRC-32C of Payload, for the raw-socket floor.
	CRC uint32
}

// Sizes of the workloads of record (issue #9). scale divides them, for
// tests.
const (
	envelopeMessages = 100_000
	bodyMessages     = 5_000
	listMailboxes    = 50_000
	searchUIDs       = 2_000_000
)

var workloadNames = []string{"envelope", "body", "list", "search"}

// generate builds the named workload with n items (messages, mailboxes or
// UIDs); n <= 0 means the size of record. The same name and n always give
// the same bytes.
func generate(name string, n int) (*workload, error) {
	g := &gen{r: rand.New(rand.NewPCG(0x1d2c3b4a, uint64(len(name))))}
	switch name {
	case "envelope":
		if n <= 0 {
			n = envelopeMessages
		}
		return g.envelopes(n), nil
	case "body":
		if n <= 0 {
			n = bodyMessages
		}
		return g.bodies(n, 40_000, 63_000), nil
	case "list":
		if n <= 0 {
			n = listMailboxes
		}
		return g.list(n), nil
	case "search":
		if n <= 0 {
			n = searchUIDs
		}
		return g.search(n), nil
	}
	return nil, fmt.Errorf("unknown workload %q (want one of %s)", name, strings.Join(workloadNames, ", "))
}

type gen struct {
	r   *rand.Rand
	buf []byte
}

func (g *gen) pick(l []string) string { return l[g.r.IntN(len(l))] }

// ---- strings on the wire ----

// nstring writes s as NIL (when nil is set), a quoted string, or a literal
// when s has bytes a quoted string cannot carry (as Dovecot does for 8-bit
// text).
func (g *gen) nstring(s string, isNil bool) {
	if isNil {
		g.buf = append(g.buf, "NIL"...)
		return
	}
	lit := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c == '\r' || c == '\n' {
			lit = true
			break
		}
	}
	if lit {
		g.buf = append(g.buf, '{')
		g.buf = strconv.AppendInt(g.buf, int64(len(s)), 10)
		g.buf = append(g.buf, "}\r\n"...)
		g.buf = append(g.buf, s...)
		return
	}
	g.buf = append(g.buf, '"')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' {
			g.buf = append(g.buf, '\\')
		}
		g.buf = append(g.buf, s[i])
	}
	g.buf = append(g.buf, '"')
}

func (g *gen) str(s string) { g.nstring(s, false) }

func (g *gen) sp() { g.buf = append(g.buf, ' ') }

func (g *gen) num(n uint64) { g.buf = strconv.AppendUint(g.buf, n, 10) }

// ---- the ENVELOPE + BODYSTRUCTURE workload ----

// A text is a header value as sent and as decoded.
type text struct {
	raw, dec string
	isNil    bool
}

type addr struct {
	name          text
	mailbox, host string // host "" and isNil for group markers
	groupMarker   bool
}

type envelope struct {
	date      time.Time
	dateStr   string
	subject   text
	lists     [6][]addr // from, sender, reply-to, to, cc, bcc
	inReplyTo string    // without brackets; "" for NIL
	messageID string    // without brackets
}

type param struct {
	name string
	val  text
}

type disposition struct {
	typ    string
	params []param
}

type body struct {
	multipart bool
	children  []*body
	// single part
	typ, subtype string
	id           string
	desc         text
	encoding     string
	size         uint32
	lines        uint32
	env          *envelope // message/rfc822
	inner        *body
	// both
	params   []param
	disp     *disposition
	lang     []string
	location string
}

var (
	firstNames = []string{"Terry", "John", "Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Yolanda", "Zoe", "Priya", "Chen", "Fatima", "Kenji", "Olga", "Pierre", "Sven"}
	lastNames  = []string{"Gray", "Klensin", "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Nguyen", "Hill"}
	intlNames  = []string{"Jörg Müller", "José García", "François Lefèvre", "Ελένη Παπαδοπούλου", "Дмитрий Иванов", "王伟", "佐藤 美咲", "Søren Kierkegård", "Zoë Brontë", "Łukasz Wróbel", "Ahmet Yılmaz", "Ana María Peña"}
	latinNames = []string{"Jörg Müller", "José García", "François Lefèvre", "Søren Kierkegård", "Zoë Brontë", "Ana María Peña"}
	domains    = []string{"cac.washington.edu", "mit.edu", "example.com", "example.org", "mail.example.net", "lists.example.com", "corp.example.co.uk", "gmail.com", "outlook.com", "fastmail.fm", "posteo.de", "yandex.ru"}
	words      = []string{"meeting", "notes", "quarterly", "report", "review", "draft", "proposal", "budget", "update", "release", "schedule", "invoice", "project", "status", "agenda", "minutes", "follow-up", "question", "request", "reminder", "team", "offsite", "contract", "renewal", "migration", "server", "outage", "postmortem", "roadmap", "planning", "design", "feedback", "deadline", "launch", "travel", "expenses"}
	intlWords  = []string{"Besprechung", "Protokoll", "réunion", "café", "naïve", "résumé", "Überprüfung", "Rechnung", "会议纪要", "季度报告", "会議", "Отчёт", "встреча", "Προσφορά", "Ütemterv", "zażółć"}
	latinWords = []string{"réunion", "café", "naïve", "résumé", "Überprüfung", "Größe", "Straße", "señal", "façade"}
	fileNames  = []string{"report.pdf", "invoice-2024-07.pdf", "slides.pptx", "budget.xlsx", "photo.jpg", "scan0001.pdf", "notes.txt", "contract_signed.pdf", "diagram.png", "minutes.docx"}
	intlFiles  = []string{"Übersicht.pdf", "Rechnung März.pdf", "会议纪要.docx", "résumé.pdf", "Отчёт.xlsx"}
	flagSets   = [][]string{{`\Seen`}, {`\Seen`}, {`\Seen`, `$Forwarded`}, {}, {`\Seen`, `\Answered`}, {`\Flagged`, `\Seen`}, {`\Seen`, `$NotJunk`, `NonJunk`}, {`\Draft`}, {`\Seen`, `\Answered`, `$Label1`}}
	mediaImg   = []string{"jpeg", "png", "gif"}
)

// latin1 returns s in ISO-8859-1 (s must be representable).
func latin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return string(b)
}

// encoded returns the header text t as a mail program writes it: plain
// ASCII, RFC 2047 Q or B words in UTF-8 or ISO-8859-1, or raw UTF-8 (RFC
// 6532), each decoding to t.
func (g *gen) encoded(t string, latin bool) text {
	ascii := true
	for i := 0; i < len(t); i++ {
		if t[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return text{raw: t, dec: t}
	}
	switch k := g.r.IntN(20); {
	case k == 0:
		return text{raw: t, dec: t} // raw UTF-8, sent as a literal
	case latin && k < 8:
		return text{raw: mime.QEncoding.Encode("iso-8859-1", latin1(t)), dec: t}
	case k < 12:
		return text{raw: mime.QEncoding.Encode("utf-8", t), dec: t}
	default:
		return text{raw: mime.BEncoding.Encode("UTF-8", t), dec: t}
	}
}

func (g *gen) subject() text {
	n := 4 + g.r.IntN(11)
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.pick(words)
	}
	plain := strings.Join(ws, " ")
	prefix := ""
	switch g.r.IntN(6) {
	case 0:
		prefix = "Re: "
	case 1:
		prefix = "Fwd: "
	case 2:
		prefix = "[list-" + strconv.Itoa(g.r.IntN(40)) + "] "
	}
	switch k := g.r.IntN(10); {
	case k < 5:
		if g.r.IntN(50) == 0 {
			plain += ` "quoted" \ back`
		}
		return text{raw: prefix + plain, dec: prefix + plain}
	case k < 7:
		w := g.pick(latinWords) + " " + plain
		t := g.encoded(w, true)
		return text{raw: prefix + t.raw, dec: prefix + t.dec}
	default:
		w := g.pick(intlWords) + " " + g.pick(intlWords) + " " + plain
		t := g.encoded(w, false)
		return text{raw: prefix + t.raw, dec: prefix + t.dec}
	}
}

func (g *gen) person() addr {
	var a addr
	switch k := g.r.IntN(10); {
	case k < 2:
		a.name = text{isNil: true}
		first, last := g.pick(firstNames), g.pick(lastNames)
		a.mailbox = strings.ToLower(first[:1] + last)
	case k < 4:
		n := g.pick(intlNames)
		latin := false
		for _, l := range latinNames {
			if l == n {
				latin = true
			}
		}
		a.name = g.encoded(n, latin)
		a.mailbox = "user" + strconv.Itoa(g.r.IntN(10000))
	default:
		first, last := g.pick(firstNames), g.pick(lastNames)
		n := first + " " + last
		a.name = text{raw: n, dec: n}
		a.mailbox = strings.ToLower(first + "." + last)
	}
	a.host = g.pick(domains)
	return a
}

func (g *gen) addrs(min, max int) []addr {
	n := min + g.r.IntN(max-min+1)
	if n == 0 {
		return nil
	}
	l := make([]addr, n)
	for i := range l {
		l[i] = g.person()
	}
	return l
}

// messageID returns a message ID (without brackets) of the lengths mail
// programs write: Gmail's about 50 characters, others 30 to 45.
func (g *gen) messageID() string {
	switch g.r.IntN(3) {
	case 0:
		var b [30]byte
		const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+_-="
		for i := range b {
			b[i] = alpha[g.r.IntN(len(alpha))]
		}
		return "CA" + string(b[:]) + "@mail.gmail.com"
	case 1:
		return strconv.FormatUint(g.r.Uint64()>>8, 36) + "." + strconv.FormatUint(g.r.Uint64()>>30, 36) + ".JavaMail.app@" + g.pick(domains)
	}
	return strconv.FormatUint(g.r.Uint64()>>20, 36) + "." + strconv.Itoa(g.r.IntN(1_000_000)) + "@" + g.pick(domains)
}

func (g *gen) envelope(t time.Time) *envelope {
	e := &envelope{date: t, subject: g.subject(), messageID: g.messageID()}
	e.dateStr = t.Format("Mon, 02 Jan 2006 15:04:05 -0700")
	from := g.addrs(1, 1)
	e.lists[0] = from
	e.lists[1] = from // sender: servers repeat From
	e.lists[2] = from // reply-to
	if g.r.IntN(5) == 0 {
		// A mailing list's message.
		l := "list-" + strconv.Itoa(g.r.IntN(40))
		e.lists[1] = []addr{{name: text{raw: l, dec: l}, mailbox: l + "-bounces", host: "lists.example.com"}}
		e.lists[2] = []addr{{name: text{isNil: true}, mailbox: l, host: "lists.example.com"}}
	} else if g.r.IntN(8) == 0 {
		e.lists[2] = g.addrs(1, 1)
	}
	e.lists[3] = g.addrs(1, 7)
	e.lists[4] = g.addrs(0, 8)
	switch g.r.IntN(25) {
	case 0:
		e.lists[5] = g.addrs(1, 2)
	case 1:
		// An RFC 2822 group, as "undisclosed-recipients:;".
		e.lists[5] = []addr{
			{name: text{isNil: true}, mailbox: "undisclosed-recipients", groupMarker: true},
			{name: text{isNil: true}, groupMarker: true},
		}
	}
	if g.r.IntN(2) == 0 {
		e.inReplyTo = g.messageID()
	}
	return e
}

func (g *gen) textPart(subtype string) *body {
	b := &body{typ: "text", subtype: subtype, encoding: "quoted-printable"}
	b.params = []param{{"charset", text{raw: "utf-8", dec: "utf-8"}}}
	if subtype == "plain" && g.r.IntN(4) == 0 {
		b.params = append(b.params, param{"format", text{raw: "flowed", dec: "flowed"}})
	}
	if g.r.IntN(3) == 0 {
		b.encoding = "7bit"
	}
	if g.r.IntN(10) == 0 {
		b.lang = []string{"en-US"}
	}
	b.size = uint32(200 + g.r.IntN(20000))
	b.lines = b.size/60 + 1
	return b
}

func (g *gen) attachment() *body {
	b := &body{encoding: "base64"}
	var name string
	if g.r.IntN(5) == 0 {
		name = g.pick(intlFiles)
	} else {
		name = g.pick(fileNames)
	}
	switch {
	case strings.HasSuffix(name, ".jpg"), strings.HasSuffix(name, ".png"):
		b.typ, b.subtype = "image", name[strings.LastIndexByte(name, '.')+1:]
		if b.subtype == "jpg" {
			b.subtype = "jpeg"
		}
	case strings.HasSuffix(name, ".txt"):
		b.typ, b.subtype = "text", "plain"
	default:
		b.typ, b.subtype = "application", "octet-stream"
		if strings.HasSuffix(name, ".pdf") {
			b.subtype = "pdf"
		}
	}
	fn := g.encoded(name, false)
	b.params = []param{{"name", fn}}
	b.disp = &disposition{typ: "attachment", params: []param{{"filename", fn}}}
	if g.r.IntN(2) == 0 {
		b.disp.params = append(b.disp.params, param{"size", text{raw: "48213", dec: "48213"}})
	}
	b.size = uint32(1000 + g.r.IntN(200_000))
	if b.typ == "text" {
		b.lines = b.size / 70
	}
	return b
}

func (g *gen) multipart(subtype string, children ...*body) *body {
	boundary := "----=_Part_" + strconv.Itoa(g.r.IntN(1_000_000)) + "_" + strconv.FormatUint(g.r.Uint64()>>24, 10)
	return &body{multipart: true, subtype: subtype, children: children,
		params: []param{{"boundary", text{raw: boundary, dec: boundary}}}}
}

// bodyStructure returns one of the shapes mail commonly has.
func (g *gen) bodyStructure(t time.Time, depth int) *body {
	switch k := g.r.IntN(20); {
	case k < 4:
		return g.textPart("plain")
	case k < 8:
		return g.multipart("alternative", g.textPart("plain"), g.textPart("html"))
	case k < 14:
		parts := []*body{g.multipart("alternative", g.textPart("plain"), g.textPart("html")), g.attachment()}
		for g.r.IntN(2) == 0 && len(parts) < 5 {
			parts = append(parts, g.attachment())
		}
		return g.multipart("mixed", parts...)
	case k < 17:
		img := &body{typ: "image", subtype: g.pick(mediaImg), encoding: "base64",
			id: "<part1." + strconv.Itoa(g.r.IntN(1e6)) + "@example.com>", size: uint32(2000 + g.r.IntN(50000))}
		img.params = []param{{"name", text{raw: "image001.png", dec: "image001.png"}}}
		img.disp = &disposition{typ: "inline", params: []param{{"filename", text{raw: "image001.png", dec: "image001.png"}}}}
		rel := g.multipart("related", g.textPart("html"), img)
		return g.multipart("alternative", g.textPart("plain"), rel)
	case k < 19 && depth == 0:
		inner := g.bodyStructure(t, depth+1)
		m := &body{typ: "message", subtype: "rfc822", encoding: "7bit", env: g.envelope(t.Add(-time.Hour)), inner: inner}
		m.desc = g.encoded("Forwarded message: "+g.pick(words), false)
		m.size = uint32(3000 + g.r.IntN(60000))
		m.lines = m.size / 60
		return g.multipart("mixed", g.textPart("plain"), m)
	default:
		sig := &body{typ: "application", subtype: "pgp-signature", encoding: "7bit", size: 833,
			params: []param{{"name", text{raw: "signature.asc", dec: "signature.asc"}}},
			desc:   text{raw: "OpenPGP digital signature", dec: "OpenPGP digital signature"}}
		sig.disp = &disposition{typ: "attachment", params: []param{{"filename", text{raw: "signature.asc", dec: "signature.asc"}}}}
		mp := g.multipart("signed", g.textPart("plain"), sig)
		mp.params = append(mp.params, param{"micalg", text{raw: "pgp-sha256", dec: "pgp-sha256"}},
			param{"protocol", text{raw: "application/pgp-signature", dec: "application/pgp-signature"}})
		return mp
	}
}

func (g *gen) writeText(t text) { g.nstring(t.raw, t.isNil) }

func (g *gen) writeAddrs(l []addr) {
	if len(l) == 0 {
		g.buf = append(g.buf, "NIL"...)
		return
	}
	g.buf = append(g.buf, '(')
	for _, a := range l {
		g.buf = append(g.buf, '(')
		g.writeText(a.name)
		g.buf = append(g.buf, " NIL "...)
		g.nstring(a.mailbox, a.groupMarker && a.mailbox == "")
		g.sp()
		g.nstring(a.host, a.groupMarker)
		g.buf = append(g.buf, ')')
	}
	g.buf = append(g.buf, ')')
}

func (g *gen) writeEnvelope(e *envelope) {
	g.buf = append(g.buf, '(')
	g.str(e.dateStr)
	g.sp()
	g.writeText(e.subject)
	for _, l := range e.lists {
		g.sp()
		g.writeAddrs(l)
	}
	g.sp()
	g.nstring("<"+e.inReplyTo+">", e.inReplyTo == "")
	g.sp()
	g.str("<" + e.messageID + ">")
	g.buf = append(g.buf, ')')
}

func (g *gen) writeParams(l []param) {
	if len(l) == 0 {
		g.buf = append(g.buf, "NIL"...)
		return
	}
	g.buf = append(g.buf, '(')
	for i, p := range l {
		if i > 0 {
			g.sp()
		}
		g.str(p.name)
		g.sp()
		g.writeText(p.val)
	}
	g.buf = append(g.buf, ')')
}

func (g *gen) writeExt(b *body) {
	g.sp()
	if b.disp == nil {
		g.buf = append(g.buf, "NIL"...)
	} else {
		g.buf = append(g.buf, '(')
		g.str(b.disp.typ)
		g.sp()
		g.writeParams(b.disp.params)
		g.buf = append(g.buf, ')')
	}
	g.sp()
	if len(b.lang) == 0 {
		g.buf = append(g.buf, "NIL"...)
	} else {
		g.buf = append(g.buf, '(')
		for i, l := range b.lang {
			if i > 0 {
				g.sp()
			}
			g.str(l)
		}
		g.buf = append(g.buf, ')')
	}
	g.sp()
	g.nstring(b.location, b.location == "")
}

func (g *gen) writeBody(b *body) {
	g.buf = append(g.buf, '(')
	if b.multipart {
		for _, c := range b.children {
			g.writeBody(c)
		}
		g.sp()
		g.str(b.subtype)
		g.sp()
		g.writeParams(b.params)
		g.writeExt(b)
		g.buf = append(g.buf, ')')
		return
	}
	g.str(b.typ)
	g.sp()
	g.str(b.subtype)
	g.sp()
	g.writeParams(b.params)
	g.sp()
	g.nstring(b.id, b.id == "")
	g.sp()
	g.nstring(b.desc.raw, b.desc.raw == "")
	g.sp()
	g.str(b.encoding)
	g.sp()
	g.num(uint64(b.size))
	if b.env != nil {
		g.sp()
		g.writeEnvelope(b.env)
		g.sp()
		g.writeBody(b.inner)
		g.sp()
		g.num(uint64(b.lines))
	} else if strings.EqualFold(b.typ, "text") {
		g.sp()
		g.num(uint64(b.lines))
	}
	g.buf = append(g.buf, " NIL"...) // body-fld-md5
	g.writeExt(b)
	g.buf = append(g.buf, ')')
}

// The digest of the generated values, in the order every decoder feeds it
// (see feed*.go): raw (as sent) or decoded (as go-imap decodes).

func (t text) view(decoded bool) string {
	if t.isNil {
		return ""
	}
	if decoded {
		return t.dec
	}
	return t.raw
}

func feedGenEnvelope(d *digest, e *envelope, decoded bool) {
	if decoded {
		d.num(uint64(e.date.Unix()))
	} else {
		d.str(e.dateStr)
	}
	d.str(e.subject.view(decoded))
	for _, l := range e.lists {
		d.num(uint64(len(l)))
		for _, a := range l {
			d.str(a.name.view(decoded))
			d.str(a.mailbox)
			d.str(a.host)
		}
	}
	if decoded {
		if e.inReplyTo == "" {
			d.num(0)
		} else {
			d.num(1)
			d.str(e.inReplyTo)
		}
		d.str(e.messageID)
	} else {
		if e.inReplyTo == "" {
			d.str("")
		} else {
			d.str("<" + e.inReplyTo + ">")
		}
		d.str("<" + e.messageID + ">")
	}
}

func feedGenParams(d *digest, l []param, decoded bool) {
	var sum uint64
	for _, p := range l {
		sum += pair(p.name, p.val.view(decoded))
	}
	d.params(len(l), sum)
}

func feedGenExt(d *digest, b *body, decoded bool) {
	if b.disp == nil {
		d.num(0)
	} else {
		d.num(1)
		d.str(b.disp.typ)
		feedGenParams(d, b.disp.params, decoded)
	}
	d.strs(b.lang)
	d.str(b.location)
}

func feedGenBody(d *digest, b *body, decoded bool) {
	if b.multipart {
		d.num(1)
		d.num(uint64(len(b.children)))
		for _, c := range b.children {
			feedGenBody(d, c, decoded)
		}
		d.str(b.subtype)
		feedGenParams(d, b.params, decoded)
		feedGenExt(d, b, decoded)
		return
	}
	d.num(2)
	d.str(b.typ)
	d.str(b.subtype)
	feedGenParams(d, b.params, decoded)
	d.str(b.id)
	d.str(b.desc.view(decoded))
	d.str(b.encoding)
	d.num(uint64(b.size))
	if b.env != nil {
		feedGenEnvelope(d, b.env, decoded)
		feedGenBody(d, b.inner, decoded)
		d.num(uint64(b.lines))
	} else if strings.EqualFold(b.typ, "text") {
		d.num(uint64(b.lines))
	}
	feedGenExt(d, b, decoded)
}

func (g *gen) envelopes(n int) *workload {
	w := &workload{Name: "envelope", Unit: "msg", Exists: uint32(n)}
	g.buf = make([]byte, 0, n*1450)
	t := time.Date(2019, 3, 1, 8, 0, 0, 0, time.FixedZone("", -7*3600))
	uid := uint32(1000)
	zones := []*time.Location{time.FixedZone("", -7*3600), time.FixedZone("", 3600), time.FixedZone("", 0), time.FixedZone("", 9*3600), time.FixedZone("", 5*3600+1800)}
	for seq := 1; seq <= n; seq++ {
		uid += 1 + uint32(g.r.IntN(3)/2)*uint32(g.r.IntN(4))
		t = t.Add(time.Duration(g.r.IntN(3600)) * time.Second)
		sent := t.Add(-time.Duration(g.r.IntN(600)) * time.Second).In(g.zone(zones))
		env := g.envelope(sent)
		bs := g.bodyStructure(sent, 0)
		flags := flagSets[g.r.IntN(len(flagSets))]
		size := uint64(2000 + g.r.IntN(120_000))

		g.buf = append(g.buf, "* "...)
		g.num(uint64(seq))
		g.buf = append(g.buf, " FETCH (UID "...)
		g.num(uint64(uid))
		g.buf = append(g.buf, " FLAGS ("...)
		g.buf = append(g.buf, strings.Join(flags, " ")...)
		g.buf = append(g.buf, ") INTERNALDATE \""...)
		g.buf = t.AppendFormat(g.buf, "_2-Jan-2006 15:04:05 -0700")
		g.buf = append(g.buf, "\" RFC822.SIZE "...)
		g.num(size)
		g.buf = append(g.buf, " ENVELOPE "...)
		g.writeEnvelope(env)
		g.buf = append(g.buf, " BODYSTRUCTURE "...)
		g.writeBody(bs)
		g.buf = append(g.buf, ")\r\n"...)

		for i, d := range []*digest{&w.WantRaw, &w.WantDecoded} {
			d.Items++
			d.Sum += uint64(uid)
			d.num(uint64(seq))
			d.num(uint64(uid))
			d.strs(flags)
			d.num(uint64(t.Unix()))
			d.num(size)
			feedGenEnvelope(d, env, i == 1)
			feedGenBody(d, bs, i == 1)
		}
	}
	w.Payload = g.buf
	w.CRC = crc32.Checksum(w.Payload, castagnoli)
	w.Title = fmt.Sprintf("%s FETCH (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE), %s", count(n), mb(len(w.Payload)))
	return w
}

func (g *gen) zone(l []*time.Location) *time.Location { return l[g.r.IntN(len(l))] }

// ---- the BODY[] workload ----

func (g *gen) bodies(n, min, max int) *workload {
	w := &workload{Name: "body", Unit: "msg", Exists: uint32(n)}
	g.buf = make([]byte, 0, n*(min+max)/2+n*100)
	var msg []byte
	raw := make([]byte, 57)
	t := time.Date(2023, 1, 9, 9, 30, 0, 0, time.UTC)
	uid := uint32(500)
	for seq := 1; seq <= n; seq++ {
		uid += 1 + uint32(g.r.IntN(3)/2)
		t = t.Add(time.Duration(g.r.IntN(7200)) * time.Second)
		size := min + g.r.IntN(max-min+1)
		from, to := g.person(), g.person()
		boundary := "b1_" + strconv.FormatUint(g.r.Uint64(), 36)
		msg = msg[:0]
		msg = fmt.Appendf(msg, "Return-Path: <%s@%s>\r\nDate: %s\r\nFrom: %s <%s@%s>\r\nTo: %s <%s@%s>\r\nSubject: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n",
			from.mailbox, from.host, t.Format(time.RFC1123Z), from.name.raw, from.mailbox, from.host, to.name.raw, to.mailbox, to.host, g.subject().raw, g.messageID(), boundary)
		msg = fmt.Appendf(msg, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n", boundary)
		for range 10 + g.r.IntN(30) {
			line := 0
			for line < 66 {
				wd := g.pick(words)
				msg = append(msg, wd...)
				msg = append(msg, ' ')
				line += len(wd) + 1
			}
			msg = append(msg, "\r\n"...)
		}
		msg = fmt.Appendf(msg, "\r\n--%s\r\nContent-Type: application/pdf; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", boundary, g.pick(fileNames), g.pick(fileNames))
		tail := "\r\n--" + boundary + "--\r\n"
		for len(msg)+78+len(tail) <= size {
			for i := range raw {
				raw[i] = byte(g.r.Uint32())
			}
			msg = base64.StdEncoding.AppendEncode(msg, raw)
			msg = append(msg, "\r\n"...)
		}
		for len(msg)+len(tail) < size {
			msg = append(msg, 'A')
		}
		msg = append(msg, tail...)

		g.buf = append(g.buf, "* "...)
		g.num(uint64(seq))
		g.buf = append(g.buf, " FETCH (UID "...)
		g.num(uint64(uid))
		g.buf = append(g.buf, " BODY[] {"...)
		g.num(uint64(len(msg)))
		g.buf = append(g.buf, "}\r\n"...)
		g.buf = append(g.buf, msg...)
		g.buf = append(g.buf, ")\r\n"...)

		d := &w.WantRaw
		d.Items++
		d.Sum += uint64(uid)
		feedBody(d, uint32(seq), uid, uint64(len(msg)), crc32.Checksum(msg, castagnoli))
	}
	w.WantDecoded = w.WantRaw
	w.Payload = g.buf
	w.CRC = crc32.Checksum(w.Payload, castagnoli)
	w.Title = fmt.Sprintf("%s FETCH BODY.PEEK[] (~%d KB each), %s", count(n), (min+max)/2/1000, mb(len(w.Payload)))
	return w
}

// feedBody is the digest of one BODY[] message, the same for every decoder.
func feedBody(d *digest, seq, uid uint32, size uint64, crc uint32) {
	d.num(uint64(seq))
	d.num(uint64(uid))
	d.num(size)
	d.num(uint64(crc))
}

// ---- the LIST workload ----

var (
	topFolders  = []string{"Archive", "Projects", "Clients", "Lists", "Vendors", "Receipts", "Travel", "Team", "Personal", "Entwürfe", "Archiv", "Clientes", "Документы", "工作"}
	midFolders  = []string{"2017", "2018", "2019", "2020", "2021", "2022", "2023", "2024", "Q1", "Q2", "Q3", "Q4", "Support", "Sales", "Engineering", "Legal", "Finance", "Operations", "Marketing", "Réunions", "Übergabe"}
	leafFolders = []string{"Reports", "Invoices", "Contracts", "Meeting Notes", "Correspondence", "Drafts", "Escalations", "Releases", "Reviews", "Planning", "Newsletters", "Notifications", "Tickets", "Backups", "Bestätigungen", "Presupuestos"}
	projects    = []string{"Acme Corporation", "Globex", "Initech", "Umbrella Health", "Stark Industries", "Wayne Enterprises", "Hooli", "Vandelay Industries", "Soylent", "Tyrell Corp", "Müller & Söhne GmbH", "Société Générale d'Études", "北京分公司"}
	specialUse  = []struct{ name, attr string }{{"Sent", `\Sent`}, {"Drafts", `\Drafts`}, {"Trash", `\Trash`}, {"Junk", `\Junk`}, {"Archive", `\Archive`}}
)

func (g *gen) list(n int) *workload {
	w := &workload{Name: "list", Unit: "mailbox", Exists: 0}
	g.buf = make([]byte, 0, n*95)
	write := func(attrs []string, name string) {
		g.buf = append(g.buf, "* LIST ("...)
		g.buf = append(g.buf, strings.Join(attrs, " ")...)
		g.buf = append(g.buf, ") \"/\" "...)
		enc := wire.EncodeUTF7(name)
		g.str(enc)
		g.buf = append(g.buf, "\r\n"...)
		d := &w.WantRaw
		d.Items++
		d.Sum += uint64(len(name))
		feedList(d, attrs, '/', name)
	}
	write([]string{`\HasNoChildren`}, "INBOX")
	written := 1
	for _, s := range specialUse {
		if written >= n {
			break
		}
		write([]string{`\HasNoChildren`, s.attr}, s.name)
		written++
	}
	for i := 0; written < n; i++ {
		top := g.pick(topFolders)
		mid := g.pick(midFolders)
		name := top + "/" + mid + "/"
		if g.r.IntN(10) < 9 {
			name += g.pick(projects) + "/"
		}
		name += g.pick(leafFolders) + " " + g.pick(midFolders) + " " + strconv.Itoa(i)
		var attrs []string
		switch k := g.r.IntN(10); {
		case k < 7:
			attrs = []string{`\HasNoChildren`}
		case k < 9:
			attrs = []string{`\HasChildren`}
		default:
			attrs = []string{`\Noselect`, `\HasChildren`}
		}
		if g.r.IntN(4) == 0 {
			attrs = append(attrs, `\Subscribed`)
		}
		write(attrs, name)
		written++
	}
	w.WantDecoded = w.WantRaw
	w.Payload = g.buf
	w.CRC = crc32.Checksum(w.Payload, castagnoli)
	w.Title = fmt.Sprintf("LIST of %s mailboxes, %s", count(n), mb(len(w.Payload)))
	return w
}

// feedList is the digest of one LIST response, the same for every decoder.
func feedList(d *digest, attrs []string, delim rune, name string) {
	d.strs(attrs)
	d.num(uint64(delim))
	d.str(name)
}

// ---- the SEARCH workload ----

func (g *gen) search(n int) *workload {
	w := &workload{Name: "search", Unit: "UID", Exists: uint32(n)}
	g.buf = make([]byte, 0, n*8+16)
	g.buf = append(g.buf, "* SEARCH"...)
	d := &w.WantRaw
	uid := uint64(0)
	for range n {
		// Gaps where messages were expunged: 3 on average, so that
		// 2,000,000 UIDs reach about 6 million.
		uid += 1 + uint64(g.r.IntN(5))
		g.buf = append(g.buf, ' ')
		g.num(uid)
		d.Items++
		d.Sum += uid
		d.num(uid)
	}
	g.buf = append(g.buf, "\r\n"...)
	w.WantDecoded = w.WantRaw
	w.Payload = g.buf
	w.CRC = crc32.Checksum(w.Payload, castagnoli)
	w.Title = fmt.Sprintf("UID SEARCH of %s UIDs, %s", count(n), mb(len(w.Payload)))
	return w
}

// count writes n as "100k" or "2M" when it is round, else as is.
func count(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return strconv.Itoa(n/1_000_000) + "M"
	case n >= 1000 && n%1000 == 0:
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

func mb(n int) string {
	if n >= 10e6 {
		return fmt.Sprintf("%.0f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
