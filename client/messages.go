package client

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/imapwire/imapwire/command"
	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// A FetchCommand streams the messages of a FETCH or UID FETCH.
type FetchCommand struct {
	cmd *command.Command
}

// Fetch sends FETCH for the messages in set (sequence numbers) and the items
// named, such as "UID", "FLAGS", "ENVELOPE", "BODYSTRUCTURE",
// "BODY.PEEK[]", "BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)]", "X-GM-LABELS".
// Items this package has no type for come back as *parser.RawItem.
func (c *Client) Fetch(ctx context.Context, set wire.SeqSet, items ...string) (*FetchCommand, error) {
	return c.fetch(ctx, false, set, items)
}

// UIDFetch is Fetch with set naming UIDs (UID FETCH); every message carries
// its UID.
func (c *Client) UIDFetch(ctx context.Context, set wire.SeqSet, items ...string) (*FetchCommand, error) {
	return c.fetch(ctx, true, set, items)
}

func (c *Client) fetch(ctx context.Context, uid bool, set wire.SeqSet, items []string) (*FetchCommand, error) {
	var list command.List
	wantFlags, wantBodies := false, false
	for _, it := range items {
		list = append(list, command.Raw(it))
		if strings.EqualFold(it, "FLAGS") || strings.EqualFold(it, "FAST") || strings.EqualFold(it, "ALL") || strings.EqualFold(it, "FULL") {
			wantFlags = true
		}
		if isBodySection(it) {
			wantBodies = true
		}
	}
	name := "FETCH"
	if uid {
		name = "UID FETCH"
	}
	if err := c.prepare(ctx); err != nil {
		return nil, err
	}
	cmd, err := c.conn.Send(ctx, &command.Spec{
		Name:        name,
		Args:        []command.Arg{command.SeqSet(set), list},
		Kinds:       []string{"FETCH"},
		ClaimFetch:  fetchClaim(uid, set, wantFlags, wantBodies),
		UsesSeqNums: !uid,
		MayExpunge:  uid,
	})
	if err != nil {
		return nil, err
	}
	return &FetchCommand{cmd: cmd}, nil
}

// fetchClaim is the routing rule of FETCH, UID FETCH and STORE: a response
// belongs to the command when it is about a message in the set (by UID for
// UID commands, wherever the UID comes among the items) and carries
// something the command asked for; a response carrying only FLAGS (and UID
// and MODSEQ) is an unsolicited flag update unless FLAGS was asked for, and
// one carrying only UID (and MODSEQ) answers a FETCH of UID. A body section
// belongs to the command if it asked for body sections (wantBodies); a body
// nobody asked for is discarded unread by the command layer.
func fetchClaim(uid bool, set wire.SeqSet, wantFlags, wantBodies bool) func(*command.FetchHeader) bool {
	return func(h *command.FetchHeader) bool {
		if h.HasBody {
			return wantBodies
		}
		if uid {
			if h.UID == 0 || !set.Contains(h.UID) {
				return false
			}
		} else if !set.Contains(h.SeqNum) {
			return false
		}
		sawFlags := false
		for _, n := range h.Items {
			switch n {
			case "UID", "MODSEQ":
			case "FLAGS":
				if wantFlags {
					return true
				}
				sawFlags = true
			default:
				return true
			}
		}
		// Only UID (and MODSEQ): the answer to a FETCH of just UID, as
		// in "UID FETCH 1:* (UID)". Unsolicited updates always carry
		// FLAGS, so this cannot be one (it was left unclaimed before,
		// and such a FETCH returned no messages).
		return !sawFlags
	}
}

// isBodySection reports whether a FETCH item name asks for message bytes
// that come back as a literal: BODY[...], BODY.PEEK[...], BINARY[...],
// BINARY.PEEK[...], RFC822, RFC822.HEADER and RFC822.TEXT.
func isBodySection(item string) bool {
	if strings.Contains(item, "[") {
		return !strings.HasPrefix(strings.ToUpper(item), "BINARY.SIZE")
	}
	switch strings.ToUpper(item) {
	case "RFC822", "RFC822.HEADER", "RFC822.TEXT":
		return true
	}
	return false
}

// Next returns the next message, or io.EOF after the last one. Read the
// message's items (Message.Next) before calling Next again; a body item's
// reader is valid until then.
func (f *FetchCommand) Next(ctx context.Context) (*command.Message, error) {
	for {
		x, err := f.cmd.Next(ctx)
		if err != nil {
			return nil, err
		}
		if m, ok := x.(*command.Message); ok {
			return m, nil
		}
	}
}

