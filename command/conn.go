package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// Options configure a Conn. The zero value is usable.
type Options struct {
	// Unsolicited receives every response no command claimed: EXISTS,
	// EXPUNGE, VANISHED, RECENT, FETCH flag updates, ALERT and other
	// untagged OK/NO/BAD, BYE, and unknown responses. It is called from
	// one goroutine, in the order the responses arrived, never from the
	// reader: a slow handler cannot stall the connection. See
	// UnsolicitedQueue for what happens when it falls behind.
	Unsolicited func(parser.Response)

	// UnsolicitedQueue bounds the responses waiting for the Unsolicited
	// handler (default 4096). When the queue is full, newer responses are
	// dropped and counted; the handler then receives an *Overflow giving
	// the count before the next response, so it knows to resynchronize
	// (for example with NOOP, or by selecting the mailbox again). Without
	// a handler, unsolicited responses are discarded.
	UnsolicitedQueue int

	// Observe, when set, sees every response the reader reads except
	// FETCH, in the order the server sent them, before the response is
	// routed and before a tagged one completes its command: the place to
	// keep state that must follow the stream's order, such as the selected
	// mailbox's message count (RFC 3501 section 7.4.1: each EXPUNGE
	// renumbers the messages after it at once). It is called from the
	// reader goroutine: it must return quickly and must not call the Conn.
	Observe func(parser.Response)

	// Strict and Limits configure the response parser.
	Strict bool
	Limits wire.Limits

	// Trace, when set, receives a transcript of both directions (see
	// wire.Transcript) with Secret arguments masked.
	Trace io.Writer

	// TagPrefix starts every tag (default "A"): A1, A2, ...
	TagPrefix string

	// ReadAheadBody is the largest FETCH body the reader reads into memory
	// itself (default 64 KiB; negative: stream every body). Such messages
	// reach their consumer whole, which makes downloads of typical mail
	// much faster; at most 4 MiB of them are queued ahead of a slow
	// consumer per command, so memory stays bounded. Larger bodies always
	// stream from the connection.
	ReadAheadBody int64

	// reserveWait, when set (by tests), is called each time the reader
	// stops reading because a command's read-ahead budget is spent.
	reserveWait func()
}

// Overflow is delivered to the Unsolicited handler after unsolicited
// responses had to be dropped because the queue was full.
type Overflow struct {
	Dropped int
}

// ResponseType returns "OVERFLOW".
func (*Overflow) ResponseType() string { return "OVERFLOW" }

// A Conn sends tagged commands on an IMAP connection and routes the server's
// responses: one reader goroutine reads every response, a table maps each
// tag to its pending command, and untagged data goes to the command whose
// rule claims it or else to the unsolicited handler.
//
// Commands may be pipelined: Send returns as soon as a command is written,
// and Wait collects its result. Send itself delays a command that RFC 3501
// section 5.5 says must not be pipelined with those in flight (see
// Spec.Barrier and Spec.UsesSeqNums), so any sequence of calls is safe.
//
// A Conn is safe for concurrent use.
type Conn struct {
	rwc   io.ReadWriteCloser
	pr    *parser.Reader
	w     *wire.Writer
	wdst  io.Writer // what w writes to, for w.Reset after a refused literal
	trace *wire.Transcript
	opts  Options

	// writeSem is held across the whole writing of a command, its
	// literals and continuations included. Lock order: writeSem, then mu.
	writeSem chan struct{}

	mu       sync.Mutex // guards the fields below
	tagNum   uint64
	inflight []*Command                // sent and not yet completed, in order
	cont     chan *parser.Continuation // the command being written, for its "+"
	changed  chan struct{}             // closed and replaced when inflight shrinks
	err      error                     // the connection-fatal error, once set
	bye      *parser.StatusResponse
	upgrade  chan io.ReadWriteCloser // set while STARTTLS swaps the transport

	greeting chan *parser.StatusResponse
	done     chan struct{} // closed when the reader goroutine has ended
	broken   chan struct{} // closed by fail: frees a reader waiting on a consumer
	unsol    *queue
}

