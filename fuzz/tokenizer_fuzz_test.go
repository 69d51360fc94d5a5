package fuzz_test

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/imapwire/imapwire/wire"
)

// tokLimits are small so that the fuzzer crosses every limit often.
var tokLimits = wire.Limits{MaxLiteral: 64, MaxAtom: 16, MaxQuoted: 32, MaxDepth: 4, MaxListElems: 8}

// addTokenizerSeeds seeds f with the inputs of wire's unit tables
// (reader_test.go, token_test.go), plus whole response streams.
func addTokenizerSeeds(f *testing.F, add func(in string)) {
	for _, s := range tokenizerSeeds {
		add(s)
	}
	add("* 1 FETCH (UID 7 FLAGS (\\Seen) BODY[HEADER.FIELDS (SUBJECT)] {8}\r\nSub: x\r\n ENVELOPE (NIL \"s\" ((\"A\" NIL \"a\" \"b.c\")) NIL NIL NIL NIL NIL NIL NIL))\r\nA1 OK done\r\n")
	add("* 2 FETCH (BINARY[1] ~{3}\r\n\x00\x01\x02 MODSEQ (9223372036854775808))\n+ go\r\n* SEARCH 1 2 4294967296\r\n")
	add("* 3 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"charset \" \" \"utf-8\"\") NIL \"\"\"\" \"7bit\" 1 1))  \r\n")
	add("* 4 FETCH (X \x00 {5}\r\nab\r\nc {99999999999}\r\n")
}

// FuzzTokenizer reads arbitrary input with ReadToken (or ReadValue) under
// small limits. It checks that the reader never panics, always makes
// progress (InputOffset strictly increases with every token, and with
// every SkipLine after a syntax error), never returns a token longer than
// the limits, reports errors inside the input, and ends with io.EOF
// exactly at the end of the input or io.ErrUnexpectedEOF.
func FuzzTokenizer(f *testing.F) {
	addTokenizerSeeds(f, func(in string) {
		f.Add([]byte(in), false, false)
		f.Add([]byte(in), true, false)
		f.Add([]byte(in), false, true)
	})
	f.Fuzz(func(t *testing.T, data []byte, strict, values bool) {
		r := wire.NewReader(bytes.NewReader(data))
		r.SetLimits(tokLimits)
		r.SetStrict(strict)
		end := int64(len(data))
		prev := int64(0)
		for calls := 0; ; calls++ {
			if calls > len(data)+1 {
				t.Fatalf("%d calls on %d bytes: no progress", calls, len(data))
			}
			var err error
			if values {
				err = checkValue(t, r, prev)
			} else {
				err = checkToken(t, r, prev, calls)
			}
			off := r.InputOffset()
			var se *wire.SyntaxError
			switch {
			case err == nil:
				if off <= prev {
					t.Fatalf("no progress: InputOffset %d after %d", off, prev)
				}
			case err == io.EOF:
				if off != end {
					t.Fatalf("io.EOF at offset %d of %d", off, end)
				}
				return
			case err == io.ErrUnexpectedEOF:
				return
			case errors.As(err, &se):
				checkSyntaxError(t, se, end)
				if err := r.SkipLine(); err != nil {
					if err != io.ErrUnexpectedEOF {
						t.Fatalf("SkipLine: %v", err)
					}
					return
				}
				if off := r.InputOffset(); off <= prev {
					t.Fatalf("no progress after SkipLine: InputOffset %d after %d", off, prev)
				}
			default:
				t.Fatalf("unexpected error %#v", err)
			}
			prev = r.InputOffset()
		}
	})
}

func checkSyntaxError(t *testing.T, se *wire.SyntaxError, end int64) {
	t.Helper()
	if se.Offset < 0 || se.Offset > end {
		t.Fatalf("%v: offset outside the input of %d bytes", se, end)
	}
	if se.Production == "" || se.Expected == "" {
		t.Fatalf("%v: no production or expectation", se)
	}
	for _, s := range []error{wire.ErrNumberOverflow, wire.ErrLiteralTooLarge, wire.ErrAtomTooLong,
		wire.ErrQuotedTooLong, wire.ErrTooDeep, wire.ErrListTooLong} {
		if se.Err == s && !errors.Is(se, s) {
			t.Fatalf("%v: errors.Is fails for its sentinel", se)
		}
	}
}

