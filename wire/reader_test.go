package wire

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// small are the limits of the limit tests: each row is exactly at a limit or
// one past it.
var small = Limits{MaxLiteral: 16, MaxAtom: 8, MaxQuoted: 8, MaxDepth: 3, MaxListElems: 4, MaxNumList: 4}

// readerKinds are the ways the tests feed a Reader: every table runs under
// each of them and must give the same results, offsets and errors.
var readerKinds = []struct {
	name string
	wrap func(io.Reader) io.Reader
}{
	{"bytes", func(r io.Reader) io.Reader { return r }},
	{"onebyte", iotest.OneByteReader},
	{"dataerr", iotest.DataErrReader},
	{"half", iotest.HalfReader},
}

func newTestReader(in string, wrap func(io.Reader) io.Reader, strict bool, lim Limits) *Reader {
	r := NewReader(wrap(bytes.NewReader([]byte(in))))
	r.SetStrict(strict)
	if lim != (Limits{}) {
		r.SetLimits(lim)
	}
	return r
}

// An op is one call (or a short sequence of calls) on a Reader, returning
// a comparable rendering of what it read.
type op func(r *Reader) (any, error)

type nstr struct {
	S   string
	Nil bool
}

func opAtom(r *Reader) (any, error)        { b, err := r.ReadAtom("p"); return string(b), err }
func opAStringAtom(r *Reader) (any, error) { b, err := r.ReadAStringAtom("p"); return string(b), err }
func opAString(r *Reader) (any, error)     { b, err := r.ReadAString("p"); return string(b), err }
func opTag(r *Reader) (any, error)         { b, err := r.ReadTag("p"); return string(b), err }
func opWord(r *Reader) (any, error)        { b, err := r.ReadWord("p"); return string(b), err }
func opNumber(r *Reader) (any, error)      { return r.ReadNumber("p") }
func opNumber64(r *Reader) (any, error)    { return r.ReadNumber64("p") }
func opQuoted(r *Reader) (any, error)      { b, err := r.ReadQuoted("p"); return string(b), err }
func opString(r *Reader) (any, error)      { b, err := r.ReadString("p"); return string(b), err }
func opText(r *Reader) (any, error)        { b, err := r.ReadText("p"); return string(b), err }
func opNIL(r *Reader) (any, error)         { return nil, r.ReadNIL("p") }
func opPeekNIL(r *Reader) (any, error)     { return r.PeekNIL() }
func opSP(r *Reader) (any, error)          { return nil, r.ExpectSP("p") }
func opCRLF(r *Reader) (any, error)        { return nil, r.ExpectCRLF("p") }
func opAtEOL(r *Reader) (any, error)       { return r.AtEOL() }
func opSkipLine(r *Reader) (any, error)    { return nil, r.SkipLine() }
func opPeek(r *Reader) (any, error)        { c, err := r.Peek(); return string(c), err }
func opValue(r *Reader) (any, error)       { return r.ReadValue("p") }
func opLitHeader(r *Reader) (any, error)   { return r.ReadLiteralHeader("p") }
func opToken(r *Reader) (any, error)       { return r.ReadToken() }
func opExpectParen(r *Reader) (any, error) { return nil, r.Expect('(', "p") }

func opNString(r *Reader) (any, error) {
	b, isNil, err := r.ReadNString("p")
	return nstr{string(b), isNil}, err
}

// opLitBytes reads a literal header and its body into memory.
func opLitBytes(r *Reader) (any, error) {
	if _, err := r.ReadLiteralHeader("p"); err != nil {
		return nil, err
	}
	b, err := r.LiteralBytes("p")
	return string(b), err
}

// opLitStream reads a literal header and its body through LiteralReader.
func opLitStream(r *Reader) (any, error) {
	if _, err := r.ReadLiteralHeader("p"); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(r.LiteralReader())
	return string(b), err
}

// then runs ops in sequence and returns the results as a slice.
func then(ops ...op) op {
	return func(r *Reader) (any, error) {
		var out []any
		for _, o := range ops {
			v, err := o(r)
			if err != nil {
				return out, err
			}
			out = append(out, v)
		}
		return out, nil
	}
}

// skip consumes n bytes first, so that errors have a non-zero offset.
func skip(n int, o op) op {
	return func(r *Reader) (any, error) {
		for i := 0; i < n; i++ {
			if _, err := r.ReadByte(); err != nil {
				return nil, err
			}
		}
		return o(r)
	}
}

// tokens reads tokens until an error and renders them.
func opTokens(r *Reader) (any, error) {
	var out []string
	for {
		t, err := r.ReadToken()
		if err != nil {
			return out, err
		}
		out = append(out, renderToken(t))
	}
}

// renderToken renders t as kind:text@offset, with literal details.
func renderToken(t Token) string {
	switch t.Kind {
	case KindLiteral:
		s := fmt.Sprintf("literal:%d", t.Literal.Size)
		if t.Literal.Binary {
			s = "~" + s
		}
		if t.Literal.NonSync {
			s += "+"
		}
		return fmt.Sprintf("%s@%d", s, t.Offset)
	case KindNumber:
		return fmt.Sprintf("number:%d@%d", t.Num, t.Offset)
	case KindAtom, KindQuoted, KindNIL, KindPlus, KindStar:
		return fmt.Sprintf("%s:%s@%d", t.Kind, t.Bytes, t.Offset)
	}
	return fmt.Sprintf("%s@%d", t.Kind, t.Offset)
}

var cmpOpts = []cmp.Option{cmpopts.EquateEmpty()}

type readCase struct {
	name   string
	in     string
	strict bool
	lim    Limits
	op     op
	want   any
	off    int64 // InputOffset after the op
}

