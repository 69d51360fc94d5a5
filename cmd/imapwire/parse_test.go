package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestParseExitStatus(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  int
	}{
		{"clean", []string{"parse"}, "* OK ready\r\n* 3 EXISTS\r\n", 0},
		{"malformed", []string{"parse"}, "* OK ready\r\n* 99999999999 EXISTS\r\n* 3 EXISTS\r\n", 1},
		{"truncated", []string{"parse"}, "* LIST (\\Seen", 1},
		{"no command", nil, "", 2},
		{"unknown command", []string{"frobnicate"}, "", 2},
		{"bad flag", []string{"parse", "-nope"}, "", 2},
		{"two files", []string{"parse", "a", "b"}, "", 2},
		{"missing file", []string{"parse", "/nonexistent/capture"}, "", 2},
		{"json and q", []string{"parse", "-json", "-q"}, "", 2},
		{"strict refuses quirk", []string{"parse", "-strict"}, "* BYE\r\n", 1},
		{"lenient takes quirk", []string{"parse"}, "* BYE\r\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _, stderr := runCmd(t, tt.stdin, tt.args...); got != tt.want {
				t.Errorf("exit status %d, want %d (stderr %q)", got, tt.want, stderr)
			}
		})
	}
}

func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q is not JSON: %v", line, err)
		}
		objs = append(objs, m)
	}
	return objs
}

func TestParseJSON(t *testing.T) {
	in := "* OK [UIDNEXT 4392] Predicted\r\n" +
		"* LIST (\\HasNoChildren) \"/\" \"&U,BTFw-\"\r\n" +
		"* 12 FETCH (UID 7 BODY[TEXT] {11}\r\nhello world)\r\n" +
		"* 1 EXISTS junk\r\n" +
		"+ go ahead\r\n" +
		"a1 OK done\r\n"
	code, out, _ := runCmd(t, in, "parse", "-json")
	if code != 1 {
		t.Errorf("exit status %d, want 1 (one malformed response)", code)
	}
	objs := jsonLines(t, out)
	want := []map[string]any{
		{"kind": "status", "tag": "", "type": "OK", "text": "Predicted",
			"code": map[string]any{"name": "UIDNEXT", "args": "4392", "number": 4392.0}},
		{"kind": "data", "tag": "", "type": "LIST", "command": "LIST", "attrs": []any{`\HasNoChildren`},
			"delim": "/", "name": "台北", "raw": "&U,BTFw-"},
		{"kind": "data", "tag": "", "type": "FETCH", "seq": 12.0, "items": []any{
			map[string]any{"name": "UID", "value": 7.0},
			map[string]any{"name": "BODY[TEXT]", "value": map[string]any{
				"name": "BODY[TEXT]", "size": 11.0, "preview": "hello world",
				"sha256": "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"}},
		}},
		{"kind": "error", "offset": 131.0, "line": 5.0, "column": 12.0, "production": "mailbox-data",
			"message": `imap: syntax error at offset 131 in mailbox-data: expected CRLF, found "junk\r\n"`},
		{"kind": "continue", "tag": "", "type": "+", "text": "go ahead"},
		{"kind": "status", "tag": "a1", "type": "OK", "code": nil, "text": "done"},
	}
	if diff := cmp.Diff(want, objs); diff != "" {
		t.Errorf("JSON lines (-want +got):\n%s", diff)
	}
}

func TestParseTranscript(t *testing.T) {
	in := "S: * OK ready\r\n" +
		"C: a1 LOGIN alice ***\r\n" +
		"S: a1 OK done\r\n" +
		"C: a2 APPEND INBOX {12}\r\n" +
		"S: + go\r\n" +
		"C: Hello\r\n" +
		"world!\r\n" +
		"S: a2 OK [APPENDUID 1 5] done\r\n" +
		"C: a3 FETCH 1 BODY[]\r\n" +
		"S: * 1 FETCH (BODY[] {10}\r\n" +
		"S: x\r\ny\r\nz)\r\n" +
		"S: a3 OK done\r\n"
	code, out, stderr := runCmd(t, in, "parse", "-json")
	if code != 0 {
		t.Fatalf("exit status %d; stdout:\n%s\nstderr: %s", code, out, stderr)
	}
	var types []string
	for _, o := range jsonLines(t, out) {
		types = append(types, o["type"].(string))
	}
	want := []string{"OK", "OK", "+", "OK", "FETCH", "OK"}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Errorf("response types (-want +got):\n%s", diff)
	}
	if !strings.Contains(out, `"preview":"S: x\r\ny\r\nz"`) {
		t.Errorf("the literal body should be the 10 bytes after its header, prefix included; got\n%s", out)
	}
}

func TestParseTreeShowsCaret(t *testing.T) {
	code, out, _ := runCmd(t, "* OK fine\r\n* 5 EXISTS extra\r\n", "parse")
	if code != 1 {
		t.Fatalf("exit status %d, want 1", code)
	}
	want := "#2 error at offset 22 (line 2, column 12): imap: syntax error at offset 22 in mailbox-data: expected CRLF, found \"extra\\r\\n\"\n" +
		"  * 5 EXISTS extra\\r\\n\n" +
		"             ^\n"
	if !strings.Contains(out, want) {
		t.Errorf("output lacks the caret display %q; got\n%s", want, out)
	}
}

func TestParseQuiet(t *testing.T) {
	code, out, _ := runCmd(t, "* OK a\r\n* 1 FETCH (BODY[] {3}\r\nabc)\r\nbad\r\n", "parse", "-q")
	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	if !strings.HasPrefix(out, "2 responses, 1 errors, 42 bytes, ") || !strings.HasSuffix(out, " MB/s\n") {
		t.Errorf("summary %q", out)
	}
}
