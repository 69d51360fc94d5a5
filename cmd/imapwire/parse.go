package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

func runParse(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("parse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per response")
	quiet := fs.Bool("q", false, "print only a summary: responses, errors, bytes, MB/s")
	strict := fs.Bool("strict", false, "accept only the RFC grammar, without leniencies")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: imapwire parse [-json] [-q] [-strict] [FILE|-]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 1 || (*asJSON && *quiet) {
		fs.Usage()
		return 2
	}
	in := stdin
	name := "-"
	if fs.NArg() == 1 && fs.Arg(0) != "-" {
		name = fs.Arg(0)
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(stderr, "imapwire:", err)
			return 2
		}
		defer f.Close()
		in = f
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	defer out.Flush()
	p := &parseRun{printer: printer{out: out, json: *asJSON, quiet: *quiet, number: true}}
	if err := p.run(in, *strict); err != nil {
		out.Flush()
		fmt.Fprintf(stderr, "imapwire: %s: %v\n", name, err)
		return 1
	}
	if p.errors > 0 {
		return 1
	}
	return 0
}

type parseRun struct {
	printer
	responses int
	errors    int
	track     *tracker
}

func (p *parseRun) run(in io.Reader, strict bool) error {
	br := bufio.NewReaderSize(in, 64<<10)
	head, _ := br.Peek(3)
	var src io.Reader = br
	if wire.IsTranscript(head) {
		src = wire.NewTranscriptReader(br)
	}
	p.track = newTracker(src, !p.quiet)
	r := parser.NewReader(p.track, &parser.Options{Strict: strict})
	p.leniencies = r.Leniencies
	start := time.Now()
	for {
		resp, err := r.Next()
		if err == io.EOF {
			break
		}
		if err == nil {
			p.responses++
			err = p.print(resp)
			if se := unencodable(r.ResponseOffset(), resp, err); se != nil {
				err = se // reported as this response's error; the run goes on
			}
		}
		if err != nil {
			if stop, err := p.malformed(err); err != nil {
				return err
			} else if stop {
				break
			}
		}
	}
	if p.quiet {
		el := time.Since(start).Seconds()
		mbps := 0.0
		if el > 0 {
			mbps = float64(p.track.off) / 1e6 / el
		}
		fmt.Fprintf(p.out, "%d responses, %d errors, %d bytes, %.1f MB/s\n", p.responses, p.errors, p.track.off, mbps)
	}
	return nil
}

// unencodable turns err, when it says that a value of resp could not be
// encoded as JSON, into a *wire.SyntaxError at the response's offset, so
// that -json reports that one response as an error object and goes on
// with the next. It returns nil for any other err.
func unencodable(off int64, resp parser.Response, err error) *wire.SyntaxError {
	var ue *json.UnsupportedValueError
	var ut *json.UnsupportedTypeError
	var me *json.MarshalerError
	if !errors.As(err, &ue) && !errors.As(err, &ut) && !errors.As(err, &me) {
		return nil
	}
	return &wire.SyntaxError{Offset: off, Production: resp.ResponseType(), Expected: "a value JSON can encode", Found: err.Error()}
}

// malformed counts and shows a response that failed to parse. It reports
// whether parsing must stop (the stream ended inside the response), and
// returns err itself when it is not about the input's syntax (I/O).
func (p *parseRun) malformed(err error) (stop bool, _ error) {
	var se *wire.SyntaxError
	switch {
	case errors.As(err, &se):
		p.errors++
		p.printError(se)
		return false, nil
	case err == io.ErrUnexpectedEOF:
		p.errors++
		p.printError(&wire.SyntaxError{Offset: p.track.off, Production: "response", Expected: "rest of response", Found: "end of input"})
		return true, nil
	}
	return false, err
}

