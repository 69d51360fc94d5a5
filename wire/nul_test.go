package wire

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestLiteralNUL: RFC 3501 literal is CHAR8, which excludes %x00; RFC 3516
// literal8 allows it. Strict mode refuses a NUL in a literal however it is
// read, at the NUL's offset; lenient mode and literal8 keep it (issue 18
// section 3: strict mode accepted it).
func TestLiteralNUL(t *testing.T) {
	const in = "{5}\r\nab\x00cd"
	const nulOff = 7
	reads := map[string]func(r *Reader) ([]byte, error){
		"LiteralBytes": func(r *Reader) ([]byte, error) { return r.LiteralBytes("x") },
		"ReadAll": func(r *Reader) ([]byte, error) {
			return io.ReadAll(struct{ io.Reader }{r.LiteralReader()})
		},
		"WriteTo": func(r *Reader) ([]byte, error) {
			var b bytes.Buffer
			_, err := io.Copy(&b, r.LiteralReader())
			return b.Bytes(), err
		},
		"OneByte": func(r *Reader) ([]byte, error) {
			return io.ReadAll(iotest.OneByteReader(r.LiteralReader()))
		},
	}
	for name, read := range reads {
		for _, tc := range []struct {
			in     string
			strict bool
			ok     bool
		}{
			{in, false, true},
			{in, true, false},
			{"~" + in, true, true},
			{"{3}\r\nabc", true, true},
		} {
			r := NewReader(strings.NewReader(tc.in))
			r.SetStrict(tc.strict)
			if _, err := r.ReadLiteralHeader("x"); err != nil {
				t.Fatal(err)
			}
			b, err := read(r)
			if tc.ok {
				if err != nil || len(b) != len(tc.in)-strings.Index(tc.in, "\n")-1 {
					t.Errorf("%s %q strict=%v: %q, %v; want it all", name, tc.in, tc.strict, b, err)
				}
				continue
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("%s %q strict: %q, %v; want a *SyntaxError", name, tc.in, b, err)
				continue
			}
			if se.Offset != nulOff || se.Production != "literal" {
				t.Errorf("%s: error at %d in %s, want %d in literal", name, se.Offset, se.Production, nulOff)
			}
		}
	}
}

// TestLiteralNULFoundStable: the NUL error says the same whatever the reads
// (FuzzSplitReads found it quoting the bytes after the NUL when they were
// buffered and fewer when the literal was read straight from the source;
// crasher nul-in-literal-found-depends-on-buffering).
func TestLiteralNULFoundStable(t *testing.T) {
	const in = "{1}\r\n\x000"
	var want string
	for _, wrap := range []func(io.Reader) io.Reader{
		func(r io.Reader) io.Reader { return r },
		iotest.OneByteReader,
		iotest.HalfReader,
		iotest.DataErrReader,
	} {
		r := NewReader(wrap(strings.NewReader(in)))
		r.SetStrict(true)
		if _, err := r.ReadLiteralHeader("p"); err != nil {
			t.Fatal(err)
		}
		_, err := io.ReadAll(r.LiteralReader())
		var se *SyntaxError
		if !errors.As(err, &se) || se.Offset != 5 || se.Found != `"\x00"` {
			t.Fatalf("error %v, want a *SyntaxError at offset 5 finding \"\\x00\"", err)
		}
		if want == "" {
			want = err.Error()
		} else if err.Error() != want {
			t.Errorf("error %q, want %q", err, want)
		}
	}
}
