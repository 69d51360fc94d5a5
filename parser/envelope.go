package parser

import (
	"strconv"

	"github.com/imapwire/imapwire/wire"
)

// An Envelope is the ENVELOPE of a message (RFC 3501 section 7.4.2). Strings
// are as sent: RFC 2047 encoded words are not decoded here.
type Envelope struct {
	Date      string    `json:"date"` // the Date header, unparsed; "" when NIL
	Subject   string    `json:"subject"`
	From      []Address `json:"from"`
	Sender    []Address `json:"sender"`
	ReplyTo   []Address `json:"replyTo"`
	To        []Address `json:"to"`
	Cc        []Address `json:"cc"`
	Bcc       []Address `json:"bcc"`
	InReplyTo string    `json:"inReplyTo"`
	MessageID string    `json:"messageID"`
}

// An Address is one element of an address list. RFC 2822 group syntax is
// encoded as in RFC 3501: a group starts with an Address whose Host is empty
// and whose Mailbox is the group name, and ends with an Address whose Host
// and Mailbox are both empty.
type Address struct {
	Name    string `json:"name,omitempty"`    // display name (addr-name)
	ADL     string `json:"adl,omitempty"`     // source route (addr-adl), obsolete
	Mailbox string `json:"mailbox,omitempty"` // local part, or group name
	Host    string `json:"host,omitempty"`    // domain; "" for group markers
}

// IsGroupStart reports whether a is the start of a group (Mailbox is the
// group's name).
func (a Address) IsGroupStart() bool { return a.Host == "" && a.Mailbox != "" }

// IsGroupEnd reports whether a marks the end of a group.
func (a Address) IsGroupEnd() bool { return a.Host == "" && a.Mailbox == "" }

// String formats a as in a header: `"Name" <mailbox@host>`, `mailbox@host`,
// "group:" for a group start and ";" for a group end. Encoded words in
// the name are left as they are.
func (a Address) String() string {
	switch {
	case a.IsGroupEnd():
		return ";"
	case a.IsGroupStart():
		return a.Mailbox + ":"
	case a.Name == "":
		return a.Addr()
	}
	return strconv.Quote(a.Name) + " <" + a.Addr() + ">"
}

// Addr returns "mailbox@host", or "" for a group marker.
func (a Address) Addr() string {
	if a.Host == "" {
		return ""
	}
	return a.Mailbox + "@" + a.Host
}

func (r *Reader) readEnvelope() (*Envelope, error) {
	w := r.w
	if err := w.Expect('(', "envelope"); err != nil {
		return nil, err
	}
	env := &Envelope{}
	if c, err := w.Peek(); err == nil && c == ' ' && r.lenient(LenientEnvelopeSpace) {
		w.ExpectSP("envelope") // "( NIL ..."
	}
	var err error
	short := false // the envelope ended early (LenientEnvelopeShort)
	sep := func() {
		if err = w.ExpectSP("envelope"); err != nil {
			// Fewer than ten fields: the missing ones are NIL.
			if c, perr := w.Peek(); perr == nil && c == ')' && r.lenient(LenientEnvelopeShort) {
				err, short = nil, true
			}
		}
	}
	str := func(dst *string, prod string, last bool) {
		if err != nil || short {
			return
		}
		var b []byte
		b, _, err = w.ReadNString(prod)
		if err == nil {
			*dst = r.str(b)
			if !last {
				sep()
			}
		}
	}
	addrs := func(dst *[]Address, prod string) {
		if err != nil || short {
			return
		}
		*dst, err = r.readAddressList(prod)
		if err == nil {
			sep()
		}
	}
	str(&env.Date, "env-date", false)
	str(&env.Subject, "env-subject", false)
	addrs(&env.From, "env-from")
	addrs(&env.Sender, "env-sender")
	addrs(&env.ReplyTo, "env-reply-to")
	addrs(&env.To, "env-to")
	addrs(&env.Cc, "env-cc")
	addrs(&env.Bcc, "env-bcc")
	str(&env.InReplyTo, "env-in-reply-to", false)
	str(&env.MessageID, "env-message-id", true)
	if err != nil {
		return nil, err
	}
	if c, err := w.Peek(); err == nil && c == ' ' && r.lenient(LenientEnvelopeSpace) {
		w.ExpectSP("envelope") // "... NIL )"
	}
	if err := w.Expect(')', "envelope"); err != nil {
		return nil, err
	}
	return env, nil
}

// readAddressList reads "(" 1*address ")" / nil. Leniently it accepts "()"
// and SP between addresses.
func (r *Reader) readAddressList(production string) ([]Address, error) {
	w := r.w
	c, err := w.Peek()
	if err != nil {
		return nil, unexpected(err)
	}
	if c != '(' {
		if err := w.ReadNIL(production); err != nil {
			return nil, err
		}
		return nil, nil
	}
	if _, err := r.listOpen(production, listAdjacent); err != nil {
		return nil, err
	}
	list := r.addrScratch[:0]
	for n := 0; ; n++ {
		more, err := r.listNext(production, listAdjacent, n)
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
		list = append(list, Address{})
		if err := r.readAddress(&list[len(list)-1]); err != nil {
			return nil, err
		}
	}
	r.addrScratch = list
	if len(list) == 0 && r.strict {
		return nil, &wire.SyntaxError{Offset: w.InputOffset() - 1, Production: production, Expected: "address", Found: `")"`}
	}
	return r.keepAddrs(list), nil
}

func (r *Reader) readAddress(a *Address) error {
	w := r.w
	if err := w.Expect('(', "address"); err != nil {
		return err
	}
	fields := [4]*string{&a.Name, &a.ADL, &a.Mailbox, &a.Host}
	prods := [4]string{"addr-name", "addr-adl", "addr-mailbox", "addr-host"}
	for i, f := range fields {
		if i > 0 {
			if err := w.ExpectSP("address"); err != nil {
				return err
			}
		}
		b, _, err := w.ReadNString(prods[i])
		if err != nil {
			return err
		}
		*f = r.str(b)
	}
	if !r.strict {
		if c, err := w.Peek(); err == nil && c == ' ' {
			w.ExpectSP("address")
		}
	}
	return w.Expect(')', "address")
}