// Collect reads every message, buffering bodies. When some responses did
// not parse, it returns the messages that did with a
// *command.MalformedError holding the others.
func (f *FetchCommand) Collect(ctx context.Context) ([]*parser.Message, error) {
	var out []*parser.Message
	for {
		m, err := f.Next(ctx)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		pm, err := m.Collect(ctx)
		var me *command.MalformedError
		if errors.As(err, &me) {
			continue // the command's error, from Next, reports it
		}
		if err != nil {
			return out, err
		}
		out = append(out, pm)
	}
}

// Close abandons the rest of the command: remaining messages are read and
// discarded in the background.
func (f *FetchCommand) Close() error {
	f.cmd.Abandon()
	return nil
}

// StoreOp is how Store changes flags.
type StoreOp string

// Store operations.
const (
	AddFlags    StoreOp = "+FLAGS"
	RemoveFlags StoreOp = "-FLAGS"
	SetFlags    StoreOp = "FLAGS"
)

// Store changes the flags of the messages in set (sequence numbers). Unless
// silent, it returns the new flags of each message the server reported;
// silent, it returns whatever FETCH the server still sent (the new MODSEQ
// under CONDSTORE, RFC 7162 section 3.2, or changes made by others), often
// none.
func (c *Client) Store(ctx context.Context, set wire.SeqSet, op StoreOp, silent bool, flags ...string) ([]*parser.Message, error) {
	return c.store(ctx, false, set, op, silent, flags)
}

// UIDStore is Store with set naming UIDs.
func (c *Client) UIDStore(ctx context.Context, set wire.SeqSet, op StoreOp, silent bool, flags ...string) ([]*parser.Message, error) {
	return c.store(ctx, true, set, op, silent, flags)
}

func (c *Client) store(ctx context.Context, uid bool, set wire.SeqSet, op StoreOp, silent bool, flags []string) ([]*parser.Message, error) {
	item := string(op)
	if silent {
		item += ".SILENT"
	}
	var list command.List
	for _, f := range flags {
		list = append(list, command.Raw(f))
	}
	name := "STORE"
	if uid {
		name = "UID STORE"
	}
	resps, _, err := c.run(ctx, &command.Spec{
		Name:        name,
		Args:        []command.Arg{command.SeqSet(set), command.Atom(item), list},
		Kinds:       []string{"FETCH"},
		ClaimFetch:  fetchClaim(uid, set, true, false),
		UsesSeqNums: !uid,
		MayExpunge:  uid,
	})
	var out []*parser.Message
	for _, r := range resps {
		if m, ok := r.(*parser.Message); ok {
			out = append(out, m)
		}
	}
	return out, err
}

// GetFlags returns the flags of the messages in set, by UID when uid is set.
func (c *Client) GetFlags(ctx context.Context, uid bool, set wire.SeqSet) ([]*parser.Message, error) {
	f, err := c.fetch(ctx, uid, set, []string{"UID", "FLAGS"})
	if err != nil {
		return nil, err
	}
	return f.Collect(ctx)
}

// CopyUID is the result of COPY or MOVE under UIDPLUS: the destination's
// UIDVALIDITY and the UIDs of the messages in the source and destination,
// in corresponding order. It is nil when the server does not say.
type CopyUID struct {
	UIDValidity uint32
	Source      wire.SeqSet
	Dest        wire.SeqSet
}

func copyUIDOf(code *parser.Code) *CopyUID {
	if code == nil || code.Name != parser.CodeCopyUID || code.Set == nil {
		return nil
	}
	return &CopyUID{UIDValidity: code.Number, Source: code.Set, Dest: code.Dest}
}

// Copy copies the messages in set (sequence numbers, or UIDs when uid is
// set) to the mailbox dest. A missing destination is a *command.StatusError
// matching command.TRYCREATE.
func (c *Client) Copy(ctx context.Context, uid bool, set wire.SeqSet, dest string) (*CopyUID, error) {
	name := "COPY"
	if uid {
		name = "UID COPY"
	}
	_, status, err := c.run(ctx, &command.Spec{
		Name:        name,
		Args:        []command.Arg{command.SeqSet(set), command.Mailbox(dest)},
		UsesSeqNums: !uid,
		MayExpunge:  true,
	})
	if err != nil {
		return nil, err
	}
	return copyUIDOf(status.Code), nil
}

