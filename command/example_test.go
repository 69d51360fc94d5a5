package command_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/imapwire/imapwire/command"
	"github.com/imapwire/imapwire/parser"
)

// A scripted server answers two pipelined commands, the second with NO.
func Example() {
	client, server := net.Pipe()
	go func() {
		defer server.Close()
		r := bufio.NewReader(server)
		io.WriteString(server, "* OK IMAP4rev1 ready\r\n")
		r.ReadString('\n') // A1 LIST "" "*"
		r.ReadString('\n') // A2 CREATE Archive
		io.WriteString(server, "A2 NO [ALREADYEXISTS] Mailbox already exists\r\n"+
			"* LIST (\\HasNoChildren) \"/\" INBOX\r\n"+
			"A1 OK List completed\r\n")
		r.ReadString('\n') // until the client closes
	}()

	ctx := context.Background()
	c := command.New(client, nil)
	defer c.Close()
	g, _ := c.Greeting(ctx)
	fmt.Println("greeting:", g.Text)

	list, _ := c.Send(ctx, &command.Spec{
		Name:  "LIST",
		Args:  []command.Arg{command.String(""), command.String("*")},
		Kinds: []string{"LIST"},
		Claim: func(r parser.Response) bool { _, ok := r.(*parser.List); return ok },
	})
	create, _ := c.Send(ctx, &command.Spec{Name: "CREATE", Args: []command.Arg{command.Mailbox("Archive")}})

	_, err := create.Wait(ctx)
	fmt.Println(create.Tag, err)
	fmt.Println("already exists:", errors.Is(err, command.ALREADYEXISTS))

	resps, status, _ := list.Collect(ctx)
	for _, r := range resps {
		fmt.Println(list.Tag, "mailbox:", r.(*parser.List).Name)
	}
	fmt.Println(list.Tag, status.Type, status.Text)
	// Output:
	// greeting: IMAP4rev1 ready
	// A2 imap: CREATE: NO [ALREADYEXISTS] Mailbox already exists
	// already exists: true
	// A1 mailbox: INBOX
	// A1 OK List completed
}
