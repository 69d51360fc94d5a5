package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/bits"
)

const (
	initialBufSize = 64 << 10
	// directReadMin is the smallest read a LiteralReader serves straight
	// from the underlying reader, bypassing the buffer.
	directReadMin = 16 << 10
)

// errLiteralReaderStale is returned by a literal reader used after the next
// call on its Reader.
var errLiteralReaderStale = errors.New("imap: literal reader used after the next call on its wire.Reader")

// A Reader tokenizes an IMAP byte stream. It reads from an io.Reader through
// its own buffer, which grows only as far as the Limits allow.
//
// Byte slices returned by a Reader (atoms, quoted strings, buffered literals,
// text) stay valid until the next call on the Reader. A literal taken with
// LiteralReader stays readable until the next call; that call first discards
// whatever the caller left unread.
//
// An error from the underlying reader other than io.EOF is final: once a
// call has returned it, every later call returns it too, even if bytes
// read before it are still buffered (the token it cut short cannot be
// resumed). Bytes read before the error are served first, as io.Reader
// requires.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	rd     io.Reader
	buf    []byte
	r, w   int
	base   int64 // stream offset of buf[0]
	err    error // sticky error from rd
	lim    Limits
	maxBuf int
	strict bool

	// failed records that a read error other than io.EOF has been
	// returned: from then on every call returns it, even with bytes still
	// buffered, since the token it cut short cannot be resumed.
	failed bool

	// litRemain is the number of bytes of a pending literal body not yet
	// consumed; litPending reports that a literal header has been read and
	// its body not yet claimed.
	litRemain  int64
	litPending bool
	// litNUL says the pending literal is checked for NUL: strict mode, a
	// literal and not a literal8 (RFC 3501 CHAR8 excludes %x00; RFC 3516
	// literal8 allows it).
	litNUL bool
	gen    uint64 // incremented by every call that invalidates a literal reader
	mark   int64  // see Mark

	scratch []byte // unescaped quoted strings
}

// NewReader returns a Reader reading from rd with DefaultLimits, lenient.
func NewReader(rd io.Reader) *Reader {
	r := &Reader{rd: rd}
	r.SetLimits(DefaultLimits)
	return r
}

// SetLimits replaces the Reader's limits; zero fields take their defaults.
func (r *Reader) SetLimits(l Limits) {
	r.lim = l.withDefaults()
	// The buffer must hold the longest atom or quoted string whole; limits
	// too large for that (beyond 1 GiB) are clamped rather than overflowing.
	const maxInt = 1 << 30
	r.lim.MaxAtom = min(r.lim.MaxAtom, maxInt)
	r.lim.MaxQuoted = min(r.lim.MaxQuoted, maxInt)
	r.maxBuf = max(r.lim.MaxAtom, r.lim.MaxQuoted) + 1024
	if r.maxBuf < initialBufSize {
		r.maxBuf = initialBufSize
	}
}

// Limits returns the Reader's limits.
func (r *Reader) Limits() Limits { return r.lim }

// SetStrict turns every leniency off (true) or on (false, the default).
// Strict mode accepts exactly the RFC 3501 grammar and is meant for
// conformance testing.
func (r *Reader) SetStrict(strict bool) { r.strict = strict }

// Strict reports whether the Reader is in strict mode.
func (r *Reader) Strict() bool { return r.strict }

// Reset discards all buffered state and reads from rd from now on. The
// offset restarts at zero. Limits and strictness are kept.
func (r *Reader) Reset(rd io.Reader) {
	r.rd = rd
	r.r, r.w, r.base, r.err, r.failed = 0, 0, 0, nil, false
	r.litRemain, r.litPending, r.mark = 0, false, 0
	r.gen++
}

// InputOffset returns the stream offset of the next unread byte.
func (r *Reader) InputOffset() int64 { return r.base + int64(r.r) }

// Buffered returns the number of bytes that have been read from the
// underlying reader but not yet consumed. A client upgrading to TLS
// checks it is zero (response injection defence).
func (r *Reader) Buffered() int { return r.w - r.r }

// fill reads more data into the buffer, keeping buf[r:w]. It returns the
// sticky error when no byte could be added.
func (r *Reader) fill() error {
	err := r.fillBuf()
	if err != nil && err != io.EOF {
		r.failed = true
	}
	return err
}

func (r *Reader) fillBuf() error {
	if r.err != nil {
		return r.err
	}
	if r.buf == nil {
		r.buf = make([]byte, initialBufSize)
	}
	// keep is the first byte to keep: the next unread one, or the mark
	// (the start of the current response) while it is near enough.
	keep := r.r
	if m := r.mark - r.base; m >= 0 && m < int64(r.r) && int64(r.r)-m <= markKeep {
		keep = int(m)
	}
	if keep == r.w {
		r.base += int64(r.w)
		r.r, r.w = 0, 0
	}
	if r.w == len(r.buf) {
		if keep == 0 && r.r > 0 {
			keep = r.r // never grow the buffer for the mark
		}
		if keep > 0 {
			copy(r.buf, r.buf[keep:r.w])
			r.base += int64(keep)
			r.w -= keep
			r.r -= keep
		} else {
			n := min(2*len(r.buf), r.maxBuf)
			if n <= len(r.buf) {
				// Cannot happen: callers check their limits first.
				return errors.New("imap: wire buffer full")
			}
			nb := make([]byte, n)
			copy(nb, r.buf[r.r:r.w])
			r.buf = nb
		}
	}
	for i := 0; i < 100; i++ {
		n, err := r.rd.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			r.err = errors.New("imap: invalid Read count from underlying reader")
			return r.err
		}
		r.w += n
		if err != nil {
			r.err = err
			if n > 0 {
				return nil
			}
			return err
		}
		if n > 0 {
			return nil
		}
	}
	r.err = io.ErrNoProgress
	return r.err
}

