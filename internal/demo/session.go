package demo

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/imapwire/imapwire/wire"
)

// A session is one client connection: its reader, its writer, its state
// (not authenticated, authenticated, selected) and the updates other
// sessions left for it. Only the session's own goroutine reads and writes
// the connection; other sessions change the shared state under Server.mu
// and wake the session through notify.
type session struct {
	srv    *Server
	conn   net.Conn
	id     uint64
	r      *wire.Reader
	cr     *cmdReader
	w      *bufio.Writer
	notify chan struct{}

	// Guarded by srv.mu.
	acct *account
	sel  *selection

	bad int // malformed commands in a row

	// Extensions the client enabled (RFC 7162): CONDSTORE by ENABLE or
	// by a CONDSTORE enabling command, QRESYNC by ENABLE. Only the
	// session's goroutine uses them.
	condstore, qresync bool
}

// A selection is the session's view of its selected mailbox: the messages
// in the order of its sequence numbers. Messages expunged by another
// session stay in the view (marked expunged) until the session has told
// its client, as RFC 3501 section 7.4.1 requires.
type selection struct {
	mb       *mailbox
	readOnly bool
	view     []*message
	lastUID  uint32            // the largest UID the client has been told of
	changed  map[*message]bool // flags changed by other sessions
	keywords bool              // the mailbox's keywords changed: resend FLAGS
	// peek holds the messages a read-only session (EXAMINE) sees as
	// \Recent without taking the flag: those no session had when they
	// entered its view (RFC 3501 sections 2.3.2 and 6.3.2).
	peek map[*message]bool
}

// isRecentLocked reports whether m is \Recent for the session: it took the
// flag, or it sees the message read-only and no session had it then.
func (s *session) isRecentLocked(m *message) bool {
	return m.recentID != 0 && m.recentID == s.id || s.sel != nil && s.sel.peek[m]
}

// Capabilities before and after login; in ModeOther one list for both,
// without LITERAL+.
const (
	capsPreAuth  = "IMAP4rev1 LITERAL+ SASL-IR ID IDLE AUTH=PLAIN"
	capsPostAuth = "IMAP4rev1 LITERAL+ SASL-IR ID IDLE NAMESPACE UNSELECT UIDPLUS MOVE CHILDREN SPECIAL-USE XLIST LIST-EXTENDED LIST-STATUS ESEARCH QUOTA ENABLE CONDSTORE QRESYNC"
	capsOther    = "IMAP4rev1 SASL-IR ID IDLE AUTH=PLAIN NAMESPACE UNSELECT UIDPLUS MOVE CHILDREN SPECIAL-USE XLIST LIST-EXTENDED LIST-STATUS ESEARCH QUOTA ENABLE CONDSTORE QRESYNC"
)

// maxBadCommands is how many malformed commands in a row end a
// connection: a client that sends garbage is not an IMAP client.
const maxBadCommands = 20

// writeTimeout bounds each write: a client that stops reading is cut off.
const writeTimeout = 2 * time.Minute

type deadlineWriter struct{ c net.Conn }

func (d deadlineWriter) Write(p []byte) (int, error) {
	d.c.SetWriteDeadline(time.Now().Add(writeTimeout))
	return d.c.Write(p)
}

func newSession(srv *Server, conn net.Conn, id uint64) *session {
	s := &session{srv: srv, conn: conn, id: id, notify: make(chan struct{}, 1)}
	s.r = wire.NewReader(conn)
	s.r.SetLimits(readerLimits)
	s.w = bufio.NewWriterSize(deadlineWriter{conn}, 64<<10)
	s.cr = &cmdReader{
		r: s.r,
		cont: func() error {
			s.w.WriteString("+ Ready for literal data\r\n")
			return s.w.Flush()
		},
		reset:         func() { s.r.Reset(conn) },
		delim:         srv.delim,
		noLiteralPlus: srv.mode == ModeOther,
	}
	return s
}

// other reports ModeOther.
func (s *session) other() bool { return s.srv.mode == ModeOther }

