package readme

// The README's Go snippets, each a function declaration that README.md
// shows exactly as it is written here (see doc.go). Keep each one
// self-explanatory: a reader sees the function, not this file.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/mail"
	"strings"

	"github.com/imapwire/imapwire/client"
	"github.com/imapwire/imapwire/command"
	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// tutorial does the tutorial's steps on the server at addr, over TLS (opts
// may be nil), in a folder of its own that it deletes at the end.
func tutorial(ctx context.Context, addr, user, pass string, opts *client.Options) error {
	c, err := client.DialTLS(ctx, addr, opts) // or client.DialStartTLS
	if err != nil {
		return err
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, user, pass); errors.Is(err, command.AUTHENTICATIONFAILED) {
		return fmt.Errorf("wrong user name or password: %w", err)
	} else if err != nil {
		return err
	}
	fmt.Println("IDLE:", c.Has("IDLE")) // capabilities; all of them: c.Capabilities(ctx)

	folders, err := c.List(ctx, "", "*", nil)
	if err != nil {
		return err
	}
	for _, f := range folders { // parsed, the name decoded from modified UTF-7
		fmt.Println(f.Attrs, f.Delim, f.Name)
	}

	folder, err := c.PersonalName(ctx, "imapwire 台北") // "INBOX.imapwire 台北" on some servers
	if err != nil {
		return err
	}
	if err := c.Create(ctx, folder); err != nil {
		return err
	}
	defer c.Delete(ctx, folder)
	for _, m := range []string{
		"From: Alice <alice@example.org>\r\nSubject: Apress book\r\n\r\nThe Apress book is out.\r\n",
		"From: =?UTF-8?B?5byg5LiJ?= <zhang@example.cn>\r\nSubject: =?UTF-8?B?5Lya6K6u?=\r\n\r\nhello\r\n",
	} {
		if _, err := c.Append(ctx, folder, int64(len(m)), strings.NewReader(m), nil); err != nil {
			return err
		}
	}
	mb, err := c.Select(ctx, folder) // the summary
	if err != nil {
		return err
	}
	fmt.Println("EXISTS:", mb.Exists, "UIDNEXT:", mb.UIDNext, "READ-WRITE:", !mb.ReadOnly)

	// Download every message (UID FETCH 1:*), each body streamed.
	fetch, err := c.UIDFetch(ctx, wire.SeqSet{{Start: 1, Stop: 0}}, "BODY.PEEK[]")
	if err != nil {
		return err
	}
	defer fetch.Close()
	for {
		msg, err := fetch.Next(ctx)
		if err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		for {
			item, err := msg.Next() // the UID first, then BODY[]: find items by type
			if err == io.EOF {
				break
			} else if err != nil {
				return err
			}
			if body, ok := item.(*parser.BodySectionItem); ok {
				m, err := mail.ReadMessage(body.Body) // reads from the connection
				if err != nil {
					return err
				}
				fmt.Println(msg.SeqNum, client.DecodeHeader(m.Header.Get("Subject")))
			}
		}
	}

	uids, err := c.Search(ctx, true, client.RawCriteria("SINCE 13-Jul-2013 TEXT Apress"))
	if err != nil {
		return err
	}
	if _, err := c.UIDStore(ctx, uids, client.AddFlags, true, `\Flagged`); err != nil {
		return err
	}
	flags, err := c.GetFlags(ctx, true, uids)
	if err != nil {
		return err
	}
	fmt.Println("Apress:", uids, flags[0].Flags)

	// Delete: mark \Deleted, then expunge.
	if _, err := c.UIDStore(ctx, uids, client.AddFlags, true, `\Deleted`); err != nil {
		return err
	}
	expunged, err := c.Expunge(ctx)
	if err != nil {
		return err
	}
	fmt.Println("expunged:", expunged, "left:", c.Selected().Exists)
	return nil
}

// printResponses reads a server's responses from conn until it closes,
// printing each LIST and copying FETCH bodies to file.
func printResponses(conn io.Reader, file io.Writer) error {
	r := parser.NewReader(conn, nil) // nil: lenient, default limits
	for {
		resp, err := r.Next()
		if err == io.EOF { // I/O errors and io.EOF come unwrapped
			return nil
		}
		if err != nil {
			var se *wire.SyntaxError
			if errors.As(err, &se) {
				log.Printf("bad response at offset %d (%s): %v", se.Offset, se.Production, err)
				continue // the next call skips the rest of the bad response
			}
			return err
		}
		switch resp := resp.(type) {
		case *parser.List:
			fmt.Println(resp.Name, resp.Attrs) // decoded from modified UTF-7
		case *parser.Fetch: // items stream; a body literal is an io.Reader
			for {
				item, err := resp.Next()
				if err == io.EOF { // after the last item
					break
				} else if err != nil {
					log.Printf("bad FETCH %d: %v", resp.SeqNum, err)
					break // r.Next skips the rest of it, or returns the I/O error
				}
				if body, ok := item.(*parser.BodySectionItem); ok {
					if _, err := io.Copy(file, body.Body); err != nil { // 1 GiB in constant memory
						return err
					}
				}
			}
		}
	}
}
