package client

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
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
//
// Idle returns as soon as ctx ends, whatever the server does: DONE and the
// server's completion of IDLE are then waited for in the background, and
// the next command waits for them. When the server had not yet accepted
// IDLE with its continuation ("+") by then, Idle returns an error wrapping
// ErrIdleNotStarted and the context's error; DONE follows the "+" if it
// ever comes.
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
	started := false // an IDLE of this call was accepted
	for {
		if err := c.prepare(ctx); err != nil {
			if ctx.Err() != nil {
				return nil // ended before IDLE was sent
			}
			return err
		}
		restart, err := c.idleOnce(ctx, o.Restart)
		if errors.Is(err, ErrIdleNotStarted) && started {
			return nil // ended between a DONE and the next IDLE's "+"
		}
		if err != nil || !restart {
			return err
		}
		started = true
	}
}

// ErrIdleNotStarted reports an Idle whose context ended before the server
// answered IDLE with a continuation request.
var ErrIdleNotStarted = errors.New("imap: IDLE: the server had not accepted IDLE (no continuation request) when the context ended")

// idleOnce runs one IDLE command until ctx ends (restart false) or the
// restart interval passes (restart true). The command itself runs in its
// own goroutine, so that Idle returns by ctx's end even when the server
// never sends "+" or never completes the command after DONE.
func (c *Client) idleOnce(ctx context.Context, every time.Duration) (restart bool, err error) {
	type result struct {
		restart bool
		err     error
	}
	res := make(chan result, 1)
	var accepted atomic.Bool
	// The reader sees the "+" before Continue runs (in the writer): a
	// context ending in between must not be told IDLE never started.
	conts := c.conts.Load()
	bg := context.WithoutCancel(ctx)
	go func() {
		restart := false
		cmd, err := c.conn.Send(bg, &command.Spec{
			Name:    "IDLE",
			Barrier: true,
			Continue: func(_ context.Context, _ string) ([]byte, error) {
				accepted.Store(true)
				t := time.NewTimer(every)
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
		if err == nil {
			_, err = cmd.Wait(bg) // returns when the connection ends, at the latest
		}
		res <- result{restart, err}
	}()
	select {
	case r := <-res:
		return r.restart, r.err
	case <-ctx.Done():
		select {
		case r := <-res: // both ready: the command's result is the truth
			return r.restart, r.err
		default:
		}
		if !accepted.Load() && c.conts.Load() == conts {
			return false, fmt.Errorf("%w: %w", ErrIdleNotStarted, context.Cause(ctx))
		}
		return false, nil
	}
}

func (c *Client) poll(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.conn.Done():
			return c.conn.Err()
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
