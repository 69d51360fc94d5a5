// Package readme checks the Go code of the repository's README.md. Each
// ```go block there is a function declaration copied from snippets_test.go,
// where it compiles with the rest of the project; TestREADMESnippets fails
// when a block is missing from that file or differs from it, or when a
// function there is no longer in the README, and the Examples run each
// function against the demo server (internal/demo), checking its output.
//
// To change a snippet, edit it in snippets_test.go, then paste the
// function into README.md (go test ./internal/readme/ says where they
// differ).
package readme
