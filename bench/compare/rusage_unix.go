//go:build unix

package main

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user and system) this process has used,
// all its threads together.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// selfPeakRSS returns this process's peak resident set size in bytes from
// /proc/self/status (VmHWM), or 0 where there is none. The child reports it
// itself because on Linux the parent's view, the rusage of wait4, is wrong
// here: Go starts children with vfork semantics (CLONE_VM), and exec records
// the peak RSS of the memory it leaves, the parent's, as the child's
// ru_maxrss, so every child would seem as large as the parent that holds
// the generated workloads.
func selfPeakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(l, []byte("VmHWM:")); ok {
			f := bytes.Fields(v)
			if len(f) == 2 && string(f[1]) == "kB" {
				n, err := strconv.ParseInt(string(f[0]), 10, 64)
				if err == nil {
					return n << 10
				}
			}
		}
	}
	return 0
}

// maxRSS returns a finished child's peak resident set size in bytes from
// its rusage, where selfPeakRSS has nothing.
func maxRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return ru.Maxrss // bytes
	}
	return ru.Maxrss << 10 // KiB on Linux and the BSDs
}
