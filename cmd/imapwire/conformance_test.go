package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseConformance: imapwire parse gives every case of
// testdata/conformance the verdict of its header, with and without
// -strict: exit status 0 for "ok", 1 for "error" (the parser's own test,
// parser.TestConformance, checks the same table through the API).
func TestParseConformance(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "testdata", "conformance", "*", "*.imap"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		head, in, ok := bytes.Cut(b, []byte("\n\n"))
		if !ok {
			t.Fatalf("%s: no header", p)
		}
		want := map[string]string{}
		for _, line := range strings.Split(string(head), "\n") {
			if k, v, ok := strings.Cut(strings.TrimPrefix(line, "# "), ": "); ok {
				want[k] = v
			}
		}
		for _, mode := range []string{"lenient", "strict"} {
			args := []string{"-q", "-"}
			if mode == "strict" {
				args = append([]string{"-strict"}, args...)
			}
			code := runParse(args, bytes.NewReader(in), io.Discard, io.Discard)
			got := map[int]string{0: "ok", 1: "error"}[code]
			if got != want[mode] {
				t.Errorf("%s: imapwire parse %s: exit %d (%s), want %s", p, strings.Join(args, " "), code, got, want[mode])
			}
		}
	}
}

// TestParseJSONLeniencies: a deviation accepted leniently is named in the
// "leniencies" field of its -json object; a conforming response has none.
func TestParseJSONLeniencies(t *testing.T) {
	in := "* 1 FETCH (INTERNALDATE NIL MODSEQ 5)\r\n* OK [ALERT\r\n* 1 EXISTS\r\n"
	var out bytes.Buffer
	if code := runParse([]string{"-json", "-"}, strings.NewReader(in), &out, io.Discard); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{`"leniencies":["internaldate-nil","modseq-bare"]`, `"leniencies":["unclosed-code"]`, ""}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines:\n%s", len(lines), out.String())
	}
	for i, l := range lines {
		if want[i] == "" && strings.Contains(l, "leniencies") || want[i] != "" && !strings.Contains(l, want[i]) {
			t.Errorf("line %d: %s\nwant %q", i, l, want[i])
		}
	}
	if !strings.Contains(lines[0], `{"name":"INTERNALDATE","value":null}`) {
		t.Errorf("INTERNALDATE NIL: %s", lines[0])
	}
}
