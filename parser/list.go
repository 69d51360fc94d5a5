package parser

import (
	"github.com/imapwire/imapwire/wire"
)

// List is "* LIST", "* LSUB" or "* XLIST" (RFC 3501, RFC 5258 LIST-EXTENDED,
// RFC 6154 SPECIAL-USE).
type List struct {
	Command string   `json:"command"` // "LIST", "LSUB" or "XLIST"
	Attrs   []string `json:"attrs"`   // such as `\HasNoChildren`, `\Sent`
	Delim   string   `json:"delim"`   // hierarchy delimiter; "" when NIL (flat namespace)
	Mailbox
	// ChildInfo lists the CHILDINFO selection options (RFC 5258), such as
	// "SUBSCRIBED".
	ChildInfo []string `json:"childInfo,omitempty"`
	// OldName is the OLDNAME extended item (RFC 5465), if present.
	OldName *Mailbox `json:"oldName,omitempty"`
	// Extended keeps other mbox-list-extended items, raw.
	Extended []ExtItem `json:"extended,omitempty"`
}

// ExtItem is a tagged extension item kept raw: a name and its value.
type ExtItem struct {
	Name  string     `json:"name"`
	Value wire.Value `json:"value"`
}

// ResponseType returns "LIST", "LSUB" or "XLIST".
func (l *List) ResponseType() string { return l.Command }

