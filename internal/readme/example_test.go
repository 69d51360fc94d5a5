package readme

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/mail"
	"os"
	"strings"
	"time"

	"github.com/imapwire/imapwire/client"
	"github.com/imapwire/imapwire/internal/demo"
)

// The README's tutorial function against the demo server, over TLS: it
// must work and leave no folder behind.
func Example_readmeTutorial() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	addr, opts, stop, err := tlsDemoServer()
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		if err := stop(); err != nil {
			log.Fatal(err)
		}
	}()
	if err := tutorial(ctx, addr, "demo", "demo", opts); err != nil {
		log.Fatal(err)
	}

	c, err := client.DialTLS(ctx, addr, opts)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, "demo", "demo"); err != nil {
		log.Fatal(err)
	}
	left, err := c.List(ctx, "", "imapwire*", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("folders left:", len(left))
	// Output:
	// IDLE: true
	// [\HasNoChildren] / INBOX
	// [\HasNoChildren \Archive] / Archive
	// [\HasNoChildren] / Deleted Items
	// [\HasNoChildren] / Entwürfe
	// [\HasChildren] / Travel
	// [\HasNoChildren] / Travel/台北
	// [\HasChildren] / Work
	// [\HasNoChildren] / Work/Projects
	// [\Noselect \HasChildren] / [Gmail]
	// [\HasNoChildren \Drafts] / [Gmail]/Drafts
	// [\HasNoChildren \Sent] / [Gmail]/Sent Mail
	// [\HasNoChildren \Junk] / [Gmail]/Spam
	// [\HasNoChildren \Trash] / [Gmail]/Trash
	// EXISTS: 2 UIDNEXT: 3 READ-WRITE: true
	// 1 Apress book
	// 2 会议
	// Apress: 1 [\Flagged \Recent]
	// expunged: [1] left: 1
	// folders left: 0
}

// The README's parser loop, reading what the demo server answers to a
// few commands, after a malformed response.
func Example_readmeParser() {
	srv, err := demo.Listen("127.0.0.1:0", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Minute))
	_, err = io.WriteString(conn, "a1 LOGIN demo demo\r\n"+
		"a2 LIST \"\" Travel*\r\n"+
		"a3 EXAMINE Travel\r\n"+
		"a4 FETCH 1:2 BODY[]\r\n"+
		"a5 LOGOUT\r\n")
	if err != nil {
		log.Fatal(err)
	}

	// The snippet logs the malformed response: show it with the output.
	log.SetOutput(os.Stdout)
	log.SetFlags(0)
	defer log.SetOutput(os.Stderr)
	defer log.SetFlags(log.LstdFlags)

	var file bytes.Buffer
	bad := strings.NewReader("* 99999999999 EXISTS\r\n* 1 FETCH (UID 1x)\r\n")
	if err := printResponses(io.MultiReader(bad, conn), &file); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("file: %d bytes\n", file.Len())
	m, err := mail.ReadMessage(&file) // the first of the two
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("first subject:", m.Header.Get("Subject"))
	// Output:
	// bad response at offset 2 (message-data): imap: syntax error at offset 2 in message-data: number overflows its range: expected number, found "99999999999 EXIS"...
	// bad FETCH 1: imap: syntax error at offset 38 in msg-att: expected SP or ")", found "x)\r\n"
	// Travel [\HasChildren]
	// Travel/台北 [\HasNoChildren]
	// file: 611 bytes
	// first subject: Your booking TPE-0231
}
