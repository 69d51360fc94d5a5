package demo

import (
	"slices"
	"strings"

	"github.com/imapwire/imapwire/wire"
)

// LIST, LSUB and XLIST (RFC 3501 sections 6.3.8 and 6.3.9), with
// LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819), SPECIAL-USE (RFC 6154)
// and CHILDREN (RFC 3348) attributes.

// matchPattern reports whether name matches a LIST pattern: "*" matches
// anything, "%" anything but the hierarchy delimiter. It runs in
// O(len(pattern)*len(name)), whatever the pattern.
func matchPattern(pattern, name string, delim byte) bool {
	// Collapse runs of wildcards: "%*" and "**" are "*".
	var p []byte
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if (c == '*' || c == '%') && len(p) > 0 && (p[len(p)-1] == '*' || p[len(p)-1] == '%') {
			if c == '*' {
				p[len(p)-1] = '*'
			}
			continue
		}
		p = append(p, c)
	}
	// cur[j]: p[:i] matches name[:j].
	cur := make([]bool, len(name)+1)
	next := make([]bool, len(name)+1)
	cur[0] = true
	for i := 0; i < len(p); i++ {
		c := p[i]
		clear(next)
		switch c {
		case '*', '%':
			for j := 0; j <= len(name); j++ {
				if cur[j] || (j > 0 && next[j-1] && (c == '*' || name[j-1] != delim)) {
					next[j] = true
				}
			}
		default:
			for j := 1; j <= len(name); j++ {
				next[j] = cur[j-1] && name[j-1] == c
			}
		}
		cur, next = next, cur
	}
	return cur[len(name)]
}

// listPattern turns a reference and a pattern from the wire into the
// pattern to match decoded names with.
func listPattern(ref, pattern string, delim byte) string {
	full := ref + pattern
	if len(pattern) > 0 && pattern[0] == delim && strings.HasSuffix(ref, string(delim)) {
		full = ref + pattern[1:]
	}
	if d, err := wire.DecodeUTF7(full); err == nil {
		full = d
	}
	if len(full) >= 5 && strings.EqualFold(full[:5], "INBOX") && (len(full) == 5 || full[5] == delim) {
		full = "INBOX" + full[5:]
	}
	return full
}

// xlistAttr maps SPECIAL-USE attributes to Gmail's XLIST ones.
var xlistAttr = map[string]string{
	`\Sent`: `\Sent`, `\Trash`: `\Trash`, `\Drafts`: `\Drafts`, `\Junk`: `\Spam`,
	`\All`: `\AllMail`, `\Flagged`: `\Starred`, `\Archive`: `\Archive`,
}