// begin is called at the start of every public method: it invalidates any
// literal reader and discards an unread literal body.
func (r *Reader) begin() error {
	r.gen++
	if r.failed || r.litPending || r.litRemain > 0 {
		return r.beginSlow() // kept out of line so that begin inlines
	}
	return nil
}

//go:noinline
func (r *Reader) beginSlow() error {
	if r.failed {
		return r.err
	}
	r.litPending = false
	return r.discardLiteral()
}

func (r *Reader) discardLiteral() error { return r.discardLiteralRaw(nil) }

// discardLiteralRaw discards the rest of the pending literal, showing each
// chunk to keep (when not nil) first.
func (r *Reader) discardLiteralRaw(keep func([]byte)) error {
	for r.litRemain > 0 {
		if r.r == r.w {
			if err := r.fill(); err != nil {
				return unexpected(err)
			}
		}
		n := min(int64(r.w-r.r), r.litRemain)
		if keep != nil {
			keep(r.buf[r.r : r.r+int(n)])
		}
		r.r += int(n)
		r.litRemain -= n
	}
	return nil
}

// unexpected maps io.EOF inside a token to io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// peek returns the next byte without consuming it. io.EOF is returned as is.
func (r *Reader) peek() (byte, error) {
	if r.r < r.w {
		return r.buf[r.r], nil
	}
	return r.peekSlow() // kept out of line so that peek inlines
}

//go:noinline
func (r *Reader) peekSlow() (byte, error) {
	if err := r.fill(); err != nil {
		return 0, err
	}
	return r.buf[r.r], nil
}

// Peek returns the next byte without consuming it. At the end of the stream
// it returns io.EOF.
func (r *Reader) Peek() (byte, error) {
	if r.r < r.w && !r.failed && !r.litPending && r.litRemain == 0 {
		r.gen++ // fast path, small enough to inline
		return r.buf[r.r], nil
	}
	return r.peekCall()
}

//go:noinline
func (r *Reader) peekCall() (byte, error) {
	if err := r.begin(); err != nil {
		return 0, err
	}
	return r.peek()
}

// ReadByte consumes and returns the next byte.
func (r *Reader) ReadByte() (byte, error) {
	if err := r.begin(); err != nil {
		return 0, err
	}
	c, err := r.peek()
	if err != nil {
		return 0, err
	}
	r.r++
	return c, nil
}

// ErrorAt returns a *SyntaxError at the current offset for production, with
// the bytes at the current position quoted as what was found.
func (r *Reader) ErrorAt(production, expected string) error {
	return r.errorAt(r.InputOffset(), production, expected, nil)
}

func (r *Reader) errorAt(off int64, production, expected string, sentinel error) *SyntaxError {
	// Show a few bytes from off when they are still buffered. Never read
	// more for this: with nothing buffered after the error, an interactive
	// client would block here until the server's next response arrives.
	found := "end of input"
	i := int(off - r.base)
	if i >= 0 && i <= r.w {
		if i == r.w && r.err != io.EOF {
			found = "" // not read yet: unknown
		}
		if i >= 0 && i < r.w {
			end := min(r.w, i+16)
			for j := i; j < end; j++ {
				if r.buf[j] == '\n' {
					end = j + 1
					break
				}
			}
			found = quoteFound(r.buf[i:end])
			if end-i == 16 && end < r.w {
				found += "..."
			}
		}
	} else {
		found = ""
	}
	return &SyntaxError{Offset: off, Production: production, Expected: expected, Found: found, Err: sentinel}
}

// Expect consumes the byte c or reports a *SyntaxError naming production.
func (r *Reader) Expect(c byte, production string) error {
	if r.r < r.w && r.buf[r.r] == c && !r.failed && !r.litPending && r.litRemain == 0 {
		r.gen++ // fast path: the byte is buffered
		r.r++
		return nil
	}
	if err := r.begin(); err != nil {
		return err
	}
	return r.expect(c, production)
}

func (r *Reader) expect(c byte, production string) error {
	b, err := r.peek()
	if err != nil {
		return unexpected(err)
	}
	if b != c {
		return r.errorAt(r.InputOffset(), production, quoteByte(c), nil)
	}
	r.r++
	return nil
}

func quoteByte(c byte) string {
	switch c {
	case ' ':
		return "SP"
	case '\r':
		return "CR"
	case '\n':
		return "LF"
	}
	return "'" + string(rune(c)) + "'"
}

// ExpectSP consumes one SP. In lenient mode it also consumes any further
// spaces (servers such as Outlook double them).
func (r *Reader) ExpectSP(production string) error {
	// Fast path: one buffered SP followed by something else.
	if r.r+1 < r.w && r.buf[r.r] == ' ' && r.buf[r.r+1] != ' ' && !r.failed && !r.litPending && r.litRemain == 0 {
		r.gen++
		r.r++
		return nil
	}
	if err := r.begin(); err != nil {
		return err
	}
	if err := r.expect(' ', production); err != nil {
		return err
	}
	if !r.strict {
		for {
			c, err := r.peek()
			if err != nil || c != ' ' {
				break
			}
			r.r++
		}
	}
	return nil
}

