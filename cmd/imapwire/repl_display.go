package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/imapwire/imapwire/wire"
)

// This file renders what the REPL shows: the raw bytes of responses and
// commands, escaped, with literals summarized, beside the parse.

// Views.
const (
	viewRaw    = "raw"
	viewParsed = "parsed"
	viewBoth   = "both"
	viewJSON   = "json"
)

// ANSI colours, used only on a terminal.
const (
	colServer = "\x1b[1;36m" // the "S:" mark
	colClient = "\x1b[1;33m" // the "C:" mark
	colBad    = "\x1b[1;31m" // a malformed response and its error
	colDim    = "\x1b[2m"    // literal summaries, timings, notes
	colReset  = "\x1b[0m"
)

// A palette colours text when on.
type palette bool

func (p palette) paint(col, s string) string {
	if !p || s == "" {
		return s
	}
	return col + s + colReset
}

const (
	maxRawLine    = 4096 // bytes of one line shown; the rest is counted
	litShowLines  = 5    // lines shown of a large literal
	litLineWidth  = 160  // bytes shown of one line of a large literal
	smallLitBytes = 256  // a literal this small with few lines is shown whole
	smallLitLines = 4
	rawIndent     = "   " // under an "S: " or "C: " mark
)

// escapeText writes b for display: printable UTF-8 as is, CR, LF and TAB
// as \r, \n and \t, every other control byte and invalid UTF-8 as \xNN.
func escapeText(sb *strings.Builder, b []byte) {
	for len(b) > 0 {
		c := b[0]
		if c < utf8.RuneSelf {
			switch {
			case c == '\r':
				sb.WriteString(`\r`)
			case c == '\n':
				sb.WriteString(`\n`)
			case c == '\t':
				sb.WriteString(`\t`)
			case c < 0x20 || c == 0x7f:
				fmt.Fprintf(sb, `\x%02x`, c)
			default:
				sb.WriteByte(c)
			}
			b = b[1:]
			continue
		}
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			for _, c := range b[:n] {
				fmt.Fprintf(sb, `\x%02x`, c)
			}
		} else {
			sb.Write(b[:n])
		}
		b = b[n:]
	}
}

// A rawRenderer turns a byte stream (with elided literals) into display
// lines, each marked "S: " or "C: ", with each literal summarized below the
// line that announced it.
type rawRenderer struct {
	sb    *strings.Builder
	mark  string // "S: " or "C: ", painted
	pal   palette
	bad   bool // paint the text as a malformed response
	lits  []*literal
	first int // number of the first literal

	line    []byte // the current line, up to maxRawLine bytes
	lineLen int64  // its full length
	tail    []byte // its last bytes, to find a literal header
	litLeft int64  // bytes of an inline literal still to come, or -1
	litBuf  []byte
}

func newRawRenderer(sb *strings.Builder, mark string, pal palette, firstLit int) *rawRenderer {
	return &rawRenderer{sb: sb, mark: mark, pal: pal, litLeft: -1, first: firstLit}
}

// pieces renders captured pieces.
func (r *rawRenderer) pieces(ps []piece) {
	for _, p := range ps {
		if p.lit != nil {
			r.elided(p.lit)
		} else {
			r.bytes(p.data)
		}
	}
}

func (r *rawRenderer) bytes(b []byte) {
	for len(b) > 0 {
		if r.litLeft >= 0 {
			k := min(int64(len(b)), r.litLeft)
			r.litBuf = append(r.litBuf, b[:k]...)
			b = b[k:]
			r.litLeft -= k
			if r.litLeft == 0 {
				r.literal(newInlineLiteral(r.litBuf), "")
				r.litBuf, r.litLeft = nil, -1
			}
			continue
		}
		i := bytes.IndexByte(b, '\n')
		chunk := b
		if i >= 0 {
			chunk = b[:i+1]
		}
		b = b[len(chunk):]
		if room := maxRawLine - len(r.line); room > 0 {
			r.line = append(r.line, chunk[:min(room, len(chunk))]...)
		}
		r.lineLen += int64(len(chunk))
		r.tail = append(r.tail, chunk[max(0, len(chunk)-32):]...)
		if len(r.tail) > 32 {
			r.tail = r.tail[len(r.tail)-32:]
		}
		if i < 0 {
			continue
		}
		n, _, isLit := wire.LiteralAtLineEnd(r.tail)
		r.endLine()
		if isLit {
			r.litLeft = n
			if n == 0 {
				r.literal(newInlineLiteral(nil), "")
				r.litLeft = -1
			}
		}
	}
}

