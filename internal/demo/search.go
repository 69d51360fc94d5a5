package demo

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/transform"

	"github.com/imapwire/imapwire/wire"
)

// SEARCH (RFC 3501 section 6.4.4) with ESEARCH's RETURN options (RFC 4731).

type searchArgs struct {
	esearch bool     // RETURN was given
	ret     []string // MIN, MAX, ALL, COUNT (ALL when RETURN () is empty)
	charset string
	key     *searchKey // an AND of the keys given
}

// A searchKey is one node of the search program.
type searchKey struct {
	op     string // see match
	flag   string
	field  string
	value  string
	date   time.Time
	size   uint32
	modseq uint64
	set    wire.SeqSet
	sub    []*searchKey

	rs    []wire.SeqRange // set resolved for rsMax
	rsMax uint32
}

// parseSearch reads [RETURN (...)] [CHARSET name] key *(SP key).
func parseSearch(c *cmdReader) (*searchArgs, error) {
	sa := &searchArgs{}
	if err := c.sp("search"); err != nil {
		return nil, err
	}
	var keys []*searchKey
	count := 0
	first := true
	for {
		ch, err := c.peek()
		if err != nil {
			return nil, err
		}
		if first && (ch == 'R' || ch == 'r' || ch == 'C' || ch == 'c') {
			// RETURN or CHARSET: read the atom, then decide.
			a, err := c.atom("search-key")
			if err != nil {
				return nil, err
			}
			switch {
			case a == "RETURN" && !sa.esearch && sa.charset == "" && len(keys) == 0:
				if err := c.sp("search-return-opts"); err != nil {
					return nil, err
				}
				opts, err := c.atomList("search-return-opts", true)
				if err != nil {
					return nil, err
				}
				for _, o := range opts {
					switch o {
					case "MIN", "MAX", "ALL", "COUNT":
					default:
						return nil, badf("search: unknown return option %s", o)
					}
				}
				if len(opts) == 0 {
					opts = []string{"ALL"}
				}
				sa.esearch, sa.ret = true, opts
				if err := c.sp("search"); err != nil {
					return nil, err
				}
				continue
			case a == "CHARSET" && sa.charset == "" && len(keys) == 0:
				if err := c.sp("search"); err != nil {
					return nil, err
				}
				cs, err := c.astring("charset")
				if err != nil {
					return nil, err
				}
				sa.charset = strings.ToUpper(cs)
				if sa.charset != "UTF-8" && sa.charset != "US-ASCII" && lookupCharset(cs) == nil {
					return nil, &parseError{msg: "unsupported charset " + cs, code: "BADCHARSET (UTF-8 US-ASCII)"}
				}
				if err := c.sp("search"); err != nil {
					return nil, err
				}
				first = false
				continue
			}
			k, err := parseSearchKeyNamed(c, a, 0, &count)
			if err != nil {
				return nil, err
			}
			keys = append(keys, k)
		} else {
			k, err := parseSearchKey(c, 0, &count)
			if err != nil {
				return nil, err
			}
			keys = append(keys, k)
		}
		first = false
		if eol, err := c.atEOL(); err != nil || eol {
			sa.key = &searchKey{op: "AND", sub: keys}
			if enc := lookupCharset(sa.charset); enc != nil && err == nil {
				// Search strings in another charset: to UTF-8.
				if err := sa.key.decodeStrings(enc); err != nil {
					return nil, err
				}
			}
			return sa, err
		}
		if err := c.sp("search"); err != nil {
			return nil, err
		}
	}
}

// parseSearchKey reads one search-key.
func parseSearchKey(c *cmdReader, depth int, count *int) (*searchKey, error) {
	ch, err := c.peek()
	if err != nil {
		return nil, err
	}
	switch {
	case ch == '(':
		if depth >= maxSearchDepth {
			return nil, badf("search: nested deeper than %d", maxSearchDepth)
		}
		c.r.ReadByte()
		k := &searchKey{op: "AND"}
		for {
			sub, err := parseSearchKey(c, depth+1, count)
			if err != nil {
				return nil, err
			}
			k.sub = append(k.sub, sub)
			ch, err := c.peek()
			if err != nil {
				return nil, err
			}
			if ch == ')' {
				c.r.ReadByte()
				return k, nil
			}
			if err := c.sp("search-key"); err != nil {
				return nil, err
			}
		}
	case ch == '*' || (ch >= '1' && ch <= '9'):
		*count++
		set, err := c.seqSet("sequence-set")
		if err != nil {
			return nil, err
		}
		return &searchKey{op: "SEQ", set: set}, nil
	}
	a, err := c.atom("search-key")
	if err != nil {
		return nil, err
	}
	return parseSearchKeyNamed(c, a, depth, count)
}

