package main

import (
	"encoding/binary"
	"hash/crc32"
	"math/bits"
	"unsafe"
)

// A digest is the fingerprint of a decoded workload: the number of items
// (messages, mailboxes or UIDs), the sum of their UIDs (or of the lengths of
// the mailbox names), and a hash fed with every decoded field in a fixed
// order. The generator feeds it from what it wrote, each library from the
// values it decoded, so that a library that skips a field, mangles a string
// or stops early disagrees.
//
// The hash is a polynomial over the fields, Hash = Hash*K + field, so that
// the fields' own hashes do not wait for one another, and a change of any
// one field always changes the result (K is odd). A string's hash is
// wyhash's construction (a 64x64->128-bit multiply folded to 64 bits) over
// 16 bytes at a time, with overlapping loads for the ends: a string of up to
// 16 bytes, most of the fields here, costs two multiplies. Feeding every
// field of a message of the ENVELOPE workload costs about half a
// microsecond, the same in every row that decodes; a byte-at-a-time hash
// such as FNV would cost about as much as the parsing it checks. Bodies are
// checked with CRC-32C, which the CPU computes in hardware.
type digest struct {
	Items uint64 `json:"items"`
	Sum   uint64 `json:"sum"`
	Hash  uint64 `json:"hash"`
}

const (
	mixK1 = 0xa0761d6478bd642f
	mixK2 = 0xe7037ed1a0b428db
	mixK3 = 0x8ebc6af09c88c6e3
)

// mix is wyhash's mum: the two halves of the 128-bit product, xored.
func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// le64 and le32 load 8 and 4 bytes of s from i on (the caller checks the
// length).
func le64(s string, i int) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
}

func le32(s string, i int) uint64 {
	return uint64(binary.LittleEndian.Uint32(unsafe.Slice(unsafe.StringData(s[i:]), 4)))
}

func (d *digest) num(n uint64) {
	d.Hash = d.Hash*mixK1 + n
}

// str feeds the length and every byte of s.
func (d *digest) str(s string) {
	n := len(s)
	h := uint64(mixK1)
	var a, b uint64
	switch {
	case n == 0:
	case n < 4:
		a = uint64(s[0])<<16 | uint64(s[n>>1])<<8 | uint64(s[n-1])
	case n <= 8:
		a, b = le32(s, 0), le32(s, n-4)
	case n <= 16:
		a, b = le64(s, 0), le64(s, n-8)
	default:
		for i := 0; n-i > 16; i += 16 {
			h = mix(le64(s, i)^mixK2, le64(s, i+8)^h)
		}
		a, b = le64(s, n-16), le64(s, n-8)
	}
	d.Hash = d.Hash*mixK1 + mix(mixK3^uint64(n), mix(a^mixK2, b^h))
}

// strs feeds a list of strings with its length.
func (d *digest) strs(l []string) {
	d.num(uint64(len(l)))
	for _, s := range l {
		d.str(s)
	}
}

// pair hashes one name/value parameter on its own, for params, whose
// order one of the libraries (go-imap, with a map) does not keep.
func pair(name, value string) uint64 {
	var d digest
	d.str(name)
	d.str(value)
	return d.Hash
}

// params feeds a set of parameters whatever their order: their number and
// the sum of their pair hashes.
func (d *digest) params(n int, sum uint64) {
	d.num(uint64(n))
	d.num(sum)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)
