package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"runtime"
	"strings"
	"time"

	imap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/imapwire/imapwire/client"
	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// The readers compared, in the order of the table.
const (
	readerRaw      = "raw"
	readerParser   = "parser"
	readerImapwire = "imapwire"
	readerDecode   = "imapwire+decode"
	readerGoIMAP   = "go-imap"
)

var readerTitles = map[string]string{
	readerRaw:      "raw socket (no parsing)",
	readerParser:   "imapwire parser alone (from memory)",
	readerImapwire: "imapwire client",
	readerDecode:   "imapwire client + decoding as go-imap",
	readerGoIMAP:   "go-imap v2 client",
}

// readersFor lists the readers measured on a workload. The row that decodes
// as go-imap does exists only where the two differ (the envelopes).
func readersFor(name string) []string {
	if name == "envelope" {
		return []string{readerRaw, readerParser, readerImapwire, readerDecode, readerGoIMAP}
	}
	return []string{readerRaw, readerParser, readerImapwire, readerGoIMAP}
}

// A job says what a measurement reads: the workload's name and the size of
// its payload (which the raw reader needs to know where the end is).
type job struct {
	Reader   string
	Workload string
	Size     int
	Addr     string
}

// A result is one measurement: the time and the allocations of decoding
// one workload once, and the digest of what was decoded.
type result struct {
	Reader     string  `json:"reader"`
	Workload   string  `json:"workload"`
	Seconds    float64 `json:"seconds"`
	CPUSeconds float64 `json:"cpuSeconds"` // user and system, every thread
	Bytes      int     `json:"bytes"`
	Mallocs    uint64  `json:"mallocs"`
	AllocBytes uint64  `json:"allocBytes"`
	Digest     digest  `json:"digest"`
	CRC        uint32  `json:"crc"`
	MaxRSS     int64   `json:"maxRSS"` // peak RSS in bytes, of the child process
}

// measure times fn, by the clock and in CPU time, and counts what it
// allocates.
func measure(res *result, fn func() error) error {
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	c0 := cpuTime()
	t0 := time.Now()
	err := fn()
	res.Seconds = time.Since(t0).Seconds()
	res.CPUSeconds = (cpuTime() - c0).Seconds()
	runtime.ReadMemStats(&m1)
	res.Mallocs = m1.Mallocs - m0.Mallocs
	res.AllocBytes = m1.TotalAlloc - m0.TotalAlloc
	return err
}

// run performs one measurement.
func run(ctx context.Context, j job) (*result, error) {
	res := &result{Reader: j.Reader, Workload: j.Workload, Bytes: j.Size}
	var err error
	switch j.Reader {
	case readerRaw:
		err = runRaw(ctx, j, res)
	case readerParser:
		err = runParser(ctx, j, res)
	case readerImapwire:
		err = runImapwire(ctx, j, res, false)
	case readerDecode:
		err = runImapwire(ctx, j, res, true)
	case readerGoIMAP:
		err = runGoIMAP(ctx, j, res)
	default:
		err = fmt.Errorf("unknown reader %q", j.Reader)
	}
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", j.Reader, j.Workload, err)
	}
	return res, nil
}

// ---- the raw socket ----

// rawSession logs in and selects over a plain connection, then sends the
// workload's command (tag a3); the caller reads the answer from conn.
func rawSession(ctx context.Context, j job) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", j.Addr)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	r := bufio.NewReader(c)
	expect := func(tag string) error {
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return err
			}
			if strings.HasPrefix(l, tag+" ") {
				if !strings.HasPrefix(l, tag+" OK") {
					return fmt.Errorf("server: %q", l)
				}
				return nil
			}
		}
	}
	if _, err := r.ReadString('\n'); err != nil { // greeting
		c.Close()
		return nil, err
	}
	for _, step := range []struct{ tag, cmd string }{{"a1", "LOGIN bench bench"}, {"a2", "SELECT INBOX"}} {
		if _, err := io.WriteString(c, step.tag+" "+step.cmd+"\r\n"); err != nil {
			c.Close()
			return nil, err
		}
		if err := expect(step.tag); err != nil {
			c.Close()
			return nil, err
		}
	}
	if r.Buffered() != 0 {
		c.Close()
		return nil, fmt.Errorf("unexpected bytes after SELECT")
	}
	return c, nil
}

// readRaw sends the workload's command on a raw session and reads the
// answer: the payload then "a3 OK completed". Each chunk of the payload is
// passed to fn.
func readRaw(c net.Conn, j job, fn func([]byte)) error {
	if _, err := io.WriteString(c, "a3 "+rawCommands[j.Workload]+"\r\n"); err != nil {
		return err
	}
	want := j.Size + len("a3"+completion)
	buf := make([]byte, 64<<10)
	var tail []byte
	got := 0
	for got < want {
		n, err := c.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if rest := j.Size - got; rest > 0 {
				fn(chunk[:min(rest, n)])
			}
			if got+n > j.Size {
				tail = append(tail, chunk[max(0, j.Size-got):]...)
			}
			got += n
		}
		if err != nil {
			return err
		}
	}
	if string(tail) != "a3"+completion {
		return fmt.Errorf("raw: the payload ends with %q, not the completion", tail)
	}
	return nil
}

