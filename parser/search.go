package parser

import (
	"github.com/imapwire/imapwire/wire"
)

// Search is "* SEARCH n n n ..." (RFC 3501), with the MODSEQ of RFC 7162.
type Search struct {
	Nums   []uint32 `json:"nums"`             // sequence numbers or UIDs, in the order sent
	ModSeq uint64   `json:"modSeq,omitempty"` // "(MODSEQ n)", 0 when absent
}

// ResponseType returns "SEARCH".
func (*Search) ResponseType() string { return "SEARCH" }

// Sort is "* SORT n n n ..." (RFC 5256).
type Sort struct {
	Nums   []uint32 `json:"nums"`
	ModSeq uint64   `json:"modSeq,omitempty"`
}

// ResponseType returns "SORT".
func (*Sort) ResponseType() string { return "SORT" }

func (r *Reader) readSearch() (Response, error) {
	nums, modseq, err := r.readNumList("mailbox-data")
	if err != nil {
		return nil, err
	}
	return &Search{Nums: nums, ModSeq: modseq}, nil
}

func (r *Reader) readSort() (Response, error) {
	nums, modseq, err := r.readNumList("sort-data")
	if err != nil {
		return nil, err
	}
	return &Sort{Nums: nums, ModSeq: modseq}, nil
}

// numScratch is the length of the Reader's first chunk of every number
// list: a SEARCH of up to that many numbers allocates only its result.
const numScratch = 1024

// readNumList reads *(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence ")"] CRLF.
// The numbers, at most Limits.MaxNumList, are gathered in chunks (see
// chunkList), so that the bytes allocated for a list of two million stay
// about twice its 8 MB.
func (r *Reader) readNumList(production string) ([]uint32, uint64, error) {
	w := r.w
	if r.numScratch == nil {
		r.numScratch = make([]uint32, 0, numScratch)
	}
	nums := chunkList[uint32]{cur: r.numScratch[:0]}
	maxNums := w.Limits().MaxNumList
	var modseq uint64
	for {
		eol, err := w.AtEOL()
		if err != nil {
			return nil, 0, err
		}
		if eol {
			return nums.list(), modseq, w.ExpectCRLF(production)
		}
		if err := w.ExpectSP(production); err != nil {
			return nil, 0, err
		}
		c, err := w.Peek()
		if err != nil {
			return nil, 0, unexpected(err)
		}
		if c == '(' {
			w.ReadByte()
			a, err := w.ReadAtom("search-sort-mod-seq")
			if err != nil {
				return nil, 0, err
			}
			if !equalFold(a, "MODSEQ") {
				return nil, 0, w.ErrorAt("search-sort-mod-seq", "MODSEQ")
			}
			if err := w.ExpectSP("search-sort-mod-seq"); err != nil {
				return nil, 0, err
			}
			if modseq, err = w.ReadNumber64("mod-sequence-value"); err != nil {
				return nil, 0, err
			}
			if err := w.Expect(')', "search-sort-mod-seq"); err != nil {
				return nil, 0, err
			}
			continue
		}
		if (c == '\r' || c == '\n') && !r.strict {
			continue // lenient trailing SP (David.fx); AtEOL handles it next
		}
		if nums.len() >= maxNums {
			return nil, 0, &wire.SyntaxError{Offset: w.InputOffset(), Production: production, Expected: "fewer numbers", Err: wire.ErrListTooLong}
		}
		n, err := r.readNZNumber("nz-number")
		if err != nil {
			return nil, 0, err
		}
		nums.add(n)
	}
}

// ESearch is "* ESEARCH" (RFC 4731, RFC 4466). Min, Max and Count are nil
// when not returned.
type ESearch struct {
	Tag    string      `json:"tag,omitempty"` // the search-correlator's tag
	UID    bool        `json:"uid,omitempty"` // results are UIDs
	Min    *uint32     `json:"min,omitempty"`
	Max    *uint32     `json:"max,omitempty"`
	Count  *uint32     `json:"count,omitempty"`
	All    wire.SeqSet `json:"all,omitempty"`
	ModSeq uint64      `json:"modSeq,omitempty"`
	// Other keeps unknown search-return-data, raw.
	Other []ExtItem `json:"other,omitempty"`
	// Malformed keeps, in lenient mode, return data that did not parse
	// (a key with no value, a value of the wrong kind, a stray list),
	// raw, each with what was expected; the items around it are kept.
	Malformed []MalformedItem `json:"malformed,omitempty"`
}

