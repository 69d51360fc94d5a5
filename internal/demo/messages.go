package demo

import (
	"strconv"
	"strings"

	"github.com/imapwire/imapwire/wire"
)

// Message commands: FETCH, STORE, SEARCH, COPY and MOVE, by sequence number
// or UID.

// targetsLocked resolves the command's set against the view: the view
// indexes of the messages it names, in ascending order. By sequence
// number, a number beyond the view is an error (Dovecot answers BAD too);
// by UID, numbers without a message are skipped (RFC 3501 section
// 6.4.8).
func (s *session) targetsLocked(set wire.SeqSet, uid bool) ([]int, string) {
	view := s.sel.view
	var out []int
	if uid {
		rs := resolveSet(set, s.sel.lastUID)
		for i, m := range view {
			if inRanges(rs, m.uid) {
				out = append(out, i)
			}
		}
		return out, ""
	}
	for _, r := range set {
		if r.Start > uint32(len(view)) || r.Stop > uint32(len(view)) || len(view) == 0 {
			return nil, "BAD Error in IMAP command: Invalid messageset (the mailbox has " +
				strconv.Itoa(len(view)) + " messages)"
		}
	}
	rs := resolveSet(set, uint32(len(view)))
	for _, r := range rs {
		for n := r.Start; n <= r.Stop && n >= 1; n++ {
			out = append(out, int(n-1))
			if n == r.Stop {
				break
			}
		}
	}
	return out, ""
}