func runRaw(ctx context.Context, j job, res *result) error {
	c, err := rawSession(ctx, j)
	if err != nil {
		return err
	}
	defer c.Close()
	var crc uint32
	err = measure(res, func() error {
		return readRaw(c, j, func(b []byte) { crc = crc32.Update(crc, castagnoli, b) })
	})
	res.CRC = crc
	return err
}

// ---- imapwire's parser alone ----

// runParser reads the payload from the server into memory (not timed),
// then parses it with parser.Reader into typed values that it does not keep.
func runParser(ctx context.Context, j job, res *result) error {
	c, err := rawSession(ctx, j)
	if err != nil {
		return err
	}
	data := make([]byte, 0, j.Size)
	err = readRaw(c, j, func(b []byte) { data = append(data, b...) })
	c.Close()
	if err != nil {
		return err
	}
	res.CRC = crc32.Checksum(data, castagnoli)
	d := &res.Digest
	return measure(res, func() error {
		pr := parser.NewReader(bytes.NewReader(data), nil)
		f := &iwFeeder{d: d}
		for {
			resp, err := pr.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			switch r := resp.(type) {
			case *parser.Fetch:
				d.Items++
				d.num(uint64(r.SeqNum))
				for {
					it, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						return err
					}
					if err := f.item(it); err != nil {
						return err
					}
				}
			case *parser.List:
				feedIWList(d, r)
			case *parser.Search:
				feedNums(d, r.Nums)
			default:
				return fmt.Errorf("parser: unexpected %s", resp.ResponseType())
			}
		}
	})
}

// ---- imapwire's client ----

var envelopeItems = []string{"UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE"}

func runImapwire(ctx context.Context, j job, res *result, decode bool) error {
	c, err := client.Dial(ctx, j.Addr, &client.Options{AllowPlaintext: true})
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Login(ctx, "bench", "bench"); err != nil {
		return err
	}
	if _, err := c.Select(ctx, "INBOX"); err != nil {
		return err
	}
	d := &res.Digest
	err = measure(res, func() error {
		switch j.Workload {
		case "envelope", "body":
			items := envelopeItems
			if j.Workload == "body" {
				items = []string{"BODY.PEEK[]"}
			}
			fc, err := c.UIDFetch(ctx, wire.SeqSet{{Start: 1, Stop: 0}}, items...)
			if err != nil {
				return err
			}
			f := &iwFeeder{d: d, decode: decode}
			for {
				m, err := fc.Next(ctx)
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return err
				}
				d.Items++
				d.num(uint64(m.SeqNum))
				for {
					it, err := m.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						return err
					}
					if err := f.item(it); err != nil {
						return err
					}
				}
			}
		case "list":
			l, err := c.List(ctx, "", "*", nil)
			if err != nil {
				return err
			}
			for _, r := range l {
				feedIWList(d, r.List)
			}
		case "search":
			nums, err := c.SearchNums(ctx, true, nil)
			if err != nil {
				return err
			}
			feedNums(d, nums)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return c.Logout(ctx)
}

// ---- go-imap v2 ----

func runGoIMAP(ctx context.Context, j job, res *result) error {
	var dl net.Dialer
	nc, err := dl.DialContext(ctx, "tcp", j.Addr)
	if err != nil {
		return err
	}
	// go-imap v2 speaks plain TCP through New on a net.Conn (or
	// DialInsecure); it has no context: its deadlines are its own.
	c := imapclient.New(nc, nil)
	defer c.Close()
	if err := c.WaitGreeting(); err != nil {
		return err
	}
	if err := c.Login("bench", "bench").Wait(); err != nil {
		return err
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		return err
	}
	d := &res.Digest
	err = measure(res, func() error {
		switch j.Workload {
		case "envelope", "body":
			opts := &imap.FetchOptions{UID: true}
			if j.Workload == "body" {
				opts.BodySection = []*imap.FetchItemBodySection{{Peek: true}}
			} else {
				opts.Flags = true
				opts.InternalDate = true
				opts.RFC822Size = true
				opts.Envelope = true
				opts.BodyStructure = &imap.FetchItemBodyStructure{Extended: true}
			}
			cmd := c.Fetch(imap.UIDSet{{Start: 1, Stop: 0}}, opts)
			f := &giFeeder{d: d}
			for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
				d.Items++
				d.num(uint64(msg.SeqNum))
				for it := msg.Next(); it != nil; it = msg.Next() {
					if err := f.item(it); err != nil {
						cmd.Close()
						return err
					}
				}
			}
			return cmd.Close()
		case "list":
			l, err := c.List("", "*", nil).Collect()
			if err != nil {
				return err
			}
			for _, m := range l {
				feedGIList(d, m)
			}
		case "search":
			data, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
			if err != nil {
				return err
			}
			for _, u := range data.AllUIDs() {
				d.Items++
				d.Sum += uint64(u)
				d.num(uint64(u))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return c.Logout().Wait()
}
