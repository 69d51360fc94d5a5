package main

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
)

// A transcript is a recorded session in which every line starts with "S: "
// (server to client) or "C: " (client to server). Literal bodies follow
// their "{n}" header verbatim, without a prefix, and a line without a prefix
// continues the side of the line before it. serverStream extracts the
// server's bytes, exactly as they were received.
type serverStream struct {
	br      *bufio.Reader
	pending []byte // server bytes ready to be read
	side    byte   // 'S' or 'C': the side of the current line
	atBOL   bool   // at the beginning of a transcript line
	litLeft int64  // bytes of a literal body still to copy or skip
	err     error
}

// isTranscript reports whether the input starts like a transcript.
func isTranscript(head []byte) bool {
	return bytes.HasPrefix(head, []byte("S: ")) || bytes.HasPrefix(head, []byte("C: ")) ||
		bytes.HasPrefix(head, []byte("S:\r")) || bytes.HasPrefix(head, []byte("S:\n"))
}

func newServerStream(br *bufio.Reader) *serverStream {
	return &serverStream{br: br, side: 'S', atBOL: true}
}

func (s *serverStream) Read(p []byte) (int, error) {
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
func (s *serverStream) step() {
	if s.litLeft > 0 {
		n := int64(s.br.Buffered())
		if n == 0 {
			if _, err := s.br.Peek(1); err != nil {
				s.fail(err)
				return
			}
			n = int64(s.br.Buffered())
		}
		n = min(n, s.litLeft)
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
		switch {
		case len(head) >= 2 && (head[0] == 'S' || head[0] == 'C') && head[1] == ':':
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
		// server's "+" and comes in a later "C: " line.
		if n, nonSync := literalAtEOL(line); s.side == 'S' || nonSync {
			s.litLeft = n
		}
	}
	if s.side == 'S' {
		s.pending = append(s.pending[:0], line...)
	}
	if err != nil {
		s.fail(err)
	}
}

func (s *serverStream) fail(err error) {
	s.err = err
}

// literalAtEOL returns n when line ends with "{n}" or "{n+}" before its
// CRLF (or LF), else 0, and whether the literal is non-synchronizing.
func literalAtEOL(line []byte) (n int64, nonSync bool) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) < 3 || line[len(line)-1] != '}' {
		return 0, false
	}
	i := bytes.LastIndexByte(line, '{')
	if i < 0 {
		return 0, false
	}
	num := line[i+1 : len(line)-1]
	nonSync = bytes.HasSuffix(num, []byte("+"))
	n, err := strconv.ParseInt(string(bytes.TrimSuffix(num, []byte("+"))), 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, nonSync
}

var _ io.Reader = (*serverStream)(nil)
