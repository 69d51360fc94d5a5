package wire

import (
	"cmp"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
)

// seqSetProduction names the grammar rule in a *SyntaxError from
// ParseSeqSet.
const seqSetProduction = "sequence-set"

// A SeqRange is the range Start:Stop of message sequence numbers or UIDs,
// both ends included. Zero stands for "*", the largest number in use in the
// mailbox. A single number n is the range n:n, and "*" alone is 0:0.
type SeqRange struct {
	Start, Stop uint32
}

// A SeqSet is an RFC 3501 sequence-set such as "2,4:6,20:*": message
// sequence numbers or UIDs written as a list of ranges. The ranges are kept
// in the order given and may overlap; SeqSetOf builds the canonical form
// (sorted, disjoint, non-adjacent ranges). A SeqSet can be written as a
// literal, as in SeqSet{{2, 2}, {4, 6}, {20, 0}}. An empty SeqSet has no
// textual form: the grammar needs at least one number.
type SeqSet []SeqRange

// ParseSeqSet parses s as an RFC 3501 sequence-set: comma-separated numbers
// and ranges, where a number is a non-zero 32-bit integer or "*". Since the
// RFC reads a range "regardless of order", ParseSeqSet stores each range
// with its smaller end first: "5:1" becomes 1:5 and "*:4" becomes 4:*.
//
// The error is a *SyntaxError whose Offset is the byte index in s of the
// problem; a number larger than 4,294,967,295 is reported with the
// sentinel ErrNumberOverflow.
func ParseSeqSet(s string) (SeqSet, error) {
	set := make(SeqSet, 0, strings.Count(s, ",")+1)
	i := 0
	for {
		start, n, err := parseSeqNumber(s, i)
		if err != nil {
			return nil, err
		}
		i = n
		stop := start
		expected := `"," or ":"`
		if i < len(s) && s[i] == ':' {
			stop, i, err = parseSeqNumber(s, i+1)
			if err != nil {
				return nil, err
			}
			expected = `","`
		}
		set = append(set, orderRange(start, stop))
		if i == len(s) {
			return set, nil
		}
		if s[i] != ',' {
			return nil, seqSetError(s, i, expected, nil)
		}
		i++
	}
}

// parseSeqNumber parses the seq-number (nz-number or "*") of s at i and
// returns it, with 0 for "*", and the index after it.
func parseSeqNumber(s string, i int) (uint32, int, error) {
	if i < len(s) && s[i] == '*' {
		return 0, i + 1, nil
	}
	if i == len(s) || s[i] < '1' || s[i] > '9' {
		return 0, 0, seqSetError(s, i, `nz-number or "*"`, nil)
	}
	var v uint64
	j := i
	for ; j < len(s) && '0' <= s[j] && s[j] <= '9'; j++ {
		v = v*10 + uint64(s[j]-'0')
		if v > math.MaxUint32 {
			return 0, 0, seqSetError(s, i, "number below 4294967296", ErrNumberOverflow)
		}
	}
	return uint32(v), j, nil
}

// orderRange returns the range start:stop with its smaller end first,
// where 0 ("*") is the largest.
func orderRange(start, stop uint32) SeqRange {
	if start == 0 || stop != 0 && start > stop {
		start, stop = stop, start
	}
	return SeqRange{start, stop}
}

// seqSetError returns a *SyntaxError for ParseSeqSet.
func seqSetError(s string, offset int, expected string, sentinel error) error {
	return &SyntaxError{
		Offset:     int64(offset),
		Production: seqSetProduction,
		Expected:   expected,
		Found:      quoteFound([]byte(s[offset:])),
		Err:        sentinel,
	}
}

// String returns s in the syntax of RFC 3501, such as "2,4:6,20:*", or ""
// if s is empty. ParseSeqSet parses the result back to s, except that it
// orders each range's ends.
func (s SeqSet) String() string {
	if len(s) == 0 {
		return ""
	}
	return string(appendSeqSet(make([]byte, 0, 12*len(s)), s))
}

// appendSeqSet appends the textual form of s to b.
func appendSeqSet(b []byte, s SeqSet) []byte {
	for i, r := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSeqNumber(b, r.Start)
		if r.Stop != r.Start {
			b = append(b, ':')
			b = appendSeqNumber(b, r.Stop)
		}
	}
	return b
}

// appendSeqNumber appends n, or "*" for 0, to b.
func appendSeqNumber(b []byte, n uint32) []byte {
	if n == 0 {
		return append(b, '*')
	}
	return strconv.AppendUint(b, uint64(n), 10)
}