func (s *session) caps() string {
	if s.other() {
		return capsOther
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	if s.acct == nil {
		return capsPreAuth
	}
	return capsPostAuth
}

// tagged returns the text of a tagged response as the mode sends it: in
// ModeOther a NO carries no response code (RFC 5530 codes are optional),
// except TRYCREATE, which RFC 3501 sections 6.3.11 and 6.4.7 require.
func (s *session) tagged(resp string) string {
	if !s.other() || !strings.HasPrefix(resp, "NO [") || strings.HasPrefix(resp, "NO [TRYCREATE]") {
		return resp
	}
	if i := strings.Index(resp, "] "); i > 0 {
		return "NO " + resp[i+2:]
	}
	return resp
}

// serve runs the session until the client logs out, the connection fails
// or stays idle too long, or the server closes.
func (s *session) serve() {
	defer s.cleanup()
	s.w.WriteString("* OK [CAPABILITY " + s.caps() + "] imapwire teaching server ready (in memory, for teaching and testing)\r\n")
	if s.w.Flush() != nil {
		return
	}
	for {
		s.conn.SetReadDeadline(time.Now().Add(s.srv.idleTimeout))
		// Empty lines are ignored (a person typing into nc).
		if ch, err := s.r.Peek(); err != nil {
			s.ioFailed(err)
			return
		} else if ch == '\r' || ch == '\n' {
			if err := s.r.ExpectCRLF("command"); err != nil {
				if isIOError(err) {
					return
				}
				if err := skipLine(s.r); err != nil {
					return
				}
			}
			continue
		}
		cmd, err := parseCommand(s.cr)
		if err != nil {
			if isIOError(err) {
				s.ioFailed(err)
				return
			}
			if !s.malformed(cmd, err) {
				return
			}
			continue
		}
		s.bad = 0
		if !s.run(cmd) {
			return
		}
	}
}

// ioFailed says goodbye to a client that was idle too long.
func (s *session) ioFailed(err error) {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		s.w.WriteString("* BYE Autologout; idle for too long\r\n")
		s.w.Flush()
	}
}

func (s *session) cleanup() {
	s.srv.mu.Lock()
	s.deselectLocked()
	s.srv.mu.Unlock()
	s.conn.Close()
}

// malformed answers a command that did not parse, and reports whether the
// session goes on.
func (s *session) malformed(cmd *command, err error) bool {
	var pe *parseError
	errors.As(err, &pe)
	if pe == nil || !pe.lineDone {
		if err := skipLine(s.r); err != nil {
			return false
		}
	}
	tag := cmd.tag
	if tag == "" {
		tag = "*"
	}
	var line string
	switch {
	case pe != nil && pe.code != "":
		line = tag + " NO [" + pe.code + "] " + errorText(err)
	case cmd.name != "":
		line = tag + " BAD Error in IMAP command " + cmd.name + ": " + errorText(err)
	default:
		line = tag + " BAD Error in IMAP command: " + errorText(err)
	}
	if tag != "*" {
		line = tag + " " + s.tagged(line[len(tag)+1:])
	}
	s.w.WriteString(line + "\r\n")
	s.bad++
	if s.bad >= maxBadCommands {
		s.w.WriteString("* BYE Too many invalid IMAP commands.\r\n")
		s.w.Flush()
		return false
	}
	return s.w.Flush() == nil
}

// Command states (RFC 3501 section 3).
const (
	stateAny = iota
	stateNotAuth
	stateAuth
	stateSelected
)

var commandState = map[string]int{
	"CAPABILITY": stateAny, "NOOP": stateAny, "LOGOUT": stateAny, "ID": stateAny,
	"LOGIN": stateNotAuth, "AUTHENTICATE": stateNotAuth, "STARTTLS": stateNotAuth,
	"SELECT": stateAuth, "EXAMINE": stateAuth, "CREATE": stateAuth, "DELETE": stateAuth,
	"RENAME": stateAuth, "SUBSCRIBE": stateAuth, "UNSUBSCRIBE": stateAuth, "LIST": stateAuth,
	"LSUB": stateAuth, "XLIST": stateAuth, "STATUS": stateAuth, "APPEND": stateAuth,
	"NAMESPACE": stateAuth, "ENABLE": stateAuth, "IDLE": stateAuth,
	"GETQUOTAROOT": stateAuth, "GETQUOTA": stateAuth,
	"CHECK": stateSelected, "CLOSE": stateSelected, "UNSELECT": stateSelected,
	"EXPUNGE": stateSelected, "SEARCH": stateSelected, "FETCH": stateSelected,
	"STORE": stateSelected, "COPY": stateSelected, "MOVE": stateSelected,
}

