package parser

import (
	"strconv"
	"strings"

	"github.com/imapwire/imapwire/wire"
)

// A Code is a response code: the bracketed part of resp-text, such as
// [UIDNEXT 4392] or [COPYUID 38505 304,319:320 3956:3958].
//
// Name is always set, in upper case. The typed field that goes with the
// name is filled in; Args always keeps the raw argument text, so an unknown
// code (or a known one whose arguments did not parse, in lenient mode) is
// never lost.
type Code struct {
	Name string `json:"name"` // upper case, such as "UIDNEXT"
	Args string `json:"args"` // the raw text between the name and "]", "" when none

	// Number is the argument of UIDNEXT, UIDVALIDITY and UNSEEN, and the
	// UIDVALIDITY of APPENDUID and COPYUID.
	Number uint32 `json:"number,omitempty"`
	// ModSeq is the argument of HIGHESTMODSEQ.
	ModSeq uint64 `json:"modSeq,omitempty"`
	// List holds the atoms of CAPABILITY, PERMANENTFLAGS and BADCHARSET.
	List []string `json:"list,omitempty"`
	// Set is the uid-set of APPENDUID, the source set of COPYUID and the
	// sequence set of MODIFIED.
	Set wire.SeqSet `json:"set,omitempty"`
	// Dest is the destination uid-set of COPYUID.
	Dest wire.SeqSet `json:"dest,omitempty"`
}

// Response codes of RFC 3501, RFC 4315 (UIDPLUS), RFC 7162 (CONDSTORE,
// QRESYNC), RFC 5530 and others.
const (
	CodeAlert                = "ALERT"
	CodeBadCharset           = "BADCHARSET"
	CodeCapability           = "CAPABILITY"
	CodeParse                = "PARSE"
	CodePermanentFlags       = "PERMANENTFLAGS"
	CodeReadOnly             = "READ-ONLY"
	CodeReadWrite            = "READ-WRITE"
	CodeTryCreate            = "TRYCREATE"
	CodeUIDNext              = "UIDNEXT"
	CodeUIDValidity          = "UIDVALIDITY"
	CodeUnseen               = "UNSEEN"
	CodeAppendUID            = "APPENDUID"
	CodeCopyUID              = "COPYUID"
	CodeUIDNotSticky         = "UIDNOTSTICKY"
	CodeHighestModSeq        = "HIGHESTMODSEQ"
	CodeNoModSeq             = "NOMODSEQ"
	CodeModified             = "MODIFIED"
	CodeClosed               = "CLOSED"
	CodeUnavailable          = "UNAVAILABLE"
	CodeAuthenticationFailed = "AUTHENTICATIONFAILED"
	CodeAuthorizationFailed  = "AUTHORIZATIONFAILED"
	CodeExpired              = "EXPIRED"
	CodePrivacyRequired      = "PRIVACYREQUIRED"
	CodeContactAdmin         = "CONTACTADMIN"
	CodeNoPerm               = "NOPERM"
	CodeInUse                = "INUSE"
	CodeExpungeIssued        = "EXPUNGEISSUED"
	CodeCorruption           = "CORRUPTION"
	CodeServerBug            = "SERVERBUG"
	CodeClientBug            = "CLIENTBUG"
	CodeCannot               = "CANNOT"
	CodeLimit                = "LIMIT"
	CodeOverQuota            = "OVERQUOTA"
	CodeAlreadyExists        = "ALREADYEXISTS"
	CodeNonExistent          = "NONEXISTENT"
)

// readRespText reads resp-text after the condition's SP:
// ["[" resp-text-code "]" SP] text.
func (r *Reader) readRespText(s *StatusResponse) error {
	w := r.w
	c, err := w.Peek()
	if err != nil {
		return unexpected(err)
	}
	if c == '[' {
		open := w.InputOffset()
		w.ReadByte()
		code, end, rest, err := r.readCode()
		if err != nil {
			return err
		}
		switch end {
		case codeUnclosed:
			// No "]" before CRLF (a REFERRAL URL cut short): the whole
			// text is resp-text, without a code.
			raw := w.Since(open)
			if int64(len(raw)) != w.InputOffset()-open {
				raw = []byte("[" + rest)
			}
			s.Text = string(raw)
			return nil
		case codeBacktracked:
			// The text after the code's "]" was read with the code.
			s.Code = code
			if rest == "" && r.strict {
				return w.ErrorAt("text", "TEXT-CHAR")
			}
			s.Text = rest
			return nil
		}
		s.Code = code
		c, err := w.Peek()
		if err != nil {
			return unexpected(err)
		}
		if c != ' ' {
			if !r.lenient(LenientNoText) {
				return w.ErrorAt("resp-text", "SP")
			}
			// iCloud and Gmail send "[UIDNEXT 4]" and
			// "[HIGHESTMODSEQ n]" with no text.
			return nil
		}
		w.ReadByte()
	}
	text, err := w.ReadText("text")
	if err != nil {
		return err
	}
	if len(text) == 0 && r.strict {
		return w.ErrorAt("text", "TEXT-CHAR")
	}
	s.Text = r.str(text)
	return nil
}

