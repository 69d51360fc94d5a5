package client_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
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
// already parsed, its name decoded from modified UTF-7.
func Example_capabilitiesAndFolders() {
	ctx := context.Background()
	addr, stop := demoServer()
	defer stop()
	// The demo server speaks plaintext on loopback; a real server:
	// client.DialTLS(ctx, "imap.example.org", nil).
	c, err := client.Dial(ctx, addr, &client.Options{AllowPlaintext: true})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, "demo", "demo"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("IMAP4rev1:", c.Has("IMAP4rev1"), "IDLE:", c.Has("IDLE"))

	folders, err := c.List(ctx, "", "*", nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range folders {
		fmt.Printf("%-28s %s %s\n", strings.Join(f.Attrs, " "), f.Delim, f.Name)
	}
	// Output:
	// IMAP4rev1: true IDLE: true
	// \HasNoChildren               / INBOX
	// \HasNoChildren \Archive      / Archive
	// \HasNoChildren               / Deleted Items
	// \HasNoChildren               / Entwürfe
	// \HasChildren                 / Travel
	// \HasNoChildren               / Travel/台北
	// \HasChildren                 / Work
	// \HasNoChildren               / Work/Projects
	// \Noselect \HasChildren       / [Gmail]
	// \HasNoChildren \Drafts       / [Gmail]/Drafts
	// \HasNoChildren \Sent         / [Gmail]/Sent Mail
	// \HasNoChildren \Junk         / [Gmail]/Spam
	// \HasNoChildren \Trash        / [Gmail]/Trash
}

// The tutorial's folder summary: what SELECT reports.
func Example_folderSummary() {
	ctx := context.Background()
	addr, stop := demoServer()
	defer stop()
	c, err := client.Dial(ctx, addr, &client.Options{AllowPlaintext: true})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, "demo", "demo"); err != nil {
		log.Fatal(err)
	}

	mb, err := c.Select(ctx, "INBOX") // Examine for read-only
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("EXISTS:", mb.Exists)
	fmt.Println("RECENT:", mb.Recent)
	fmt.Println("UNSEEN:", mb.Unseen)
	fmt.Println("UIDNEXT:", mb.UIDNext)
	fmt.Println("UIDVALIDITY:", mb.UIDValidity)
	fmt.Println("FLAGS:", mb.Flags)
	fmt.Println("PERMANENTFLAGS:", mb.PermanentFlags)
	fmt.Println("READ-WRITE:", !mb.ReadOnly)
	// Output:
	// EXISTS: 26
	// RECENT: 26
	// UNSEEN: 3
	// UIDNEXT: 27
	// UIDVALIDITY: 1
	// FLAGS: [\Answered \Flagged \Deleted \Seen \Draft $Newsletter $Important $Forwarded]
	// PERMANENTFLAGS: [\Answered \Flagged \Deleted \Seen \Draft $Newsletter $Important $Forwarded \*]
	// READ-WRITE: true
}

// The tutorial's mailbox download: each message's From, then its parts'
// types or the start of its text. The messages are streamed: memory stays
// bounded whatever their sizes. UID FETCH sends each message's UID item
// before its body, so the body is found by its type, not its position.
func Example_downloadMailbox() {
	ctx := context.Background()
	addr, stop := demoServer()
	defer stop()
	c, err := client.Dial(ctx, addr, &client.Options{AllowPlaintext: true})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, "demo", "demo"); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Examine(ctx, "INBOX"); err != nil {
		log.Fatal(err)
	}

	// The first five messages; {Start: 1, Stop: 0} is 1:*, all of them.
	fetch, err := c.UIDFetch(ctx, wire.SeqSet{{Start: 1, Stop: 5}}, "BODY.PEEK[]")
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
				continue // the UID
			}
			m, err := mail.ReadMessage(body.Body) // reads from the connection
			if err != nil {
				log.Fatal(err)
			}
			fmt.Println(m.Header.Get("From"))
			media, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
			if !strings.HasPrefix(media, "multipart/") {
				// Undo the transfer encoding and the charset, unlike the
				// tutorial, which prints the first 60 bytes as they come.
				r, err := client.DecodePart(m.Body, m.Header.Get("Content-Transfer-Encoding"), params["charset"])
				if err != nil {
					log.Fatal(err)
				}
				text, _ := io.ReadAll(io.LimitReader(r, 60))
				fmt.Println("  ", strings.Join(strings.Fields(string(text)), " "), "...")
				continue
			}
			var types []string
			parts := multipart.NewReader(m.Body, params["boundary"])
			for {
				p, err := parts.NextPart()
				if err != nil {
					break
				}
				types = append(types, strings.Split(p.Header.Get("Content-Type"), ";")[0])
			}
			fmt.Println("   Parts:", strings.Join(types, " "), "...")
		}
	}
	// Output:
	// Alice Example <alice@example.org>
	//    Hi Bob, Can we meet tomorrow at 10:00 to go over somethin ...
	// Bob Example <bob@example.com>
	//    10:00 works for me. I'll book the small room – the big one ...
	// "Example News" <news@news.example.net>
	//    Parts: text/plain text/html ...
	// Alice Example <alice@example.org>
	//    Parts: text/plain image/png application/octet-stream ...
	// Bob Example <bob@example.com>
	//    Parts: text/plain message/rfc822 ...
}

