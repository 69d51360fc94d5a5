package demo

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/imapwire/imapwire/wire"
)

// Mailbox commands: SELECT, EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE,
// UNSUBSCRIBE, STATUS, APPEND, CLOSE, UNSELECT, EXPUNGE.

// selectMailbox runs SELECT or EXAMINE. A failed SELECT leaves the session
// with no mailbox selected (RFC 3501 section 6.3.1).
func (s *session) selectMailbox(cmd *command) string {
	name, readOnly := cmd.mailbox, cmd.name == "EXAMINE"
	if cmd.qresync != nil && !s.qresync {
		return "BAD QRESYNC is not enabled (ENABLE QRESYNC first)"
	}
	if cmd.selCondstore {
		s.condstore = true
	}
	s.srv.mu.Lock()
	if s.sel != nil {
		// RFC 7162 section 3.2.11: the old mailbox is closed first.
		s.w.WriteString("* OK [CLOSED] Previous mailbox closed.\r\n")
	}
	s.deselectLocked()
	mb := s.acct.mailboxes[name]
	if mb == nil {
		hasKids := s.acct.hasChildren(name)
		s.srv.mu.Unlock()
		if hasKids {
			return "NO [CANNOT] " + quoteName(name) + " is not selectable (\\Noselect): it only holds other mailboxes"
		}
		return "NO [NONEXISTENT] Mailbox doesn't exist: " + quoteName(name)
	}
	sel := &selection{mb: mb, readOnly: readOnly, view: slices.Clone(mb.msgs), changed: map[*message]bool{}, peek: map[*message]bool{}}
	if n := len(sel.view); n > 0 {
		sel.lastUID = sel.view[n-1].uid
	}
	for _, m := range sel.view {
		if m.recentID == 0 {
			if readOnly {
				sel.peek[m] = true
			} else {
				m.recentID = s.id
			}
		}
	}
	s.sel = sel
	mb.selected[s] = true
	b := s.appendFlagsLocked(nil)
	b = append(b, "* "...)
	b = strconv.AppendInt(b, int64(len(sel.view)), 10)
	b = append(b, " EXISTS\r\n* "...)
	b = strconv.AppendInt(b, int64(s.recentLocked()), 10)
	b = append(b, " RECENT\r\n"...)
	for i, m := range sel.view {
		if !m.hasFlag(`\Seen`) {
			b = append(b, "* OK [UNSEEN "...)
			b = strconv.AppendInt(b, int64(i+1), 10)
			b = append(b, "] First unseen.\r\n"...)
			break
		}
	}
	b = append(b, "* OK [UIDVALIDITY "...)
	b = strconv.AppendUint(b, uint64(mb.uidValidity), 10)
	b = append(b, "] UIDs valid\r\n"...)
	if !s.other() {
		// ModeOther: none (RFC 3501 section 6.3.1: "If this is missing,
		// the client can not make any assumptions about the next unique
		// identifier value"); STATUS (UIDNEXT) has it.
		b = append(b, "* OK [UIDNEXT "...)
		b = strconv.AppendUint(b, uint64(mb.uidNext), 10)
		b = append(b, "] Predicted next UID\r\n"...)
	}
	b = append(b, "* OK [HIGHESTMODSEQ "...)
	b = strconv.AppendUint(b, mb.modseq, 10)
	b = append(b, "] Highest\r\n"...)
	if q := cmd.qresync; q != nil && q.uidValidity == mb.uidValidity {
		// RFC 7162 section 3.2.5.1: what changed since q.modseq. With no
		// log of expunges, every UID up to the last that is not in the
		// mailbox is reported vanished (the RFC allows extra UIDs).
		b = appendVanishedEarlier(b, mb.msgs, q.knownUIDs, sel.lastUID)
		known := resolveSet(q.knownUIDs, sel.lastUID)
		for i, m := range sel.view {
			if m.modseq > q.modseq && (q.knownUIDs == nil || inRanges(known, m.uid)) {
				b = append(b, "* "...)
				b = strconv.AppendInt(b, int64(i+1), 10)
				b = append(b, " FETCH (UID "...)
				b = strconv.AppendUint(b, uint64(m.uid), 10)
				b = append(b, " FLAGS "...)
				b = appendFlags(b, m.flagsFor(s.isRecentLocked(m)))
				b = append(b, " MODSEQ ("...)
				b = strconv.AppendUint(b, m.modseq, 10)
				b = append(b, "))\r\n"...)
			}
		}
	}
	s.srv.mu.Unlock()
	s.w.Write(b)
	if readOnly {
		return "OK [READ-ONLY] Examine completed."
	}
	return "OK [READ-WRITE] Select completed."
}