// checkToken reads one token and checks it against the limits, taking
// literal bodies in turn as bytes, as a partly read stream, or not at all.
func checkToken(t *testing.T, r *wire.Reader, prev int64, calls int) error {
	tok, err := r.ReadToken()
	if err != nil {
		return err
	}
	off := r.InputOffset()
	if tok.Offset < prev || tok.Offset >= off {
		t.Fatalf("token %v at %d outside [%d, %d)", tok.Kind, tok.Offset, prev, off)
	}
	switch tok.Kind {
	case wire.KindAtom, wire.KindNumber, wire.KindNIL, wire.KindPlus, wire.KindStar:
		if len(tok.Bytes) == 0 || len(tok.Bytes) > tokLimits.MaxAtom {
			t.Fatalf("word of %d bytes, MaxAtom %d", len(tok.Bytes), tokLimits.MaxAtom)
		}
		if int64(len(tok.Bytes)) != off-tok.Offset {
			t.Fatalf("word %q spans %d bytes", tok.Bytes, off-tok.Offset)
		}
		if tok.Kind == wire.KindNumber {
			if v, err := strconv.ParseUint(string(tok.Bytes), 10, 63); err != nil || v != tok.Num {
				t.Fatalf("number %q has Num %d", tok.Bytes, tok.Num)
			}
		} else if tok.Num != 0 {
			t.Fatalf("%v %q has Num %d", tok.Kind, tok.Bytes, tok.Num)
		}
	case wire.KindQuoted:
		if len(tok.Bytes) > tokLimits.MaxQuoted {
			t.Fatalf("quoted string of %d bytes, MaxQuoted %d", len(tok.Bytes), tokLimits.MaxQuoted)
		}
		if bytes.ContainsAny(tok.Bytes, "\r\n\x00") {
			t.Fatalf("quoted string %q holds CR, LF or NUL", tok.Bytes)
		}
	case wire.KindLiteral:
		if tok.Literal.Size < 0 {
			t.Fatalf("literal size %d", tok.Literal.Size)
		}
		switch calls % 3 {
		case 0:
			b, err := r.LiteralBytes("literal")
			if tok.Literal.Size > tokLimits.MaxLiteral {
				if !errors.Is(err, wire.ErrLiteralTooLarge) {
					t.Fatalf("literal of %d bytes: got %v, want ErrLiteralTooLarge", tok.Literal.Size, err)
				}
				return nil
			}
			if err != nil {
				return err
			}
			if int64(len(b)) != tok.Literal.Size {
				t.Fatalf("literal of %d bytes read as %d", tok.Literal.Size, len(b))
			}
		case 1:
			// Read a little and leave the rest for the next call.
			n, err := io.ReadFull(r.LiteralReader(), make([]byte, min(tok.Literal.Size, 3)))
			if err != nil && err != io.ErrUnexpectedEOF {
				t.Fatalf("literal read: %d, %v", n, err)
			}
		}
	case wire.KindLParen, wire.KindRParen, wire.KindLBracket, wire.KindRBracket, wire.KindSP:
		if off != tok.Offset+1 {
			t.Fatalf("%v spans %d bytes", tok.Kind, off-tok.Offset)
		}
	case wire.KindCRLF:
	default:
		t.Fatalf("token of kind %v", tok.Kind)
	}
	return nil
}

// checkValue reads one value tree and checks it against the limits.
func checkValue(t *testing.T, r *wire.Reader, prev int64) error {
	c, err := r.Peek()
	if err != nil {
		return err
	}
	if c == ' ' || c == '\r' || c == '\n' {
		r.ReadByte() // values are read between the separators
		return nil
	}
	v, err := r.ReadValue("value")
	if err != nil {
		return err
	}
	checkTree(t, v, 0)
	return nil
}

