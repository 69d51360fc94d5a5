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

	// taken counts the responses the delivery goroutine has taken from
	// items and not yet begun to deliver: they wait too, and count
	// against max.
	taken int

	// gen counts discards; busy is 1 + the generation of the response
	// being delivered (0: none).
	gen  uint64
	busy uint64
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
	if len(q.items)+q.taken >= q.max {
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
		gen := q.gen
		q.taken = len(items)
		q.mu.Unlock()
		for _, r := range items {
			if !q.begin(gen) {
				break // discarded meanwhile
			}
			q.handler(r)
			q.end()
		}
		q.mu.Lock()
		q.taken = 0
		q.mu.Unlock()
		if closed && len(items) == 0 {
			return
		}
		if len(items) == 0 {
			<-q.wake
		}
	}
}

// begin marks a response of generation gen as being delivered. It reports
// false when the queue was discarded since the response was taken.
func (q *queue) begin(gen uint64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if gen != q.gen {
		return false
	}
	q.busy = gen + 1
	q.taken-- // no longer waiting
	return true
}

// end marks the delivery begun by begin done.
func (q *queue) end() {
	q.mu.Lock()
	q.busy = 0
	q.mu.Unlock()
}

// discard drops every response queued and not yet delivered: after
// STARTTLS nothing received in the clear may be believed (RFC 3501
// section 6.2.1, RFC 2595 section 3.1). The response the handler may be
// delivering now is stale from then on.
func (q *queue) discard() {
	q.mu.Lock()
	q.gen++
	q.items = nil
	q.dropped = 0
	q.mu.Unlock()
}

// stale reports whether the response being delivered now was queued before
// the last discard.
func (q *queue) stale() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.busy != 0 && q.busy <= q.gen
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
