//go:build !unix

package main

import "os"

// selfPeakRSS and maxRSS are unknown here.
func selfPeakRSS() int64 { return 0 }

func maxRSS(*os.ProcessState) int64 { return 0 }