// ExpectCRLF consumes the CRLF ending a response. In lenient mode it first
// skips spaces (Outlook, Apple and David.fx send SP before CRLF) and accepts
// a bare LF.
func (r *Reader) ExpectCRLF(production string) error {
	if err := r.begin(); err != nil {
		return err
	}
	return r.expectCRLF(production)
}

func (r *Reader) expectCRLF(production string) error {
	if !r.strict {
		r.skipSpaces()
	}
	c, err := r.peek()
	if err != nil {
		return unexpected(err)
	}
	if c == '\n' && !r.strict {
		r.r++
		return nil
	}
	if c != '\r' {
		return r.errorAt(r.InputOffset(), production, "CRLF", nil)
	}
	off := r.InputOffset()
	r.r++
	c, err = r.peek()
	if err != nil {
		return unexpected(err)
	}
	if c != '\n' {
		return r.errorAt(off, production, "CRLF", nil)
	}
	r.r++
	return nil
}

func (r *Reader) skipSpaces() {
	for {
		c, err := r.peek()
		if err != nil || c != ' ' {
			return
		}
		r.r++
	}
}

// AtEOL reports whether the next bytes end the line: CRLF, or in lenient
// mode spaces followed by CRLF or LF. It consumes nothing but may skip the
// trailing spaces in lenient mode.
func (r *Reader) AtEOL() (bool, error) {
	if err := r.begin(); err != nil {
		return false, err
	}
	if !r.strict {
		// Look past spaces without consuming them unless CRLF follows.
		n := 0
		for {
			if r.r+n == r.w {
				if err := r.fill(); err != nil {
					return false, unexpected(err)
				}
			}
			c := r.buf[r.r+n]
			if c == ' ' {
				n++
				if n > r.lim.MaxAtom {
					return false, nil
				}
				continue
			}
			if c == '\r' || c == '\n' {
				r.r += n
				return true, nil
			}
			return false, nil
		}
	}
	c, err := r.peek()
	if err != nil {
		return false, unexpected(err)
	}
	return c == '\r', nil
}

// scanClass returns the length of the run of bytes of class cls starting at
// buf[r], reading more as needed, up to limit+1 bytes. It returns io.EOF only
// when the stream ends with nothing scanned.
func (r *Reader) scanClass(cls uint8, limit int) (int, error) {
	n := 0
	for {
		for r.r+n < r.w {
			if charClass[r.buf[r.r+n]]&cls == 0 {
				return n, nil
			}
			n++
			if n > limit {
				return n, nil
			}
		}
		if err := r.fill(); err != nil {
			if n > 0 && err == io.EOF {
				return n, io.ErrUnexpectedEOF
			}
			return n, err
		}
	}
}

// readRun consumes a non-empty run of class cls.
func (r *Reader) readRun(cls uint8, production, expected string, sentinel error, limit int) ([]byte, error) {
	n, err := r.scanClass(cls, limit)
	if err != nil {
		return nil, unexpected(err)
	}
	if n == 0 {
		return nil, r.errorAt(r.InputOffset(), production, expected, nil)
	}
	if n > limit {
		return nil, r.errorAt(r.InputOffset(), production, expected, sentinel)
	}
	b := r.buf[r.r : r.r+n]
	r.r += n
	return b, nil
}

// ReadAtom consumes a non-empty atom (1*ATOM-CHAR).
func (r *Reader) ReadAtom(production string) ([]byte, error) {
	if err := r.begin(); err != nil {
		return nil, err
	}
	return r.readRun(classAtom, production, "atom", ErrAtomTooLong, r.lim.MaxAtom)
}

// ReadAStringAtom consumes a non-empty run of ASTRING-CHAR (the unquoted
// form of an astring, which unlike an atom may contain ']').
func (r *Reader) ReadAStringAtom(production string) ([]byte, error) {
	if err := r.begin(); err != nil {
		return nil, err
	}
	return r.readRun(classAString, production, "astring", ErrAtomTooLong, r.lim.MaxAtom)
}

// ReadTag consumes a tag (1*<any ASTRING-CHAR except "+">).
func (r *Reader) ReadTag(production string) ([]byte, error) {
	if err := r.begin(); err != nil {
		return nil, err
	}
	return r.readRun(classTag, production, "tag", ErrAtomTooLong, r.lim.MaxAtom)
}

// ReadWord consumes a non-empty run of any bytes except SP, CTL, "(", ")",
// "[", "]", DQUOTE and "{". It is the lenient reading of an atom-like token
// from a server that does not respect atom-specials.
func (r *Reader) ReadWord(production string) ([]byte, error) {
	if err := r.begin(); err != nil {
		return nil, err
	}
	return r.readRun(classWord, production, "atom", ErrAtomTooLong, r.lim.MaxAtom)
}