var readCases = []readCase{
	// atom
	{name: "atom", in: "FETCH ", op: opAtom, want: "FETCH", off: 5},
	{name: "atom/stops at ]", in: "a]b ", op: opAtom, want: "a", off: 1},
	{name: "atom/stops at %", in: "a%b ", op: opAtom, want: "a", off: 1},
	{name: "atom/stops at 8-bit", in: "x\x80y ", op: opAtom, want: "x", off: 1},
	{name: "atom/stops at CTL", in: "x\ty ", op: opAtom, want: "x", off: 1},
	{name: "atom/at MaxAtom", in: "12345678 ", lim: small, op: opAtom, want: "12345678", off: 8},
	// astring atom
	{name: "astring-atom/with ]", in: "INBOX] rest", op: opAStringAtom, want: "INBOX]", off: 6},
	{name: "astring-atom/stops at %", in: "a%", op: opAStringAtom, want: "a", off: 1},
	{name: "astring-atom/at MaxAtom", in: "]]]]]]]] ", lim: small, op: opAStringAtom, want: "]]]]]]]]", off: 8},
	// astring
	{name: "astring/atom", in: "INBOX ", op: opAString, want: "INBOX", off: 5},
	{name: "astring/quoted", in: `"My Box" `, op: opAString, want: "My Box", off: 8},
	{name: "astring/literal", in: "{3}\r\nabc ", op: opAString, want: "abc", off: 8},
	{name: "astring/tilde atom", in: "~/Mail/x ", op: opAString, want: "~/Mail/x", off: 8},
	{name: "astring/literal8", in: "~{1}\r\nx ", op: opAString, want: "x", off: 7},
	// tag
	{name: "tag", in: "A001 OK", op: opTag, want: "A001", off: 4},
	{name: "tag/stops at +", in: "a+b ", op: opTag, want: "a", off: 1},
	{name: "tag/with ]", in: "a]b ", op: opTag, want: "a]b", off: 3},
	// word
	{name: "word/flag", in: `\Seen)`, op: opWord, want: `\Seen`, off: 5},
	{name: "word/8-bit", in: "x\x80y ", op: opWord, want: "x\x80y", off: 3},
	{name: "word/specials", in: "a%*<>~\\ ", op: opWord, want: "a%*<>~\\", off: 7},
	{name: "word/stops at [", in: "BODY[", op: opWord, want: "BODY", off: 4},
	{name: "word/stops at ]", in: "a]", op: opWord, want: "a", off: 1},
	{name: "word/stops at {", in: "a{", op: opWord, want: "a", off: 1},
	{name: "word/stops at DQUOTE", in: `a"`, op: opWord, want: "a", off: 1},
	// numbers
	{name: "number/zero", in: "0 ", op: opNumber, want: uint32(0), off: 1},
	{name: "number/leading zeros", in: "007)", op: opNumber, want: uint32(7), off: 3},
	{name: "number/uint32 max", in: "4294967295 ", op: opNumber, want: uint32(1<<32 - 1), off: 10},
	{name: "number/stops at non-digit", in: "12abc", op: opNumber, want: uint32(12), off: 2},
	{name: "number/many leading zeros", in: "0000000000000000000000042 ", op: opNumber, want: uint32(42), off: 25},
	{name: "number64/63-bit max", in: "9223372036854775807 ", op: opNumber64, want: uint64(1<<63 - 1), off: 19},
	{name: "number64/uint32 max+1", in: "4294967296 ", op: opNumber64, want: uint64(1 << 32), off: 10},
	{name: "number/uint32 max-1", in: "4294967294 ", op: opNumber, want: uint32(1<<32 - 2), off: 10},
	{name: "number/below cutoff", in: "4294967289 ", op: opNumber, want: uint32(4294967289), off: 10},
	{name: "number64/63-bit max-1", in: "9223372036854775806)", op: opNumber64, want: uint64(1<<63 - 2), off: 19},
	// quoted
	{name: "quoted/empty", in: `"" `, op: opQuoted, want: "", off: 2},
	{name: "quoted", in: `"abc" `, op: opQuoted, want: "abc", off: 5},
	{name: "quoted/escapes", in: `"a\"b\\c" `, op: opQuoted, want: `a"b\c`, off: 9},
	{name: "quoted/unknown escape kept", in: `"a\xb" `, op: opQuoted, want: `a\xb`, off: 6},
	{name: "quoted/at end of input", in: `"a"`, op: opQuoted, want: "a", off: 3},
	{name: "quoted/parens inside", in: `"a(b)" `, op: opQuoted, want: "a(b)", off: 6},
	{name: "quoted/8-bit lenient", in: "\"caf\xc3\xa9\" ", op: opQuoted, want: "caf\xc3\xa9", off: 7},
	{name: "quoted/closes before (", in: `"x"(`, op: opQuoted, want: "x", off: 3},
	{name: "quoted/closes before ]", in: `"x"]`, op: opQuoted, want: "x", off: 3},
	{name: "quoted/closes before )", in: `"x")`, op: opQuoted, want: "x", off: 3},
	{name: "quoted/closes before CRLF", in: "\"x\"\r\n", op: opQuoted, want: "x", off: 3},
	{name: "quoted/closes before LF", in: "\"x\"\n", op: opQuoted, want: "x", off: 3},
	// 163.com sends BODYSTRUCTURE strings with unescaped quotes.
	{name: "quoted/163.com four quotes", in: `"""" `, op: opQuoted, want: `""`, off: 4},
	{name: "quoted/inner unescaped quotes", in: `"He said "hi"" `, op: opQuoted, want: `He said "hi"`, off: 14},
	{name: "quoted/strict four quotes", in: `"""" `, strict: true, op: opQuoted, want: "", off: 2},
	{name: "quoted/strict escapes", in: `"a\"b\\c" `, strict: true, op: opQuoted, want: `a"b\c`, off: 9},
	{name: "quoted/at MaxQuoted", in: `"12345678" `, lim: small, op: opQuoted, want: "12345678", off: 10},
	{name: "quoted/at MaxQuoted with escape", in: `"123456\"" `, lim: small, op: opQuoted, want: `123456"`, off: 10},
	// string
	{name: "string/quoted", in: `"x" `, op: opString, want: "x", off: 3},
	{name: "string/literal", in: "{2}\r\nxy", op: opString, want: "xy", off: 7},
	// literals
	{name: "literal/header", in: "{5}\r\nhello", op: opLitHeader, want: LiteralInfo{Size: 5}, off: 5},
	{name: "literal/literal8 header", in: "~{3}\r\nabc", op: opLitHeader, want: LiteralInfo{Size: 3, Binary: true}, off: 6},
	{name: "literal/non-sync header", in: "{3+}\r\nabc", op: opLitHeader, want: LiteralInfo{Size: 3, NonSync: true}, off: 6},
	{name: "literal/literal8 non-sync", in: "~{3+}\r\nabc", op: opLitHeader, want: LiteralInfo{Size: 3, Binary: true, NonSync: true}, off: 7},
	{name: "literal/bare LF lenient", in: "{3}\nabc", op: opLitHeader, want: LiteralInfo{Size: 3}, off: 4},
	{name: "literal/huge header", in: "{99999999999}\r\n", op: opLitHeader, want: LiteralInfo{Size: 99999999999}, off: 15},
	{name: "literal/63-bit header", in: "{9223372036854775807}\r\n", op: opLitHeader, want: LiteralInfo{Size: 1<<63 - 1}, off: 23},
	{name: "literal/bytes", in: "{5}\r\nhello)", op: opLitBytes, want: "hello", off: 10},
	{name: "literal/bytes with CRLF", in: "{5}\r\nab\r\nc)", op: opLitBytes, want: "ab\r\nc", off: 10},
	{name: "literal/bytes empty", in: "{0}\r\n)", op: opLitBytes, want: "", off: 5},
	{name: "literal/bytes under MaxLiteral", in: "{15}\r\n123456789012345)", lim: small, op: opLitBytes, want: "123456789012345", off: 21},
	{name: "literal/bytes at MaxLiteral", in: "{16}\r\n1234567890123456)", lim: small, op: opLitBytes, want: "1234567890123456", off: 22},
	{name: "literal/stream", in: "{5}\r\nab\r\nc)", op: opLitStream, want: "ab\r\nc", off: 10},
	{name: "literal/stream over MaxLiteral", in: "{17}\r\n12345678901234567)", lim: small, op: opLitStream, want: "12345678901234567", off: 23},
	{name: "literal/pending body drained by next call", in: "{5}\r\nhello)", op: then(opLitHeader, opPeek), want: []any{LiteralInfo{Size: 5}, ")"}, off: 10},
	// NIL
	{name: "nil", in: "NIL ", op: opNIL, want: nil, off: 3},
	{name: "nil/lower case", in: "nil)", op: opNIL, want: nil, off: 3},
	{name: "nil/at end of input", in: "NiL", op: opNIL, want: nil, off: 3},
	{name: "peeknil", in: "NIL ", op: opPeekNIL, want: true, off: 0},
	{name: "peeknil/before )", in: "nil)", op: opPeekNIL, want: true, off: 0},
	{name: "peeknil/longer atom", in: "NILS ", op: opPeekNIL, want: false, off: 0},
	{name: "peeknil/short", in: "NI ", op: opPeekNIL, want: false, off: 0},
	{name: "peeknil/list", in: "(", op: opPeekNIL, want: false, off: 0},
	{name: "peeknil/at end of input", in: "NIL", op: opPeekNIL, want: true, off: 0},
	{name: "nstring/NIL", in: "NIL ", op: opNString, want: nstr{"", true}, off: 3},
	{name: "nstring/quoted", in: `"x" `, op: opNString, want: nstr{"x", false}, off: 3},
	{name: "nstring/empty quoted", in: `"" `, op: opNString, want: nstr{"", false}, off: 2},
	{name: "nstring/literal", in: "{1}\r\nx ", op: opNString, want: nstr{"x", false}, off: 6},
	{name: "nstring/literal8", in: "~{1}\r\nx ", op: opNString, want: nstr{"x", false}, off: 7},
	{name: "nstring/empty list lenient", in: "() ", op: opNString, want: nstr{"", true}, off: 2},
	// text
	{name: "text", in: "hello world\r\n", op: opText, want: "hello world", off: 11},
	{name: "text/empty", in: "\r\n", op: opText, want: "", off: 0},
	{name: "text/8-bit lenient", in: "caf\xc3\xa9\r\n", op: opText, want: "caf\xc3\xa9", off: 5},
	{name: "text/CTL", in: "tab\there\r\n", op: opText, want: "tab\there", off: 8},
	{name: "text/CTL strict", in: "tab\there\r\n", strict: true, op: opText, want: "tab\there", off: 8},
	{name: "text/stops at NUL", in: "a\x00b\r\n", op: opText, want: "a", off: 1},
	{name: "text/stops at LF", in: "a b\nc", op: opText, want: "a b", off: 3},
	{name: "text/specials", in: "[ALERT] \"x\" (y) {3}\r\n", op: opText, want: "[ALERT] \"x\" (y) {3}", off: 19},
	{name: "text/at MaxQuoted", in: "12345678\r\n", lim: small, op: opText, want: "12345678", off: 8},
	// SP
	{name: "sp", in: " a", op: opSP, want: nil, off: 1},
	{name: "sp/multiple lenient", in: "   a", op: opSP, want: nil, off: 3},
	{name: "sp/multiple strict", in: "   a", strict: true, op: opSP, want: nil, off: 1},
	// CRLF
	{name: "crlf", in: "\r\nx", op: opCRLF, want: nil, off: 2},
	{name: "crlf/SP before lenient", in: "  \r\nx", op: opCRLF, want: nil, off: 4},
	{name: "crlf/bare LF lenient", in: "\nx", op: opCRLF, want: nil, off: 1},
	{name: "crlf/SP bare LF lenient", in: " \nx", op: opCRLF, want: nil, off: 2},
	{name: "crlf/at end of input", in: "\r\n", op: opCRLF, want: nil, off: 2},
	// AtEOL
	{name: "ateol/CRLF", in: "\r\n", op: opAtEOL, want: true, off: 0},
	{name: "ateol/SP CRLF lenient", in: "  \r\n", op: opAtEOL, want: true, off: 2},
	{name: "ateol/SP CRLF strict", in: "  \r\n", strict: true, op: opAtEOL, want: false, off: 0},
	{name: "ateol/LF lenient", in: "\n", op: opAtEOL, want: true, off: 0},
	{name: "ateol/LF strict", in: "\n", strict: true, op: opAtEOL, want: false, off: 0},
	{name: "ateol/SP atom", in: " a", op: opAtEOL, want: false, off: 0},
	{name: "ateol/atom", in: "a", op: opAtEOL, want: false, off: 0},
	{name: "ateol/spaces beyond MaxAtom", in: "         \r\n", lim: small, op: opAtEOL, want: false, off: 0},
	// SkipLine
	{name: "skipline", in: "garbage here\r\nnext", op: opSkipLine, want: nil, off: 14},
	{name: "skipline/bare LF", in: "garbage\nnext", op: opSkipLine, want: nil, off: 8},
	{name: "skipline/empty line", in: "\r\nnext", op: opSkipLine, want: nil, off: 2},
	{name: "skipline/literal with CRLF", in: "* 1 FETCH (BODY[] {5}\r\nab\r\nc)\r\n* 2", op: opSkipLine, want: nil, off: 31},
	{name: "skipline/literal body only", in: "{5}\r\nab\r\nc\r\nnext", op: opSkipLine, want: nil, off: 12},
	{name: "skipline/non-sync literal", in: "x {5+}\r\nab\r\nc\r\nnext", op: opSkipLine, want: nil, off: 15},
	{name: "skipline/literal8", in: "x ~{5}\r\nab\r\nc\r\nnext", op: opSkipLine, want: nil, off: 15},
	{name: "skipline/literal bare LF", in: "x {3}\n\n\n\n\r\nnext", op: opSkipLine, want: nil, off: 11},
	{name: "skipline/two literals", in: "x {1}\r\n\n {2}\r\n\r\n\r\nnext", op: opSkipLine, want: nil, off: 18},
	{name: "skipline/empty literal", in: "x {0}\r\n\r\nnext", op: opSkipLine, want: nil, off: 9},
	{name: "skipline/not a literal", in: "x {5}y\r\nnext", op: opSkipLine, want: nil, off: 8},
	{name: "skipline/brace not at end", in: "x {5 }\r\nnext", op: opSkipLine, want: nil, off: 8},
	{name: "skipline/pending literal", in: "{3}\r\na\nb rest\r\nnext", op: then(opLitHeader, opSkipLine), want: []any{LiteralInfo{Size: 3}, nil}, off: 15},
	{name: "skipline/after error mid-header", in: "{5a}\r\nnext", op: skip(2, opSkipLine), want: nil, off: 6},
	// Expect
	{name: "expect", in: "(a", op: opExpectParen, want: nil, off: 1},
}

