//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
)

// maxRSS returns a finished child's peak resident set size in bytes.
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
