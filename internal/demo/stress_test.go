package demo

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The multi-session stress test (issue 19 section 3): sessions on one
// mailbox run random APPEND, STORE, EXPUNGE, FETCH, SEARCH, NOOP and
// CHECK, and each checks every response against a model of what it was
// told (sequence numbers, UIDs, flags, keywords, \Recent). A short run is
// part of `go test`; `make stress` runs it long:
//
//	go test -run '^TestStress$' -stress.sessions 10 -stress.duration 10m ./internal/demo/
//
// The seed is logged; -stress.seed replays a session's command choices
// (the interleaving of sessions is the scheduler's).
var (
	stressSessions = flag.Int("stress.sessions", 4, "sessions of TestStress")
	stressDuration = flag.Duration("stress.duration", 0, "how long TestStress runs (0: 300 commands per session)")
	stressSeed     = flag.Uint64("stress.seed", 0, "seed of TestStress (0: from the clock)")
)

func TestStress(t *testing.T) {
	seed := *stressSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -stress.seed %d), %d sessions, duration %v", seed, seed, *stressSessions, *stressDuration)
	s := testServer(t)
	setup := dialRaw(t, s)
	setup.login()
	setup.ok("CREATE stress")
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heapBefore := ms.HeapAlloc

	w := &stressWorld{recent: map[uint32]int{}}
	var deadline time.Time
	if *stressDuration > 0 {
		deadline = time.Now().Add(*stressDuration)
	}
	var wg sync.WaitGroup
	for i := range *stressSessions {
		cc, sc := net.Pipe()
		go s.ServeConn(sc)
		t.Cleanup(func() { cc.Close() })
		ss := &stressSession{id: i, w: w, c: cc, br: bufio.NewReader(cc), rng: rand.New(rand.NewPCG(seed, uint64(i)))}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ss.run(300, deadline)
		}()
	}
	wg.Wait()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	t.Logf("%d commands, %d responses checked, %d inconsistencies; heap %d KiB before, %d KiB after",
		w.commands.Load(), w.responses.Load(), len(w.errs), heapBefore/1024, ms.HeapAlloc/1024)
	for i, e := range w.errs {
		if i == 20 {
			t.Errorf("... and %d more", len(w.errs)-20)
			break
		}
		t.Error(e)
	}
}

// stressWorld is what the sessions share: the errors found and who was
// told each UID is \Recent.
type stressWorld struct {
	mu        sync.Mutex
	errs      []string
	recent    map[uint32]int // UID: the session told it is \Recent
	commands  atomic.Int64
	responses atomic.Int64
}

type stressSession struct {
	id  int
	w   *stressWorld
	c   net.Conn
	br  *bufio.Reader
	rng *rand.Rand
	n   int

	// The model: what this session was told.
	view     []uint32 // UID by sequence number - 1 (0: not yet learned)
	keywords map[string]bool
	cmd      string // the command running, for the errors
	search   string // "seq" for SEARCH ALL, "uid" for UID SEARCH ALL
}

func (ss *stressSession) fail(format string, args ...any) {
	ss.w.mu.Lock()
	defer ss.w.mu.Unlock()
	ss.w.errs = append(ss.w.errs, fmt.Sprintf("session %d, %q: ", ss.id, ss.cmd)+fmt.Sprintf(format, args...))
}

var (
	reFetch = regexp.MustCompile(`^\* (\d+) FETCH \((.*)\)$`)
	reUID   = regexp.MustCompile(`\bUID (\d+)`)
	reFlags = regexp.MustCompile(`\bFLAGS \(([^)]*)\)`)
)

