package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// This file holds the printing of parsed responses shared by `imapwire
// parse` and the REPL: the tree (writeTree, in tree.go) under a header line,
// or one JSON object per line.

const previewLen = 48

// A printer writes parsed responses to out as trees or JSON lines.
type printer struct {
	out   *bufio.Writer
	json  bool // one JSON object per line instead of a tree
	quiet bool // print nothing, but read every FETCH item (and body)
	// number puts "#N " before each tree header, N counting from 1.
	number bool
	n      int
	// body, when set, reads a streamed body section in place of
	// summarize: the REPL keeps the data for .save.
	body func(*parser.BodySectionItem) (*literalSummary, error)
	// suffix, when set, is appended to the next tree header line (the
	// REPL's timing); extra, when set, is merged into the next JSON
	// object. Both are cleared once used.
	suffix string
	extra  map[string]any
	// leniencies, when set, returns the deviations the parser accepted
	// in the response being printed; -json names them in "leniencies".
	leniencies func() []parser.Leniency

	jw  jsonWriter
	add []jsonKV
}

// print writes one response; FETCH items are streamed.
func (p *printer) print(resp parser.Response) error {
	if f, ok := resp.(*parser.Fetch); ok {
		return p.printFetch(f)
	}
	if p.quiet {
		return nil
	}
	if p.json {
		return p.writeJSON(resp, nil)
	}
	kind, tag := kindOf(resp)
	p.header()
	fmt.Fprintf(p.out, "%s %s", kind, resp.ResponseType())
	if tag != "" {
		fmt.Fprintf(p.out, " tag=%s", tag)
	}
	p.endHeader()
	writeTree(p.out, "  ", resp)
	return nil
}

// header starts a tree header line.
func (p *printer) header() {
	p.n++
	if p.number {
		fmt.Fprintf(p.out, "#%d ", p.n)
	}
}

// endHeader ends a tree header line, with the suffix if any.
func (p *printer) endHeader() {
	p.out.WriteString(p.suffix)
	p.suffix = ""
	p.out.WriteByte('\n')
}

func kindOf(resp parser.Response) (kind, tag string) {
	switch r := resp.(type) {
	case *parser.StatusResponse:
		return "status", r.Tag
	case *parser.Continuation:
		return "continue", ""
	}
	return "data", ""
}

// literalSummary describes a body section without dumping it.
type literalSummary struct {
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	Nil     bool   `json:"nil,omitempty"`
	Origin  *int64 `json:"origin,omitempty"`
	SHA256  string `json:"sha256"`
	Preview string `json:"preview"`
}

func summarize(it *parser.BodySectionItem) (*literalSummary, error) {
	h := sha256.New()
	var pre [previewLen]byte
	n, err := io.ReadFull(it.Body, pre[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	h.Write(pre[:n])
	m, err := io.Copy(h, it.Body)
	if err != nil {
		return nil, err
	}
	if int64(n)+m != it.Size {
		return nil, io.ErrUnexpectedEOF
	}
	return newSummary(it, h.Sum(nil), pre[:n]), nil
}

// newSummary returns the summary of it, given the SHA-256 of its data and
// at least its first previewLen bytes (or all of them).
func newSummary(it *parser.BodySectionItem, sum, head []byte) *literalSummary {
	head = head[:min(len(head), previewLen)]
	s := &literalSummary{Name: it.ItemName(), Size: it.Size, Nil: it.Nil, SHA256: hex.EncodeToString(sum), Preview: string(head)}
	if it.Origin >= 0 {
		o := it.Origin
		s.Origin = &o
	}
	return s
}

type fetchItemJSON struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// fetchJSON is the body of a FETCH's JSON object.
type fetchJSON struct {
	Seq   uint32          `json:"seq"`
	Items []fetchItemJSON `json:"items"`
}

func (p *printer) printFetch(f *parser.Fetch) error {
	var items []fetchItemJSON
	if !p.quiet && !p.json {
		p.header()
		fmt.Fprintf(p.out, "data FETCH seq=%d", f.SeqNum)
		p.endHeader()
	}
	for {
		item, err := f.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if p.quiet {
			if it, ok := item.(*parser.BodySectionItem); ok {
				if _, err := io.Copy(io.Discard, it.Body); err != nil {
					return err
				}
			}
			continue
		}
		var v any = item
		if it, ok := item.(*parser.BodySectionItem); ok {
			read := summarize
			if p.body != nil {
				read = p.body
			}
			s, err := read(it)
			if err != nil {
				return err
			}
			v = s
		}
		if p.json {
			items = append(items, fetchItemJSON{Name: item.ItemName(), Value: itemValue(v)})
			continue
		}
		if s, ok := v.(*literalSummary); ok {
			fmt.Fprintf(p.out, "  %s: %d bytes sha256=%s preview=%s\n", s.Name, s.Size, s.SHA256[:16], strconv.Quote(s.Preview))
			continue
		}
		fmt.Fprintf(p.out, "  %s:", item.ItemName())
		writeInline(p.out, "    ", itemValue(v))
	}
	if p.json {
		return p.writeJSON(f, &fetchJSON{Seq: f.SeqNum, Items: items})
	}
	return nil
}

// itemValue unwraps the single field of a simple fetch item.
func itemValue(v any) any {
	switch it := v.(type) {
	case *parser.UIDItem:
		return it.UID
	case *parser.FlagsItem:
		return it.Flags
	case *parser.InternalDateItem:
		if errors.Is(it.Err, parser.ErrDateNIL) {
			return nil // INTERNALDATE NIL, accepted leniently
		}
		if se := (*wire.SyntaxError)(nil); errors.As(it.Err, &se) {
			return it.Raw + " (out of range: expected " + se.Expected + ")"
		}
		return it.Time
	case *parser.SizeItem:
		return it.Size
	case *parser.EnvelopeItem:
		return it.Envelope
	case *parser.BodyStructureItem:
		return it.Body
	case *parser.ModSeqItem:
		return it.ModSeq
	case *parser.GmailMsgIDItem:
		return it.ID
	case *parser.GmailThrIDItem:
		return it.ID
	case *parser.GmailLabelsItem:
		return it.Labels
	case *parser.EmailIDItem:
		return it.ID
	case *parser.ThreadIDItem:
		return it.ID
	case *parser.BinarySizeItem:
		return it.Size
	case *parser.RawItem:
		return it.Value
	}
	return v
}

// writeJSON writes {"kind":..., "tag":..., "type":..., fields...} on a
// line: the fields of resp, or of fetch for a FETCH, and p.extra, in the
// key order of jsonout.go.
func (p *printer) writeJSON(resp parser.Response, fetch *fetchJSON) error {
	kind, tag := kindOf(resp)
	add := append(p.add[:0], jsonKV{"kind", kind}, jsonKV{"type", resp.ResponseType()}, jsonKV{"tag", tag})
	for k, v := range p.extra {
		add = append(add, jsonKV{k, v})
	}
	p.extra = nil
	if p.leniencies != nil {
		if l := p.leniencies(); len(l) > 0 {
			add = append(add, jsonKV{"leniencies", l})
		}
	}
	p.add = add[:0]
	if fetch != nil {
		return p.jw.write(p.out, fetch, add, false)
	}
	return p.jw.write(p.out, resp, add, true)
}

// errorJSON returns the JSON line of a syntax error at line and column of
// the server stream.
func errorJSON(se *wire.SyntaxError, line, col int) string {
	b, _ := json.Marshal(map[string]any{
		"kind": "error", "offset": se.Offset, "line": line, "column": col, "message": se.Error(),
		"production": se.Production,
	})
	return string(b) + "\n"
}