func (s *session) fetch(cmd *command) string {
	s.srv.mu.Lock()
	targets, bad := s.targetsLocked(cmd.seq, cmd.uid)
	s.srv.mu.Unlock()
	if bad != "" {
		return bad
	}
	items := cmd.fetch
	wantUID, wantFlags, setsSeen, wantModSeq := false, false, false, false
	for _, it := range items {
		switch it.name {
		case "MODSEQ":
			wantModSeq = true
		case "UID":
			wantUID = true
		case "FLAGS":
			wantFlags = true
		case "RFC822", "RFC822.TEXT":
			setsSeen = true
		case "BODY[":
			if !it.section.peek {
				setsSeen = true
			}
		}
	}
	if cmd.changedSince > 0 && !wantModSeq {
		// CHANGEDSINCE implies MODSEQ (RFC 7162 section 3.1.4.1).
		items = append(items, fetchItem{name: "MODSEQ"})
		wantModSeq = true
	}
	if wantModSeq {
		s.condstoreOn() // a CONDSTORE enabling command
	}
	var b []byte
	if cmd.vanished {
		s.srv.mu.Lock()
		b = appendVanishedEarlier(b, s.sel.mb.msgs, cmd.seq, s.sel.lastUID)
		s.srv.mu.Unlock()
	}
	for _, i := range targets {
		s.srv.mu.Lock()
		sel := s.sel
		if sel == nil || i >= len(sel.view) {
			s.srv.mu.Unlock()
			break
		}
		m := sel.view[i]
		if cmd.changedSince > 0 && m.modseq <= cmd.changedSince {
			s.srv.mu.Unlock()
			continue
		}
		newlySeen := false
		if setsSeen && !sel.readOnly && !m.expunged && !m.hasFlag(`\Seen`) {
			m.setFlags('+', []string{`\Seen`})
			m.modseq = sel.mb.bump()
			s.flagsChangedLocked(sel.mb, m, false)
			newlySeen = true
		}
		flags := m.flagsFor(s.isRecentLocked(m))
		modseq := m.modseq
		if sel.keywords {
			// Another session added a keyword: FLAGS first, so that no
			// FETCH shows a keyword FLAGS did not list (RFC 3501
			// section 7.2.6).
			sel.keywords = false
			b = s.appendFlagsLocked(b)
		}
		s.srv.mu.Unlock()

		b = append(b, "* "...)
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, " FETCH ("...)
		n := 0
		sep := func() {
			if n > 0 {
				b = append(b, ' ')
			}
			n++
		}
		if cmd.uid && !wantUID {
			sep()
			b = append(b, "UID "...)
			b = strconv.AppendUint(b, uint64(m.uid), 10)
		}
		if newlySeen && !wantFlags {
			sep()
			b = append(b, "FLAGS "...)
			b = appendFlags(b, flags)
		}
		if newlySeen && s.condstore && !wantModSeq {
			// RFC 7162 section 3.1.4: a flag change carries its MODSEQ
			// (and UID) once CONDSTORE is on.
			if !cmd.uid && !wantUID {
				sep()
				b = append(b, "UID "...)
				b = strconv.AppendUint(b, uint64(m.uid), 10)
			}
			sep()
			b = append(b, "MODSEQ ("...)
			b = strconv.AppendUint(b, modseq, 10)
			b = append(b, ')')
		}
		for _, it := range items {
			sep()
			switch it.name {
			case "UID":
				b = append(b, "UID "...)
				b = strconv.AppendUint(b, uint64(m.uid), 10)
			case "FLAGS":
				b = append(b, "FLAGS "...)
				b = appendFlags(b, flags)
			case "MODSEQ":
				b = append(b, "MODSEQ ("...)
				b = strconv.AppendUint(b, modseq, 10)
				b = append(b, ')')
			case "INTERNALDATE":
				b = append(b, "INTERNALDATE \""...)
				b = m.date.AppendFormat(b, internalDateLayout)
				b = append(b, '"')
			case "RFC822.SIZE":
				b = append(b, "RFC822.SIZE "...)
				b = strconv.AppendInt(b, int64(len(m.content.raw)), 10)
			case "ENVELOPE":
				b = append(b, "ENVELOPE "...)
				b = m.content.root().appendEnvelope(b)
			case "BODYSTRUCTURE":
				b = append(b, "BODYSTRUCTURE "...)
				b = m.content.root().appendBodyStructure(b, true)
			case "BODY":
				b = append(b, "BODY "...)
				b = m.content.root().appendBodyStructure(b, false)
			case "RFC822", "RFC822.HEADER", "RFC822.TEXT", "BODY[":
				var data []byte
				ok := true
				switch it.name {
				case "RFC822":
					data = m.content.raw
				case "RFC822.HEADER":
					data = m.content.root().header
				case "RFC822.TEXT":
					data = m.content.root().body
				default:
					data, ok = sectionData(m.content.root(), m.content.raw, it.section)
				}
				if it.section != nil {
					b = append(b, it.section.responseName()...)
				} else {
					b = append(b, it.name...)
				}
				if !ok {
					b = append(b, " NIL"...)
					continue
				}
				b = append(b, ' ', '{')
				b = strconv.AppendInt(b, int64(len(data)), 10)
				b = append(b, '}', '\r', '\n')
				// Large bodies go straight to the connection.
				if len(data) > 4096 {
					s.w.Write(b)
					s.w.Write(data)
					b = b[:0]
				} else {
					b = append(b, data...)
				}
			}
		}
		b = append(b, ")\r\n"...)
		if _, err := s.w.Write(b); err != nil {
			return "NO Write failed"
		}
		b = b[:0]
	}
	s.w.Write(b)
	return "OK Fetch completed."
}

