package readme

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/imapwire/imapwire/client"
	"github.com/imapwire/imapwire/command"
	"github.com/imapwire/imapwire/internal/demo"
	"github.com/imapwire/imapwire/internal/testcert"
)

// goBlock is a fenced Go code block of README.md.
type goBlock struct {
	line int    // the line of the opening fence, 1-based
	text string // the lines between the fences
}

// readmeGoBlocks returns every fenced block of the README whose info
// string names Go ("go", "golang", in any case, with or without
// attributes after it), so that no Go snippet escapes the check by its
// spelling.
func readmeGoBlocks(t *testing.T) []goBlock {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var (
		blocks []goBlock
		cur    *goBlock
		lines  []string
		fence  string
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) && strings.TrimSpace(strings.TrimLeft(trimmed, fence[:1])) == "" {
				if cur != nil {
					cur.text = strings.Join(lines, "\n")
					blocks = append(blocks, *cur)
				}
				cur, lines, fence = nil, nil, ""
				continue
			}
			lines = append(lines, line)
			continue
		}
		for _, f := range []string{"```", "~~~"} {
			if !strings.HasPrefix(trimmed, f) {
				continue
			}
			fence = trimmed[:len(trimmed)-len(strings.TrimLeft(trimmed, f[:1]))]
			info := strings.Fields(strings.ToLower(strings.TrimLeft(trimmed, f[:1])) + " ")
			if len(info) > 0 && (info[0] == "go" || info[0] == "golang" || strings.HasPrefix(info[0], "go{") || strings.HasPrefix(info[0], "go,")) {
				cur = &goBlock{line: n}
			}
			break
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if fence != "" {
		t.Fatalf("README.md: a code block is not closed")
	}
	return blocks
}

// snippetFuncs returns the source text of each function declaration of
// snippets_test.go, doc comment included, by name.
func snippetFuncs(t *testing.T) map[string]string {
	t.Helper()
	src, err := os.ReadFile("snippets_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "snippets_test.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	funcs := map[string]string{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		start := fd.Pos()
		if fd.Doc != nil {
			start = fd.Doc.Pos()
		}
		funcs[fd.Name.Name] = string(src[fset.Position(start).Offset:fset.Position(fd.End()).Offset])
	}
	return funcs
}

// TestREADMESnippets checks that every Go block of README.md is one of the
// functions of snippets_test.go, copied exactly, and that every one of
// those functions is in the README: so every Go snippet of the README
// compiles, and the Examples below run each of them.
func TestREADMESnippets(t *testing.T) {
	blocks := readmeGoBlocks(t)
	funcs := snippetFuncs(t)
	if len(blocks) == 0 {
		t.Fatal("README.md has no Go block: has the README moved, or the fences changed?")
	}
	seen := map[string]int{}
	for _, b := range blocks {
		name := ""
		for n, text := range funcs {
			if strings.TrimSpace(b.text) == strings.TrimSpace(text) {
				name = n
			}
		}
		if name == "" {
			t.Errorf("README.md:%d: this Go block is not a function of internal/readme/snippets_test.go "+
				"(write it there, where it compiles and an Example runs it, and paste it back): %s",
				b.line, closest(b.text, funcs))
			continue
		}
		if prev, ok := seen[name]; ok {
			t.Errorf("README.md:%d: %s is shown twice (first at line %d)", b.line, name, prev)
		}
		seen[name] = b.line
	}
	for name := range funcs {
		if _, ok := seen[name]; !ok {
			t.Errorf("snippets_test.go: %s is in no Go block of README.md: paste it there or remove it", name)
		}
	}
}

// closest says where a README block first differs from the function of
// the same name, when there is one.
func closest(block string, funcs map[string]string) string {
	for name, text := range funcs {
		if !strings.Contains(block, "func "+name+"(") {
			continue
		}
		bl, fl := strings.Split(strings.TrimSpace(block), "\n"), strings.Split(strings.TrimSpace(text), "\n")
		for i := 0; i < len(bl) || i < len(fl); i++ {
			var b, f string
			if i < len(bl) {
				b = bl[i]
			}
			if i < len(fl) {
				f = fl[i]
			}
			if b != f {
				return fmt.Sprintf("it differs from %s at its line %d:\n  README:  %q\n  snippet: %q", name, i+1, b, f)
			}
		}
	}
	return fmt.Sprintf("no function of its name there:\n%s", block)
}

// tlsDemoServer starts a demo server (which speaks plaintext only)
// behind a TLS listener with a certificate for 127.0.0.1 made for it, and
// returns its address, client options that trust the certificate, and the
// function that stops it.
func tlsDemoServer() (addr string, opts *client.Options, stop func() error, err error) {
	cert, roots, err := testcert.New()
	if err != nil {
		return "", nil, nil, err
	}

	srv, err := demo.New(&demo.Options{UIDValidity: 1})
	if err != nil {
		return "", nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, nil, err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(tls.NewListener(ln, cfg)) }()
	stop = func() error {
		srv.Close()
		return <-served
	}
	return ln.Addr().String(), &client.Options{TLSConfig: &tls.Config{RootCAs: roots}}, stop, nil
}

func TestREADMETutorialWrongPassword(t *testing.T) {
	addr, opts, stop, err := tlsDemoServer()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = tutorial(ctx, addr, "demo", "not the password", opts)
	if !errors.Is(err, command.AUTHENTICATIONFAILED) || !strings.HasPrefix(err.Error(), "wrong user name or password: ") {
		t.Fatalf("tutorial with a wrong password: %v, want the wrong password error", err)
	}
}
