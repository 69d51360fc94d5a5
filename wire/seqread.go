package wire

import "io"

// ReadSeqSet consumes a sequence-set ("2,4:6,20:*") from the stream. It
// streams: a set of any length parses in memory proportional to its number
// of ranges, bounded by Limits.MaxListElems.
func (r *Reader) ReadSeqSet(production string) (SeqSet, error) {
	if err := r.begin(); err != nil {
		return nil, err
	}
	var set SeqSet
	for {
		if len(set) >= r.lim.MaxListElems {
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
		set = append(set, orderRange(start, stop))
		if err != nil || c != ',' {
			return set, nil
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