// New starts the command layer on rwc. The server's greeting is read by the
// reader goroutine; Greeting waits for it.
func New(rwc io.ReadWriteCloser, opts *Options) *Conn {
	c := &Conn{
		rwc:      rwc,
		writeSem: make(chan struct{}, 1),
		changed:  make(chan struct{}),
		greeting: make(chan *parser.StatusResponse, 1),
		done:     make(chan struct{}),
		broken:   make(chan struct{}),
	}
	if opts != nil {
		c.opts = *opts
	}
	if c.opts.TagPrefix == "" {
		c.opts.TagPrefix = "A"
	}
	if c.opts.ReadAheadBody == 0 {
		c.opts.ReadAheadBody = smallBody
	}
	var r io.Reader = rwc
	var w io.Writer = rwc
	if c.opts.Trace != nil {
		c.trace = wire.NewTranscript(c.opts.Trace)
		r = c.trace.Server(rwc)
		w = c.trace.Client(rwc)
	}
	c.pr = parser.NewReader(r, &parser.Options{Strict: c.opts.Strict, Limits: c.opts.Limits})
	c.w = wire.NewWriter(w)
	c.wdst = w
	c.unsol = newQueue(c.opts.Unsolicited, c.opts.UnsolicitedQueue)
	go c.readLoop()
	return c
}

