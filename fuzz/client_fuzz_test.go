package fuzz_test

import (
	"context"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/imapwire/imapwire/client"
	"github.com/imapwire/imapwire/wire"
)

// clientSeeds are server byte streams answering the calls of FuzzClient in
// order (tags A1, A2, ...): a plausible session, then hostile variants.
var clientSeeds = []string{
	"* OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE ESEARCH UIDPLUS MOVE] ready\r\n" +
		"A1 OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE ESEARCH UIDPLUS MOVE] Logged in\r\n" +
		"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* 2 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 7] x\r\n* OK [UIDNEXT 3] x\r\nA2 OK [READ-WRITE] Select completed\r\n" +
		"* 1 FETCH (UID 1 FLAGS (\\Seen) ENVELOPE (\"Mon, 1 Jan 2024 00:00:00 +0000\" \"hi\" ((\"A\" NIL \"a\" \"example.com\")) NIL NIL NIL NIL NIL NIL \"<1@x>\") BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"7BIT\" 5 1 NIL NIL NIL NIL) BODY[] {5}\r\nhello)\r\n" +
		"* 2 FETCH (UID 2 FLAGS () BODY[] {3}\r\nabc)\r\nA3 OK Fetch completed\r\n" +
		"* 1 FETCH (UID 1 FLAGS (\\Seen))\r\nA4 OK Fetch completed\r\n" +
		"* 1 FETCH (FLAGS (\\Seen \\Flagged))\r\nA5 OK Store completed\r\n" +
		"* ESEARCH (TAG \"A6\") ALL 1:2\r\nA6 OK Search completed\r\n" +
		"* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"\r\nA7 OK List completed\r\n" +
		"* STATUS INBOX (MESSAGES 2 UNSEEN 1)\r\nA8 OK Status completed\r\n" +
		"+ idling\r\n* 3 EXISTS\r\nA9 OK Idle completed\r\n" +
		"A10 OK [APPENDUID 7 3] Append completed\r\n" +
		"* 1 EXPUNGE\r\nA11 OK Expunge completed\r\n" +
		"* BYE Logging out\r\nA12 OK Logout completed\r\n",
	"* OK ready\r\n* CAPABILITY IMAP4rev1\r\nA1 OK x\r\nA2 OK x\r\n* 1 FETCH (FLAGS (\\Seen) BODY[] {9223372036854775807}\r\n0123",
	"* OK ready\r\n* CAPABILITY IMAP4rev1\r\nA1 OK x\r\nA2 OK x\r\nA3 OK [READ-WRITE] x\r\n* 1 FETCH (BODY[] {524288000}\r\nshort",
	"* OK [CAPABILITY IMAP4rev1 ESEARCH] ready\r\nA1 OK x\r\n* SEARCH 1 2 3 4 5 6 7 8 9\r\n* ESEARCH (TAG \"A77\") ALL 1:999\r\n* 1 EXPUNGE\r\n* 0 EXPUNGE\r\n+ stray\r\nA2 OK x\r\n",
	"* PREAUTH [CAPABILITY IMAP4rev1 IDLE] hi\r\n+ x\r\n+ y\r\nA1 NO [ALERT] no\r\nA3 BAD x\r\n* BYE bye\r\n",
	"* OK x\r\n* 1 FETCH (UID 1 BODY[] {-1}\r\n)\r\n* 2 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" -1 -1))\r\n",
}

// FuzzClient: arbitrary server bytes answering a fixed series of client
// calls (the tutorial's: login, select, fetch with bodies, flags, store,
// search, list, status, IDLE, append, expunge, logout) never panic, never
// hang a call past its deadline, and never cost memory out of proportion
// to the bytes received (a declared literal size is not an allocation).
func FuzzClient(f *testing.F) {
	for _, s := range clientSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		done := make(chan struct{})
		go func() {
			defer close(done)
			runClientCalls(data)
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second): // a hang, not a slow run: every call has a 2s deadline
			buf := make([]byte, 1<<20)
			t.Fatalf("client calls hung:\n%s", buf[:runtime.Stack(buf, true)])
		}
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		// Everything allocated during the run, garbage included: a
		// budget of 32 MiB plus 64 times the input, far above what the
		// calls need and far below a literal's declared size.
		if got, budget := after.TotalAlloc-before.TotalAlloc, uint64(32<<20+64*len(data)); got > budget {
			t.Fatalf("allocated %d bytes for %d bytes of input (budget %d)", got, len(data), budget)
		}
	})
}

// runClientCalls serves data as the server's side of a connection and runs
// the calls against it, each bounded by a deadline; errors are expected.
func runClientCalls(data []byte) {
	cc, sc := net.Pipe()
	go func() {
		go io.Copy(io.Discard, sc) // the commands
		sc.Write(data)
		sc.Close()
	}()
	call := func(fn func(ctx context.Context) error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		fn(ctx)
	}
	var c *client.Client
	call(func(ctx context.Context) (err error) {
		c, err = client.New(ctx, cc, &client.Options{AllowPlaintext: true})
		return err
	})
	if c == nil {
		cc.Close()
		return
	}
	defer c.Close()
	all := wire.SeqSet{{Start: 1, Stop: 0}}
	call(func(ctx context.Context) error { return c.Login(ctx, "user", "pass") })
	call(func(ctx context.Context) error { _, err := c.Select(ctx, "INBOX"); return err })
	call(func(ctx context.Context) error {
		f, err := c.UIDFetch(ctx, all, "UID", "FLAGS", "ENVELOPE", "BODYSTRUCTURE", "BODY.PEEK[]")
		if err != nil {
			return err
		}
		_, err = f.Collect(ctx)
		return err
	})
	call(func(ctx context.Context) error { _, err := c.GetFlags(ctx, true, all); return err })
	call(func(ctx context.Context) error {
		_, err := c.Store(ctx, all, client.AddFlags, false, `\Flagged`)
		return err
	})
	call(func(ctx context.Context) error {
		_, err := c.Search(ctx, true, client.RawCriteria(`SINCE 1-Jan-2020 TEXT "x y"`))
		return err
	})
	call(func(ctx context.Context) error { _, err := c.List(ctx, "", "*", nil); return err })
	call(func(ctx context.Context) error { _, err := c.Status(ctx, "INBOX", "MESSAGES", "UNSEEN"); return err })
	call(func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		return c.Idle(ctx, nil)
	})
	call(func(ctx context.Context) error {
		_, err := c.Append(ctx, "INBOX", 5, strings.NewReader("hello"), nil)
		return err
	})
	call(func(ctx context.Context) error { _, err := c.Expunge(ctx); return err })
	call(func(ctx context.Context) error { return c.Logout(ctx) })
}
