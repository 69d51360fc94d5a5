package wire

import "io"

// ReadSeqSet consumes a sequence-set ("2,4:6,20:*") from the stream. It
// streams: a set of any length parses in memory proportional to its number
// of ranges, bounded by Limits.MaxNumList (a range holds two numbers, so a
// set has at most MaxNumList/2 ranges). The ranges are gathered in chunks
// and copied once into a set of exactly their number.
func (r *Reader) ReadSeqSet(production string) (SeqSet, error) {
	if err := r.begin(); err != nil {
		return nil, err
	}
	var ranges chunkList[SeqRange]
	for {
		if 2*(ranges.len()+1) > r.lim.MaxNumList {
			return nil, r.errorAt(r.InputOffset(), production, "fewer ranges", ErrListTooLong)
		}
		start, err := r.readSeqNumber(production)
		if err != nil {
			return nil, err
		}
		stop := start
		c, err := r.peek()
		if err != nil && err != io.EOF {
			return nil, err
		}
		if err == nil && c == ':' {
			r.r++
			if stop, err = r.readSeqNumber(production); err != nil {
				return nil, err
			}
			c, err = r.peek()
			if err != nil && err != io.EOF {
				return nil, err
			}
		}
		ranges.add(orderRange(start, stop))
		if err != nil || c != ',' {
			return SeqSet(ranges.list()), nil
		}
		r.r++
	}
}

func (r *Reader) readSeqNumber(production string) (uint32, error) {
	c, err := r.peek()
	if err != nil {
		return 0, unexpected(err)
	}
	if c == '*' {
		r.r++
		return 0, nil
	}
	if c == '0' {
		return 0, r.errorAt(r.InputOffset(), production, `nz-number or "*"`, nil)
	}
	n, err := r.readNumber(production, 1<<32-1)
	return uint32(n), err
}

// MarshalText formats s as in String, so that JSON shows "2,4:6,20:*".
func (s SeqSet) MarshalText() ([]byte, error) { return appendSeqSet(nil, s), nil }

// UnmarshalText parses text with ParseSeqSet.
func (s *SeqSet) UnmarshalText(text []byte) error {
	set, err := ParseSeqSet(string(text))
	if err != nil {
		return err
	}
	*s = set
	return nil
}

// A chunkList gathers a list of unknown length, possibly long, in chunks
// that are never copied while it grows, then copies them once into a slice
// of exactly its length. The bytes allocated are at most about twice the
// result's, and so is the peak; a slice grown by append allocates about
// five times the result (large slices grow by a quarter) and keeps up to a
// quarter of it unused.
type chunkList[T any] struct {
	full [][]T // the filled chunks, in order
	cur  []T   // the chunk being filled
	n    int   // elements in full and cur
}

const (
	firstChunk = 8       // elements: most sequence sets have a few ranges
	maxChunk   = 1 << 17 // elements: 1 MiB of SeqRange
)

func (c *chunkList[T]) len() int { return c.n }

func (c *chunkList[T]) add(v T) {
	if len(c.cur) == cap(c.cur) {
		size := firstChunk
		if c.cur != nil {
			c.full = append(c.full, c.cur)
			size = min(2*cap(c.cur), maxChunk)
		}
		c.cur = make([]T, 0, size)
	}
	c.cur = append(c.cur, v)
	c.n++
}

// list returns the elements in a slice whose capacity is its length.
func (c *chunkList[T]) list() []T {
	if len(c.full) == 0 && len(c.cur) == cap(c.cur) {
		return c.cur
	}
	out := make([]T, 0, c.n)
	for _, ch := range c.full {
		out = append(out, ch...)
	}
	return append(out, c.cur...)
}
