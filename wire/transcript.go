package wire

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"sync"
)

// The transcript format records both directions of a session as text that
// a person can read and a program can replay:
//
//	S: * OK [CAPABILITY IMAP4rev1] ready
//	C: A1 LOGIN alice ***
//	S: A1 OK done
//	C: A2 FETCH 1 BODY[]
//	S: * 1 FETCH (BODY[] {11}
//	hello world)
//	S: A2 OK done
//
// Every record starts with "S: " (server to client) or "C: " (client to
// server) at the beginning of a line. A record is one line; when the line
// ends with a literal header ("{n}" from the server, "{n+}" from the client)
// the literal's n bytes follow verbatim, then the rest of the line, all in
// the same record. The body of a client's synchronizing literal, sent after
// the server's "+", starts a new "C: " record. A line with no prefix
// continues the record before it. Bytes between the prefixes are exactly
// the bytes on the wire, except masked credentials.

// A Transcript writes the transcript of a session to an io.Writer. Wrap the
// connection's reading side with Server and its writing side with Client.
// It is safe for concurrent use by the two directions.
type Transcript struct {
	mu     sync.Mutex
	w      io.Writer
	floor  byte // the side whose record is being written, or 0
	sides  [2]side
	masked bool
	err    error
}

type side struct {
	prefix  string
	pending []byte // bytes waiting for the floor
	bol     bool   // the next byte starts a record
	lit     int64  // literal bytes still to pass verbatim
	tail    []byte // the end of the current line, to find "{n}"
	client  bool
}

// NewTranscript returns a Transcript writing to w.
func NewTranscript(w io.Writer) *Transcript {
	t := &Transcript{w: w}
	t.sides[0] = side{prefix: "S: ", bol: true}
	t.sides[1] = side{prefix: "C: ", bol: true, client: true}
	return t
}

// Server returns a reader that reads from r and records what it reads as
// the server's side.
func (t *Transcript) Server(r io.Reader) io.Reader { return &teeReader{r: r, t: t} }

// Client returns a writer that writes to w and records what it writes as
// the client's side.
func (t *Transcript) Client(w io.Writer) io.Writer { return &teeWriter{w: w, t: t} }

// Mask turns masking of the client's bytes on or off: while on, the
// recorded bytes are replaced by "***" (by one '*' per byte inside a
// literal, so that the transcript's literal counts stay exact).
func (t *Transcript) Mask(on bool) {
	t.mu.Lock()
	t.masked = on
	t.mu.Unlock()
}

type teeReader struct {
	r io.Reader
	t *Transcript
}

func (tr *teeReader) Read(p []byte) (int, error) {
	n, err := tr.r.Read(p)
	if n > 0 {
		tr.t.record(0, p[:n])
	}
	return n, err
}

type teeWriter struct {
	w io.Writer
	t *Transcript
}

// Write records p before writing it, so that the server's answer to these
// bytes can never appear above them in the transcript. Bytes a failed write
// did not deliver are recorded all the same.
func (tw *teeWriter) Write(p []byte) (int, error) {
	tw.t.record(1, p)
	return tw.w.Write(p)
}

// record adds bytes of side i and writes whatever can be written.
func (t *Transcript) record(i int, b []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := &t.sides[i]
	if i == 1 && t.masked {
		if s.lit > 0 {
			b = bytes.Repeat([]byte{'*'}, len(b))
		} else if len(s.pending) < 3 || !bytes.HasSuffix(s.pending, []byte("***")) {
			b = []byte("***")
		} else {
			return
		}
	}
	s.pending = append(s.pending, b...)
	t.pump()
}

// pump writes pending bytes, giving the floor to one side at a time.
func (t *Transcript) pump() {
	for progress := true; progress; {
		progress = false
		for i := range t.sides {
			s := &t.sides[i]
			if len(s.pending) == 0 || (t.floor != 0 && t.floor != s.prefix[0]) {
				continue
			}
			t.floor = s.prefix[0]
			if t.emit(s) {
				t.floor = 0 // the record ended
			}
			progress = true
		}
	}
}

