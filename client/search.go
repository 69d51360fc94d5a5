package client

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/imapwire/imapwire/command"
	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// Criteria is a typed SEARCH criteria builder. Each method appends a key;
// keys are ANDed, as in IMAP. The zero value means ALL.
//
//	var c client.Criteria
//	c.Since(day).Text("Apress").Unseen()
type Criteria struct {
	args []command.Arg
	err  error // from RawCriteria: Search returns it, sending nothing
}

func (c *Criteria) add(args ...command.Arg) *Criteria { c.args = append(c.args, args...); return c }

// All matches every message.
func (c *Criteria) All() *Criteria { return c.add(command.Atom("ALL")) }

// Flag matches messages with a system flag or keyword set, such as `\Seen`
// or "$Forwarded" (SEEN, FLAGGED, ... or KEYWORD).
func (c *Criteria) Flag(flag string) *Criteria {
	if key, ok := flagKeys[strings.ToLower(flag)]; ok {
		return c.add(command.Atom(key))
	}
	return c.add(command.Atom("KEYWORD"), command.Atom(flag))
}

// NoFlag matches messages without the flag (UNSEEN, UNFLAGGED, ... or
// UNKEYWORD).
func (c *Criteria) NoFlag(flag string) *Criteria {
	if key, ok := flagKeys[strings.ToLower(flag)]; ok {
		return c.add(command.Atom("UN" + key))
	}
	return c.add(command.Atom("UNKEYWORD"), command.Atom(flag))
}

var flagKeys = map[string]string{`\seen`: "SEEN", `\answered`: "ANSWERED", `\flagged`: "FLAGGED", `\deleted`: "DELETED", `\draft`: "DRAFT"}

// Unseen matches messages without \Seen.
func (c *Criteria) Unseen() *Criteria { return c.NoFlag(`\Seen`) }

// Since matches messages whose internal date is on or after the day of t.
func (c *Criteria) Since(t time.Time) *Criteria { return c.date("SINCE", t) }

// Before matches messages whose internal date is before the day of t.
func (c *Criteria) Before(t time.Time) *Criteria { return c.date("BEFORE", t) }

// On matches messages whose internal date is the day of t.
func (c *Criteria) On(t time.Time) *Criteria { return c.date("ON", t) }

// SentSince matches messages whose Date header is on or after the day of t.
func (c *Criteria) SentSince(t time.Time) *Criteria { return c.date("SENTSINCE", t) }

func (c *Criteria) date(key string, t time.Time) *Criteria {
	return c.add(command.Atom(key), command.Atom(t.Format("2-Jan-2006")))
}

// From, To, Cc, Subject, Body and Text match substrings (case-insensitive
// as the server defines it). Non-ASCII strings are sent as UTF-8 literals
// with CHARSET UTF-8.
func (c *Criteria) From(s string) *Criteria { return c.add(command.Atom("FROM"), command.String(s)) }
func (c *Criteria) To(s string) *Criteria   { return c.add(command.Atom("TO"), command.String(s)) }
func (c *Criteria) Cc(s string) *Criteria   { return c.add(command.Atom("CC"), command.String(s)) }
func (c *Criteria) Subject(s string) *Criteria {
	return c.add(command.Atom("SUBJECT"), command.String(s))
}
func (c *Criteria) Body(s string) *Criteria { return c.add(command.Atom("BODY"), command.String(s)) }
func (c *Criteria) Text(s string) *Criteria { return c.add(command.Atom("TEXT"), command.String(s)) }

// Header matches messages whose header field contains value.
func (c *Criteria) Header(field, value string) *Criteria {
	return c.add(command.Atom("HEADER"), command.AString(field), command.String(value))
}

// Larger and Smaller match by RFC822.SIZE.
func (c *Criteria) Larger(n uint32) *Criteria {
	return c.add(command.Atom("LARGER"), command.Number(n))
}
func (c *Criteria) Smaller(n uint32) *Criteria {
	return c.add(command.Atom("SMALLER"), command.Number(n))
}

