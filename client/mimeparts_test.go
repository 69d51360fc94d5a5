package client

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"github.com/imapwire/imapwire/parser"
)

// The captures of a real Dovecot (see testdata/captures/README.md).
const (
	seedCaptureFile  = "../testdata/captures/dovecot-seed.txt"
	fetchCaptureFile = "../testdata/captures/dovecot-fetch.txt"
)

var literalAtEnd = regexp.MustCompile(`(~?)\{(\d+)(\+?)\}\r\n$`)

// A record is one S: or C: record of a capture.
type record struct {
	side byte // 'S' or 'C'
	data []byte
}

// readTranscript splits a capture into records, literal-aware; it is
// read_transcript of scripts/capture.py in Go.
func readTranscript(t testing.TB, data []byte) []record {
	t.Helper()
	var recs []record
	pos, pendingSync := 0, 0
	for pos < len(data) {
		if pos+3 > len(data) || (string(data[pos:pos+3]) != "S: " && string(data[pos:pos+3]) != "C: ") {
			t.Fatalf("offset %d: expected 'S: ' or 'C: '", pos)
		}
		side := data[pos]
		pos += 3
		start := pos
		if side == 'C' && pendingSync > 0 {
			pos += pendingSync
			pendingSync = 0
		}
		for {
			end := bytes.Index(data[pos:], []byte("\r\n"))
			if end < 0 {
				t.Fatalf("offset %d: unterminated line", pos)
			}
			lineEnd := pos + end + 2
			m := literalAtEnd.FindSubmatch(data[pos:lineEnd])
			if m == nil {
				pos = lineEnd
				break
			}
			n, _ := strconv.Atoi(string(m[2]))
			if side == 'C' && len(m[3]) == 0 {
				pendingSync = n
				pos = lineEnd
				break
			}
			pos = lineEnd + n
		}
		recs = append(recs, record{side, data[start:pos]})
	}
	return recs
}

func readCapture(t testing.TB, name string) []record {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Skipf("capture: %v", err)
	}
	return readTranscript(t, data)
}

// seedMessages returns the messages APPENDed to INBOX by the seed capture:
// message i is sequence number i+1.
func seedMessages(t testing.TB) [][]byte {
	t.Helper()
	appendRE := regexp.MustCompile(`^a\d+ APPEND "INBOX" [^\r\n]*\{(\d+)\+\}\r\n`)
	var msgs [][]byte
	for _, r := range readCapture(t, seedCaptureFile) {
		if r.side != 'C' {
			continue
		}
		if m := appendRE.FindSubmatchIndex(r.data); m != nil {
			n, _ := strconv.Atoi(string(r.data[m[2]:m[3]]))
			msgs = append(msgs, r.data[m[1]:m[1]+n])
		}
	}
	if len(msgs) != 9 {
		t.Fatalf("%d INBOX messages in %s, want 9", len(msgs), seedCaptureFile)
	}
	return msgs
}

// fetchCapture returns the FETCH responses of the fetch capture, in order.
func fetchCapture(t testing.TB) []*parser.Message {
	t.Helper()
	var stream []byte
	for _, r := range readCapture(t, fetchCaptureFile) {
		if r.side == 'S' {
			stream = append(stream, r.data...)
		}
	}
	pr := parser.NewReader(bytes.NewReader(stream), nil)
	var msgs []*parser.Message
	for {
		resp, err := pr.ReadResponse()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("parsing %s: %v", fetchCaptureFile, err)
		}
		if m, ok := resp.(*parser.Message); ok {
			msgs = append(msgs, m)
		}
	}
	return msgs
}

// fetched returns the first FETCH response for message seq that has the
// item called name.
func fetched(t testing.TB, msgs []*parser.Message, seq uint32, name string) *parser.Message {
	t.Helper()
	for _, m := range msgs {
		if m.SeqNum != seq {
			continue
		}
		for _, it := range m.Items {
			if it == name {
				return m
			}
		}
	}
	t.Fatalf("no FETCH of message %d with %s in the capture", seq, name)
	return nil
}