// ReadLooseAString consumes an astring; its unquoted form may be any run of
// bytes except SP, CTL, "(", ")", DQUOTE and "{". This is how lenient
// parsers read mailbox names that servers (StartMail, others) send
// unquoted although they contain specials such as "%", "*" or "\".
func (r *Reader) ReadLooseAString(production string) ([]byte, error) {
	if err := r.begin(); err != nil {
		return nil, err
	}
	c, err := r.peek()
	if err != nil {
		return nil, unexpected(err)
	}
	if c == '"' || c == '{' || (c == '~' && r.literal8Next()) {
		return r.readString(production)
	}
	return r.readRun(classLoose, production, "astring", ErrAtomTooLong, r.lim.MaxAtom)
}

// ReadNumber consumes a number that fits in 32 bits (RFC 3501 number).
// A value too large is a *SyntaxError wrapping ErrNumberOverflow.
func (r *Reader) ReadNumber(production string) (uint32, error) {
	if err := r.begin(); err != nil {
		return 0, err
	}
	n, err := r.readNumber(production, 1<<32-1)
	return uint32(n), err
}

// ReadNumber64 consumes a number of up to 63 bits (RFC 7162 mod-sequence).
func (r *Reader) ReadNumber64(production string) (uint64, error) {
	if err := r.begin(); err != nil {
		return 0, err
	}
	return r.readNumber(production, 1<<63-1)
}

// ReadNumberU64 consumes a number of up to 64 bits: for sizes and counters
// that servers send past the 63 bits of RFC 7162 (a lenient parser's
// choice; the caller decides whether the value is in range).
func (r *Reader) ReadNumberU64(production string) (uint64, error) {
	if err := r.begin(); err != nil {
		return 0, err
	}
	return r.readNumber(production, 1<<64-1)
}

func (r *Reader) readNumber(production string, max uint64) (uint64, error) {
	off := r.InputOffset()
	// v*10+d <= max exactly when v < cutoff, or v == cutoff and d <= last:
	// one division per number, not one per digit.
	cutoff, last := max/10, max%10
	var v uint64
	n := 0
	for {
		buf, i := r.buf[:r.w], r.r // locals: r's fields are reloaded per byte
		for ; i < len(buf); i++ {
			c := buf[i]
			if c < '0' || c > '9' {
				n += i - r.r
				r.r = i
				if n == 0 {
					return 0, r.errorAt(off, production, "number", nil)
				}
				return v, nil
			}
			d := uint64(c - '0')
			if v > cutoff || v == cutoff && d > last {
				r.r = i
				return 0, r.errorAt(off, production, "number", ErrNumberOverflow)
			}
			v = v*10 + d
		}
		n += i - r.r
		r.r = i
		if err := r.fill(); err != nil {
			if err == io.EOF && n > 0 {
				return 0, io.ErrUnexpectedEOF
			}
			return 0, unexpected(err)
		}
	}
}

// ReadQuoted consumes a quoted string and returns its unescaped content.
//
// In lenient mode a DQUOTE that is not followed by a delimiter (SP, ")",
// "]", CR or LF) is taken as part of the string; this recovers the
// unescaped quotes 163.com and others put in BODYSTRUCTURE strings.
// CR, LF and NUL are never accepted inside a quoted string.
func (r *Reader) ReadQuoted(production string) ([]byte, error) {
	if err := r.begin(); err != nil {
		return nil, err
	}
	return r.readQuoted(production)
}

func (r *Reader) readQuoted(production string) ([]byte, error) {
	if err := r.expect('"', production); err != nil {
		return nil, err
	}
	return r.readQuotedBody(production)
}

// readQuotedBody reads a quoted string whose opening DQUOTE is consumed.
func (r *Reader) readQuotedBody(production string) ([]byte, error) {
	// Fast path: scan for the closing quote with no escapes.
	n := 0
	escaped := false
	for {
		for r.r+n < r.w {
			// Skip the run of plain bytes, at most MaxQuoted+1 of them.
			i, end := r.r+n, r.w
			if end-r.r > r.lim.MaxQuoted {
				end = r.r + r.lim.MaxQuoted + 1
			}
			i = scanQuotedPlain(r.buf[:end], i)
			n = i - r.r
			if n > r.lim.MaxQuoted {
				return nil, r.errorAt(r.InputOffset(), production, "shorter quoted string", ErrQuotedTooLong)
			}
			if i == r.w {
				break
			}
			c := r.buf[i]
			switch c {
			case '"':
				ok := r.strict
				if !ok && i+1 < r.w {
					ok = quoteCloser[r.buf[i+1]] // quoteCloses, inlined
				} else if !ok {
					var err error
					if ok, err = r.quoteCloses(n); err != nil {
						return nil, err
					}
				}
				if ok {
					// RFC 3501 QUOTED-CHAR is 7-bit; strict mode
					// rejects the 8-bit bytes lenient mode keeps.
					if r.strict {
						for i, c := range r.buf[r.r : r.r+n] {
							if c >= 0x80 {
								return nil, r.errorAt(r.InputOffset()+int64(i), production, "QUOTED-CHAR", nil)
							}
						}
					}
					if !escaped {
						b := r.buf[r.r : r.r+n]
						r.r += n + 1
						return b, nil
					}
					return r.unescape(n, production)
				}
			case '\\':
				escaped = true
				n++ // skip the escaped byte; validated by unescape
				if r.r+n == r.w {
					if err := r.fill(); err != nil {
						return nil, unexpected(err)
					}
				}
				c2 := r.buf[r.r+n]
				if c2 == '\r' || c2 == '\n' || c2 == 0 {
					return nil, r.errorAt(r.InputOffset()+int64(n), production, "quoted-char", nil)
				}
			case '\r', '\n', 0:
				return nil, r.errorAt(r.InputOffset()+int64(n), production, "closing DQUOTE", nil)
			}
			n++
			if n > r.lim.MaxQuoted {
				return nil, r.errorAt(r.InputOffset(), production, "shorter quoted string", ErrQuotedTooLong)
			}
		}
		if err := r.fill(); err != nil {
			return nil, unexpected(err)
		}
	}
}