// codeEnd says how a response code ended (see readCodeArgs).
type codeEnd int

const (
	codeClosed      codeEnd = iota // at its "]", consumed
	codeBacktracked                // at the first "]" of a line that ended inside quotes or parentheses; the text after it is read too
	codeUnclosed                   // no "]" before CRLF (lenient mode only)
)

// readCode reads resp-text-code "]" after the "[". With codeBacktracked,
// rest is the text after the code (its SP removed); with codeUnclosed, the
// code is nil and rest is all that followed the "[".
func (r *Reader) readCode() (code *Code, end codeEnd, rest string, err error) {
	w := r.w
	off := w.InputOffset()
	name, err := w.ReadAtom("resp-text-code")
	if err != nil {
		return nil, 0, "", err
	}
	nameRaw := string(name) // as sent, for a code that never closes
	code = &Code{Name: r.intern(upperBytes(name))}
	c, err := w.Peek()
	if err != nil {
		return nil, 0, "", unexpected(err)
	}
	sep := ""
	end = codeClosed
	if c == ' ' {
		w.ReadByte()
		sep = " "
		code.Args, rest, end, err = r.readCodeArgs()
	} else if c != ']' && !r.strict {
		// Office 365: [Error="Microsoft...:Cross Server access" Proxy=...]
		// has no SP after the name's atom.
		code.Args, rest, end, err = r.readCodeArgs()
	}
	if err != nil {
		return nil, 0, "", err
	}
	switch end {
	case codeUnclosed:
		if !r.lenient(LenientUnclosedCode) {
			return nil, 0, "", w.ErrorAt("resp-text-code", `"]"`)
		}
		return nil, codeUnclosed, nameRaw + sep + code.Args, nil
	case codeBacktracked:
		if rest != "" {
			if rest[0] != ' ' && r.strict {
				return nil, 0, "", &wire.SyntaxError{Offset: w.InputOffset() - int64(len(rest)), Production: "resp-text", Expected: "SP", Found: strconv.Quote(rest)}
			}
			if rest[0] == ' ' {
				rest = rest[1:]
			}
		}
	default:
		if err := w.Expect(']', "resp-text-code"); err != nil {
			return nil, 0, "", err
		}
	}
	if err := parseCodeArgs(code); err != nil {
		rule := LenientCodeArgs
		if code.Name == CodeHighestModSeq && code.ModSeq > 0 {
			rule = LenientNumber64
		}
		if !r.lenient(rule) {
			err.Offset += off
			return nil, 0, "", err
		}
		// Lenient: keep the code with its raw arguments (and a 64-bit
		// HIGHESTMODSEQ typed).
	}
	// The arguments are bounded by MaxQuoted already; their lists count
	// like any other.
	if err := r.countElems(len(code.List), off, "resp-text-code"); err != nil {
		return nil, 0, "", err
	}
	if maxNums := w.Limits().MaxNumList; 2*len(code.Set) > maxNums || 2*len(code.Dest) > maxNums {
		return nil, 0, "", &wire.SyntaxError{Offset: off, Production: "resp-text-code", Expected: "fewer numbers", Err: wire.ErrListTooLong}
	}
	return code, end, rest, nil
}

// readCodeArgs reads the raw arguments of a response code up to (not
// including) the closing "]", skipping over quoted strings so that a "]"
// inside them does not end the code (Office 365 puts quoted strings with
// ":" and "=" in its codes), and in lenient mode over parentheses and
// brackets (Gmail keywords such as OIB-Seen-[Gmail]/Spam in
// PERMANENTFLAGS). Strictly a "[" is a plain TEXT-CHAR: the free text of a
// code is 1*<any TEXT-CHAR except "]"> (RFC 3501 section 9), so
// "[XFOO a[b] text" is the code XFOO with "a[b" and the text "text"; the
// lenient reading comes back to it when the nesting never closes.
//
// When the line ends inside quotes or parentheses, the grammar's reading
// is taken (codeBacktracked): the code ended at the first "]", and rest
// holds what followed it, already consumed. When the line ends with no "]"
// at all (codeUnclosed), args holds everything read.
func (r *Reader) readCodeArgs() (args, rest string, end codeEnd, err error) {
	w := r.w
	var b []byte
	depth := 0
	inQuote := false
	firstClose := -1 // index in b of the first "]" skipped over
	limit := w.Limits().MaxQuoted
	for {
		c, err := w.Peek()
		if err != nil {
			return "", "", 0, unexpected(err)
		}
		if c == '\\' && inQuote {
			b = append(b, c)
			w.ReadByte()
			if c, err = w.Peek(); err != nil {
				return "", "", 0, unexpected(err)
			}
			if c != '\r' && c != '\n' {
				b = append(b, c) // the escaped byte, whatever it is
				w.ReadByte()
				continue
			}
		}
		if c == '\r' || c == '\n' {
			if firstClose >= 0 {
				return string(b[:firstClose]), string(b[firstClose+1:]), codeBacktracked, nil
			}
			return string(b), "", codeUnclosed, nil
		}
		switch {
		case c == '"':
			inQuote = !inQuote
		case c == ']' && inQuote:
			if firstClose < 0 {
				firstClose = len(b)
			}
		case inQuote:
		case r.strict:
			// Strictly the free text is plain TEXT-CHARs: only quoted
			// strings (astrings of known codes) are tokens.
			if c == ']' {
				return string(b), "", codeClosed, nil
			}
		case c == '(' || c == '[':
			depth++
		case c == ')':
			depth--
		case c == ']':
			if depth <= 0 {
				return string(b), "", codeClosed, nil
			}
			depth--
			if firstClose < 0 {
				firstClose = len(b)
			}
		}
		b = append(b, c)
		w.ReadByte()
		if len(b) > limit {
			return "", "", 0, &wire.SyntaxError{Offset: w.InputOffset(), Production: "resp-text-code", Expected: "shorter code", Err: wire.ErrQuotedTooLong}
		}
	}
}