func checkTree(t *testing.T, v wire.Value, depth int) {
	if depth > tokLimits.MaxDepth {
		t.Fatalf("value nested %d deep, MaxDepth %d", depth, tokLimits.MaxDepth)
	}
	switch v.Kind {
	case wire.KindList:
		if len(v.List) > tokLimits.MaxListElems {
			t.Fatalf("list of %d elements, MaxListElems %d", len(v.List), tokLimits.MaxListElems)
		}
		for _, e := range v.List {
			checkTree(t, e, depth+1)
		}
	case wire.KindAtom, wire.KindNumber, wire.KindNIL:
		if len(v.Text) == 0 || len(v.Text) > tokLimits.MaxAtom {
			t.Fatalf("word of %d bytes, MaxAtom %d", len(v.Text), tokLimits.MaxAtom)
		}
	case wire.KindQuoted:
		if len(v.Text) > tokLimits.MaxQuoted {
			t.Fatalf("quoted string of %d bytes, MaxQuoted %d", len(v.Text), tokLimits.MaxQuoted)
		}
	case wire.KindLiteral:
		if int64(len(v.Text)) > tokLimits.MaxLiteral {
			t.Fatalf("literal of %d bytes, MaxLiteral %d", len(v.Text), tokLimits.MaxLiteral)
		}
	default:
		t.Fatalf("value of kind %v", v.Kind)
	}
}

// splitReader returns the bytes of data in reads whose sizes come from
// sizes, cycling; a size byte with its high bit set on the last read also
// returns io.EOF with the data, as some readers do.
type splitReader struct {
	data  []byte
	sizes []byte
	i     int
}

func (s *splitReader) Read(p []byte) (int, error) {
	if len(s.data) == 0 {
		return 0, io.EOF
	}
	size := 1
	var sz byte
	if len(s.sizes) > 0 {
		sz = s.sizes[s.i%len(s.sizes)]
		s.i++
		size = int(sz&0x7f)%24 + 1
	}
	n := copy(p[:min(len(p), size)], s.data)
	s.data = s.data[n:]
	if len(s.data) == 0 && sz&0x80 != 0 {
		return n, io.EOF
	}
	return n, nil
}

// tokenTranscript reads r to the end with ReadToken, taking literal bodies
// through LiteralReader in reads of readSize bytes, and resynchronizing with
// SkipLine after every syntax error. It renders every token, body and
// error with its offset. SyntaxError.Found is left out: it quotes only what
// happens to be buffered.
func tokenTranscript(r *wire.Reader, readSize int) []string {
	var out []string
	buf := make([]byte, readSize)
	for {
		tok, err := r.ReadToken()
		if err != nil {
			var se *wire.SyntaxError
			if !errors.As(err, &se) {
				return append(out, fmt.Sprintf("error %v at %d", err, r.InputOffset()))
			}
			out = append(out, fmt.Sprintf("syntax error at %d in %s: expected %s (%v)", se.Offset, se.Production, se.Expected, se.Err))
			if err := r.SkipLine(); err != nil {
				return append(out, fmt.Sprintf("SkipLine: %v at %d", err, r.InputOffset()))
			}
			out = append(out, fmt.Sprintf("skipped to %d", r.InputOffset()))
			continue
		}
		out = append(out, fmt.Sprintf("%v %q %d %+v at %d-%d", tok.Kind, tok.Bytes, tok.Num, tok.Literal, tok.Offset, r.InputOffset()))
		if tok.Kind == wire.KindLiteral {
			lr := r.LiteralReader()
			crc, n := crc32.NewIEEE(), 0
			for {
				m, err := lr.Read(buf)
				crc.Write(buf[:m])
				n += m
				if err != nil {
					out = append(out, fmt.Sprintf("body of %d bytes, crc %x, %v", n, crc.Sum32(), err))
					break
				}
			}
		}
	}
}

