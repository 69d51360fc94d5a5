package parser

import (
	"errors"
	"io"

	"github.com/imapwire/imapwire/wire"
)

// Options configure a Reader. The zero value is lenient with default limits.
type Options struct {
	// Strict turns every leniency off: only RFC 3501 (and the extension
	// RFCs' grammar) is accepted. Meant for conformance testing.
	Strict bool `json:"strict"`
	// Limits bounds memory per token and per response: MaxListElems
	// counts the list elements of a whole response, all its lists
	// together, and MaxNumList the numbers of one SEARCH, SORT or
	// sequence set. Zero fields take wire.DefaultLimits.
	Limits wire.Limits `json:"limits"`
}

// A Reader reads typed responses from an IMAP server's byte stream.
//
// After an error that leaves the stream intact (a *wire.SyntaxError, a limit
// breached), the next call to Next or ReadResponse first skips to the end of
// the malformed response, so one bad response never desynchronizes the
// stream. I/O errors and io.EOF are returned unwrapped and are final.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	w      *wire.Reader
	strict bool

	fetch      *Fetch // the FETCH response being streamed, if any
	needSkip   bool   // the previous response failed midway
	err        error  // sticky I/O error (or io.EOF): the stream is over
	respStart  int64  // offset of the current response's first byte
	respKind   byte   // '*', '+' or 't' (tagged): how the current response began
	elems      int    // list elements of the current response (Limits.MaxListElems)
	arena      strArena
	numScratch []uint32   // the first chunk of every number list (see readNumList)
	applied    []Leniency // leniencies applied to the current response (see lenient)

	// Slabs and scratch space for FETCH structures (see arena.go).
	addrSlab     []Address
	paramSlab    Params
	addrScratch  []Address
	paramScratch Params
}

// NewReader returns a Reader reading from rd. opts may be nil.
func NewReader(rd io.Reader, opts *Options) *Reader {
	r := &Reader{w: wire.NewReader(rd)}
	if opts != nil {
		r.strict = opts.Strict
		r.w.SetStrict(opts.Strict)
		r.w.SetLimits(opts.Limits)
	}
	return r
}

// Wire returns the underlying tokenizer, for callers that must look at the
// raw stream between responses (for example to check Buffered after
// STARTTLS). Reading from it while a response is half read corrupts the
// Reader's state.
func (r *Reader) Wire() *wire.Reader { return r.w }

// ResponseOffset returns the stream offset of the first byte of the response
// most recently started by Next.
func (r *Reader) ResponseOffset() int64 { return r.respStart }

// Next reads the next response. A FETCH response is returned as a *Fetch
// whose items must be read with its Next method before the next call to
// r.Next; whatever is left unread is parsed and discarded by that call.
// At the end of the stream Next returns io.EOF.
func (r *Reader) Next() (Response, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.fetch != nil {
		f := r.fetch
		if err := f.drain(); err != nil {
			return nil, r.fail(err)
		}
	}
	if r.needSkip {
		r.needSkip = false
		if err := r.w.SkipLine(); err != nil {
			return nil, r.fail(err)
		}
	}
	r.respStart = r.w.InputOffset()
	r.w.Mark()
	r.elems = 0
	r.applied = r.applied[:0]
	resp, err := r.readResponse()
	if err != nil {
		return nil, r.fail(err)
	}
	return resp, nil
}

// ReadResponse reads the next whole response. A FETCH response is collected
// into a *Message, with body sections buffered (each subject to
// Limits.MaxLiteral).
func (r *Reader) ReadResponse() (Response, error) {
	resp, err := r.Next()
	if err != nil {
		return nil, err
	}
	if f, ok := resp.(*Fetch); ok {
		return f.Collect()
	}
	return resp, nil
}

// fail records that the current response must be skipped when err is a
// recoverable syntax error, and returns err. Any other error (I/O, io.EOF,
// io.ErrUnexpectedEOF) is final: every later call returns it, as the type
// documents, instead of parsing the bytes left of a half-read response as
// a new one.
func (r *Reader) fail(err error) error {
	r.fetch = nil
	var se *wire.SyntaxError
	if errors.As(err, &se) {
		r.needSkip = true
	} else {
		r.err = err
	}
	return err
}