// UID matches the messages whose UIDs are in set.
func (c *Criteria) UID(set wire.SeqSet) *Criteria {
	return c.add(command.Atom("UID"), command.SeqSet(set))
}

// Not matches messages that do not match every key of n.
func (c *Criteria) Not(n *Criteria) *Criteria {
	c.inherit(n)
	return c.add(command.Atom("NOT"), n.group())
}

// Or matches messages that match a or b.
func (c *Criteria) Or(a, b *Criteria) *Criteria {
	c.inherit(a)
	c.inherit(b)
	return c.add(command.Atom("OR"), a.group(), b.group())
}

// inherit keeps the first error of criteria nested in c.
func (c *Criteria) inherit(n *Criteria) {
	if c.err == nil {
		c.err = n.err
	}
}

func (c *Criteria) group() command.Arg {
	if c.err != nil {
		return nil
	}
	if len(c.args) == 0 {
		return command.Atom("ALL")
	}
	return command.List(c.args)
}

// RawCriteria parses criteria written as in the tutorial, such as
// `SINCE 13-Jul-2013 TEXT Apress` or `OR FROM "a b" (SUBJECT x)`. Words and
// quoted strings with non-ASCII characters are sent as UTF-8 literals;
// everything else is sent as written. Criteria that cannot be sent as
// written (unbalanced parentheses, an unterminated quoted string) are never
// repaired: Search returns a *CriteriaError for them and sends nothing.
func RawCriteria(s string) *Criteria {
	c := &Criteria{}
	var stack [][]command.Arg
	var opens []int // offsets of the open parentheses
	cur := []command.Arg{}
	for i := 0; i < len(s); {
		switch ch := s[i]; {
		case ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n':
			i++
		case ch == '(':
			stack = append(stack, cur)
			opens = append(opens, i)
			cur = []command.Arg{}
			i++
		case ch == ')':
			if len(stack) == 0 {
				c.err = &CriteriaError{Criteria: s, Offset: i, Problem: `")" without "("`}
				return c
			}
			list := command.List(cur)
			cur = append(stack[len(stack)-1], list)
			stack = stack[:len(stack)-1]
			opens = opens[:len(opens)-1]
			i++
		case ch == '"':
			j := i + 1
			var b strings.Builder
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
				j++
			}
			if j >= len(s) {
				c.err = &CriteriaError{Criteria: s, Offset: i, Problem: "quoted string without its closing quote"}
				return c
			}
			cur = append(cur, command.String(b.String()))
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n()\"", rune(s[j])) {
				j++
			}
			w := s[i:j]
			if isASCIIWord(w) {
				cur = append(cur, command.Raw(w))
			} else {
				cur = append(cur, command.String(w))
			}
			i = j
		}
	}
	if len(opens) > 0 {
		c.err = &CriteriaError{Criteria: s, Offset: opens[len(opens)-1], Problem: `"(" without ")"`}
		return c
	}
	c.args = cur
	return c
}

// A CriteriaError reports criteria given to RawCriteria that cannot be sent
// as written. Offset is the byte offset of the problem in Criteria.
type CriteriaError struct {
	Criteria string
	Offset   int
	Problem  string
}

// Error describes the problem and where it is.
func (e *CriteriaError) Error() string {
	return fmt.Sprintf("imap: search criteria %q: offset %d: %s", e.Criteria, e.Offset, e.Problem)
}

func isASCIIWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 0x21 || w[i] > 0x7e || w[i] == '{' {
			return false
		}
	}
	return true
}

