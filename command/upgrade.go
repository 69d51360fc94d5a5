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
