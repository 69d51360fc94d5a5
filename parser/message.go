package parser

import (
	"errors"
	"io"
	"time"

	"github.com/imapwire/imapwire/wire"
)

// A Message is a whole FETCH response with its items collected into fields.
// Fields of items the response did not carry keep their zero value; Items
// lists the names of the items that were present, in the order sent.
type Message struct {
	SeqNum       uint32    `json:"seqNum"`
	Items        []string  `json:"items"`
	UID          uint32    `json:"uid,omitempty"`
	Flags        []string  `json:"flags,omitempty"`
	InternalDate time.Time `json:"internalDate,omitzero"`
	// InternalDateRaw and InternalDateErr are set instead of
	// InternalDate for a date-time out of range (see InternalDateItem).
	InternalDateRaw string            `json:"internalDateRaw,omitempty"`
	InternalDateErr error             `json:"-"`
	Size            int64             `json:"size,omitempty"`
	Envelope        *Envelope         `json:"envelope,omitempty"`
	BodyStructure   *BodyStructure    `json:"bodyStructure,omitempty"`
	Sections        []BodySectionItem `json:"sections,omitempty"`
	BinarySizes     []BinarySizeItem  `json:"binarySizes,omitempty"`
	ModSeq          uint64            `json:"modSeq,omitempty"`
	GmailMsgID      uint64            `json:"gmailMsgID,omitempty"`
	GmailThrID      uint64            `json:"gmailThrID,omitempty"`
	GmailLabels     []string          `json:"gmailLabels,omitempty"`
	EmailID         string            `json:"emailID,omitempty"`
	ThreadID        string            `json:"threadID,omitempty"`
	Raw             []RawItem         `json:"raw,omitempty"`
}

// ResponseType returns "FETCH".
func (*Message) ResponseType() string { return "FETCH" }

// Section returns the data of the first body section whose item name (as
// ItemName returns it, such as "BODY[TEXT]" or "RFC822") is name, or nil.
func (m *Message) Section(name string) []byte {
	for _, s := range m.Sections {
		if s.ItemName() == name {
			return s.Data
		}
	}
	return nil
}

// Collect reads the remaining items into a Message, buffering body sections
// (each subject to Limits.MaxLiteral).
func (f *Fetch) Collect() (*Message, error) {
	m := &Message{SeqNum: f.SeqNum}
	for {
		item, err := f.Next()
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			return nil, err
		}
		if err := m.add(f, item); err != nil {
			return nil, err
		}
	}
}

// add records item in m, reading a streaming body subject to the Reader's
// Limits.MaxLiteral.
func (m *Message) add(f *Fetch, item FetchItem) error {
	if it, ok := item.(*BodySectionItem); ok && it.Data == nil && it.Body != nil {
		w := f.r.w
		if it.Size > w.Limits().MaxLiteral {
			err := &wire.SyntaxError{Offset: w.InputOffset(), Production: "nstring", Expected: "smaller literal", Err: wire.ErrLiteralTooLarge}
			f.err = f.r.fail(err)
			return err
		}
	}
	if err := m.Add(item); err != nil {
		f.err = f.r.fail(err)
		return err
	}
	return nil
}

// Add records item in m. A body section still streaming (Data nil, Body
// set) is read into memory whole: Size says how much that is, so check it
// first when the source is untrusted. Memory follows the bytes that
// arrive, not Size: the buffer starts at 32 KiB at most and doubles up to
// Size as it fills, so a Size that the bytes never match costs only what
// came (the error is then io.ErrUnexpectedEOF). A negative Size is an
// error.
func (m *Message) Add(item FetchItem) error {
	m.Items = append(m.Items, item.ItemName())
	switch it := item.(type) {
	case *UIDItem:
		m.UID = it.UID
	case *FlagsItem:
		m.Flags = it.Flags
	case *InternalDateItem:
		m.InternalDate, m.InternalDateRaw, m.InternalDateErr = it.Time, it.Raw, it.Err
	case *SizeItem:
		m.Size = it.Size
	case *EnvelopeItem:
		m.Envelope = it.Envelope
	case *BodyStructureItem:
		m.BodyStructure = it.Body
	case *BodySectionItem:
		if it.Data == nil && it.Body != nil {
			b, err := readSized(it.Body, it.Size)
			if err != nil {
				return err
			}
			it.Data = b
		}
		it.Body = nil
		m.Sections = append(m.Sections, *it)
	case *BinarySizeItem:
		m.BinarySizes = append(m.BinarySizes, *it)
	case *ModSeqItem:
		m.ModSeq = it.ModSeq
	case *GmailMsgIDItem:
		m.GmailMsgID = it.ID
	case *GmailThrIDItem:
		m.GmailThrID = it.ID
	case *GmailLabelsItem:
		m.GmailLabels = it.Labels
	case *EmailIDItem:
		m.EmailID = it.ID
	case *ThreadIDItem:
		m.ThreadID = it.ID
	case *RawItem:
		m.Raw = append(m.Raw, *it)
	}
	return nil
}

var errNegativeSize = errors.New("parser: body section with a negative Size")

// sizedChunk is the most readSized allocates before any byte has arrived.
const sizedChunk = 32 << 10

// readSized reads exactly size bytes from rd into a slice that grows as
// they arrive: it starts at min(size, sizedChunk) and doubles up to size.
// Fewer bytes than size is io.ErrUnexpectedEOF.
func readSized(rd io.Reader, size int64) ([]byte, error) {
	if size < 0 {
		return nil, errNegativeSize
	}
	b := make([]byte, min(size, sizedChunk))
	n := 0
	for int64(n) < size {
		if n == len(b) {
			nb := make([]byte, min(2*int64(len(b)), size))
			copy(nb, b)
			b = nb
		}
		m, err := io.ReadFull(rd, b[n:])
		n += m
		if err != nil {
			return nil, unexpected(err)
		}
	}
	return b, nil
}