// Greeting waits for the server's greeting: an untagged OK, PREAUTH or BYE.
func (c *Conn) Greeting(ctx context.Context) (*parser.StatusResponse, error) {
	select {
	case g := <-c.greeting:
		c.greeting <- g // keep it for later callers
		return g, nil
	case <-c.done:
		select {
		case g := <-c.greeting:
			c.greeting <- g
			return g, nil
		default:
		}
		return nil, c.Err()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Writer returns the encoder, so that the client can set its LiteralMode and
// UTF8Accept as capabilities change. Change it only between commands.
func (c *Conn) Writer() *wire.Writer { return c.w }

// Err returns the connection-fatal error, or nil while the connection is up.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Done is closed when the connection has ended.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Close closes the connection. Pending commands fail with ErrClosed.
func (c *Conn) Close() error {
	c.fail(ErrClosed)
	c.mu.Lock()
	rwc := c.rwc // swapped under mu by STARTTLS
	c.mu.Unlock()
	err := rwc.Close()
	<-c.done
	c.unsol.close()
	return err
}

// fail records the connection-fatal error err (the first one wins), fails
// every pending command with it and closes the transport.
func (c *Conn) fail(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	ce := &ConnError{Err: err, Bye: c.bye}
	if errors.Is(err, ErrClosed) && c.bye == nil {
		c.err = ErrClosed
	} else {
		c.err = ce
	}
	cmds := c.inflight
	c.inflight = nil
	c.signalChanged()
	if c.upgrade != nil {
		close(c.upgrade) // the reader waits there during STARTTLS
		c.upgrade = nil
	}
	close(c.broken) // the reader may wait for a consumer (Message.deliver)
	rwc := c.rwc
	c.mu.Unlock()
	for _, cmd := range cmds {
		cmd.finish(nil, c.err)
	}
	rwc.Close()
}

// signalChanged wakes everything waiting for inflight to change. c.mu held.
func (c *Conn) signalChanged() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Spec describes a command to send and how to route its responses.
type Spec struct {
	// Name is the command, such as "LOGIN" or "UID FETCH".
	Name string
	// Args follow the name, separated by SP.
	Args []Arg

	// Claim reports whether an untagged response other than FETCH belongs
	// to this command (a LIST to a LIST command, EXISTS to SELECT, ...).
	// Responses no command claims go to the unsolicited handler.
	Claim func(parser.Response) bool
	// ClaimFetch reports whether a FETCH response belongs to this command.
	// It is asked once the response is complete, or as soon as a body
	// section literal arrives (with FetchHeader.HasBody set), whichever
	// comes first. A body section that no command claims is discarded
	// unread: only a command that asked for body sections should claim
	// one.
	ClaimFetch func(h *FetchHeader) bool
	// Kinds names the untagged responses Claim may take, such as "LIST"
	// or "FETCH"; commands with a kind in common are never in flight
	// together, so that routing is unambiguous (RFC 3501 section 5.5).
	Kinds []string

	// Barrier commands (SELECT, LOGIN, STARTTLS, IDLE, LOGOUT, ...) are
	// sent alone: they wait for every command in flight, and every later
	// command waits for them.
	Barrier bool
	// UsesSeqNums marks commands that name messages by sequence number.
	// They are not sent while a command that may cause an EXPUNGE is in
	// flight, and vice versa (RFC 3501 section 5.5). MayExpunge is false
	// only for FETCH, STORE and SEARCH (with sequence numbers).
	UsesSeqNums bool
	MayExpunge  bool

	// Continue answers each continuation request after the command line
	// (SASL challenges, IDLE's "+ idling"). It returns the line to send
	// without CRLF. It runs with the write lock held.
	Continue func(ctx context.Context, text string) (line []byte, err error)
	// SecretContinuation masks the Continue lines in the trace (SASL
	// responses carry credentials).
	SecretContinuation bool

	// Upgrade marks STARTTLS: after its OK the reader stops so that the
	// transport can be replaced with Conn.Upgrade.
	Upgrade bool
}

// A Command is a command sent on a Conn.
type Command struct {
	Tag  string
	Spec *Spec
	conn *Conn
	cont chan *parser.Continuation // the server's "+" for this command

	mu        sync.Mutex    // guards the fields below
	queue     []any         // claimed responses and *Message, not yet taken
	current   *Message      // the message last returned by Next
	skip      bool          // Wait was called: streamed messages are discarded
	ahead     int64         // bytes of read-ahead bodies queued (see reserve)
	space     chan struct{} // signalled when the consumer takes a message
	notify    chan struct{}
	abandoned bool
	malformed []*parser.Malformed // responses of the command that did not parse
	status    *parser.StatusResponse
	err       error
	done      chan struct{}
}

// Send writes the command described by spec and returns its handle. It
// waits first for the write lock and for the section 5.5 rules; ctx bounds
// that wait and the writing. When ctx ends before any byte of the command
// was written, nothing was sent; when it ends in the middle of a literal or
// a continuation, the stream cannot be repaired and the connection is closed
// with ErrInterruptedWrite. When the server answers a synchronizing literal
// with a tagged NO or BAD instead of "+", the rest of the command is not
// sent and Send returns the completed command: Wait reports the refusal,
// and the connection stays usable.
func (c *Conn) Send(ctx context.Context, spec *Spec) (*Command, error) {
	select {
	case c.writeSem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-c.done:
		return nil, c.Err()
	}
	defer func() { <-c.writeSem }()

	cmd := &Command{Spec: spec, conn: c, notify: make(chan struct{}, 1), done: make(chan struct{}),
		cont: make(chan *parser.Continuation, 1)}
	for {
		c.mu.Lock()
		if c.err != nil {
			err := c.err
			c.mu.Unlock()
			return nil, err
		}
		if !c.conflicts(spec) {
			c.tagNum++
			cmd.Tag = c.opts.TagPrefix + strconv.FormatUint(c.tagNum, 10)
			c.inflight = append(c.inflight, cmd)
			// Take continuations from now on, before any byte is
			// written: the wire.Writer flushes a literal's header
			// before it calls ContinueFunc, and the "+" may be read
			// before that call (it used to go to the unsolicited
			// handler, and the literal waited forever).
			c.cont = cmd.cont
			c.mu.Unlock()
			break
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-c.done:
			return nil, c.Err()
		}
	}

	enc := &encoder{w: c.w}
	if c.trace != nil {
		enc.mask = c.trace.Mask
	}
	c.w.ContinueFunc = func() error { return c.awaitContinue(ctx, cmd, nil) }
	err := c.writeCommand(enc, cmd)
	if err == nil && spec.Continue != nil {
		err = c.continueLoop(ctx, cmd, enc)
	}
	c.w.ContinueFunc = nil
	c.mu.Lock()
	c.cont = nil
	c.mu.Unlock()
	if err != nil {
		var se *StatusError
		if errors.As(err, &se) || errors.Is(err, errCompleted) {
			// The server completed the command instead of sending "+"
			// for a synchronizing literal (it refused it: RFC 3501
			// section 7.5). The server is done with the command and
			// the rest of it must not be sent: drop it from the
			// encoder. The connection is fine; Wait reports the status.
			// (This used to close the connection.)
			c.w.Reset(c.wdst)
			return cmd, nil
		}
		if enc.literal || spec.Continue != nil || !isCtxErr(err) {
			// Part of the command is on the wire: the stream cannot be
			// repaired.
			if isCtxErr(err) {
				err = fmt.Errorf("%w (%w)", ErrInterruptedWrite, err)
			}
			c.fail(err)
			cmd.wait(context.Background())
			return nil, c.Err()
		}
		c.remove(cmd)
		return nil, err
	}
	return cmd, nil
}

func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// conflicts reports whether spec must wait for the commands in flight.
// c.mu held.
func (c *Conn) conflicts(spec *Spec) bool {
	for _, o := range c.inflight {
		if spec.Barrier || o.Spec.Barrier {
			return true
		}
		if spec.UsesSeqNums && o.Spec.MayExpunge || spec.MayExpunge && o.Spec.UsesSeqNums {
			return true
		}
		for _, k := range spec.Kinds {
			for _, ok := range o.Spec.Kinds {
				if k == ok {
					return true
				}
			}
		}
	}
	return false
}

func (c *Conn) writeCommand(enc *encoder, cmd *Command) error {
	w := c.w
	if err := w.Atom(cmd.Tag); err != nil {
		return err
	}
	if err := w.SP(); err != nil {
		return err
	}
	if err := w.Raw(cmd.Spec.Name); err != nil {
		return err
	}
	for _, a := range cmd.Spec.Args {
		if err := w.SP(); err != nil {
			return err
		}
		if err := a.encode(enc); err != nil {
			return err
		}
	}
	if err := w.CRLF(); err != nil {
		return err
	}
	return w.Flush()
}

// awaitContinue flushes and waits for the server's "+" for cmd. It returns
// the continuation through *got when got is not nil. If the command
// completes instead (the server refused it), it returns its error.
func (c *Conn) awaitContinue(ctx context.Context, cmd *Command, got **parser.Continuation) error {
	if err := c.w.Flush(); err != nil {
		return err
	}
	select {
	case cont := <-cmd.cont: // registered by Send before writing
		if got != nil {
			*got = cont
		}
		return nil
	case <-cmd.done:
		if err := cmd.result(); err != nil {
			return err
		}
		return errCompleted
	case <-ctx.Done():
		return ctx.Err()
	case <-c.done:
		return c.Err()
	}
}

// errCompleted ends a continuation loop when the command completed.
var errCompleted = errors.New("command completed")

func (c *Conn) continueLoop(ctx context.Context, cmd *Command, enc *encoder) error {
	for {
		var cont *parser.Continuation
		err := c.awaitContinue(ctx, cmd, &cont)
		if err == errCompleted {
			return nil
		}
		if err != nil {
			var se *StatusError
			if errors.As(err, &se) {
				return nil // Wait reports it
			}
			return err
		}
		enc.literal = true // from now on, half a line would break the stream
		line, err := cmd.Spec.Continue(ctx, cont.Text)
		if err != nil {
			return err
		}
		if err := c.writeLine(enc, cmd, line); err != nil {
			return err
		}
		if err := c.w.CRLF(); err != nil {
			return err
		}
		if err := c.w.Flush(); err != nil {
			return err
		}
	}
}

// writeLine writes a continuation line, masked in the trace when the spec
// says its continuations carry credentials.
func (c *Conn) writeLine(enc *encoder, cmd *Command, line []byte) error {
	if enc.mask != nil && cmd.Spec.SecretContinuation {
		return Secret{Raw(line)}.encode(enc)
	}
	return Raw(line).encode(enc)
}

// remove drops cmd from the in-flight list.
func (c *Conn) remove(cmd *Command) {
	c.mu.Lock()
	for i, o := range c.inflight {
		if o == cmd {
			c.inflight = append(c.inflight[:i:i], c.inflight[i+1:]...)
			c.signalChanged()
			break
		}
	}
	c.mu.Unlock()
}

// Wait waits for the command's completion and returns its tagged status.
// FETCH messages whose bodies stream and that were not taken with Next
// before Wait are discarded (reading them would need the reader that Wait
// waits on); every other claimed response stays available to Next.
// A NO or BAD is returned as a *StatusError (with the status). When ctx ends
// first, Wait returns ctx.Err() and abandons the command: its late
// responses are read and discarded in the background, and the connection
// stays usable.
func (cmd *Command) Wait(ctx context.Context) (*parser.StatusResponse, error) {
	if err := cmd.wait(ctx); err != nil {
		return nil, err
	}
	cmd.mu.Lock()
	defer cmd.mu.Unlock()
	return cmd.status, cmd.err
}

func (cmd *Command) wait(ctx context.Context) error {
	cmd.skipStreams()
	select {
	case <-cmd.done:
		return nil
	case <-ctx.Done():
		cmd.Abandon()
		return ctx.Err()
	}
}

// reserve waits until n more bytes of read-ahead bodies may be queued for
// the command, and counts them. It reports false when the message should be
// dropped: the command was abandoned, or Wait was called and nobody will read
// bodies. A first message is always admitted, so one larger than the budget
// cannot stall.
func (cmd *Command) reserve(n int64, broken <-chan struct{}) bool {
	for {
		cmd.mu.Lock()
		if cmd.abandoned || (cmd.skip && n > 0) {
			cmd.mu.Unlock()
			return false
		}
		if cmd.ahead == 0 || cmd.ahead+n <= readAhead {
			cmd.ahead += n
			cmd.mu.Unlock()
			return true
		}
		if cmd.space == nil {
			cmd.space = make(chan struct{}, 1)
		}
		space := cmd.space
		cmd.mu.Unlock()
		if hook := cmd.conn.opts.reserveWait; hook != nil {
			hook()
		}
		select {
		case <-space:
		case <-broken:
			return false
		}
	}
}

// unreserve gives back bytes counted by reserve.
func (cmd *Command) unreserve(n int64) {
	if n == 0 {
		return
	}
	cmd.mu.Lock()
	cmd.ahead -= n
	space := cmd.space
	cmd.mu.Unlock()
	if space != nil {
		select {
		case space <- struct{}{}:
		default:
		}
	}
}

// skipStreams makes the command discard FETCH messages whose bodies stream
// (queued now or arriving later): a caller that waits for the completion
// without reading them would otherwise hold the reader, and with it the
// connection, until its context ends. Other responses stay for Next.
func (cmd *Command) skipStreams() {
	cmd.mu.Lock()
	cmd.skip = true
	var drop []*Message
	kept := cmd.queue[:0]
	var freed int64
	for _, x := range cmd.queue {
		if m, ok := x.(*Message); ok && (m.stream || m.ahead > 0) {
			drop = append(drop, m)
			freed += m.ahead
			continue
		}
		kept = append(kept, x)
	}
	cmd.queue = kept
	cmd.mu.Unlock()
	cmd.unreserve(freed) // also wakes a reader waiting in reserve
	for _, m := range drop {
		m.abandon()
	}
}

// Abandon tells the reader to discard the command's responses from now on.
func (cmd *Command) Abandon() {
	cmd.mu.Lock()
	cmd.abandoned = true
	q := cmd.queue
	cmd.queue = nil
	if cmd.space != nil {
		select {
		case cmd.space <- struct{}{}: // wake a reader waiting in reserve
		default:
		}
	}
	if cmd.current != nil {
		q = append(q, cmd.current)
		cmd.current = nil
	}
	cmd.mu.Unlock()
	for _, x := range q {
		if m, ok := x.(*Message); ok {
			m.abandon()
		}
	}
	select {
	case cmd.notify <- struct{}{}:
	default:
	}
}

// Done is closed when the command has completed.
func (cmd *Command) Done() <-chan struct{} { return cmd.done }

func (cmd *Command) result() error {
	cmd.mu.Lock()
	defer cmd.mu.Unlock()
	return cmd.err
}

// finish completes the command with its tagged status (or the fatal error).
func (cmd *Command) finish(status *parser.StatusResponse, err error) {
	cmd.mu.Lock()
	select {
	case <-cmd.done:
		cmd.mu.Unlock()
		return
	default:
	}
	cmd.status = status
	if err == nil && status != nil && status.Type != parser.OK {
		err = &StatusError{Command: cmd.Spec.Name, Resp: status}
	}
	if err == nil && len(cmd.malformed) > 0 {
		err = &MalformedError{Command: cmd.Spec.Name, Status: status, Responses: cmd.malformed}
	}
	cmd.err = err
	close(cmd.done)
	cmd.mu.Unlock()
	select {
	case cmd.notify <- struct{}{}:
	default:
	}
}

// pushMalformed records a response of the command that did not parse, and
// queues it for the consumer. It reports false when the command was
// abandoned.
func (cmd *Command) pushMalformed(m *parser.Malformed) bool {
	cmd.mu.Lock()
	if cmd.abandoned {
		cmd.mu.Unlock()
		return false
	}
	cmd.malformed = append(cmd.malformed, m)
	cmd.mu.Unlock()
	return cmd.push(m)
}

// push queues a claimed response or message for the command's consumer. It
// reports false when the command was abandoned.
func (cmd *Command) push(x any) bool {
	cmd.mu.Lock()
	if cmd.abandoned {
		cmd.mu.Unlock()
		return false
	}
	if m, ok := x.(*Message); ok && m.stream && cmd.skip {
		cmd.mu.Unlock()
		return false // Wait was called: nobody will read it
	}
	cmd.queue = append(cmd.queue, x)
	cmd.mu.Unlock()
	select {
	case cmd.notify <- struct{}{}:
	default:
	}
	return true
}

// Next returns the next response claimed by the command: a parser.Response
// or, for FETCH, a *Message. Calling Next again closes the previous
// *Message, discarding what was left unread of it (the next call drains, as
// in net/textproto). It returns io.EOF after the command completed
// successfully and everything was taken, and the command's error if it
// failed.
func (cmd *Command) Next(ctx context.Context) (any, error) {
	cmd.mu.Lock()
	prev := cmd.current
	cmd.current = nil
	cmd.mu.Unlock()
	if prev != nil {
		prev.Close()
	}
	for {
		// An ended ctx wins over queued responses: the caller is giving
		// up, and a Message handed out now would hold the reader until it
		// is read or closed (a caller that drops it hung the connection).
		if err := ctx.Err(); err != nil {
			cmd.Abandon()
			return nil, err
		}
		cmd.mu.Lock()
		if len(cmd.queue) > 0 {
			x := cmd.queue[0]
			cmd.queue[0] = nil
			cmd.queue = cmd.queue[1:]
			var freed int64
			if m, ok := x.(*Message); ok {
				if m.stream {
					cmd.current = m
				}
				freed = m.ahead
			}
			cmd.mu.Unlock()
			cmd.unreserve(freed)
			return x, nil
		}
		select {
		case <-cmd.done:
			err := cmd.err
			cmd.mu.Unlock()
			if err == nil {
				err = io.EOF
			}
			return nil, err
		default:
		}
		cmd.mu.Unlock()
		select {
		case <-cmd.notify:
		case <-ctx.Done():
			cmd.Abandon()
			return nil, ctx.Err()
		}
	}
}

// Collect waits for the command and returns every response it claimed, with
// FETCH messages collected into *parser.Message (bodies buffered).
func (cmd *Command) Collect(ctx context.Context) ([]parser.Response, *parser.StatusResponse, error) {
	var out []parser.Response
	for {
		x, err := cmd.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, cmd.statusOrNil(), err
		}
		switch v := x.(type) {
		case *Message:
			m, err := v.Collect(ctx)
			var me *MalformedError
			if errors.As(err, &me) {
				continue // the command's error reports it, once complete
			}
			if err != nil {
				return out, nil, err
			}
			out = append(out, m)
		case parser.Response:
			out = append(out, v)
		}
	}
	return out, cmd.statusOrNil(), nil
}

func (cmd *Command) statusOrNil() *parser.StatusResponse {
	cmd.mu.Lock()
	defer cmd.mu.Unlock()
	return cmd.status
}
