//go:build !linux

package main

// dropExecutablePages does nothing outside Linux (see the Linux file).
func dropExecutablePages() {}
