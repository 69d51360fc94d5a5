package main

import (
	"fmt"
	"hash/crc32"
	"io"
	"net/mail"
	"strings"

	imap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/imapwire/imapwire/client"
	"github.com/imapwire/imapwire/parser"
)

// Each library's typed values are fed to a digest in the order the
// generator feeds its own (gen.go): for a message its sequence number,
// then each item as it arrives.

// ---- imapwire (parser types, from the client or the parser alone) ----

// iwFeeder feeds imapwire's FETCH items. decode makes it decode what
// go-imap decodes (encoded words, the Date header, message IDs) with
// imapwire's own helpers, for the row that does the same work as go-imap.
type iwFeeder struct {
	d      *digest
	decode bool
	buf    []byte // reused for bodies
}

func (f *iwFeeder) text(s string) {
	if f.decode {
		s = client.DecodeHeader(s)
	}
	f.d.str(s)
}

func (f *iwFeeder) item(it parser.FetchItem) error {
	d := f.d
	switch it := it.(type) {
	case *parser.UIDItem:
		d.num(uint64(it.UID))
		d.Sum += uint64(it.UID)
	case *parser.FlagsItem:
		d.strs(it.Flags)
	case *parser.InternalDateItem:
		d.num(uint64(it.Time.Unix()))
	case *parser.SizeItem:
		d.num(uint64(it.Size))
	case *parser.EnvelopeItem:
		f.envelope(it.Envelope)
	case *parser.BodyStructureItem:
		f.body(it.Body)
	case *parser.BodySectionItem:
		var crc uint32
		var n int64
		if it.Body != nil {
			if f.buf == nil {
				f.buf = make([]byte, 32<<10)
			}
			for {
				m, err := it.Body.Read(f.buf)
				crc = crc32.Update(crc, castagnoli, f.buf[:m])
				n += int64(m)
				if err == io.EOF {
					break
				}
				if err != nil {
					return err
				}
			}
		} else {
			crc = crc32.Checksum(it.Data, castagnoli)
			n = int64(len(it.Data))
		}
		d.num(uint64(n))
		d.num(uint64(crc))
	default:
		return fmt.Errorf("imapwire: unexpected item %s", it.ItemName())
	}
	return nil
}

func (f *iwFeeder) envelope(e *parser.Envelope) {
	d := f.d
	if f.decode {
		t, _ := mail.ParseDate(e.Date)
		d.num(uint64(t.Unix()))
	} else {
		d.str(e.Date)
	}
	f.text(e.Subject)
	for _, l := range [...][]parser.Address{e.From, e.Sender, e.ReplyTo, e.To, e.Cc, e.Bcc} {
		d.num(uint64(len(l)))
		for i := range l {
			f.text(l[i].Name)
			d.str(l[i].Mailbox)
			d.str(l[i].Host)
		}
	}
	if f.decode {
		ids := strings.Fields(e.InReplyTo)
		d.num(uint64(len(ids)))
		for _, id := range ids {
			d.str(strings.Trim(id, "<>"))
		}
		d.str(strings.Trim(e.MessageID, "<>"))
	} else {
		d.str(e.InReplyTo)
		d.str(e.MessageID)
	}
}

func (f *iwFeeder) params(l parser.Params) {
	var sum uint64
	for _, p := range l {
		v := p.Value
		if f.decode {
			v = client.DecodeHeader(v)
		}
		sum += pair(p.Name, v)
	}
	f.d.params(len(l), sum)
}

func (f *iwFeeder) ext(b *parser.BodyStructure) {
	d := f.d
	if b.Disposition == nil {
		d.num(0)
	} else {
		d.num(1)
		d.str(b.Disposition.Type)
		f.params(b.Disposition.Params)
	}
	d.strs(b.Language)
	d.str(b.Location)
}

func (f *iwFeeder) body(b *parser.BodyStructure) {
	d := f.d
	if b.IsMultipart() {
		d.num(1)
		d.num(uint64(len(b.Parts)))
		for _, p := range b.Parts {
			f.body(p)
		}
		d.str(b.Subtype)
		f.params(b.Params)
		f.ext(b)
		return
	}
	d.num(2)
	d.str(b.Type)
	d.str(b.Subtype)
	f.params(b.Params)
	d.str(b.ID)
	f.text(b.Description)
	d.str(b.Encoding)
	d.num(uint64(b.Size))
	if b.Envelope != nil {
		f.envelope(b.Envelope)
		f.body(b.Body)
		d.num(uint64(b.Lines))
	} else if strings.EqualFold(b.Type, "text") {
		d.num(uint64(b.Lines))
	}
	f.ext(b)
}