// elided renders a literal whose body is not in the stream.
func (r *rawRenderer) elided(l *literal) {
	r.litBuf, r.litLeft = nil, -1
	r.literal(l, "")
}

// endLine writes the current line.
func (r *rawRenderer) endLine() {
	if r.lineLen == 0 {
		return
	}
	var t strings.Builder
	escapeText(&t, r.line)
	if more := r.lineLen - int64(len(r.line)); more > 0 {
		fmt.Fprintf(&t, "… (%d more bytes)", more)
	}
	text := t.String()
	if r.bad {
		text = r.pal.paint(colBad, text)
	}
	r.sb.WriteString(r.mark)
	r.sb.WriteString(text)
	r.sb.WriteByte('\n')
	r.line, r.lineLen, r.tail = r.line[:0], 0, r.tail[:0]
}

// finish writes what is left: a line without its end, an incomplete
// literal.
func (r *rawRenderer) finish() {
	if r.litLeft > 0 {
		r.literal(newInlineLiteral(r.litBuf), fmt.Sprintf(" (incomplete: %d bytes missing)", r.litLeft))
		r.litBuf, r.litLeft = nil, -1
	}
	r.endLine()
}

// literal numbers l and writes its summary.
func (r *rawRenderer) literal(l *literal, note string) {
	l.n = r.first + len(r.lits)
	r.lits = append(r.lits, l)
	writeLiteral(r.sb, l, r.pal, note, rawIndent)
}

// writeLiteral writes the summary of a literal: small ones whole, large
// ones as size, line count, SHA-256 and first lines. lead starts the first
// line (rawIndent, or the "C: " mark for a literal sent). A literal numbered
// 0 is shown without its number.
func writeLiteral(sb *strings.Builder, l *literal, pal palette, note, lead string) {
	small := l.size <= smallLitBytes && l.lines <= smallLitLines && int64(len(l.head)) == l.size
	var h strings.Builder
	h.WriteString("[literal")
	if l.n > 0 {
		fmt.Fprintf(&h, " %d", l.n)
	}
	if small {
		fmt.Fprintf(&h, ": %d bytes%s]", l.size, note)
	} else {
		fmt.Fprintf(&h, ": %d bytes, %d lines, sha256 %s%s]", l.size, l.lines, hex.EncodeToString(l.sum)[:16], note)
	}
	sb.WriteString(lead)
	sb.WriteString(pal.paint(colDim, h.String()))
	sb.WriteByte('\n')
	b := l.head
	shown := 0
	for len(b) > 0 && (small || shown < litShowLines) {
		i := bytes.IndexByte(b, '\n')
		line := b
		if i >= 0 {
			line = b[:i+1]
		}
		b = b[len(line):]
		var t strings.Builder
		if !small && len(line) > litLineWidth {
			escapeText(&t, line[:litLineWidth])
			t.WriteString("…")
		} else {
			escapeText(&t, line)
		}
		sb.WriteString(rawIndent)
		sb.WriteString(pal.paint(colDim, "| "))
		sb.WriteString(t.String())
		sb.WriteByte('\n')
		shown++
	}
	if !small {
		var rest strings.Builder
		left := l.size - int64(len(l.head)-len(b))
		fmt.Fprintf(&rest, "| … %d more bytes", left)
		if l.n > 0 {
			fmt.Fprintf(&rest, " (.save %d FILE keeps them)", l.n)
		}
		if left > 0 {
			sb.WriteString(rawIndent)
			sb.WriteString(pal.paint(colDim, rest.String()))
			sb.WriteByte('\n')
		}
	}
}

// indent writes each line of text under rawIndent.
func indent(sb *strings.Builder, text []byte) {
	for len(text) > 0 {
		i := bytes.IndexByte(text, '\n')
		line := text
		if i >= 0 {
			line = text[:i+1]
		}
		text = text[len(line):]
		sb.WriteString(rawIndent)
		sb.Write(line)
		if i < 0 {
			sb.WriteByte('\n')
		}
	}
}

// elapsed formats a command's duration.
func elapsed(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// errorLines writes a syntax error and the caret under the bad byte.
func errorLines(sb *strings.Builder, pal palette, se *wire.SyntaxError, line, col int, text string, caret int) {
	msg := errorText(se, line, col)
	sb.WriteString(rawIndent)
	sb.WriteString(pal.paint(colBad, msg))
	sb.WriteByte('\n')
	if text != "" {
		sb.WriteString(rawIndent + "  " + text + "\n")
		sb.WriteString(rawIndent + "  " + strings.Repeat(" ", caret) + pal.paint(colBad, "^") + "\n")
	}
}
