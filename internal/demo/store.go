package demo

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// The mailbox store: accounts, mailboxes, messages, UIDs and flags, shared
// by every connection of a Server and guarded by one mutex (Server.mu).
// Nothing is written to disk.

// Limits of one account, so that no client (or fuzzer) can make the
// server hold unbounded memory.
const (
	maxMailboxes   = 1000     // mailboxes per account
	maxMessages    = 100000   // messages per account, all mailboxes
	maxStorage     = 1 << 30  // bytes of messages per account (copies count)
	maxMessageSize = 32 << 20 // one APPEND literal
	maxKeywords    = 100      // distinct keywords per mailbox
	maxMailboxName = 512      // bytes of a mailbox name (UTF-8)
	maxSubscribed  = 2000     // subscriptions per account
)

// systemFlags are the flags of RFC 3501 section 2.3.2 that a client can
// set, in the order the server lists them.
var systemFlags = []string{`\Answered`, `\Flagged`, `\Deleted`, `\Seen`, `\Draft`}

// canonicalFlag returns a system flag in its canonical case, or the
// keyword as given.
func canonicalFlag(f string) string {
	for _, s := range systemFlags {
		if strings.EqualFold(s, f) {
			return s
		}
	}
	if strings.EqualFold(f, `\Recent`) {
		return `\Recent`
	}
	return f
}

// An account is one user's mailboxes.
type account struct {
	user, password string
	delim          byte                // the hierarchy delimiter (Server.delim)
	mailboxes      map[string]*mailbox // by name (UTF-8, INBOX upper case)
	subscribed     map[string]bool
	messages       int   // messages in all mailboxes
	storage        int64 // bytes of those messages
}

// A mailbox holds messages in ascending UID order.
type mailbox struct {
	name        string
	specialUse  string // `\Sent`, `\Trash`, ... or ""
	uidValidity uint32
	uidNext     uint32
	msgs        []*message
	keywords    []string // keywords used in the mailbox, in order of first use
	selected    map[*session]bool
	modseq      uint64 // HIGHESTMODSEQ (RFC 7162): bumped by every change
}

// bump returns the next mod-sequence of the mailbox.
func (mb *mailbox) bump() uint64 {
	mb.modseq++
	return mb.modseq
}

// A message is one message in one mailbox. Its content is shared between
// copies and never changes.
type message struct {
	uid      uint32
	flags    []string // canonical case, no \Recent
	date     time.Time
	content  *content
	recentID uint64 // the session that has the message as \Recent (0: none yet)
	expunged bool
	modseq   uint64 // the mod-sequence of the message's last change (RFC 7162)
}

// content is the immutable text of a message, parsed on first use.
type content struct {
	raw    []byte
	once   sync.Once
	entity *entity
}

func newContent(raw []byte) *content { return &content{raw: raw} }

// root returns the parsed message.
func (c *content) root() *entity {
	c.once.Do(func() { c.entity = parseMessage(c.raw) })
	return c.entity
}

func (m *message) hasFlag(f string) bool {
	return slices.ContainsFunc(m.flags, func(x string) bool { return strings.EqualFold(x, f) })
}

// setFlags replaces, adds or removes flags (op '=', '+' or '-'), and
// reports whether the flags changed.
func (m *message) setFlags(op byte, flags []string) bool {
	before := slices.Clone(m.flags)
	switch op {
	case '=':
		m.flags = m.flags[:0]
		for _, f := range flags {
			if !m.hasFlag(f) {
				m.flags = append(m.flags, f)
			}
		}
	case '+':
		for _, f := range flags {
			if !m.hasFlag(f) {
				m.flags = append(m.flags, f)
			}
		}
	case '-':
		m.flags = slices.DeleteFunc(m.flags, func(x string) bool {
			return slices.ContainsFunc(flags, func(f string) bool { return strings.EqualFold(x, f) })
		})
	}
	sortFlags(m.flags)
	return !slices.Equal(before, m.flags)
}

// sortFlags orders system flags first (in systemFlags order), then
// keywords in the order given.
func sortFlags(flags []string) {
	rank := func(f string) int {
		for i, s := range systemFlags {
			if s == f {
				return i
			}
		}
		return len(systemFlags)
	}
	sort.SliceStable(flags, func(i, j int) bool { return rank(flags[i]) < rank(flags[j]) })
}

// flagsFor returns the message's flags as seen by a session: with
// \Recent when it is recent to that session (session.isRecentLocked).
func (m *message) flagsFor(recent bool) []string {
	out := slices.Clone(m.flags)
	if recent {
		out = append(out, `\Recent`)
	}
	return out
}

