package client_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/imapwire/imapwire/client"
	"github.com/imapwire/imapwire/command"
	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// malformedKinds are a malformed form of each response kind the parser
// knows.
var malformedKinds = []struct{ kind, bytes string }{
	{"LIST", `* LIST (\X) "/" x y` + "\r\n"},
	{"LSUB", `* LSUB (\X) "/" x y` + "\r\n"},
	{"STATUS", "* STATUS INBOX (MESSAGES x)\r\n"},
	{"SEARCH", "* SEARCH 1 x 3\r\n"},
	{"SORT", "* SORT 1 x\r\n"},
	{"ESEARCH", "* ESEARCH (TAG \"X\") ALL x\r\n"},
	{"THREAD", "* THREAD (1 (x))\r\n"},
	{"FLAGS", "* FLAGS \\Seen\r\n"},
	{"EXISTS", "* 1 EXISTS now\r\n"},
	{"RECENT", "* 1 RECENT now\r\n"},
	{"EXPUNGE", "* 0 EXPUNGE\r\n"},
	{"FETCH", "* 1 FETCH (UID abc)\r\n"},
	{"CAPABILITY", "* CAPABILITY\r\n"},
	{"ENABLED", "* ENABLED (X)\r\n"},
	{"NAMESPACE", "* NAMESPACE ((\"\" \"/\")) NIL\r\n"},
	{"QUOTA", "* QUOTA \"ROOT\" (STORAGE x 10)\r\n"},
	{"QUOTAROOT", "* QUOTAROOT\r\n"},
	{"ID", "* ID (\"name\")\r\n"},
	{"VANISHED", "* VANISHED x\r\n"},
	{"OK", "* OK [UIDNEXT x] hi\r\n"},
	{"NO", "* NO [ALERT x\r\n"},
	{"BYE", "* BYE [UIDNEXT x] bye\r\n"},
}

// TestMalformedUnsolicited: a malformed response of each kind, sent
// outside any command's data (answering NOOP), reaches Options.Updates as a
// *parser.Malformed; NOOP succeeds and the connection goes on. (Strict
// mode: some of these forms are deviations the lenient mode accepts.)
func TestMalformedUnsolicited(t *testing.T) {
	for _, mk := range malformedKinds {
		t.Run(mk.kind, func(t *testing.T) {
			var mu sync.Mutex
			var got []parser.Response
			runHostile(t, hostileCase{
				opts: client.Options{Strict: true, Updates: func(r parser.Response) {
					mu.Lock()
					got = append(got, r)
					mu.Unlock()
				}},
				serve: func(s *hconn) {
					tag, _, _ := s.command()
					s.send("%s%s OK done\r\n", mk.bytes, tag)
					tag, _, _ = s.command()
					s.send("* 1 EXISTS\r\n%s OK done\r\n", tag)
				},
				call: func(ctx context.Context, c *client.Client) error {
					if err := c.Noop(ctx); err != nil {
						return fmt.Errorf("NOOP with the malformed response: %w", err)
					}
					if err := c.Noop(ctx); err != nil { // the handler saw the first NOOP's by now
						return fmt.Errorf("the NOOP after: %w", err)
					}
					return nil
				},
			})
			mu.Lock()
			defer mu.Unlock()
			for _, r := range got {
				if m, ok := r.(*parser.Malformed); ok {
					if m.Name != mk.kind || !strings.HasPrefix(string(m.Raw), strings.TrimSuffix(mk.bytes, "\r\n")) {
						t.Errorf("Malformed %s %q, want %s %q", m.Name, m.Raw, mk.kind, mk.bytes)
					}
					return
				}
			}
			t.Errorf("Updates got %v, no *parser.Malformed", got)
		})
	}
}

// TestMalformedOwned: a malformed response among a command's own data: the
// call returns what did parse with a *command.MalformedError (its
// *wire.SyntaxError inside), and the connection goes on.
func TestMalformedOwned(t *testing.T) {
	tests := []struct {
		name   string
		answer string
		call   func(ctx context.Context, c *client.Client) (string, error)
		want   string // what did parse
	}{
		{
			name:   "GETQUOTAROOT with a quota without its list (issue 14, strict)",
			answer: "* QUOTAROOT \"INBOX\" \"ROOT\"\r\n* QUOTA \"ROOT\"\r\n",
			call: func(ctx context.Context, c *client.Client) (string, error) {
				root, quotas, err := c.GetQuotaRoot(ctx, "INBOX")
				if root == nil {
					return fmt.Sprint(len(quotas)), err
				}
				return fmt.Sprint(root.Roots, len(quotas)), err
			},
			want: "[ROOT] 0",
		},
		{
			name:   "LIST with one bad mailbox",
			answer: "* LIST () \"/\" INBOX\r\n" + `* LIST (\X) "/" x y` + "\r\n* LIST () \"/\" Work\r\n",
			call: func(ctx context.Context, c *client.Client) (string, error) {
				l, err := c.List(ctx, "", "*", nil)
				var names []string
				for _, r := range l {
					names = append(names, r.Name)
				}
				return strings.Join(names, " "), err
			},
			want: "INBOX Work",
		},
		{
			name:   "FETCH with one bad message",
			answer: "* 1 FETCH (UID 1 FLAGS ())\r\n* 2 FETCH (UID x FLAGS ())\r\n* 3 FETCH (UID 3 FLAGS (\\Seen))\r\n",
			call: func(ctx context.Context, c *client.Client) (string, error) {
				msgs, err := c.GetFlags(ctx, false, wire.SeqSet{{Start: 1, Stop: 3}})
				var uids []string
				for _, m := range msgs {
					uids = append(uids, fmt.Sprint(m.UID))
				}
				return strings.Join(uids, " "), err
			},
			want: "1 3",
		},
		{
			name:   "SELECT with a bad EXISTS",
			answer: "* FLAGS ()\r\n* 5 EXISTS now\r\n* OK [UIDVALIDITY 7] x\r\n",
			call: func(ctx context.Context, c *client.Client) (string, error) {
				mb, err := c.Select(ctx, "INBOX")
				if mb == nil {
					return "", err
				}
				return fmt.Sprint(mb.UIDValidity, c.Selected() != nil), err
			},
			want: "7 true",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			runHostile(t, hostileCase{
				opts: client.Options{Strict: true},
				serve: func(s *hconn) {
					tag, _, _ := s.command()
					s.send("%s%s OK done\r\n", tt.answer, tag)
					tag, _, _ = s.command()
					s.send("%s OK done\r\n", tag)
				},
				call: func(ctx context.Context, c *client.Client) error {
					var err error
					got, err = tt.call(ctx, c)
					var me *command.MalformedError
					var se *wire.SyntaxError
					if !errors.As(err, &me) || !errors.As(err, &se) {
						return fmt.Errorf("error %v (%T), want a *command.MalformedError with a *wire.SyntaxError", err, err)
					}
					return c.Noop(ctx)
				},
			})
			if got != tt.want {
				t.Errorf("parsed %q, want %q", got, tt.want)
			}
		})
	}
}
