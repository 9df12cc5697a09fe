//go:build linux

package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// rssFile is this process's resident file-backed memory, in kB.
func rssFile(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "RssFile:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n
		}
	}
	t.Skip("no RssFile in /proc/self/status")
	return 0
}

// The executable's read-only pages leave the resident set, and the program
// goes on running from them (they come back from the page cache).
func TestReleaseStartupMemory(t *testing.T) {
	before := rssFile(t)
	releaseStartupMemory()
	after := rssFile(t)
	if after >= before {
		t.Errorf("RssFile %d kB before, %d kB after; want fewer resident file pages after", before, after)
	}
	// Still running: code on the dropped pages faults back in.
	if _, _, code := runArgs(t, "version"); code != 0 {
		t.Errorf("reactorlab version after releasing start-up memory: exit %d; want 0", code)
	}
}
