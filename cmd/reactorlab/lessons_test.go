package main

import (
	"strings"
	"testing"
)

func TestLessons(t *testing.T) {
	out, errOut, code := runArgs(t, "lessons")
	if code != 0 || !strings.Contains(out, "1. One process, many connections") || !strings.Contains(out, "reactorlab lesson select-and-the-1024-wall") {
		t.Errorf("lessons: exit %d, stderr %q; want the numbered list with how to open each:\n%s", code, errOut, out)
	}
	_, errOut, code = runArgs(t, "lessons", "2")
	if code != 2 || !strings.Contains(errOut, "reactorlab lesson 2") {
		t.Errorf("lessons 2: exit %d, stderr %q; want a usage error pointing at 'reactorlab lesson 2'", code, errOut)
	}
}