func (s *session) store(cmd *command) string {
	if cmd.store.conditional {
		s.condstoreOn() // a CONDSTORE enabling command
	}
	s.srv.mu.Lock()
	sel := s.sel
	targets, bad := s.targetsLocked(cmd.seq, cmd.uid)
	if bad != "" {
		s.srv.mu.Unlock()
		return bad
	}
	if sel.readOnly && !s.other() {
		// ModeOther stores anyway, as that server does (imapwire issue
		// 14), although RFC 3501 section 6.3.2 permits no change to an
		// EXAMINEd mailbox.
		s.srv.mu.Unlock()
		return "OK Store ignored with read-only mailbox."
	}
	st := cmd.store
	silent := st.silent && !s.other() // ModeOther answers .SILENT with FETCH FLAGS too
	flags := make([]string, len(st.flags))
	for i, f := range st.flags {
		flags[i] = canonicalFlag(f)
	}
	if st.op != '-' && !sel.mb.keywordRoom(flags) {
		s.srv.mu.Unlock()
		return "NO [LIMIT] Too many keywords in the mailbox"
	}
	var b []byte
	newKW := st.op != '-' && sel.mb.noteKeywords(flags)
	if newKW || sel.keywords {
		// New keywords, this session's or (not yet told) another's:
		// FLAGS before the FETCH responses that show them.
		if newKW {
			for o := range sel.mb.selected {
				o.sel.keywords = true
			}
		}
		sel.keywords = false
		b = s.appendFlagsLocked(b)
	}
	var modified []uint32
	for _, i := range targets {
		m := sel.view[i]
		if m.expunged {
			continue
		}
		if st.conditional && m.modseq > st.unchangedSince {
			// RFC 7162 section 3.1.3: changed since; not stored.
			if cmd.uid {
				modified = append(modified, m.uid)
			} else {
				modified = append(modified, uint32(i+1))
			}
			continue
		}
		changed := m.setFlags(st.op, flags)
		if changed {
			m.modseq = sel.mb.bump()
			s.flagsChangedLocked(sel.mb, m, false)
		}
		if silent && (!s.condstore || !changed) {
			continue
		}
		b = append(b, "* "...)
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, " FETCH ("...)
		if cmd.uid {
			b = append(b, "UID "...)
			b = strconv.AppendUint(b, uint64(m.uid), 10)
			b = append(b, ' ')
		}
		if s.condstore {
			b = append(b, "MODSEQ ("...)
			b = strconv.AppendUint(b, m.modseq, 10)
			b = append(b, ")"...)
			if !silent {
				b = append(b, ' ')
			}
		}
		if !silent {
			b = append(b, "FLAGS "...)
			b = appendFlags(b, m.flagsFor(s.isRecentLocked(m)))
		}
		b = append(b, ")\r\n"...)
	}
	s.srv.mu.Unlock()
	s.w.Write(b)
	if len(modified) > 0 {
		return "OK [MODIFIED " + wire.SeqSetOf(modified...).String() + "] Conditional STORE failed for some messages."
	}
	return "OK Store completed."
}

func (s *session) search(cmd *command) string {
	sa := cmd.search
	s.srv.mu.Lock()
	sel := s.sel
	x := &searchCtx{maxSeq: uint32(len(sel.view)), maxUID: sel.lastUID, recent: s.isRecentLocked}
	var hits []uint32
	var modseqs []uint64 // the MODSEQ of each hit
	var highest uint64   // the highest MODSEQ of the matches, for a MODSEQ search
	for i, m := range sel.view {
		// A message another session expunged stays in the view, and
		// matches by its last known data, until this session is told
		// (RFC 3501 section 7.4.1: no EXPUNGE during SEARCH).
		x.seq = uint32(i + 1)
		if sa.key.match(m, x) {
			if cmd.uid {
				hits = append(hits, m.uid)
			} else {
				hits = append(hits, x.seq)
			}
			modseqs = append(modseqs, m.modseq)
			highest = max(highest, m.modseq)
		}
	}
	s.srv.mu.Unlock()
	withModSeq := sa.key.usesModSeq()
	if withModSeq {
		s.condstoreOn() // a CONDSTORE enabling command
	}
	var b []byte
	if !sa.esearch {
		b = append(b, "* SEARCH"...)
		for _, n := range hits {
			b = append(b, ' ')
			b = strconv.AppendUint(b, uint64(n), 10)
		}
		if withModSeq && len(hits) > 0 {
			b = append(b, " (MODSEQ "...)
			b = strconv.AppendUint(b, highest, 10)
			b = append(b, ')')
		}
	} else {
		b = append(b, "* ESEARCH (TAG "...)
		b = appendQuoted(b, cmd.tag)
		b = append(b, ')')
		if cmd.uid {
			b = append(b, " UID"...)
		}
		has := func(o string) bool {
			for _, r := range sa.ret {
				if r == o {
					return true
				}
			}
			return false
		}
		if len(hits) > 0 {
			if has("MIN") {
				b = append(b, " MIN "...)
				b = strconv.AppendUint(b, uint64(hits[0]), 10)
			}
			if has("MAX") {
				b = append(b, " MAX "...)
				b = strconv.AppendUint(b, uint64(hits[len(hits)-1]), 10)
			}
			if has("ALL") {
				b = append(b, " ALL "...)
				b = appendSeqSet(b, hits)
			}
		}
		if has("COUNT") {
			b = append(b, " COUNT "...)
			b = strconv.AppendInt(b, int64(len(hits)), 10)
		}
		if withModSeq && len(hits) > 0 {
			// RFC 4731 section 3.2: with MIN and/or MAX alone, the
			// highest MODSEQ of the message(s) returned; with ALL or
			// COUNT, that of every match.
			if !has("ALL") && !has("COUNT") {
				highest = 0
				if has("MIN") {
					highest = modseqs[0]
				}
				if has("MAX") {
					highest = max(highest, modseqs[len(modseqs)-1])
				}
			}
			b = append(b, " MODSEQ "...)
			b = strconv.AppendUint(b, highest, 10)
		}
	}
	b = append(b, "\r\n"...)
	s.w.Write(b)
	return "OK Search completed."
}

