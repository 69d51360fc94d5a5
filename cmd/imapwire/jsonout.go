package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"slices"
)

// This file writes the -json objects. A response is marshalled once by
// encoding/json into a reused buffer; its members are then written out with
// the keys "kind", "tag" and "type" (and the REPL's extra keys) merged in,
// every key in sorted order, without decoding anything into Go values.
//
// The order is the one the first implementation produced by marshalling,
// decoding into a map[string]any and marshalling again, kept so that the
// output stays byte for byte the same (testdata/json-shapes.json): the keys
// of a non-FETCH response are sorted at every level, those of a FETCH at
// the top level only (its items were never decoded). What the round trip
// did besides is kept where it was harmless (an invalid UTF-8 byte, which
// encoding/json writes as \ufffd, came out as a raw U+FFFD) and dropped
// where it was a bug: numbers went through float64, so a 64-bit
// mod-sequence was rounded; they are now written as marshalled.

// A jsonWriter writes JSON objects with sorted keys. Its buffers are
// reused from one object to the next.
type jsonWriter struct {
	buf   bytes.Buffer
	enc   *json.Encoder
	added []jsonAdded
	// scratch holds a members slice per depth of nesting.
	scratch [][]jsonMember
}

// A jsonAdded is a key added to an object, with its value's span in buf.
type jsonAdded struct {
	key        string
	start, end int
}

// A jsonMember is one member of an object: the key unescaped (to sort
// on), the key as written, quotes included, and the value.
type jsonMember struct {
	key, raw, val []byte
}

var errNotObject = errors.New("json: the value is not an object")

// write writes v, which must marshal as an object, with the keys of add
// merged in (they replace members of v with the same key), the keys
// sorted; deep sorts the keys of nested objects too. The object ends with
// a newline.
func (j *jsonWriter) write(out *bufio.Writer, v any, add []jsonKV, deep bool) error {
	if j.enc == nil {
		j.enc = json.NewEncoder(&j.buf)
	}
	j.buf.Reset()
	if err := j.enc.Encode(v); err != nil {
		return err
	}
	objEnd := j.buf.Len() - 1 // without Encode's newline
	j.added = j.added[:0]
	for _, kv := range add {
		start := j.buf.Len()
		if err := j.enc.Encode(kv.val); err != nil {
			return err
		}
		j.added = append(j.added, jsonAdded{kv.key, start, j.buf.Len() - 1})
	}
	b := j.buf.Bytes()
	ms, err := j.members(0, b[:objEnd])
	if err != nil {
		return err
	}
	for _, a := range j.added {
		ms = append(ms, jsonMember{key: []byte(a.key), val: b[a.start:a.end]})
	}
	ms = sortMembers(ms)
	out.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			out.WriteByte(',')
		}
		if m.raw != nil {
			writeJSONString(out, m.raw)
		} else {
			out.WriteByte('"')
			out.Write(m.key) // an added key: a plain identifier
			out.WriteByte('"')
		}
		out.WriteByte(':')
		if deep {
			if err := j.writeSorted(out, 1, m.val); err != nil {
				return err
			}
		} else {
			out.Write(m.val)
		}
	}
	j.scratch[0] = ms[:0]
	out.WriteByte('}')
	return out.WriteByte('\n')
}

// A jsonKV is a key and value to add to an object.
type jsonKV struct {
	key string
	val any
}

// members returns the members of the object obj, in a slice reused at
// depth.
func (j *jsonWriter) members(depth int, obj []byte) ([]jsonMember, error) {
	for len(j.scratch) <= depth {
		j.scratch = append(j.scratch, nil)
	}
	ms := j.scratch[depth][:0]
	if len(obj) < 2 || obj[0] != '{' || obj[len(obj)-1] != '}' {
		return nil, errNotObject
	}
	i := 1
	for i < len(obj)-1 {
		kend, err := skipJSON(obj, i)
		if err != nil || obj[i] != '"' || kend >= len(obj) || obj[kend] != ':' {
			return nil, errors.New("json: malformed object member")
		}
		vend, err := skipJSON(obj, kend+1)
		if err != nil {
			return nil, err
		}
		m := jsonMember{key: obj[i+1 : kend-1], raw: obj[i:kend], val: obj[kend+1 : vend]}
		if bytes.IndexByte(m.key, '\\') >= 0 {
			var s string
			if err := json.Unmarshal(m.raw, &s); err != nil {
				return nil, err
			}
			m.key = []byte(s)
		}
		ms = append(ms, m)
		i = vend
		if i < len(obj)-1 {
			if obj[i] != ',' {
				return nil, errors.New("json: malformed object")
			}
			i++
		}
	}
	j.scratch[depth] = ms
	return ms, nil
}

