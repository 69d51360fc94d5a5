// Package parser turns the IMAP4rev1 server-to-client stream into typed Go
// values (RFC 3501 section 7, and the extension responses modern servers
// send).
//
// A Reader reads one response at a time. Next returns each response as soon
// as its first bytes are understood; a FETCH response comes back as a *Fetch
// whose items are read one by one with Fetch.Next, so that a body section
// arriving as a large literal is handed over as an io.Reader instead of being
// buffered. ReadResponse is the convenience that reads whole responses,
// collecting FETCH items into a *Message.
//
// The response types are StatusResponse (tagged and untagged OK, NO, BAD,
// PREAUTH, BYE, with a Code), Continuation, and one type per kind of
// untagged data: Capability, List, Status, Search, ESearch, Sort, Thread,
// Flags, Exists, Recent, Expunge, Vanished, Namespace, Quota, QuotaRoot, ID,
// Enabled, Fetch/Message, and Unknown for anything else, kept raw.
//
// Real servers break the grammar; the deviations the Reader accepts are
// listed in the project README with the server that needs each. With
// Options.Strict they are all refused. Reader.Leniencies names the
// deviations (a Leniency each) accepted in the last response, so that a
// caller can tell a conforming server from one that needed them.
// testdata/conformance holds the cases, valid, invalid and deviating, that
// fix both modes' verdicts.
package parser
