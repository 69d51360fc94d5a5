package parser

import "unsafe"

// A strArena makes the strings of a response out of a few shared blocks
// instead of one allocation per string. Strings are carved from the current
// block, whose bytes are never written again once handed out, so each string
// is immutable as Go requires. A block stays alive while any of its strings
// does; long strings get their own allocation so that keeping one small
// string never pins much memory.
type strArena struct {
	block []byte
}

const (
	arenaBlock = 8 << 10
	arenaMax   = 256 // longer strings are allocated alone
)

func (a *strArena) str(b []byte) string {
	n := len(b)
	if n == 0 {
		return ""
	}
	if n > arenaMax {
		return string(b)
	}
	if cap(a.block)-len(a.block) < n {
		a.block = make([]byte, 0, arenaBlock)
	}
	start := len(a.block)
	a.block = append(a.block, b...)
	return unsafe.String(&a.block[start], n)
}

// str returns b as a string allocated from the Reader's arena.
func (r *Reader) str(b []byte) string { return r.arena.str(b) }

// intern returns b as a string: a shared constant when b is one of the
// common strings, else a string from the arena.
func (r *Reader) intern(b []byte) string {
	if s, ok := common[string(b)]; ok {
		return s
	}
	return r.arena.str(b)
}

// Slabs of the lists a FETCH response is made of, carved like the strings
// of strArena: one allocation serves many values. A value handed out is
// never touched again by the Reader.
const slabLen = 64

// keepAddrs returns a copy of list carved from the address slab, with its
// capacity equal to its length so that appending to it never writes into
// the slab.
func (r *Reader) keepAddrs(list []Address) []Address {
	n := len(list)
	if n == 0 {
		return nil
	}
	if n > slabLen {
		return append([]Address(nil), list...)
	}
	if cap(r.addrSlab)-len(r.addrSlab) < n {
		r.addrSlab = make([]Address, 0, slabLen*4)
	}
	start := len(r.addrSlab)
	r.addrSlab = append(r.addrSlab, list...)
	return r.addrSlab[start : start+n : start+n]
}

// keepParams is keepAddrs for parameter lists.
func (r *Reader) keepParams(list Params) Params {
	n := len(list)
	if n == 0 {
		return Params{}
	}
	if n > slabLen {
		return append(Params(nil), list...)
	}
	if cap(r.paramSlab)-len(r.paramSlab) < n {
		r.paramSlab = make(Params, 0, slabLen*4)
	}
	start := len(r.paramSlab)
	r.paramSlab = append(r.paramSlab, list...)
	return r.paramSlab[start : start+n : start+n]
}
