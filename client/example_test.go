//go:build interop

package client_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/imapwire/imapwire/client"
	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// The tutorial's first program: capabilities and the folder list. Where
// imaplib prints `b'(\\HasNoChildren) "/" "INBOX"'`, each folder here is
// already parsed.
func Example_capabilitiesAndFolders() {
	ctx := context.Background()
	c, err := dialExample(ctx) // client.DialTLS(ctx, "imap.example.org", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, exampleUser, examplePass); err != nil {
		log.Fatal(err)
	}
	fmt.Println("IMAP4rev1:", c.Has("IMAP4rev1"), "IDLE:", c.Has("IDLE"))

	folder := exampleFixture("folders")
	defer c.Delete(ctx, folder)
	list, err := c.List(ctx, "", folder, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range list {
		fmt.Println(l.Attrs, l.Delim, l.Name == folder)
	}
	// Output:
	// IMAP4rev1: true IDLE: true
	// [\HasNoChildren] / true
}

// The tutorial's folder summary: what SELECT reports.
func Example_folderSummary() {
	ctx := context.Background()
	c, err := dialExample(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, exampleUser, examplePass); err != nil {
		log.Fatal(err)
	}
	folder := exampleFixture("summary")
	defer c.Delete(ctx, folder)

	mb, err := c.Select(ctx, folder)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("EXISTS:", mb.Exists)
	fmt.Println("RECENT:", mb.Recent)
	fmt.Println("UIDNEXT:", mb.UIDNext)
	fmt.Println("UIDVALIDITY set:", mb.UIDValidity != 0)
	fmt.Println("FLAGS:", mb.Flags)
	fmt.Println("PERMANENTFLAGS:", mb.PermanentFlags)
	fmt.Println("READ-WRITE:", !mb.ReadOnly)
	// Output:
	// EXISTS: 3
	// RECENT: 3
	// UIDNEXT: 4
	// UIDVALIDITY set: true
	// FLAGS: [\Answered \Flagged \Deleted \Seen \Draft]
	// PERMANENTFLAGS: [\Answered \Flagged \Deleted \Seen \Draft \*]
	// READ-WRITE: true
}

// The tutorial's mailbox download: every message, streamed (memory stays
// bounded whatever the message sizes), printing From and the MIME part
// types.
func Example_downloadMailbox() {
	ctx := context.Background()
	c, err := dialExample(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, exampleUser, examplePass); err != nil {
		log.Fatal(err)
	}
	folder := exampleFixture("download")
	defer c.Delete(ctx, folder)
	if _, err := c.Examine(ctx, folder); err != nil {
		log.Fatal(err)
	}

	fetch, err := c.UIDFetch(ctx, wire.SeqSet{{Start: 1, Stop: 0}}, "BODY.PEEK[]")
	if err != nil {
		log.Fatal(err)
	}
	for {
		msg, err := fetch.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		for {
			item, err := msg.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				log.Fatal(err)
			}
			body, ok := item.(*parser.BodySectionItem)
			if !ok {
				continue
			}
			m, err := mail.ReadMessage(body.Body) // streams from the connection
			if err != nil {
				log.Fatal(err)
			}
			from, _ := mail.ParseAddress(m.Header.Get("From"))
			fmt.Println("From:", from.Name, from.Address)
			fmt.Println("  type:", strings.Split(m.Header.Get("Content-Type"), ";")[0])
		}
	}
	// Output:
	// From: Alice alice@example.org
	//   type: text/plain
	// From: 张三 zhang@example.cn
	//   type: multipart/alternative
	// From: Carol carol@example.com
	//   type: multipart/mixed
}

// The tutorial's flags program: add, read back, remove.
func Example_flags() {
	ctx := context.Background()
	c, err := dialExample(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, exampleUser, examplePass); err != nil {
		log.Fatal(err)
	}
	folder := exampleFixture("flags")
	defer c.Delete(ctx, folder)
	if _, err := c.Select(ctx, folder); err != nil {
		log.Fatal(err)
	}

	first := wire.SeqSet{{Start: 1, Stop: 1}}
	if _, err := c.UIDStore(ctx, first, client.AddFlags, true, `\Seen`, `\Flagged`); err != nil {
		log.Fatal(err)
	}
	msgs, err := c.GetFlags(ctx, true, first)
	if err != nil {
		log.Fatal(err)
	}
	slices.Sort(msgs[0].Flags) // servers list flags in any order
	fmt.Println("after +FLAGS:", msgs[0].Flags)
	changed, err := c.UIDStore(ctx, first, client.RemoveFlags, false, `\Flagged`)
	if err != nil {
		log.Fatal(err)
	}
	slices.Sort(changed[0].Flags)
	fmt.Println("after -FLAGS:", changed[0].Flags)
	// Output:
	// after +FLAGS: [\Flagged \Recent \Seen]
	// after -FLAGS: [\Recent \Seen]
}