// A MalformedItem is search-return-data kept raw because it did not
// parse: Name is the key ("" for a stray value), Value the value as read
// generically (zero when there was none), Err what was expected.
type MalformedItem struct {
	Name  string     `json:"name"`
	Value wire.Value `json:"value"`
	Err   string     `json:"err"`
}

// ResponseType returns "ESEARCH".
func (*ESearch) ResponseType() string { return "ESEARCH" }

// esearchValueStart returns what the value of the known return datum name
// must start with when the next byte does not, else "".
func esearchValueStart(name string, w *wire.Reader) string {
	c, err := w.Peek()
	if err != nil {
		return ""
	}
	switch name {
	case "MIN", "MAX", "COUNT", "MODSEQ":
		if c < '0' || c > '9' {
			return "number"
		}
	case "ALL":
		if (c < '0' || c > '9') && c != '*' {
			return "sequence-set"
		}
	}
	return ""
}

func (r *Reader) readESearch() (Response, error) {
	w := r.w
	e := &ESearch{}
	first := true
	for {
		eol, err := w.AtEOL()
		if err != nil {
			return nil, err
		}
		if eol {
			return e, w.ExpectCRLF("esearch-response")
		}
		if err := w.ExpectSP("esearch-response"); err != nil {
			return nil, err
		}
		c, err := w.Peek()
		if err != nil {
			return nil, unexpected(err)
		}
		if c == '(' && first {
			// search-correlator = "(" "TAG" SP tag-string ")"
			w.ReadByte()
			a, err := w.ReadAtom("search-correlator")
			if err != nil {
				return nil, err
			}
			if !equalFold(a, "TAG") {
				return nil, w.ErrorAt("search-correlator", "TAG")
			}
			if err := w.ExpectSP("search-correlator"); err != nil {
				return nil, err
			}
			t, err := w.ReadString("tag-string")
			if err != nil {
				return nil, err
			}
			e.Tag = string(t)
			if err := w.Expect(')', "search-correlator"); err != nil {
				return nil, err
			}
			first = false
			continue
		}
		first = false
		off := w.InputOffset()
		if c == '(' || c == '"' || c == '{' {
			// A stray value where a key belongs.
			if !r.lenient(LenientESearchRaw) {
				return nil, w.ErrorAt("search-return-data", "search-modifier-name")
			}
			v, err := r.readCountedValue("search-return-data", false)
			if err != nil {
				return nil, err
			}
			e.Malformed = append(e.Malformed, MalformedItem{Value: v, Err: "search-modifier-name"})
			continue
		}
		name, err := w.ReadAtom("search-return-data")
		if err != nil {
			return nil, err
		}
		if equalFold(name, "UID") {
			e.UID = true
			continue
		}
		// Each search-return-data counts, even the ones that replace a
		// field: only Other grows, but counting all is simpler to state.
		if err := r.countElems(1, off, "search-return-data"); err != nil {
			return nil, err
		}
		uname := upper(string(name))
		if eol, err := w.AtEOL(); err != nil {
			return nil, err
		} else if eol && r.lenient(LenientESearchRaw) {
			// A key with no value at the end of the line.
			e.Malformed = append(e.Malformed, MalformedItem{Name: uname, Err: "SP search-return-value"})
			continue
		}
		if err := w.ExpectSP("search-return-data"); err != nil {
			return nil, err
		}
		if expected := esearchValueStart(uname, w); expected != "" && r.lenient(LenientESearchRaw) {
			// A value of the wrong kind: kept raw.
			v, err := r.readCountedValue("search-return-data", false)
			if err != nil {
				return nil, err
			}
			e.Malformed = append(e.Malformed, MalformedItem{Name: uname, Value: v, Err: expected})
			continue
		}
		switch uname {
		case "MIN", "MAX", "COUNT":
			read := r.readNZNumber // MIN and MAX are nz-numbers
			if uname == "COUNT" {
				read = w.ReadNumber
			}
			n, err := read("search-return-data")
			if err != nil {
				return nil, err
			}
			switch uname {
			case "MIN":
				e.Min = &n
			case "MAX":
				e.Max = &n
			default:
				e.Count = &n
			}
		case "ALL":
			if e.All, err = w.ReadSeqSet("sequence-set"); err != nil {
				return nil, err
			}
		case "MODSEQ":
			if e.ModSeq, err = r.readNumber64("mod-sequence-value"); err != nil {
				return nil, err
			}
		default:
			v, err := r.readCountedValue("tagged-ext-val", false)
			if err != nil {
				return nil, err
			}
			e.Other = append(e.Other, ExtItem{Name: uname, Value: v})
		}
	}
}

