package command

import (
	"errors"
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

	mu      sync.Mutex
	err     error
	waiting bool // the reader waits for ack
}

var errMessageClosed = errors.New("imap: message closed")

func newMessage(seq uint32, items []parser.FetchItem, stream bool) *Message {
	m := &Message{SeqNum: seq, buffered: items, stream: stream}
	if stream {
		m.ch = make(chan parser.FetchItem, 16)
		m.ack = make(chan struct{}, 1)
		m.quit = make(chan struct{})
	}
	return m
}

// deliver hands item to the consumer, called by the reader. For a streamed
// body it waits until the consumer has moved on. It reports false when the
// consumer has gone.
func (m *Message) deliver(item parser.FetchItem, streaming bool) bool {
	select {
	case m.ch <- item:
	case <-m.quit:
		return false
	}
	if !streaming {
		return true
	}
	select {
	case <-m.ack:
		return true
	case <-m.quit:
		return false
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
		m.quitOnce.Do(func() { close(m.quit) })
	}
}

// Next returns the next item, or io.EOF after the last.
func (m *Message) Next() (parser.FetchItem, error) {
	if m.waiting {
		m.waiting = false
		m.ack <- struct{}{}
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
		m.waiting = true
	}
	return it, nil
}

// Close discards the rest of the message. The reader reads it through and
// goes on with the next response.
func (m *Message) Close() error {
	if m.waiting {
		m.waiting = false
		m.ack <- struct{}{}
	}
	m.buffered = nil
	m.abandon()
	return nil
}

// Collect reads the remaining items into a *parser.Message, buffering
// bodies.
func (m *Message) Collect() (*parser.Message, error) {
	pm := &parser.Message{SeqNum: m.SeqNum}
	for {
		it, err := m.Next()
		if err == io.EOF {
			return pm, nil
		}
		if err != nil {
			return nil, err
		}
		if err := pm.Add(it); err != nil {
			return nil, err
		}
	}
}