// emit writes as much of s.pending as belongs to the current record and
// reports whether the record ended.
func (t *Transcript) emit(s *side) bool {
	var out []byte
	ended := false
	i := 0
	for i < len(s.pending) && !ended {
		if s.lit > 0 {
			n := min(int64(len(s.pending)-i), s.lit)
			out = append(out, s.pending[i:i+int(n)]...)
			i += int(n)
			s.lit -= n
			continue
		}
		if s.bol {
			out = append(out, s.prefix...)
			s.bol = false
		}
		c := s.pending[i]
		out = append(out, c)
		i++
		if len(s.tail) >= 32 {
			s.tail = append(s.tail[:0], s.tail[16:]...)
		}
		s.tail = append(s.tail, c)
		if c == '\n' {
			n, nonSync, ok := LiteralAtLineEnd(s.tail)
			s.tail = s.tail[:0]
			if ok && (!s.client || nonSync) {
				s.lit = n
				continue
			}
			s.bol = true
			ended = true
		}
	}
	s.pending = s.pending[i:]
	if len(out) > 0 && t.err == nil {
		_, t.err = t.w.Write(out)
	}
	return ended
}

// LiteralAtLineEnd reports the literal that line announces at its end:
// "{n}", "{n+}" or "~{n}" followed by CRLF or a bare LF. nonSync reports
// "{n+}". Tools that follow a byte stream by lines (transcripts, the REPL)
// use it to know that n bytes of literal come next.
func LiteralAtLineEnd(line []byte) (n int64, nonSync, ok bool) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) < 3 || line[len(line)-1] != '}' {
		return 0, false, false
	}
	i := bytes.LastIndexByte(line, '{')
	if i < 0 {
		return 0, false, false
	}
	num := line[i+1 : len(line)-1]
	nonSync = bytes.HasSuffix(num, []byte("+"))
	num = bytes.TrimSuffix(num, []byte("+"))
	if len(num) == 0 || len(num) > 18 {
		return 0, false, false
	}
	v, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil || v < 0 {
		return 0, false, false
	}
	return v, nonSync, true
}

// IsTranscript reports whether head, the first bytes of a stream, looks
// like a transcript rather than a raw capture.
func IsTranscript(head []byte) bool {
	return bytes.HasPrefix(head, []byte("S: ")) || bytes.HasPrefix(head, []byte("C: ")) ||
		bytes.HasPrefix(head, []byte("S:\r")) || bytes.HasPrefix(head, []byte("S:\n"))
}

// NewTranscriptReader returns a reader of the server's bytes recorded in a
// transcript read from r, exactly as the server sent them.
func NewTranscriptReader(r io.Reader) io.Reader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &transcriptReader{br: br, side: 'S', atBOL: true}
}

type transcriptReader struct {
	br      *bufio.Reader
	pending []byte // server bytes ready to be read
	side    byte   // 'S' or 'C': the side of the current record
	atBOL   bool
	litLeft int64 // bytes of a literal body still to copy or skip
	err     error
}

func (s *transcriptReader) Read(p []byte) (int, error) {
	for len(s.pending) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		s.step()
	}
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
	return n, nil
}

// step produces the next chunk of server bytes (possibly none).
func (s *transcriptReader) step() {
	if s.litLeft > 0 {
		if _, err := s.br.Peek(1); err != nil {
			s.err = err
			return
		}
		n := min(int64(s.br.Buffered()), s.litLeft)
		b, _ := s.br.Peek(int(n))
		if s.side == 'S' {
			s.pending = append(s.pending[:0], b...)
		}
		s.br.Discard(int(n))
		s.litLeft -= n
		return
	}
	if s.atBOL {
		head, _ := s.br.Peek(3)
		if len(head) >= 2 && (head[0] == 'S' || head[0] == 'C') && head[1] == ':' {
			s.side = head[0]
			skip := 2
			if len(head) == 3 && head[2] == ' ' {
				skip = 3
			}
			s.br.Discard(skip)
		}
		s.atBOL = false
	}
	line, err := s.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		err = nil
	} else if err == nil {
		s.atBOL = true
		// A server literal's body always follows its header; a client's
		// only when non-synchronizing: a synchronizing one waits for the
		// server's "+" and comes in a later "C: " record.
		if n, nonSync, ok := LiteralAtLineEnd(line); ok && (s.side == 'S' || nonSync) {
			s.litLeft = n
		}
	}
	if s.side == 'S' {
		s.pending = append(s.pending[:0], line...)
	}
	if err != nil {
		s.err = err
	}
}
