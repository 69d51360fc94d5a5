package wire

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTokens reads a whole response stream with ReadToken.
func TestTokens(t *testing.T) {
	const stream = "* OK [CAPABILITY IMAP4rev1 LITERAL+] Dovecot ready.\r\n" +
		"A1 OK LOGIN done\r\n" +
		"* 12 FETCH (UID 4827313 FLAGS (\\Seen $Forwarded) BODY[HEADER.FIELDS (SUBJECT)] {8}\r\nSub: x\r\n" +
		" INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" X-GM-MSGID 18446744073709551616 ENV (NIL nil \"a\\\"b\"))\r\n" +
		"+ Ready\r\n" +
		"* 1 FETCH (BINARY[1] ~{2}\r\n\x00\xff MODSEQ (9223372036854775807))\n" +
		"* SEARCH 2 3 5\r\n"
	want := []string{
		"*:*@0", "SP@1", "atom:OK@2", "SP@4", "[@5", "atom:CAPABILITY@6", "SP@16", "atom:IMAP4rev1@17", "SP@26", "atom:LITERAL+@27", "]@35", "SP@36", "atom:Dovecot@37", "SP@44", "atom:ready.@45", "CRLF@51",
		"atom:A1@53", "SP@55", "atom:OK@56", "SP@58", "atom:LOGIN@59", "SP@64", "atom:done@65", "CRLF@69",
		"*:*@71", "SP@72", "number:12@73", "SP@75", "atom:FETCH@76", "SP@81", "(@82", "atom:UID@83", "SP@86", "number:4827313@87", "SP@94",
		"atom:FLAGS@95", "SP@100", "(@101", `atom:\Seen@102`, "SP@107", "atom:$Forwarded@108", ")@118", "SP@119",
		"atom:BODY@120", "[@124", "atom:HEADER.FIELDS@125", "SP@138", "(@139", "atom:SUBJECT@140", ")@147", "]@148", "SP@149", "literal:8@150",
		"SP@163", "atom:INTERNALDATE@164", "SP@176", `quoted:17-Jul-1996 02:44:25 -0700@177`, "SP@205", "atom:X-GM-MSGID@206", "SP@216", "atom:18446744073709551616@217", "SP@237",
		"atom:ENV@238", "SP@241", "(@242", "NIL:NIL@243", "SP@246", "NIL:nil@247", "SP@250", `quoted:a"b@251`, ")@257", ")@258", "CRLF@259",
		"+:+@261", "SP@262", "atom:Ready@263", "CRLF@268",
		"*:*@270", "SP@271", "number:1@272", "SP@273", "atom:FETCH@274", "SP@279", "(@280", "atom:BINARY@281", "[@287", "number:1@288", "]@289", "SP@290", "~literal:2@291",
		"SP@299", "atom:MODSEQ@300", "SP@306", "(@307", "number:9223372036854775807@308", ")@327", ")@328", "CRLF@329",
		"*:*@330", "SP@331", "atom:SEARCH@332", "SP@338", "number:2@339", "SP@340", "number:3@341", "SP@342", "number:5@343", "CRLF@344",
	}
	for _, k := range readerKinds {
		t.Run(k.name, func(t *testing.T) {
			r := newTestReader(stream, k.wrap, false, Limits{})
			got, err := opTokens(r)
			if err != io.EOF {
				t.Fatalf("got error %v, want io.EOF", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("tokens mismatch (-want +got):\n%s", diff)
			}
			if off := r.InputOffset(); off != int64(len(stream)) {
				t.Errorf("InputOffset = %d, want %d", off, len(stream))
			}
		})
	}
}

// TestTokenLimits checks that ReadToken returns words and quoted strings
// exactly at the limits, and refuses them one past, whether or not the
// token is already buffered whole (ReadToken's fast path).
func TestTokenLimits(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"12345678 ", []string{"number:12345678@0", "SP@8"}},
		{"abcdefgh ", []string{"atom:abcdefgh@0", "SP@8"}},
		{`"12345678" `, []string{"quoted:12345678@0", "SP@10"}},
		{`"123456\\" `, []string{`quoted:123456\@0`, "SP@10"}},
		{`"1234567\\" `, []string{"syntax error @1 quoted quoted string too long"}},
		{"{17}\r\n12345678901234567 ", []string{"literal:17@0", "SP@23"}},
		{`"123456789" `, []string{"syntax error @1 quoted quoted string too long"}},
		{`"12345678"" `, []string{"syntax error @1 quoted quoted string too long"}},
		{"123456789 ", []string{"syntax error @0 atom atom too long"}},
		// 163.com's unescaped quotes, through ReadToken.
		{`"""" "a"b" "x"`, []string{`quoted:""@0`, "SP@4", `quoted:a"b@5`, "SP@10", "quoted:x@11"}},
	}
	for _, tc := range tests {
		for _, k := range readerKinds {
			t.Run(tc.in+"/"+k.name, func(t *testing.T) {
				r := newTestReader(tc.in, k.wrap, false, small)
				got, err := opTokens(r)
				if se := (*SyntaxError)(nil); errors.As(err, &se) {
					got = append(got.([]string), fmt.Sprintf("syntax error @%d %s %v", se.Offset, se.Production, se.Err))
				} else if err != io.ErrUnexpectedEOF && err != io.EOF {
					t.Errorf("got error %v", err)
				}
				if diff := cmp.Diff(tc.want, got, cmpOpts...); diff != "" {
					t.Errorf("mismatch (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestTokenNumber(t *testing.T) {
	tests := []struct {
		in   string
		kind Kind
		num  uint64
	}{
		{"0 ", KindNumber, 0},
		{"4294967296 ", KindNumber, 1 << 32},
		{"9223372036854775807 ", KindNumber, 1<<63 - 1},
		// A number word too big for 63 bits is an atom.
		{"9223372036854775808 ", KindAtom, 0},
		{"000000000000000000000000000000000000000001 ", KindNumber, 1},
		{"12a ", KindAtom, 0},
		{"+ ", KindPlus, 0},
		{"* ", KindStar, 0},
		{"+1 ", KindAtom, 0},
		{"** ", KindAtom, 0},
		{"nIl ", KindNIL, 0},
		{"NILL ", KindAtom, 0},
	}
	for _, tc := range tests {
		r := NewReader(strings.NewReader(tc.in))
		tok, err := r.ReadToken()
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if tok.Kind != tc.kind || tok.Num != tc.num || string(tok.Bytes) != strings.TrimSuffix(tc.in, " ") {
			t.Errorf("%q: got %v %d %q, want %v %d", tc.in, tok.Kind, tok.Num, tok.Bytes, tc.kind, tc.num)
		}
	}
}

func TestKindString(t *testing.T) {
	for k := KindInvalid; k <= KindList; k++ {
		if s := k.String(); s == "" || strings.HasPrefix(s, "Kind(") {
			t.Errorf("Kind %d has no name", k)
		}
	}
	if s := Kind(200).String(); s != "Kind(200)" {
		t.Errorf("Kind(200).String() = %q", s)
	}
}

func TestValue(t *testing.T) {
	L := func(vs ...Value) Value {
		if vs == nil {
			vs = []Value{}
		}
		return Value{Kind: KindList, List: vs}
	}
	A := func(s string) Value { return Value{Kind: KindAtom, Text: s} }
	N := func(s string) Value { return Value{Kind: KindNumber, Text: s} }
	Q := func(s string) Value { return Value{Kind: KindQuoted, Text: s} }
	Lit := func(s string) Value { return Value{Kind: KindLiteral, Text: s} }
	Nil := Value{Kind: KindNIL, Text: "NIL"}
	tests := []struct {
		name   string
		in     string
		strict bool
		lim    Limits
		want   Value
		str    string // want.String(), when it differs from in
		off    int64
	}{
		{name: "atom", in: "FLAGS ", want: A("FLAGS"), off: 5},
		{name: "number", in: "42)", want: N("42"), off: 2},
		{name: "big number", in: "99999999999999999999999 ", want: N("99999999999999999999999"), off: 23},
		{name: "nil", in: "NIL ", want: Nil, off: 3},
		{name: "nil lower", in: "nil ", want: Value{Kind: KindNIL, Text: "nil"}, str: "NIL", off: 3},
		{name: "plus is an atom", in: "+ ", want: A("+"), off: 1},
		{name: "star is an atom", in: "* ", want: A("*"), off: 1},
		{name: "quoted", in: `"a b" `, want: Q("a b"), off: 5},
		{name: "quoted escapes", in: `"a\"b\\" `, want: Q(`a"b\`), off: 8},
		{name: "literal", in: "{5}\r\nab\r\nc ", want: Lit("ab\r\nc"), str: `"ab\r\nc"`, off: 10},
		{name: "literal8", in: "~{2}\r\nab ", want: Lit("ab"), str: `"ab"`, off: 8},
		{name: "tilde word", in: "~abc ", want: A("~abc"), off: 4},
		{name: "empty list", in: "() ", want: L(), off: 2},
		{name: "list", in: `(a 1 "q" NIL) `, want: L(A("a"), N("1"), Q("q"), Nil), off: 13},
		{name: "nested", in: `((a) ((b c)) (())) `, want: L(L(A("a")), L(L(A("b"), A("c"))), L(L())), off: 18},
		{name: "section", in: "BODY[HEADER.FIELDS (A B)]<0> ", want: A("BODY[HEADER.FIELDS (A B)]<0>"), off: 28},
		{name: "section in list", in: "(BODY[1.2] {1}\r\nx BODY[TEXT]<10.5>)", want: L(A("BODY[1.2]"), Lit("x"), A("BODY[TEXT]<10.5>")), str: `(BODY[1.2] "x" BODY[TEXT]<10.5>)`, off: 35},
		{name: "nested brackets", in: "a[b[c]d]e ", want: A("a[b[c]d]e"), off: 9},
		{name: "flag", in: `(\Seen \Answered) `, want: L(A(`\Seen`), A(`\Answered`)), off: 17},
		{name: "lenient SP before )", in: "(a b ) ", want: L(A("a"), A("b")), str: "(a b)", off: 6},
		{name: "lenient double SP", in: "(a  b) ", want: L(A("a"), A("b")), str: "(a b)", off: 6},
		// 163.com: unescaped quotes inside BODYSTRUCTURE parameter values.
		{name: "163.com unescaped quotes", in: `("charset " " "utf-8"") `, want: L(Q("charset "), Q(` "utf-8"`)), str: `("charset " " \"utf-8\"")`, off: 23},
		{name: "163.com four quotes", in: `("name" """") `, want: L(Q("name"), Q(`""`)), str: `("name" "\"\"")`, off: 13},
		{name: "at MaxDepth", in: "(((a))) ", lim: small, want: L(L(L(A("a")))), off: 7},
		{name: "at MaxListElems", in: "(a b c d) ", lim: small, want: L(A("a"), A("b"), A("c"), A("d")), off: 9},
		{name: "at MaxAtom", in: "(12345678) ", lim: small, want: L(N("12345678")), off: 10},
		{name: "at MaxLiteral", in: "({16}\r\n1234567890123456) ", lim: small, want: L(Lit("1234567890123456")), str: `("1234567890123456")`, off: 24},
		{name: "bodystructure", in: `("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92) `,
			want: L(Q("TEXT"), Q("PLAIN"), L(Q("CHARSET"), Q("US-ASCII")), Nil, Nil, Q("7BIT"), N("3028"), N("92")), off: 62},
	}
	for _, tc := range tests {
		for _, k := range readerKinds {
			t.Run(tc.name+"/"+k.name, func(t *testing.T) {
				r := newTestReader(tc.in, k.wrap, tc.strict, tc.lim)
				got, err := r.ReadValue("p")
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("mismatch (-want +got):\n%s", diff)
				}
				if off := r.InputOffset(); off != tc.off {
					t.Errorf("InputOffset = %d, want %d", off, tc.off)
				}
				str := tc.str
				if str == "" {
					str = strings.TrimRight(tc.in, " )")
					if strings.HasSuffix(tc.in, ") ") || strings.HasSuffix(tc.in, ")") && tc.want.Kind == KindList {
						str = tc.in[:tc.off]
					}
				}
				if s := got.String(); s != str {
					t.Errorf("String() = %q, want %q", s, str)
				}
			})
		}
	}
}