// quoteCloses reports whether the DQUOTE at buf[r+n] ends the string.
func (r *Reader) quoteCloses(n int) (bool, error) {
	if r.strict {
		return true, nil
	}
	if r.r+n+1 == r.w {
		if err := r.fill(); err != nil {
			if err == io.EOF {
				return true, nil
			}
			return false, err
		}
	}
	return quoteCloser[r.buf[r.r+n+1]], nil
}

// quoteCloser marks the bytes after which a DQUOTE closes a quoted string
// in lenient mode: SP, "(", ")", "]", CR and LF.
var quoteCloser = [256]bool{' ': true, ')': true, ']': true, '\r': true, '\n': true, '(': true}

// scanQuotedPlain returns the index of the first byte of buf[i:] that is not
// quotedPlain, or len(buf). It tests eight bytes at a time for DQUOTE, "\\",
// CR, LF and NUL: a zero byte of x^pattern marks a match (the classic
// "has zero byte" trick; the lowest marked byte is exact).
func scanQuotedPlain(buf []byte, i int) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(buf); i += 8 {
		x := binary.LittleEndian.Uint64(buf[i:])
		q, b, cr, lf := x^(lo*'"'), x^(lo*'\\'), x^(lo*'\r'), x^(lo*'\n')
		m := (q-lo)&^q | (b-lo)&^b | (cr-lo)&^cr | (lf-lo)&^lf | (x-lo)&^x
		if m &= hi; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(buf) && quotedPlain[buf[i]] {
		i++
	}
	return i
}

// unescape copies the n bytes at buf[r:] into scratch without escapes and
// consumes them plus the closing quote.
func (r *Reader) unescape(n int, production string) ([]byte, error) {
	out := r.scratch[:0]
	src := r.buf[r.r : r.r+n]
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\\' {
			i++
			c = src[i]
			if c != '"' && c != '\\' && r.strict {
				return nil, r.errorAt(r.InputOffset()+int64(i), production, `'"' or '\' after '\'`, nil)
			}
			if c != '"' && c != '\\' {
				// Lenient: keep an unknown escape verbatim.
				out = append(out, '\\')
			}
		}
		out = append(out, c)
	}
	r.scratch = out
	r.r += n + 1
	return out, nil
}

// LiteralInfo describes a literal header.
type LiteralInfo struct {
	Size    int64 // number of octets that follow the CRLF
	Binary  bool  // literal8: "~{n}" (RFC 3516)
	NonSync bool  // "{n+}" (RFC 7888); never sent by servers, accepted leniently
}

// ReadLiteralHeader consumes "{n}" (or "~{n}") and its CRLF. The literal's
// octets are then pending: claim them with LiteralReader or LiteralBytes,
// or let the next call on the Reader discard them.
func (r *Reader) ReadLiteralHeader(production string) (LiteralInfo, error) {
	if err := r.begin(); err != nil {
		return LiteralInfo{}, err
	}
	return r.readLiteralHeader(production)
}

func (r *Reader) readLiteralHeader(production string) (LiteralInfo, error) {
	var info LiteralInfo
	c, err := r.peek()
	if err != nil {
		return info, unexpected(err)
	}
	if c == '~' {
		info.Binary = true
		r.r++
	}
	if err := r.expect('{', production); err != nil {
		return info, err
	}
	size, err := r.readLiteralSize(production, &info)
	if err != nil {
		return info, framing(err)
	}
	info.Size = int64(size)
	r.litRemain = info.Size
	r.litPending = true
	r.litNUL = r.strict && !info.Binary
	return info, nil
}

// readLiteralSize reads the rest of a literal header after "{": number
// ["+"] "}" CRLF.
func (r *Reader) readLiteralSize(production string, info *LiteralInfo) (uint64, error) {
	size, err := r.readNumber(production, 1<<63-1)
	if err != nil {
		return 0, err
	}
	c, err := r.peek()
	if err != nil {
		return 0, unexpected(err)
	}
	if c == '+' {
		info.NonSync = true
		r.r++
	}
	if err := r.expect('}', production); err != nil {
		return 0, err
	}
	// The CRLF after a literal header is part of the literal syntax; a
	// bare LF is accepted leniently like every other line end.
	c, err = r.peek()
	if err != nil {
		return 0, unexpected(err)
	}
	if c == '\n' && !r.strict {
		r.r++
	} else if err := r.expectCRLFExact(production); err != nil {
		return 0, err
	}
	return size, nil
}

// framing marks a syntax error inside a literal header with
// ErrLiteralFraming, beside the sentinel it may have (ErrNumberOverflow).
func framing(err error) error {
	se, ok := err.(*SyntaxError)
	if !ok {
		return err
	}
	if se.Err == nil {
		se.Err = ErrLiteralFraming
	} else {
		se.Err = errors.Join(ErrLiteralFraming, se.Err)
	}
	return se
}