func TestRead(t *testing.T) {
	for _, tc := range readCases {
		for _, k := range readerKinds {
			t.Run(tc.name+"/"+k.name, func(t *testing.T) {
				r := newTestReader(tc.in, k.wrap, tc.strict, tc.lim)
				got, err := tc.op(r)
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if diff := cmp.Diff(tc.want, got, cmpOpts...); diff != "" {
					t.Errorf("mismatch (-want +got):\n%s", diff)
				}
				if off := r.InputOffset(); off != tc.off {
					t.Errorf("InputOffset = %d, want %d", off, tc.off)
				}
			})
		}
	}
}

type errCase struct {
	name     string
	in       string
	strict   bool
	lim      Limits
	op       op
	off      int64  // SyntaxError.Offset
	prod     string // SyntaxError.Production
	sentinel error  // errors.Is target; nil means SyntaxError.Err must be nil
}

var errCases = []errCase{
	// atoms
	{name: "atom/empty", in: " a", op: opAtom, off: 0, prod: "p"},
	{name: "atom/backslash", in: `\Seen`, op: opAtom, off: 0, prod: "p"},
	{name: "atom/8-bit", in: "\x80", op: opAtom, off: 0, prod: "p"},
	{name: "atom/]", in: "]", op: opAtom, off: 0, prod: "p"},
	{name: "atom/offset", in: "abc ) ", op: skip(4, opAtom), off: 4, prod: "p"},
	{name: "atom/past MaxAtom", in: "123456789 ", lim: small, op: opAtom, off: 0, prod: "p", sentinel: ErrAtomTooLong},
	{name: "atom/past MaxAtom offset", in: "ab 123456789 ", lim: small, op: skip(3, opAtom), off: 3, prod: "p", sentinel: ErrAtomTooLong},
	{name: "astring-atom/past MaxAtom", in: "12345678] ", lim: small, op: opAStringAtom, off: 0, prod: "p", sentinel: ErrAtomTooLong},
	{name: "astring-atom/empty", in: "(", op: opAStringAtom, off: 0, prod: "p"},
	{name: "astring/bad", in: ")", op: opAString, off: 0, prod: "p"},
	{name: "astring/tilde not literal8", in: "~{x}\r\n", op: opAString, off: 2, prod: "p", sentinel: ErrLiteralFraming},
	{name: "tag/plus", in: "+ OK", op: opTag, off: 0, prod: "p"},
	{name: "tag/past MaxAtom", in: "A12345678 ", lim: small, op: opTag, off: 0, prod: "p", sentinel: ErrAtomTooLong},
	{name: "word/empty", in: "(", op: opWord, off: 0, prod: "p"},
	{name: "word/past MaxAtom", in: `\12345678 `, lim: small, op: opWord, off: 0, prod: "p", sentinel: ErrAtomTooLong},
	// numbers
	{name: "number/not a number", in: "x", op: opNumber, off: 0, prod: "p"},
	{name: "number/minus", in: "-1", op: opNumber, off: 0, prod: "p"},
	{name: "number/plus", in: "+1", op: opNumber, off: 0, prod: "p"},
	{name: "number/uint32 max+1", in: "4294967296 ", op: opNumber, off: 0, prod: "p", sentinel: ErrNumberOverflow},
	{name: "number/uint32 max+1 offset", in: "* 4294967296 ", op: skip(2, opNumber), off: 2, prod: "p", sentinel: ErrNumberOverflow},
	{name: "number/huge", in: "99999999999999999999999999 ", op: opNumber, off: 0, prod: "p", sentinel: ErrNumberOverflow},
	{name: "number/last digit too big", in: "4294967296 ", op: opNumber, off: 0, prod: "p", sentinel: ErrNumberOverflow},
	{name: "number/last digit 9", in: "4294967299 ", op: opNumber, off: 0, prod: "p", sentinel: ErrNumberOverflow},
	{name: "number/eleven digits", in: "42949672950 ", op: opNumber, off: 0, prod: "p", sentinel: ErrNumberOverflow},
	{name: "number64/last digit 9", in: "9223372036854775809 ", op: opNumber64, off: 0, prod: "p", sentinel: ErrNumberOverflow},
	{name: "number64/63-bit max+1", in: "9223372036854775808 ", op: opNumber64, off: 0, prod: "p", sentinel: ErrNumberOverflow},
	{name: "number64/uint64 max", in: "18446744073709551615 ", op: opNumber64, off: 0, prod: "p", sentinel: ErrNumberOverflow},
	// quoted
	{name: "quoted/not quoted", in: "abc", op: opQuoted, off: 0, prod: "p"},
	{name: "quoted/CR", in: "\"a\rb\"", op: opQuoted, off: 2, prod: "p"},
	{name: "quoted/LF", in: "\"a\nb\"", op: opQuoted, off: 2, prod: "p"},
	{name: "quoted/NUL", in: "\"a\x00b\"", op: opQuoted, off: 2, prod: "p"},
	{name: "quoted/escaped CR", in: "\"a\\\rb\"", op: opQuoted, off: 3, prod: "p"},
	{name: "quoted/escaped NUL", in: "\"a\\\x00b\"", op: opQuoted, off: 3, prod: "p"},
	{name: "quoted/unterminated line", in: "\"abc\r\n", op: opQuoted, off: 4, prod: "p"},
	{name: "quoted/strict unknown escape", in: `"a\xb" `, strict: true, op: opQuoted, off: 3, prod: "p"},
	{name: "quoted/strict 8-bit", in: "\"caf\xc3\xa9\" ", strict: true, op: opQuoted, off: 4, prod: "p"},
	// Strict mode reads the first two quotes of 163.com's """" as an empty
	// string; what follows is then not a delimiter.
	{name: "quoted/strict four quotes", in: `"""" `, strict: true, op: then(opQuoted, opSP), off: 2, prod: "p"},
	{name: "quoted/strict unescaped quotes in list", in: `("charset " " "utf-8"")`, strict: true, op: opValue, off: 15, prod: "p"},
	{name: "quoted/lenient unclosed before non-delimiter", in: "\"a\"b\r\n", op: opQuoted, off: 4, prod: "p"},
	{name: "quoted/past MaxQuoted", in: `"123456789" `, lim: small, op: opQuoted, off: 1, prod: "p", sentinel: ErrQuotedTooLong},
	{name: "quoted/past MaxQuoted escaped", in: `"1234567\"" `, lim: small, op: opQuoted, off: 1, prod: "p", sentinel: ErrQuotedTooLong},
	{name: "string/bad", in: "abc", op: opString, off: 0, prod: "p"},
	// literals
	{name: "literal/not a literal", in: "abc", op: opLitHeader, off: 0, prod: "p"},
	{name: "literal/tilde alone", in: "~x", op: opLitHeader, off: 1, prod: "p"},
	{name: "literal/no number", in: "{}\r\n", op: opLitHeader, off: 1, prod: "p", sentinel: ErrLiteralFraming},
	{name: "literal/bad number", in: "{x}\r\n", op: opLitHeader, off: 1, prod: "p", sentinel: ErrLiteralFraming},
	{name: "literal/negative", in: "{-1}\r\n", op: opLitHeader, off: 1, prod: "p", sentinel: ErrLiteralFraming},
	{name: "literal/no close", in: "{3x\r\n", op: opLitHeader, off: 2, prod: "p", sentinel: ErrLiteralFraming},
	{name: "literal/no CRLF", in: "{3}x", op: opLitHeader, off: 3, prod: "p", sentinel: ErrLiteralFraming},
	{name: "literal/CR CR", in: "{3}\r\rabc", op: opLitHeader, off: 4, prod: "p", sentinel: ErrLiteralFraming},
	{name: "literal/SP before CRLF", in: "{3} \r\nabc", op: opLitHeader, off: 3, prod: "p", sentinel: ErrLiteralFraming},
	{name: "literal/bare LF strict", in: "{3}\nabc", strict: true, op: opLitHeader, off: 3, prod: "p", sentinel: ErrLiteralFraming},
	{name: "literal/size overflow", in: "{99999999999999999999}\r\n", op: opLitHeader, off: 1, prod: "p", sentinel: ErrNumberOverflow},
	{name: "literal/size 63-bit max+1", in: "{9223372036854775808}\r\n", op: opLitHeader, off: 1, prod: "p", sentinel: ErrNumberOverflow},
	{name: "literal/bytes over MaxLiteral", in: "{17}\r\n12345678901234567)", lim: small, op: opLitBytes, off: 6, prod: "p", sentinel: ErrLiteralTooLarge},
	{name: "literal/bytes huge", in: "{99999999999}\r\n", op: opLitBytes, off: 15, prod: "p", sentinel: ErrLiteralTooLarge},
	{name: "literal/string over MaxLiteral", in: "{17}\r\n12345678901234567)", lim: small, op: opString, off: 6, prod: "p", sentinel: ErrLiteralTooLarge},
	{name: "literal/astring over MaxLiteral", in: "{17}\r\n12345678901234567)", lim: small, op: opAString, off: 6, prod: "p", sentinel: ErrLiteralTooLarge},
	{name: "literal/nstring over MaxLiteral", in: "{17}\r\n12345678901234567)", lim: small, op: opNString, off: 6, prod: "p", sentinel: ErrLiteralTooLarge},
	{name: "literal/value over MaxLiteral", in: "(a {17}\r\n12345678901234567)", lim: small, op: opValue, off: 9, prod: "p", sentinel: ErrLiteralTooLarge},
	{name: "literal/bytes not pending", in: "abc", op: func(r *Reader) (any, error) { return r.LiteralBytes("p") }, off: 0, prod: "p"},
	{name: "literal/bytes not pending at end of line", in: "a\r\n", op: skip(3, func(r *Reader) (any, error) { return r.LiteralBytes("p") }), off: 3, prod: "p"},
	// NIL
	{name: "nil/longer atom", in: "NILS", op: opNIL, off: 0, prod: "p"},
	{name: "nil/short", in: "NI ", op: opNIL, off: 0, prod: "p"},
	{name: "nil/other", in: "abc ", op: opNIL, off: 0, prod: "p"},
	{name: "nstring/atom", in: "abc ", op: opNString, off: 0, prod: "p"},
	{name: "nstring/not NIL", in: "Nothing ", op: opNString, off: 0, prod: "p"},
	{name: "nstring/empty list strict", in: "() ", strict: true, op: opNString, off: 0, prod: "p"},
	{name: "nstring/list", in: "(a) ", op: opNString, off: 0, prod: "p"},
	{name: "nstring/list with space", in: "( ) ", op: opNString, off: 0, prod: "p"},
	// text
	{name: "text/8-bit strict", in: "caf\xc3\xa9\r\n", strict: true, op: opText, off: 3, prod: "p"},
	{name: "text/past MaxQuoted", in: "123456789\r\n", lim: small, op: opText, off: 0, prod: "p", sentinel: ErrQuotedTooLong},
	// SP and CRLF
	{name: "sp/missing", in: "a", op: opSP, off: 0, prod: "p"},
	{name: "sp/offset", in: "ab", op: skip(1, opSP), off: 1, prod: "p"},
	{name: "crlf/missing", in: "x", op: opCRLF, off: 0, prod: "p"},
	{name: "crlf/SP before strict", in: " \r\n", strict: true, op: opCRLF, off: 0, prod: "p"},
	{name: "crlf/bare LF strict", in: "\n", strict: true, op: opCRLF, off: 0, prod: "p"},
	{name: "crlf/CR alone", in: "\rx", op: opCRLF, off: 0, prod: "p"},
	{name: "crlf/SP then atom", in: " x", op: opCRLF, off: 1, prod: "p"},
	{name: "expect", in: ")", op: opExpectParen, off: 0, prod: "p"},
	// tokens
	{name: "token/NUL", in: "\x00", op: opToken, off: 0, prod: "token"},
	{name: "token/DEL", in: "a \x7f", op: opTokens, off: 2, prod: "token"},
	{name: "token/TAB", in: "\t", op: opToken, off: 0, prod: "token"},
	{name: "token/CR alone", in: "\rx", op: opToken, off: 0, prod: "CRLF"},
	{name: "token/bare LF strict", in: "\n", strict: true, op: opToken, off: 0, prod: "CRLF"},
	{name: "token/bad literal", in: "{x}", op: opToken, off: 1, prod: "literal", sentinel: ErrLiteralFraming},
	{name: "token/bad literal8", in: "~{x}", op: opToken, off: 2, prod: "literal8", sentinel: ErrLiteralFraming},
	{name: "token/quoted CR", in: "\"a\r\"", op: opToken, off: 2, prod: "quoted"},
	{name: "token/past MaxAtom", in: "123456789 ", lim: small, op: opToken, off: 0, prod: "atom", sentinel: ErrAtomTooLong},
	{name: "token/past MaxQuoted", in: `"123456789" `, lim: small, op: opToken, off: 1, prod: "quoted", sentinel: ErrQuotedTooLong},
	{name: "token/literal size overflow", in: "{99999999999999999999}\r\n", op: opToken, off: 1, prod: "literal", sentinel: ErrNumberOverflow},
	// values
	{name: "value/missing SP", in: `("a""b")`, strict: true, op: opValue, off: 4, prod: "p"},
	{name: "value/SP before ) strict", in: "(a )", strict: true, op: opValue, off: 3, prod: "p"},
	{name: "value/double SP strict", in: "(a  b)", strict: true, op: opValue, off: 3, prod: "p"},
	{name: "value/SP after (", in: "( a)", op: opValue, off: 1, prod: "p"},
	{name: "value/close paren", in: ")", op: opValue, off: 0, prod: "p"},
	{name: "value/CR in list", in: "(a\r\n", op: opValue, off: 2, prod: "p"},
	{name: "value/depth past MaxDepth", in: "((((a))))", lim: small, op: opValue, off: 3, prod: "p", sentinel: ErrTooDeep},
	{name: "value/elems past MaxListElems", in: "(a b c d e)", lim: small, op: opValue, off: 9, prod: "p", sentinel: ErrListTooLong},
	// MaxListElems counts the elements of the whole value: x, (a ...), a, b.
	{name: "value/nested elems past MaxListElems", in: "(x (a b c d e))", lim: small, op: opValue, off: 8, prod: "p", sentinel: ErrListTooLong},
	{name: "value/word past MaxAtom", in: "(123456789)", lim: small, op: opValue, off: 1, prod: "p", sentinel: ErrAtomTooLong},
	{name: "value/section past MaxAtom", in: "B[1 2 3 4]", lim: small, op: opValue, off: 0, prod: "p", sentinel: ErrAtomTooLong},
	{name: "value/quoted past MaxQuoted", in: `("123456789")`, lim: small, op: opValue, off: 2, prod: "p", sentinel: ErrQuotedTooLong},
}

