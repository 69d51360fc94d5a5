package demo

import (
	"strconv"
	"strings"

	"github.com/imapwire/imapwire/wire"
)

// Encoders for the server's side of the grammar (RFC 3501 section 9).
// Every value is written in the form the grammar allows for it: atoms
// only where all bytes are ATOM-CHARs, quoted strings only for 7-bit text
// without CR, LF and NUL, literals otherwise. So everything the server
// sends parses in parser's strict mode.

// maxQuotedOut is the longest string sent quoted; longer ones go as
// literals (Dovecot switches at about the same length).
const maxQuotedOut = 1024

// quotable reports whether s can be a quoted string.
func quotable(s string) bool {
	if len(s) > maxQuotedOut {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 0 || c == '\r' || c == '\n' || c >= 0x80 {
			return false
		}
	}
	return true
}

// appendQuoted appends s as a quoted string; s must be quotable.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// appendString appends s as a string: quoted if it can be, else a literal.
// NUL, which no RFC 3501 string can carry, is sent as 0x80.
func appendString(b []byte, s string) []byte {
	if quotable(s) {
		return appendQuoted(b, s)
	}
	return appendLiteral(b, []byte(strings.ReplaceAll(s, "\x00", "\x80")))
}

// appendLiteral appends data as a literal.
func appendLiteral(b []byte, data []byte) []byte {
	b = append(b, '{')
	b = strconv.AppendInt(b, int64(len(data)), 10)
	b = append(b, '}', '\r', '\n')
	return append(b, data...)
}

// appendNString appends s as a string, or NIL when nil is set.
func appendNString(b []byte, s string, isNil bool) []byte {
	if isNil {
		return append(b, "NIL"...)
	}
	return appendString(b, s)
}

// appendAString appends s as an atom when it can be one, else a string.
func appendAString(b []byte, s string) []byte {
	if s != "" && len(s) <= maxQuotedOut {
		ok := true
		for i := 0; i < len(s); i++ {
			if !wire.IsAStringChar(s[i]) {
				ok = false
				break
			}
		}
		if ok {
			return append(b, s...)
		}
	}
	return appendString(b, s)
}

// appendMailbox appends a mailbox name (UTF-8) encoded in modified UTF-7.
func appendMailbox(b []byte, name string) []byte {
	if name == "INBOX" {
		return append(b, "INBOX"...)
	}
	return appendAString(b, wire.EncodeUTF7(name))
}

// appendFlags appends a parenthesized flag list.
func appendFlags(b []byte, flags []string) []byte {
	b = append(b, '(')
	for i, f := range flags {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, f...)
	}
	return append(b, ')')
}

// appendParams appends a body-fld-param: NIL, or ("name" "value" ...).
func appendParams(b []byte, params []param) []byte {
	if len(params) == 0 {
		return append(b, "NIL"...)
	}
	b = append(b, '(')
	for i, p := range params {
		if i > 0 {
			b = append(b, ' ')
		}
		b = appendString(b, p.name)
		b = append(b, ' ')
		b = appendString(b, p.value)
	}
	return append(b, ')')
}

// appendSeqSet appends a sequence set, or nothing for an empty one.
func appendSeqSet(b []byte, nums []uint32) []byte {
	return append(b, wire.SeqSetOf(nums...).String()...)
}
