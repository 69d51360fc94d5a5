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
		w.ReadByte()
		code, err := r.readCode()
		if err != nil {
			return err
		}
		s.Code = code
		c, err := w.Peek()
		if err != nil {
			return unexpected(err)
		}
		if c != ' ' {
			if r.strict {
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

// readCode reads resp-text-code "]" after the "[".
func (r *Reader) readCode() (*Code, error) {
	w := r.w
	off := w.InputOffset()
	name, err := w.ReadAtom("resp-text-code")
	if err != nil {
		return nil, err
	}
	code := &Code{Name: r.intern(upperBytes(name))}
	c, err := w.Peek()
	if err != nil {
		return nil, unexpected(err)
	}
	if c == ' ' {
		w.ReadByte()
		args, err := r.readCodeArgs()
		if err != nil {
			return nil, err
		}
		code.Args = args
	} else if c != ']' && !r.strict {
		// Office 365: [Error="Microsoft...:Cross Server access" Proxy=...]
		// has no SP after the name's atom.
		args, err := r.readCodeArgs()
		if err != nil {
			return nil, err
		}
		code.Args = args
	}
	if err := w.Expect(']', "resp-text-code"); err != nil {
		return nil, err
	}
	if err := parseCodeArgs(code); err != nil {
		if r.strict {
			err.Offset += off
			return nil, err
		}
		// Lenient: keep the code with its raw arguments only.
	}
	// The arguments are bounded by MaxQuoted already; their lists count
	// like any other.
	if err := r.countElems(len(code.List), off, "resp-text-code"); err != nil {
		return nil, err
	}
	if maxNums := w.Limits().MaxNumList; 2*len(code.Set) > maxNums || 2*len(code.Dest) > maxNums {
		return nil, &wire.SyntaxError{Offset: off, Production: "resp-text-code", Expected: "fewer numbers", Err: wire.ErrListTooLong}
	}
	return code, nil
}

// readCodeArgs reads the raw arguments of a response code up to (not
// including) the closing "]", skipping over quoted strings so that a "]"
// inside quotes does not end the code (Office 365 puts quoted strings with
// ":" and "=" in its codes).
func (r *Reader) readCodeArgs() (string, error) {
	w := r.w
	var b []byte
	depth := 0
	inQuote := false
	limit := w.Limits().MaxQuoted
	for {
		c, err := w.Peek()
		if err != nil {
			return "", unexpected(err)
		}
		if c == '\r' || c == '\n' {
			return "", w.ErrorAt("resp-text-code", `"]"`)
		}
		switch {
		case inQuote && c == '\\':
			b = append(b, c)
			w.ReadByte()
			c, err = w.Peek()
			if err != nil {
				return "", unexpected(err)
			}
			if c == '\r' || c == '\n' {
				return "", w.ErrorAt("resp-text-code", "quoted-char")
			}
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == '(' || c == '[':
			depth++
		case c == ')':
			depth--
		case c == ']':
			if depth <= 0 {
				return string(b), nil
			}
			depth--
		}
		b = append(b, c)
		w.ReadByte()
		if len(b) > limit {
			return "", &wire.SyntaxError{Offset: w.InputOffset(), Production: "resp-text-code", Expected: "shorter code", Err: wire.ErrQuotedTooLong}
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
		n, err := strconv.ParseUint(args, 10, 63)
		if err != nil {
			return bad("resp-text-code", "mod-sequence-value", 0, numErr(err))
		}
		code.ModSeq = n
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