// feedIWList feeds one imapwire LIST response.
func feedIWList(d *digest, l *parser.List) {
	var delim rune
	if l.Delim != "" {
		delim = []rune(l.Delim)[0]
	}
	d.Items++
	d.Sum += uint64(len(l.Name))
	feedList(d, l.Attrs, delim, l.Name)
}

func feedNums(d *digest, nums []uint32) {
	for _, n := range nums {
		d.Items++
		d.Sum += uint64(n)
		d.num(uint64(n))
	}
}

// ---- go-imap v2 ----

type giFeeder struct {
	d   *digest
	buf []byte
}

func (f *giFeeder) item(it imapclient.FetchItemData) error {
	d := f.d
	switch it := it.(type) {
	case imapclient.FetchItemDataUID:
		d.num(uint64(it.UID))
		d.Sum += uint64(it.UID)
	case imapclient.FetchItemDataFlags:
		d.num(uint64(len(it.Flags)))
		for _, fl := range it.Flags {
			d.str(string(fl))
		}
	case imapclient.FetchItemDataInternalDate:
		d.num(uint64(it.Time.Unix()))
	case imapclient.FetchItemDataRFC822Size:
		d.num(uint64(it.Size))
	case imapclient.FetchItemDataEnvelope:
		f.envelope(it.Envelope)
	case imapclient.FetchItemDataBodyStructure:
		f.body(it.BodyStructure)
	case imapclient.FetchItemDataBodySection:
		// The literal must be read to its end (io.EOF): go-imap's
		// reader goroutine waits for that before it reads on.
		var crc uint32
		var n int64
		if it.Literal != nil {
			if f.buf == nil {
				f.buf = make([]byte, 32<<10)
			}
			for {
				m, err := it.Literal.Read(f.buf)
				crc = crc32.Update(crc, castagnoli, f.buf[:m])
				n += int64(m)
				if err == io.EOF {
					break
				}
				if err != nil {
					return err
				}
			}
		}
		d.num(uint64(n))
		d.num(uint64(crc))
	default:
		return fmt.Errorf("go-imap: unexpected item %T", it)
	}
	return nil
}

func (f *giFeeder) envelope(e *imap.Envelope) {
	d := f.d
	d.num(uint64(e.Date.Unix()))
	d.str(e.Subject)
	for _, l := range [...][]imap.Address{e.From, e.Sender, e.ReplyTo, e.To, e.Cc, e.Bcc} {
		d.num(uint64(len(l)))
		for i := range l {
			d.str(l[i].Name)
			d.str(l[i].Mailbox)
			d.str(l[i].Host)
		}
	}
	d.strs(e.InReplyTo)
	d.str(e.MessageID)
}

func (f *giFeeder) params(m map[string]string) {
	var sum uint64
	for k, v := range m {
		sum += pair(k, v)
	}
	f.d.params(len(m), sum)
}

func (f *giFeeder) disp(x *imap.BodyStructureDisposition) {
	if x == nil {
		f.d.num(0)
		return
	}
	f.d.num(1)
	f.d.str(x.Value)
	f.params(x.Params)
}

func (f *giFeeder) body(bs imap.BodyStructure) {
	d := f.d
	switch b := bs.(type) {
	case *imap.BodyStructureMultiPart:
		d.num(1)
		d.num(uint64(len(b.Children)))
		for _, c := range b.Children {
			f.body(c)
		}
		d.str(b.Subtype)
		ext := b.Extended
		if ext == nil {
			ext = &imap.BodyStructureMultiPartExt{}
		}
		f.params(ext.Params)
		f.disp(ext.Disposition)
		d.strs(ext.Language)
		d.str(ext.Location)
	case *imap.BodyStructureSinglePart:
		d.num(2)
		d.str(b.Type)
		d.str(b.Subtype)
		f.params(b.Params)
		d.str(b.ID)
		d.str(b.Description)
		d.str(b.Encoding)
		d.num(uint64(b.Size))
		if m := b.MessageRFC822; m != nil {
			f.envelope(m.Envelope)
			f.body(m.BodyStructure)
			d.num(uint64(m.NumLines))
		} else if b.Text != nil {
			d.num(uint64(b.Text.NumLines))
		}
		ext := b.Extended
		if ext == nil {
			ext = &imap.BodyStructureSinglePartExt{}
		}
		f.disp(ext.Disposition)
		d.strs(ext.Language)
		d.str(ext.Location)
	default:
		d.num(0)
	}
}

func feedGIList(d *digest, l *imap.ListData) {
	d.Items++
	d.Sum += uint64(len(l.Mailbox))
	d.num(uint64(len(l.Attrs)))
	for _, a := range l.Attrs {
		d.str(string(a))
	}
	d.num(uint64(l.Delim))
	d.str(l.Mailbox)
}