// run runs a parsed command and sends its responses; it reports whether
// the session goes on.
func (s *session) run(cmd *command) bool {
	s.srv.mu.Lock()
	authed, selected := s.acct != nil, s.sel != nil
	s.srv.mu.Unlock()
	var resp string
	switch commandState[cmd.name] {
	case stateNotAuth:
		if authed {
			resp = "BAD Already logged in"
		}
	case stateAuth:
		if !authed {
			resp = "BAD Log in first"
		}
	case stateSelected:
		if !authed {
			resp = "BAD Log in first"
		} else if !selected {
			resp = "BAD No mailbox selected"
		}
	}
	if resp == "" && cmd.badName != "" {
		// A mailbox name that is not modified UTF-7 (Dovecot checks it
		// after the command's state).
		resp = "NO " + cmd.badName
	}
	if resp == "" {
		switch cmd.name {
		case "LOGOUT":
			s.w.WriteString("* BYE Logging out\r\n" + cmd.tag + " OK Logout completed.\r\n")
			s.w.Flush()
			return false
		case "CAPABILITY":
			s.w.WriteString("* CAPABILITY " + s.caps() + "\r\n")
			resp = "OK Capability completed."
		case "NOOP":
			resp = "OK NOOP completed."
		case "CHECK":
			resp = "OK Check completed."
		case "ID":
			s.w.WriteString(`* ID ("name" "imapwire" "vendor" "imapwire" "support-url" "https://github.com/imapwire/imapwire")` + "\r\n")
			resp = "OK ID completed."
		case "NAMESPACE":
			if s.other() {
				s.w.WriteString(`* NAMESPACE (("INBOX." ".")) NIL NIL` + "\r\n")
			} else {
				s.w.WriteString(`* NAMESPACE (("" "/")) NIL NIL` + "\r\n")
			}
			resp = "OK Namespace completed."
		case "ENABLE":
			resp = s.enable(cmd.atoms)
		case "GETQUOTAROOT", "GETQUOTA":
			resp = s.quota(cmd)
		case "STARTTLS":
			resp = "NO STARTTLS is not offered by this teaching server (loopback only)"
		case "LOGIN":
			resp = s.login(cmd.user, cmd.pass)
		case "AUTHENTICATE":
			var ok bool
			if resp, ok = s.authenticate(cmd); !ok {
				return false
			}
		case "SELECT", "EXAMINE":
			resp = s.selectMailbox(cmd)
		case "CREATE":
			resp = s.create(cmd.mailbox)
		case "DELETE":
			resp = s.delete(cmd.mailbox)
		case "RENAME":
			resp = s.rename(cmd.mailbox, cmd.mailbox2)
		case "SUBSCRIBE", "UNSUBSCRIBE":
			resp = s.subscribe(cmd.mailbox, cmd.name == "SUBSCRIBE")
		case "LIST", "LSUB", "XLIST":
			resp = s.list(cmd)
		case "STATUS":
			resp = s.status(cmd.mailbox, cmd.atoms)
		case "APPEND":
			resp = s.appendMessage(cmd.mailbox, cmd.appendA)
		case "IDLE":
			var ok bool
			if resp, ok = s.idle(); !ok {
				return false
			}
		case "CLOSE", "UNSELECT":
			resp = s.closeMailbox(cmd.name == "CLOSE")
		case "EXPUNGE":
			resp = s.expunge(cmd)
		case "FETCH":
			resp = s.fetch(cmd)
		case "STORE":
			resp = s.store(cmd)
		case "SEARCH":
			resp = s.search(cmd)
		case "COPY", "MOVE":
			resp = s.copyMove(cmd)
		default:
			resp = "BAD Unknown command"
		}
	}
	// Updates for the selected mailbox; no EXPUNGE while answering a
	// FETCH, STORE or SEARCH by sequence number (RFC 3501 section 7.4.1).
	expunges := cmd.uid || (cmd.name != "FETCH" && cmd.name != "STORE" && cmd.name != "SEARCH")
	s.srv.mu.Lock()
	upd := s.syncLocked(nil, expunges)
	s.srv.mu.Unlock()
	s.w.Write(upd)
	s.w.WriteString(cmd.tag + " " + s.tagged(resp) + "\r\n")
	return s.w.Flush() == nil
}