func (r *Reader) expectCRLFExact(production string) error {
	if err := r.expect('\r', production); err != nil {
		return err
	}
	return r.expect('\n', production)
}

// LiteralReader returns the body of the literal whose header was just read,
// as an io.Reader that stays valid until the next call on r. Bytes the caller
// leaves unread are discarded by that call. It returns nil when no literal
// is pending.
func (r *Reader) LiteralReader() io.Reader {
	if !r.litPending {
		return nil
	}
	r.litPending = false
	r.gen++
	// A new reader each time (one small allocation per literal): a reader
	// kept from an earlier literal must stay stale, not come back to life
	// and steal this literal's bytes, as a shared one would.
	return &literalReader{r: r, gen: r.gen}
}

// literalChunk is the most LiteralBytes allocates before a literal's bytes
// arrive: its buffer starts at min(size, literalChunk) and doubles, up to the
// size, only as the bytes come in.
const literalChunk = 32 << 10

// LiteralBytes reads the body of the literal whose header was just read into
// memory, if it is no larger than Limits.MaxLiteral. A larger literal is a
// *SyntaxError wrapping ErrLiteralTooLarge, reported before anything is
// allocated; its body is then discarded by the next call. Memory follows the
// bytes received, not the size announced: a peer that announces 64 MiB and
// sends ten bytes costs a few KiB. The returned slice is the caller's to
// keep; its capacity is its length.
func (r *Reader) LiteralBytes(production string) ([]byte, error) {
	if !r.litPending {
		return nil, r.errorAt(r.InputOffset(), production, "literal", nil)
	}
	if r.litRemain > r.lim.MaxLiteral {
		return nil, r.errorAt(r.InputOffset(), production, "smaller literal", ErrLiteralTooLarge)
	}
	r.litPending = false
	size := r.litRemain
	b := make([]byte, 0, min(size, literalChunk))
	for int64(len(b)) < size {
		if len(b) == cap(b) {
			nb := make([]byte, len(b), min(2*int64(cap(b)), size))
			copy(nb, b)
			b = nb
		}
		if r.r == r.w {
			if err := r.fill(); err != nil {
				r.litRemain = size - int64(len(b))
				return nil, unexpected(err)
			}
		}
		m := copy(b[len(b):cap(b)], r.buf[r.r:r.w])
		b = b[:len(b)+m]
		r.r += m
	}
	r.litRemain = 0
	if r.litNUL {
		if i := bytes.IndexByte(b, 0); i >= 0 {
			return nil, nulError(r.InputOffset() - size + int64(i))
		}
	}
	return b, nil
}

// nulError reports a NUL at offset off inside a {n} literal (CHAR8
// excludes it). What follows the NUL is not quoted: whether it is still
// buffered depends on how the bytes were read, and the error must not.
func nulError(off int64) *SyntaxError {
	return &SyntaxError{Offset: off, Production: "literal", Expected: "CHAR8 (NUL only in a literal8)", Found: `"\x00"`}
}

type literalReader struct {
	r   *Reader
	gen uint64
}

// Read implements io.Reader. Large reads bypass the Reader's buffer.
func (l *literalReader) Read(p []byte) (int, error) {
	r := l.r
	if l.gen != r.gen {
		return 0, errLiteralReaderStale
	}
	if r.litRemain == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) > r.litRemain {
		p = p[:r.litRemain]
	}
	if r.r < r.w {
		n := copy(p, r.buf[r.r:r.w])
		if r.litNUL {
			return r.readToNUL(p, n)
		}
		r.r += n
		r.litRemain -= int64(n)
		return n, nil
	}
	if r.err != nil {
		return 0, unexpected(r.err)
	}
	if len(p) >= directReadMin {
		r.base += int64(r.w)
		r.r, r.w = 0, 0
		n, err := r.rd.Read(p)
		if n < 0 || n > len(p) {
			r.err = errors.New("imap: invalid Read count from underlying reader")
			r.failed = true
			return 0, r.err
		}
		r.base += int64(n)
		r.litRemain -= int64(n)
		if r.litNUL && err == nil {
			if i := bytes.IndexByte(p[:n], 0); i >= 0 {
				// Read directly: the bytes after the NUL are gone.
				return i, nulError(r.InputOffset() - int64(n-i))
			}
		}
		if err != nil {
			r.err = err
			r.failed = err != io.EOF
			if n > 0 {
				return n, nil
			}
			return 0, unexpected(err)
		}
		return n, nil
	}
	if err := r.fill(); err != nil {
		return 0, unexpected(err)
	}
	n := copy(p, r.buf[r.r:r.w])
	if r.litNUL {
		return r.readToNUL(p, n)
	}
	r.r += n
	r.litRemain -= int64(n)
	return n, nil
}

// readToNUL consumes the n buffered literal bytes copied to p, or only
// those before a NUL, with a *SyntaxError at the NUL (strict mode; see
// litNUL). The NUL stays unread, so every later Read reports it again.
func (r *Reader) readToNUL(p []byte, n int) (int, error) {
	var err error
	if i := bytes.IndexByte(p[:n], 0); i >= 0 {
		n = i
		err = nulError(r.InputOffset() + int64(i))
	}
	r.r += n
	r.litRemain -= int64(n)
	return n, err
}

