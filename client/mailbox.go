package client

import (
	"context"
	"errors"
	"strings"

	"github.com/imapwire/imapwire/command"
	"github.com/imapwire/imapwire/parser"
)

// Mailbox is the state of the selected mailbox: what SELECT and EXAMINE
// report, kept up to date by EXISTS, RECENT, EXPUNGE, VANISHED, FLAGS and
// the response codes that describe the mailbox, applied in the order the
// server sent them, whichever command they answered, before that command
// returns.
type Mailbox struct {
	Name           string
	ReadOnly       bool     // EXAMINE, or [READ-ONLY]
	Exists         uint32   // number of messages
	Recent         uint32   // messages with \Recent
	Unseen         uint32   // sequence number of the first unseen message, 0 if not sent
	UIDNext        uint32   // predicted next UID; 0 when the server did not send it (ask STATUS)
	UIDValidity    uint32   // UIDVALIDITY
	Flags          []string // FLAGS: the flags defined in the mailbox
	PermanentFlags []string // PERMANENTFLAGS: the flags the client can change permanently
	HighestModSeq  uint64   // CONDSTORE
	NoModSeq       bool     // [NOMODSEQ]
}

// apply updates the state with an untagged response. Client.mu held.
func (m *Mailbox) apply(r parser.Response) {
	switch r := r.(type) {
	case *parser.Exists:
		m.Exists = r.Num
	case *parser.Recent:
		m.Recent = r.Num
	case *parser.Expunge:
		if m.Exists > 0 {
			m.Exists--
		}
	case *parser.Vanished:
		if !r.Earlier {
			for _, rg := range r.UIDs {
				n := uint32(1)
				if rg.Stop != 0 && rg.Start != 0 {
					n = rg.Stop - rg.Start + 1
				}
				if m.Exists >= n {
					m.Exists -= n
				} else {
					m.Exists = 0
				}
			}
		}
	case *parser.Flags:
		m.Flags = r.Flags
	case *parser.StatusResponse:
		if r.Code == nil {
			return
		}
		switch r.Code.Name {
		case parser.CodeUnseen:
			m.Unseen = r.Code.Number
		case parser.CodeUIDNext:
			m.UIDNext = r.Code.Number
		case parser.CodeUIDValidity:
			m.UIDValidity = r.Code.Number
		case parser.CodePermanentFlags:
			m.PermanentFlags = r.Code.List
		case parser.CodeHighestModSeq:
			m.HighestModSeq = r.Code.ModSeq
		case parser.CodeNoModSeq:
			m.NoModSeq = true
		case parser.CodeReadOnly:
			m.ReadOnly = true
		case parser.CodeReadWrite:
			m.ReadOnly = false
		case parser.CodeClosed:
			// RFC 7162 section 3.2.11: what came before was about the
			// mailbox selected before; the new one's state follows.
			*m = Mailbox{Name: m.Name, ReadOnly: m.ReadOnly}
		}
	}
}

// selectClaim takes what SELECT and EXAMINE answer with.
func selectClaim(r parser.Response) bool {
	switch r := r.(type) {
	case *parser.Exists, *parser.Recent, *parser.Flags:
		return true
	case *parser.StatusResponse:
		return r.Type == parser.OK && r.Code != nil
	}
	return false
}

// Select opens a mailbox read-write (SELECT) and returns its state, as the
// tutorial prints it: EXISTS, RECENT, UIDNEXT, UIDVALIDITY, FLAGS,
// PERMANENTFLAGS and READ-WRITE, plus UNSEEN and HIGHESTMODSEQ.
func (c *Client) Select(ctx context.Context, name string) (*Mailbox, error) {
	return c.selectMailbox(ctx, "SELECT", name)
}

// Examine opens a mailbox read-only (EXAMINE).
func (c *Client) Examine(ctx context.Context, name string) (*Mailbox, error) {
	return c.selectMailbox(ctx, "EXAMINE", name)
}

func (c *Client) selectMailbox(ctx context.Context, verb, name string) (*Mailbox, error) {
	// The new state fills as the server's responses are read
	// (Client.observe): SELECT is a barrier, so the responses that follow
	// it are about the new mailbox.
	mb := &Mailbox{Name: name, ReadOnly: verb == "EXAMINE"}
	c.mu.Lock()
	c.mailbox = mb
	c.mu.Unlock()
	_, _, err := c.run(ctx, &command.Spec{
		Name:    verb,
		Args:    []command.Arg{command.Mailbox(name)},
		Barrier: true,
		Claim:   selectClaim,
		Kinds:   []string{"EXISTS", "RECENT", "FLAGS", "OK"},
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	if partial(err) {
		// Selected, but some of the state did not parse: what did is
		// returned with the error.
		cp := *mb
		return &cp, err
	}
	if err != nil {
		// A failed SELECT leaves no mailbox selected (RFC 3501 section
		// 6.3.1); so does one whose outcome is unknown.
		if c.mailbox == mb {
			c.mailbox = nil
		}
		return nil, err
	}
	cp := *mb
	return &cp, nil
}

// Selected returns a snapshot of the selected mailbox's state, or nil.
func (c *Client) Selected() *Mailbox {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mailbox == nil {
		return nil
	}
	cp := *c.mailbox
	return &cp
}

// Unselect closes the mailbox without expunging (RFC 3691), falling back to
// EXAMINE of a mailbox that cannot exist when UNSELECT is not offered.
func (c *Client) Unselect(ctx context.Context) error {
	var err error
	if c.Has("UNSELECT") {
		_, _, err = c.run(ctx, &command.Spec{Name: "UNSELECT", Barrier: true})
	} else {
		// RFC 3501 leaves no other way out of the selected state without
		// expunging: a failed EXAMINE deselects.
		_, _, err = c.run(ctx, &command.Spec{Name: "EXAMINE", Args: []command.Arg{command.Mailbox("imapwire/unselect/nonexistent")}, Barrier: true, Claim: selectClaim})
		if errors.Is(err, command.ErrNo) {
			err = nil
		}
	}
	c.mu.Lock()
	c.mailbox = nil
	c.mu.Unlock()
	return err
}

// CloseMailbox sends CLOSE: it expunges deleted messages (in a read-write
// mailbox) and leaves the selected state.
func (c *Client) CloseMailbox(ctx context.Context) error {
	_, _, err := c.run(ctx, &command.Spec{Name: "CLOSE", Barrier: true})
	c.mu.Lock()
	c.mailbox = nil
	c.mu.Unlock()
	return err
}

func (c *Client) isEnabled(capability string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.enabled[strings.ToUpper(capability)]
}
