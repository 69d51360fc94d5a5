package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCaptures parses every real capture and transcript in testdata with
// imapwire parse, lenient and strict: real servers' sessions must parse
// without a single error (Dovecot follows the grammar, so strict too).
func TestCaptures(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/captures/*.txt")
	if len(files) == 0 {
		t.Skip("no captures in testdata/captures")
	}
	for _, name := range files {
		for _, mode := range [][]string{{"-json"}, {"-json", "-strict"}} {
			t.Run(filepath.Base(name)+strings.Join(mode, ""), func(t *testing.T) {
				b, err := os.ReadFile(name)
				if err != nil {
					t.Fatal(err)
				}
				code, out, stderr := runCmd(t, string(b), append([]string{"parse"}, mode...)...)
				if code != 0 {
					var errs []string
					for _, line := range strings.Split(out, "\n") {
						if strings.Contains(line, `"kind":"error"`) {
							errs = append(errs, line)
						}
					}
					t.Fatalf("exit status %d; stderr %q; errors:\n%s", code, stderr, strings.Join(errs, "\n"))
				}
				if !strings.Contains(out, `"kind":"status"`) {
					t.Errorf("no status response parsed from %s", name)
				}
			})
		}
	}
}