// syncLocked appends the untagged responses that bring the client's view
// of the selected mailbox up to date: EXPUNGE (when allowed), FLAGS, FETCH
// FLAGS of messages other sessions changed, EXISTS and RECENT. srv.mu held.
func (s *session) syncLocked(b []byte, expunges bool) []byte {
	sel := s.sel
	if sel == nil {
		return b
	}
	expunged := false // an EXPUNGE was sent
	if expunges {
		var vanished []uint32
		for i := 0; i < len(sel.view); {
			if m := sel.view[i]; m.expunged {
				if s.qresync {
					vanished = append(vanished, m.uid)
				} else {
					expunged = true
					b = append(b, "* "...)
					b = strconv.AppendInt(b, int64(i+1), 10)
					b = append(b, " EXPUNGE\r\n"...)
				}
				sel.view = slices.Delete(sel.view, i, i+1)
				delete(sel.changed, m)
				continue
			}
			i++
		}
		if len(vanished) > 0 {
			// QRESYNC: VANISHED instead of EXPUNGE (RFC 7162 3.2.10).
			b = append(b, "* VANISHED "...)
			b = appendSeqSet(b, vanished)
			b = append(b, "\r\n"...)
		}
	}
	if sel.keywords {
		sel.keywords = false
		b = s.appendFlagsLocked(b)
	}
	if len(sel.changed) > 0 {
		for i, m := range sel.view {
			if !sel.changed[m] {
				continue
			}
			delete(sel.changed, m)
			if m.expunged {
				continue
			}
			b = append(b, "* "...)
			b = strconv.AppendInt(b, int64(i+1), 10)
			b = append(b, " FETCH ("...)
			if s.condstore {
				// RFC 7162 3.1.4: UID and MODSEQ with every flag change.
				b = append(b, "UID "...)
				b = strconv.AppendUint(b, uint64(m.uid), 10)
				b = append(b, " MODSEQ ("...)
				b = strconv.AppendUint(b, m.modseq, 10)
				b = append(b, ") "...)
			}
			b = append(b, "FLAGS "...)
			b = appendFlags(b, m.flagsFor(s.isRecentLocked(m)))
			b = append(b, ")\r\n"...)
		}
		clear(sel.changed)
	}
	mb := sel.mb
	i, _ := mb.searchUID(sel.lastUID + 1)
	if sel.lastUID == 0 {
		i = 0
	}
	if i < len(mb.msgs) && mb.msgs[i].uid > sel.lastUID {
		for _, m := range mb.msgs[i:] {
			if m.recentID == 0 {
				if sel.readOnly {
					sel.peek[m] = true
				} else {
					m.recentID = s.id
				}
			}
			sel.view = append(sel.view, m)
			sel.lastUID = m.uid
		}
		b = s.appendExistsLocked(b)
	} else if expunged && s.other() {
		// ModeOther: the new count after the EXPUNGEs, as that server
		// sends it (* 2 EXPUNGE, * 3 EXPUNGE, * 3 EXISTS, * 0 RECENT;
		// imapwire issue 14).
		b = s.appendExistsLocked(b)
	}
	return b
}

// appendExistsLocked appends EXISTS and RECENT of the view.
func (s *session) appendExistsLocked(b []byte) []byte {
	b = append(b, "* "...)
	b = strconv.AppendInt(b, int64(len(s.sel.view)), 10)
	b = append(b, " EXISTS\r\n* "...)
	b = strconv.AppendInt(b, int64(s.recentLocked()), 10)
	return append(b, " RECENT\r\n"...)
}

// recentLocked counts the messages of the view that are \Recent for the
// session.
func (s *session) recentLocked() int {
	n := 0
	for _, m := range s.sel.view {
		if s.isRecentLocked(m) {
			n++
		}
	}
	return n
}

// appendFlagsLocked appends FLAGS and PERMANENTFLAGS of the selected
// mailbox.
func (s *session) appendFlagsLocked(b []byte) []byte {
	flags := s.sel.mb.flagList()
	b = append(b, "* FLAGS "...)
	b = appendFlags(b, flags)
	b = append(b, "\r\n* OK [PERMANENTFLAGS "...)
	if s.sel.readOnly {
		b = append(b, "()] Read-only mailbox.\r\n"...)
	} else {
		b = appendFlags(b, append(flags, `\*`))
		b = append(b, "] Flags permitted.\r\n"...)
	}
	return b
}

// wakeLocked tells the other sessions that have mb selected that it
// changed.
func (s *session) wakeLocked(mb *mailbox) {
	for o := range mb.selected {
		if o != s {
			select {
			case o.notify <- struct{}{}:
			default:
			}
		}
	}
}

