package command

import (
	"context"

	"github.com/imapwire/imapwire/wire"
)

// SetWriter runs f on the encoder (see Writer) with the write lock held,
// so that settings such as LiteralMode and UTF8Accept change between two
// commands even while other goroutines are sending: changing them directly
// races with the encoding of a command in flight. It waits for the command
// being written (an IDLE holds the lock until DONE); ctx bounds that wait.
func (c *Conn) SetWriter(ctx context.Context, f func(w *wire.Writer)) error {
	select {
	case c.writeSem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.done:
		return c.Err()
	}
	defer func() { <-c.writeSem }()
	f(c.w)
	return nil
}