// appendVanishedEarlier appends "* VANISHED (EARLIER) set" with the UIDs
// of known (nil: all) up to last that are not among msgs, if any.
func appendVanishedEarlier(b []byte, msgs []*message, known wire.SeqSet, last uint32) []byte {
	if last == 0 {
		return b
	}
	if known == nil {
		known = wire.SeqSet{{Start: 1, Stop: last}}
	}
	rs := resolveSet(known, last)
	var gone wire.SeqSet
	i := 0
	for _, r := range rs {
		lo, hi := r.Start, min(r.Stop, last)
		for lo <= hi && lo != 0 {
			// Skip the messages below lo, then find the gap from lo.
			for i < len(msgs) && msgs[i].uid < lo {
				i++
			}
			if i < len(msgs) && msgs[i].uid == lo {
				lo++
				if lo == 0 {
					break
				}
				continue
			}
			end := hi
			if i < len(msgs) && msgs[i].uid <= hi {
				end = msgs[i].uid - 1
			}
			gone = append(gone, wire.SeqRange{Start: lo, Stop: end})
			if end == hi {
				break
			}
			lo = end + 1
		}
	}
	if len(gone) == 0 {
		return b
	}
	b = append(b, "* VANISHED (EARLIER) "...)
	b = append(b, gone.String()...)
	return append(b, "\r\n"...)
}

// quoteName renders a mailbox name for response text.
func quoteName(name string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, wireName(name))
}

// wireName returns the name as it goes on the wire (modified UTF-7).
func wireName(name string) string {
	return string(appendMailbox(nil, name))
}

// outsideNamespace reports a name that ModeOther refuses to create:
// every mailbox but INBOX is under "INBOX.", the personal namespace.
func (s *session) outsideNamespace(name string) bool {
	return s.other() && !strings.HasPrefix(name, "INBOX.")
}