// Thread is "* THREAD ..." (RFC 5256): a forest of message threads.
type Thread struct {
	Threads []*ThreadNode `json:"threads"`
}

// ResponseType returns "THREAD".
func (*Thread) ResponseType() string { return "THREAD" }

// A ThreadNode is one message in a thread and its replies. Num is 0 for a
// node that only groups its children (a missing parent).
type ThreadNode struct {
	Num      uint32        `json:"num,omitempty"`
	Children []*ThreadNode `json:"children,omitempty"`
}

func (r *Reader) readThread() (Response, error) {
	w := r.w
	t := &Thread{}
	for {
		eol, err := w.AtEOL()
		if err != nil {
			return nil, err
		}
		if eol {
			return t, w.ExpectCRLF("thread-data")
		}
		if len(t.Threads) == 0 {
			if err := w.ExpectSP("thread-data"); err != nil {
				return nil, err
			}
		}
		c, err := w.Peek()
		if err != nil {
			return nil, unexpected(err)
		}
		if c == ' ' && !r.strict {
			w.ReadByte()
			continue
		}
		n, err := r.readThreadList(0)
		if err != nil {
			return nil, err
		}
		t.Threads = append(t.Threads, n)
	}
}

// readThreadList reads thread-list = "(" (thread-members / thread-nested) ")"
// and returns it as a node.
func (r *Reader) readThreadList(depth int) (*ThreadNode, error) {
	w := r.w
	if depth >= w.Limits().MaxDepth {
		return nil, &wire.SyntaxError{Offset: w.InputOffset(), Production: "thread-list", Expected: "shallower nesting", Err: wire.ErrTooDeep}
	}
	if err := w.Expect('(', "thread-list"); err != nil {
		return nil, err
	}
	root := &ThreadNode{}
	cur := root
	first := true
	// Every message number and every nested thread-list is a list
	// element of the response; a top-level thread-list holds at least
	// one number, so it needs no count of its own.
	//
	// nested counts the thread-lists since the last member: strictly,
	// members come first and thread-nested = 2*thread-list.
	nested := 0
	for {
		c, err := w.Peek()
		if err != nil {
			return nil, unexpected(err)
		}
		switch {
		case c == ')':
			if nested == 1 && r.strict {
				return nil, w.ErrorAt("thread-nested", "second thread-list")
			}
			w.ReadByte()
			if first {
				return nil, w.ErrorAt("thread-list", "thread-members")
			}
			if root.Num == 0 && len(root.Children) == 1 && cur != root {
				return root.Children[0], nil
			}
			return root, nil
		case c == '(':
			if err := r.countElem("thread-list"); err != nil {
				return nil, err
			}
			child, err := r.readThreadList(depth + 1)
			if err != nil {
				return nil, err
			}
			cur.Children = append(cur.Children, child)
			nested++
		case c == ' ':
			w.ReadByte()
			continue
		default:
			if nested > 0 && r.strict {
				return nil, w.ErrorAt("thread-list", `"(" or ")"`)
			}
			if err := r.countElem("thread-list"); err != nil {
				return nil, err
			}
			n, err := r.readNZNumber("thread-members")
			if err != nil {
				return nil, err
			}
			node := &ThreadNode{Num: n}
			cur.Children = append(cur.Children, node)
			cur = node
		}
		first = false
	}
}
