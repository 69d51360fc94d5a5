//go:build !unix

package main

import (
	"os"
	"time"
)

// cpuTime, selfPeakRSS and maxRSS are unknown here.
func cpuTime() time.Duration { return 0 }

func selfPeakRSS() int64 { return 0 }

func maxRSS(*os.ProcessState) int64 { return 0 }
