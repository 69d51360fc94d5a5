package wire

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// writerConfig is the configuration of a Writer under test.
type writerConfig struct {
	mode LiteralMode
	utf8 bool
}

// newTestWriter returns a Writer configured as c writing to a buffer.
func newTestWriter(c writerConfig) (*Writer, *bytes.Buffer) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.LiteralMode = c.mode
	w.UTF8Accept = c.utf8
	return w, &buf
}

func TestWriter(t *testing.T) {
	plus := writerConfig{mode: LiteralPlus}
	minus := writerConfig{mode: LiteralMinus}
	utf8 := writerConfig{mode: LiteralPlus, utf8: true}
	long := strings.Repeat("x y", 1024)[:1024]
	tests := []struct {
		name   string
		config writerConfig
		write  func(w *Writer) error
		want   string
	}{
		{"atom", plus, func(w *Writer) error { return w.Atom("A001") }, "A001"},
		{"atom with bracket and plus", plus, func(w *Writer) error { return w.Atom("$Label[1+}") }, "$Label[1+}"},
		{"sp crlf", plus, func(w *Writer) error { w.SP(); return w.CRLF() }, " \r\n"},
		{"list", plus, func(w *Writer) error { w.OpenList(); w.Atom("a"); w.SP(); w.Atom("b"); return w.CloseList() }, "(a b)"},
		{"raw", plus, func(w *Writer) error { return w.Raw(`UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From)])`) }, `UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From)])`},
		{"raw flag", plus, func(w *Writer) error { return w.Raw(`\Seen`) }, `\Seen`},
		{"raw empty", plus, func(w *Writer) error { return w.Raw("") }, ""},
		{"number", plus, func(w *Writer) error { return w.Number(math.MaxUint32) }, "4294967295"},
		{"number zero", plus, func(w *Writer) error { return w.Number(0) }, "0"},
		{"number64", plus, func(w *Writer) error { return w.Number64(math.MaxUint64) }, "18446744073709551615"},
		{"seqset", plus, func(w *Writer) error { return w.SeqSet(SeqSet{{2, 2}, {4, 6}, {20, 0}, {0, 0}}) }, "2,4:6,20:*,*"},
		{"quoted", plus, func(w *Writer) error { return w.Quoted("hello world") }, `"hello world"`},
		{"quoted empty", plus, func(w *Writer) error { return w.Quoted("") }, `""`},
		{"quoted escapes", plus, func(w *Writer) error { return w.Quoted(`a"b\c"`) }, `"a\"b\\c\""`},
		{"quoted tab and DEL", plus, func(w *Writer) error { return w.Quoted("a\tb\x7f") }, "\"a\tb\x7f\""},
		{"quoted UTF-8 with UTF8Accept", utf8, func(w *Writer) error { return w.Quoted("Grüße") }, `"Grüße"`},
		{"string is never an atom", plus, func(w *Writer) error { return w.String("abc") }, `"abc"`},
		{"string longest quoted", plus, func(w *Writer) error { return w.String(long) }, `"` + long + `"`},
		{"string one past longest quoted", plus, func(w *Writer) error { return w.String(long + "z") }, "{1025+}\r\n" + long + "z"},
		{"string CRLF", plus, func(w *Writer) error { return w.String("a\r\nb") }, "{4+}\r\na\r\nb"},
		{"string 8-bit", plus, func(w *Writer) error { return w.String("é") }, "{2+}\r\né"},
		{"string UTF-8 with UTF8Accept", utf8, func(w *Writer) error { return w.String("é") }, `"é"`},
		{"string invalid UTF-8 with UTF8Accept", utf8, func(w *Writer) error { return w.String("\xff") }, "{1+}\r\n\xff"},
		{"astring atom", plus, func(w *Writer) error { return w.AString("joe") }, "joe"},
		{"astring resp-special", plus, func(w *Writer) error { return w.AString("a]b") }, "a]b"},
		{"astring NIL is an atom", plus, func(w *Writer) error { return w.AString("NIL") }, "NIL"},
		{"astring empty", plus, func(w *Writer) error { return w.AString("") }, `""`},
		{"astring space", plus, func(w *Writer) error { return w.AString("a b") }, `"a b"`},
		{"astring wildcards", plus, func(w *Writer) error { return w.AString("%*") }, `"%*"`},
		{"astring quote", plus, func(w *Writer) error { return w.AString(`pass"word`) }, `"pass\"word"`},
		{"astring brace", plus, func(w *Writer) error { return w.AString("{3}") }, `"{3}"`},
		{"astring backslash", plus, func(w *Writer) error { return w.AString(`\Seen`) }, `"\\Seen"`},
		{"astring 8-bit", plus, func(w *Writer) error { return w.AString("pässword") }, "{9+}\r\npässword"},
		{"astring UTF-8 with UTF8Accept", utf8, func(w *Writer) error { return w.AString("pässword") }, `"pässword"`},
		{"mailbox INBOX", plus, func(w *Writer) error { return w.Mailbox("iNbOx") }, "INBOX"},
		{"mailbox under INBOX", plus, func(w *Writer) error { return w.Mailbox("inbox/Sent") }, "inbox/Sent"},
		{"mailbox not INBOX", plus, func(w *Writer) error { return w.Mailbox("INBOX1") }, "INBOX1"},
		{"mailbox like INBOX", plus, func(w *Writer) error { return w.Mailbox("InBoY") }, "InBoY"},
		{"mailbox modified UTF-7", plus, func(w *Writer) error { return w.Mailbox("~peter/mail/台北/日本語") }, "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},
		{"mailbox ampersand", plus, func(w *Writer) error { return w.Mailbox("Tom & Jerry") }, `"Tom &- Jerry"`},
		{"mailbox wildcard", plus, func(w *Writer) error { return w.Mailbox("a*") }, `"a*"`},
		{"mailbox CRLF in UTF-7", plus, func(w *Writer) error { return w.Mailbox("a\r\n") }, "a&AA0ACg-"},
		{"mailbox empty", plus, func(w *Writer) error { return w.Mailbox("") }, `""`},
		{"mailbox UTF8Accept", utf8, func(w *Writer) error { return w.Mailbox("台北 & co") }, `"台北 & co"`},
		{"mailbox UTF8Accept INBOX", utf8, func(w *Writer) error { return w.Mailbox("Inbox") }, "INBOX"},
		{"mailbox UTF8Accept invalid UTF-8", utf8, func(w *Writer) error { return w.Mailbox("a\xffb") }, "\"a\uFFFDb\""},
		{"mailbox UTF8Accept CRLF", utf8, func(w *Writer) error { return w.Mailbox("a\r\n") }, "{3+}\r\na\r\n"},
		{"literal plus", plus, func(w *Writer) error { return w.Literal(5, strings.NewReader("hello, world")) }, "{5+}\r\nhello"},
		{"literal bytes", plus, func(w *Writer) error { return w.LiteralBytes([]byte("a\x00\r\n")) }, "{4+}\r\na\x00\r\n"},
		{"literal empty", plus, func(w *Writer) error { return w.LiteralBytes(nil) }, "{0+}\r\n"},
		{"literal8", plus, func(w *Writer) error { return w.Literal8(2, strings.NewReader("\x00\xff")) }, "~{2+}\r\n\x00\xff"},
		{"literal minus largest", minus, func(w *Writer) error { return w.Literal(4096, strings.NewReader(strings.Repeat("a", 4096))) }, "{4096+}\r\n" + strings.Repeat("a", 4096)},
		{"literal8 minus", minus, func(w *Writer) error { return w.Literal8(1, strings.NewReader("a")) }, "~{1+}\r\na"},
		{"literal byte reader", plus, func(w *Writer) error { return w.Literal(3, iotest.OneByteReader(strings.NewReader("abc"))) }, "{3+}\r\nabc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, buf := newTestWriter(tt.config)
			if err := tt.write(w); err != nil {
				t.Fatalf("write: %v", err)
			}
			if err := w.Flush(); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			if diff := cmp.Diff(tt.want, buf.String()); diff != "" {
				t.Errorf("output mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriterErrors(t *testing.T) {
	plus := writerConfig{mode: LiteralPlus}
	sync := writerConfig{mode: LiteralSync}
	minus := writerConfig{mode: LiteralMinus}
	utf8 := writerConfig{mode: LiteralPlus, utf8: true}
	tests := []struct {
		name    string
		config  writerConfig
		write   func(w *Writer) error
		wantErr error
		msg     string // the error text, if it matters
	}{
		{"atom empty", plus, func(w *Writer) error { return w.Atom("") }, ErrUnencodable,
			"imap: writing atom: value cannot be encoded in this form: empty"},
		{"atom space", plus, func(w *Writer) error { return w.Atom("a b") }, ErrUnencodable,
			"imap: writing atom: value cannot be encoded in this form: byte 0x20 at index 1"},
		{"atom flag", plus, func(w *Writer) error { return w.Atom(`\Seen`) }, ErrUnencodable, ""},
		{"atom bracket", plus, func(w *Writer) error { return w.Atom("a]") }, ErrUnencodable, ""},
		{"atom 8-bit", plus, func(w *Writer) error { return w.Atom("é") }, ErrUnencodable, ""},
		{"atom CRLF", plus, func(w *Writer) error { return w.Atom("A1\r\n") }, ErrUnencodable,
			"imap: writing atom: value cannot be encoded in this form: CR at index 2"},
		{"raw CR", plus, func(w *Writer) error { return w.Raw("NOOP\rX") }, ErrUnencodable,
			"imap: writing raw text: value cannot be encoded in this form: CR at index 4"},
		{"raw LF", plus, func(w *Writer) error { return w.Raw("NOOP\n") }, ErrUnencodable,
			"imap: writing raw text: value cannot be encoded in this form: LF at index 4"},
		{"raw brace", plus, func(w *Writer) error { return w.Raw("NOOP {5}") }, ErrUnencodable,
			"imap: writing raw text: value cannot be encoded in this form: byte 0x7b at index 5"},
		{"raw NUL", plus, func(w *Writer) error { return w.Raw("\x00") }, ErrUnencodable,
			"imap: writing raw text: value cannot be encoded in this form: NUL at index 0"},
		{"quoted LF", plus, func(w *Writer) error { return w.Quoted("secret\n") }, ErrUnencodable,
			"imap: writing quoted string: value cannot be encoded in this form: LF at index 6"},
		{"quoted 8-bit", plus, func(w *Writer) error { return w.Quoted("ü") }, ErrUnencodable,
			"imap: writing quoted string: value cannot be encoded in this form: byte 0xc3 at index 0"},
		{"quoted invalid UTF-8 with UTF8Accept", utf8, func(w *Writer) error { return w.Quoted("ü\xff") }, ErrUnencodable,
			"imap: writing quoted string: value cannot be encoded in this form: byte 0xff at index 2"},
		{"string NUL", plus, func(w *Writer) error { return w.String("pass\x00word") }, ErrUnencodable,
			"imap: writing string: value cannot be encoded in this form: NUL at index 4"},
		{"astring NUL", plus, func(w *Writer) error { return w.AString("\x00") }, ErrUnencodable, ""},
		{"mailbox NUL with UTF8Accept", utf8, func(w *Writer) error { return w.Mailbox("a\x00") }, ErrUnencodable, ""},
		{"empty seqset", plus, func(w *Writer) error { return w.SeqSet(nil) }, ErrUnencodable,
			"imap: writing sequence-set: value cannot be encoded in this form: empty"},
		{"sync literal without ContinueFunc", sync, func(w *Writer) error { return w.LiteralBytes([]byte("x")) }, ErrNoContinueFunc,
			"imap: literal of 1 bytes: synchronizing literal needs Writer.ContinueFunc"},
		{"sync string without ContinueFunc", sync, func(w *Writer) error { return w.AString("a\r\n") }, ErrNoContinueFunc, ""},
		{"literal minus one past largest", minus, func(w *Writer) error { return w.Literal(4097, strings.NewReader(strings.Repeat("a", 4097))) }, ErrNoContinueFunc, ""},
		{"literal negative size", plus, func(w *Writer) error { return w.Literal(-1, strings.NewReader("")) }, nil,
			"imap: literal of negative size -1"},
		{"literal short reader", plus, func(w *Writer) error { return w.Literal(10, strings.NewReader("abc")) }, io.ErrUnexpectedEOF,
			"imap: literal of 10 bytes ended after 3: unexpected EOF"},
		{"literal reader error", plus, func(w *Writer) error { return w.Literal(10, iotest.ErrReader(errTest)) }, errTest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, buf := newTestWriter(tt.config)
			err := tt.write(w)
			if err == nil {
				t.Fatal("write succeeded, want error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q does not wrap %q", err, tt.wantErr)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("error %q, want %q", err, tt.msg)
			}
			// The error is sticky, and nothing was sent.
			if got := w.Flush(); got != err {
				t.Errorf("Flush() = %v, want the sticky %v", got, err)
			}
			if got := w.SP(); got != err {
				t.Errorf("SP() = %v, want the sticky %v", got, err)
			}
			if buf.Len() != 0 {
				t.Errorf("sent %q after an error, want nothing", buf.String())
			}
		})
	}
}

var errTest = errors.New("test error")

func TestWriterStickyError(t *testing.T) {
	w, buf := newTestWriter(writerConfig{mode: LiteralPlus})
	w.Atom("A1")
	w.SP()
	w.Raw("LOGIN")
	w.SP()
	first := w.Quoted("joe\r\nA2 LOGOUT")
	if !errors.Is(first, ErrUnencodable) {
		t.Fatalf("Quoted: %v, want ErrUnencodable", first)
	}
	calls := map[string]func() error{
		"Atom":         func() error { return w.Atom("x") },
		"SP":           w.SP,
		"CRLF":         w.CRLF,
		"OpenList":     w.OpenList,
		"CloseList":    w.CloseList,
		"Raw":          func() error { return w.Raw("x") },
		"Number":       func() error { return w.Number(1) },
		"Number64":     func() error { return w.Number64(1) },
		"SeqSet":       func() error { return w.SeqSet(SeqSet{{1, 1}}) },
		"Quoted":       func() error { return w.Quoted("x") },
		"String":       func() error { return w.String("x") },
		"AString":      func() error { return w.AString("x") },
		"Mailbox":      func() error { return w.Mailbox("x") },
		"Literal":      func() error { return w.Literal(1, strings.NewReader("x")) },
		"Literal8":     func() error { return w.Literal8(1, strings.NewReader("x")) },
		"LiteralBytes": func() error { return w.LiteralBytes([]byte("x")) },
		"Flush":        w.Flush,
	}
	for name, call := range calls {
		if err := call(); err != first {
			t.Errorf("%s after an error = %v, want the sticky %v", name, err, first)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("sent %q, want nothing", buf.String())
	}

	// Reset drops the refused command and the error.
	w.Reset(buf)
	w.Atom("A2")
	w.SP()
	w.Raw("NOOP")
	w.CRLF()
	if err := w.Flush(); err != nil {
		t.Fatalf("Flush after Reset: %v", err)
	}
	if diff := cmp.Diff("A2 NOOP\r\n", buf.String()); diff != "" {
		t.Errorf("output after Reset mismatch (-want +got):\n%s", diff)
	}
	if w.LiteralMode != LiteralPlus {
		t.Errorf("Reset changed LiteralMode to %v", w.LiteralMode)
	}
}

func TestWriterSyncLiteral(t *testing.T) {
	for _, mode := range []LiteralMode{LiteralSync, LiteralMinus} {
		t.Run(strconv.Itoa(int(mode)), func(t *testing.T) {
			var buf bytes.Buffer
			w := NewWriter(&buf)
			w.LiteralMode = mode
			var seen []string // what the server had received at each ContinueFunc call
			w.ContinueFunc = func() error {
				seen = append(seen, buf.String())
				return nil
			}
			data := strings.Repeat("z", 5000)
			w.Atom("A1")
			w.SP()
			w.Raw("APPEND")
			w.SP()
			w.Mailbox("INBOX")
			w.SP()
			w.Literal(int64(len(data)), strings.NewReader(data))
			w.CRLF()
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			want := []string{"A1 APPEND INBOX {5000}\r\n"}
			if diff := cmp.Diff(want, seen); diff != "" {
				t.Errorf("output at ContinueFunc mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff("A1 APPEND INBOX {5000}\r\n"+data+"\r\n", buf.String()); diff != "" {
				t.Errorf("output mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriterSyncLiteralDeclined(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	declined := errors.New("A1 NO [TOOBIG] message too large")
	w.ContinueFunc = func() error { return declined }
	w.Raw("A1 APPEND INBOX")
	w.SP()
	err := w.LiteralBytes([]byte("Subject: hi\r\n\r\nbody"))
	if err != declined {
		t.Fatalf("LiteralBytes() = %v, want the ContinueFunc error unwrapped", err)
	}
	if got := w.CRLF(); got != declined {
		t.Errorf("CRLF() = %v, want the sticky %v", got, declined)
	}
	if diff := cmp.Diff("A1 APPEND INBOX {19}\r\n", buf.String()); diff != "" {
		t.Errorf("output mismatch (-want +got):\n%s", diff)
	}

	// The server has finished the command; the connection goes on.
	w.Reset(&buf)
	buf.Reset()
	w.Raw("A2 NOOP")
	w.CRLF()
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("A2 NOOP\r\n", buf.String()); diff != "" {
		t.Errorf("output after Reset mismatch (-want +got):\n%s", diff)
	}
}

func TestWriterIOError(t *testing.T) {
	w := NewWriter(&failWriter{n: 10})
	w.Raw("A1 LOGIN joe secret")
	w.CRLF()
	err := w.Flush()
	if !errors.Is(err, errTest) {
		t.Fatalf("Flush() = %v, want %v", err, errTest)
	}
	if got := w.Atom("A2"); got != err {
		t.Errorf("Atom() after I/O error = %v, want the sticky %v", got, err)
	}

	// An error while flushing a synchronizing literal's header.
	w = NewWriter(&failWriter{n: 0})
	called := false
	w.ContinueFunc = func() error { called = true; return nil }
	if err := w.LiteralBytes([]byte("x")); !errors.Is(err, errTest) {
		t.Errorf("LiteralBytes() = %v, want %v", err, errTest)
	}
	if called {
		t.Error("ContinueFunc called although the header was not sent")
	}

	// An error while a large write goes through the buffer.
	w = NewWriter(&failWriter{n: 0})
	w.LiteralMode = LiteralPlus
	if err := w.LiteralBytes(make([]byte, 10000)); !errors.Is(err, errTest) {
		t.Errorf("LiteralBytes() = %v, want %v", err, errTest)
	}
}

// failWriter accepts n bytes, then fails with errTest.
type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if len(p) <= f.n {
		f.n -= len(p)
		return len(p), nil
	}
	n := f.n
	f.n = 0
	return n, errTest
}

// hostile are values crafted to break out of their argument.
var hostile = []string{
	"",
	"joe",
	"\r\nA2 LOGOUT\r\n",
	"x\r\nA2 LOGOUT",
	"\nA2 LOGOUT\n",
	"\rA2 LOGOUT\r",
	"a\x00b",
	"\x00",
	`pass"word`,
	`back\slash\`,
	"\"\r\nA2 LOGOUT\r\n\"",
	"\" A2 LOGOUT \"",
	"{5}\r\nA2 LOGOUT",
	"{0+}",
	"~{3}\r\nabc",
	")\r\n",
	"INBOX\r\nA2 DELETE INBOX",
	"inbox",
	"é 8-bit",
	"\xff\xfe",
	"\xc3",
	"😀\r\n",
	"*%",
	"a]b",
	"\t\x7f",
	"&-&AGE-",
	strings.Repeat("long\r\n", 400),
	strings.Repeat("x", 5000),
}

// scanCommand parses out as one IMAP command made of SP-separated atoms,
// quoted strings and literals, ended by CRLF, and returns its arguments
// decoded. It fails on anything else, in particular a CRLF that is neither
// in a literal header nor the last two bytes.
func scanCommand(out []byte) ([]string, error) {
	var args []string
	i := 0
	for {
		if i >= len(out) {
			return nil, fmt.Errorf("offset %d: missing CRLF at end", i)
		}
		switch c := out[i]; {
		case c == '"':
			var b []byte
			for i++; ; i++ {
				if i >= len(out) {
					return nil, fmt.Errorf("unterminated quoted string")
				}
				c := out[i]
				if c == '"' {
					i++
					break
				}
				if c == '\r' || c == '\n' || c == 0 {
					return nil, fmt.Errorf("offset %d: %q in quoted string", i, c)
				}
				if c == '\\' {
					i++
					if i >= len(out) || out[i] != '"' && out[i] != '\\' {
						return nil, fmt.Errorf("offset %d: bad escape", i)
					}
					c = out[i]
				}
				b = append(b, c)
			}
			args = append(args, string(b))
		case c == '{' || c == '~':
			if c == '~' {
				i++
			}
			end := bytes.Index(out[i:], []byte("}\r\n"))
			if end < 0 || out[i] != '{' {
				return nil, fmt.Errorf("offset %d: bad literal header", i)
			}
			num := strings.TrimSuffix(string(out[i+1:i+end]), "+")
			n, err := strconv.Atoi(num)
			if err != nil || strconv.Itoa(n) != num {
				return nil, fmt.Errorf("offset %d: bad literal size %q", i, num)
			}
			i += end + 3
			if i+n > len(out) {
				return nil, fmt.Errorf("offset %d: literal of %d bytes runs past the end", i, n)
			}
			args = append(args, string(out[i:i+n]))
			i += n
		default:
			j := i
			for j < len(out) && out[j] != ' ' && out[j] != '\r' {
				if out[j] == '\n' || out[j] == 0 {
					return nil, fmt.Errorf("offset %d: %q outside a literal", j, out[j])
				}
				j++
			}
			args = append(args, string(out[i:j]))
			i = j
		}
		if i+2 == len(out) && string(out[i:]) == "\r\n" {
			return args, nil
		}
		if i >= len(out) || out[i] != ' ' {
			return nil, fmt.Errorf("offset %d: %q after an argument, want SP or the final CRLF", i, out[i:min(i+10, len(out))])
		}
		i++
	}
}

// TestWriterInjection writes every hostile value with every value method,
// in every literal mode, and checks that the output is always exactly one
// command whose arguments decode to the values.
func TestWriterInjection(t *testing.T) {
	methods := []struct {
		name string
		call func(w *Writer, v string) error
		// decoded is what the argument must decode to, or ok=false when
		// that is not known.
		decoded func(w *Writer, v string) (arg string, ok bool)
	}{
		{"Atom", (*Writer).Atom, func(_ *Writer, v string) (string, bool) { return v, true }},
		{"Raw", (*Writer).Raw, nil}, // checked by checkRaw
		{"Quoted", (*Writer).Quoted, func(_ *Writer, v string) (string, bool) { return v, true }},
		{"String", (*Writer).String, func(_ *Writer, v string) (string, bool) { return v, true }},
		{"AString", (*Writer).AString, func(_ *Writer, v string) (string, bool) { return v, true }},
		{"Mailbox", (*Writer).Mailbox, func(w *Writer, v string) (string, bool) {
			switch {
			case strings.EqualFold(v, "INBOX"):
				return "INBOX", true
			case w.UTF8Accept:
				return string([]rune(v)), true // U+FFFD for each invalid byte
			}
			return EncodeUTF7(v), true
		}},
	}
	configs := []writerConfig{
		{mode: LiteralSync}, {mode: LiteralPlus}, {mode: LiteralMinus},
		{mode: LiteralSync, utf8: true}, {mode: LiteralPlus, utf8: true},
	}
	for _, m := range methods {
		for _, c := range configs {
			t.Run(fmt.Sprintf("%s/mode%d/utf8=%v", m.name, c.mode, c.utf8), func(t *testing.T) {
				for _, v := range hostile {
					w, buf := newTestWriter(c)
					w.ContinueFunc = func() error { return nil }
					w.Atom("A1")
					w.SP()
					w.Raw("CMD")
					w.SP()
					m.call(w, v)
					w.SP()
					m.call(w, v)
					w.CRLF()
					if err := w.Flush(); err != nil {
						if !errors.Is(err, ErrUnencodable) {
							t.Errorf("%q: %v, want ErrUnencodable", v, err)
						}
						if buf.Len() != 0 {
							t.Errorf("%q: refused, yet sent %q", v, buf.String())
						}
						continue
					}
					if m.name == "Raw" {
						if err := checkRaw(buf.String()); err != nil {
							t.Errorf("%q: output %q is not one command: %v", v, buf.String(), err)
						}
						continue
					}
					args, err := scanCommand(buf.Bytes())
					if err != nil {
						t.Errorf("%q: output %q is not one command: %v", v, buf.String(), err)
						continue
					}
					want, ok := m.decoded(w, v)
					if !ok {
						continue
					}
					if diff := cmp.Diff([]string{"A1", "CMD", want, want}, args); diff != "" {
						t.Errorf("%q: arguments mismatch (-want +got):\n%s", v, diff)
					}
				}
			})
		}
	}
}

// checkRaw checks that out, written with Raw, holds one CRLF, at its end,
// no other CR, LF or NUL, and no "{" that could start a literal.
func checkRaw(out string) error {
	body, ok := strings.CutSuffix(out, "\r\n")
	if !ok {
		return errors.New("no CRLF at end")
	}
	if i := strings.IndexAny(body, "\r\n\x00{"); i >= 0 {
		return fmt.Errorf("offset %d: %q", i, body[i])
	}
	return nil
}

// TestWriterNoAllocs checks that a typical command allocates nothing in
// steady state.
func TestWriterNoAllocs(t *testing.T) {
	w := NewWriter(io.Discard)
	set := SeqSet{{1, 100}, {200, 0}}
	allocs := testing.AllocsPerRun(100, func() {
		writeCommand(w, set)
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("a command allocates %v times, want 0", allocs)
	}
}

// writeCommand writes a command that uses each non-literal method.
func writeCommand(w *Writer, set SeqSet) {
	w.Atom("A0001")
	w.SP()
	w.Raw("UID STORE")
	w.SP()
	w.SeqSet(set)
	w.SP()
	w.Raw("+FLAGS")
	w.SP()
	w.OpenList()
	w.Atom("$Label1")
	w.SP()
	w.AString("Work")
	w.SP()
	w.Quoted(`say "hi"`)
	w.SP()
	w.String("some text")
	w.SP()
	w.Mailbox("Archive/2024")
	w.SP()
	w.Number(4294967295)
	w.SP()
	w.Number64(1 << 62)
	w.CloseList()
	w.CRLF()
}

func BenchmarkWriterCommand(b *testing.B) {
	w := NewWriter(io.Discard)
	set := SeqSet{{1, 100}, {200, 0}}
	b.ReportAllocs()
	for b.Loop() {
		writeCommand(w, set)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkWriterQuoted(b *testing.B) {
	w := NewWriter(io.Discard)
	s := strings.Repeat(`a "quoted" \ string `, 20)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Quoted(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriterAtom(b *testing.B) {
	w := NewWriter(io.Discard)
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Atom("BODY.PEEK[HEADER.FIELDS"); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleWriter() {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.Atom("A1")
	w.SP()
	w.Raw("LOGIN")
	w.SP()
	w.AString("joe")
	w.SP()
	w.AString(`my "secret" pass`)
	w.CRLF()
	if err := w.Flush(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%q\n", buf.String())
	// Output:
	// "A1 LOGIN joe \"my \\\"secret\\\" pass\"\r\n"
}

func ExampleWriter_literal() {
	var conn bytes.Buffer // what the server receives
	w := NewWriter(&conn)
	w.LiteralMode = LiteralSync
	// A dispatcher would wait here for the server's "+" continuation
	// request, or return the error of a tagged NO or BAD.
	w.ContinueFunc = func() error {
		fmt.Printf("%q\n", conn.String())
		conn.Reset()
		return nil
	}
	w.Raw("A2 APPEND")
	w.SP()
	w.Mailbox("Entwürfe")
	w.SP()
	w.String("8-bit needs a literal: ü")
	w.CRLF()
	if err := w.Flush(); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("%q\n", conn.String())
	// Output:
	// "A2 APPEND Entw&APw-rfe {25}\r\n"
	// "8-bit needs a literal: ü\r\n"
}

func ExampleWriter_Mailbox() {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, name := range []string{"inbox", "台北", "Tom & Jerry"} {
		w.Mailbox(name)
		w.SP()
	}
	w.UTF8Accept = true
	w.Mailbox("台北")
	w.Flush()
	fmt.Println(buf.String())
	// Output:
	// INBOX &U,BTFw- "Tom &- Jerry" "台北"
}