func (s *session) create(name string) string {
	if s.outsideNamespace(name) && name != "INBOX" {
		return "NO Invalid mailbox name."
	}
	if !validName(name, s.srv.delim) {
		return "NO [CANNOT] Invalid mailbox name " + quoteName(name)
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	a := s.acct
	if a.mailboxes[name] != nil {
		return "NO [ALREADYEXISTS] Mailbox already exists: " + quoteName(name)
	}
	if len(a.mailboxes) >= maxMailboxes {
		return "NO [LIMIT] Too many mailboxes (this server allows " + strconv.Itoa(maxMailboxes) + ")"
	}
	s.srv.newMailbox(a, name, "")
	return "OK Create completed."
}

func (s *session) delete(name string) string {
	if name == "INBOX" {
		return "NO [CANNOT] INBOX can't be deleted."
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	a := s.acct
	mb := a.mailboxes[name]
	if mb == nil {
		return "NO [NONEXISTENT] Mailbox doesn't exist: " + quoteName(name)
	}
	// Sessions that have it selected see every message expunged.
	a.expunge(mb, func(*message) bool { return true })
	s.wakeLocked(mb)
	if s.sel != nil && s.sel.mb == mb {
		s.deselectLocked()
	}
	delete(a.mailboxes, name)
	return "OK Delete completed."
}

func (s *session) rename(from, to string) string {
	if s.outsideNamespace(to) {
		return "NO Invalid mailbox name."
	}
	if !validName(to, s.srv.delim) {
		return "NO [CANNOT] Invalid mailbox name " + quoteName(to)
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	a := s.acct
	src := a.mailboxes[from]
	switch {
	case src == nil && !s.other():
		// ModeOther answers OK, renaming the mailboxes below from if
		// any, as that server does (imapwire issue 14); RFC 3501
		// section 6.3.5 calls it an error.
		return "NO [NONEXISTENT] Mailbox doesn't exist: " + quoteName(from)
	case a.mailboxes[to] != nil || to == "INBOX":
		return "NO [ALREADYEXISTS] Mailbox already exists: " + quoteName(to)
	case strings.HasPrefix(to, from+string(a.delim)):
		return "NO [CANNOT] Can't rename a mailbox under itself"
	}
	if from == "INBOX" {
		// RFC 3501: the messages move to the new name, INBOX stays and
		// is empty; its subfolders stay too.
		if len(a.mailboxes) >= maxMailboxes {
			return "NO [LIMIT] Too many mailboxes"
		}
		dst := s.srv.newMailbox(a, to, "")
		for _, m := range src.msgs {
			nm := &message{uid: dst.uidNext, flags: slices.Clone(m.flags), date: m.date, content: m.content, modseq: dst.bump()}
			dst.uidNext++
			dst.noteKeywords(nm.flags)
			dst.msgs = append(dst.msgs, nm)
		}
		n, size := len(src.msgs), int64(0)
		for _, m := range src.msgs {
			size += int64(len(m.content.raw))
		}
		a.expunge(src, func(*message) bool { return true })
		a.messages += n
		a.storage += size
		s.wakeLocked(src)
		return "OK Rename completed."
	}
	prefix := from + string(a.delim)
	for name, mb := range a.mailboxes {
		if name == from || strings.HasPrefix(name, prefix) {
			nn := to + name[len(from):]
			delete(a.mailboxes, name)
			mb.name = nn
			a.mailboxes[nn] = mb
		}
	}
	return "OK Rename completed."
}

func (s *session) subscribe(name string, on bool) string {
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	a := s.acct
	if on {
		if !validName(name, a.delim) {
			return "NO [CANNOT] Invalid mailbox name " + quoteName(name)
		}
		if a.mailboxes[name] == nil {
			return "NO [NONEXISTENT] Mailbox doesn't exist: " + quoteName(name)
		}
		if len(a.subscribed) >= maxSubscribed && !a.subscribed[name] {
			return "NO [LIMIT] Too many subscriptions"
		}
		a.subscribed[name] = true
		return "OK Subscribe completed."
	}
	delete(a.subscribed, name)
	return "OK Unsubscribe completed."
}

// statusLocked appends the STATUS response of mb with items.
func (s *session) statusLocked(b []byte, mb *mailbox, items []string) []byte {
	b = append(b, "* STATUS "...)
	b = appendMailbox(b, mb.name)
	b = append(b, " ("...)
	for i, it := range items {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, it...)
		b = append(b, ' ')
		switch it {
		case "MESSAGES":
			b = strconv.AppendInt(b, int64(len(mb.msgs)), 10)
		case "RECENT":
			// \Recent is told to one session (RFC 3501 section 2.3.2):
			// a message another session took is not recent here, as
			// that session's SELECT would not count it either.
			n := 0
			for _, m := range mb.msgs {
				if m.recentID == 0 || s.sel != nil && s.sel.mb == mb && s.isRecentLocked(m) {
					n++
				}
			}
			b = strconv.AppendInt(b, int64(n), 10)
		case "UIDNEXT":
			b = strconv.AppendUint(b, uint64(mb.uidNext), 10)
		case "UIDVALIDITY":
			b = strconv.AppendUint(b, uint64(mb.uidValidity), 10)
		case "UNSEEN":
			b = strconv.AppendInt(b, int64(mb.unseen()), 10)
		case "HIGHESTMODSEQ":
			b = strconv.AppendUint(b, mb.modseq, 10)
		case "SIZE":
			var n int64
			for _, m := range mb.msgs {
				n += int64(len(m.content.raw))
			}
			b = strconv.AppendInt(b, n, 10)
		}
	}
	return append(b, ")\r\n"...)
}

func (s *session) status(name string, items []string) string {
	if slices.Contains(items, "HIGHESTMODSEQ") {
		s.condstoreOn() // a CONDSTORE enabling command
	}
	s.srv.mu.Lock()
	mb := s.acct.mailboxes[name]
	if mb == nil {
		s.srv.mu.Unlock()
		return "NO [NONEXISTENT] Mailbox doesn't exist: " + quoteName(name)
	}
	b := s.statusLocked(nil, mb, items)
	s.srv.mu.Unlock()
	s.w.Write(b)
	return "OK Status completed."
}

// normalizeLineEnds turns bare LFs into CRLF, as mail stores do: sizes and
// sections are then counted in CRLF lines as RFC 3501 expects.
func normalizeLineEnds(b []byte) []byte {
	n := 0
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			n++
		}
	}
	if n == 0 {
		return b
	}
	out := make([]byte, 0, len(b)+n)
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}

