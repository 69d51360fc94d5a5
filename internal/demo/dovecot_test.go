package demo

import (
	"bytes"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// TestDovecotFetch replays the FETCH commands of a real Dovecot capture
// (testdata/captures/dovecot-fetch.txt, whose INBOX holds the same nine
// messages as the fixture's first nine) against the demo server, and
// compares every FETCH item: ENVELOPE, BODYSTRUCTURE, BODY, sizes and body
// sections must be what Dovecot sent. FLAGS, INTERNALDATE's zone, MODSEQ
// and BINARY (which the demo server does not offer) are left out.
func TestDovecotFetch(t *testing.T) {
	capture, err := os.ReadFile("../../testdata/captures/dovecot-fetch.txt")
	if err != nil {
		t.Fatal(err)
	}
	// The commands, and Dovecot's responses grouped by tag.
	var cmds []string
	for _, line := range strings.Split(string(capture), "\r\n") {
		if rest, ok := strings.CutPrefix(line, "C: "); ok {
			cmds = append(cmds, rest)
		}
	}
	dovecot := responsesByTag(t, wire.NewTranscriptReader(bytes.NewReader(capture)))

	s := testServer(t)
	r := dialRaw(t, s)
	r.login()
	// The fixture's INBOX starts with Dovecot's nine messages.
	r.ok("EXAMINE INBOX")
	r.ok("CREATE Dovecot")
	r.ok("COPY 1:9 Dovecot")
	r.ok("SELECT Dovecot")
	binary := regexp.MustCompile(` ?(BINARY(\.PEEK|\.SIZE)?\[[0-9.]*\](<[0-9.]+>)?|MODSEQ)`)
	compared := 0
	for _, c := range cmds {
		tag, line, _ := strings.Cut(c, " ")
		if !strings.Contains(line, "FETCH") || strings.HasPrefix(line, "FETCH 99 ") {
			continue
		}
		line = binary.ReplaceAllString(line, "")
		line = strings.ReplaceAll(line, "( ", "(")
		untagged, tagged := r.cmd(line)
		if !strings.HasPrefix(tagged, "OK") {
			t.Errorf("%s: %s", line, tagged)
			continue
		}
		mine := responsesByTag(t, strings.NewReader(strings.Join(untagged, "\r\n")+"\r\nX OK done\r\n"))["X"]
		want := fetchesOf(dovecot[tag])
		got := fetchesOf(mine)
		if len(want) != len(got) {
			t.Errorf("%s: %d FETCH responses, Dovecot sent %d", line, len(got), len(want))
			continue
		}
		for i := range want {
			compared++
			opts := cmp.Options{
				cmpopts.IgnoreFields(parser.Message{}, "Flags", "Items", "InternalDate", "ModSeq", "BinarySizes", "Raw"),
				cmpopts.EquateEmpty(),
				cmp.Comparer(func(a, b parser.BodySectionItem) bool {
					return a.Name == b.Name && bytes.Equal(a.Data, b.Data)
				}),
			}
			w, g := *want[i], *got[i]
			// BINARY sections are not compared.
			w.Sections = without(w.Sections, "BINARY")
			if diff := cmp.Diff(w, g, opts); diff != "" {
				t.Errorf("%s: message %d differs from Dovecot's (-dovecot +demo):\n%s", line, w.SeqNum, diff)
			}
			if !w.InternalDate.IsZero() && !w.InternalDate.Equal(g.InternalDate) {
				t.Errorf("%s: INTERNALDATE %v, Dovecot %v", line, g.InternalDate, w.InternalDate)
			}
		}
	}
	if compared < 30 {
		t.Errorf("compared %d FETCH responses only", compared)
	}
}

func without(secs []parser.BodySectionItem, prefix string) []parser.BodySectionItem {
	var out []parser.BodySectionItem
	for _, s := range secs {
		if !strings.HasPrefix(s.Name, prefix) {
			out = append(out, s)
		}
	}
	return out
}

// responsesByTag reads a server stream and groups the untagged responses
// by the tag of the command they precede.
func responsesByTag(t *testing.T, rd io.Reader) map[string][]parser.Response {
	t.Helper()
	pr := parser.NewReader(rd, &parser.Options{Strict: true})
	out := map[string][]parser.Response{}
	var pending []parser.Response
	for {
		resp, err := pr.ReadResponse()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("parsing: %v", err)
		}
		if st, ok := resp.(*parser.StatusResponse); ok && st.Tag != "" {
			out[st.Tag] = pending
			pending = nil
			continue
		}
		pending = append(pending, resp)
	}
}

func fetchesOf(resps []parser.Response) []*parser.Message {
	var out []*parser.Message
	for _, r := range resps {
		if m, ok := r.(*parser.Message); ok {
			if len(m.Items) == 1 && m.Items[0] == "MODSEQ" {
				continue // Dovecot's MODSEQ update after a \Seen change
			}
			out = append(out, m)
		}
	}
	return out
}
