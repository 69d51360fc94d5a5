package wire

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
)

// fetchLine returns a realistic untagged FETCH response carrying UID, FLAGS,
// ENVELOPE and a multipart/alternative BODYSTRUCTURE, as Gmail and Dovecot
// send them when a client syncs a mailbox.
func fetchLine(seq int) string {
	return fmt.Sprintf("* %d FETCH (UID %d FLAGS (\\Seen \\Answered $Forwarded) "+
		`ENVELOPE ("Tue, 14 Nov 2023 09:12:33 +0000" "Re: quarterly report %d" `+
		`(("Alice Example" NIL "alice" "example.com")) (("Alice Example" NIL "alice" "example.com")) `+
		`(("Alice Example" NIL "alice" "example.com")) (("Bob" NIL "bob" "example.org") `+
		`("Carol \"CJ\" Smith" NIL "carol" "example.net")) NIL NIL "<CAF=abc%d@mail.example.com>" "<%d.123@example.com>") `+
		`BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "UTF-8") NIL NIL "QUOTED-PRINTABLE" 1234 40 NIL NIL NIL NIL)`+
		`("TEXT" "HTML" ("CHARSET" "UTF-8") NIL NIL "QUOTED-PRINTABLE" 5678 120 NIL NIL NIL NIL) `+
		`"ALTERNATIVE" ("BOUNDARY" "000000000000abcdef0123456789") NIL NIL NIL))`+"\r\n",
		seq, 100000+seq, seq, seq, seq)
}

// fetchStream returns about size bytes of FETCH responses.
func fetchStream(size int) []byte {
	var b bytes.Buffer
	for i := 1; b.Len() < size; i++ {
		b.WriteString(fetchLine(i))
	}
	return b.Bytes()
}

func BenchmarkTokenize(b *testing.B) {
	data := fetchStream(1 << 20)
	br := bytes.NewReader(data)
	r := NewReader(br)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		br.Reset(data)
		r.Reset(br)
		for {
			_, err := r.ReadToken()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// literalStream returns n FETCH BODY[] responses each with a literal of size
// bytes.
func literalStream(n, size int) []byte {
	body := bytes.Repeat([]byte("Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n"), size/58+1)[:size]
	var b bytes.Buffer
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "* %d FETCH (UID %d BODY[] {%d}\r\n", i, 1000+i, size)
		b.Write(body)
		b.WriteString(")\r\n")
	}
	return b.Bytes()
}

func BenchmarkLiteralStream(b *testing.B) {
	for _, bc := range []struct {
		name    string
		n, size int
	}{
		{"20KB", 400, 20 << 10},
		{"1MB", 8, 1 << 20},
	} {
		b.Run(bc.name, func(b *testing.B) {
			data := literalStream(bc.n, bc.size)
			br := bytes.NewReader(data)
			r := NewReader(br)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				br.Reset(data)
				r.Reset(br)
				literals := 0
				for {
					tok, err := r.ReadToken()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					if tok.Kind == KindLiteral {
						if _, err := io.Copy(io.Discard, r.LiteralReader()); err != nil {
							b.Fatal(err)
						}
						literals++
					}
				}
				if literals != bc.n {
					b.Fatalf("read %d literals, want %d", literals, bc.n)
				}
			}
		})
	}
}

// BenchmarkSearch2M reads a "* SEARCH" response with two million numbers,
// the way a parser does: AtEOL, ExpectSP, ReadNumber.
func BenchmarkSearch2M(b *testing.B) {
	const count = 2_000_000
	var sb strings.Builder
	sb.WriteString("* SEARCH")
	for i := 1; i <= count; i++ {
		sb.WriteByte(' ')
		sb.WriteString(strconv.Itoa(i * 3))
	}
	sb.WriteString("\r\n")
	data := []byte(sb.String())
	br := bytes.NewReader(data)
	r := NewReader(br)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		br.Reset(data)
		r.Reset(br)
		if err := r.Expect('*', "response"); err != nil {
			b.Fatal(err)
		}
		if err := r.ExpectSP("response"); err != nil {
			b.Fatal(err)
		}
		if _, err := r.ReadAtom("response"); err != nil {
			b.Fatal(err)
		}
		n := 0
		var sum uint64
		for {
			eol, err := r.AtEOL()
			if err != nil {
				b.Fatal(err)
			}
			if eol {
				break
			}
			if err := r.ExpectSP("mailbox-data"); err != nil {
				b.Fatal(err)
			}
			v, err := r.ReadNumber("nz-number")
			if err != nil {
				b.Fatal(err)
			}
			sum += uint64(v)
			n++
		}
		if err := r.ExpectCRLF("response"); err != nil {
			b.Fatal(err)
		}
		if n != count || sum != 3*count*(count+1)/2 {
			b.Fatalf("read %d numbers summing to %d", n, sum)
		}
	}
}
