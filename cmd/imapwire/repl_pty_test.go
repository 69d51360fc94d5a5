//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// The interactive REPL, driven in a real pseudo-terminal: the command runs
// as its own process with a pty as its stdin, stdout and stderr, as under a
// terminal emulator, and the test types into the pty's master side.

// TestMain lets the test binary be the command: run with
// IMAPWIRE_TEST_AS_MAIN=1, it is imapwire itself (built with the test's
// flags, -race included, so a race in the interactive path fails the test
// through the exit status).
func TestMain(m *testing.M) {
	if os.Getenv("IMAPWIRE_TEST_AS_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// imapwireBinary returns the path of the test binary, which is imapwire
// when run with IMAPWIRE_TEST_AS_MAIN=1.
func imapwireBinary(t *testing.T) string {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Skipf("cannot find the test binary: %v", err)
	}
	return bin
}

func ioctl(fd, req uintptr, arg unsafe.Pointer) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, req, uintptr(arg)); e != 0 {
		return e
	}
	return nil
}

// openPTY opens a pseudo-terminal of 40 rows and 200 columns and returns
// its master and slave sides.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	rc, err := m.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n uint32
	var ierr error
	rc.Control(func(fd uintptr) {
		var unlock int32
		if ierr = ioctl(fd, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); ierr != nil {
			return
		}
		if ierr = ioctl(fd, syscall.TIOCGPTN, unsafe.Pointer(&n)); ierr != nil {
			return
		}
		ws := struct{ row, col, x, y uint16 }{40, 200, 0, 0}
		ierr = ioctl(fd, syscall.TIOCSWINSZ, unsafe.Pointer(&ws))
	})
	if ierr != nil {
		m.Close()
		t.Fatalf("pty ioctl: %v", ierr)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Fatal(err)
	}
	return m, s
}

// A ptyProc is the REPL running in a pseudo-terminal.
type ptyProc struct {
	t      *testing.T
	master *os.File
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    bytes.Buffer  // everything the terminal showed
	grew   chan struct{} // closed and replaced when out grows, or the pty is closed
	seen   int           // offset in the cleaned output after the last expect
	waited chan error
}