// Move moves the messages to dest with MOVE (RFC 6851). Without MOVE it
// falls back to COPY, STORE +FLAGS.SILENT (\Deleted) and UID EXPUNGE of
// the moved messages (which needs UIDPLUS, so that no other deleted message
// is expunged); without UIDPLUS either it returns an error rather than
// expunging messages it was not asked to move.
func (c *Client) Move(ctx context.Context, uid bool, set wire.SeqSet, dest string) (*CopyUID, error) {
	if c.Has("MOVE") {
		name := "MOVE"
		if uid {
			name = "UID MOVE"
		}
		var copyUID *CopyUID
		resps, status, err := c.run(ctx, &command.Spec{
			Name:        name,
			Args:        []command.Arg{command.SeqSet(set), command.Mailbox(dest)},
			UsesSeqNums: !uid,
			MayExpunge:  true,
			Kinds:       []string{"COPYUID", "EXPUNGE", "VANISHED"},
			Claim: func(r parser.Response) bool {
				switch r := r.(type) {
				case *parser.StatusResponse:
					return r.Code != nil && r.Code.Name == parser.CodeCopyUID
				case *parser.Expunge, *parser.Vanished:
					return true
				}
				return false
			},
		})
		for _, r := range resps {
			if s, ok := r.(*parser.StatusResponse); ok {
				copyUID = copyUIDOf(s.Code)
			}
		}
		if err != nil {
			return nil, err
		}
		if copyUID == nil && status != nil {
			copyUID = copyUIDOf(status.Code)
		}
		return copyUID, nil
	}
	if !c.Has("UIDPLUS") {
		return nil, errors.New("imap: server has neither MOVE nor UIDPLUS: cannot move without expunging other messages")
	}
	uids := set
	if !uid {
		msgs, err := c.GetFlags(ctx, false, set)
		if err != nil {
			return nil, err
		}
		var nums []uint32
		for _, m := range msgs {
			nums = append(nums, m.UID)
		}
		if len(nums) == 0 {
			return nil, nil
		}
		uids = wire.SeqSetOf(nums...)
	}
	cu, err := c.Copy(ctx, true, uids, dest)
	if err != nil {
		return nil, err
	}
	if _, err := c.UIDStore(ctx, uids, AddFlags, true, `\Deleted`); err != nil {
		return cu, err
	}
	_, err = c.UIDExpunge(ctx, uids)
	return cu, err
}

// Expunge permanently removes the messages marked \Deleted and returns the
// sequence numbers the server reported, in order (each relative to the
// mailbox after the previous expunge, as RFC 3501 section 7.4.1 says).
func (c *Client) Expunge(ctx context.Context) ([]uint32, error) {
	return c.expunge(ctx, "EXPUNGE", nil)
}

// UIDExpunge removes only the \Deleted messages whose UIDs are in set (UID
// EXPUNGE, RFC 4315 UIDPLUS).
func (c *Client) UIDExpunge(ctx context.Context, set wire.SeqSet) ([]uint32, error) {
	return c.expunge(ctx, "UID EXPUNGE", []command.Arg{command.SeqSet(set)})
}

func (c *Client) expunge(ctx context.Context, name string, args []command.Arg) ([]uint32, error) {
	resps, _, err := c.run(ctx, &command.Spec{
		Name:       name,
		Args:       args,
		MayExpunge: true,
		Kinds:      []string{"EXPUNGE", "VANISHED"},
		Claim: func(r parser.Response) bool {
			switch r.(type) {
			case *parser.Expunge, *parser.Vanished:
				return true
			}
			return false
		},
	})
	var seqs []uint32
	for _, r := range resps {
		if e, ok := r.(*parser.Expunge); ok {
			seqs = append(seqs, e.SeqNum)
		}
	}
	return seqs, err
}

// AppendOptions are the optional arguments of Append.
type AppendOptions struct {
	Flags []string
	Date  time.Time // INTERNALDATE; zero for the server's clock
}

// AppendUID is the result of APPEND under UIDPLUS (zero when the server
// does not say).
type AppendUID struct {
	UIDValidity uint32
	UID         uint32
}

// Append adds a message of size bytes read from r to the mailbox (APPEND).
// It streams: the message is never held in memory. A missing mailbox is a
// *command.StatusError matching command.TRYCREATE.
func (c *Client) Append(ctx context.Context, mailbox string, size int64, r io.Reader, opts *AppendOptions) (AppendUID, error) {
	args := []command.Arg{command.Mailbox(mailbox)}
	if opts != nil {
		if len(opts.Flags) > 0 {
			var list command.List
			for _, f := range opts.Flags {
				list = append(list, command.Raw(f))
			}
			args = append(args, list)
		}
		if !opts.Date.IsZero() {
			args = append(args, command.String(opts.Date.Format("_2-Jan-2006 15:04:05 -0700")))
		}
	}
	args = append(args, command.Literal{Size: size, R: r})
	_, status, err := c.run(ctx, &command.Spec{Name: "APPEND", Args: args})
	if err != nil {
		return AppendUID{}, err
	}
	var au AppendUID
	if status != nil && status.Code != nil && status.Code.Name == parser.CodeAppendUID && len(status.Code.Set) == 1 {
		au = AppendUID{UIDValidity: status.Code.Number, UID: status.Code.Set[0].Start}
	}
	return au, nil
}