func (s *session) appendMessage(name string, a *appendArgs) string {
	if len(a.msg) == 0 {
		return "NO Can't save a message of zero bytes"
	}
	msg := normalizeLineEnds(a.msg)
	if len(msg) > maxMessageSize {
		return "NO [TOOBIG] Message too large"
	}
	date := a.date
	if date.IsZero() {
		date = time.Now().Truncate(time.Second)
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	acct := s.acct
	mb := acct.mailboxes[name]
	if mb == nil {
		return "NO [TRYCREATE] Mailbox doesn't exist: " + quoteName(name)
	}
	if s.other() && s.sel != nil && s.sel.mb == mb && s.sel.readOnly {
		// ModeOther: that server's refusal (imapwire issue 14); RFC 3501
		// lets a client append to a mailbox it has EXAMINEd.
		return "NO Current box is selected READ-ONLY."
	}
	if s.other() {
		msg = rewriteHeader8bit(msg)
	}
	if !acct.room(1, int64(len(msg))) {
		return "NO [OVERQUOTA] The account is full"
	}
	if !mb.keywordRoom(a.flags) {
		return "NO [LIMIT] Too many keywords in the mailbox"
	}
	newKW := false
	for _, f := range a.flags {
		if !strings.HasPrefix(f, `\`) && !slices.Contains(mb.keywords, f) {
			newKW = true
		}
	}
	m := acct.addMessage(mb, newContent(msg), a.flags, date)
	if newKW {
		for o := range mb.selected {
			o.sel.keywords = true
		}
	}
	s.wakeLocked(mb)
	return "OK [APPENDUID " + strconv.FormatUint(uint64(mb.uidValidity), 10) + " " +
		strconv.FormatUint(uint64(m.uid), 10) + "] Append completed."
}

// rewriteHeader8bit returns msg with every byte of 0x80 and above in its
// header (up to the first empty line) replaced by 'X', as some servers
// store 8-bit headers (ModeOther). The size stays the same; the body is
// kept.
func rewriteHeader8bit(msg []byte) []byte {
	end := bytes.Index(msg, []byte("\r\n\r\n"))
	if end < 0 {
		end = len(msg)
	}
	var out []byte
	for i, c := range msg[:end] {
		if c >= 0x80 {
			if out == nil {
				out = bytes.Clone(msg)
			}
			out[i] = 'X'
		}
	}
	if out == nil {
		return msg
	}
	return out
}

// closeMailbox runs CLOSE (expunge, silently, when read-write) or
// UNSELECT.
func (s *session) closeMailbox(expunge bool) string {
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	sel := s.sel
	if expunge && !sel.readOnly {
		if gone := s.acct.expunge(sel.mb, func(m *message) bool { return m.hasFlag(`\Deleted`) }); len(gone) > 0 {
			s.wakeLocked(sel.mb)
		}
	}
	s.deselectLocked()
	if expunge {
		return "OK Close completed."
	}
	return "OK Unselect completed."
}

// expunge runs EXPUNGE and UID EXPUNGE (RFC 4315); the EXPUNGE responses
// come from the sync after the command.
func (s *session) expunge(cmd *command) string {
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	sel := s.sel
	if sel.readOnly {
		return "OK Expunge ignored with read-only mailbox."
	}
	var rs = resolveSet(cmd.seq, sel.lastUID)
	gone := s.acct.expunge(sel.mb, func(m *message) bool {
		return m.hasFlag(`\Deleted`) && (!cmd.uid || inRanges(rs, m.uid))
	})
	if len(gone) > 0 {
		s.wakeLocked(sel.mb)
	}
	return "OK Expunge completed."
}