// TestPartsAgreeWithDovecot: for every message of the captured mailbox,
// Parts over the message as APPENDed gives exactly what
// PartsFromStructure gives over Dovecot's BODYSTRUCTURE of it.
func TestPartsAgreeWithDovecot(t *testing.T) {
	raw := seedMessages(t)
	fetches := fetchCapture(t)
	for i, msg := range raw {
		seq := uint32(i + 1)
		t.Run(fmt.Sprint(seq), func(t *testing.T) {
			bs := fetched(t, fetches, seq, "BODYSTRUCTURE").BodyStructure
			fromStructure := PartsFromStructure(bs)
			fromRaw, err := Parts(bytes.NewReader(msg))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(fromStructure, fromRaw); diff != "" {
				t.Errorf("Parts (+) disagrees with PartsFromStructure (-):\n%s", diff)
			}
			// And a byte-at-a-time reader changes nothing.
			oneByte, err := Parts(iotest.OneByteReader(bytes.NewReader(msg)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(fromRaw, oneByte); diff != "" {
				t.Errorf("one byte at a time (-want +got):\n%s", diff)
			}
		})
	}
}

func readEML(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEMLFromCapture: the .eml files are the captured messages, byte for
// byte.
func TestEMLFromCapture(t *testing.T) {
	raw := seedMessages(t)
	for seq, name := range map[int]string{
		3: "dovecot-3-alternative.eml", 4: "dovecot-4-attachment.eml",
		5: "dovecot-5-forward.eml", 6: "dovecot-6-encoded.eml", 7: "dovecot-7-gbk.eml",
	} {
		if !bytes.Equal(readEML(t, name), raw[seq-1]) {
			t.Errorf("testdata/%s is not message %d of %s", name, seq, seedCaptureFile)
		}
	}
}

func TestParts(t *testing.T) {
	us := map[string]string{"charset": "us-ascii"}
	tests := []struct {
		file string
		want []Part
	}{
		{"dovecot-3-alternative.eml", []Part{
			{Path: "TEXT", ContentType: "multipart/alternative", Params: map[string]string{"boundary": "alt-boundary-42"}},
			{Path: "1", ContentType: "text/plain", Params: map[string]string{"charset": "utf-8"}, Charset: "utf-8", Encoding: "quoted-printable", Size: 114},
			{Path: "2", ContentType: "text/html", Params: map[string]string{"charset": "utf-8"}, Charset: "utf-8", Encoding: "quoted-printable", Size: 120},
		}},
		{"dovecot-4-attachment.eml", []Part{
			{Path: "TEXT", ContentType: "multipart/mixed", Params: map[string]string{"boundary": "mixed-7f3a"}},
			{Path: "1", ContentType: "text/plain", Params: us, Charset: "us-ascii", Encoding: "7bit", Size: 33},
			{Path: "2", ContentType: "image/png", Params: map[string]string{"name": "chart.png"}, Disposition: "attachment",
				Filename: "chart.png", Encoding: "base64", ID: "<chart@example.org>", Description: "Q1 chart", Size: 100},
			{Path: "3", ContentType: "application/octet-stream", Params: map[string]string{"name": "data.bin"}, Disposition: "attachment",
				Filename: "data.bin", Encoding: "base64", Size: 352},
		}},
		{"dovecot-5-forward.eml", []Part{
			{Path: "TEXT", ContentType: "multipart/mixed", Params: map[string]string{"boundary": "fwd-boundary"}},
			{Path: "1", ContentType: "text/plain", Params: us, Charset: "us-ascii", Encoding: "7bit", Size: 30},
			{Path: "2", ContentType: "message/rfc822", Disposition: "inline", Encoding: "7bit", Size: 316},
			{Path: "2.1", ContentType: "text/plain", Params: us, Charset: "us-ascii", Encoding: "7bit", Size: 74},
		}},
		{"dovecot-7-gbk.eml", []Part{
			{Path: "1", ContentType: "text/plain", Params: map[string]string{"charset": "GBK"}, Charset: "GBK", Encoding: "8bit", Size: 36},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Parts(bytes.NewReader(readEML(t, tt.file)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// crlf turns the LF line ends of a test message into CRLF.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// TestPartsQuirks: hand-made messages with what real mail does.
func TestPartsQuirks(t *testing.T) {
	gbkName := bword("GBK", encode(t, simplifiedchinese.GBK, "报告.pdf"))
	tests := []struct {
		name    string
		msg     string
		want    []Part
		wantErr string
	}{
		{
			name: "no mime headers",
			msg:  "From: a@b\n\nhi\n",
			want: []Part{{Path: "1", ContentType: "text/plain", Params: map[string]string{"charset": "us-ascii"}, Charset: "us-ascii", Encoding: "7bit", Size: 3}},
		},
		{
			name: "invalid content type is text/plain",
			msg:  "Content-Type: text; charset=utf-8\n\nhi",
			want: []Part{{Path: "1", ContentType: "text/plain", Params: map[string]string{"charset": "us-ascii"}, Charset: "us-ascii", Encoding: "7bit", Size: 2}},
		},
		{
			name: "comments, case and spaces",
			msg:  "Content-Type: Text/HTML ; CharSet = \"UTF-8\" (comment);\n\tformat=flowed (more)\nContent-Transfer-Encoding: Base64 (why not)\n\nPGI+\n",
			want: []Part{{Path: "1", ContentType: "text/html", Params: map[string]string{"charset": "UTF-8", "format": "flowed"}, Charset: "UTF-8", Encoding: "base64", Size: 5}},
		},
		{
			name: "rfc 2231 filenames",
			msg: crlf("Content-Type: multipart/mixed; boundary=b\n\n" +
				"--b\nContent-Type: application/pdf; name*=UTF-8''%E4%B8%AD%E6%96%87.pdf\n\nx\n" +
				"--b\nContent-Type: application/pdf\nContent-Disposition: attachment;\n filename*0*=GBK''%B1%A8; filename*1*=%B8%E6;\n filename*2=\".pdf\"\n\nx\n" +
				"--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*=utf-8'en'na%20me.pdf; filename=\"fallback.pdf\"\n\nx\n" +
				"--b\nContent-Type: application/pdf; name=\"" + gbkName + "\"\nContent-Disposition: attachment; filename=\"" + gbkName + "\"\n\nx\n" +
				"--b\nContent-Type: application/pdf\nContent-Disposition: inline; filename=plain name.pdf\n\nx\n" +
				"--b--\n"),
			want: []Part{
				{Path: "TEXT", ContentType: "multipart/mixed", Params: map[string]string{"boundary": "b"}},
				{Path: "1", ContentType: "application/pdf", Params: map[string]string{"name": "中文.pdf"}, Filename: "中文.pdf", Encoding: "7bit", Size: 1},
				{Path: "2", ContentType: "application/pdf", Disposition: "attachment", Filename: "报告.pdf", Encoding: "7bit", Size: 1},
				{Path: "3", ContentType: "application/pdf", Disposition: "attachment", Filename: "na me.pdf", Encoding: "7bit", Size: 1},
				{Path: "4", ContentType: "application/pdf", Params: map[string]string{"name": gbkName}, Disposition: "attachment", Filename: "报告.pdf", Encoding: "7bit", Size: 1},
				{Path: "5", ContentType: "application/pdf", Disposition: "inline", Filename: "plain name.pdf", Encoding: "7bit", Size: 1},
			},
		},
		{
			name: "forwarded multipart: the inner multipart is 2.TEXT",
			msg: crlf("Content-Type: multipart/mixed; boundary=outer\n\n" +
				"--outer\n\nsee below\n" +
				"--outer\nContent-Type: message/rfc822\n\n" +
				"Subject: inner\nContent-Type: multipart/alternative; boundary=inner\n\n" +
				"--inner\nContent-Type: text/plain; charset=utf-8\n\nplain\n" +
				"--inner\nContent-Type: text/html; charset=utf-8\n\n<p>html</p>\n" +
				"--inner--\n" +
				"--outer--\n"),
			want: []Part{
				{Path: "TEXT", ContentType: "multipart/mixed", Params: map[string]string{"boundary": "outer"}},
				{Path: "1", ContentType: "text/plain", Params: map[string]string{"charset": "us-ascii"}, Charset: "us-ascii", Encoding: "7bit", Size: 9},
				{Path: "2", ContentType: "message/rfc822", Encoding: "7bit", Size: 203},
				{Path: "2.TEXT", ContentType: "multipart/alternative", Params: map[string]string{"boundary": "inner"}},
				{Path: "2.1", ContentType: "text/plain", Params: map[string]string{"charset": "utf-8"}, Charset: "utf-8", Encoding: "7bit", Size: 5},
				{Path: "2.2", ContentType: "text/html", Params: map[string]string{"charset": "utf-8"}, Charset: "utf-8", Encoding: "7bit", Size: 11},
			},
		},
		{
			name: "nested multipart numbering (RFC 3501 6.4.5)",
			msg: crlf("Content-Type: multipart/mixed; boundary=a\n\n" +
				"--a\n\n1\n" +
				"--a\nContent-Type: multipart/mixed; boundary=b\n\n" +
				"--b\nContent-Type: image/gif\n\nG\n" +
				"--b\nContent-Type: message/rfc822\n\nSubject: x\n\nbody\n" +
				"--b--\n" +
				"--a--\n"),
			want: []Part{
				{Path: "TEXT", ContentType: "multipart/mixed", Params: map[string]string{"boundary": "a"}},
				{Path: "1", ContentType: "text/plain", Params: map[string]string{"charset": "us-ascii"}, Charset: "us-ascii", Encoding: "7bit", Size: 1},
				{Path: "2", ContentType: "multipart/mixed", Params: map[string]string{"boundary": "b"}},
				{Path: "2.1", ContentType: "image/gif", Encoding: "7bit", Size: 1},
				{Path: "2.2", ContentType: "message/rfc822", Encoding: "7bit", Size: 18},
				{Path: "2.2.1", ContentType: "text/plain", Params: map[string]string{"charset": "us-ascii"}, Charset: "us-ascii", Encoding: "7bit", Size: 4},
			},
		},
		{
			name: "digest parts default to message/rfc822",
			msg: "Content-Type: multipart/digest; boundary=d\n\n" +
				"--d\n\nSubject: one\n\n1\n" +
				"--d\nContent-Type: text/plain\n\n2\n" +
				"--d--\n",
			want: []Part{
				{Path: "TEXT", ContentType: "multipart/digest", Params: map[string]string{"boundary": "d"}},
				{Path: "1", ContentType: "message/rfc822", Encoding: "7bit", Size: 15},
				{Path: "1.1", ContentType: "text/plain", Params: map[string]string{"charset": "us-ascii"}, Charset: "us-ascii", Encoding: "7bit", Size: 1},
				{Path: "2", ContentType: "text/plain", Params: map[string]string{"charset": "us-ascii"}, Charset: "us-ascii", Encoding: "7bit", Size: 1},
			},
		},
		{
			name: "top-level message/rfc822",
			msg:  "Content-Type: message/rfc822\n\nSubject: x\n\nbody",
			want: []Part{
				{Path: "1", ContentType: "message/rfc822", Encoding: "7bit", Size: 16},
				{Path: "1.1", ContentType: "text/plain", Params: map[string]string{"charset": "us-ascii"}, Charset: "us-ascii", Encoding: "7bit", Size: 4},
			},
		},
		{
			name: "missing close delimiter",
			msg:  "Content-Type: multipart/mixed; boundary=x\n\n--x\n\none\n--x\n\ntwo, truncated",
			want: []Part{
				{Path: "TEXT", ContentType: "multipart/mixed", Params: map[string]string{"boundary": "x"}},
				{Path: "1", ContentType: "text/plain", Params: map[string]string{"charset": "us-ascii"}, Charset: "us-ascii", Encoding: "7bit", Size: 3},
				{Path: "2", ContentType: "text/plain", Params: map[string]string{"charset": "us-ascii"}, Charset: "us-ascii", Encoding: "7bit", Size: 14},
			},
		},
		{
			name: "no boundary parameter",
			msg:  "Content-Type: multipart/mixed\n\n--x\n\none\n--x--\n",
			want: []Part{{Path: "TEXT", ContentType: "multipart/mixed", Encoding: ""}},
		},
		{
			name: "boundary never found",
			msg:  "Content-Type: multipart/mixed; boundary=nope\n\njust text\n",
			want: []Part{{Path: "TEXT", ContentType: "multipart/mixed", Params: map[string]string{"boundary": "nope"}}},
		},
		{
			name: "empty message/rfc822",
			msg:  "Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: message/rfc822\n\n--x--\n",
			want: []Part{
				{Path: "TEXT", ContentType: "multipart/mixed", Params: map[string]string{"boundary": "x"}},
				{Path: "1", ContentType: "message/rfc822", Encoding: "7bit"},
			},
		},
		{
			name: "malformed part header",
			msg:  "Content-Type: multipart/mixed; boundary=x\n\n--x\n\none\n--x\nno colon here\n\ntwo\n--x--\n",
			want: []Part{
				{Path: "TEXT", ContentType: "multipart/mixed", Params: map[string]string{"boundary": "x"}},
				{Path: "1", ContentType: "text/plain", Params: map[string]string{"charset": "us-ascii"}, Charset: "us-ascii", Encoding: "7bit", Size: 3},
			},
			wantErr: "imap: MIME part 2: ",
		},
		{
			name:    "malformed top header",
			msg:     "no colon\n\nbody",
			wantErr: "imap: message header: ",
		},
		{
			name:    "empty",
			msg:     "",
			wantErr: "imap: message header: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parts(strings.NewReader(tt.msg))
			if tt.wantErr == "" && err != nil {
				t.Fatalf("error %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want one starting with %q", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPartsFromStructureRFC2231: Dovecot joins RFC 2231 continuations and
// sends "filename*" with the charset'language'value; servers that pass
// parameters through send the pieces. Both decode.
func TestPartsFromStructureRFC2231(t *testing.T) {
	line := `* 1 FETCH (BODYSTRUCTURE (("text" "plain" NIL NIL NIL "7bit" 1 1 NIL NIL NIL NIL)` +
		`("application" "pdf" ("name*" "utf-8''%E4%B8%AD.pdf") NIL NIL "base64" 4 NIL ("attachment" ("filename*" "utf-8''%E4%B8%AD.pdf")) NIL NIL)` +
		`("application" "pdf" NIL NIL NIL "base64" 4 NIL ("ATTACHMENT" ("FILENAME*0*" "gbk''%B1%A8" "filename*1*" "%B8%E6" "filename*2" ".pdf")) NIL NIL)` +
		`("application" "pdf" ("name" "=?UTF-8?B?5oql5ZGKLnBkZg==?=") NIL "=?UTF-8?Q?Caf=C3=A9?=" NIL 4 NIL NIL NIL NIL)` +
		` "MIXED" ("BOUNDARY" "b") NIL NIL NIL))` + "\r\n"
	resp, err := parser.NewReader(strings.NewReader(line), nil).ReadResponse()
	if err != nil {
		t.Fatal(err)
	}
	got := PartsFromStructure(resp.(*parser.Message).BodyStructure)
	want := []Part{
		{Path: "TEXT", ContentType: "multipart/mixed", Params: map[string]string{"boundary": "b"}},
		{Path: "1", ContentType: "text/plain", Params: map[string]string{"charset": "us-ascii"}, Charset: "us-ascii", Encoding: "7bit", Size: 1},
		{Path: "2", ContentType: "application/pdf", Params: map[string]string{"name": "中.pdf"}, Disposition: "attachment", Filename: "中.pdf", Encoding: "base64", Size: 4},
		{Path: "3", ContentType: "application/pdf", Disposition: "attachment", Filename: "报告.pdf", Encoding: "base64", Size: 4},
		{Path: "4", ContentType: "application/pdf", Params: map[string]string{"name": "=?UTF-8?B?5oql5ZGKLnBkZg==?="}, Filename: "报告.pdf", Description: "Café", Encoding: "7bit", Size: 4},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if PartsFromStructure(nil) != nil {
		t.Error("PartsFromStructure(nil) != nil")
	}
}

// TestPartsFromStructureWalk: the Paths are the part numbers
// BodyStructure.Walk gives, except that the top level of a single-part
// message is "1" (RFC 3501 section 6.4.5), not "", and that a multipart
// with no number of its own is listed as "TEXT" or "n.TEXT".
func TestPartsFromStructureWalk(t *testing.T) {
	for _, m := range fetchCapture(t) {
		if m.BodyStructure == nil {
			continue
		}
		var walk []string
		m.BodyStructure.Walk(func(part string, b *parser.BodyStructure) bool {
			walk = append(walk, part)
			return true
		})
		var paths []string
		for _, p := range PartsFromStructure(m.BodyStructure) {
			switch {
			case p.Path == "TEXT":
				paths = append(paths, "")
			case p.Path == "1" && !m.BodyStructure.IsMultipart():
				paths = append(paths, "")
			case strings.HasSuffix(p.Path, ".TEXT"):
			default:
				paths = append(paths, p.Path)
			}
		}
		if diff := cmp.Diff(walk, paths); diff != "" {
			t.Errorf("message %d: Walk (-) and Paths (+):\n%s", m.SeqNum, diff)
		}
	}
}

// nested returns a message whose multiparts nest depth levels below the
// top one, with a text part at the bottom.
func nested(depth int) string {
	var b strings.Builder
	b.WriteString("Content-Type: multipart/mixed; boundary=b0\r\n\r\n")
	for i := 1; i <= depth; i++ {
		fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i-1, i)
	}
	fmt.Fprintf(&b, "--b%d\r\n\r\nbottom\r\n", depth)
	for i := depth; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return b.String()
}

// wide returns a message with n parts below its top-level multipart.
func wide(n int) string {
	var b strings.Builder
	b.WriteString("Content-Type: multipart/mixed; boundary=b\r\n\r\n")
	for i := 0; i < n; i++ {
		b.WriteString("--b\r\n\r\nx\r\n")
	}
	b.WriteString("--b--\r\n")
	return b.String()
}

func TestPartsLimits(t *testing.T) {
	// The text part at the bottom of nested(99) is at depth 100.
	parts, err := Parts(strings.NewReader(nested(maxPartDepth - 1)))
	if err != nil || len(parts) != maxPartDepth+1 {
		t.Errorf("depth %d: %d parts, %v", maxPartDepth, len(parts), err)
	}
	parts, err = Parts(strings.NewReader(nested(maxPartDepth)))
	if !errors.Is(err, ErrPartsTooDeep) || len(parts) != maxPartDepth+1 {
		t.Errorf("depth %d: %d parts, %v; want %d and ErrPartsTooDeep", maxPartDepth+1, len(parts), err, maxPartDepth+1)
	}
	parts, err = Parts(strings.NewReader(wide(maxParts - 1)))
	if err != nil || len(parts) != maxParts {
		t.Errorf("%d parts: got %d, %v", maxParts, len(parts), err)
	}
	parts, err = Parts(strings.NewReader(wide(maxParts)))
	if !errors.Is(err, ErrTooManyParts) || len(parts) != maxParts {
		t.Errorf("%d parts: got %d, %v; want %d and ErrTooManyParts", maxParts+1, len(parts), err, maxParts)
	}
}

func TestPartsFromStructureLimits(t *testing.T) {
	// A chain deeper than the limit, and one that loops, end.
	bottom := &parser.BodyStructure{Type: "text", Subtype: "plain"}
	top := bottom
	for i := 0; i < 2*maxPartDepth; i++ {
		top = &parser.BodyStructure{Type: "multipart", Subtype: "mixed", Parts: []*parser.BodyStructure{top}}
	}
	if n := len(PartsFromStructure(top)); n != maxPartDepth+1 {
		t.Errorf("deep: %d parts, want %d", n, maxPartDepth+1)
	}
	loop := &parser.BodyStructure{Type: "message", Subtype: "rfc822"}
	loop.Body = loop
	if n := len(PartsFromStructure(loop)); n != maxPartDepth+1 {
		t.Errorf("loop: %d parts, want %d", n, maxPartDepth+1)
	}
	w := &parser.BodyStructure{Type: "multipart", Subtype: "mixed"}
	for i := 0; i < maxParts+5; i++ {
		w.Parts = append(w.Parts, bottom)
	}
	if n := len(PartsFromStructure(w)); n != maxParts {
		t.Errorf("wide: %d parts, want %d", n, maxParts)
	}
}

// readAll reads r whole, then again through one-byte and half reads of a
// fresh DecodePart, and checks all agree: the transformers must not depend
// on how the input is split.
func decodeAll(t *testing.T, in, encoding, charset string) string {
	t.Helper()
	var outs []string
	for _, wrap := range []func(io.Reader) io.Reader{
		func(r io.Reader) io.Reader { return r },
		iotest.OneByteReader,
		iotest.HalfReader,
		iotest.DataErrReader,
	} {
		r, err := DecodePart(wrap(strings.NewReader(in)), encoding, charset)
		if err != nil {
			t.Fatalf("DecodePart: %v", err)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("reading: %v", err)
		}
		outs = append(outs, string(b))
	}
	for i, o := range outs[1:] {
		if o != outs[0] {
			t.Errorf("split reads %d gave %q, whole gave %q", i, o, outs[0])
		}
	}
	return outs[0]
}

func TestDecodePart(t *testing.T) {
	long := strings.Repeat("x", 10000)
	tests := []struct {
		name, in, encoding, charset, want string
	}{
		{"7bit", "as is\r\n", "7bit", "", "as is\r\n"},
		{"binary", "\x00\xff", "BINARY", "", "\x00\xff"},
		{"no encoding", "x", "", "", "x"},
		{"8bit gbk", string(encode(t, simplifiedchinese.GBK, "周末\r\n")), "8bit", "GBK", "周末\r\n"},
		{"base64", "aGVsbG8g\r\nd29ybGQ=\r\n", "base64", "", "hello world"},
		{"base64 no padding", "aGVsbG8gd29ybGQ", "Base64", "", "hello world"},
		{"base64 garbage", " aGVs*bG8g\td29y!bGQ= \r\n", "base64", "", "hello world"},
		{"base64 padded blocks", "aGk=aGk=", "base64", "", "hihi"},
		{"base64 lone sextet", "aGk=a", "base64", "", "hi"},
		{"base64 utf-16", "AGgAaQ==", "base64", "utf-16", "hi"},
		{"qp", "caf=C3=A9 =E2=80=94\r\nnext", "quoted-printable", "", "café —\r\nnext"},
		{"qp soft break", "long=\r\nline=\nend", "quoted-printable", "", "longlineend"},
		{"qp soft break with spaces", "a= \t\r\nb", "quoted-printable", "", "ab"},
		{"qp trailing white space", "a  \r\nb\t\nc ", "quoted-printable", "", "a\r\nb\nc"},
		{"qp inner white space", "a  b", "quoted-printable", "", "a  b"},
		{"qp lower case hex", "=c3=a9", "quoted-printable", "", "é"},
		{"qp literal equals", "1+1=2, =ZZ, =\x00", "quoted-printable", "", "1+1=2, =ZZ, =\x00"},
		{"qp equals at end", "end=", "quoted-printable", "", "end"},
		{"qp equals cr at end", "end=\r", "quoted-printable", "", "end=\r"},
		{"qp half escape at end", "end=4", "quoted-printable", "", "end=4"},
		{"qp control chars", "\x1b$B\x1b(B\f", "quoted-printable", "", "\x1b$B\x1b(B\f"},
		{"qp long line", long + "=41", "quoted-printable", "", long + "A"},
		{"qp long white space", strings.Repeat(" ", 1000) + "x", "quoted-printable", "", strings.Repeat(" ", 1000) + "x"},
		{"qp windows-1252", "=93quoted=94 =80", "quoted-printable", "windows-1252", "“quoted” €"},
		{"qp iso-2022-jp", "\x1b$B$3$s$K$A$O\x1b(B", "quoted-printable", "iso-2022-jp", "こんにちは"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeAll(t, tt.in, tt.encoding, tt.charset)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodePartErrors(t *testing.T) {
	_, err := DecodePart(strings.NewReader("x"), "x-uuencode", "")
	var ee *UnknownEncodingError
	if !errors.As(err, &ee) || ee.Encoding != "x-uuencode" {
		t.Errorf("x-uuencode: %v, want *UnknownEncodingError", err)
	}
	_, err = DecodePart(strings.NewReader("x"), "base64", "x-klingon")
	var ce *UnknownCharsetError
	if !errors.As(err, &ce) || ce.Charset != "x-klingon" {
		t.Errorf("x-klingon: %v, want *UnknownCharsetError", err)
	}
	// I/O errors pass through.
	boom := errors.New("boom")
	r, err := DecodePart(iotest.ErrReader(boom), "base64", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(r); !errors.Is(err, boom) {
		t.Errorf("read error %v, want %v", err, boom)
	}
}

// TestDecodePartAgreesWithStdlib: on well-formed quoted-printable,
// DecodePart gives what mime/quotedprintable gives.
func TestDecodePartAgreesWithStdlib(t *testing.T) {
	for _, in := range []string{
		"10:00 works for me. I'll book the small room =E2=80=93 the big one is taken.=\r\n See you there.\r\n\r\nBob\r\n",
		"<html><body><h1>February</h1><p>Welcome to the February issue =E2=80=94 thr=\r\nee stories this month.</p></body></html>\r\n",
		"trailing   \r\nspace=20\r\n",
	} {
		want, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(in)))
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeAll(t, in, "quoted-printable", ""); got != string(want) {
			t.Errorf("DecodePart(%q) = %q, mime/quotedprintable gives %q", in, got, want)
		}
	}
}

// TestDecodePartCapture: decoding Dovecot's BODY[n] gives its BINARY[n]
// (RFC 3516), and the text parts come out as the seed script wrote them.
func TestDecodePartCapture(t *testing.T) {
	fetches := fetchCapture(t)
	m4 := fetched(t, fetches, 4, "BINARY[2]")
	body, binary := m4.Section("BODY[2]"), m4.Section("BINARY[2]")
	if body == nil || binary == nil {
		t.Fatal("BODY[2] or BINARY[2] of message 4 missing")
	}
	if got := decodeAll(t, string(body), "base64", ""); got != string(binary) {
		t.Errorf("DecodePart(BODY[2]) = %q, BINARY[2] = %q", got, binary)
	}
	// Message 4's part 3 is the bytes 0x00 to 0xff; take it from the
	// message itself, found through Parts.
	raw := readEML(t, "dovecot-4-attachment.eml")
	parts, err := Parts(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	p3 := parts[3]
	i := bytes.Index(raw, []byte("AAECAwQF"))
	got := decodeAll(t, string(raw[i:i+p3.Size]), p3.Encoding, "")
	want := make([]byte, 256)
	for i := range want {
		want[i] = byte(i)
	}
	if got != string(want) {
		t.Errorf("part 3 decoded to %q", got)
	}
	if bin := fetched(t, fetches, 4, "BINARY[3]").Section("BINARY[3]"); string(bin) != string(want) {
		t.Errorf("BINARY[3] = %q", bin)
	}
	// Message 2: quoted-printable UTF-8.
	m2 := fetched(t, fetches, 2, "BODY[TEXT]")
	wantText := "10:00 works for me. I'll book the small room – the big one is taken. See you there.\r\n\r\nBob\r\n\r\n> Can we meet tomorrow at 10:00 to go over something important?\r\n"
	if got := decodeAll(t, string(m2.Section("BODY[TEXT]")), "quoted-printable", "utf-8"); got != wantText {
		t.Errorf("message 2 text %q", got)
	}
	// Message 7: 8bit GBK.
	m7 := fetched(t, fetches, 7, "BINARY[1]")
	if got := decodeAll(t, string(m7.Section("BINARY[1]")), "8bit", "GBK"); got != "周末活动：周六上午十点在公园集合。\r\n" {
		t.Errorf("message 7 text %q", got)
	}
}

func FuzzDecodeHeader(f *testing.F) {
	for _, s := range []string{
		"=?UTF-8?B?5Lya6K6u6YCa55+l?= / =?GBK?B?suLK1NPKvP4=?=",
		"(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)",
		"=?utf-8?q?broken =?utf-8?q?ok?=",
		"=?UTF-8?B?5Lw=?= =?UTF-8?B?mg==?=",
		"=?x-unknown?Q?a=?= =?utf-8?b?QUI?=",
		"=?iso-2022-jp?b?GyRCJDMkcxsoQg==?=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := DecodeHeader(s)
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Errorf("DecodeHeader(%q) = %q: invalid UTF-8 from valid input", s, got)
		}
		if !strings.Contains(s, "=?") && got != s {
			t.Errorf("DecodeHeader(%q) = %q: changed text without encoded words", s, got)
		}
		strict, err := DecodeHeaderStrict(s)
		if err == nil && utf8.ValidString(s) && !utf8.ValidString(strict) {
			t.Errorf("DecodeHeaderStrict(%q) = %q: invalid UTF-8", s, strict)
		}
		var we *WordError
		if err != nil && (!errors.As(err, &we) || !strings.HasPrefix(s[we.Offset:], we.Word)) {
			t.Errorf("DecodeHeaderStrict(%q): error %v without the word's offset", s, err)
		}
	})
}

func FuzzParts(f *testing.F) {
	for _, name := range []string{"dovecot-3-alternative.eml", "dovecot-4-attachment.eml", "dovecot-5-forward.eml", "dovecot-7-gbk.eml"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(nested(3)))
	f.Add([]byte("Content-Type: message/rfc822\n\nContent-Type: multipart/digest; boundary=d\n\n--d\n\nA: b\n\nc\n--d--\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		parts, err := Parts(bytes.NewReader(b))
		if len(parts) > maxParts {
			t.Fatalf("%d parts", len(parts))
		}
		seen := map[string]bool{}
		for _, p := range parts {
			if seen[p.Path] {
				t.Errorf("Path %q twice (err %v)", p.Path, err)
			}
			seen[p.Path] = true
		}
		for _, enc := range []string{"base64", "quoted-printable"} {
			r, err := DecodePart(bytes.NewReader(b), enc, "utf-8")
			if err != nil {
				t.Fatal(err)
			}
			whole, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			r, _ = DecodePart(iotest.OneByteReader(bytes.NewReader(b)), enc, "utf-8")
			split, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(whole, split) {
				t.Errorf("%s: whole %q, one byte at a time %q", enc, whole, split)
			}
		}
	})
}

// TestTransformersShortDst drives the decoders with destination buffers of
// 1 to 4 bytes: every ErrShortDst must leave them ready to go on.
func TestTransformersShortDst(t *testing.T) {
	tests := []struct {
		t        transform.Transformer
		in, want string
	}{
		{new(base64Decoder), "aGVsbG8gd29ybGQ=aGk", "hello worldhi"},
		{qpDecoder{}, "a=C3=A9  \r\nb =\r\nc=ZZ d  x", "aé\r\nb c=ZZ d  x"},
	}
	for _, tt := range tests {
		for size := 1; size <= 4; size++ {
			tt.t.Reset()
			var out []byte
			src := []byte(tt.in)
			dst := make([]byte, size)
			for guard := 0; ; guard++ {
				if guard > 1000 {
					t.Fatalf("%T dst %d: no progress", tt.t, size)
				}
				nDst, nSrc, err := tt.t.Transform(dst, src, true)
				out = append(out, dst[:nDst]...)
				src = src[nSrc:]
				if err == nil {
					break
				}
				if err != transform.ErrShortDst {
					t.Fatalf("%T dst %d: %v", tt.t, size, err)
				}
			}
			if string(out) != tt.want {
				t.Errorf("%T dst %d: %q, want %q", tt.t, size, out, tt.want)
			}
		}
	}
}

func TestErrorMessages(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&UnknownEncodingError{Encoding: "x-uuencode"}, `imap: unknown content transfer encoding "x-uuencode"`},
		{&UnknownCharsetError{Charset: "x-klingon"}, `imap: unknown charset "x-klingon"`},
		{&CredentialError{"PLAIN", "username", "contains NUL"}, "imap: PLAIN username contains NUL"},
		{ErrPartsTooDeep, "imap: MIME parts nested more than 100 deep"},
		{ErrTooManyParts, "imap: more than 10000 MIME parts"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