// WriteTo implements io.WriterTo so that io.Copy of a literal needs no
// intermediate buffer.
func (l *literalReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if l.gen != l.r.gen {
			return total, errLiteralReaderStale
		}
		r := l.r
		if r.litRemain == 0 {
			return total, nil
		}
		if r.r == r.w {
			if err := r.fill(); err != nil {
				return total, unexpected(err)
			}
		}
		n := min(int64(r.w-r.r), r.litRemain)
		if r.litNUL {
			if i := bytes.IndexByte(r.buf[r.r:r.r+int(n)], 0); i >= 0 {
				return total, nulError(r.InputOffset() + int64(i))
			}
		}
		m, err := w.Write(r.buf[r.r : r.r+int(n)])
		r.r += m
		r.litRemain -= int64(m)
		total += int64(m)
		if err != nil {
			return total, err
		}
		if int64(m) < n {
			return total, io.ErrShortWrite
		}
	}
}

// ReadString consumes a string: a quoted string or a literal, which is
// buffered subject to Limits.MaxLiteral. The result is valid until the next
// call.
func (r *Reader) ReadString(production string) ([]byte, error) {
	if r.r < r.w && r.buf[r.r] == '"' {
		if b, _, ok := r.nstringFast(); ok {
			return b, nil
		}
	}
	if err := r.begin(); err != nil {
		return nil, err
	}
	return r.readString(production)
}

func (r *Reader) readString(production string) ([]byte, error) {
	c, err := r.peek()
	if err != nil {
		return nil, unexpected(err)
	}
	switch c {
	case '"':
		return r.readQuoted(production)
	case '{', '~':
		if _, err := r.readLiteralHeader(production); err != nil {
			return nil, err
		}
		return r.LiteralBytes(production)
	}
	return nil, r.errorAt(r.InputOffset(), production, "string", nil)
}

// ReadAString consumes an astring: an unquoted ASTRING-CHAR run, a quoted
// string or a literal.
func (r *Reader) ReadAString(production string) ([]byte, error) {
	if err := r.begin(); err != nil {
		return nil, err
	}
	c, err := r.peek()
	if err != nil {
		return nil, unexpected(err)
	}
	if c == '"' || c == '{' || (c == '~' && r.literal8Next()) {
		return r.readString(production)
	}
	return r.readRun(classAString, production, "astring", ErrAtomTooLong, r.lim.MaxAtom)
}

// literal8Next reports whether the buffered input starts with "~{".
func (r *Reader) literal8Next() bool {
	for r.w-r.r < 2 {
		if r.fill() != nil {
			return false
		}
	}
	return r.buf[r.r] == '~' && r.buf[r.r+1] == '{'
}

// nstringFast reads, in lenient mode, the two commonest nstrings of an
// ENVELOPE or BODYSTRUCTURE when they lie wholly in the buffer: NIL, and a
// quoted string without escapes closed by a DQUOTE and a delimiter. It
// reports ok false, having consumed nothing, for anything else; the general
// path then handles it (with the same result).
func (r *Reader) nstringFast() (b []byte, isNil, ok bool) {
	if r.strict || r.failed || r.litPending || r.litRemain > 0 || r.r >= r.w {
		return nil, false, false
	}
	switch r.buf[r.r] {
	case '"':
		end := r.w
		if end-r.r > r.lim.MaxQuoted+1 {
			end = r.r + r.lim.MaxQuoted + 1
		}
		i := scanQuotedPlain(r.buf[:end], r.r+1)
		if i+1 >= r.w || r.buf[i] != '"' || !quoteCloser[r.buf[i+1]] {
			return nil, false, false
		}
		b = r.buf[r.r+1 : i]
		r.gen++
		r.r = i + 1
		return b, false, true
	case 'N', 'n':
		if r.w-r.r >= 4 && isNIL(r.buf[r.r:r.r+3]) && charClass[r.buf[r.r+3]]&classAtom == 0 {
			r.gen++
			r.r += 3
			return nil, true, true
		}
	}
	return nil, false, false
}

// ReadNString consumes an nstring: NIL or a string. isNil reports NIL.
// In lenient mode an empty list "()" is accepted as NIL.
func (r *Reader) ReadNString(production string) (b []byte, isNil bool, err error) {
	if b, isNil, ok := r.nstringFast(); ok {
		return b, isNil, nil
	}
	if err := r.begin(); err != nil {
		return nil, false, err
	}
	c, err := r.peek()
	if err != nil {
		return nil, false, unexpected(err)
	}
	switch c {
	case '"', '{', '~':
		b, err := r.readString(production)
		return b, false, err
	case 'N', 'n':
		if err := r.readNIL(production); err != nil {
			return nil, false, err
		}
		return nil, true, nil
	case '(':
		if !r.strict {
			ok, err := r.consumeEmptyList()
			if err != nil {
				return nil, false, unexpected(err)
			}
			if ok {
				return nil, true, nil
			}
		}
	}
	return nil, false, r.errorAt(r.InputOffset(), production, "nstring", nil)
}

// ReadNIL consumes NIL (in any case).
func (r *Reader) ReadNIL(production string) error {
	if err := r.begin(); err != nil {
		return err
	}
	return r.readNIL(production)
}