func (r *Reader) readList(cmd string) (Response, error) {
	w := r.w
	l := &List{Command: cmd}
	if err := w.ExpectSP("mailbox-list"); err != nil {
		return nil, err
	}
	attrs, err := r.readFlagList("mbx-list-flags")
	if err != nil {
		return nil, err
	}
	l.Attrs = attrs
	if err := w.ExpectSP("mailbox-list"); err != nil {
		return nil, err
	}
	d, isNil, err := w.ReadNString("mailbox-list")
	if err != nil {
		return nil, err
	}
	if !isNil {
		if len(d) != 1 && r.strict {
			return nil, w.ErrorAt("mailbox-list", "one-character delimiter")
		}
		l.Delim = r.intern(d)
	}
	if err := w.ExpectSP("mailbox-list"); err != nil {
		return nil, err
	}
	if l.Mailbox, err = r.readMailbox("mailbox"); err != nil {
		return nil, err
	}
	eol, err := w.AtEOL()
	if err != nil {
		return nil, err
	}
	if !eol {
		if err := w.ExpectSP("mbox-list-extended"); err != nil {
			return nil, err
		}
		err := r.readParenList("mbox-list-extended", 0, func() error {
			name, err := w.ReadAString("mbox-list-extended-item-tag")
			if err != nil {
				return err
			}
			item := ExtItem{Name: upper(string(name))}
			if err := w.ExpectSP("mbox-list-extended-item"); err != nil {
				return err
			}
			switch item.Name {
			case "CHILDINFO":
				return r.readParenList("childinfo-extended-item", 0, func() error {
					s, err := w.ReadAString("mbox-list-sopt")
					l.ChildInfo = append(l.ChildInfo, upper(string(s)))
					return err
				})
			case "OLDNAME":
				return r.readParenList("oldname-extended-item", 0, func() error {
					off := w.InputOffset()
					b, err := w.ReadAString("mailbox")
					if err != nil {
						return err
					}
					mb, err := r.decodeMailbox(string(b), off, "mailbox")
					l.OldName = &mb
					return err
				})
			}
			item.Value, err = r.readCountedValue("tagged-ext-val", false)
			l.Extended = append(l.Extended, item)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return l, w.ExpectCRLF("mailbox-list")
}

// readSpacedName reads the rest of a STATUS mailbox name sent as an atom
// with spaces ("* STATUS My Folder (MESSAGES 1)", lenient): the words up
// to the "(" of the status list, each SP between them kept as one SP. It
// returns mb unchanged when the status list follows (or strictly).
func (r *Reader) readSpacedName(mb Mailbox, off int64) (Mailbox, error) {
	w := r.w
	c, err := w.Peek()
	if err != nil {
		return mb, unexpected(err)
	}
	if c == '(' || c == '\r' || c == '\n' || !r.lenient(LenientStatusSpacedName) {
		return mb, nil
	}
	raw := mb.Raw
	for {
		b, err := w.ReadLooseAString("mailbox")
		if err != nil {
			return mb, err
		}
		raw += " " + string(b)
		if err := w.ExpectSP("mailbox-data"); err != nil {
			return mb, err
		}
		if c, err = w.Peek(); err != nil {
			return mb, unexpected(err)
		}
		if c == '(' || c == '\r' || c == '\n' {
			return r.decodeMailbox(raw, off, "mailbox")
		}
	}
}

// Status is "* STATUS mailbox (...)". Each pointer is nil when the item was
// not in the response.
type Status struct {
	Mailbox
	Messages      *uint32 `json:"messages,omitempty"`
	Recent        *uint32 `json:"recent,omitempty"`
	UIDNext       *uint32 `json:"uidNext,omitempty"`
	UIDValidity   *uint32 `json:"uidValidity,omitempty"`
	Unseen        *uint32 `json:"unseen,omitempty"`
	Deleted       *uint32 `json:"deleted,omitempty"`       // RFC 9051
	Size          *uint64 `json:"size,omitempty"`          // RFC 8438 STATUS=SIZE
	HighestModSeq *uint64 `json:"highestModSeq,omitempty"` // RFC 7162
	// Other keeps status items this package has no field for.
	Other map[string]uint64 `json:"other,omitempty"`
	// Nil names the items sent as NIL: RFC 7889's "APPENDLIMIT NIL"
	// (no limit for this mailbox), the only one the grammar allows.
	Nil []string `json:"nil,omitempty"`
}

// ResponseType returns "STATUS".
func (*Status) ResponseType() string { return "STATUS" }

func (r *Reader) readStatus() (Response, error) {
	w := r.w
	s := &Status{}
	if err := w.ExpectSP("mailbox-data"); err != nil {
		return nil, err
	}
	var err error
	moff := w.InputOffset()
	c, err := w.Peek()
	if err != nil {
		return nil, unexpected(err)
	}
	if s.Mailbox, err = r.readMailbox("mailbox"); err != nil {
		return nil, err
	}
	if err := w.ExpectSP("mailbox-data"); err != nil {
		return nil, err
	}
	if c != '"' && c != '{' && c != '~' {
		if s.Mailbox, err = r.readSpacedName(s.Mailbox, moff); err != nil {
			return nil, err
		}
	}
	err = r.readParenList("status-att-list", 0, func() error {
		nameb, err := w.ReadAtom("status-att")
		if err != nil {
			return err
		}
		name := upper(string(nameb)) // nameb is valid only until the next call
		if err := w.ExpectSP("status-att-val"); err != nil {
			return err
		}
		off := w.InputOffset()
		if name == "APPENDLIMIT" {
			// RFC 7889: "APPENDLIMIT" SP (number / nil).
			if isNil, err := w.PeekNIL(); err == nil && isNil {
				s.Nil = append(s.Nil, name)
				return w.ReadNIL("status-att-val")
			}
		}
		v, err := r.readNumber64("status-att-val")
		if err != nil {
			return err
		}
		n32 := func() *uint32 { x := uint32(v); return &x }
		switch name {
		case "MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED":
			// These are 32-bit numbers (RFC 3501 number, nz-number): a
			// larger value is an overflow, not a value to truncate.
			if v > 1<<32-1 {
				return &wire.SyntaxError{Offset: off, Production: "status-att-val", Expected: "number", Err: wire.ErrNumberOverflow}
			}
		}
		switch name {
		case "MESSAGES":
			s.Messages = n32()
		case "RECENT":
			s.Recent = n32()
		case "UIDNEXT":
			s.UIDNext = n32()
		case "UIDVALIDITY":
			s.UIDValidity = n32()
		case "UNSEEN":
			s.Unseen = n32()
		case "DELETED":
			s.Deleted = n32()
		case "SIZE":
			s.Size = &v
		case "HIGHESTMODSEQ":
			s.HighestModSeq = &v
		default:
			if s.Other == nil {
				s.Other = make(map[string]uint64)
			}
			s.Other[name] = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, w.ExpectCRLF("mailbox-data")
}

func (r *Reader) readFlagsData() (Response, error) {
	w := r.w
	if err := w.ExpectSP("mailbox-data"); err != nil {
		return nil, err
	}
	flags, err := r.readFlagList("flag-list")
	if err != nil {
		return nil, err
	}
	return &Flags{Flags: flags}, w.ExpectCRLF("mailbox-data")
}

func (r *Reader) readVanished() (Response, error) {
	w := r.w
	v := &Vanished{}
	if err := w.ExpectSP("expunged-resp"); err != nil {
		return nil, err
	}
	c, err := w.Peek()
	if err != nil {
		return nil, unexpected(err)
	}
	if c == '(' {
		w.ReadByte()
		a, err := w.ReadAtom("expunged-resp")
		if err != nil {
			return nil, err
		}
		if !equalFold(a, "EARLIER") {
			return nil, w.ErrorAt("expunged-resp", "EARLIER")
		}
		if err := w.Expect(')', "expunged-resp"); err != nil {
			return nil, err
		}
		if err := w.ExpectSP("expunged-resp"); err != nil {
			return nil, err
		}
		v.Earlier = true
	}
	if v.UIDs, err = w.ReadSeqSet("known-uids"); err != nil {
		return nil, err
	}
	return v, w.ExpectCRLF("expunged-resp")
}