func TestReadErrors(t *testing.T) {
	for _, tc := range errCases {
		for _, k := range readerKinds {
			t.Run(tc.name+"/"+k.name, func(t *testing.T) {
				r := newTestReader(tc.in, k.wrap, tc.strict, tc.lim)
				_, err := tc.op(r)
				checkSyntaxError(t, err, tc.off, tc.prod, tc.sentinel)
			})
		}
	}
}

func checkSyntaxError(t *testing.T, err error, off int64, prod string, sentinel error) {
	t.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("got error %v (%T), want *SyntaxError", err, err)
	}
	type got struct {
		Offset     int64
		Production string
		Err        error
	}
	if diff := cmp.Diff(got{off, prod, sentinel}, got{se.Offset, se.Production, se.Err}, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("%v: mismatch (-want +got):\n%s", err, diff)
	}
	if sentinel != nil && !errors.Is(err, sentinel) {
		t.Errorf("errors.Is(%v, %v) = false", err, sentinel)
	}
	if se.Expected == "" {
		t.Errorf("%v: Expected is empty", err)
	}
	if !strings.HasPrefix(se.Error(), fmt.Sprintf("imap: syntax error at offset %d in %s", off, prod)) {
		t.Errorf("Error() = %q", se.Error())
	}
}

// TestSyntaxErrorFound checks the context quoted in SyntaxError.Found and the
// message format.
func TestSyntaxErrorFound(t *testing.T) {
	tests := []struct {
		name, in string
		op       op
		found    string
		msg      string
	}{
		{"short", "abc)", skip(3, opAtom), `")"`, `imap: syntax error at offset 3 in p: expected atom, found ")"`},
		{"stops after LF", "x\r\nnext", opCRLF, `"x\r\n"`, `imap: syntax error at offset 0 in p: expected CRLF, found "x\r\n"`},
		{"long", "(0123456789abcdefghij", opAtom, `"(0123456789abcde"...`, `imap: syntax error at offset 0 in p: expected atom, found "(0123456789abcde"...`},
		{"sentinel", "4294967296 ", opNumber, `"4294967296 "`, `imap: syntax error at offset 0 in p: number overflows its range: expected number, found "4294967296 "`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tc.in))
			_, err := tc.op(r)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want *SyntaxError", err)
			}
			if se.Found != tc.found {
				t.Errorf("Found = %s, want %s", se.Found, tc.found)
			}
			if err.Error() != tc.msg {
				t.Errorf("Error() = %q, want %q", err.Error(), tc.msg)
			}
		})
	}
}