// exchange sends one command and checks each response line against the
// model; it returns the tagged response and the untagged lines.
func (ss *stressSession) exchange(line string) (string, []string, error) {
	ss.n++
	tag := "s" + strconv.Itoa(ss.n)
	ss.cmd = line
	ss.w.commands.Add(1)
	ss.c.SetDeadline(time.Now().Add(2 * time.Minute))
	if _, err := ss.c.Write([]byte(tag + " " + line + "\r\n")); err != nil {
		return "", nil, err
	}
	name := strings.Fields(line)[0]
	noExpunge := name == "FETCH" || name == "STORE" || name == "SEARCH"
	var untagged []string
	for {
		l, err := ss.br.ReadString('\n')
		if err != nil {
			return "", nil, err
		}
		l = strings.TrimSuffix(l, "\r\n")
		if n, ok := literalSize([]byte(l + "\r\n")); ok { // skip literals (none expected)
			buf := make([]byte, n)
			if _, err := ss.br.Read(buf); err != nil {
				return "", nil, err
			}
		}
		ss.w.responses.Add(1)
		if t, ok := strings.CutPrefix(l, tag+" "); ok {
			return t, untagged, nil
		}
		untagged = append(untagged, l)
		ss.check(l, noExpunge)
	}
}

// check updates the model with one untagged line and reports what
// contradicts it.
func (ss *stressSession) check(l string, noExpunge bool) {
	switch f := strings.Fields(l); {
	case len(f) >= 3 && f[2] == "EXISTS":
		n, _ := strconv.Atoi(f[1])
		if n < len(ss.view) {
			ss.fail("EXISTS %d below the %d messages known", n, len(ss.view))
			return
		}
		for len(ss.view) < n {
			ss.view = append(ss.view, 0)
		}
	case len(f) >= 3 && f[2] == "RECENT":
		if n, _ := strconv.Atoi(f[1]); n > len(ss.view) {
			ss.fail("RECENT %d above EXISTS %d", n, len(ss.view))
		}
	case len(f) >= 3 && f[2] == "EXPUNGE":
		n, _ := strconv.Atoi(f[1])
		if noExpunge {
			ss.fail("EXPUNGE %d during %s (RFC 3501 section 7.4.1)", n, f[0])
		}
		if n < 1 || n > len(ss.view) {
			ss.fail("EXPUNGE %d of %d messages", n, len(ss.view))
			return
		}
		ss.view = slices.Delete(ss.view, n-1, n)
	case len(f) >= 2 && f[1] == "FLAGS":
		ss.keywords = map[string]bool{}
		if m := regexp.MustCompile(`\((.*)\)`).FindStringSubmatch(l); m != nil {
			for _, k := range strings.Fields(m[1]) {
				ss.keywords[k] = true
			}
		}
	case reFetch.MatchString(l):
		m := reFetch.FindStringSubmatch(l)
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > len(ss.view) {
			ss.fail("FETCH of %d with %d messages: %s", n, len(ss.view), l)
			return
		}
		if u := reUID.FindStringSubmatch(m[2]); u != nil {
			uid64, _ := strconv.ParseUint(u[1], 10, 32)
			uid := uint32(uid64)
			if old := ss.view[n-1]; old != 0 && old != uid {
				ss.fail("message %d was UID %d, now %d", n, old, uid)
			}
			ss.view[n-1] = uid
			for i := n - 2; i >= 0; i-- {
				if ss.view[i] != 0 {
					if ss.view[i] >= uid {
						ss.fail("UIDs not ascending: %d at %d, %d at %d", ss.view[i], i+1, uid, n)
					}
					break
				}
			}
		}
		if fl := reFlags.FindStringSubmatch(m[2]); fl != nil {
			for _, k := range strings.Fields(fl[1]) {
				if k == `\Recent` {
					if uid := ss.view[n-1]; uid != 0 {
						ss.w.mu.Lock()
						who, ok := ss.w.recent[uid]
						if !ok {
							ss.w.recent[uid] = ss.id
						}
						ss.w.mu.Unlock()
						if ok && who != ss.id {
							ss.fail("UID %d \\Recent to session %d too", uid, who)
						}
					}
					continue
				}
				if !ss.keywords[k] {
					ss.fail("FETCH shows %s, not in FLAGS %v: %s", k, ss.keywords, l)
				}
			}
		}
	case strings.HasPrefix(l, "* SEARCH") && ss.search != "":
		// ALL: every message of the view, expunged by another session
		// or not (the view changes only with the EXPUNGEs after it).
		var got []uint32
		for _, f := range strings.Fields(l[len("* SEARCH"):]) {
			n, _ := strconv.ParseUint(f, 10, 32)
			got = append(got, uint32(n))
		}
		if len(got) != len(ss.view) {
			ss.fail("%d results, %d messages in the view: %s", len(got), len(ss.view), l)
			return
		}
		for i, n := range got {
			switch {
			case ss.search == "seq" && n != uint32(i+1):
				ss.fail("result %d is %d: %s", i+1, n, l)
				return
			case ss.search == "uid" && ss.view[i] != 0 && ss.view[i] != n:
				ss.fail("message %d is UID %d, SEARCH says %d", i+1, ss.view[i], n)
				return
			case ss.search == "uid":
				if i > 0 && got[i-1] >= n {
					ss.fail("UIDs not ascending: %s", l)
					return
				}
				ss.view[i] = n
			}
		}
	}
}