func upperBytes(b []byte) []byte {
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return b
}

// parseCodeArgs fills the typed fields of code from code.Args. The error's
// Offset is relative to the start of the code name.
func parseCodeArgs(code *Code) *wire.SyntaxError {
	args := code.Args
	base := int64(len(code.Name) + 1)
	bad := func(prod, expected string, at int, sentinel error) *wire.SyntaxError {
		return &wire.SyntaxError{Offset: base + int64(at), Production: prod, Expected: expected, Found: strconv.Quote(args[min(at, len(args)):]), Err: sentinel}
	}
	switch code.Name {
	case CodeUIDNext, CodeUIDValidity, CodeUnseen:
		n, err := strconv.ParseUint(args, 10, 32)
		if err != nil {
			return bad("resp-text-code", "number", 0, numErr(err))
		}
		code.Number = uint32(n)
		if n == 0 {
			// All three take an nz-number; mail.xwtec.cn sends
			// UIDVALIDITY 0 (lenient mode keeps it).
			return bad("resp-text-code", "nz-number", 0, nil)
		}
	case CodeHighestModSeq:
		n, err := strconv.ParseUint(args, 10, 64)
		if err != nil {
			return bad("resp-text-code", "mod-sequence-value", 0, numErr(err))
		}
		code.ModSeq = n // kept leniently past 63 bits (see LenientNumber64)
		if n > 1<<63-1 {
			return bad("resp-text-code", "mod-sequence-value", 0, wire.ErrNumberOverflow)
		}
	case CodeCapability:
		code.List = strings.Fields(args)
		if len(code.List) == 0 {
			return bad("capability-data", "capability", 0, nil)
		}
	case CodePermanentFlags, CodeBadCharset:
		if code.Name == CodeBadCharset && args == "" {
			return nil
		}
		if len(args) < 2 || args[0] != '(' || args[len(args)-1] != ')' {
			return bad("resp-text-code", "parenthesized list", 0, nil)
		}
		list := strings.Fields(args[1 : len(args)-1])
		for i, f := range list {
			if uq, err := strconv.Unquote(f); err == nil && strings.HasPrefix(f, `"`) {
				list[i] = uq
			}
		}
		if list == nil {
			list = []string{}
		}
		code.List = list
	case CodeAppendUID, CodeCopyUID:
		parts := strings.Split(args, " ")
		want := 2
		if code.Name == CodeCopyUID {
			want = 3
		}
		if len(parts) != want {
			return bad("resp-text-code", strconv.Itoa(want)+" arguments", 0, nil)
		}
		n, err := strconv.ParseUint(parts[0], 10, 32)
		if err != nil {
			return bad("resp-text-code", "nz-number", 0, numErr(err))
		}
		code.Number = uint32(n)
		at := len(parts[0]) + 1
		set, serr := wire.ParseSeqSet(parts[1])
		if serr != nil {
			return bad("uid-set", "uid-set", at, nil)
		}
		code.Set = set
		if want == 3 {
			at += len(parts[1]) + 1
			dest, serr := wire.ParseSeqSet(parts[2])
			if serr != nil {
				return bad("uid-set", "uid-set", at, nil)
			}
			code.Dest = dest
		}
		// RFC 4315 uid-set has no "*" (Purelymail sends it; lenient mode
		// keeps the sets as sent), and the UIDVALIDITY is an nz-number.
		if n == 0 {
			return bad("resp-text-code", "nz-number", 0, nil)
		}
		if code.Set.Dynamic() || code.Dest.Dynamic() {
			return bad("uid-set", `uid-set without "*"`, len(parts[0])+1, nil)
		}
	case CodeModified:
		set, err := wire.ParseSeqSet(args)
		if err != nil {
			return bad("resp-text-code", "sequence-set", 0, nil)
		}
		code.Set = set
	}
	return nil
}

func numErr(err error) error {
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		return wire.ErrNumberOverflow
	}
	return nil
}
