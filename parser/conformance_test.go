package parser

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// A conformanceCase is one file of testdata/conformance/CLASS/: a header
// of "# key: value" lines (kind, source, lenient, strict), a blank line,
// and the server's bytes, line ends included.
type conformanceCase struct {
	path, class     string
	kind, source    string
	lenient, strict string // "ok" or "error"
	in              []byte
}

// conformanceDir holds the corpus; the classes are its subdirectories.
var conformanceDir = filepath.Join("..", "testdata", "conformance")

// LoadConformance reads every case of the corpus under dir. It is shared
// with cmd/imapwire's test by copy, not import: test files cannot be.
func loadConformance(t testing.TB, dir string) []conformanceCase {
	paths, err := filepath.Glob(filepath.Join(dir, "*", "*.imap"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no cases under %s", dir)
	}
	var cases []conformanceCase
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		head, in, ok := bytes.Cut(b, []byte("\n\n"))
		if !ok {
			t.Fatalf("%s: no blank line after the header", p)
		}
		c := conformanceCase{path: p, class: filepath.Base(filepath.Dir(p)), in: in}
		for _, line := range strings.Split(string(head), "\n") {
			k, v, ok := strings.Cut(strings.TrimPrefix(line, "# "), ": ")
			if !ok || !strings.HasPrefix(line, "# ") {
				t.Fatalf("%s: bad header line %q", p, line)
			}
			switch k {
			case "kind":
				c.kind = v
			case "source":
				c.source = v
			case "lenient":
				c.lenient = v
			case "strict":
				c.strict = v
			default:
				t.Fatalf("%s: unknown header %q", p, k)
			}
		}
		if c.kind == "" || c.source == "" || !verdict(c.lenient) || !verdict(c.strict) {
			t.Fatalf("%s: incomplete header %+v", p, c)
		}
		// The classes, as the table's columns: valid in both modes,
		// invalid refused strictly, a deviation accepted leniently and
		// refused strictly.
		switch c.class {
		case "valid":
			if c.lenient != "ok" || c.strict != "ok" {
				t.Errorf("%s: a valid case must be ok in both modes", p)
			}
		case "invalid":
			if c.strict != "error" {
				t.Errorf("%s: an invalid case must be refused strictly", p)
			}
		case "deviation":
			if c.lenient != "ok" || c.strict != "error" {
				t.Errorf("%s: a deviation must be ok leniently and refused strictly", p)
			}
		default:
			t.Fatalf("%s: unknown class %q", p, c.class)
		}
		cases = append(cases, c)
	}
	return cases
}

func verdict(s string) bool { return s == "ok" || s == "error" }

// conformanceVerdict parses in and returns "ok" when every response
// parsed (at least one), else "error", with the first response's type.
func conformanceVerdict(in []byte, strict bool) (verdict, first string) {
	resps := parseQuirk(string(in), strict)
	if len(resps) == 0 {
		return "error", ""
	}
	for _, r := range resps {
		if r == (errSyntax{}) {
			return "error", ""
		}
		if u, ok := r.(*Unknown); ok && u.Name == "ERROR" {
			return "error", ""
		}
	}
	return "ok", resps[0].ResponseType()
}

// TestConformance runs every case of testdata/conformance in both modes
// and fails on any verdict that differs from the case's header, or on a
// response of another kind than the header names.
func TestConformance(t *testing.T) {
	cases := loadConformance(t, conformanceDir)
	counts := map[string]int{}
	for _, c := range cases {
		counts[c.class]++
		name := c.class + "/" + strings.TrimSuffix(filepath.Base(c.path), ".imap")
		t.Run(name, func(t *testing.T) {
			if c.class == "valid" {
				// A response in the grammar needs no leniency.
				r := NewReader(bytes.NewReader(c.in), nil)
				for {
					if _, err := r.ReadResponse(); err != nil {
						break
					}
					if l := r.Leniencies(); l != nil {
						t.Errorf("leniencies %v applied to a valid response", l)
					}
				}
			}
			for _, strict := range []bool{false, true} {
				want := c.lenient
				if strict {
					want = c.strict
				}
				got, first := conformanceVerdict(c.in, strict)
				if got != want {
					t.Errorf("strict=%v: %s, want %s (%s)\n%q", strict, got, want, c.source, c.in)
				}
				if got == "ok" && first != c.kind && c.class != "invalid" {
					// An invalid case accepted leniently may be read as
					// another kind (an unknown response kept raw).
					t.Errorf("strict=%v: a %s response, want %s", strict, first, c.kind)
				}
			}
		})
	}
	if len(cases) < 300 {
		t.Errorf("%d cases, want at least 300", len(cases))
	}
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%s: %d", k, counts[k])
	}
}
