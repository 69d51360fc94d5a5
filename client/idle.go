package client

import (
	"context"
	"errors"
	"time"

	"github.com/imapwire/imapwire/command"
)

// IdleOptions configure Idle.
type IdleOptions struct {
	// Restart ends and restarts IDLE after this long (default 28 minutes:
	// RFC 3501 servers may log out after 30 minutes of inactivity; some,
	// such as Lark, drop IDLE after 10, so make it shorter there).
	Restart time.Duration
	// Poll is the NOOP interval used when the server has no IDLE
	// (default 1 minute).
	Poll time.Duration
}

// Idle waits for updates about the selected mailbox (RFC 2177) until ctx
// ends, then sends DONE and returns nil. Updates arrive through
// Options.Updates as they come, and the selected mailbox's state (EXISTS,
// expunges) follows them. IDLE is restarted before the server's inactivity
// timeout. Where IDLE is not advertised, Idle polls with NOOP instead. While
// Idle runs, other commands wait.
func (c *Client) Idle(ctx context.Context, opts *IdleOptions) error {
	o := IdleOptions{Restart: 28 * time.Minute, Poll: time.Minute}
	if opts != nil {
		if opts.Restart > 0 {
			o.Restart = opts.Restart
		}
		if opts.Poll > 0 {
			o.Poll = opts.Poll
		}
	}
	if !c.Has("IDLE") {
		return c.poll(ctx, o.Poll)
	}
	for {
		restart := false
		if err := c.prepare(context.WithoutCancel(ctx)); err != nil {
			return err
		}
		cmd, err := c.conn.Send(context.WithoutCancel(ctx), &command.Spec{
			Name:    "IDLE",
			Barrier: true,
			Continue: func(_ context.Context, _ string) ([]byte, error) {
				t := time.NewTimer(o.Restart)
				defer t.Stop()
				select {
				case <-ctx.Done():
				case <-t.C:
					restart = true
				case <-c.conn.Done():
				}
				return []byte("DONE"), nil
			},
		})
		if err != nil {
			return err
		}
		if _, err := cmd.Wait(context.Background()); err != nil {
			return err
		}
		if !restart {
			return nil
		}
	}
}

func (c *Client) poll(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := c.Noop(ctx); err != nil {
				if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
					return nil
				}
				return err
			}
		}
	}
}