func (r *Reader) readResponse() (Response, error) {
	w := r.w
	c, err := w.Peek()
	if err != nil {
		return nil, err
	}
	r.respKind = 't'
	switch c {
	case '*':
		r.respKind = '*'
		w.ReadByte()
		if err := w.ExpectSP("response-data"); err != nil {
			return nil, err
		}
		return r.readUntagged()
	case '+':
		r.respKind = '+'
		w.ReadByte()
		return r.readContinuation()
	case '[':
		if r.lenient(LenientBareCode) {
			// Exchange 2013 sends "[COPYUID 124 10 233] text" alone on a
			// line after UID MOVE: read it as an untagged OK.
			s := &StatusResponse{Type: OK}
			if err := r.readRespText(s); err != nil {
				return nil, err
			}
			return s, w.ExpectCRLF("response")
		}
	}
	tag, err := w.ReadTag("tag")
	if err != nil {
		return nil, err
	}
	s := &StatusResponse{Tag: r.str(tag)}
	if err := w.ExpectSP("response-tagged"); err != nil {
		return nil, err
	}
	off := w.InputOffset()
	name, err := w.ReadAtom("resp-cond-state")
	if err != nil {
		return nil, err
	}
	switch {
	case equalFold(name, "OK"):
		s.Type = OK
	case equalFold(name, "NO"):
		s.Type = NO
	case equalFold(name, "BAD"):
		s.Type = BAD
	case equalFold(name, "BYE") && r.lenient(LenientTaggedBYE):
		// wp.pl answers LOGOUT with a tagged BYE.
		s.Type = BYE
	default:
		return nil, &wire.SyntaxError{Offset: off, Production: "resp-cond-state", Expected: `"OK", "NO" or "BAD"`, Found: quoteString(name)}
	}
	if err := r.readStatusTail(s); err != nil {
		return nil, err
	}
	return s, nil
}

// readStatusTail reads [SP resp-text] CRLF after the condition.
func (r *Reader) readStatusTail(s *StatusResponse) error {
	w := r.w
	c, err := w.Peek()
	if err != nil {
		return unexpected(err)
	}
	if c != ' ' {
		if !r.lenient(LenientNoText) {
			return w.ErrorAt("resp-text", "SP")
		}
		// iCloud sends "* BYE" and ppops.net "A6 OK" with no text.
		return w.ExpectCRLF("response")
	}
	w.ReadByte()
	if err := r.readRespText(s); err != nil {
		return err
	}
	return w.ExpectCRLF("response")
}

