package command

import (
	"context"
	"errors"
	"io"

	"github.com/imapwire/imapwire/parser"
)

// ErrBufferedAfterStartTLS reports bytes the server sent after its STARTTLS
// OK and before the TLS handshake: a response injection attempt (or a
// broken server). The connection is closed.
var ErrBufferedAfterStartTLS = errors.New("imap: data received after the STARTTLS OK, before TLS: possible response injection")

// pauseForUpgrade completes the STARTTLS command and stops the reader until
// Upgrade installs the new transport.
func (c *Conn) pauseForUpgrade(cmd *Command, r *parser.StatusResponse) bool {
	if c.pr.Wire().Buffered() > 0 {
		c.fail(ErrBufferedAfterStartTLS)
		return true
	}
	ch := make(chan io.ReadWriteCloser)
	c.mu.Lock()
	if c.err != nil {
		// The connection failed (Close) before the channel was in place:
		// nobody would close it.
		c.mu.Unlock()
		return true
	}
	c.upgrade = ch
	// Nothing read before TLS may be believed after it: what waits for
	// the Unsolicited handler (a CAPABILITY injected in the same packet
	// as the OK, say) is dropped now (see also Stale).
	c.unsol.discard()
	c.mu.Unlock()
	cmd.finish(r, nil)
	rwc, ok := <-ch
	if !ok {
		return true
	}
	if !c.swap(rwc) {
		return true
	}
	c.remove(cmd)
	return false
}

// Upgrade replaces the transport after a successful STARTTLS command, with
// what wrap returns for the old transport (typically tls.Client(old, cfg)
// after its handshake). The reader resumes on the new transport.
// Unsolicited responses received before the STARTTLS OK and not yet
// delivered are discarded (see Stale).
func (c *Conn) Upgrade(ctx context.Context, wrap func(old io.ReadWriteCloser) (io.ReadWriteCloser, error)) error {
	c.mu.Lock()
	ch := c.upgrade
	c.upgrade = nil
	c.mu.Unlock()
	if ch == nil {
		return errors.New("imap: Upgrade without a completed STARTTLS")
	}
	rwc, err := wrap(c.rwc)
	if err != nil {
		// fail before close: the reader then ends with the error set
		// (Send and Greeting read it once the reader is done).
		c.fail(err)
		close(ch)
		return err
	}
	select {
	case ch <- rwc:
		return nil
	case <-c.done:
		return c.Err()
	case <-ctx.Done():
		c.fail(ctx.Err())
		close(ch)
		rwc.Close()
		return ctx.Err()
	}
}

// Stale reports, when called from the Unsolicited handler, whether the
// response it is handling was received in the clear before a STARTTLS
// upgrade that has completed since (the command's OK has been read). The
// handler must then not act on it: a man in the middle may have injected
// it. Responses still queued at the upgrade are never delivered; Stale
// covers the one the handler had already begun. Elsewhere it reports
// false.
func (c *Conn) Stale() bool { return c.unsol.stale() }

// swap installs rwc as the transport. Called by the reader goroutine while
// STARTTLS, a barrier, is still in flight: no other command can be written.
// It reports false, closing rwc, when the connection failed meanwhile (a
// Close racing with Upgrade): fail closed the old transport only.
func (c *Conn) swap(rwc io.ReadWriteCloser) bool {
	var r io.Reader = rwc
	var w io.Writer = rwc
	if c.trace != nil {
		r = c.trace.Server(rwc)
		w = c.trace.Client(rwc)
	}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		rwc.Close()
		return false
	}
	c.rwc = rwc
	c.wdst = w
	c.mu.Unlock()
	c.pr.Reset(r)
	c.w.Reset(w)
	return true
}