// flagsChangedLocked records that m's flags changed for the other sessions
// that have mb selected.
func (s *session) flagsChangedLocked(mb *mailbox, m *message, newKeywords bool) {
	for o := range mb.selected {
		if o == s || o.sel == nil {
			continue
		}
		o.sel.changed[m] = true
		if newKeywords {
			o.sel.keywords = true
		}
	}
	s.wakeLocked(mb)
}

func (s *session) deselectLocked() {
	if s.sel != nil {
		// \Recent lasts as long as the session that has it keeps the
		// mailbox selected.
		for _, m := range s.sel.view {
			if m.recentID == s.id {
				m.recentID = noRecent
			}
		}
		delete(s.sel.mb.selected, s)
		s.sel = nil
	}
}

// noRecent marks a message whose \Recent is gone with the session that
// had it.
const noRecent = ^uint64(0)

// enable runs ENABLE (RFC 5161) for CONDSTORE and QRESYNC (RFC 7162).
func (s *session) enable(caps []string) string {
	var on []string
	for _, c := range caps {
		switch c {
		case "CONDSTORE":
			if !s.condstore && !slices.Contains(on, c) {
				on = append(on, c)
			}
		case "QRESYNC":
			if !s.qresync && !slices.Contains(on, c) {
				on = append(on, c)
			}
			s.qresync = true
		}
	}
	s.w.WriteString("* ENABLED")
	for _, c := range on {
		s.w.WriteString(" " + c)
	}
	s.w.WriteString("\r\n")
	if len(on) > 0 {
		s.condstoreOn()
	}
	return "OK Enabled."
}

// condstoreOn turns CONDSTORE on for the session (RFC 7162 section 3.1:
// ENABLE or a CONDSTORE enabling command). The first time, with a
// mailbox selected, it announces the mailbox's HIGHESTMODSEQ, as Dovecot
// does, since the SELECT did not. The caller does not hold srv.mu.
func (s *session) condstoreOn() {
	if s.condstore {
		return
	}
	s.condstore = true
	if s.sel == nil {
		return
	}
	s.srv.mu.Lock()
	n := s.sel.mb.modseq
	s.srv.mu.Unlock()
	s.w.WriteString("* OK [HIGHESTMODSEQ " + strconv.FormatUint(n, 10) + "] Highest\r\n")
}

// quotaRoot is the one quota root: the account's storage and messages
// (RFC 2087), with the account's limits.
const quotaRoot = "User quota"

// quota runs GETQUOTAROOT and GETQUOTA.
func (s *session) quota(cmd *command) string {
	if s.other() {
		return s.quotaOther(cmd)
	}
	s.srv.mu.Lock()
	a := s.acct
	var b []byte
	if cmd.name == "GETQUOTAROOT" {
		if a.mailboxes[cmd.mailbox] == nil {
			s.srv.mu.Unlock()
			return "NO [NONEXISTENT] Mailbox doesn't exist: " + quoteName(cmd.mailbox)
		}
		b = append(b, "* QUOTAROOT "...)
		b = appendMailbox(b, cmd.mailbox)
		b = append(b, ' ')
		b = appendQuoted(b, quotaRoot)
		b = append(b, "\r\n"...)
	} else if cmd.user != quotaRoot {
		s.srv.mu.Unlock()
		return "NO [NONEXISTENT] No such quota root (there is one: \"" + quotaRoot + "\")"
	}
	b = append(b, "* QUOTA "...)
	b = appendQuoted(b, quotaRoot)
	b = append(b, " (STORAGE "...)
	b = strconv.AppendInt(b, (a.storage+1023)/1024, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, maxStorage/1024, 10)
	b = append(b, " MESSAGE "...)
	b = strconv.AppendInt(b, int64(a.messages), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, maxMessages, 10)
	b = append(b, ")\r\n"...)
	s.srv.mu.Unlock()
	s.w.Write(b)
	if cmd.name == "GETQUOTAROOT" {
		return "OK Getquotaroot completed."
	}
	return "OK Getquota completed."
}

