package parser

// common holds strings that recur in almost every session, so that parsing
// them costs no allocation.
var common = func() map[string]string {
	m := make(map[string]string)
	for _, s := range []string{
		// flags and mailbox attributes
		`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`, `\Recent`, `\*`,
		`$Forwarded`, `$Junk`, `$NotJunk`, `$MDNSent`, `$Phishing`,
		`\HasChildren`, `\HasNoChildren`, `\Noselect`, `\NonExistent`, `\Noinferiors`,
		`\Marked`, `\Unmarked`, `\Subscribed`, `\Remote`,
		`\All`, `\Archive`, `\Drafts`, `\Flagged`, `\Junk`, `\Sent`, `\Trash`, `\Important`, `\Inbox`, `\Spam`, `\Starred`, `\AllMail`,
		"INBOX", "/", ".",
		// body structure values
		"text", "plain", "html", "TEXT", "PLAIN", "HTML", "multipart", "MULTIPART",
		"mixed", "alternative", "related", "MIXED", "ALTERNATIVE", "RELATED",
		"application", "APPLICATION", "octet-stream", "OCTET-STREAM", "pdf", "PDF",
		"image", "IMAGE", "jpeg", "JPEG", "png", "PNG", "gif", "GIF",
		"message", "MESSAGE", "rfc822", "RFC822", "delivery-status", "DELIVERY-STATUS",
		"charset", "CHARSET", "utf-8", "UTF-8", "us-ascii", "US-ASCII", "iso-8859-1", "ISO-8859-1",
		"boundary", "BOUNDARY", "name", "NAME", "filename", "FILENAME", "format", "FORMAT", "flowed",
		"7bit", "7BIT", "8bit", "8BIT", "base64", "BASE64", "quoted-printable", "QUOTED-PRINTABLE", "binary", "BINARY",
		"attachment", "ATTACHMENT", "inline", "INLINE", "en", "en-US", "EN",
		// capabilities
		"IMAP4rev1", "IMAP4rev2", "IMAP4", "IDLE", "UIDPLUS", "MOVE", "CONDSTORE", "QRESYNC",
		"ESEARCH", "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE", "NAMESPACE", "QUOTA",
		"LITERAL+", "LITERAL-", "ENABLE", "ID", "SASL-IR", "LOGIN-REFERRALS", "STARTTLS",
		"AUTH=PLAIN", "AUTH=LOGIN", "AUTH=XOAUTH2", "AUTH=OAUTHBEARER", "LOGINDISABLED",
		"SORT", "THREAD=REFERENCES", "THREAD=ORDEREDSUBJECT", "CHILDREN", "UNSELECT",
		"BINARY", "CATENATE", "ESORT", "SEARCHRES", "WITHIN", "CONTEXT=SEARCH",
		"I18NLEVEL=1", "COMPRESS=DEFLATE", "UTF8=ACCEPT", "XLIST", "X-GM-EXT-1",
		"MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "HIGHESTMODSEQ", "SIZE",
	} {
		m[s] = s
	}
	return m
}()