// The tutorial's flags program: read a message's flags, remove one, add
// another. \Recent is the server's: it says this session is the first to
// see the message.
func Example_flags() {
	ctx := context.Background()
	addr, stop := demoServer()
	defer stop()
	c, err := client.Dial(ctx, addr, &client.Options{AllowPlaintext: true})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, "demo", "demo"); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Select(ctx, "INBOX"); err != nil {
		log.Fatal(err)
	}

	uid := wire.SeqSet{{Start: 2, Stop: 2}}
	msgs, err := c.GetFlags(ctx, true, uid)
	if err != nil {
		log.Fatal(err)
	}
	slices.Sort(msgs[0].Flags) // servers list flags in any order
	fmt.Println("flags:", msgs[0].Flags)

	if _, err := c.UIDStore(ctx, uid, client.RemoveFlags, true, `\Seen`); err != nil {
		log.Fatal(err)
	}
	changed, err := c.UIDStore(ctx, uid, client.AddFlags, false, `\Flagged`)
	if err != nil {
		log.Fatal(err)
	}
	slices.Sort(changed[0].Flags)
	fmt.Println("-\\Seen +\\Flagged:", changed[0].Flags)
	// Output:
	// flags: [\Answered \Recent \Seen]
	// -\Seen +\Flagged: [\Answered \Flagged \Recent]
}