func (r *Reader) readNIL(production string) error {
	off := r.InputOffset()
	n, err := r.scanClass(classAtom, 3)
	if err != nil && err != io.ErrUnexpectedEOF {
		return unexpected(err)
	}
	if n == 3 && isNIL(r.buf[r.r:r.r+3]) {
		r.r += 3
		return nil
	}
	if err != nil {
		return err
	}
	return r.errorAt(off, production, "NIL", nil)
}

func isNIL(b []byte) bool {
	return len(b) == 3 && b[0]|0x20 == 'n' && b[1]|0x20 == 'i' && b[2]|0x20 == 'l'
}

// PeekNIL reports whether the next token is NIL, without consuming it.
func (r *Reader) PeekNIL() (bool, error) {
	if err := r.begin(); err != nil {
		return false, err
	}
	n, err := r.scanClass(classAtom, 3)
	if err != nil && err != io.ErrUnexpectedEOF {
		return false, unexpected(err)
	}
	return n == 3 && isNIL(r.buf[r.r:r.r+3]), nil
}

// consumeEmptyList consumes "()" if it is next. A read error is returned,
// not taken for "no list": it must reach the caller unchanged.
func (r *Reader) consumeEmptyList() (bool, error) {
	for r.w-r.r < 2 {
		if err := r.fill(); err != nil {
			return false, err
		}
	}
	if r.buf[r.r] == '(' && r.buf[r.r+1] == ')' {
		r.r += 2
		return true, nil
	}
	return false, nil
}

// ReadText consumes the rest of the line up to, not including, CRLF (or LF),
// as RFC 3501 text. In lenient mode 8-bit bytes are accepted (servers such
// as Tencent's put non-ASCII in greetings). The text is limited by
// Limits.MaxQuoted.
func (r *Reader) ReadText(production string) ([]byte, error) {
	if err := r.begin(); err != nil {
		return nil, err
	}
	n, err := r.scanClass(classText, r.lim.MaxQuoted)
	if err != nil {
		return nil, unexpected(err)
	}
	if n > r.lim.MaxQuoted {
		return nil, r.errorAt(r.InputOffset(), production, "shorter text", ErrQuotedTooLong)
	}
	b := r.buf[r.r : r.r+n]
	if r.strict {
		for i, c := range b {
			if c >= 0x80 {
				return nil, r.errorAt(r.InputOffset()+int64(i), production, "TEXT-CHAR", nil)
			}
		}
	}
	r.r += n
	return b, nil
}

// SkipLine discards input up to and including the end of the current
// response: the next CRLF (or LF) that is not inside a literal. Literals
// announced at the end of a line are skipped whole. After a *SyntaxError in
// a response, SkipLine resynchronizes the stream on the next response.
func (r *Reader) SkipLine() error {
	_, err := r.skipLine(nil, 0)
	return err
}

// SkipLineRaw is SkipLine returning the bytes it skipped, literals
// included, up to max bytes (the rest is skipped without being kept).
func (r *Reader) SkipLineRaw(max int) ([]byte, error) {
	return r.skipLine(make([]byte, 0, min(max, 512)), max)
}

// Mark records the current offset as the start of a unit (a response) whose
// bytes Since may be asked for: the buffer keeps up to 4 KiB from the mark
// (markKeep) when it refills, instead of only the unread bytes.
func (r *Reader) Mark() { r.mark = r.InputOffset() }

// markKeep is how much the buffer keeps from the mark.
const markKeep = 4 << 10

// Since returns the bytes from stream offset off up to the next unread
// byte, as far as they are still in the buffer (the bytes from the Mark,
// up to 4 KiB of them, stay; older ones may be gone, and then Since
// returns the part still there, possibly none). The slice is valid until
// the next call on r.
func (r *Reader) Since(off int64) []byte {
	i := max(off-r.base, 0)
	if i > int64(r.r) {
		return nil
	}
	return r.buf[i:r.r]
}

// skipLine skips to the end of the line (literals included), appending up
// to max of the skipped bytes to raw.
func (r *Reader) skipLine(raw []byte, max int) ([]byte, error) {
	keep := func(b []byte) {
		if n := max - len(raw); n > 0 {
			raw = append(raw, b[:min(n, len(b))]...)
		}
	}
	if err := r.begin(); err != nil {
		return raw, err
	}
	// State machine for a literal header just before the line end:
	// 0 none; 1 after '{'; 2 in digits; 3 after '+'; 4 after '}'; 5 after "}\r".
	state := 0
	var size int64
	for {
		start := r.r
		for r.r < r.w {
			c := r.buf[r.r]
			r.r++
			switch {
			case c == '\n':
				if state == 4 || state == 5 {
					keep(r.buf[start:r.r])
					r.litRemain = size
					if err := r.discardLiteralRaw(keep); err != nil {
						return raw, err
					}
					state, size = 0, 0
					start = r.r
					continue
				}
				keep(r.buf[start:r.r])
				return raw, nil
			case c == '{':
				state, size = 1, 0
			case c >= '0' && c <= '9' && (state == 1 || state == 2):
				state = 2
				if size < 1<<62 {
					size = size*10 + int64(c-'0')
				}
			case c == '+' && state == 2:
				state = 3
			case c == '}' && (state == 2 || state == 3):
				state = 4
			case c == '\r' && state == 4:
				state = 5
			default:
				state = 0
			}
		}
		keep(r.buf[start:r.r])
		if err := r.fill(); err != nil {
			return raw, unexpected(err)
		}
	}
}
