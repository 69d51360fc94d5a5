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
	c.upgrade = ch
	c.mu.Unlock()
	cmd.finish(r, nil)
	rwc, ok := <-ch
	if !ok {
		return true
	}
	c.swap(rwc)
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
		close(ch)
		c.fail(err)
		return err
	}
	select {
	case ch <- rwc:
		return nil
	case <-c.done:
		return c.Err()
	case <-ctx.Done():
		close(ch)
		c.fail(ctx.Err())
		return ctx.Err()
	}
}

// swap installs rwc as the transport. Called by the reader goroutine while
// STARTTLS, a barrier, is still in flight: no other command can be written.
func (c *Conn) swap(rwc io.ReadWriteCloser) {
	c.mu.Lock()
	c.rwc = rwc
	c.mu.Unlock()
	var r io.Reader = rwc
	var w io.Writer = rwc
	if c.trace != nil {
		r = c.trace.Server(rwc)
		w = c.trace.Client(rwc)
	}
	c.pr.Reset(r)
	c.w.Reset(w)
}