// needsUTF8 reports whether an argument carries non-ASCII text.
func needsUTF8(args []command.Arg) bool {
	for _, a := range args {
		switch a := a.(type) {
		case command.String:
			if !isASCII(string(a)) {
				return true
			}
		case command.List:
			if needsUTF8(a) {
				return true
			}
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Search returns the messages matching criteria (nil means ALL) as a
// sequence set: sequence numbers, or UIDs when uid is set (UID SEARCH).
// It uses ESEARCH (RFC 4731) when the server has it, and CHARSET UTF-8
// when the criteria carry non-ASCII text.
func (c *Client) Search(ctx context.Context, uid bool, criteria *Criteria) (wire.SeqSet, error) {
	set, nums, err := c.search(ctx, uid, criteria)
	if nums != nil {
		set = wire.SeqSetOf(nums...)
	}
	return set, err
}

// search returns the result as the server sent it: a set (ESEARCH) or
// numbers (SEARCH), or neither when nothing matched.
func (c *Client) search(ctx context.Context, uid bool, criteria *Criteria) (wire.SeqSet, []uint32, error) {
	if criteria != nil && criteria.err != nil {
		return nil, nil, criteria.err
	}
	if criteria == nil || len(criteria.args) == 0 {
		criteria = (&Criteria{}).All()
	}
	name := "SEARCH"
	if uid {
		name = "UID SEARCH"
	}
	var args []command.Arg
	esearch := c.Has("ESEARCH")
	if esearch {
		args = append(args, command.Atom("RETURN"), command.List{command.Atom("ALL")})
	}
	if needsUTF8(criteria.args) && !c.isEnabled("UTF8=ACCEPT") {
		args = append(args, command.Atom("CHARSET"), command.Atom("UTF-8"))
	}
	args = append(args, criteria.args...)
	resps, _, err := c.run(ctx, &command.Spec{
		Name:        name,
		Args:        args,
		Kinds:       []string{"SEARCH", "ESEARCH"},
		Claim:       func(r parser.Response) bool { return isType[*parser.Search](r) || isType[*parser.ESearch](r) },
		UsesSeqNums: !uid,
		MayExpunge:  uid,
	})
	if err != nil {
		return nil, nil, err
	}
	var nums []uint32
	for _, r := range resps {
		switch r := r.(type) {
		case *parser.Search:
			if nums == nil {
				nums = r.Nums // one SEARCH response, as servers send: no copy
			} else {
				nums = append(nums, r.Nums...)
			}
		case *parser.ESearch:
			return r.All, nil, nil
		}
	}
	if len(nums) == 0 {
		return nil, nil, nil
	}
	return nil, nums, nil
}

// SearchNums is Search returning the numbers themselves, in ascending order
// and without repeats. A SEARCH result is returned as the server sent it,
// sorted; an ESEARCH set is expanded into a slice of its exact size.
func (c *Client) SearchNums(ctx context.Context, uid bool, criteria *Criteria) ([]uint32, error) {
	set, nums, err := c.search(ctx, uid, criteria)
	if err != nil {
		return nil, err
	}
	if nums != nil {
		slices.Sort(nums)
		return slices.Compact(nums), nil
	}
	n := 0
	for _, r := range set {
		if r.Stop == 0 || r.Start == 0 {
			n++ // "*" in a result: one number
		} else {
			n += int(max(r.Start, r.Stop)-min(r.Start, r.Stop)) + 1
		}
	}
	if limit := c.maxNumList(); n > limit {
		// "ALL 1:4294967295" is a few bytes that would expand to 16 GiB.
		return nil, &ResultTooLargeError{Numbers: n, Max: limit}
	}
	out := make([]uint32, 0, n)
	for n := range set.All(0) {
		out = append(out, n)
	}
	return out, nil
}

// A ResultTooLargeError reports a search result with more numbers than
// Limits.MaxNumList allows SearchNums to expand; Search returns the set
// itself, whatever its size.
type ResultTooLargeError struct {
	Numbers int // how many the result holds
	Max     int // Limits.MaxNumList
}

// Error describes the sizes.
func (e *ResultTooLargeError) Error() string {
	return fmt.Sprintf("imap: search result of %d numbers exceeds the limit of %d (use Search for the set)", e.Numbers, e.Max)
}

// maxNumList is Options.Limits.MaxNumList, or its default.
func (c *Client) maxNumList() int {
	if n := c.opts.Limits.MaxNumList; n > 0 {
		return n
	}
	return wire.DefaultLimits.MaxNumList
}
