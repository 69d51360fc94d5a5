// Package client is imapwire's high-level IMAP4rev1 client: the tasks of a
// mail program (log in, list folders, select a mailbox, fetch messages and
// their bodies, change flags, delete and expunge, search, create and
// delete folders, wait for new mail with IDLE) as typed calls.
//
// DialTLS connects over TLS; Dial connects in cleartext, to be upgraded
// with StartTLS (DialStartTLS does both). Every call that waits takes a
// context.Context and returns by its end. A Client is safe for concurrent
// use: commands from several goroutines are pipelined where RFC 3501
// section 5.5 allows it.
//
// Results are typed values of package parser (parser.Message,
// parser.Status, ...); Fetch and UIDFetch stream their messages, bodies as
// io.Readers, and Collect buffers them. The selected mailbox's state
// (Selected) follows the server's updates, which also reach
// Options.Updates.
//
// Failures are typed: a NO or BAD is a *command.StatusError (matching its
// response code with errors.Is, such as command.AUTHENTICATIONFAILED), the
// end of the connection a *command.ConnError. The client defends itself
// against broken and hostile servers: no panic, no call that outlives its
// context, no memory allocated by a size the server declares (see the
// README's "What a server cannot do to the client").
//
// The Examples are the programs of the tutorial this project grew from
// (Python's imaplib and IMAPClient), run against the built-in demo server.
package client