func (r *Reader) readContinuation() (Response, error) {
	w := r.w
	c, err := w.Peek()
	if err != nil {
		return nil, unexpected(err)
	}
	cont := &Continuation{}
	if c != ' ' {
		if !r.lenient(LenientNoText) {
			return nil, w.ErrorAt("continue-req", "SP")
		}
		// public-inbox sends "+" alone.
		return cont, w.ExpectCRLF("continue-req")
	}
	w.ReadByte()
	text, err := w.ReadText("continue-req")
	if err != nil {
		return nil, err
	}
	cont.Text = r.str(text)
	return cont, w.ExpectCRLF("continue-req")
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func quoteString(b []byte) string {
	return (&wire.Value{Kind: wire.KindQuoted, Text: string(b)}).String()
}

// readUntagged reads the rest of an untagged response after "* ".
func (r *Reader) readUntagged() (Response, error) {
	w := r.w
	c, err := w.Peek()
	if err != nil {
		return nil, unexpected(err)
	}
	if c >= '0' && c <= '9' {
		return r.readNumbered()
	}
	off := w.InputOffset()
	name, err := w.ReadAtom("response-data")
	if err != nil {
		return nil, err
	}
	switch len(name) {
	case 2:
		if equalFold(name, "OK") {
			return r.readUntaggedStatus(OK)
		}
		if equalFold(name, "NO") {
			return r.readUntaggedStatus(NO)
		}
		if equalFold(name, "ID") {
			return r.readID()
		}
	case 3:
		if equalFold(name, "BAD") {
			return r.readUntaggedStatus(BAD)
		}
		if equalFold(name, "BYE") {
			return r.readUntaggedStatus(BYE)
		}
	}
	switch upper(string(name)) {
	case "PREAUTH":
		return r.readUntaggedStatus(PREAUTH)
	case "CAPABILITY":
		caps, err := r.readAtomsToEOL("capability-data", true)
		return &Capability{Caps: caps}, err
	case "ENABLED":
		caps, err := r.readAtomsToEOL("enable-data", false)
		return &Enabled{Caps: caps}, err
	case "LIST", "LSUB", "XLIST":
		return r.readList(upper(string(name)))
	case "STATUS":
		return r.readStatus()
	case "SEARCH":
		return r.readSearch()
	case "SORT":
		return r.readSort()
	case "ESEARCH":
		return r.readESearch()
	case "THREAD":
		return r.readThread()
	case "FLAGS":
		return r.readFlagsData()
	case "VANISHED":
		return r.readVanished()
	case "NAMESPACE":
		return r.readNamespace()
	case "QUOTA":
		return r.readQuota()
	case "QUOTAROOT":
		return r.readQuotaRoot()
	}
	return r.readUnknown(&Unknown{Name: string(name)}, off)
}

// messageDataName reports whether b names a response that follows a
// number: EXISTS, RECENT, EXPUNGE, FETCH.
func messageDataName(b []byte) bool {
	return equalFold(b, "FETCH") || equalFold(b, "EXPUNGE") || equalFold(b, "EXISTS") || equalFold(b, "RECENT")
}

// unnumberedName reports whether b names a response of RFC 3501 or an
// extension this package knows that never follows a number.
func unnumberedName(b []byte) bool {
	switch upper(string(b)) {
	case "OK", "NO", "BAD", "BYE", "PREAUTH", "CAPABILITY", "ENABLED", "LIST", "LSUB", "XLIST",
		"STATUS", "SEARCH", "SORT", "ESEARCH", "THREAD", "FLAGS", "VANISHED", "NAMESPACE",
		"QUOTA", "QUOTAROOT", "ID":
		return true
	}
	return false
}

func (r *Reader) readUntaggedStatus(t StatusType) (Response, error) {
	s := &StatusResponse{Type: t}
	return s, r.readStatusTail(s)
}

// readNumbered reads "n EXISTS", "n RECENT", "n EXPUNGE", "n FETCH ...".
func (r *Reader) readNumbered() (Response, error) {
	w := r.w
	off := w.InputOffset()
	n, err := w.ReadNumber("message-data")
	if err != nil {
		return nil, err
	}
	if err := w.ExpectSP("message-data"); err != nil {
		return nil, err
	}
	name, err := w.ReadAtom("message-data")
	if err != nil {
		return nil, err
	}
	// message-data = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att)).
	// "* 0 EXPUNGE" is refused in both modes: applied, it would shift
	// every sequence number the client holds, and no server is known
	// to need it. "* 0 FETCH" is kept leniently: it changes no state.
	if n == 0 && (equalFold(name, "EXPUNGE") || r.strict && equalFold(name, "FETCH")) {
		return nil, &wire.SyntaxError{Offset: off, Production: "message-data", Expected: "nz-number", Found: `"0"`}
	}
	switch {
	case equalFold(name, "FETCH"):
		return r.startFetch(n)
	case equalFold(name, "EXISTS"):
		return &Exists{Num: n}, w.ExpectCRLF("mailbox-data")
	case equalFold(name, "RECENT"):
		return &Recent{Num: n}, w.ExpectCRLF("mailbox-data")
	case equalFold(name, "EXPUNGE"):
		return &Expunge{SeqNum: n}, w.ExpectCRLF("message-data")
	}
	if r.strict && unnumberedName(name) {
		// "* 3 VANISHED 1:3": RFC 7162 section 3.2.10 has no number
		// before VANISHED, nor RFC 3501 before its unnumbered responses.
		return nil, &wire.SyntaxError{Offset: off, Production: "message-data", Expected: `"FETCH", "EXPUNGE", "EXISTS" or "RECENT" after a number`, Found: quoteString(name)}
	}
	return r.readUnknown(&Unknown{Num: n, HasNum: true, Name: string(name)}, off)
}

// readUnknown keeps the rest of an unknown response: as values when they
// parse, else as text. off is the offset of the name (or number).
func (r *Reader) readUnknown(u *Unknown, off int64) (Response, error) {
	w := r.w
	for {
		eol, err := w.AtEOL()
		if err != nil {
			return nil, err
		}
		if eol {
			return u, w.ExpectCRLF("response-data")
		}
		if len(u.Fields) == 0 {
			if err := w.ExpectSP("response-data"); err != nil {
				return nil, err
			}
		} else {
			c, err := w.Peek()
			if err != nil {
				return nil, unexpected(err)
			}
			if c == ' ' {
				w.ReadByte()
			}
		}
		c, err := w.Peek()
		if err != nil {
			return nil, unexpected(err)
		}
		if c == ')' || c == ']' {
			// Not a value tree: keep the rest as text.
			text, err := w.ReadText("response-data")
			if err != nil {
				return nil, err
			}
			u.Text = string(text)
			return u, w.ExpectCRLF("response-data")
		}
		if eol, err := w.AtEOL(); err != nil {
			return nil, err
		} else if eol {
			return u, w.ExpectCRLF("response-data")
		}
		v, err := r.readCountedValue("response-data", true)
		if err != nil {
			return nil, err
		}
		if r.strict && len(u.Fields) == 0 && !u.HasNum && v.Kind == wire.KindAtom && messageDataName([]byte(v.Text)) {
			// "* abc FETCH ...": a message-data name after a word that
			// is not a number is a broken response, not an extension.
			return nil, &wire.SyntaxError{Offset: off, Production: "message-data", Expected: "nz-number", Found: quoteString([]byte(u.Name))}
		}
		u.Fields = append(u.Fields, v)
	}
}

// readAtomsToEOL reads *(SP atom) CRLF (at least one atom when need1).
// The atoms are list elements of the response; they are gathered in chunks
// (see chunkList), as a line of a million of them must not cost the
// doubling of a slice.
func (r *Reader) readAtomsToEOL(production string, need1 bool) ([]string, error) {
	w := r.w
	var out chunkList[string]
	for {
		eol, err := w.AtEOL()
		if err != nil {
			return nil, err
		}
		if eol {
			if need1 && out.len() == 0 && r.strict {
				return nil, w.ErrorAt(production, "atom")
			}
			if out.len() == 0 {
				return nil, w.ExpectCRLF(production)
			}
			return out.list(), w.ExpectCRLF(production)
		}
		if err := w.ExpectSP(production); err != nil {
			return nil, err
		}
		if eol, err := w.AtEOL(); err != nil {
			return nil, err
		} else if eol && !r.strict {
			continue // trailing SP (Apple); strict: an atom must follow
		}
		if err := r.countElem(production); err != nil {
			return nil, err
		}
		a, err := r.readAtomish(production)
		if err != nil {
			return nil, err
		}
		out.add(r.intern(a))
	}
}

// readAtomish reads an atom; in lenient mode any word (servers put
// non-atom bytes in capability names and keywords).
func (r *Reader) readAtomish(production string) ([]byte, error) {
	if r.strict {
		return r.w.ReadAtom(production)
	}
	return r.w.ReadWord(production)
}

// Reset discards the Reader's state and reads from rd from now on, keeping
// its options and buffer.
func (r *Reader) Reset(rd io.Reader) {
	r.w.Reset(rd)
	r.fetch, r.needSkip, r.respStart, r.err = nil, false, 0, nil
}