// normalizeName returns a mailbox name with INBOX (in any case, as the
// first component) in upper case and no trailing delimiter.
func normalizeName(name string, delim byte) string {
	if len(name) >= 5 && strings.EqualFold(name[:5], "INBOX") && (len(name) == 5 || name[5] == delim) {
		name = "INBOX" + name[5:]
	}
	if len(name) > 1 {
		name = strings.TrimSuffix(name, string(delim))
	}
	return name
}

// validName reports whether a name can be created: not empty, no empty
// component, no control characters, not too long.
func validName(name string, delim byte) bool {
	if name == "" || len(name) > maxMailboxName {
		return false
	}
	for _, part := range strings.Split(name, string(delim)) {
		if part == "" {
			return false
		}
	}
	for i := 0; i < len(name); i++ {
		if name[i] < 0x20 || name[i] == 0x7f {
			return false
		}
	}
	return true
}

// hasChildren reports whether any mailbox is below name.
func (a *account) hasChildren(name string) bool {
	prefix := name + string(a.delim)
	for n := range a.mailboxes {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	return false
}

// names returns every mailbox name and every implied parent of one (a
// name with mailboxes below it that is not itself a mailbox), sorted with
// INBOX first.
func (a *account) names() []string {
	seen := map[string]bool{}
	for n := range a.mailboxes {
		seen[n] = true
		for i := len(n) - 1; i > 0; i-- {
			if n[i] == a.delim {
				seen[n[:i]] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool {
		ii, jj := out[i] == "INBOX", out[j] == "INBOX"
		if ii != jj {
			return ii
		}
		return out[i] < out[j]
	})
	return out
}

// newMailbox creates a mailbox with a fresh UIDVALIDITY.
func (s *Server) newMailbox(a *account, name, specialUse string) *mailbox {
	s.validity++
	mb := &mailbox{name: name, specialUse: specialUse, uidValidity: s.validity, uidNext: 1, selected: map[*session]bool{}, modseq: 1}
	a.mailboxes[name] = mb
	return mb
}

// addMessage appends a message with the next UID; the caller has checked
// the account's limits.
func (a *account) addMessage(mb *mailbox, c *content, flags []string, date time.Time) *message {
	m := &message{uid: mb.uidNext, content: c, date: date, modseq: mb.bump()}
	mb.uidNext++
	m.setFlags('=', flags)
	mb.noteKeywords(m.flags)
	mb.msgs = append(mb.msgs, m)
	a.messages++
	a.storage += int64(len(c.raw))
	return m
}

// room reports whether n more messages of size bytes fit in the account.
func (a *account) room(n int, size int64) bool {
	return a.messages+n <= maxMessages && a.storage+size <= maxStorage
}

// noteKeywords records keywords used in the mailbox, and reports whether
// any was new.
func (mb *mailbox) noteKeywords(flags []string) bool {
	added := false
	for _, f := range flags {
		if strings.HasPrefix(f, `\`) || slices.ContainsFunc(mb.keywords, func(k string) bool { return strings.EqualFold(k, f) }) {
			continue
		}
		mb.keywords = append(mb.keywords, f)
		added = true
	}
	return added
}

// knownKeyword reports whether the keyword is already used in the
// mailbox, or the mailbox has room for one more.
func (mb *mailbox) keywordRoom(flags []string) bool {
	n := len(mb.keywords)
	for _, f := range flags {
		if !strings.HasPrefix(f, `\`) && !slices.ContainsFunc(mb.keywords, func(k string) bool { return strings.EqualFold(k, f) }) {
			n++
		}
	}
	return n <= maxKeywords
}

// flagList returns FLAGS: the system flags and the mailbox's keywords.
func (mb *mailbox) flagList() []string {
	return append(slices.Clone(systemFlags), mb.keywords...)
}

// expunge removes the messages for which drop is true, marks them
// expunged and returns them.
func (a *account) expunge(mb *mailbox, drop func(*message) bool) []*message {
	var gone []*message
	kept := mb.msgs[:0]
	for _, m := range mb.msgs {
		if drop(m) {
			m.expunged = true
			gone = append(gone, m)
			a.messages--
			a.storage -= int64(len(m.content.raw))
		} else {
			kept = append(kept, m)
		}
	}
	clear(mb.msgs[len(kept):])
	mb.msgs = kept
	if len(gone) > 0 {
		mb.bump()
	}
	return gone
}

// searchUID returns the index of the message with uid in mb.msgs (sorted by
// UID), or where it would be, and whether it is there.
func (mb *mailbox) searchUID(uid uint32) (int, bool) {
	return slices.BinarySearchFunc(mb.msgs, uid, func(m *message, u uint32) int { return cmp.Compare(m.uid, u) })
}

// unseen counts the messages without \Seen.
func (mb *mailbox) unseen() int {
	n := 0
	for _, m := range mb.msgs {
		if !m.hasFlag(`\Seen`) {
			n++
		}
	}
	return n
}