func (s *session) list(cmd *command) string {
	la := cmd.list
	verb := cmd.name
	done := map[string]string{"LIST": "OK List completed.", "LSUB": "OK Lsub completed.", "XLIST": "OK Xlist completed."}[verb]
	if !la.extended && len(la.patterns) == 1 && la.patterns[0] == "" && verb != "LSUB" {
		// The hierarchy delimiter and root (RFC 3501 section 6.3.8).
		s.w.WriteString("* " + verb + ` (\Noselect) "` + string(s.srv.delim) + `" ""` + "\r\n")
		return done
	}
	var patterns []string
	for _, p := range la.patterns {
		if p != "" {
			patterns = append(patterns, listPattern(cmd.mailbox, p, s.srv.delim))
		}
	}
	matches := func(name string) bool {
		for _, p := range patterns {
			if matchPattern(p, name, s.srv.delim) {
				return true
			}
		}
		return false
	}

	s.srv.mu.Lock()
	a := s.acct
	type entry struct {
		name      string
		attrs     []string
		childInfo bool
	}
	var entries []entry
	subscribedOnly := verb == "LSUB" || la.selSubscribed
	var candidates []string
	if subscribedOnly {
		seen := map[string]bool{}
		for n := range a.subscribed {
			seen[n] = true
			if verb == "LSUB" || la.selRecursive {
				// Parents of subscribed names: LSUB lists them with
				// \Noselect when "%" stops above the subscribed name;
				// RECURSIVEMATCH lists them with CHILDINFO.
				for i := len(n) - 1; i > 0; i-- {
					if n[i] == a.delim {
						seen[n[:i]] = true
					}
				}
			}
		}
		for n := range seen {
			candidates = append(candidates, n)
		}
		slices.SortFunc(candidates, compareNames)
	} else {
		candidates = a.names()
	}
	for _, name := range candidates {
		if !matches(name) {
			continue
		}
		mb := a.mailboxes[name]
		sub := a.subscribed[name]
		kids := a.hasChildren(name)
		// A subscribed name below this one, listed (it matches) or not.
		subKidsListed, subKidsUnlisted := false, false
		for n := range a.subscribed {
			if strings.HasPrefix(n, name+string(a.delim)) {
				if matches(n) {
					subKidsListed = true
				} else {
					subKidsUnlisted = true
				}
			}
		}
		// RFC 5258 section 3.5 and the examples of section 5: CHILDINFO
		// for a mailbox with a subscribed descendant that the patterns do
		// not list; a parent that is not subscribed is listed only then
		// (Baz2 of "*2" is not: Baz2/Bar2 is listed itself).
		childInfo := la.selSubscribed && la.selRecursive && subKidsUnlisted
		if verb == "LSUB" && !sub && subKidsListed {
			continue // a parent: the subscribed name itself is listed
		}
		if verb != "LSUB" && la.selSubscribed && !sub && !childInfo {
			continue
		}
		var attrs []string
		switch {
		case mb == nil && !kids:
			attrs = append(attrs, `\NonExistent`)
			if verb != "LIST" || !la.extended {
				attrs = []string{`\Noselect`}
			}
		case mb == nil:
			attrs = append(attrs, `\Noselect`)
		}
		if verb == "LSUB" {
			if mb == nil && !slices.Contains(attrs, `\Noselect`) {
				attrs = append(attrs, `\Noselect`)
			}
			if mb != nil && mb.specialUse != "" {
				attrs = append(attrs, mb.specialUse)
			}
			if !sub {
				attrs = []string{`\Noselect`}
			}
			entries = append(entries, entry{name: name, attrs: attrs})
			continue
		}
		if mb != nil || kids {
			if kids {
				attrs = append(attrs, `\HasChildren`)
			} else {
				attrs = append(attrs, `\HasNoChildren`)
			}
		}
		if sub && (la.retSubscribed || la.selSubscribed) {
			attrs = append(attrs, `\Subscribed`)
		}
		if mb != nil && mb.specialUse != "" {
			if verb == "XLIST" {
				attrs = append(attrs, xlistAttr[mb.specialUse])
			} else {
				attrs = append(attrs, mb.specialUse)
			}
		} else if la.selSpecialUse {
			continue
		}
		if verb == "XLIST" && name == "INBOX" {
			attrs = append(attrs, `\Inbox`)
		}
		entries = append(entries, entry{name: name, attrs: attrs, childInfo: childInfo})
	}
	var b []byte
	for _, e := range entries {
		b = append(b, "* "...)
		b = append(b, verb...)
		b = append(b, ' ')
		b = appendFlags(b, e.attrs)
		b = append(b, ` "`...)
		b = append(b, a.delim)
		b = append(b, `" `...)
		b = appendMailbox(b, e.name)
		if e.childInfo {
			b = append(b, ` (CHILDINFO ("SUBSCRIBED"))`...)
		}
		b = append(b, "\r\n"...)
		if len(la.retStatus) > 0 {
			if mb := a.mailboxes[e.name]; mb != nil {
				b = s.statusLocked(b, mb, la.retStatus)
			}
		}
	}
	s.srv.mu.Unlock()
	s.w.Write(b)
	return done
}

// compareNames orders mailbox names with INBOX first.
func compareNames(a, b string) int {
	ai, bi := a == "INBOX", b == "INBOX"
	switch {
	case ai && !bi:
		return -1
	case bi && !ai:
		return 1
	}
	return strings.Compare(a, b)
}