// parseSearchKeyNamed reads the arguments of the key named a.
func parseSearchKeyNamed(c *cmdReader, a string, depth int, count *int) (*searchKey, error) {
	*count++
	if *count > maxSearchKeys {
		return nil, badf("search: more than %d keys", maxSearchKeys)
	}
	if depth >= maxSearchDepth {
		return nil, badf("search: nested deeper than %d", maxSearchDepth)
	}
	k := &searchKey{op: a}
	str := func() (string, error) {
		if err := c.sp("search-key"); err != nil {
			return "", err
		}
		return c.astring("search-key")
	}
	var err error
	switch a {
	case "ALL", "ANSWERED", "DELETED", "DRAFT", "FLAGGED", "NEW", "OLD", "RECENT", "SEEN",
		"UNANSWERED", "UNDELETED", "UNDRAFT", "UNFLAGGED", "UNSEEN":
		return k, nil
	case "BCC", "BODY", "CC", "FROM", "SUBJECT", "TEXT", "TO":
		k.value, err = str()
	case "KEYWORD", "UNKEYWORD":
		if err := c.sp("search-key"); err != nil {
			return nil, err
		}
		k.flag, err = c.flag("flag-keyword")
	case "HEADER":
		if k.field, err = str(); err != nil {
			return nil, err
		}
		k.value, err = str()
	case "BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE":
		var s string
		if s, err = str(); err != nil {
			return nil, err
		}
		k.date, err = parseDate(s)
	case "LARGER", "SMALLER":
		if err := c.sp("search-key"); err != nil {
			return nil, err
		}
		k.size, err = c.number("number")
	case "MODSEQ":
		// MODSEQ [entry-name entry-type-req] mod-sequence-valzer (RFC 7162).
		if err := c.sp("search-modsequence"); err != nil {
			return nil, err
		}
		if ch, err := c.peek(); err != nil {
			return nil, err
		} else if ch == '"' {
			if _, err := c.r.ReadQuoted("entry-name"); err != nil {
				return nil, err
			}
			if err := c.sp("search-modsequence"); err != nil {
				return nil, err
			}
			switch t, err := c.atom("entry-type-req"); {
			case err != nil:
				return nil, err
			case t != "PRIV" && t != "SHARED" && t != "ALL":
				return nil, badf("search: unknown entry type %s", t)
			}
			if err := c.sp("search-modsequence"); err != nil {
				return nil, err
			}
		}
		k.modseq, err = c.r.ReadNumber64("mod-sequence-valzer")
	case "UID":
		if err := c.sp("search-key"); err != nil {
			return nil, err
		}
		k.set, err = c.seqSet("sequence-set")
	case "NOT":
		if err := c.sp("search-key"); err != nil {
			return nil, err
		}
		var sub *searchKey
		sub, err = parseSearchKey(c, depth+1, count)
		k.sub = []*searchKey{sub}
	case "OR":
		for i := 0; i < 2; i++ {
			if err := c.sp("search-key"); err != nil {
				return nil, err
			}
			sub, err := parseSearchKey(c, depth+1, count)
			if err != nil {
				return nil, err
			}
			k.sub = append(k.sub, sub)
		}
	default:
		return nil, badf("search: unknown key %s", a)
	}
	if err != nil {
		return nil, err
	}
	return k, nil
}

// decodeStrings converts the key's strings from enc to UTF-8.
func (k *searchKey) decodeStrings(enc encoding.Encoding) error {
	if k.value != "" {
		v, err := enc.NewDecoder().String(k.value)
		if err != nil {
			return badf("search string not in the charset given: %v", err)
		}
		k.value = v
	}
	for _, s := range k.sub {
		if err := s.decodeStrings(enc); err != nil {
			return err
		}
	}
	return nil
}

// usesModSeq reports whether a MODSEQ key is in the program.
func (k *searchKey) usesModSeq() bool {
	if k.op == "MODSEQ" {
		return true
	}
	for _, s := range k.sub {
		if s.usesModSeq() {
			return true
		}
	}
	return false
}

// searchCtx is what a search needs besides the message.
type searchCtx struct {
	seq    uint32 // the message's sequence number
	maxSeq uint32
	maxUID uint32
	recent func(*message) bool // session.isRecentLocked
}

