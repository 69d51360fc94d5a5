package fuzz_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/imapwire/imapwire/wire"
)

// roundTrip encodes with write, then reads back with read from a Reader over
// the encoded bytes, answering synchronizing literals with no server at all:
// the Writer is in LITERAL+ mode, so every literal is sent whole.
func roundTrip(t *testing.T, write func(*wire.Writer) error, read func(*wire.Reader) (string, error)) (string, bool) {
	var buf bytes.Buffer
	w := wire.NewWriter(&buf)
	w.LiteralMode = wire.LiteralPlus
	if err := write(w); err != nil {
		return "", false // refused by construction (NUL, say): nothing to check
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	enc := buf.String()
	// Injection is impossible: outside literals the encoding has no CR or LF.
	if !strings.Contains(enc, "}\r\n") && strings.ContainsAny(enc, "\r\n\x00") {
		t.Fatalf("encoding %q carries CR, LF or NUL outside a literal", enc)
	}
	r := wire.NewReader(strings.NewReader(enc + " "))
	// Strict, except for a NUL in a literal: CHAR8 excludes it (RFC 3501),
	// so a strict Reader refuses what the Writer's LiteralBytes sends for
	// bytes with a NUL (a literal8 needs BINARY; the Writer's choice).
	r.SetStrict(!strings.Contains(enc, "\x00"))
	got, err := read(r)
	if err != nil {
		t.Fatalf("reading back %q: %v", enc, err)
	}
	if c, err := r.ReadByte(); err != nil || c != ' ' {
		t.Fatalf("reading back %q left the stream at %q, %v", enc, c, err)
	}
	return got, true
}

// FuzzRoundTrip: what the encoder writes, the tokenizer reads back as the
// same value: atoms, astrings, strings, literals, sequence sets and mailbox
// names.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"", "INBOX", "inbox", "a b", `"q"`, `\`, "~peter/mail/台北/日本語", "&", "&-", "a\r\nA2 LOGOUT",
		"x\x00y", "{5}", "]", "%*", "1:3,5", "Entwürfe", string(bytes.Repeat([]byte("x"), 2000))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		readAString := func(r *wire.Reader) (string, error) { b, err := r.ReadAString("astring"); return string(b), err }
		readString := func(r *wire.Reader) (string, error) { b, err := r.ReadString("string"); return string(b), err }

		if got, ok := roundTrip(t, func(w *wire.Writer) error { return w.AString(s) }, readAString); ok && got != s {
			t.Fatalf("AString(%q) read back as %q", s, got)
		}
		if got, ok := roundTrip(t, func(w *wire.Writer) error { return w.String(s) }, readString); ok && got != s {
			t.Fatalf("String(%q) read back as %q", s, got)
		}
		lit := func(w *wire.Writer) error { return w.LiteralBytes([]byte(s)) }
		if got, ok := roundTrip(t, lit, readString); ok && got != s {
			t.Fatalf("LiteralBytes(%q) read back as %q", s, got)
		}
		if got, ok := roundTrip(t, func(w *wire.Writer) error { return w.Atom(s) },
			func(r *wire.Reader) (string, error) { b, err := r.ReadAtom("atom"); return string(b), err }); ok && got != s {
			t.Fatalf("Atom(%q) read back as %q", s, got)
		}
		if utf8.ValidString(s) {
			got, ok := roundTrip(t, func(w *wire.Writer) error { return w.Mailbox(s) }, func(r *wire.Reader) (string, error) {
				b, err := r.ReadAString("mailbox")
				if err != nil {
					return "", err
				}
				return wire.DecodeUTF7(string(b))
			})
			want := s
			if strings.EqualFold(s, "INBOX") {
				want = "INBOX"
			}
			if ok && got != want {
				t.Fatalf("Mailbox(%q) read back as %q", s, got)
			}
		}
		if set, err := wire.ParseSeqSet(s); err == nil {
			got, ok := roundTrip(t, func(w *wire.Writer) error { return w.SeqSet(set) }, func(r *wire.Reader) (string, error) {
				back, err := r.ReadSeqSet("sequence-set")
				return back.String(), err
			})
			if ok && got != set.String() {
				t.Fatalf("SeqSet(%v) read back as %q", set, got)
			}
		}
	})
}
