package fuzz_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// fuzzLimits are small so that the fuzzer reaches every limit quickly.
var fuzzLimits = wire.Limits{MaxLiteral: 1 << 10, MaxAtom: 64, MaxQuoted: 256, MaxDepth: 8, MaxListElems: 32, MaxNumList: 64}

// seedResponses adds every line of the quirk and RFC corpora, plus a few
// hand-picked responses, to f.
func seedResponses(f *testing.F) {
	for _, s := range []string{
		"* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n",
		"* 12 FETCH (UID 5 BODY[TEXT] {5}\r\nhello FLAGS (\\Seen))\r\n",
		"* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 10 1)(\"text\" \"html\" NIL NIL NIL \"7bit\" 20 2) \"alternative\"))\r\n",
		"* LIST (\\HasNoChildren) \"/\" \"&U,BTFw-\"\r\n",
		"* ESEARCH (TAG \"a\") UID MIN 1 ALL 1:3,5\r\n",
		"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n",
		"a1 OK [COPYUID 1 2:3 4:5] done\r\n",
		"+ \r\n",
	} {
		f.Add([]byte(s))
	}
	for _, dir := range []string{"../testdata/quirks", "../testdata/rfc3501", "../testdata/captures"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil || len(b) > 64<<10 {
				continue
			}
			f.Add(b)
		}
	}
	// The conformance corpus: each case's bytes after its header.
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "conformance", "*", "*.imap"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if _, in, ok := bytes.Cut(b, []byte("\n\n")); err == nil && ok {
			f.Add(in)
		}
	}
}

// readAll parses data with ReadResponse until EOF and returns a record of
// every response and error, checking progress and limits on the way.
func readAll(t *testing.T, rd io.Reader, n int) []string {
	r := parser.NewReader(rd, &parser.Options{Limits: fuzzLimits})
	var out []string
	last := int64(-1)
	for i := 0; ; i++ {
		if i > n+2 {
			t.Fatalf("no progress: %d calls for %d bytes", i, n)
		}
		resp, err := r.ReadResponse()
		if err == io.EOF {
			return out
		}
		if err != nil {
			var se *wire.SyntaxError
			if !errors.As(err, &se) {
				if err == io.ErrUnexpectedEOF {
					return append(out, "unexpected EOF")
				}
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			// Found depends on what happened to be buffered, by design
			// (the reader never blocks to show context): leave it out.
			out = append(out, fmt.Sprintf("error at %d in %s: expected %s (%v)", se.Offset, se.Production, se.Expected, se.Err))
			continue
		}
		off := r.ResponseOffset()
		if off <= last {
			t.Fatalf("response offset %d did not advance past %d", off, last)
		}
		last = off
		checkBounded(t, reflect.ValueOf(resp))
		b, err := json.Marshal(resp)
		if err != nil {
			t.Fatalf("marshal %T: %v", resp, err)
		}
		out = append(out, string(b))
	}
}

// checkBounded walks v and fails if a string or slice exceeds the limits.
func checkBounded(t *testing.T, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			checkBounded(t, v.Elem())
		}
	case reflect.String:
		if int64(v.Len()) > fuzzLimits.MaxLiteral+int64(fuzzLimits.MaxQuoted) {
			t.Fatalf("string of %d bytes beyond limits", v.Len())
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if int64(v.Len()) > fuzzLimits.MaxLiteral {
				t.Fatalf("[]byte of %d bytes beyond MaxLiteral", v.Len())
			}
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint32 && v.Len() > fuzzLimits.MaxNumList {
			t.Fatalf("%d numbers beyond MaxNumList", v.Len())
		}
		if v.Type() == reflect.TypeFor[wire.SeqSet]() && 2*v.Len() > fuzzLimits.MaxNumList {
			t.Fatalf("sequence set of %d ranges beyond MaxNumList", v.Len())
		}
		if v.Type().Elem().Kind() != reflect.Uint32 && v.Len() > fuzzLimits.MaxListElems {
			t.Fatalf("%s of %d elements beyond MaxListElems", v.Type(), v.Len())
		}
		for i := 0; i < v.Len(); i++ {
			checkBounded(t, v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			checkBounded(t, v.MapIndex(k))
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				checkBounded(t, v.Field(i))
			}
		}
	}
}

// FuzzResponse: parsing any input never panics, never keeps a value beyond
// the limits and always makes progress.
func FuzzResponse(f *testing.F) {
	seedResponses(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		readAll(t, bytes.NewReader(data), len(data))
		// Strict mode must hold the same guarantees.
		r := parser.NewReader(bytes.NewReader(data), &parser.Options{Strict: true, Limits: fuzzLimits})
		for i := 0; i < len(data)+2; i++ {
			if _, err := r.ReadResponse(); err == io.EOF || err == io.ErrUnexpectedEOF {
				return
			}
		}
		if _, err := r.ReadResponse(); err != io.EOF && err != io.ErrUnexpectedEOF {
			t.Fatalf("strict: no progress")
		}
	})
}

// chunkReader returns data in chunks whose sizes come from sizes.
type chunkReader struct {
	data  []byte
	sizes []byte
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := 1
	if len(c.sizes) > 0 {
		n = int(c.sizes[0])%17 + 1
		c.sizes = c.sizes[1:]
	}
	n = min(n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// FuzzResponseSplitReads: the same stream read in random chunk sizes gives
// the same responses and errors.
func FuzzResponseSplitReads(f *testing.F) {
	seedResponses(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		sizes := data
		if i := bytes.IndexByte(data, 0xff); i >= 0 {
			sizes = data[:i]
		}
		want := readAll(t, bytes.NewReader(data), len(data))
		got := readAll(t, &chunkReader{data: data, sizes: sizes}, len(data))
		if strings.Join(want, "\n") != strings.Join(got, "\n") {
			t.Fatalf("split reads differ:\nwhole: %q\nsplit: %q", want, got)
		}
		// Through a bufio.Reader of the minimum size too.
		got = readAll(t, bufio.NewReaderSize(&chunkReader{data: data}, 16), len(data))
		if strings.Join(want, "\n") != strings.Join(got, "\n") {
			t.Fatalf("one-byte reads differ:\nwhole: %q\nsplit: %q", want, got)
		}
	})
}