// TestErrorAtDoesNotBlock checks that building a SyntaxError never reads
// from the connection to quote context: with nothing buffered after the
// error, an interactive client would otherwise hang until the server sent
// its next response.
func TestErrorAtDoesNotBlock(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	r := NewReader(pr)
	go pw.Write([]byte("* OK\r\n"))
	for i := 0; i < 6; i++ {
		if _, err := r.ReadByte(); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := r.LiteralBytes("p")
		if err == nil {
			err = r.ErrorAt("p", "x")
		}
		done <- err
	}()
	select {
	case err := <-done:
		checkSyntaxError(t, err, 6, "p", nil)
	case <-time.After(2 * time.Second):
		t.Fatal("LiteralBytes blocked reading error context")
	}
	err := r.ErrorAt("response", "anything")
	checkSyntaxError(t, err, 6, "response", nil)
}

// TestEOF checks that io.EOF at a token boundary is returned unwrapped and
// EOF inside a token is io.ErrUnexpectedEOF.
func TestEOF(t *testing.T) {
	tests := []struct {
		name string
		in   string
		op   op
		want error
	}{
		{"token/empty", "", opToken, io.EOF},
		{"token/after line", "A1 OK\r\n", opTokens, io.EOF},
		{"token/after literal", "{3}\r\nabc", opTokens, io.EOF},
		{"token/after streamed literal", "{3}\r\nabc", then(opLitStream, opToken), io.EOF},
		{"peek/empty", "", opPeek, io.EOF},
		{"readbyte/empty", "", func(r *Reader) (any, error) { return r.ReadByte() }, io.EOF},
		{"token/word", "abc", opTokens, io.ErrUnexpectedEOF},
		{"token/number", "123", opTokens, io.ErrUnexpectedEOF},
		{"token/tilde", "~", opTokens, io.ErrUnexpectedEOF},
		{"token/quoted", `"ab`, opTokens, io.ErrUnexpectedEOF},
		{"token/quoted escape", `"ab\`, opTokens, io.ErrUnexpectedEOF},
		{"token/CR", "\r", opTokens, io.ErrUnexpectedEOF},
		{"token/literal header", "{3", opTokens, io.ErrUnexpectedEOF},
		{"token/literal header CR", "{3}\r", opTokens, io.ErrUnexpectedEOF},
		{"token/literal body", "{3}\r\nab", opTokens, io.ErrUnexpectedEOF},
		{"atom", "abc", opAtom, io.ErrUnexpectedEOF},
		{"atom/empty", "", opAtom, io.ErrUnexpectedEOF},
		{"number", "123", opNumber, io.ErrUnexpectedEOF},
		{"number/empty", "", opNumber, io.ErrUnexpectedEOF},
		{"quoted", `"ab`, opQuoted, io.ErrUnexpectedEOF},
		{"nil/empty", "", opNIL, io.ErrUnexpectedEOF},
		{"peeknil/empty", "", opPeekNIL, io.ErrUnexpectedEOF},
		{"nstring/empty", "", opNString, io.ErrUnexpectedEOF},
		{"text", "abc", opText, io.ErrUnexpectedEOF},
		{"sp", "", opSP, io.ErrUnexpectedEOF},
		{"crlf", "\r", opCRLF, io.ErrUnexpectedEOF},
		{"ateol/spaces", "  ", opAtEOL, io.ErrUnexpectedEOF},
		{"skipline", "abc", opSkipLine, io.ErrUnexpectedEOF},
		{"skipline/literal body", "x {10}\r\nabc", opSkipLine, io.ErrUnexpectedEOF},
		{"value/list", "(a b", opValue, io.ErrUnexpectedEOF},
		{"value/section", "BODY[HEADER", opValue, io.ErrUnexpectedEOF},
		{"literal/bytes", "{5}\r\nab", opLitBytes, io.ErrUnexpectedEOF},
		{"literal/stream", "{5}\r\nab", opLitStream, io.ErrUnexpectedEOF},
		{"literal/drain", "{5}\r\nab", then(opLitHeader, opPeek), io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		for _, k := range readerKinds {
			t.Run(tc.name+"/"+k.name, func(t *testing.T) {
				r := newTestReader(tc.in, k.wrap, false, Limits{})
				_, err := tc.op(r)
				if err != tc.want {
					t.Fatalf("got error %#v, want %#v", err, tc.want)
				}
				if !errors.Is(err, tc.want) {
					t.Fatalf("errors.Is(%v, %v) = false", err, tc.want)
				}
			})
		}
	}
}

var errBoom = errors.New("boom")

// errAfter returns the bytes of s, then err.
func errAfter(s string, err error) io.Reader {
	return io.MultiReader(strings.NewReader(s), iotest.ErrReader(err))
}

// TestIOError checks that an error of the underlying reader reaches the
// caller unchanged, at a token boundary, inside a token and inside a
// literal, and that it is sticky.
func TestIOError(t *testing.T) {
	tests := []struct {
		name string
		in   string
		op   op
	}{
		{"token/boundary", "A1 OK\r\n", opTokens},
		{"token/word", "A1 OK", opTokens},
		{"token/tilde", "~", opTokens},
		{"token/quoted", `"ab`, opTokens},
		{"token/quoted closing", `"ab"`, opTokens},
		{"token/literal body", "{5}\r\nab", opTokens},
		{"peek", "", opPeek},
		{"atom", "abc", opAtom},
		{"number", "123", opNumber},
		{"quoted", `"ab`, opQuoted},
		{"nil", "NI", opNIL},
		{"peeknil", "NI", opPeekNIL},
		{"nstring", "(", opNString},
		{"text", "abc", opText},
		{"sp", " ", opSP},
		{"crlf", "\r", opCRLF},
		{"ateol", " ", opAtEOL},
		{"skipline", "abc", opSkipLine},
		{"skipline/literal", "a {9}\r\nabc", opSkipLine},
		{"value", "(a (b", opValue},
		{"value/tilde", "~", opValue},
		{"literal/header", "{12", opLitHeader},
		{"literal/bytes", "{5}\r\nab", opLitBytes},
		{"literal/stream", "{5}\r\nab", opLitStream},
		{"literal/stream big read", "{50000}\r\nab", opLitStream},
	}
	for _, tc := range tests {
		for _, k := range readerKinds {
			t.Run(tc.name+"/"+k.name, func(t *testing.T) {
				r := NewReader(k.wrap(errAfter(tc.in, errBoom)))
				_, err := tc.op(r)
				if err != nil && err != errBoom {
					t.Fatalf("got error %#v, want errBoom unchanged", err)
				}
				// Whatever was read before the error can still be
				// consumed; then the error comes back, unchanged.
				for err == nil {
					_, err = opTokens(r)
					var se *SyntaxError
					if errors.As(err, &se) {
						err = r.SkipLine()
					}
				}
				if err != errBoom {
					t.Fatalf("later calls: got error %#v, want errBoom", err)
				}
				if _, err := r.ReadToken(); err != errBoom {
					t.Fatalf("ReadToken after the error: %#v, want errBoom (sticky)", err)
				}
			})
		}
	}
}

// badCountReader returns an impossible byte count.
type badCountReader struct{}

func (badCountReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

// zeroReader returns 0, nil forever.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { return 0, nil }

func TestBadUnderlyingReader(t *testing.T) {
	r := NewReader(badCountReader{})
	if _, err := r.ReadToken(); err == nil || err == io.EOF {
		t.Errorf("invalid count: got %v, want an error", err)
	}
	r = NewReader(zeroReader{})
	if _, err := r.ReadToken(); err != io.ErrNoProgress {
		t.Errorf("no progress: got %v, want io.ErrNoProgress", err)
	}
}

// TestLiteralReader covers streaming a literal, the next call draining what
// was left unread, WriteTo, and stale readers.
func TestLiteralReader(t *testing.T) {
	for _, k := range readerKinds {
		t.Run(k.name+"/partial then drain", func(t *testing.T) {
			r := newTestReader("{10}\r\n0123456789 rest\r\n", k.wrap, false, Limits{})
			if _, err := r.ReadLiteralHeader("p"); err != nil {
				t.Fatal(err)
			}
			lr := r.LiteralReader()
			buf := make([]byte, 4)
			if _, err := io.ReadFull(lr, buf); err != nil || string(buf) != "0123" {
				t.Fatalf("read %q, %v", buf, err)
			}
			if off := r.InputOffset(); off != 10 {
				t.Errorf("InputOffset after 4 bytes = %d, want 10", off)
			}
			got, err := opTokens(r)
			if err != io.EOF {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"SP@16", "atom:rest@17", "CRLF@21"}, got); diff != "" {
				t.Errorf("tokens after drain (-want +got):\n%s", diff)
			}
			if n, err := lr.Read(buf); n != 0 || err == nil || err == io.EOF {
				t.Errorf("stale reader: Read = %d, %v; want an error", n, err)
			}
		})
		t.Run(k.name+"/eof then stale", func(t *testing.T) {
			r := newTestReader("{3}\r\nabc)", k.wrap, false, Limits{})
			r.ReadLiteralHeader("p")
			lr := r.LiteralReader()
			b, err := io.ReadAll(lr)
			if err != nil || string(b) != "abc" {
				t.Fatalf("ReadAll = %q, %v", b, err)
			}
			if n, err := lr.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				t.Errorf("Read after end = %d, %v; want 0, io.EOF", n, err)
			}
			if n, err := lr.Read(nil); n != 0 || err != io.EOF {
				t.Errorf("empty Read after end = %d, %v; want 0, io.EOF", n, err)
			}
			if c, err := r.Peek(); c != ')' || err != nil {
				t.Fatalf("Peek = %q, %v", c, err)
			}
			if _, err := lr.Read(make([]byte, 1)); !errors.Is(err, errLiteralReaderStale) {
				t.Errorf("stale Read: got %v, want errLiteralReaderStale", err)
			}
			if _, err := io.Copy(io.Discard, lr); !errors.Is(err, errLiteralReaderStale) {
				t.Errorf("stale WriteTo: got %v, want errLiteralReaderStale", err)
			}
		})
		// A reader for the first literal must not come back to life when
		// a second literal is taken: it would steal the second one's bytes.
		t.Run(k.name+"/stale across literals", func(t *testing.T) {
			r := newTestReader("{3}\r\nabc {3}\r\nxyz)", k.wrap, false, Limits{})
			r.ReadLiteralHeader("p")
			lr1 := r.LiteralReader()
			r.ExpectSP("p")
			r.ReadLiteralHeader("p")
			lr2 := r.LiteralReader()
			if n, err := lr1.Read(make([]byte, 3)); n != 0 || !errors.Is(err, errLiteralReaderStale) {
				t.Errorf("stale reader: Read = %d, %v; want errLiteralReaderStale", n, err)
			}
			if b, err := io.ReadAll(lr2); err != nil || string(b) != "xyz" {
				t.Errorf("second literal = %q, %v", b, err)
			}
		})
		t.Run(k.name+"/writeto", func(t *testing.T) {
			body := strings.Repeat("0123456789", 20000)
			r := newTestReader(fmt.Sprintf("x {%d}\r\n%s)\r\n", len(body), body), k.wrap, false, Limits{})
			r.ReadAtom("p")
			r.ExpectSP("p")
			r.ReadLiteralHeader("p")
			var sb strings.Builder
			n, err := io.Copy(&sb, r.LiteralReader())
			if err != nil || n != int64(len(body)) || sb.String() != body {
				t.Fatalf("io.Copy = %d, %v", n, err)
			}
			if err := r.Expect(')', "p"); err != nil {
				t.Fatal(err)
			}
		})
		t.Run(k.name+"/big reads", func(t *testing.T) {
			body := strings.Repeat("abcdefghijklmnopqrstuvwxyz", 10000)
			in := fmt.Sprintf("{%d}\r\n%s{3}\r\nxyz)", len(body), body)
			r := newTestReader(in, k.wrap, false, Limits{})
			r.ReadLiteralHeader("p")
			lr := r.LiteralReader()
			var got []byte
			buf := make([]byte, 3*directReadMin)
			for {
				n, err := lr.Read(buf)
				got = append(got, buf[:n]...)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if string(got) != body {
				t.Fatalf("body mismatch: %d bytes, want %d", len(got), len(body))
			}
			if off := r.InputOffset(); off != int64(len(in)-9) {
				t.Errorf("InputOffset = %d, want %d", off, len(in)-9)
			}
			b, err := opLitBytes(r)
			if err != nil || b != "xyz" {
				t.Fatalf("next literal = %q, %v", b, err)
			}
		})
	}
	t.Run("none pending", func(t *testing.T) {
		r := NewReader(strings.NewReader("abc"))
		if lr := r.LiteralReader(); lr != nil {
			t.Errorf("LiteralReader with no literal pending = %v, want nil", lr)
		}
		r = NewReader(strings.NewReader("{1}\r\na"))
		r.ReadLiteralHeader("p")
		r.LiteralReader()
		if lr := r.LiteralReader(); lr != nil {
			t.Errorf("second LiteralReader for one literal = %v, want nil", lr)
		}
		if _, err := r.LiteralBytes("p"); err == nil {
			t.Errorf("LiteralBytes after LiteralReader: no error")
		}
	})
	// A literal too large to buffer can still be streamed.
	t.Run("too large then stream", func(t *testing.T) {
		r := newTestReader("{17}\r\n12345678901234567)", func(r io.Reader) io.Reader { return r }, false, small)
		r.ReadLiteralHeader("p")
		if _, err := r.LiteralBytes("p"); !errors.Is(err, ErrLiteralTooLarge) {
			t.Fatalf("LiteralBytes: %v, want ErrLiteralTooLarge", err)
		}
		b, err := io.ReadAll(r.LiteralReader())
		if err != nil || string(b) != "12345678901234567" {
			t.Fatalf("streamed %q, %v", b, err)
		}
	})
	t.Run("too large then drained", func(t *testing.T) {
		r := newTestReader("{17}\r\n12345678901234567)", func(r io.Reader) io.Reader { return r }, false, small)
		r.ReadLiteralHeader("p")
		r.LiteralBytes("p")
		if c, err := r.Peek(); c != ')' || err != nil {
			t.Fatalf("Peek = %q, %v; want ')'", c, err)
		}
	})
}

// TestHugeLiteralCostsNothing announces {99999999999} and checks that
// refusing to buffer it allocates nothing in proportion.
func TestHugeLiteralCostsNothing(t *testing.T) {
	data := []byte("* 1 FETCH (BODY[] {99999999999}\r\n")
	br := bytes.NewReader(data)
	r := NewReader(br)
	run := func() {
		br.Reset(data)
		r.Reset(br)
		for {
			tok, err := r.ReadToken()
			if err != nil {
				t.Fatal(err)
			}
			if tok.Kind == KindLiteral {
				break
			}
		}
		if _, err := r.LiteralBytes("body"); !errors.Is(err, ErrLiteralTooLarge) {
			t.Fatalf("got %v, want ErrLiteralTooLarge", err)
		}
	}
	run()
	allocs := testing.AllocsPerRun(100, run)
	// The SyntaxError itself and its Found string.
	if allocs > 4 {
		t.Errorf("refusing a huge literal costs %v allocations, want <= 4", allocs)
	}
}

// TestReset checks that Reset restarts offsets and drops pending state.
func TestReset(t *testing.T) {
	r := NewReader(strings.NewReader("{5}\r\nab"))
	r.SetStrict(true)
	r.SetLimits(small)
	r.ReadLiteralHeader("p")
	r.Reset(strings.NewReader("x\r\n"))
	if !r.Strict() || r.Limits() != small {
		t.Errorf("Reset lost strictness or limits")
	}
	got, err := opTokens(r)
	if err != io.EOF {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"atom:x@0", "CRLF@1"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLimitsDefaults(t *testing.T) {
	r := NewReader(strings.NewReader(""))
	if r.Limits() != DefaultLimits {
		t.Errorf("Limits() = %+v, want DefaultLimits", r.Limits())
	}
	r.SetLimits(Limits{MaxAtom: 5})
	want := DefaultLimits
	want.MaxAtom = 5
	if diff := cmp.Diff(want, r.Limits()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if r.Strict() {
		t.Errorf("new Reader is strict")
	}
}

func TestBuffered(t *testing.T) {
	r := NewReader(strings.NewReader("A1 OK\r\n* injected\r\n"))
	r.SkipLine()
	if n := r.Buffered(); n != len("* injected\r\n") {
		t.Errorf("Buffered = %d", n)
	}
}

func TestCharClasses(t *testing.T) {
	const atomSpecials = "(){ %*\"\\]"
	for c := 0; c < 256; c++ {
		b := byte(c)
		wantAtom := c > 0x1f && c < 0x7f && !strings.ContainsRune(atomSpecials, rune(c))
		if IsAtomChar(b) != wantAtom {
			t.Errorf("IsAtomChar(%#x) = %v", c, !wantAtom)
		}
		if IsAStringChar(b) != (wantAtom || c == ']') {
			t.Errorf("IsAStringChar(%#x) = %v", c, !wantAtom)
		}
	}
}

// transcript reads r to the end with ReadToken, streaming literal bodies
// through LiteralReader (in reads of readSize bytes) and resynchronizing
// with SkipLine after each *SyntaxError. It renders everything it saw,
// offsets included, so that two readers can be compared.
func transcript(r *Reader, readSize int) []string {
	var out []string
	buf := make([]byte, readSize)
	for {
		tok, err := r.ReadToken()
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				return append(out, fmt.Sprintf("error %v", err))
			}
			out = append(out, fmt.Sprintf("syntax error @%d %s %v", se.Offset, se.Production, se.Err))
			if err := r.SkipLine(); err != nil {
				return append(out, fmt.Sprintf("skipline error %v", err))
			}
			out = append(out, fmt.Sprintf("skipped to @%d", r.InputOffset()))
			continue
		}
		out = append(out, renderToken(tok))
		if tok.Kind == KindLiteral {
			lr := r.LiteralReader()
			var body []byte
			for {
				n, err := lr.Read(buf)
				body = append(body, buf[:n]...)
				if err != nil {
					if err != io.EOF {
						out = append(out, fmt.Sprintf("body error %v", err))
					}
					break
				}
			}
			out = append(out, fmt.Sprintf("body %q", body))
		}
	}
}

// splitStream is a stream with every kind of token, literals large and
// small, errors to recover from, and lenient forms.
func splitStream() string {
	var b strings.Builder
	b.WriteString(`* OK [CAPABILITY IMAP4rev1 LITERAL+] ready` + "\r\n")
	for i := 1; i <= 30; i++ {
		b.WriteString(fetchLine(i))
	}
	big := strings.Repeat("0123456789abcdef\r\n", 5000)
	fmt.Fprintf(&b, "* 31 FETCH (BODY[] {%d}\r\n%s FLAGS (\\Seen))\r\n", len(big), big)
	b.WriteString("* 32 FETCH (BODY[TEXT] {5}\r\nab\r\nc BINARY[1] ~{3}\r\n\x00\x01\x02)\r\n")
	b.WriteString("* 33 FETCH (X \x00 garbage {5}\r\nab\r\nc)\r\n") // error, then SkipLine over a literal
	b.WriteString(`* 34 FETCH (BODYSTRUCTURE ("text" "plain" ("charset " " "utf-8"") NIL NIL "7bit" 1 1))` + "\r\n")
	b.WriteString("* 35 FETCH (FLAGS ())  \n")
	b.WriteString("* SEARCH 99999999999999999999 4294967296\r\n")
	b.WriteString("A1 OK \"unterminated\r\n")
	b.WriteString(`A2 OK "a\"b\\c" "` + strings.Repeat("x", 100000) + `"` + "\r\n")
	return b.String()
}

// TestSplitReads checks that the reader gives the same tokens, literal
// bodies, errors and offsets however the input is split into reads.
func TestSplitReads(t *testing.T) {
	in := splitStream()
	want := transcript(NewReader(strings.NewReader(in)), 1<<20)
	if last := want[len(want)-1]; last != "error EOF" {
		t.Fatalf("reference transcript ends with %q", last)
	}
	for _, k := range readerKinds[1:] {
		for _, readSize := range []int{1, 7, 4096, 1 << 20} {
			t.Run(fmt.Sprintf("%s/%d", k.name, readSize), func(t *testing.T) {
				got := transcript(NewReader(k.wrap(strings.NewReader(in))), readSize)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("transcript mismatch (-want +got):\n%s", diff)
				}
			})
		}
	}
	t.Run("limits", func(t *testing.T) {
		want := transcript(newTestReader(in, readerKinds[0].wrap, false, small), 1<<20)
		got := transcript(newTestReader(in, iotest.OneByteReader, false, small), 3)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("transcript mismatch (-want +got):\n%s", diff)
		}
	})
}

// TestSkipLineRecovery checks that after a syntax error anywhere in a
// response, SkipLine lands on the next response, even when the rest of the
// broken line holds a literal whose body contains CRLF.
func TestSkipLineRecovery(t *testing.T) {
	const next = "A2 OK done\r\n"
	tests := []struct {
		name string
		line string
		op   op
	}{
		{"bad byte", "* 1 FETCH (X \x01 Y)\r\n", opTokens},
		{"literal after error", "* 1 FETCH (X \x01 BODY[] {5}\r\nab\r\nc)\r\n", opTokens},
		{"error just before literal", "* 1 FETCH (BODY[]\x01{5}\r\nab\r\nc)\r\n", opTokens},
		{"error in literal header", "* 1 FETCH (BODY[] {5}\rab\r\n", opTokens},
		{"quoted with CR", "* OK \"abc\r\n", opTokens},
		{"overflow", "* 4294967296 EXISTS\r\n", skip(2, opNumber)},
		{"too deep", "* 1 FETCH ((((((x))))))\r\n", skip(10, opValue)},
		{"literal too large", "* 1 FETCH (BODY[] {17}\r\n12345678901234567)\r\n", skip(18, opLitBytes)},
	}
	for _, tc := range tests {
		for _, k := range readerKinds {
			t.Run(tc.name+"/"+k.name, func(t *testing.T) {
				r := newTestReader(tc.line+next, k.wrap, false, small)
				_, err := tc.op(r)
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("got %v, want a *SyntaxError", err)
				}
				if err := r.SkipLine(); err != nil {
					t.Fatal(err)
				}
				if off := r.InputOffset(); off != int64(len(tc.line)) {
					t.Errorf("after SkipLine InputOffset = %d, want %d", off, len(tc.line))
				}
				got, err := opTokens(r)
				if err != io.EOF {
					t.Fatal(err)
				}
				o := len(tc.line)
				want := []string{fmt.Sprintf("atom:A2@%d", o), fmt.Sprintf("SP@%d", o+2), fmt.Sprintf("atom:OK@%d", o+3),
					fmt.Sprintf("SP@%d", o+5), fmt.Sprintf("atom:done@%d", o+6), fmt.Sprintf("CRLF@%d", o+10)}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("next response (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// patternReader produces head, then size bytes where the byte at stream
// offset i is byte(i%251), then tail, without holding the body in memory.
type patternReader struct {
	head, tail []byte
	size, off  int64 // off counts body bytes produced
	block      []byte
}

func newPatternReader(head string, size int64, tail string) *patternReader {
	p := &patternReader{head: []byte(head), tail: []byte(tail), size: size, block: make([]byte, 251*256)}
	for i := range p.block {
		p.block[i] = byte(i % 251)
	}
	return p
}

func (p *patternReader) Read(b []byte) (int, error) {
	if len(p.head) > 0 {
		n := copy(b, p.head)
		p.head = p.head[n:]
		return n, nil
	}
	if p.off < p.size {
		b = b[:min(int64(len(b)), p.size-p.off)]
		n := 0
		for n < len(b) {
			n += copy(b[n:], p.block[(p.off+int64(n))%251:])
		}
		p.off += int64(n)
		return n, nil
	}
	if len(p.tail) > 0 {
		n := copy(b, p.tail)
		p.tail = p.tail[n:]
		return n, nil
	}
	return 0, io.EOF
}

// patternChecker checks that the bytes written to it continue the pattern
// of patternReader, sampling the first and last byte of every write.
type patternChecker struct {
	n   int64
	bad int64 // offset of the first mismatch + 1
}

func (c *patternChecker) Write(b []byte) (int, error) {
	if len(b) > 0 && c.bad == 0 {
		if b[0] != byte(c.n%251) {
			c.bad = c.n + 1
		} else if last := c.n + int64(len(b)) - 1; b[len(b)-1] != byte(last%251) {
			c.bad = last + 1
		}
	}
	c.n += int64(len(b))
	return len(b), nil
}

// onlyReader hides the WriteTo method of a literal reader, so that io.Copy
// goes through Read.
type onlyReader struct{ io.Reader }

// TestStreamHugeLiteral streams a 1 GiB literal through LiteralReader, half
// through Read and half through WriteTo, and checks that memory stays
// bounded and the stream stays in step.
func TestStreamHugeLiteral(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 1 GiB")
	}
	const size = 1 << 30
	src := newPatternReader(fmt.Sprintf("* 1 FETCH (BODY[] {%d}\r\n", size), size, ") UID 7)\r\n")
	r := NewReader(src)
	check := &patternChecker{}
	copyBuf := make([]byte, 32<<10)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)

	for {
		tok, err := r.ReadToken()
		if err != nil {
			t.Fatal(err)
		}
		if tok.Kind == KindLiteral {
			if tok.Literal.Size != size {
				t.Fatalf("literal size %d", tok.Literal.Size)
			}
			break
		}
	}
	lr := r.LiteralReader()
	n1, err := io.CopyBuffer(check, onlyReader{io.LimitReader(lr, size/2)}, copyBuf)
	if err != nil {
		t.Fatal(err)
	}
	n2, err := io.Copy(check, lr)
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)

	if n1+n2 != size || check.n != size {
		t.Fatalf("streamed %d+%d bytes, want %d", n1, n2, size)
	}
	if check.bad != 0 {
		t.Fatalf("body mismatch at offset %d", check.bad-1)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 4<<20 {
		t.Errorf("streaming allocated %d bytes", d)
	}
	if d := int64(after.HeapInuse) - int64(before.HeapInuse); d > 4<<20 {
		t.Errorf("heap in use grew by %d bytes", d)
	}
	got, err := opTokens(r)
	if err != io.EOF {
		t.Fatal(err)
	}
	o := len(fmt.Sprintf("* 1 FETCH (BODY[] {%d}\r\n", size)) + size
	want := []string{fmt.Sprintf(")@%d", o), fmt.Sprintf("SP@%d", o+1), fmt.Sprintf("atom:UID@%d", o+2), fmt.Sprintf("SP@%d", o+5), fmt.Sprintf("number:7@%d", o+6), fmt.Sprintf(")@%d", o+7), fmt.Sprintf("CRLF@%d", o+8)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after the literal (-want +got):\n%s", diff)
	}
}

// cycleReader returns data over and over.
type cycleReader struct {
	data []byte
	i    int
}

func (c *cycleReader) Read(p []byte) (int, error) {
	n := copy(p, c.data[c.i:])
	c.i = (c.i + n) % len(c.data)
	return n, nil
}

// TestAllocs sets allocation ceilings on the hot paths: in steady state,
// tokenizing FETCH responses and reading a SEARCH response with the typed
// methods allocate nothing.
func TestAllocs(t *testing.T) {
	t.Run("ReadToken", func(t *testing.T) {
		r := NewReader(&cycleReader{data: []byte(fetchLine(1) + fetchLine(22222))})
		for i := 0; i < 10000; i++ { // warm up: buffer and scratch space
			if _, err := r.ReadToken(); err != nil {
				t.Fatal(err)
			}
		}
		allocs := testing.AllocsPerRun(100000, func() {
			if _, err := r.ReadToken(); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("ReadToken: %v allocations per token, want 0", allocs)
		}
	})
	t.Run("typed", func(t *testing.T) {
		r := NewReader(&cycleReader{data: []byte("* SEARCH 1 22 333 4444 55555 NIL \"q\\\"s\" \r\n")})
		line := func() {
			r.Expect('*', "p")
			r.ExpectSP("p")
			r.ReadAtom("p")
			for i := 0; i < 5; i++ {
				r.ExpectSP("p")
				if _, err := r.ReadNumber("p"); err != nil {
					t.Fatal(err)
				}
			}
			r.ExpectSP("p")
			if _, isNil, err := r.ReadNString("p"); err != nil || !isNil {
				t.Fatal(err)
			}
			r.ExpectSP("p")
			if _, err := r.ReadAString("p"); err != nil {
				t.Fatal(err)
			}
			if eol, err := r.AtEOL(); err != nil || !eol {
				t.Fatal(err)
			}
			if err := r.ExpectCRLF("p"); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 1000; i++ {
			line()
		}
		if allocs := testing.AllocsPerRun(10000, line); allocs != 0 {
			t.Errorf("typed methods: %v allocations per line, want 0", allocs)
		}
	})
}

// TestScanQuotedPlain checks the eight-bytes-at-a-time scan against the
// byte-at-a-time one, for every special byte at every position.
func TestScanQuotedPlain(t *testing.T) {
	naive := func(b []byte, i int) int {
		for i < len(b) && quotedPlain[b[i]] {
			i++
		}
		return i
	}
	for _, special := range []byte{'"', '\\', '\r', '\n', 0} {
		for _, filler := range []byte{'a', 0x80, 0xff, ' ', '!', '#', 0x01, 0x7f, '"' + 1, '\\' - 1} {
			for size := 0; size < 24; size++ {
				for pos := -1; pos < size; pos++ {
					b := bytes.Repeat([]byte{filler}, size)
					if pos >= 0 {
						b[pos] = special
					}
					for start := 0; start <= size; start++ {
						if got, want := scanQuotedPlain(b, start), naive(b, start); got != want {
							t.Fatalf("scanQuotedPlain(%q, %d) = %d, want %d", b, start, got, want)
						}
					}
				}
			}
		}
	}
	for c := 0; c < 256; c++ {
		want := c != '"' && c != '\\' && c != '\r' && c != '\n' && c != 0
		b := bytes.Repeat([]byte{byte(c)}, 16)
		if got := scanQuotedPlain(b, 0) == 16; got != want {
			t.Errorf("byte %#x: plain = %v, want %v", c, got, want)
		}
	}
}

// TestErrorIsFinal checks that once a read error has been returned, every
// method returns it, although bytes read before it are still buffered.
func TestErrorIsFinal(t *testing.T) {
	ops := map[string]op{
		"ReadToken": opToken, "Peek": opPeek, "ReadByte": func(r *Reader) (any, error) { return r.ReadByte() },
		"Expect": opExpectParen, "ExpectSP": opSP, "ExpectCRLF": opCRLF, "AtEOL": opAtEOL,
		"ReadAtom": opAtom, "ReadAStringAtom": opAStringAtom, "ReadTag": opTag, "ReadWord": opWord,
		"ReadAString": opAString, "ReadNumber": opNumber, "ReadNumber64": opNumber64,
		"ReadQuoted": opQuoted, "ReadString": opString, "ReadNString": opNString, "ReadNIL": opNIL,
		"PeekNIL": opPeekNIL, "ReadText": opText, "ReadLiteralHeader": opLitHeader,
		"ReadValue": opValue, "SkipLine": opSkipLine,
	}
	for name, o := range ops {
		t.Run(name, func(t *testing.T) {
			r := NewReader(errAfter("* 1 FETCH (X \"ab", errBoom))
			if _, err := opTokens(r); err != errBoom {
				t.Fatalf("tokens: got %v, want errBoom", err)
			}
			if r.Buffered() == 0 {
				t.Fatalf("nothing left buffered: the test proves nothing")
			}
			if _, err := o(r); err != errBoom {
				t.Errorf("got %#v, want errBoom", err)
			}
		})
	}
	t.Run("Reset", func(t *testing.T) {
		r := NewReader(errAfter("\"ab", errBoom))
		r.ReadToken()
		r.Reset(strings.NewReader("x\r\n"))
		if tok, err := r.ReadToken(); err != nil || tok.Kind != KindAtom {
			t.Errorf("after Reset: %v, %v", tok, err)
		}
	})
	t.Run("drain", func(t *testing.T) {
		// A literal drained by the next call meets the error.
		r := NewReader(errAfter("{9}\r\nab", errBoom))
		r.ReadLiteralHeader("p")
		for name, o := range ops {
			if _, err := o(r); err != errBoom {
				t.Errorf("%s: got %#v, want errBoom", name, err)
			}
		}
	})
}