// FuzzSplitReads checks that the tokens, literal bodies, errors and offsets
// do not depend on how the input is split into reads.
func FuzzSplitReads(f *testing.F) {
	addTokenizerSeeds(f, func(in string) {
		f.Add([]byte(in), []byte{0}, false)
		f.Add([]byte(in), []byte{3, 1, 200, 7}, true)
	})
	f.Fuzz(func(t *testing.T, data, sizes []byte, strict bool) {
		read := func(rd io.Reader, readSize int) []string {
			r := wire.NewReader(rd)
			r.SetLimits(tokLimits)
			r.SetStrict(strict)
			return tokenTranscript(r, readSize)
		}
		want := read(bytes.NewReader(data), 4096)
		got := read(&splitReader{data: data, sizes: sizes}, len(sizes)%5+1)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("split reads %v change the transcript (-want +got):\n%s", sizes, diff)
		}
		if last := want[len(want)-1]; !strings.HasPrefix(last, "error EOF") && !strings.HasPrefix(last, "error unexpected EOF") &&
			!strings.HasPrefix(last, "SkipLine: unexpected EOF") {
			t.Fatalf("transcript ends with %q", last)
		}
	})
}

// typedOps are the Reader's typed methods as the parser calls them; each
// returns the length of what it read, to be checked against the limits.
var typedOps = []struct {
	name  string
	limit int
	read  func(r *wire.Reader) (int, error)
}{
	{"ReadAtom", tokLimits.MaxAtom, func(r *wire.Reader) (int, error) { b, err := r.ReadAtom("p"); return len(b), err }},
	{"ReadAStringAtom", tokLimits.MaxAtom, func(r *wire.Reader) (int, error) { b, err := r.ReadAStringAtom("p"); return len(b), err }},
	{"ReadTag", tokLimits.MaxAtom, func(r *wire.Reader) (int, error) { b, err := r.ReadTag("p"); return len(b), err }},
	{"ReadWord", tokLimits.MaxAtom, func(r *wire.Reader) (int, error) { b, err := r.ReadWord("p"); return len(b), err }},
	{"ReadNumber", 0, func(r *wire.Reader) (int, error) { _, err := r.ReadNumber("p"); return 0, err }},
	{"ReadNumber64", 0, func(r *wire.Reader) (int, error) { _, err := r.ReadNumber64("p"); return 0, err }},
	{"ReadQuoted", tokLimits.MaxQuoted, func(r *wire.Reader) (int, error) { b, err := r.ReadQuoted("p"); return len(b), err }},
	{"ReadString", int(tokLimits.MaxLiteral), func(r *wire.Reader) (int, error) { b, err := r.ReadString("p"); return len(b), err }},
	{"ReadAString", int(tokLimits.MaxLiteral), func(r *wire.Reader) (int, error) { b, err := r.ReadAString("p"); return len(b), err }},
	{"ReadNString", int(tokLimits.MaxLiteral), func(r *wire.Reader) (int, error) { b, _, err := r.ReadNString("p"); return len(b), err }},
	{"ReadNIL", 0, func(r *wire.Reader) (int, error) { return 0, r.ReadNIL("p") }},
	{"PeekNIL", 0, func(r *wire.Reader) (int, error) { _, err := r.PeekNIL(); return 0, err }},
	{"ReadText", tokLimits.MaxQuoted, func(r *wire.Reader) (int, error) { b, err := r.ReadText("p"); return len(b), err }},
	{"ExpectSP", 0, func(r *wire.Reader) (int, error) { return 0, r.ExpectSP("p") }},
	{"ExpectCRLF", 0, func(r *wire.Reader) (int, error) { return 0, r.ExpectCRLF("p") }},
	{"AtEOL", 0, func(r *wire.Reader) (int, error) { _, err := r.AtEOL(); return 0, err }},
	{"Expect(", 0, func(r *wire.Reader) (int, error) { return 0, r.Expect('(', "p") }},
	{"Peek", 0, func(r *wire.Reader) (int, error) { _, err := r.Peek(); return 0, err }},
	{"ReadByte", 0, func(r *wire.Reader) (int, error) { _, err := r.ReadByte(); return 0, err }},
	{"ReadLiteralHeader", 0, func(r *wire.Reader) (int, error) { _, err := r.ReadLiteralHeader("p"); return 0, err }},
	{"LiteralBytes", int(tokLimits.MaxLiteral), func(r *wire.Reader) (int, error) { b, err := r.LiteralBytes("p"); return len(b), err }},
	{"LiteralReader", 0, func(r *wire.Reader) (int, error) {
		if lr := r.LiteralReader(); lr != nil {
			_, err := io.ReadFull(lr, make([]byte, 2))
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = nil // a short literal, or a cut stream the next call reports
			}
			return 0, err
		}
		return 0, nil
	}},
	{"ReadValue", 0, func(r *wire.Reader) (int, error) { _, err := r.ReadValue("p"); return 0, err }},
	{"ReadToken", tokLimits.MaxQuoted, func(r *wire.Reader) (int, error) { t, err := r.ReadToken(); return len(t.Bytes), err }},
	{"SkipLine", 0, func(r *wire.Reader) (int, error) { return 0, r.SkipLine() }},
}