func startPTY(t *testing.T, args ...string) *ptyProc {
	t.Helper()
	bin := imapwireBinary(t)
	m, s := openPTY(t)
	cmd := exec.Command(bin, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s, s, s
	cmd.Env = append(os.Environ(), "IMAPWIRE_TEST_AS_MAIN=1", "TERM=xterm", "NO_COLOR=", "HOME="+t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	p := &ptyProc{t: t, master: m, cmd: cmd, grew: make(chan struct{}), waited: make(chan error, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := m.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			close(p.grew)
			p.grew = make(chan struct{})
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() { p.waited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.waited
		m.Close()
		if t.Failed() {
			t.Logf("terminal output:\n%s", p.screen())
		}
	})
	return p
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// screen returns the output without escape sequences and CRs.
func (p *ptyProc) screen() string {
	scr, _ := p.screenAndGrew()
	return scr
}

// screenAndGrew returns the screen and a channel closed when it grows.
func (p *ptyProc) screenAndGrew() (string, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.ReplaceAll(ansi.ReplaceAllString(p.out.String(), ""), "\r", ""), p.grew
}

// raw returns the output as the terminal received it.
func (p *ptyProc) raw() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// expect waits until s appears in the output after the previous match:
// it looks again each time the output grows, and gives up after 30s.
func (p *ptyProc) expect(s string) {
	p.t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		scr, grew := p.screenAndGrew()
		if i := strings.Index(scr[min(p.seen, len(scr)):], s); i >= 0 {
			p.seen += i + len(s)
			return
		}
		select {
		case <-grew:
		case <-deadline.C:
			p.t.Fatalf("the terminal did not show %q; after the last match it shows:\n%s", s, scr[min(p.seen, len(scr)):])
		}
	}
}

// typeIn types s. The keys wait in the terminal until the REPL reads
// them, so s may be typed at once; tests type a line once its prompt has
// appeared.
func (p *ptyProc) typeIn(s string) {
	p.t.Helper()
	if _, err := p.master.Write([]byte(s)); err != nil {
		p.t.Fatal(err)
	}
}

// wait waits for the process to exit and returns its status.
func (p *ptyProc) wait() int {
	p.t.Helper()
	select {
	case err := <-p.waited:
		p.waited <- err
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			p.t.Fatal(err)
		}
		return 0
	case <-time.After(30 * time.Second):
		p.t.Fatal("the REPL did not exit")
	}
	return -1
}

// TestPTYFake drives the REPL in a terminal against the fake server: the
// prompt, a command and its raw and parsed response, a password not
// echoed and masked, an unsolicited response printed while the user is
// typing (the line being typed redrawn after it), tab completion, history,
// and Ctrl-D.
func TestPTYFake(t *testing.T) {
	f := newFakeServer(t)
	dir := t.TempDir()
	trace := filepath.Join(dir, "trace.txt")
	hist := filepath.Join(dir, "hist", "history")
	p := startPTY(t, "-security", "plain", "-trace", trace, "-history", hist, f.addr)

	p.expect("S: * OK [CAPABILITY")
	p.expect("imapwire> ")
	p.typeIn("NOOP\r")
	p.expect("C: A001 NOOP\\r\\n")
	p.expect("S: A001 OK noop\\r\\n")
	p.expect("status OK tag=A001 (")
	p.expect("imapwire> ")

	p.typeIn(".login alice\r")
	p.expect("Password: ")
	p.typeIn(f.password + "\r")
	p.expect("C: A002 LOGIN alice ***\\r\\n")
	p.expect("S: A002 OK [CAPABILITY IMAP4rev1 IDLE] logged in")

	// Unsolicited responses while idling, and at the prompt in the middle
	// of a line being typed.
	p.typeIn(".idle\r")
	p.expect("S: + idling\\r\\n")
	p.expect("idling, Enter ends> ")
	f.idle <- "* 9 EXISTS\r\n"
	p.expect("S: * 9 EXISTS\\r\\n")
	p.expect("data EXISTS (unsolicited)")
	p.typeIn("\r")
	p.expect("C: DONE\\r\\n")
	p.expect("S: A003 OK idle done")
	p.expect("imapwire> ")
	p.typeIn("NO")
	p.expect("NO") // echoed: the line editor has the keys
	f.idle <- "* 10 EXISTS\r\n"
	p.expect("S: * 10 EXISTS\\r\\n")
	p.expect("imapwire> NO") // the prompt and the half-typed line, redrawn
	p.typeIn("OP\r")
	p.expect("C: A004 NOOP\\r\\n")
	p.expect("S: A004 OK noop")

	// Tab completion and history (Up, Enter).
	p.typeIn("capa\t\r")
	p.expect("C: A005 capability\\r\\n")
	p.expect("S: A005 OK done")
	p.typeIn("\x1b[A\r")
	p.expect("C: A006 capability\\r\\n")
	p.expect("S: A006 OK done")

	p.typeIn("\x04") // Ctrl-D: log out and exit
	p.expect("C: A007 LOGOUT\\r\\n")
	p.expect("S: A007 OK logged out")
	if code := p.wait(); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if testing.Verbose() {
		t.Logf("terminal output:\n%s", p.screen())
	}

	if strings.Contains(p.raw(), f.password) {
		t.Errorf("the password was echoed:\n%q", p.raw())
	}
	tb, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(tb, []byte(f.password)) {
		t.Errorf("the password is in the trace:\n%s", tb)
	}
	parseTrace(t, trace)
	hb, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(hb, []byte("capability")) || !bytes.Contains(hb, []byte(".idle\n")) || bytes.Contains(hb, []byte(f.password)) {
		t.Errorf("history file:\n%s", hb)
	}
	if !slicesContains(f.lines(), `A002 LOGIN alice "`+f.password+`"`) {
		t.Errorf("the server received %q", f.lines())
	}
}

// TestPTYLiteralRefused: at the terminal, a synchronizing literal the
// server refuses (NO [TOOBIG] instead of "+") gives the prompt back: the
// next lines are commands, .quit included; a literal the server accepts is
// asked for with a {n}> prompt after its "+".
func TestPTYLiteralRefused(t *testing.T) {
	f := newFakeServer(t)
	p := startPTY(t, "-security", "plain", "-history", "", f.addr)
	p.expect("imapwire> ")
	p.typeIn("APPEND INBOX {999999999999}\r")
	p.expect("C: A001 APPEND INBOX {999999999999}\\r\\n")
	p.expect("S: A001 NO [TOOBIG] literal too big\\r\\n")
	p.expect("# the server refused the literal")
	p.expect("imapwire> ")
	p.typeIn("NOOP\r")
	p.expect("C: A002 NOOP\\r\\n")
	p.expect("S: A002 OK noop")
	p.expect("imapwire> ")
	p.typeIn("APPEND INBOX {3}\r")
	p.expect("S: + go ahead\\r\\n")
	p.expect("{3}> ")
	p.typeIn("abc\r")
	p.expect("C: [literal: 3 bytes]")
	p.expect("S: A003 OK [APPENDUID 42 8] appended")
	p.expect("imapwire> ")
	p.typeIn(".quit\r")
	p.expect("C: A004 LOGOUT\\r\\n")
	if code := p.wait(); code != 0 {
		t.Errorf("exit status %d", code)
	}
	want := []string{"A001 APPEND INBOX {999999999999}", "A002 NOOP", "A003 APPEND INBOX {3}", "literal:abc", "", "A004 LOGOUT"}
	if diff := cmp.Diff(want, f.lines()); diff != "" {
		t.Errorf("the server received (-want +got):\n%s", diff)
	}
}
