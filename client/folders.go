package client

import (
	"context"
	"fmt"
	"strings"

	"github.com/imapwire/imapwire/command"
	"github.com/imapwire/imapwire/parser"
)

// ListOptions are the LIST-EXTENDED (RFC 5258) options of List.
type ListOptions struct {
	// Selection options: SUBSCRIBED, REMOTE, RECURSIVEMATCH, SPECIAL-USE.
	SelectSubscribed bool
	SelectSpecialUse bool
	// Return options.
	ReturnSubscribed bool
	ReturnChildren   bool
	ReturnSpecialUse bool
	// ReturnStatus asks for STATUS items with each mailbox (LIST-STATUS,
	// RFC 5819), such as "MESSAGES" and "UNSEEN"; the Status responses
	// come back in ListResult.Status.
	ReturnStatus []string
}

// ListResult is one mailbox of a List: its attributes, delimiter and name
// (decoded from modified UTF-7), and its STATUS when asked for.
type ListResult struct {
	*parser.List
	Status *parser.Status
}

// List lists the mailboxes matching pattern under ref (LIST, RFC 3501
// section 6.3.8), with LIST-EXTENDED options when opts is not nil.
func (c *Client) List(ctx context.Context, ref, pattern string, opts *ListOptions) ([]ListResult, error) {
	args := []command.Arg{}
	if opts != nil {
		var sel command.List
		if opts.SelectSubscribed {
			sel = append(sel, command.Atom("SUBSCRIBED"))
		}
		if opts.SelectSpecialUse {
			sel = append(sel, command.Atom("SPECIAL-USE"))
		}
		if len(sel) > 0 {
			args = append(args, sel)
		}
	}
	args = append(args, command.Mailbox(ref), listPattern(pattern))
	if opts != nil {
		var ret command.List
		if opts.ReturnSubscribed {
			ret = append(ret, command.Atom("SUBSCRIBED"))
		}
		if opts.ReturnChildren {
			ret = append(ret, command.Atom("CHILDREN"))
		}
		if opts.ReturnSpecialUse {
			ret = append(ret, command.Atom("SPECIAL-USE"))
		}
		if len(opts.ReturnStatus) > 0 {
			var items command.List
			for _, s := range opts.ReturnStatus {
				items = append(items, command.Atom(s))
			}
			ret = append(ret, command.Atom("STATUS"), items)
		}
		if len(ret) > 0 {
			args = append(args, command.Atom("RETURN"), ret)
		}
	}
	return c.list(ctx, "LIST", args)
}

// listPattern encodes a LIST pattern: like a mailbox, but "%" and "*" are
// wildcards that must stay unquoted-safe. AString quotes them, which
// servers accept (list-mailbox allows a string).
func listPattern(p string) command.Arg { return command.Mailbox(p) }

func (c *Client) list(ctx context.Context, verb string, args []command.Arg) ([]ListResult, error) {
	resps, _, err := c.run(ctx, &command.Spec{
		Name:  verb,
		Args:  args,
		Kinds: []string{verb, "STATUS"},
		Claim: func(r parser.Response) bool {
			switch r := r.(type) {
			case *parser.List:
				return r.Command == verb
			case *parser.Status:
				return verb == "LIST"
			}
			return false
		},
	})
	if err != nil && !partial(err) {
		return nil, err
	}
	var out []ListResult
	var index map[string]int // built for LIST-STATUS only
	for _, r := range resps {
		switch r := r.(type) {
		case *parser.List:
			if index != nil { // LIST and STATUS responses interleave
				index[r.Name] = len(out)
			}
			out = append(out, ListResult{List: r})
		case *parser.Status:
			if index == nil {
				index = make(map[string]int, len(out))
				for i, l := range out {
					index[l.Name] = i
				}
			}
			if i, ok := index[r.Name]; ok {
				out[i].Status = r
			}
		}
	}
	return out, err
}

// Lsub lists subscribed mailboxes (LSUB).
func (c *Client) Lsub(ctx context.Context, ref, pattern string) ([]ListResult, error) {
	return c.list(ctx, "LSUB", []command.Arg{command.Mailbox(ref), listPattern(pattern)})
}

// XList lists mailboxes with Gmail's XLIST, the pre-SPECIAL-USE way to
// find \Sent, \Trash and friends.
func (c *Client) XList(ctx context.Context, ref, pattern string) ([]ListResult, error) {
	return c.list(ctx, "XLIST", []command.Arg{command.Mailbox(ref), listPattern(pattern)})
}

