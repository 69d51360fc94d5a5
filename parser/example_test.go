package parser_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/imapwire/imapwire/parser"
)

// A LIST response read into a *parser.List: the attributes as a slice, the
// delimiter, and the mailbox name decoded from modified UTF-7, where
// Python's imaplib hands back the raw line b'(\\HasNoChildren) "/" "INBOX"'
// for the caller to split.
func ExampleReader_ReadResponse_list() {
	stream := "* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n" +
		"* LIST (\\HasChildren \\Drafts) \"/\" \"Entw&APw-rfe\"\r\n" +
		"A1 OK LIST completed\r\n"
	r := parser.NewReader(strings.NewReader(stream), nil)
	for {
		resp, err := r.ReadResponse()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		switch resp := resp.(type) {
		case *parser.List:
			fmt.Printf("%s %q attrs=%v delim=%q raw=%q\n", resp.Command, resp.Name, resp.Attrs, resp.Delim, resp.Raw)
		case *parser.StatusResponse:
			fmt.Println(resp.Tag, resp.Type, resp.Text)
		}
	}
	// Output:
	// LIST "INBOX" attrs=[\HasNoChildren] delim="/" raw="INBOX"
	// LIST "Entwürfe" attrs=[\HasChildren \Drafts] delim="/" raw="Entw&APw-rfe"
	// A1 OK LIST completed
}

// The responses to SELECT (RFC 3501 section 6.3.1), each as its own type;
// response codes come typed in StatusResponse.Code.
func ExampleReader_ReadResponse_select() {
	stream := "* 172 EXISTS\r\n" +
		"* 1 RECENT\r\n" +
		"* OK [UNSEEN 12] Message 12 is first unseen\r\n" +
		"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n" +
		"* OK [UIDNEXT 4392] Predicted next UID\r\n" +
		"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n" +
		"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n" +
		"A142 OK [READ-WRITE] SELECT completed\r\n"
	r := parser.NewReader(strings.NewReader(stream), nil)
	for {
		resp, err := r.ReadResponse()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		switch resp := resp.(type) {
		case *parser.Exists:
			fmt.Println("messages:", resp.Num)
		case *parser.Recent:
			fmt.Println("recent:", resp.Num)
		case *parser.Flags:
			fmt.Println("flags:", resp.Flags)
		case *parser.StatusResponse:
			switch c := resp.Code; {
			case c == nil:
				fmt.Println(resp.Type, resp.Text)
			case c.Name == parser.CodeUnseen, c.Name == parser.CodeUIDValidity, c.Name == parser.CodeUIDNext:
				fmt.Printf("%s: %d\n", c.Name, c.Number)
			case c.Name == parser.CodePermanentFlags:
				fmt.Println("permanent flags:", c.List)
			default:
				fmt.Printf("%s %s [%s] %s\n", resp.Tag, resp.Type, c.Name, resp.Text)
			}
		}
	}
	// Output:
	// messages: 172
	// recent: 1
	// UNSEEN: 12
	// UIDVALIDITY: 3857529045
	// UIDNEXT: 4392
	// flags: [\Answered \Flagged \Deleted \Seen \Draft]
	// permanent flags: [\Deleted \Seen \*]
	// A142 OK [READ-WRITE] SELECT completed
}

// Streaming a FETCH: items come one at a time from Fetch.Next, and a body
// section arrives as an io.Reader over the literal, never buffered whole.
// Here it is copied to standard output; a real client would copy it to a
// file.
func ExampleFetch_Next() {
	stream := "* 12 FETCH (UID 4827313 BODY[TEXT] {30}\r\n" +
		"Hello Joe,\r\nsee you at 3:30.\r\n" +
		" FLAGS (\\Seen))\r\n" +
		"A1 OK FETCH completed\r\n"
	r := parser.NewReader(strings.NewReader(stream), nil)
	resp, err := r.Next()
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	f := resp.(*parser.Fetch)
	fmt.Println("message", f.SeqNum)
	for {
		item, err := f.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		switch item := item.(type) {
		case *parser.UIDItem:
			fmt.Println("UID", item.UID)
		case *parser.BodySectionItem:
			fmt.Printf("%s, %d bytes:\n", item.ItemName(), item.Size)
			io.Copy(stdout{}, item.Body) // valid until the next call
		case *parser.FlagsItem:
			fmt.Println("FLAGS", item.Flags)
		}
	}
	resp, _ = r.Next()
	fmt.Println(resp.(*parser.StatusResponse).Text)
	// Output:
	// message 12
	// UID 4827313
	// BODY[TEXT], 30 bytes:
	// Hello Joe,
	// see you at 3:30.
	// FLAGS [\Seen]
	// FETCH completed
}

// stdout writes to standard output with the CRLFs of IMAP as plain
// newlines, so that the example's output can be checked.
type stdout struct{}

func (stdout) Write(p []byte) (int, error) {
	fmt.Print(strings.ReplaceAll(string(p), "\r\n", "\n"))
	return len(p), nil
}
