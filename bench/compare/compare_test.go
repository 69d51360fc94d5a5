package main

import (
	"bytes"
	"context"
	"hash/crc32"
	"strings"
	"testing"
	"time"
)

// tinySizes are the workloads at a size a test runs in a moment.
var tinySizes = map[string]int{"envelope": 400, "body": 12, "list": 600, "search": 20_000}

// TestReadersAgree runs every reader on every workload, at a tiny size,
// in process, and checks that each decoded what the generator wrote: the
// harness itself is under test, for both libraries.
func TestReadersAgree(t *testing.T) {
	srv, err := newServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, name := range workloadNames {
		w, err := generate(name, tinySizes[name])
		if err != nil {
			t.Fatal(err)
		}
		srv.Set(w)
		for _, reader := range readersFor(name) {
			t.Run(name+"/"+reader, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				res, err := run(ctx, job{Reader: reader, Workload: name, Size: len(w.Payload), Addr: srv.Addr()})
				if err != nil {
					t.Fatal(err)
				}
				if err := check(w, res); err != nil {
					t.Fatal(err)
				}
				if reader != readerRaw && res.Digest.Items != uint64(tinySizes[name]) {
					t.Errorf("decoded %d items, want %d", res.Digest.Items, tinySizes[name])
				}
				if res.Seconds <= 0 {
					t.Errorf("Seconds = %v", res.Seconds)
				}
			})
		}
	}
}

// TestCheckCatchesDifferences serves a payload with one subject changed by
// one letter and expects every decoding reader to be caught.
func TestCheckCatchesDifferences(t *testing.T) {
	w, err := generate("envelope", 50)
	if err != nil {
		t.Fatal(err)
	}
	// The subject words appear on the wire only in plain subjects and
	// descriptions.
	k := bytes.Index(w.Payload, []byte("meeting"))
	if k < 0 {
		t.Fatal("no subject has the word meeting")
	}
	bad := *w
	bad.Payload = bytes.Clone(w.Payload)
	bad.Payload[k] = 'M'
	bad.CRC = crc32.Checksum(bad.Payload, castagnoli)

	srv, err := newServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.Set(&bad)
	for _, reader := range readersFor("envelope") {
		if reader == readerRaw {
			continue
		}
		res, err := run(context.Background(), job{Reader: reader, Workload: "envelope", Size: len(bad.Payload), Addr: srv.Addr()})
		if err != nil {
			t.Fatalf("%s: %v", reader, err)
		}
		want := *w
		want.CRC = bad.CRC // the bytes read are right; what they decode to is not
		if err := check(&want, res); err == nil {
			t.Errorf("%s: a changed subject passed the check", reader)
		} else if !strings.Contains(err.Error(), "the generator wrote") {
			t.Errorf("%s: %v", reader, err)
		}
	}
}

// TestGenerate checks that the generator is deterministic, that the two
// views of the envelope workload differ (so that the decoded check means
// something), and the sizes of record (issue #9: 140 MB, 258 MB, 4.5 MB)
// at a hundredth of the items; at that size SEARCH's UIDs have fewer
// digits than at full size, so its size is not checked here.
func TestGenerate(t *testing.T) {
	for _, name := range workloadNames {
		a, _ := generate(name, sizeOf(name, 0.01))
		b, _ := generate(name, sizeOf(name, 0.01))
		if !bytes.Equal(a.Payload, b.Payload) || a.WantRaw != b.WantRaw {
			t.Errorf("%s: two runs generated different workloads", name)
		}
		want := map[string]float64{"envelope": 1.4e6, "body": 2.58e6, "list": 4.5e4}[name]
		if got := float64(len(a.Payload)); want > 0 && (got < 0.8*want || got > 1.2*want) {
			t.Errorf("%s: %d bytes at 1%%, want about %.0f", name, len(a.Payload), want)
		}
		if name == "envelope" && a.WantRaw == a.WantDecoded {
			t.Errorf("envelope: the raw and decoded digests are equal")
		}
	}
}