// copyMove runs COPY, MOVE (RFC 6851) and their UID forms, with COPYUID
// (RFC 4315).
func (s *session) copyMove(cmd *command) string {
	s.srv.mu.Lock()
	resp, untagged := s.copyMoveLocked(cmd)
	s.srv.mu.Unlock()
	s.w.WriteString(untagged)
	return resp
}

func (s *session) copyMoveLocked(cmd *command) (resp, untagged string) {
	move := cmd.name == "MOVE"
	sel := s.sel
	if move && sel.readOnly {
		return "NO [READ-ONLY] Mailbox is read-only (EXAMINE)", ""
	}
	targets, bad := s.targetsLocked(cmd.seq, cmd.uid)
	if bad != "" {
		return bad, ""
	}
	a := s.acct
	dst := a.mailboxes[cmd.mailbox2]
	if dst == nil {
		return "NO [TRYCREATE] Mailbox doesn't exist: " + quoteName(cmd.mailbox2), ""
	}
	var msgs []*message
	var size int64
	var kws []string
	for _, i := range targets {
		if m := sel.view[i]; !m.expunged {
			msgs = append(msgs, m)
			size += int64(len(m.content.raw))
			kws = append(kws, m.flags...)
		}
	}
	verb := "Copy"
	if move {
		verb = "Move"
	}
	if len(msgs) == 0 {
		return "OK No messages found; nothing to " + strings.ToLower(verb) + ".", ""
	}
	if !a.room(len(msgs), size) {
		return "NO [OVERQUOTA] The account is full", ""
	}
	if !dst.keywordRoom(kws) {
		return "NO [LIMIT] Too many keywords in the destination mailbox", ""
	}
	var srcUIDs, dstUIDs []uint32
	newKW := false
	for _, m := range msgs {
		if dst.noteKeywords(m.flags) {
			newKW = true
		}
		nm := a.addMessage(dst, m.content, m.flags, m.date)
		srcUIDs = append(srcUIDs, m.uid)
		dstUIDs = append(dstUIDs, nm.uid)
	}
	if newKW {
		for o := range dst.selected {
			o.sel.keywords = true
		}
	}
	s.wakeLocked(dst)
	code := "[COPYUID " + strconv.FormatUint(uint64(dst.uidValidity), 10) + " " +
		wire.SeqSetOf(srcUIDs...).String() + " " + wire.SeqSetOf(dstUIDs...).String() + "]"
	if !move {
		return "OK " + code + " Copy completed.", ""
	}
	moved := map[*message]bool{}
	for _, m := range msgs {
		moved[m] = true
	}
	a.expunge(sel.mb, func(m *message) bool { return moved[m] })
	s.wakeLocked(sel.mb)
	return "OK Move completed.", "* OK " + code + " Moved UIDs.\r\n"
}