// FuzzTypedMethods calls the Reader's typed methods in an order chosen by
// the fuzzer on arbitrary input. It checks that they never panic, that
// results respect the limits, that every error is a well-formed
// *SyntaxError or an EOF, and that SkipLine after a syntax error moves on.
func FuzzTypedMethods(f *testing.F) {
	addTokenizerSeeds(f, func(in string) {
		f.Add([]byte(in), []byte{23}, false)
		f.Add([]byte(in), []byte{3, 13, 0, 13, 4, 13, 9, 15, 14}, true)
		f.Add([]byte(in), []byte{19, 20, 21, 6, 16, 12, 22, 1, 10, 11}, false)
	})
	f.Fuzz(func(t *testing.T, data, ops []byte, strict bool) {
		if len(ops) == 0 {
			return
		}
		r := wire.NewReader(bytes.NewReader(data))
		r.SetLimits(tokLimits)
		r.SetStrict(strict)
		for i := 0; i < 4*len(data)+2*len(ops); i++ {
			op := typedOps[int(ops[i%len(ops)])%len(typedOps)]
			before := r.InputOffset()
			n, err := op.read(r)
			if err == nil {
				if n > op.limit && op.limit > 0 || n > 0 && op.limit == 0 {
					t.Fatalf("%s returned %d bytes, limit %d", op.name, n, op.limit)
				}
				continue
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return
			}
			var se *wire.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("%s: unexpected error %#v", op.name, err)
			}
			checkSyntaxError(t, se, int64(len(data)))
			if se.Offset < before && op.name != "LiteralBytes" {
				// Errors point at or after where the call started
				// (LiteralBytes can only follow a header).
				t.Fatalf("%s: error at %d before the call's start %d", op.name, se.Offset, before)
			}
			at := r.InputOffset()
			if err := r.SkipLine(); err != nil {
				if err != io.ErrUnexpectedEOF {
					t.Fatalf("SkipLine: %v", err)
				}
				return
			}
			if r.InputOffset() <= at {
				t.Fatalf("SkipLine made no progress at %d", at)
			}
		}
	})
}