// match reports whether m matches k.
func (k *searchKey) match(m *message, x *searchCtx) bool {
	switch k.op {
	case "AND":
		for _, s := range k.sub {
			if !s.match(m, x) {
				return false
			}
		}
		return true
	case "OR":
		return k.sub[0].match(m, x) || k.sub[1].match(m, x)
	case "NOT":
		return !k.sub[0].match(m, x)
	case "ALL":
		return true
	case "SEQ":
		return k.setContains(x.seq, x.maxSeq)
	case "UID":
		return k.setContains(m.uid, x.maxUID)
	case "ANSWERED", "DELETED", "DRAFT", "FLAGGED", "SEEN":
		return m.hasFlag(`\` + k.op)
	case "UNANSWERED", "UNDELETED", "UNDRAFT", "UNFLAGGED", "UNSEEN":
		return !m.hasFlag(`\` + k.op[2:])
	case "KEYWORD":
		return m.hasFlag(k.flag)
	case "UNKEYWORD":
		return !m.hasFlag(k.flag)
	case "RECENT":
		return isRecent(m, x)
	case "NEW":
		return isRecent(m, x) && !m.hasFlag(`\Seen`)
	case "OLD":
		return !isRecent(m, x)
	case "MODSEQ":
		return m.modseq >= k.modseq
	case "LARGER":
		return uint64(len(m.content.raw)) > uint64(k.size)
	case "SMALLER":
		return uint64(len(m.content.raw)) < uint64(k.size)
	case "BEFORE", "ON", "SINCE":
		return compareDay(m.date, k.date, k.op)
	case "SENTBEFORE", "SENTON", "SENTSINCE":
		e := m.content.root()
		v, ok := e.field("Date")
		if !ok {
			return false
		}
		t, err := mail.ParseDate(v)
		if err != nil {
			return false
		}
		return compareDay(t, k.date, k.op[len("SENT"):])
	case "BCC", "CC", "FROM", "TO":
		return addressContains(m.content.root(), k.op, k.value)
	case "SUBJECT":
		return headerContains(m.content.root(), k.op, k.value)
	case "HEADER":
		return headerContains(m.content.root(), k.field, k.value)
	case "BODY":
		return bodyContains(m.content.root(), k.value)
	case "TEXT":
		e := m.content.root()
		return headerContains(e, "", k.value) || bodyContains(e, k.value)
	}
	return false
}

func isRecent(m *message, x *searchCtx) bool {
	return x.recent(m)
}

// compareDay compares the days of t (in its own zone) and day.
func compareDay(t, day time.Time, op string) bool {
	y, mo, d := t.Date()
	td := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	switch op {
	case "BEFORE":
		return td.Before(day)
	case "ON":
		return td.Equal(day)
	}
	return !td.Before(day) // SINCE
}

// headerContains reports whether a header field named name (any field
// when name is "") contains value, case-insensitively, in its raw form
// or with RFC 2047 encoded words decoded. HEADER with an empty value
// matches any message that has the field.
func headerContains(e *entity, name, value string) bool {
	needle := strings.ToLower(value)
	for _, f := range e.fields {
		if name != "" && !strings.EqualFold(f.name, name) {
			continue
		}
		if needle == "" {
			return true
		}
		if strings.Contains(strings.ToLower(f.value), needle) ||
			strings.Contains(strings.ToLower(decodeHeader(f.value)), needle) {
			return true
		}
	}
	return false
}

// addressContains is headerContains for an address field (SEARCH FROM,
// TO, CC, BCC; RFC 3501 section 6.4.4): besides the field's text, each
// address is matched as ENVELOPE shows it, read by the same parse
// (comments, quoted local parts, routes, folded lines), as
// `Name <mailbox@host>` with the name's encoded words decoded, so that
// `"john doe"@example.com` is found by "john doe@example.com" and
// `bob@\r\n example.org` by "bob@example.org".
func addressContains(e *entity, name, value string) bool {
	if headerContains(e, name, value) {
		return true
	}
	needle := strings.ToLower(value)
	for _, f := range e.fields {
		if !strings.EqualFold(f.name, name) {
			continue
		}
		for _, a := range parseAddressList(f.value) {
			var form string
			switch {
			case a.groupEnd:
				continue
			case a.groupStart:
				form = decodeHeader(a.mailbox)
			default:
				form = decodeHeader(a.name) + " <" + a.mailbox + "@" + a.host + ">"
			}
			if strings.Contains(strings.ToLower(form), needle) {
				return true
			}
		}
	}
	return false
}

// bodyContains reports whether any text part of e (or, for other parts,
// the raw body) contains value, case-insensitively, after decoding the
// transfer encoding and the charset.
func bodyContains(e *entity, value string) bool {
	needle := strings.ToLower(value)
	found := false
	var walk func(p *entity, depth int)
	walk = func(p *entity, depth int) {
		if found || depth > maxMIMEDepth {
			return
		}
		switch {
		case p.typ == "multipart":
			for _, c := range p.parts {
				walk(c, depth+1)
			}
		case p.msg != nil:
			if headerContains(p.msg, "", value) {
				found = true
				return
			}
			walk(p.msg, depth+1)
		default:
			text := decodeBody(p)
			found = strings.Contains(strings.ToLower(text), needle)
		}
	}
	walk(e, 0)
	return found
}

// decodeBody returns a part's body decoded to UTF-8 text as well as it
// can be.
func decodeBody(p *entity) string {
	body := p.body
	var r io.Reader = bytes.NewReader(body)
	switch p.enc {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &base64Cleaner{r: r})
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	}
	if p.typ == "text" {
		if enc := lookupCharset(p.param("charset")); enc != nil {
			r = transform.NewReader(r, enc.NewDecoder())
		}
	}
	b, err := io.ReadAll(io.LimitReader(r, maxMessageSize))
	if err != nil && len(b) == 0 {
		return string(body)
	}
	return string(b)
}

// base64Cleaner drops the line ends and other non-alphabet bytes that
// base64 bodies carry.
type base64Cleaner struct{ r io.Reader }

func (c *base64Cleaner) Read(p []byte) (int, error) {
	for {
		n, err := c.r.Read(p)
		j := 0
		for _, b := range p[:n] {
			if b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '+' || b == '/' || b == '=' {
				p[j] = b
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// lookupCharset returns the decoder for a charset name, or nil for UTF-8,
// US-ASCII and names it does not know.
func lookupCharset(name string) encoding.Encoding {
	n := strings.ToLower(strings.Trim(strings.TrimSpace(name), `"'`))
	switch n {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return nil
	}
	if enc, err := htmlindex.Get(n); err == nil && enc != nil {
		return enc
	}
	if enc, err := ianaindex.MIME.Encoding(n); err == nil && enc != nil {
		return enc
	}
	return nil
}

// wordDecoder decodes RFC 2047 encoded words in any charset x/text knows.
var wordDecoder = &mime.WordDecoder{CharsetReader: func(charset string, input io.Reader) (io.Reader, error) {
	enc := lookupCharset(charset)
	if enc == nil {
		return input, nil
	}
	return transform.NewReader(input, enc.NewDecoder()), nil
}}

// decodeHeader decodes the encoded words of a header value; on failure it
// returns the value as it is.
func decodeHeader(v string) string {
	if !strings.Contains(v, "=?") {
		return v
	}
	d, err := wordDecoder.DecodeHeader(v)
	if err != nil || !utf8.ValidString(d) {
		return v
	}
	return d
}

// resolveSet returns set with "*" replaced by max, as sorted, disjoint
// ranges (RFC 3501: a range's ends in any order; "n:*" with n > max is
// max:n).
func resolveSet(set wire.SeqSet, max uint32) []wire.SeqRange {
	out := make([]wire.SeqRange, 0, len(set))
	for _, r := range set {
		lo, hi := r.Start, r.Stop
		if lo == 0 {
			lo = max
		}
		if hi == 0 {
			hi = max
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		if lo == 0 {
			if hi == 0 {
				continue
			}
			lo = 1
		}
		out = append(out, wire.SeqRange{Start: lo, Stop: hi})
	}
	slices.SortFunc(out, func(a, b wire.SeqRange) int { return cmp.Compare(a.Start, b.Start) })
	merged := out[:0]
	for _, r := range out {
		if n := len(merged); n > 0 && uint64(r.Start) <= uint64(merged[n-1].Stop)+1 {
			merged[n-1].Stop = max32(merged[n-1].Stop, r.Stop)
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

func max32(a, b uint32) uint32 {
	if a > b {
		return a
	}
	return b
}

// inRanges reports whether n is in the resolved ranges.
func inRanges(rs []wire.SeqRange, n uint32) bool {
	i := sort.Search(len(rs), func(i int) bool { return rs[i].Stop >= n })
	return i < len(rs) && rs[i].Start <= n
}

// setContains reports whether n is in set, with "*" standing for max. The
// resolved set is cached in k.
func (k *searchKey) setContains(n, max uint32) bool {
	if k.rs == nil || k.rsMax != max {
		k.rs, k.rsMax = resolveSet(k.set, max), max
		if k.rs == nil {
			k.rs = []wire.SeqRange{}
		}
	}
	return inRanges(k.rs, n)
}