// The tutorial's delete-and-expunge program: mark messages \Deleted, then
// EXPUNGE removes them, and every other message already marked so.
func Example_deleteAndExpunge() {
	ctx := context.Background()
	addr, stop := demoServer()
	defer stop()
	c, err := client.Dial(ctx, addr, &client.Options{AllowPlaintext: true})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, "demo", "demo"); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Select(ctx, "INBOX"); err != nil {
		log.Fatal(err)
	}

	deleted, err := c.SearchNums(ctx, true, new(client.Criteria).Flag(`\Deleted`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("already deleted:", deleted)
	if _, err := c.UIDStore(ctx, wire.SeqSetOf(2, 3), client.AddFlags, true, `\Deleted`); err != nil {
		log.Fatal(err)
	}
	expunged, err := c.Expunge(ctx) // c.UIDExpunge removes only the UIDs given
	if err != nil {
		log.Fatal(err)
	}
	// Sequence numbers, each counted after the previous message went:
	// 2 and 3 are 2 and 2, and 20 is 18.
	fmt.Println("expunged:", expunged, "left:", c.Selected().Exists)
	// Output:
	// already deleted: [20]
	// expunged: [2 2 18] left: 23
}

// The tutorial's search: the criteria as a raw string, then typed. The
// results are UIDs (Search's second argument), as IMAPClient returns.
func Example_search() {
	ctx := context.Background()
	addr, stop := demoServer()
	defer stop()
	c, err := client.Dial(ctx, addr, &client.Options{AllowPlaintext: true})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, "demo", "demo"); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Examine(ctx, "INBOX"); err != nil {
		log.Fatal(err)
	}

	uids, err := c.Search(ctx, true, client.RawCriteria("SINCE 13-Jul-2013 TEXT Apress"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Apress since 13-Jul-2013:", uids)

	var crit client.Criteria
	crit.Subject("会议") // non-ASCII goes as CHARSET UTF-8 with a literal
	uids, err = c.Search(ctx, true, &crit)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("会议:", uids)

	var unseen client.Criteria
	unseen.Since(time.Date(2021, 4, 1, 0, 0, 0, 0, time.UTC)).Unseen().Not(new(client.Criteria).From("alice"))
	uids, err = c.Search(ctx, true, &unseen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("unseen since April 2021, not from Alice:", uids)
	// Output:
	// Apress since 13-Jul-2013: 11
	// 会议: 6
	// unseen since April 2021, not from Alice: 17,19:20,22:25
}

// The tutorial's folder creation and deletion. Names go out in modified
// UTF-7 and come back decoded; Raw keeps them as sent.
func Example_createDeleteFolder() {
	ctx := context.Background()
	addr, stop := demoServer()
	defer stop()
	c, err := client.Dial(ctx, addr, &client.Options{AllowPlaintext: true})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, "demo", "demo"); err != nil {
		log.Fatal(err)
	}

	// Names in the personal namespace: "Personal/旅行" here, where it is
	// "" with "/"; "INBOX.Personal.旅行" where it is "INBOX." with ".".
	for _, parts := range [][]string{{"Personal"}, {"Personal", "旅行"}} {
		name, err := c.PersonalName(ctx, parts...)
		if err != nil {
			log.Fatal(err)
		}
		if err := c.Create(ctx, name); err != nil {
			log.Fatal(err)
		}
	}
	if err := c.Delete(ctx, "Deleted Items"); err != nil {
		log.Fatal(err)
	}
	for _, pattern := range []string{"Personal*", "Deleted*"} {
		folders, err := c.List(ctx, "", pattern, nil)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(pattern, "lists", len(folders))
		for _, f := range folders {
			fmt.Printf("  %s (sent as %s)\n", f.Name, f.Raw)
		}
	}
	// Output:
	// Personal* lists 2
	//   Personal (sent as Personal)
	//   Personal/旅行 (sent as Personal/&ZcWITA-)
	// Deleted* lists 0
}

// The tutorial's asynchrony: IDLE until a new message arrives, here
// appended by a second connection. Updates arrive through Options.Updates.
func Example_idle() {
	ctx := context.Background()
	addr, stop := demoServer()
	defer stop()
	arrived := make(chan uint32, 1)
	c, err := client.Dial(ctx, addr, &client.Options{
		AllowPlaintext: true,
		Updates: func(r parser.Response) { // called in order, from one goroutine
			if e, ok := r.(*parser.Exists); ok {
				select {
				case arrived <- e.Num:
				default:
				}
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, "demo", "demo"); err != nil {
		log.Fatal(err)
	}
	mb, err := c.Select(ctx, "INBOX")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("INBOX holds", mb.Exists)

	idleCtx, stopIdle := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Idle(idleCtx, nil) }()

	// Meanwhile another client delivers a message. No need to wait for
	// IDLE to start: a message that arrives before it is reported when it
	// starts, one that arrives during it at once.
	other, err := client.Dial(ctx, addr, &client.Options{AllowPlaintext: true})
	if err != nil {
		log.Fatal(err)
	}
	if err := other.Login(ctx, "demo", "demo"); err != nil {
		log.Fatal(err)
	}
	msg := "From: carol@example.com\r\nSubject: new\r\n\r\nhi\r\n"
	if _, err := other.Append(ctx, "INBOX", int64(len(msg)), strings.NewReader(msg), nil); err != nil {
		log.Fatal(err)
	}
	other.Logout(ctx)

	select {
	case n := <-arrived:
		fmt.Println("EXISTS", n)
	case <-time.After(10 * time.Second):
		fmt.Println("no update")
	}
	stopIdle() // IDLE ends with its context: DONE, then Idle returns
	if err := <-done; err != nil {
		log.Fatal(err)
	}
	fmt.Println("INBOX now holds", c.Selected().Exists)
	// Output:
	// INBOX holds 26
	// EXISTS 27
	// INBOX now holds 27
}
