package client_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/imapwire/imapwire/client"
	"github.com/imapwire/imapwire/wire"
)

// TestMailboxStateOrder: the selected mailbox's state follows the stream
// in the order the server sent it, whichever command a response answered
// or none, and is up to date when the command that caused it returns
// (RFC 3501 section 7.4.1: each EXPUNGE renumbers at once).
func TestMailboxStateOrder(t *testing.T) {
	const selectAnswer = "* FLAGS (\\Seen \\Deleted)\r\n* 5 EXISTS\r\n* 1 RECENT\r\n* OK [UIDVALIDITY 7] x\r\n* OK [UIDNEXT 6] x\r\n%s OK [READ-WRITE] selected\r\n"
	tests := []struct {
		name    string
		answers []string // after SELECT, one per call, with %s for the tag
		call    func(ctx context.Context, c *client.Client) (any, error)
		want    any
		exists  uint32
		recent  uint32
	}{
		{
			name:    "EXPUNGE then EXISTS (the issue's exchange)",
			answers: []string{"* 2 EXPUNGE\r\n* 3 EXPUNGE\r\n* 3 EXISTS\r\n* 0 RECENT\r\n%s OK EXPUNGE completed\r\n"},
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.Expunge(ctx)
			},
			want:   []uint32{2, 3},
			exists: 3,
		},
		{
			name:    "EXISTS then EXPUNGE",
			answers: []string{"* 7 EXISTS\r\n* 2 EXPUNGE\r\n* 2 EXPUNGE\r\n%s OK EXPUNGE completed\r\n"},
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.Expunge(ctx)
			},
			want:   []uint32{2, 2},
			exists: 5,
			recent: 1,
		},
		{
			name: "UID FETCH with EXPUNGE and EXISTS among its FETCH FLAGS",
			answers: []string{"* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n* 2 EXPUNGE\r\n* 6 EXISTS\r\n* 2 FETCH (UID 3 FLAGS ())\r\n* 3 EXPUNGE\r\n" +
				"* 3 FETCH (FLAGS (\\Deleted))\r\n%s OK done\r\n"},
			call: func(ctx context.Context, c *client.Client) (any, error) {
				msgs, err := c.GetFlags(ctx, true, wire.SeqSet{{Start: 1, Stop: 0}})
				var uids []uint32
				for _, m := range msgs {
					uids = append(uids, m.UID)
				}
				return uids, err
			},
			want:   []uint32{1, 3},
			exists: 5,
			recent: 1,
		},
		{
			name:    "unsolicited updates answering NOOP",
			answers: []string{"* 4 EXPUNGE\r\n* 9 EXISTS\r\n* 3 RECENT\r\n* 1 EXPUNGE\r\n%s OK NOOP completed\r\n"},
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return nil, c.Noop(ctx)
			},
			exists: 8,
			recent: 3,
		},
		{
			name: "SELECT of another mailbox after [CLOSED]",
			answers: []string{"* 9 EXISTS\r\n* OK [CLOSED] previous mailbox closed\r\n* FLAGS ()\r\n* 2 EXISTS\r\n* 0 RECENT\r\n" +
				"* OK [UIDVALIDITY 9] x\r\n%s OK [READ-ONLY] examined\r\n"},
			call: func(ctx context.Context, c *client.Client) (any, error) {
				mb, err := c.Examine(ctx, "Other")
				if err != nil {
					return nil, err
				}
				return fmt.Sprintf("%s %d %d %d %v", mb.Name, mb.Exists, mb.UIDValidity, mb.UIDNext, mb.ReadOnly), nil
			},
			want:   "Other 2 9 0 true",
			exists: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runHostile(t, hostileCase{
				name: tt.name,
				serve: func(s *hconn) {
					tag, _, ok := s.command()
					if !ok {
						return
					}
					s.send(selectAnswer, tag)
					for _, a := range tt.answers {
						tag, _, ok := s.command()
						if !ok {
							return
						}
						s.send(a, tag)
					}
				},
				call: func(ctx context.Context, c *client.Client) error {
					if _, err := c.Select(ctx, "INBOX"); err != nil {
						return err
					}
					got, err := tt.call(ctx, c)
					if err != nil {
						return err
					}
					if diff := cmp.Diff(tt.want, got); diff != "" {
						t.Errorf("result (-want +got):\n%s", diff)
					}
					mb := c.Selected()
					if mb == nil {
						return fmt.Errorf("no mailbox selected")
					}
					if mb.Exists != tt.exists || mb.Recent != tt.recent {
						t.Errorf("Exists %d, Recent %d; want %d, %d", mb.Exists, mb.Recent, tt.exists, tt.recent)
					}
					return nil
				},
			})
		})
	}
}
