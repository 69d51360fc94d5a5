package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/imapwire/imapwire/parser"
)

// A Message is one FETCH response delivered to the command that asked for
// it. Its items are read with Next; a *parser.BodySectionItem's Body streams
// from the connection and is valid until the next call to Next. While a
// body is being streamed the connection reads nothing else, so read the
// message through (or Close it) before waiting on other commands.
type Message struct {
	SeqNum uint32

	buffered []parser.FetchItem // items read before the owner was known
	stream   bool               // more items come through ch
	ch       chan parser.FetchItem
	ack      chan struct{} // the consumer is done with a streamed body
	quit     chan struct{} // the consumer closed or abandoned the message
	quitOnce sync.Once
	broken   <-chan struct{} // Conn.broken: the connection failed

	mu      sync.Mutex
	err     error
	waiting bool        // the reader waits for ack
	body    *bodyReader // the body being streamed, nil once released

	ahead int64 // bytes of bodies read ahead into this message (Command.reserve)

	maxLiteral int64 // the largest body Collect buffers (Limits.MaxLiteral)
	conn       *Conn // for Collect to close on a context ending mid-stream
}

var (
	errMessageClosed = errors.New("imap: message closed")
	errBodyStale     = errors.New("imap: body read after Message.Next or Close")
	errConnBroken    = errors.New("imap: connection failed while a body was streamed")
)

func newMessage(seq uint32, items []parser.FetchItem, stream bool, broken <-chan struct{}, maxLiteral int64) *Message {
	m := &Message{SeqNum: seq, buffered: items, stream: stream, broken: broken, maxLiteral: maxLiteral}
	if stream {
		m.ch = make(chan parser.FetchItem, 16)
		m.ack = make(chan struct{}, 1)
		m.quit = make(chan struct{})
	}
	return m
}

// deliver hands item to the consumer, called by the reader. For a streamed
// body it waits until the consumer has moved on. It returns
// errMessageClosed when the consumer has gone, and errConnBroken when the
// connection failed meanwhile (Close from another goroutine): the reader
// must then stop without touching the stream, which the consumer may still
// be reading. (Without this case Close hung while a body was half read.)
func (m *Message) deliver(item parser.FetchItem, streaming bool) error {
	select {
	case m.ch <- item:
	case <-m.quit:
		return errMessageClosed
	case <-m.broken:
		return errConnBroken
	}
	if !streaming {
		return nil
	}
	select {
	case <-m.ack:
		return nil
	case <-m.quit:
		return errMessageClosed
	case <-m.broken:
		return errConnBroken
	}
}

// end marks the last item delivered.
func (m *Message) end() { close(m.ch) }

// fail ends the message with err (the connection failed mid-message).
func (m *Message) fail(err error) {
	m.mu.Lock()
	m.err = err
	m.mu.Unlock()
	close(m.ch)
}

func (m *Message) abandon() {
	if m.stream {
		m.mu.Lock()
		m.body = nil // the reader drains it now: reading it would race
		m.mu.Unlock()
		m.quitOnce.Do(func() { close(m.quit) })
	}
}

// release tells the reader that the consumer is done with the streamed
// body, if it waits for that.
func (m *Message) release() {
	m.mu.Lock()
	waiting := m.waiting
	m.waiting = false
	m.body = nil
	m.mu.Unlock()
	if waiting {
		m.ack <- struct{}{} // buffered: one body at a time
	}
}

// bodyReader is the Body of a streamed section. It refuses reads once the
// reader has moved on (after Next or Close), instead of racing with it on
// the stream. A read error other than io.EOF means the connection is
// broken: it releases the reader at once, which then fails every command,
// so that a consumer that stops at the error (and waits for another
// command) hangs nothing.
type bodyReader struct {
	r   io.Reader
	m   *Message
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	b.m.mu.Lock()
	live := b.m.body == b
	b.m.mu.Unlock()
	if !live {
		if b.err != nil {
			return 0, b.err
		}
		return 0, errBodyStale
	}
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
		b.m.release()
	}
	return n, err
}

// Next returns the next item, or io.EOF after the last.
func (m *Message) Next() (parser.FetchItem, error) {
	m.release()
	select {
	case <-m.quit: // nil unless streamed
		return nil, errMessageClosed
	default:
	}
	if len(m.buffered) > 0 {
		it := m.buffered[0]
		m.buffered = m.buffered[1:]
		return it, nil
	}
	if !m.stream {
		return nil, io.EOF
	}
	var it parser.FetchItem
	ok := false
	select {
	case it, ok = <-m.ch:
	case <-m.quit:
		return nil, errMessageClosed
	}
	if !ok {
		m.mu.Lock()
		err := m.err
		m.mu.Unlock()
		if err == nil {
			err = io.EOF
		}
		return nil, err
	}
	if b, isBody := it.(*parser.BodySectionItem); isBody && b.Data == nil && b.Body != nil {
		br := &bodyReader{r: b.Body, m: m}
		b.Body = br
		m.mu.Lock()
		m.waiting = true
		m.body = br
		m.mu.Unlock()
	}
	return it, nil
}

// Close discards the rest of the message. The reader reads it through and
// goes on with the next response.
func (m *Message) Close() error {
	m.release()
	m.buffered = nil
	m.abandon()
	return nil
}

// Collect reads the remaining items into a *parser.Message, buffering
// bodies. A body larger than the connection's Limits.MaxLiteral is not
// read: Collect returns a *LiteralError (matching wire.ErrLiteralTooLarge)
// and closes the message; the rest is discarded and the connection stays
// usable. Memory grows with the bytes received, not with the size the
// server declared.
//
// When ctx ends while a streamed message is read from the connection, the
// stream cannot be resynchronized: the connection is closed, and Collect
// and every pending command fail with a *ConnError wrapping
// ErrInterruptedRead and the context's error.
func (m *Message) Collect(ctx context.Context) (*parser.Message, error) {
	if err := ctx.Err(); err != nil {
		m.Close()
		return nil, err
	}
	if m.stream && m.conn != nil {
		stop := context.AfterFunc(ctx, func() {
			m.conn.fail(fmt.Errorf("%w (%w)", ErrInterruptedRead, context.Cause(ctx)))
		})
		defer stop()
	}
	pm := &parser.Message{SeqNum: m.SeqNum}
	for {
		it, err := m.Next()
		if err == io.EOF {
			return pm, nil
		}
		if err != nil {
			return nil, err
		}
		if b, ok := it.(*parser.BodySectionItem); ok && b.Data == nil && b.Body != nil && m.maxLiteral > 0 && b.Size > m.maxLiteral {
			m.Close()
			return nil, &LiteralError{Item: b.ItemName(), Size: b.Size, Max: m.maxLiteral}
		}
		if err := pm.Add(it); err != nil {
			return nil, m.bodyFailed(ctx, err)
		}
	}
}

// bodyFailed returns the error of a streamed body that could not be read
// whole. Such an error (EOF, a reset, the connection closed by a context)
// ends the connection: the reader, released by the body, fails with it. The
// caller gets the connection's error, a *ConnError, like every other
// command, rather than the raw I/O error.
func (m *Message) bodyFailed(ctx context.Context, err error) error {
	if m.conn == nil {
		return err
	}
	select {
	case <-m.broken: // first: the context's end may be why it broke
		return m.conn.Err()
	default:
	}
	select {
	case <-m.broken:
		return m.conn.Err()
	case <-ctx.Done():
		return err
	}
}