// SeqSetOf returns the canonical SeqSet of the given numbers: sorted,
// de-duplicated, with runs of consecutive numbers as ranges, so that
// SeqSetOf(1, 2, 3, 5, 7, 8) is "1:3,5,7:8". Zeros are ignored: 0 is
// not a message number, and reading it as "*" could touch the wrong
// message. SeqSetOf does not modify nums. It takes time linear in
// len(nums), and allocates only the result when nums is already sorted,
// as in a SEARCH response.
func SeqSetOf(nums ...uint32) SeqSet {
	if !slices.IsSorted(nums) {
		nums = sortedCopy(nums)
	}
	for len(nums) > 0 && nums[0] == 0 {
		nums = nums[1:]
	}
	if len(nums) == 0 {
		return nil
	}
	n := 1
	for i := 1; i < len(nums); i++ {
		if nums[i]-nums[i-1] > 1 {
			n++
		}
	}
	set := make(SeqSet, 0, n)
	r := SeqRange{nums[0], nums[0]}
	for _, v := range nums[1:] {
		if v-r.Stop > 1 {
			set = append(set, r)
			r.Start = v
		}
		r.Stop = v
	}
	return append(set, r)
}

// sortedCopy returns a sorted copy of nums. Large inputs, such as the two
// million UIDs of a big mailbox, are radix sorted: several times faster
// than a comparison sort.
func sortedCopy(nums []uint32) []uint32 {
	a := slices.Clone(nums)
	if len(a) < 1024 {
		slices.Sort(a)
		return a
	}
	tmp := make([]uint32, len(a))
	var count [256]int
	for shift := 0; shift < 32; shift += 8 {
		clear(count[:])
		for _, v := range a {
			count[byte(v>>shift)]++
		}
		if count[byte(a[0]>>shift)] == len(a) {
			continue // every number has the same digit here
		}
		sum := 0
		for d, c := range count {
			count[d] = sum
			sum += c
		}
		for _, v := range a {
			d := byte(v >> shift)
			tmp[count[d]] = v
			count[d]++
		}
		a, tmp = tmp, a
	}
	return a
}

// Dynamic reports whether s contains "*", whose meaning depends on the
// mailbox.
func (s SeqSet) Dynamic() bool {
	for _, r := range s {
		if r.Start == 0 || r.Stop == 0 {
			return true
		}
	}
	return false
}

// Contains reports whether n is in s. Contains reads "*" as the largest
// 32-bit number, 4294967295, so "5:*" contains every n of at least 5 and
// "*" alone contains no real message number. That is exact for a set
// without "*" (see Dynamic); to apply the mailbox's largest number, use All.
// Contains(0) is false.
func (s SeqSet) Contains(n uint32) bool {
	if n == 0 {
		return false
	}
	for _, r := range s {
		lo, hi := r.Start, r.Stop
		if lo == 0 {
			lo = math.MaxUint32
		}
		if hi == 0 {
			hi = math.MaxUint32
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		if lo <= n && n <= hi {
			return true
		}
	}
	return false
}

// All returns an iterator over the numbers in s, each once, in ascending
// order, with "*" standing for max, the largest number in use in the
// mailbox (the number of messages, or the largest UID).
//
// As RFC 3501 reads a range "regardless of order", "5:*" with max 3 is
// 3:5 and yields 3, 4 and 5: a UID range n:* always includes the last
// message. If max is 0 (an empty mailbox) "*" stands for no number:
// "*" yields nothing and "5:*" yields 5.
//
// All makes one copy of s; the iteration itself does not allocate.
func (s SeqSet) All(max uint32) iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		ranges := make([]SeqRange, 0, len(s))
		for _, r := range s {
			lo, hi := r.Start, r.Stop
			if lo == 0 {
				lo = max
			}
			if hi == 0 {
				hi = max
			}
			switch {
			case lo == 0 && hi == 0:
				continue
			case lo == 0:
				lo = hi
			case hi == 0:
				hi = lo
			case lo > hi:
				lo, hi = hi, lo
			}
			ranges = append(ranges, SeqRange{lo, hi})
		}
		slices.SortFunc(ranges, func(a, b SeqRange) int { return cmp.Compare(a.Start, b.Start) })

		var next uint64 = 1 // smallest number not yet yielded
		for _, r := range ranges {
			if uint64(r.Stop) < next {
				continue
			}
			n := r.Start
			if uint64(n) < next {
				n = uint32(next)
			}
			for ; ; n++ {
				if !yield(n) {
					return
				}
				if n == r.Stop {
					break
				}
			}
			next = uint64(r.Stop) + 1
		}
	}
}