// tokenizerSeeds are the inputs of wire's unit tables.
var tokenizerSeeds = []string{
	"FETCH ",
	"a]b ",
	"a%b ",
	"x\x80y ",
	"x\ty ",
	"12345678 ",
	"INBOX] rest",
	"a%",
	"]]]]]]]] ",
	"INBOX ",
	"\"My Box\" ",
	"{3}\r\nabc ",
	"~/Mail/x ",
	"~{1}\r\nx ",
	"A001 OK",
	"a+b ",
	"\\Seen)",
	"a%*<>~\\ ",
	"BODY[",
	"a]",
	"a{",
	"a\"",
	"0 ",
	"007)",
	"4294967295 ",
	"12abc",
	"0000000000000000000000042 ",
	"9223372036854775807 ",
	"4294967296 ",
	"\"\" ",
	"\"abc\" ",
	"\"a\\\"b\\\\c\" ",
	"\"a\\xb\" ",
	"\"a\"",
	"\"a(b)\" ",
	"\"café\" ",
	"\"x\"(",
	"\"x\"]",
	"\"x\")",
	"\"x\"\r\n",
	"\"x\"\n",
	"\"\"\"\" ",
	"\"He said \"hi\"\" ",
	"\"12345678\" ",
	"\"123456\\\"\" ",
	"\"x\" ",
	"{2}\r\nxy",
	"{5}\r\nhello",
	"~{3}\r\nabc",
	"{3+}\r\nabc",
	"~{3+}\r\nabc",
	"{3}\nabc",
	"{99999999999}\r\n",
	"{9223372036854775807}\r\n",
	"{5}\r\nhello)",
	"{5}\r\nab\r\nc)",
	"{0}\r\n)",
	"{15}\r\n123456789012345)",
	"{16}\r\n1234567890123456)",
	"{17}\r\n12345678901234567)",
	"NIL ",
	"nil)",
	"NiL",
	"NILS ",
	"NI ",
	"(",
	"NIL",
	"{1}\r\nx ",
	"() ",
	"hello world\r\n",
	"\r\n",
	"café\r\n",
	"tab\there\r\n",
	"a\x00b\r\n",
	"a b\nc",
	"[ALERT] \"x\" (y) {3}\r\n",
	"12345678\r\n",
	" a",
	"   a",
	"\r\nx",
	"  \r\nx",
	"\nx",
	" \nx",
	"  \r\n",
	"\n",
	"a",
	"         \r\n",
	"garbage here\r\nnext",
	"garbage\nnext",
	"\r\nnext",
	"* 1 FETCH (BODY[] {5}\r\nab\r\nc)\r\n* 2",
	"{5}\r\nab\r\nc\r\nnext",
	"x {5+}\r\nab\r\nc\r\nnext",
	"x ~{5}\r\nab\r\nc\r\nnext",
	"x {3}\n\n\n\n\r\nnext",
	"x {1}\r\n\n {2}\r\n\r\n\r\nnext",
	"x {0}\r\n\r\nnext",
	"x {5}y\r\nnext",
	"x {5 }\r\nnext",
	"{3}\r\na\nb rest\r\nnext",
	"{5a}\r\nnext",
	"(a",
	"\\Seen",
	"\x80",
	"]",
	"abc ) ",
	"123456789 ",
	"ab 123456789 ",
	"12345678] ",
	")",
	"~{x}\r\n",
	"+ OK",
	"A12345678 ",
	"\\12345678 ",
	"x",
	"-1",
	"+1",
	"* 4294967296 ",
	"99999999999999999999999999 ",
	"9223372036854775808 ",
	"18446744073709551615 ",
	"abc",
	"\"a\rb\"",
	"\"a\nb\"",
	"\"a\x00b\"",
	"\"a\\\rb\"",
	"\"a\\\x00b\"",
	"\"abc\r\n",
	"(\"charset \" \" \"utf-8\"\")",
	"\"a\"b\r\n",
	"\"123456789\" ",
	"\"1234567\\\"\" ",
	"~x",
	"{}\r\n",
	"{x}\r\n",
	"{-1}\r\n",
	"{3x\r\n",
	"{3}x",
	"{3}\r\rabc",
	"{3} \r\nabc",
	"{99999999999999999999}\r\n",
	"{9223372036854775808}\r\n",
	"(a {17}\r\n12345678901234567)",
	"a\r\n",
	"NILS",
	"abc ",
	"Nothing ",
	"(a) ",
	"( ) ",
	"123456789\r\n",
	"ab",
	" \r\n",
	"\rx",
	" x",
	"\x00",
	"a \x7f",
	"\t",
	"{x}",
	"~{x}",
	"\"a\r\"",
	"(\"a\"\"b\")",
	"(a )",
	"(a  b)",
	"( a)",
	"(a\r\n",
	"((((a))))",
	"(a b c d e)",
	"(x (a b c d e))",
	"(123456789)",
	"B[1 2 3 4]",
	"(\"123456789\")",
	"bytes",
	"onebyte",
	"dataerr",
	"half",
	"short",
	"abc)",
	"stops after LF",
	"x\r\nnext",
	"long",
	"(0123456789abcdefghij",
	"sentinel",
	"token/empty",
	"token/after line",
	"A1 OK\r\n",
	"token/after literal",
	"{3}\r\nabc",
	"token/after streamed literal",
	"peek/empty",
	"readbyte/empty",
	"token/word",
	"token/number",
	"123",
	"token/tilde",
	"~",
	"token/quoted",
	"\"ab",
	"token/quoted escape",
	"\"ab\\",
	"token/CR",
	"\r",
	"token/literal header",
	"{3",
	"token/literal header CR",
	"{3}\r",
	"token/literal body",
	"{3}\r\nab",
	"atom",
	"atom/empty",
	"number",
	"number/empty",
	"quoted",
	"nil/empty",
	"peeknil/empty",
	"nstring/empty",
	"text",
	"sp",
	"crlf",
	"ateol/spaces",
	"  ",
	"skipline",
	"skipline/literal body",
	"x {10}\r\nabc",
	"value/list",
	"(a b",
	"value/section",
	"BODY[HEADER",
	"literal/bytes",
	"{5}\r\nab",
	"literal/stream",
	"literal/drain",
	"token/boundary",
	"A1 OK",
	"token/quoted closing",
	"\"ab\"",
	"peek",
	"nil",
	"NI",
	"peeknil",
	"nstring",
	" ",
	"ateol",
	"skipline/literal",
	"a {9}\r\nabc",
	"value",
	"(a (b",
	"value/tilde",
	"literal/header",
	"{12",
	"literal/stream big read",
	"{50000}\r\nab",
	"SP@16",
	"atom:rest@17",
	"atom:x@0",
	"CRLF@1",
	"bad byte",
	"* 1 FETCH (X \x01 Y)\r\n",
	"literal after error",
	"* 1 FETCH (X \x01 BODY[] {5}\r\nab\r\nc)\r\n",
	"error just before literal",
	"* 1 FETCH (BODY[]\x01{5}\r\nab\r\nc)\r\n",
	"error in literal header",
	"* 1 FETCH (BODY[] {5}\rab\r\n",
	"quoted with CR",
	"* OK \"abc\r\n",
	"overflow",
	"* 4294967296 EXISTS\r\n",
	"too deep",
	"* 1 FETCH ((((((x))))))\r\n",
	"literal too large",
	"* 1 FETCH (BODY[] {17}\r\n12345678901234567)\r\n",
	"FLAGS ",
	"42)",
	"99999999999999999999999 ",
	"nil ",
	"+ ",
	"* ",
	"\"a b\" ",
	"\"a\\\"b\\\\\" ",
	"{5}\r\nab\r\nc ",
	"~{2}\r\nab ",
	"~abc ",
	"(a 1 \"q\" NIL) ",
	"((a) ((b c)) (())) ",
	"BODY[HEADER.FIELDS (A B)]<0> ",
	"(BODY[1.2] {1}\r\nx BODY[TEXT]<10.5>)",
	"a[b[c]d]e ",
	"(\\Seen \\Answered) ",
	"(a b ) ",
	"(a  b) ",
	"(\"charset \" \" \"utf-8\"\") ",
	"(\"name\" \"\"\"\") ",
	"(((a))) ",
	"(a b c d) ",
	"(12345678) ",
	"({16}\r\n1234567890123456) ",
	"(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92) ",
	"*:*@0",
	"SP@1",
	"number:12345678@0",
	"SP@8",
	"abcdefgh ",
	"atom:abcdefgh@0",
	"quoted:12345678@0",
	"SP@10",
	"{17}\r\n12345678901234567 ",
	"literal:17@0",
	"SP@23",
	"000000000000000000000000000000000000000001 ",
	"12a ",
	"+1 ",
	"** ",
	"nIl ",
	"NILL ",
}
