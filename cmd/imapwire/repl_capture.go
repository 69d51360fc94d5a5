package main

import (
	"bytes"
	"crypto/sha256"
	"hash"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imapwire/imapwire/wire"
)

// This file holds what sits between the connection and the parser: the
// capture that keeps each response's bytes for display (without the bodies
// of streamed literals), the tracer that writes the -trace transcript, and
// the literals kept for .save.

// A capture reads the server's bytes from a connection and keeps those not
// yet shown, so that each response can be displayed exactly as received.
// The body of a literal streamed by the parser (a FETCH body section) is not
// kept: elide replaces it with a *literal that holds its size, hash, first
// bytes and, for .save, its data.
//
// Read is called by the reader goroutine only; startTrace may be called
// from any goroutine.
type capture struct {
	r        io.Reader
	tr       *tracer
	lastRead *atomic.Int64 // set to the time of each read, or nil

	mu     sync.Mutex // guards the fields below; taken before tracer.mu
	off    int64      // stream offset of the next byte read
	pieces []piece    // kept bytes and elided literals, in stream order
	skipTo int64      // bytes before this offset are in an elided literal
	// pendingTrace is a trace to start once no elided literal is kept:
	// a transcript must hold the literal's bytes, which are gone.
	pendingTrace *traceSink
}

// A piece is a run of kept bytes, or an elided literal.
type piece struct {
	off  int64
	data []byte   // nil for an elided literal
	lit  *literal // the elided literal, or nil
}

func (p piece) end() int64 {
	if p.lit != nil {
		return p.off + p.lit.size
	}
	return p.off + int64(len(p.data))
}

func newCapture(r io.Reader, tr *tracer, lastRead *atomic.Int64) *capture {
	return &capture{r: r, tr: tr, lastRead: lastRead}
}

func (c *capture) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		if c.lastRead != nil {
			c.lastRead.Store(time.Now().UnixNano())
		}
		c.mu.Lock()
		c.tr.server(p[:n])
		b, off := p[:n], c.off
		if off < c.skipTo {
			k := min(int64(n), c.skipTo-off)
			b, off = b[k:], off+k
		}
		c.appendBytes(off, b)
		c.off += int64(n)
		c.mu.Unlock()
	}
	return n, err
}

func (c *capture) appendBytes(off int64, b []byte) {
	if len(b) == 0 {
		return
	}
	if k := len(c.pieces); k > 0 && c.pieces[k-1].lit == nil && c.pieces[k-1].end() == off {
		c.pieces[k-1].data = append(c.pieces[k-1].data, b...)
		return
	}
	c.pieces = append(c.pieces, piece{off: off, data: append([]byte(nil), b...)})
}

// elide replaces the lit.size bytes from offset at, the body of a literal
// whose header was just read, with lit. Bytes of the body already read are
// dropped; bytes after it already read are kept.
func (c *capture) elide(at int64, lit *literal) {
	c.mu.Lock()
	defer c.mu.Unlock()
	end := at + lit.size
	var after []byte
	if k := len(c.pieces); k > 0 {
		if p := &c.pieces[k-1]; p.lit == nil && p.off <= at && at < p.end() {
			if end < p.end() {
				after = append([]byte(nil), p.data[end-p.off:]...)
			}
			p.data = p.data[:at-p.off]
			if len(p.data) == 0 {
				c.pieces = c.pieces[:k-1]
			}
		}
	}
	c.pieces = append(c.pieces, piece{off: at, lit: lit})
	if len(after) > 0 {
		c.pieces = append(c.pieces, piece{off: end, data: after})
	}
	c.skipTo = max(c.skipTo, end)
}

// take returns the kept pieces in [from, to) and forgets everything before
// to.
func (c *capture) take(from, to int64) []piece {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out, keep []piece
	for _, p := range c.pieces {
		if p.lit != nil {
			if p.off >= to {
				keep = append(keep, p)
			} else if p.off >= from {
				out = append(out, p)
			}
			continue
		}
		if lo, hi := max(p.off, from), min(p.end(), to); lo < hi {
			out = append(out, piece{off: lo, data: p.data[lo-p.off : hi-p.off]})
		}
		if p.end() > to {
			lo := max(p.off, to)
			keep = append(keep, piece{off: lo, data: append([]byte(nil), p.data[lo-p.off:]...)})
		}
	}
	c.pieces = keep
	if c.pendingTrace != nil && !c.hasLiteral() {
		c.replay(c.pendingTrace)
		c.pendingTrace = nil
	}
	return out
}

func (c *capture) hasLiteral() bool {
	for _, p := range c.pieces {
		if p.lit != nil {
			return true
		}
	}
	return false
}

// startTrace makes the tracer write to ts from the start of the response
// being read (or the next one), so that the transcript starts at a response
// boundary. It reports whether starting had to wait for the end of a
// response with a streamed literal.
func (c *capture) startTrace(ts *traceSink) (deferred bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hasLiteral() {
		c.pendingTrace = ts
		return true
	}
	c.replay(ts)
	return false
}

// replay writes the kept bytes to ts and makes it the trace.
func (c *capture) replay(ts *traceSink) {
	for _, p := range c.pieces {
		ts.server(p.data)
	}
	c.tr.set(ts)
}

// A tracer writes both sides of the session to the current trace, if any.
type tracer struct {
	mu   sync.Mutex
	sink *traceSink
}

func (t *tracer) set(ts *traceSink) {
	t.mu.Lock()
	t.sink = ts
	t.mu.Unlock()
}

