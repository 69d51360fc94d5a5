package command

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/imapwire/imapwire/parser"
)

// readLoop is the one goroutine that reads the connection.
func (c *Conn) readLoop() {
	defer close(c.done)
	greeted := false
	for {
		resp, err := c.pr.Next()
		if err != nil {
			if greeted && c.skipMalformed(err, nil) {
				continue
			}
			c.readFailed(err)
			return
		}
		if c.opts.Observe != nil && greeted {
			if _, isFetch := resp.(*parser.Fetch); !isFetch {
				c.opts.Observe(resp)
			}
		}
		switch r := resp.(type) {
		case *parser.StatusResponse:
			if !greeted && r.Tag == "" {
				greeted = true
				c.greeting <- r
				if r.Type == parser.BYE {
					c.mu.Lock()
					c.bye = r
					c.mu.Unlock()
				}
				continue
			}
			if r.Tag != "" {
				if stop := c.complete(r); stop {
					return
				}
				continue
			}
			if r.Type == parser.BYE {
				c.mu.Lock()
				c.bye = r
				c.mu.Unlock()
				c.unsol.push(r)
				continue
			}
			if r.Code != nil && r.Code.Name == parser.CodeAlert {
				// ALERT must reach the user whoever asked.
				c.unsol.push(r)
				continue
			}
			c.route(r)
		case *parser.Continuation:
			c.mu.Lock()
			ch := c.cont
			c.mu.Unlock()
			select {
			case ch <- r: // the command being written (nil: none)
			default:
				// Nobody is waiting: Office 365 and others send stray
				// continuations around IDLE. Report, do not fail.
				c.unsol.push(r)
			}
		case *parser.Fetch:
			if err := c.readFetch(r); err != nil {
				c.readFailed(err)
				return
			}
		default:
			c.route(r)
		}
	}
}

// skipMalformed tries to resynchronize after a syntax error: the parser
// skips the bad response, which goes, as a *parser.Malformed, to the
// command whose Spec.Kinds names its kind (or to fetchOwner, for a FETCH
// whose header h is known), or else to the Unsolicited handler. It reports
// false when the connection cannot go on: the stream cannot be
// resynchronized (parser.SkipMalformed), or the bad response was a tagged
// status or a continuation request (which command it answered is unknown).
func (c *Conn) skipMalformed(err error, h *FetchHeader) bool {
	m, _ := c.pr.SkipMalformed(err)
	if m == nil || m.Tag != "" {
		return false
	}
	if c.opts.Observe != nil {
		c.opts.Observe(m)
	}
	var owner *Command
	if h != nil {
		owner = c.fetchOwner(h)
	} else {
		owner = c.kindOwner(m.Name)
	}
	if owner == nil || !owner.pushMalformed(m) {
		c.unsol.push(m)
	}
	return true
}

// kindOwner returns the first command in flight whose Spec.Kinds names
// kind.
func (c *Conn) kindOwner(kind string) *Command {
	if kind == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cmd := range c.inflight {
		for _, k := range cmd.Spec.Kinds {
			if strings.EqualFold(k, kind) {
				return cmd
			}
		}
	}
	return nil
}

// readFailed ends the connection after a read error.
func (c *Conn) readFailed(err error) {
	c.mu.Lock()
	bye := c.bye
	c.mu.Unlock()
	if bye != nil && (err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF)) {
		err = ErrBye
	}
	c.fail(err)
}

// complete finishes the command with r's tag. It reports true when the
// reader must stop (STARTTLS).
func (c *Conn) complete(r *parser.StatusResponse) bool {
	c.mu.Lock()
	var cmd *Command
	for _, o := range c.inflight {
		if o.Tag == r.Tag {
			cmd = o
			break
		}
	}
	c.mu.Unlock()
	if cmd == nil {
		c.unsol.push(r) // a tag we never sent: report it
		return false
	}
	if cmd.Spec.Upgrade && r.Type == parser.OK {
		// STARTTLS stays in flight, a barrier, until the new
		// transport is in place.
		return c.pauseForUpgrade(cmd, r)
	}
	c.remove(cmd)
	cmd.finish(r, nil)
	if r.Type == parser.BYE {
		c.mu.Lock()
		c.bye = r
		c.mu.Unlock()
	}
	return false
}

// route gives an untagged response to the first command in flight that
// claims it, or to the unsolicited handler.
// An ESEARCH carrying a search correlator goes only to the command with
// that tag (RFC 4731 section 3.1): one naming another tag is unsolicited.
func (c *Conn) route(r parser.Response) {
	tag := ""
	if es, ok := r.(*parser.ESearch); ok {
		tag = es.Tag
	}
	c.mu.Lock()
	var owner *Command
	for _, cmd := range c.inflight {
		if tag != "" && cmd.Tag != tag {
			continue
		}
		if cmd.Spec.Claim != nil && cmd.Spec.Claim(r) {
			owner = cmd
			break
		}
	}
	c.mu.Unlock()
	if owner != nil {
		owner.push(r) // dropped if abandoned
		return
	}
	c.unsol.push(r)
}

// FetchHeader is what a ClaimFetch rule sees of a FETCH response: its
// sequence number, its UID if one came before the decision, the names of
// the items seen, and whether a body section literal forces the decision.
// A rule asked with HasBody set is asked whether the command wants the body
// arriving now; if no command does, the body is discarded and the rule is
// asked again, without it, once the response is complete.
type FetchHeader struct {
	SeqNum  uint32
	UID     uint32 // 0 if not (yet) seen
	Items   []string
	HasBody bool
}