// quotaOther runs GETQUOTAROOT and GETQUOTA in ModeOther, as a Maildir
// server answers them for an account without a quota: GETQUOTA is
// refused, and GETQUOTAROOT names the root "ROOT" and sends its QUOTA
// without the resource list RFC 2087 requires (imapwire issue 14: the
// client must survive it).
func (s *session) quotaOther(cmd *command) string {
	if cmd.name == "GETQUOTA" {
		return "NO Permission denied"
	}
	s.srv.mu.Lock()
	exists := s.acct.mailboxes[cmd.mailbox] != nil
	s.srv.mu.Unlock()
	if !exists {
		return "NO [NONEXISTENT] Mailbox doesn't exist: " + quoteName(cmd.mailbox)
	}
	b := append([]byte("* QUOTAROOT "), appendMailbox(nil, cmd.mailbox)...)
	b = append(b, " \"ROOT\"\r\n* QUOTA \"ROOT\"\r\n"...)
	s.w.Write(b)
	return "OK GETQUOTAROOT Ok."
}

// login checks a user name and password.
func (s *session) login(user, pass string) string {
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	a := s.srv.accounts[user]
	if a == nil || a.password != pass {
		if s.other() {
			return "NO Login failed."
		}
		return "NO [AUTHENTICATIONFAILED] Authentication failed."
	}
	s.acct = a
	if s.other() {
		// The capabilities do not change with login: no code.
		return "OK LOGIN Ok."
	}
	return "OK [CAPABILITY " + capsPostAuth + "] Logged in"
}

// authenticate runs AUTHENTICATE PLAIN (RFC 4616), with SASL-IR (RFC
// 4959) or a continuation. It reports false when the connection failed.
func (s *session) authenticate(cmd *command) (string, bool) {
	if cmd.atoms[0] != "PLAIN" {
		return "NO [CANNOT] Unsupported authentication mechanism (PLAIN only)", true
	}
	var resp string
	if len(cmd.atoms) > 1 {
		resp = cmd.atoms[1]
		if resp == "=" {
			resp = ""
		}
	} else {
		s.w.WriteString("+ \r\n")
		if s.w.Flush() != nil {
			return "", false
		}
		s.conn.SetReadDeadline(time.Now().Add(s.srv.idleTimeout))
		start := s.r.InputOffset()
		line, err := s.r.ReadText("authenticate")
		if err == nil && len(line) > maxAuthLine {
			err = badf("response too long")
		}
		if err == nil {
			resp = string(line)
			err = s.r.ExpectCRLF("authenticate")
		}
		if err != nil {
			if isIOError(err) {
				return "", false
			}
			if skipLine(s.r) != nil {
				return "", false
			}
			return "BAD Malformed AUTHENTICATE response: " + errorText(relativeOffset(err, start)), true
		}
		if resp == "*" {
			return "BAD Authentication canceled", true
		}
	}
	dec, err := base64.StdEncoding.DecodeString(resp)
	if err != nil {
		return "BAD Invalid base64 in the AUTHENTICATE response", true
	}
	parts := bytes.Split(dec, []byte{0})
	if len(parts) != 3 {
		return "BAD Invalid PLAIN response (want authzid NUL authcid NUL password)", true
	}
	if len(parts[0]) > 0 && !bytes.Equal(parts[0], parts[1]) {
		return "NO [AUTHORIZATIONFAILED] Authorization identity must be the user's own", true
	}
	return s.login(string(parts[1]), string(parts[2])), true
}

// idle runs IDLE (RFC 2177): updates are sent as they happen, until the
// client sends DONE.
func (s *session) idle() (string, bool) {
	s.w.WriteString("+ idling\r\n")
	if s.w.Flush() != nil {
		return "", false
	}
	type result struct {
		line []byte
		err  error
	}
	done := make(chan result, 1)
	s.conn.SetReadDeadline(time.Now().Add(s.srv.idleTimeout))
	go func() {
		line, err := s.r.ReadText("idle-done")
		if err == nil {
			line = bytes.Clone(line)
			err = s.r.ExpectCRLF("idle-done")
		}
		done <- result{line, err}
	}()
	for {
		s.srv.mu.Lock()
		upd := s.syncLocked(nil, true)
		s.srv.mu.Unlock()
		if len(upd) > 0 {
			s.w.Write(upd)
			if s.w.Flush() != nil {
				s.conn.Close()
				<-done // the reader ends with the connection
				return "", false
			}
		}
		select {
		case <-s.notify:
		case res := <-done:
			if res.err != nil {
				if isIOError(res.err) {
					s.ioFailed(res.err)
					return "", false
				}
				if skipLine(s.r) != nil {
					return "", false
				}
				return "BAD Expected DONE", true
			}
			if !strings.EqualFold(string(res.line), "DONE") {
				return "BAD Expected DONE", true
			}
			return "OK Idle completed.", true
		}
	}
}