// stop ends the trace, if any, and closes its file.
func (t *tracer) stop() error {
	t.mu.Lock()
	ts := t.sink
	t.sink = nil
	t.mu.Unlock()
	if ts == nil {
		return nil
	}
	return ts.f.Close()
}

func (t *tracer) server(b []byte) {
	t.mu.Lock()
	if t.sink != nil {
		t.sink.server(b)
	}
	t.mu.Unlock()
}

// client records bytes the client sent; masked bytes are recorded as
// "***" (see wire.Transcript.Mask).
func (t *tracer) client(b []byte, masked bool) {
	t.mu.Lock()
	if ts := t.sink; ts != nil {
		if masked {
			ts.t.Mask(true)
		}
		ts.cli.Write(b)
		if masked {
			ts.t.Mask(false)
		}
	}
	t.mu.Unlock()
}

// A traceSink is one transcript file.
type traceSink struct {
	name string
	f    *os.File
	t    *wire.Transcript
	feed feedReader
	srv  io.Reader // t.Server(&feed)
	cli  io.Writer // t.Client(io.Discard)
	buf  []byte
}

func newTraceSink(name string) (*traceSink, error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	ts := &traceSink{name: name, f: f, t: wire.NewTranscript(f), buf: make([]byte, 32<<10)}
	ts.srv = ts.t.Server(&ts.feed)
	ts.cli = ts.t.Client(io.Discard)
	return ts, nil
}

// server records b as the server's bytes.
func (ts *traceSink) server(b []byte) {
	ts.feed.b = b
	for len(ts.feed.b) > 0 {
		ts.srv.Read(ts.buf)
	}
}

// A feedReader returns the bytes it is given.
type feedReader struct{ b []byte }

func (f *feedReader) Read(p []byte) (int, error) {
	if len(f.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.b)
	f.b = f.b[n:]
	return n, nil
}

// Literal display and storage.
const (
	litHeadLen = 4 << 10  // bytes of a literal kept for display
	litMemory  = 64 << 20 // bytes of one response's literals kept in memory for .save; the rest go to temporary files
)

// A literal is one literal of a response (or of a command sent): its size,
// SHA-256, line count and first bytes for display, and its data for .save,
// in memory or in a temporary file.
type literal struct {
	n     int // its number in the response, from 1
	size  int64
	sum   []byte
	lines int64 // number of LFs
	head  []byte
	data  []byte // all of it, when kept in memory
	file  string // or the temporary file holding it
	err   error  // why it could not be kept, if so
}

// newInlineLiteral returns the literal of b (bytes kept in the capture).
func newInlineLiteral(b []byte) *literal {
	sum := sha256.Sum256(b)
	var lines int64
	for _, c := range b {
		if c == '\n' {
			lines++
		}
	}
	data := append([]byte(nil), b...)
	return &literal{size: int64(len(b)), sum: sum[:], lines: lines, head: data[:min(len(data), litHeadLen)], data: data}
}

// A litWriter receives a streamed literal's bytes.
type litWriter struct {
	lit    *literal
	h      hash.Hash
	budget *int64 // memory left for this response's literals
	f      *os.File
}

func newLitWriter(lit *literal, budget *int64) *litWriter {
	return &litWriter{lit: lit, h: sha256.New(), budget: budget}
}

func (w *litWriter) Write(p []byte) (int, error) {
	l := w.lit
	w.h.Write(p)
	if k := litHeadLen - len(l.head); k > 0 {
		l.head = append(l.head, p[:min(k, len(p))]...)
	}
	for _, c := range p {
		if c == '\n' {
			l.lines++
		}
	}
	if l.err != nil {
		return len(p), nil
	}
	switch {
	case w.f != nil:
		if _, err := w.f.Write(p); err != nil {
			l.err = err
		}
	case *w.budget >= int64(len(p)):
		*w.budget -= int64(len(p))
		l.data = append(l.data, p...)
	default:
		f, err := os.CreateTemp("", "imapwire-literal-*")
		if err != nil {
			l.err = err
			l.data = nil
			return len(p), nil
		}
		w.f, l.file = f, f.Name()
		*w.budget += int64(len(l.data))
		if _, err := f.Write(l.data); err != nil {
			l.err = err
		}
		l.data = nil
		if _, err := f.Write(p); err != nil {
			l.err = err
		}
	}
	return len(p), nil
}

// finish records the hash and closes the temporary file, if any.
func (w *litWriter) finish() {
	w.lit.sum = w.h.Sum(nil)
	if w.f != nil {
		if err := w.f.Close(); err != nil && w.lit.err == nil {
			w.lit.err = err
		}
	}
}

// save writes the literal's data to name.
func (l *literal) save(name string) error {
	if l.err != nil {
		return l.err
	}
	if l.file != "" {
		src, err := os.Open(l.file)
		if err != nil {
			return err
		}
		defer src.Close()
		dst, err := os.Create(name)
		if err != nil {
			return err
		}
		if _, err := io.Copy(dst, src); err != nil {
			dst.Close()
			return err
		}
		return dst.Close()
	}
	return os.WriteFile(name, l.data, 0o644)
}

// release removes the temporary file, if any.
func (l *literal) release() {
	if l.file != "" {
		os.Remove(l.file)
		l.file = ""
	}
}

// lineEnd returns the offset just after the first LF at or after off among
// the bytes read, or the offset of the next byte to read when there is
// none yet.
func (c *capture) lineEnd(off int64) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.pieces {
		if p.lit != nil || p.end() <= off {
			continue
		}
		from := max(off, p.off) - p.off
		if i := bytes.IndexByte(p.data[from:], '\n'); i >= 0 {
			return p.off + from + int64(i) + 1
		}
	}
	return c.off
}