// FindSpecial returns the mailbox with the special-use attribute attr (such
// as `\Sent` or `\Trash`, RFC 6154), using LIST (SPECIAL-USE) when offered,
// else XLIST, else the attributes of a plain LIST. It returns "" when no
// mailbox has the attribute.
func (c *Client) FindSpecial(ctx context.Context, attr string) (string, error) {
	var (
		list []ListResult
		err  error
	)
	switch {
	case c.Has("SPECIAL-USE") && c.Has("LIST-EXTENDED"):
		list, err = c.List(ctx, "", "*", &ListOptions{SelectSpecialUse: true})
	case c.Has("XLIST"):
		list, err = c.XList(ctx, "", "*")
	default:
		list, err = c.List(ctx, "", "*", nil)
	}
	if err != nil {
		return "", err
	}
	for _, l := range list {
		for _, a := range l.Attrs {
			if strings.EqualFold(a, attr) {
				return l.Name, nil
			}
		}
	}
	return "", nil
}

// Create creates a mailbox. An existing name is a *command.StatusError that
// matches command.ALREADYEXISTS where the server sends the code.
func (c *Client) Create(ctx context.Context, name string) error {
	return c.simple(ctx, "CREATE", command.Mailbox(name))
}

// Delete deletes a mailbox.
func (c *Client) Delete(ctx context.Context, name string) error {
	return c.simple(ctx, "DELETE", command.Mailbox(name))
}

// Rename renames a mailbox.
func (c *Client) Rename(ctx context.Context, from, to string) error {
	return c.simple(ctx, "RENAME", command.Mailbox(from), command.Mailbox(to))
}

// Subscribe adds a mailbox to the subscriptions.
func (c *Client) Subscribe(ctx context.Context, name string) error {
	return c.simple(ctx, "SUBSCRIBE", command.Mailbox(name))
}

// Unsubscribe removes a mailbox from the subscriptions.
func (c *Client) Unsubscribe(ctx context.Context, name string) error {
	return c.simple(ctx, "UNSUBSCRIBE", command.Mailbox(name))
}

// Status asks for status items of a mailbox (STATUS), such as "MESSAGES",
// "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "HIGHESTMODSEQ", "SIZE".
func (c *Client) Status(ctx context.Context, name string, items ...string) (*parser.Status, error) {
	if len(items) == 0 {
		items = []string{"MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN"}
	}
	var list command.List
	for _, s := range items {
		list = append(list, command.Atom(s))
	}
	resps, _, err := c.run(ctx, &command.Spec{
		Name:  "STATUS",
		Args:  []command.Arg{command.Mailbox(name), list},
		Kinds: []string{"STATUS"},
		Claim: isType[*parser.Status],
	})
	if err != nil {
		return nil, err
	}
	for _, r := range resps {
		if s, ok := r.(*parser.Status); ok {
			return s, nil
		}
	}
	return nil, &command.StatusError{Command: "STATUS", Resp: &parser.StatusResponse{Type: parser.NO, Text: "no STATUS response"}}
}

// Namespace returns the server's namespaces (RFC 2342).
func (c *Client) Namespace(ctx context.Context) (*parser.Namespace, error) {
	resps, _, err := c.run(ctx, &command.Spec{Name: "NAMESPACE", Kinds: []string{"NAMESPACE"}, Claim: isType[*parser.Namespace]})
	if err != nil {
		return nil, err
	}
	for _, r := range resps {
		if n, ok := r.(*parser.Namespace); ok {
			return n, nil
		}
	}
	return &parser.Namespace{}, nil
}

// PersonalName returns the name of the mailbox made of parts in the
// user's personal namespace (RFC 2342): "Work/2024" for parts "Work" and
// "2024" on a server whose personal namespace is "" with "/", and
// "INBOX.Work.2024" on one whose namespace is "INBOX." with "." (where a
// top-level CREATE is refused). Without NAMESPACE it takes the hierarchy
// delimiter from LIST "" "". A part holding the delimiter is an error: it
// would name another mailbox.
func (c *Client) PersonalName(ctx context.Context, parts ...string) (string, error) {
	prefix, delim := "", ""
	if c.Has("NAMESPACE") {
		ns, err := c.Namespace(ctx)
		if err != nil {
			return "", err
		}
		if len(ns.Personal) > 0 {
			prefix, delim = ns.Personal[0].Prefix, ns.Personal[0].Delim
		}
	} else {
		l, err := c.List(ctx, "", "", nil)
		if err != nil {
			return "", err
		}
		if len(l) > 0 {
			delim = l[0].Delim
		}
	}
	if len(parts) > 1 && delim == "" {
		return "", fmt.Errorf("imap: the server has no hierarchy delimiter: cannot name %q", parts)
	}
	for _, p := range parts {
		if delim != "" && strings.Contains(p, delim) {
			return "", fmt.Errorf("imap: mailbox name part %q holds the hierarchy delimiter %q", p, delim)
		}
	}
	return prefix + strings.Join(parts, delim), nil
}