var stressFlags = []string{`\Seen`, `\Flagged`, `\Answered`, `\Deleted`, "$a", "$b", "$c", "$d"}

func (ss *stressSession) run(count int, deadline time.Time) {
	defer ss.c.Close()
	ss.br.ReadString('\n') // greeting
	for _, c := range []string{"LOGIN demo demo", "SELECT stress"} {
		if tagged, _, err := ss.exchange(c); err != nil || !strings.HasPrefix(tagged, "OK") {
			ss.fail("%s: %s %v", c, tagged, err)
			return
		}
	}
	for i := 0; deadline.IsZero() && i < count || !deadline.IsZero() && time.Now().Before(deadline); i++ {
		var line string
		seq := func() string {
			if len(ss.view) == 0 {
				return "1"
			}
			a := 1 + ss.rng.IntN(len(ss.view))
			b := a + ss.rng.IntN(3)
			return strconv.Itoa(a) + ":" + strconv.Itoa(min(b, len(ss.view)))
		}
		flag := func() string { return stressFlags[ss.rng.IntN(len(stressFlags))] }
		ss.search = ""
		switch k := ss.rng.IntN(100); {
		case len(ss.view) > 100 && k < 30:
			// Keep the mailbox small: a long run's size stays flat.
			line = "STORE " + seq() + ` +FLAGS (\Deleted)`
		case len(ss.view) > 100 && k < 40:
			line = "EXPUNGE"
		case k < 15 || len(ss.view) < 3 && k < 40:
			msg := fmt.Sprintf("Subject: %d-%d\r\n\r\nbody\r\n", ss.id, i)
			line = fmt.Sprintf("APPEND stress (%s) {%d+}\r\n%s", flag(), len(msg), msg)
		case len(ss.view) == 0:
			line = "NOOP"
		case k < 40:
			op := []string{"+", "-", ""}[ss.rng.IntN(3)]
			line = fmt.Sprintf("STORE %s %sFLAGS (%s %s)", seq(), op, flag(), flag())
		case k < 48:
			line = "EXPUNGE"
		case k < 65:
			line = "FETCH " + seq() + " (UID FLAGS)"
		case k < 75:
			ss.search, line = "seq", "SEARCH ALL"
		case k < 82:
			ss.search, line = "uid", "UID SEARCH ALL"
		case k < 88:
			line = "UID FETCH 1:* (FLAGS)"
		case k < 94:
			line = "NOOP"
		default:
			line = "CHECK"
		}
		tagged, untagged, err := ss.exchange(line)
		if err != nil {
			ss.fail("connection: %v", err)
			return
		}
		if !strings.HasPrefix(tagged, "OK") && !strings.HasPrefix(tagged, "NO [EXPUNGEISSUED]") {
			ss.fail("answered %s", tagged)
		}
		_ = untagged
	}
	ss.exchange("LOGOUT")
}