// sortMembers sorts ms by key, as encoding/json sorts a map's keys; of
// equal keys the last one is kept, as a map keeps it.
func sortMembers(ms []jsonMember) []jsonMember {
	slices.SortStableFunc(ms, func(a, b jsonMember) int { return bytes.Compare(a.key, b.key) })
	out := ms[:0]
	for i, m := range ms {
		if i+1 < len(ms) && bytes.Equal(m.key, ms[i+1].key) {
			continue
		}
		out = append(out, m)
	}
	return out
}

var escapedFFFD = []byte(`\ufffd`)

// writeSorted writes the JSON value v with the keys of every object in it
// sorted.
func (j *jsonWriter) writeSorted(out *bufio.Writer, depth int, v []byte) error {
	if len(v) == 0 {
		return errors.New("json: empty value")
	}
	if v[0] != '{' && bytes.IndexByte(v, '{') < 0 && !bytes.Contains(v, escapedFFFD) {
		_, err := out.Write(v) // no object inside, nothing to rewrite: a SEARCH's numbers
		return err
	}
	switch v[0] {
	case '"':
		writeJSONString(out, v)
	case '[':
		out.WriteByte('[')
		for i := 1; i < len(v)-1; {
			end, err := skipJSON(v, i)
			if err != nil {
				return err
			}
			if i > 1 {
				out.WriteByte(',')
			}
			if err := j.writeSorted(out, depth+1, v[i:end]); err != nil {
				return err
			}
			i = end
			if i < len(v)-1 {
				i++ // the comma
			}
		}
		out.WriteByte(']')
	case '{':
		ms, err := j.members(depth, v)
		if err != nil {
			return err
		}
		ms = sortMembers(ms)
		out.WriteByte('{')
		for i, m := range ms {
			if i > 0 {
				out.WriteByte(',')
			}
			writeJSONString(out, m.raw)
			out.WriteByte(':')
			if err := j.writeSorted(out, depth+1, m.val); err != nil {
				return err
			}
		}
		j.scratch[depth] = ms[:0]
		out.WriteByte('}')
	default:
		out.Write(v)
	}
	return nil
}

// writeJSONString writes the JSON string s (quotes included) with each
// \ufffd escape as the character itself: encoding/json writes an invalid
// UTF-8 byte as \ufffd, and the valid U+FFFD as is.
func writeJSONString(out *bufio.Writer, s []byte) {
	for {
		i := bytes.IndexByte(s, '\\')
		if i < 0 || i+1 >= len(s) {
			out.Write(s)
			return
		}
		if s[i+1] == 'u' && bytes.HasPrefix(s[i:], escapedFFFD) {
			out.Write(s[:i])
			out.WriteString("\uFFFD")
			s = s[i+len(escapedFFFD):]
			continue
		}
		n := 2 // \" \\ \n ...
		if s[i+1] == 'u' {
			n = 6
		}
		n = min(n, len(s)-i)
		out.Write(s[:i+n])
		s = s[i+n:]
	}
}

// skipJSON returns the end of the JSON value that starts at b[i], in
// compact JSON as encoding/json writes it.
func skipJSON(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errors.New("json: value expected")
	}
	depth := 0
	for ; i < len(b); i++ {
		switch c := b[i]; c {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if i >= len(b) {
				return 0, errors.New("json: unterminated string")
			}
			if depth == 0 {
				return i + 1, nil
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i, nil // the end of a scalar member or element
			}
			depth--
			if depth == 0 {
				return i + 1, nil
			}
		case ',', ':':
			if depth == 0 {
				return i, nil
			}
		}
	}
	if depth != 0 {
		return 0, errors.New("json: unbalanced")
	}
	return i, nil
}
