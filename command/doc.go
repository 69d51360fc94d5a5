// Package command is imapwire's tagged-command dispatcher: it sends
// commands on one IMAP connection and routes the server's responses to the
// commands that caused them.
//
// A Conn owns the connection. Send writes a command described by a Spec
// (its name, its arguments as Args that the wire.Writer encodes, and the
// rules that route its responses) and returns a Command; Command.Next
// streams what the command claimed, Command.Wait and Command.Collect wait
// for its tagged completion. FETCH responses reach their command as
// Messages, whose items stream with Message.Next.
//
// # Who reads, and when
//
// One reader goroutine per Conn reads every response. A tagged response
// completes the command with that tag; an untagged one goes to the first
// command in flight whose Spec.Claim (or Spec.ClaimFetch, for FETCH)
// takes it, and otherwise to the Unsolicited handler, through a bounded
// queue that never blocks the reader (Options.UnsolicitedQueue; an
// Overflow reports what was dropped). An ESEARCH that names a command's
// tag (its search correlator, RFC 4731 section 3.1) goes to that command
// only. Commands that could claim the same responses are never in flight
// together, and RFC 3501 section 5.5's rules on pipelining are kept by
// Send, so routing is unambiguous.
//
// A FETCH response is routed as soon as it is complete, or as soon as a
// body section literal arrives. A body nobody asked for is discarded
// unread; a small one (Options.ReadAheadBody, 64 KiB by default) is read
// ahead and the message queued whole, with at most 4 MiB of such bodies
// queued ahead of a slow consumer per command; a larger one streams: the
// reader hands the message to the command's consumer and waits until the
// consumer has read the body, moved on or closed the message. While a body
// streams, nothing else is read from the connection.
//
// # Memory and deadlines
//
// Nothing is allocated by a size the server declares: Message.Collect
// refuses a body over Limits.MaxLiteral (LiteralError) and grows its
// buffer with the bytes that arrive. Every call that waits takes a
// context.Context and returns when it ends: a command abandoned by its
// context has its late responses drained in the background; a context
// that ends in the middle of a literal being written (ErrInterruptedWrite)
// or of a streamed body being collected (ErrInterruptedRead) closes the
// connection, since the stream cannot be resynchronized.
//
// # Errors
//
// A command that completes with NO or BAD fails with a *StatusError, which
// matches its response Code (errors.Is(err, TRYCREATE)) and ErrNo or
// ErrBad. Everything that ends the connection (a syntax error from the
// parser, EOF, an I/O error, BYE, Close) fails every pending command with
// a *ConnError that wraps the cause.
//
// # Malformed responses
//
// A syntax error inside an untagged response is not fatal when the stream
// can be resynchronized: the response is skipped (parser.SkipMalformed)
// and delivered as a *parser.Malformed to the command whose Spec.Kinds
// name its kind, which then completes with a *MalformedError after its
// tagged OK, or else to the Unsolicited handler. A malformed tagged status
// or continuation request, a broken literal header and a line past the
// limits still end the connection. Options.Observe sees every response,
// malformed ones included, in the order the server sent them.
//
// # STARTTLS
//
// A Spec with Upgrade set stops the reader after its OK until Upgrade
// installs the new transport. Unsolicited responses received in the clear
// and not yet delivered are dropped then (Stale covers the one being
// delivered), so nothing an attacker injects before TLS is believed after
// it (RFC 3501 section 6.2.1, RFC 2595 section 3.1).
package command
