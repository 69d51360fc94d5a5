module github.com/imapwire/imapwire

go 1.26.0

require (
	github.com/google/go-cmp v0.7.0
	golang.org/x/term v0.48.0
	golang.org/x/text v0.44.0
)

require golang.org/x/sys v0.50.0 // indirect
