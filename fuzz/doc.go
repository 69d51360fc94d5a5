// Package fuzz holds the go test -fuzz targets of imapwire; run them with make fuzz.
package fuzz
