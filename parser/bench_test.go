package parser

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// envelopeFetch is a realistic FETCH response with ENVELOPE and
// BODYSTRUCTURE, as Dovecot sends it.
func envelopeFetch(seq int) string {
	return fmt.Sprintf("* %d FETCH (UID %d FLAGS (\\Seen $Forwarded) INTERNALDATE \"17-Jul-2024 02:44:25 -0700\" RFC822.SIZE 48213 "+
		"ENVELOPE (\"Wed, 17 Jul 2024 02:23:25 -0700\" \"=?UTF-8?B?5LiK5rW35Lya6K6u57qq6KaB?= meeting notes #%d\" "+
		"((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "+
		"((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) "+
		"((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "+
		"\"<B27397-%d@cac.washington.edu>\") "+
		"BODYSTRUCTURE (((\"text\" \"plain\" (\"charset\" \"utf-8\" \"format\" \"flowed\") NIL NIL \"quoted-printable\" 2279 48 NIL NIL NIL NIL)"+
		"(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 9312 120 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"b2\") NIL NIL NIL)"+
		"(\"application\" \"pdf\" (\"name\" \"report.pdf\") NIL NIL \"base64\" 35022 NIL (\"attachment\" (\"filename\" \"report.pdf\")) NIL NIL) "+
		"\"mixed\" (\"boundary\" \"b1\") NIL NIL NIL))\r\n", seq, 1000+seq, seq, seq)
}

func genStream(n int, gen func(int) string) []byte {
	var b bytes.Buffer
	for i := 1; i <= n; i++ {
		b.WriteString(gen(i))
	}
	return b.Bytes()
}

func benchStream(b *testing.B, data []byte, perResponse func(*testing.B, Response)) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	rd := bytes.NewReader(data)
	r := NewReader(rd, nil)
	for b.Loop() {
		rd.Reset(data)
		r.Reset(rd)
		for {
			resp, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if perResponse != nil {
				perResponse(b, resp)
			}
		}
	}
}

func drainFetch(b *testing.B, resp Response) {
	f, ok := resp.(*Fetch)
	if !ok {
		return
	}
	for {
		item, err := f.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			b.Fatal(err)
		}
		if s, ok := item.(*BodySectionItem); ok {
			io.Copy(io.Discard, s.Body)
		}
	}
}

// BenchmarkFetchEnvelope parses FETCH responses with ENVELOPE and
// BODYSTRUCTURE into typed values.
func BenchmarkFetchEnvelope(b *testing.B) {
	benchStream(b, genStream(2000, envelopeFetch), drainFetch)
}

// BenchmarkFetchBody streams FETCH BODY[] literals of about 20 KB.
func BenchmarkFetchBody(b *testing.B) {
	body := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n", 350)
	data := genStream(500, func(i int) string {
		return fmt.Sprintf("* %d FETCH (UID %d BODY[] {%d}\r\n%s FLAGS (\\Seen))\r\n", i, i, len(body), body)
	})
	benchStream(b, data, drainFetch)
}

// BenchmarkList50k parses a LIST of 50,000 mailboxes.
func BenchmarkList50k(b *testing.B) {
	data := genStream(50000, func(i int) string {
		return fmt.Sprintf("* LIST (\\HasNoChildren) \"/\" \"Archive/%d/Project &U,BTFw- %d\"\r\n", i/100, i)
	})
	benchStream(b, data, nil)
}

// BenchmarkSearch2M parses a SEARCH response with 2,000,000 numbers.
func BenchmarkSearch2M(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("* SEARCH")
	for i := 1; i <= 2_000_000; i++ {
		fmt.Fprintf(&sb, " %d", i*3)
	}
	sb.WriteString("\r\n")
	benchStream(b, []byte(sb.String()), nil)
}
