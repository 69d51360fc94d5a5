package client_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/imapwire/imapwire/client"
)

// TestListStatusInterleaved: LIST-STATUS answers interleave LIST and
// STATUS responses (RFC 5819); every mailbox gets its own STATUS.
func TestListStatusInterleaved(t *testing.T) {
	var got string
	runHostile(t, hostileCase{
		greeting: "* OK [CAPABILITY IMAP4rev1 LIST-EXTENDED LIST-STATUS] hi\r\n",
		serve: func(s *hconn) {
			tag, _, _ := s.command()
			s.send("* LIST (\\HasChildren) \".\" INBOX.g\r\n* STATUS INBOX.g (MESSAGES 1)\r\n"+
				"* LIST (\\HasNoChildren) \".\" INBOX.g.b\r\n* STATUS INBOX.g.b (MESSAGES 2)\r\n"+
				"* LIST () \".\" INBOX.g.c\r\n* STATUS INBOX.g.c (MESSAGES 3)\r\n%s OK done\r\n", tag)
		},
		call: func(ctx context.Context, c *client.Client) error {
			l, err := c.List(ctx, "", "INBOX.g*", &client.ListOptions{ReturnStatus: []string{"MESSAGES"}})
			var out []string
			for _, r := range l {
				n := "nil"
				if r.Status != nil {
					n = fmt.Sprint(*r.Status.Messages)
				}
				out = append(out, r.Name+"="+n)
			}
			got = strings.Join(out, " ")
			return err
		},
	})
	if want := "INBOX.g=1 INBOX.g.b=2 INBOX.g.c=3"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