// The tutorial's delete-and-expunge program.
func Example_deleteAndExpunge() {
	ctx := context.Background()
	c, err := dialExample(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, exampleUser, examplePass); err != nil {
		log.Fatal(err)
	}
	folder := exampleFixture("expunge")
	defer c.Delete(ctx, folder)
	if _, err := c.Select(ctx, folder); err != nil {
		log.Fatal(err)
	}

	if _, err := c.Store(ctx, wire.SeqSet{{Start: 2, Stop: 2}}, client.AddFlags, true, `\Deleted`); err != nil {
		log.Fatal(err)
	}
	expunged, err := c.Expunge(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("expunged:", expunged, "left:", c.Selected().Exists)
	// Output:
	// expunged: [2] left: 2
}

// The tutorial's search: the criteria as a raw string, then typed.
func Example_search() {
	ctx := context.Background()
	c, err := dialExample(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, exampleUser, examplePass); err != nil {
		log.Fatal(err)
	}
	folder := exampleFixture("search")
	defer c.Delete(ctx, folder)
	if _, err := c.Examine(ctx, folder); err != nil {
		log.Fatal(err)
	}

	uids, err := c.Search(ctx, true, client.RawCriteria("SINCE 13-Jul-2013 TEXT Apress"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Apress:", uids)

	var crit client.Criteria
	crit.Subject("会议") // non-ASCII goes as CHARSET UTF-8 with a literal
	uids, err = c.Search(ctx, true, &crit)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("会议:", uids)

	var since client.Criteria
	since.Since(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).Not((&client.Criteria{}).From("alice"))
	uids, err = c.Search(ctx, true, &since)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("not from alice:", uids)
	// Output:
	// Apress: 1
	// 会议: 2
	// not from alice: 2:3
}

// The tutorial's folder creation and deletion, with a non-ASCII name sent
// in modified UTF-7.
func Example_createDeleteFolder() {
	ctx := context.Background()
	c, err := dialExample(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, exampleUser, examplePass); err != nil {
		log.Fatal(err)
	}
	name := fmt.Sprintf("imapwire-台北-%d", time.Now().UnixNano())
	if err := c.Create(ctx, name); err != nil {
		log.Fatal(err)
	}
	list, _ := c.List(ctx, "", name, nil)
	fmt.Println("created:", len(list) == 1 && list[0].Name == name, strings.HasPrefix(list[0].Raw, "imapwire-&"))
	if err := c.Delete(ctx, name); err != nil {
		log.Fatal(err)
	}
	list, _ = c.List(ctx, "", name, nil)
	fmt.Println("after delete:", len(list))
	// Output:
	// created: true true
	// after delete: 0
}

// The tutorial's asynchrony: IDLE until a new message arrives (here,
// appended by a second connection).
func Example_idle() {
	ctx := context.Background()
	folder := exampleFixture("idle")
	arrived := make(chan uint32, 1)
	opts := *exampleOptions
	opts.Updates = func(r parser.Response) {
		if e, ok := r.(*parser.Exists); ok {
			select {
			case arrived <- e.Num:
			default:
			}
		}
	}
	exampleOptionsSaved := exampleOptions
	exampleOptions = &opts
	c, err := dialExample(ctx)
	exampleOptions = exampleOptionsSaved
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, exampleUser, examplePass); err != nil {
		log.Fatal(err)
	}
	defer c.Delete(ctx, folder)
	if _, err := c.Select(ctx, folder); err != nil {
		log.Fatal(err)
	}

	idleCtx, stop := context.WithTimeout(ctx, 20*time.Second)
	done := make(chan error, 1)
	go func() { done <- c.Idle(idleCtx, nil) }()

	// Meanwhile another client delivers a message.
	other, err := dialExample(ctx)
	if err != nil {
		log.Fatal(err)
	}
	other.Login(ctx, exampleUser, examplePass)
	msg := "Subject: new\r\n\r\nhi\r\n"
	time.Sleep(200 * time.Millisecond) // let IDLE start
	other.Append(ctx, folder, int64(len(msg)), strings.NewReader(msg), nil)
	other.Logout(ctx)

	select {
	case n := <-arrived:
		fmt.Println("EXISTS", n)
	case <-idleCtx.Done():
		fmt.Println("no update")
	}
	stop()
	if err := <-done; err != nil {
		log.Fatal(err)
	}
	fmt.Println("mailbox now holds", c.Selected().Exists)
	// Output:
	// EXISTS 4
	// mailbox now holds 4
}
