// Package demo is imapwire's built-in IMAP4rev1 server: a teaching and
// testing server that keeps everything in memory. It serves one account,
// user demo with password demo, seeded from the fixture in testdata/demo
// (folders like a tutorial's, with special-use and non-ASCII ones, and
// about fifty messages: plain, multipart/alternative, mixed with
// attachments, a forwarded message/rfc822, encoded words in UTF-8, GBK,
// ISO-2022-JP, Big5 and Latin-1). Every Server starts from the fixture and
// forgets every change when it stops. It is what `imapwire -demo` talks to
// and a fast, hermetic peer for tests; it is not a mail server.
//
// Start one with Listen (a listener of its own) or New and Serve or
// ServeConn (any net.Conn, such as one end of net.Pipe):
//
//	srv, err := demo.Listen("127.0.0.1:0", nil)
//	...
//	defer srv.Close()
//	c, err := client.Dial(ctx, srv.Addr().String(), &client.Options{AllowPlaintext: true})
//
// Commands are read with the project's own tokenizer (wire.Reader) by a
// parser that asks for each synchronizing literal's data with a
// continuation request, and answers a malformed command with BAD and the
// tokenizer's error text, then resynchronizes on the next line (a
// synchronizing literal at the end of a bad line is refused, not read).
// Everything the server sends parses in parser's strict mode (but the
// one deliberate deviation of ModeOther, below); the tests and
// FuzzDemoServer check it.
//
// The offset in a BAD text counts from the first byte of the command's tag
// (a literal's bytes included), so it points into the line as typed:
//
//	x FETCH 1 (FLAGS
//	x BAD Error in IMAP command FETCH: imap: syntax error at offset 16 in fetch-att: expected SP, found "\r\n"
//
// As with Dovecot 2.3, a raw 8-bit byte outside a quoted string or a
// literal is BAD ("8bit data in atom"): UTF-8 goes quoted or as a literal
// (SEARCH SUBJECT "台北"). Mailbox names are modified UTF-7
// (Travel/&U,BTFw-); one that is not, 8-bit bytes in a quoted string or
// a literal included, is answered NO "Mailbox name is not valid mUTF-7",
// with the form to send when it is UTF-8. LIST patterns that are not
// modified UTF-7 are matched as UTF-8, as Dovecot does.
//
// # What it implements
//
// RFC 3501 in full except STARTTLS and AUTH mechanisms other than PLAIN:
// CAPABILITY, NOOP, LOGOUT, LOGIN, AUTHENTICATE PLAIN (with SASL-IR, RFC
// 4959), SELECT, EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE,
// LIST, LSUB, STATUS, APPEND, CHECK, CLOSE, EXPUNGE, SEARCH, FETCH (every
// item, BODY[section]<partial> included), STORE, COPY and UID; and
// LITERAL+ (RFC 7888), IDLE (2177), UIDPLUS (4315: APPENDUID, COPYUID, UID
// EXPUNGE), MOVE (6851), ID (2971), NAMESPACE (2342), UNSELECT (3691),
// CHILDREN (3348), SPECIAL-USE (6154), Gmail's XLIST, LIST-EXTENDED (5258),
// LIST-STATUS (5819), ESEARCH (4731), QUOTA (2087: one root, "User
// quota", with the account's STORAGE and MESSAGE limits; SETQUOTA is
// refused), ENABLE (5161), and CONDSTORE and QRESYNC (7162: MODSEQ,
// HIGHESTMODSEQ, CHANGEDSINCE, UNCHANGEDSINCE with [MODIFIED], SEARCH
// MODSEQ, VANISHED, SELECT (QRESYNC ...), [CLOSED]; the first CONDSTORE
// enabling command with a mailbox selected announces OK [HIGHESTMODSEQ
// n], and an ESEARCH with MIN or MAX alone gives the MODSEQ of the
// messages it returns).
//
// ENVELOPE follows RFC 3501 section 7.4.2 as Dovecot reads addresses:
// Sender and Reply-To are From's when absent or empty, a source route
// (<@a,@b:user@host>) stays in the route field, a group is a start
// (NIL NIL name NIL), its members and an end (NIL NIL NIL NIL), and an
// address without a phrase takes its comment as its name ("user@host
// (Name)"). SEARCH FROM, TO, CC and BCC match the field's text and each
// address as that parse reads it, as `Name <mailbox@host>` with the name
// decoded.
//
// State is shared by all connections under one mutex: another session's
// changes reach a session as EXISTS, RECENT, EXPUNGE and FETCH FLAGS
// responses at the end of its next command (no EXPUNGE during FETCH,
// STORE or SEARCH by sequence number), or at once during IDLE. Until a
// session is told of an EXPUNGE, the message keeps its sequence number:
// FETCH answers its last data and SEARCH matches it. A keyword new to a
// session is announced with FLAGS before any FETCH shows it. UIDs are
// strictly ascending, each mailbox has its own UIDVALIDITY (the time the
// server started, counting up), and \Recent goes to the first session that
// selects a mailbox after a message arrived, and to that session only:
// STATUS RECENT from another counts only the messages no session has. An
// EXAMINE does not take it: it sees the messages no session has as
// recent, alike in its RECENT, FETCH FLAGS and SEARCH RECENT (RFC 3501
// section 6.3.2). TestStress checks these views with many sessions at
// once (`make stress` runs it long).
//
// Limits keep a bad client or a fuzzer from exhausting memory: 32 MiB per
// message, 64 KiB for any other literal, 1000 mailboxes, 100,000 messages
// and 1 GiB per account, 100 keywords per mailbox, 1000 search keys and 50
// levels of nesting, 20 malformed commands in a row before BYE, and an
// autologout after 30 minutes of silence (IDLE included). Each connection
// is served by one goroutine (two during IDLE) that ends with the
// connection; Close ends them all.
//
// # Running the interop suite against it
//
// `imapwire -demo-serve ADDR` serves the demo server alone and prints its
// address; -demo-password replaces the sample password (the suite checks
// that its traces never show the password, which fails when it equals the
// user name):
//
//	go build -o /tmp/imapwire ./cmd/imapwire
//	coproc DEMO { exec /tmp/imapwire -demo-serve 127.0.0.1:0 -demo-password interop-pass; }
//	read -r addr <&"${DEMO[0]}"
//	IMAPWIRE_TEST_SECURITY=plain IMAPWIRE_TEST_ADDR=$addr IMAPWIRE_TEST_USER=demo \
//	    IMAPWIRE_TEST_PASS=interop-pass go test -race -count=1 -run 'Interop|Example' ./client/...
//	kill $DEMO_PID
//
// # The other-server mode
//
// Options.Mode = ModeOther (`imapwire -demo-serve ADDR -demo-mode other`)
// makes the server behave like another widely deployed server, a Maildir
// server with an INBOX. namespace, wherever it differs from Dovecot, so
// that the interop suite proves it asserts the protocol and not Dovecot's
// habits (imapwire issues 11 and 14). The sample account is the same,
// under INBOX. (INBOX.Travel.&U,BTFw-, INBOX.[Gmail].Sent Mail). What
// changes:
//
//   - Namespace: NAMESPACE is (("INBOX." ".")) NIL NIL, the hierarchy
//     delimiter is ".", and CREATE or RENAME to a name outside INBOX. is
//     answered "NO Invalid mailbox name.".
//
//   - Response codes: a tagged NO carries none (RFC 5530 codes are
//     optional), LOGIN's failure included ("NO Login failed."), except
//     TRYCREATE, which RFC 3501 requires of APPEND and COPY.
//
//   - Capabilities: one list before and after login, and LOGIN's OK has
//     no CAPABILITY code. No LITERAL+: a non-synchronizing literal {n+}
//     is BAD (its data is skipped).
//
//   - SELECT and EXAMINE send no UIDNEXT (RFC 3501 section 6.3.1 lets a
//     server leave it out; STATUS has it).
//
//   - STORE ... FLAGS.SILENT is answered with FETCH (FLAGS ...), and UID
//     and MODSEQ as without .SILENT.
//
//   - APPEND rewrites each 8-bit byte of the message's header to "X"
//     (the size and the body stay as sent).
//
//   - EXPUNGE is followed by the new EXISTS and RECENT, as in imapwire
//     issue 14 ("* 2 EXPUNGE", "* 3 EXPUNGE", "* 3 EXISTS").
//
//   - GETQUOTA is answered "NO Permission denied", and GETQUOTAROOT
//     with the root "ROOT" and `* QUOTA "ROOT"` without the resource
//     list RFC 2087 requires: a malformed response the client must
//     survive (parser's strict mode refuses it; its lenient mode reads
//     an empty quota).
//
//   - APPEND to the mailbox the session has EXAMINEd is answered "NO
//     Current box is selected READ-ONLY." (a NO RFC 3501 allows, though
//     Dovecot appends).
//
// And two behaviours of that server that RFC 3501 does not allow, kept
// because a client meets them: RENAME of a mailbox that does not exist is
// answered OK (renaming nothing, or the mailboxes below it; section 6.3.5
// calls it an error), and STORE in an EXAMINEd mailbox changes the flags
// (section 6.3.2 permits no change).
//
// # Differences from Dovecot
//
// The client's interop suite (client/interop_test.go) passes against this
// server as against Dovecot 2.3; the FETCH answers for the tutorial's
// messages are Dovecot's byte for byte (TestDovecotFetch replays
// testdata/captures/dovecot-fetch.txt). What differs, knowingly:
//
//   - No TLS: no STARTTLS, no IMAPS, and LOGIN is allowed in the clear. The
//     server is meant for loopback. Only AUTH=PLAIN (Dovecot: PLAIN, LOGIN).
//   - Not implemented, so not advertised: SORT, THREAD, BINARY, MULTIAPPEND,
//     CATENATE, URLAUTH, NOTIFY, SEARCHRES, WITHIN, SNIPPET/PREVIEW,
//     SAVEDATE, STATUS=SIZE is answered (the SIZE item) but not
//     advertised. The interop suite skips only its TLS cases.
//   - QRESYNC keeps no log of expunges: VANISHED (EARLIER), after SELECT
//     (QRESYNC ...) or UID FETCH (CHANGEDSINCE n VANISHED), lists every
//     UID below the highest that is not in the mailbox, whenever it went
//     (RFC 7162 allows the extra UIDs); Dovecot lists those expunged
//     since n. Mod-sequences count per mailbox from 1 at server start;
//     each flag change, arrival and EXPUNGE takes a new one.
//   - INTERNALDATE keeps the zone given at APPEND ("+0200"); Dovecot
//     answers in its own time zone. The instant is the same.
//   - Response texts are the server's own ("Fetch completed." without
//     Dovecot's timings); codes are the same where both send one, and the
//     demo server adds [NONEXISTENT], [ALREADYEXISTS], [CANNOT] and
//     [READ-ONLY] where Dovecot sends plain text.
//   - MOVE from an EXAMINEd mailbox is refused (NO [READ-ONLY]); Dovecot
//     moves the message. STORE and EXPUNGE there are ignored with OK, as
//     with Dovecot.
//   - DELETE of a mailbox that has children deletes it, and the name stays
//     as a \Noselect \HasChildren parent (RFC 3501 section 6.3.4);
//     Dovecot (maildir) deletes it too but goes on listing it without
//     \Noselect. CREATE a/b does not create a: a is listed (\Noselect
//     \HasChildren) until a/b goes, as with Dovecot. RENAME of such an
//     implied parent is refused (NO [NONEXISTENT]).
//   - RENAME INBOX moves INBOX's messages to the new name and leaves INBOX
//     empty (RFC 3501); Dovecot refuses it.
//   - Quoted strings are read with wire.Reader's leniencies: a DQUOTE
//     not followed by SP, "(", ")", "]" or the line end is part of the
//     string, and an unknown escape such as \n is kept as its two bytes;
//     Dovecot ends the string at the first unescaped DQUOTE and drops the
//     backslash.
//   - SEARCH compares case-insensitively (Unicode lower case) the raw
//     header, its RFC 2047 decoding, and bodies decoded from quoted-
//     printable or base64 and their charset; CHARSET may name any charset
//     golang.org/x/text knows. Dovecot normalizes more (i18n folding,
//     fts), so a few exotic matches differ.
//   - Messages are stored with bare LFs turned into CRLF.
//   - HEADER.FIELDS names must be atoms: names with ( ) " \ % * { or ],
//     legal in RFC 5322 but unseen in mail, are BAD (Dovecot echoes them
//     quoted, which parser's strict mode does not always read).
//   - A mailbox deleted while another session has it selected looks, to
//     that session, as if every message had been expunged.
//   - No "* OK Still here" during a long IDLE.
package demo