func (p *parseRun) printError(se *wire.SyntaxError) {
	line, col, text, caret := p.track.position(se.Offset)
	if p.json {
		p.out.WriteString(errorJSON(se, line, col))
		return
	}
	if p.quiet {
		return
	}
	p.header()
	p.out.WriteString(errorText(se, line, col))
	p.out.WriteByte('\n')
	if text != "" {
		fmt.Fprintf(p.out, "  %s\n  %s^\n", text, strings.Repeat(" ", caret))
	}
}

// errorText describes a syntax error for a reader: "error at offset N
// (line L, column C) in production: ...", the offset said once (the text
// of se.Error() starts with it too: it is made from the same fields). line
// is 0 when unknown.
func errorText(se *wire.SyntaxError, line, col int) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "error at offset %d", se.Offset)
	if line > 0 {
		fmt.Fprintf(&sb, " (line %d, column %d)", line, col)
	}
	if se.Production != "" {
		sb.WriteString(" in " + se.Production)
	}
	if se.Err != nil {
		sb.WriteString(": " + se.Err.Error())
	}
	if se.Expected != "" {
		sb.WriteString(": expected " + se.Expected)
	}
	if se.Found != "" {
		sb.WriteString(", found " + se.Found)
	}
	return sb.String()
}

// A tracker counts lines in the stream it passes on and keeps its most
// recent bytes, so an error offset can be shown as line, column and the
// text of the line.
type tracker struct {
	r         io.Reader
	off       int64
	keep      bool    // keep line starts and tail (not in -q mode)
	lines     []int64 // start offsets of recent lines
	firstLine int     // line number of lines[0]
	tail      []byte
	tailStart int64
}

const (
	maxLines = 1 << 16
	maxTail  = 1 << 20
)

func newTracker(r io.Reader, keep bool) *tracker {
	return &tracker{r: r, keep: keep, lines: []int64{0}, firstLine: 1}
}

func (t *tracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if t.keep && n > 0 {
		b := p[:n]
		for i := 0; ; {
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				break
			}
			i += j + 1
			t.lines = append(t.lines, t.off+int64(i))
		}
		if len(t.lines) > maxLines {
			drop := len(t.lines) - maxLines/2
			t.firstLine += drop
			t.lines = append(t.lines[:0], t.lines[drop:]...)
		}
		t.tail = append(t.tail, b...)
		if len(t.tail) > maxTail {
			drop := len(t.tail) - maxTail/2
			t.tailStart += int64(drop)
			t.tail = append(t.tail[:0], t.tail[drop:]...)
		}
	}
	t.off += int64(n)
	return n, err
}

// position returns the 1-based line and column of off, the line's text
// (escaped, cut to a window around the column) and the caret's column in
// that text. line is 0 when off is too old to be known.
func (t *tracker) position(off int64) (line, col int, text string, caret int) {
	i := len(t.lines) - 1
	for i >= 0 && t.lines[i] > off {
		i--
	}
	if i < 0 {
		return 0, 0, "", 0
	}
	start := t.lines[i]
	line, col = t.firstLine+i, int(off-start)+1
	if start < t.tailStart {
		return line, col, "", 0
	}
	b := t.tail[start-t.tailStart:]
	if j := bytes.IndexByte(b, '\n'); j >= 0 {
		b = b[:j+1]
	}
	rel := int(off - start)
	from := 0
	if rel > 60 {
		from = rel - 60
	}
	to := min(len(b), rel+60)
	var sb strings.Builder
	for k := from; k < to; k++ {
		if k == rel {
			caret = sb.Len()
		}
		sb.WriteString(escapeByte(b[k]))
	}
	if rel >= to {
		caret = sb.Len()
	}
	return line, col, sb.String(), caret
}

func escapeByte(c byte) string {
	switch {
	case c == '\r':
		return `\r`
	case c == '\n':
		return `\n`
	case c == '\t':
		return `\t`
	case c < 0x20 || c == 0x7f || c >= 0x80:
		return fmt.Sprintf(`\x%02x`, c)
	}
	return string(rune(c))
}
