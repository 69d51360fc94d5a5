// Package wire implements the lexical layer of IMAP4rev1 (RFC 3501 section 9):
// a streaming tokenizer, Reader, and the matching encoder, Writer.
//
// A Reader reads from any io.Reader through its own bounded buffer. Tokens it
// returns as byte slices stay valid until the next call on the Reader.
// Literals can be taken as bytes (when smaller than Limits.MaxLiteral) or as
// an io.Reader that streams the literal from the connection; the next call on
// the Reader drains whatever the caller left unread, so an abandoned literal
// never desynchronizes the stream.
//
// Every breach of a Limits value and every grammar violation is reported as a
// *SyntaxError carrying the byte offset. I/O errors and io.EOF pass through
// unwrapped; EOF in the middle of a token is io.ErrUnexpectedEOF.
//
// The package also provides SeqSet (sequence sets such as "2,4:6,20:*") and
// modified UTF-7 mailbox-name encoding (EncodeUTF7, DecodeUTF7).
package wire
