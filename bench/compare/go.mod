module github.com/imapwire/imapwire/bench/compare

go 1.26.0

replace github.com/imapwire/imapwire => ../..

require (
	github.com/emersion/go-imap/v2 v2.0.0-beta.8
	github.com/imapwire/imapwire v0.0.0
)

require (
	github.com/emersion/go-message v0.18.2 // indirect
	github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6 // indirect
	golang.org/x/text v0.44.0 // indirect
)
