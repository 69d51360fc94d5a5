package command

import (
	"sync"

	"github.com/imapwire/imapwire/parser"
)

// queue delivers unsolicited responses to the handler from its own
// goroutine, so that the reader never waits for the handler. It holds at
// most max responses; beyond that it drops and counts.
type queue struct {
	handler func(parser.Response)
	max     int

	mu      sync.Mutex
	items   []parser.Response
	dropped int
	closed  bool
	wake    chan struct{}
	stopped chan struct{}
}

func newQueue(handler func(parser.Response), max int) *queue {
	if max <= 0 {
		max = 4096
	}
	q := &queue{handler: handler, max: max, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	if handler != nil {
		go q.run()
	} else {
		close(q.stopped)
	}
	return q
}

func (q *queue) push(r parser.Response) {
	if q.handler == nil {
		return
	}
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	if len(q.items) >= q.max {
		q.dropped++
	} else {
		if q.dropped > 0 {
			q.items = append(q.items, &Overflow{Dropped: q.dropped})
			q.dropped = 0
		}
		q.items = append(q.items, r)
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *queue) run() {
	defer close(q.stopped)
	for {
		q.mu.Lock()
		items := q.items
		q.items = nil
		if q.dropped > 0 {
			// Report the drops as soon as the queue has drained, not
			// only before a later response: there may be none.
			items = append(items, &Overflow{Dropped: q.dropped})
			q.dropped = 0
		}
		closed := q.closed
		q.mu.Unlock()
		for _, r := range items {
			q.handler(r)
		}
		if closed && len(items) == 0 {
			return
		}
		if len(items) == 0 {
			<-q.wake
		}
	}
}

// close stops the delivery goroutine after it delivered what is queued.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	// Do not wait for q.stopped: the handler itself may be the caller
	// (an "on BYE, close" handler), and it stops after what is queued.
}