// Has reports whether an item whose name starts with prefix was seen.
func (h *FetchHeader) Has(prefix string) bool {
	for _, n := range h.Items {
		if len(n) >= len(prefix) && n[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}

func (c *Conn) fetchOwner(h *FetchHeader) *Command {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cmd := range c.inflight {
		if cmd.Spec.ClaimFetch != nil && cmd.Spec.ClaimFetch(h) {
			return cmd
		}
	}
	return nil
}

// readFetch reads one FETCH response and routes it. Items are buffered
// until the owner is known. A body section literal forces the decision as
// it arrives (ClaimFetch sees HasBody): with an owner, a small body is read
// ahead and the message queued whole at its end, a larger one is streamed
// to the owner's consumer (the reader waits until the consumer has moved
// past it, or abandoned the command, in which case the rest is discarded
// here). A body section no command in flight asked for is discarded unread,
// never buffered: a server cannot make the client hold a literal by sending
// it unasked. The rest of the response is routed as if the body had not
// been there.
func (c *Conn) readFetch(f *parser.Fetch) error {
	h := &FetchHeader{SeqNum: f.SeqNum}
	var items []parser.FetchItem
	var msg *Message   // set once the message streams to its owner
	var owner *Command // set once decided
	var ahead int64    // bytes of small bodies read ahead
	discard := false   // the owner abandoned the message: skip the rest
	for {
		item, err := f.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return c.fetchFailed(err, h, owner, msg)
		}
		if discard {
			continue
		}
		if u, ok := item.(*parser.UIDItem); ok {
			h.UID = u.UID
		}
		h.Items = append(h.Items, item.ItemName())
		body, isBody := item.(*parser.BodySectionItem)
		streaming := isBody && body.Data == nil && body.Body != nil
		if streaming && owner == nil {
			h.HasBody = true
			owner = c.fetchOwner(h)
			h.HasBody = false
			if owner == nil {
				// Unasked: dropped, and the parser drains it on the
				// next call.
				h.Items = h.Items[:len(h.Items)-1]
				continue
			}
		}
		if streaming && msg == nil && body.Size <= c.opts.ReadAheadBody {
			// A small body is read ahead here, so that the message
			// reaches its consumer whole, without a hand-off per
			// message (IMAPS downloads went from 70% to over 85% of
			// a raw socket's speed). Command.reserve bounds how much
			// is read ahead of a slow consumer, ReadAheadBody (64 KiB
			// by default) the buffer.
			b := make([]byte, body.Size)
			if _, err := io.ReadFull(body.Body, b); err != nil {
				return unexpectedEOF(err)
			}
			body.Data, body.Body = b, bytes.NewReader(b)
			streaming = false
			ahead += int64(len(b))
		}
		if streaming && msg == nil {
			msg = newMessage(f.SeqNum, items, true, c.broken, c.maxLiteral())
			msg.conn = c
			items = nil
			if !owner.push(msg) {
				msg, discard = nil, true
				continue
			}
		}
		if msg == nil {
			items = append(items, item)
			continue
		}
		if err := msg.deliver(item, streaming); err == errConnBroken {
			err = c.Err()
			msg.fail(err)
			return err
		} else if err != nil {
			msg, discard = nil, true // abandoned
		}
	}
	if msg != nil {
		msg.end()
		return nil
	}
	if discard {
		return nil
	}
	if owner == nil {
		owner = c.fetchOwner(h)
	}
	if owner == nil {
		pm := &parser.Message{SeqNum: f.SeqNum}
		for _, it := range items {
			pm.Add(it) // no body among them: those need an owner
		}
		c.unsol.push(pm)
		return nil
	}
	m := newMessage(f.SeqNum, items, false, nil, c.maxLiteral())
	m.ahead = ahead
	if !owner.reserve(ahead, c.broken) {
		return nil // abandoned, or nobody will read it
	}
	if !owner.push(m) {
		owner.unreserve(ahead)
	}
	return nil
}

// fetchFailed handles a syntax error inside a FETCH response: when the
// stream can be resynchronized, the response is skipped and reported as a
// *parser.Malformed to its owner (the message being streamed fails with a
// *MalformedError), and the reader goes on; otherwise the error ends the
// connection.
func (c *Conn) fetchFailed(err error, h *FetchHeader, owner *Command, msg *Message) error {
	m, _ := c.pr.SkipMalformed(err)
	if m == nil {
		if msg != nil {
			msg.fail(err)
		}
		return err
	}
	if m.Name == "" {
		m.Name, m.Num, m.HasNum = "FETCH", h.SeqNum, true // its start left the buffer
	}
	if c.opts.Observe != nil {
		c.opts.Observe(m)
	}
	if owner == nil {
		owner = c.fetchOwner(h)
	}
	if msg != nil && owner != nil {
		msg.fail(&MalformedError{Command: owner.Spec.Name, Responses: []*parser.Malformed{m}})
	}
	if owner == nil || !owner.pushMalformed(m) {
		c.unsol.push(m)
	}
	return nil
}

// maxLiteral is the parser's Limits.MaxLiteral: the largest body a
// Message collects into memory.
func (c *Conn) maxLiteral() int64 { return c.pr.Wire().Limits().MaxLiteral }

// unexpectedEOF turns io.EOF in the middle of a response into
// io.ErrUnexpectedEOF.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// smallBody is the default Options.ReadAheadBody; readAhead bounds the bytes of such bodies queued for one command before
// the reader waits for its consumer.
const (
	smallBody = 64 << 10
	readAhead = 4 << 20
)
