package main

import (
	"fmt"
	"strings"
	"testing"
)

// A booth: the real program plays a demo unattended to its end, then
// exits 0 with the terminal restored and says what it played.
func TestDemoAutoInTmux(t *testing.T) {
	exe := needTmux(t)
	x := newTmuxLab(t, fmt.Sprintf("env REACTORLAB_TEST_MAIN=1 TERM=xterm-256color NO_COLOR=1 "+
		"sh -c '%s demo blocking-handler --auto --speed 20; echo EXIT=$?; sleep 600'", exe))
	x.waitScreen("One blocking handler freezes every client")
	x.waitScreen("step 2 of 4")
	x.waitScreen("blocking handler (sleeps 300ms)") // the stalls pane blames it
	s := x.waitScreen("EXIT=")
	if !strings.Contains(s, "demo blocking-handler: 4 of 4 steps played") || !strings.Contains(s, "EXIT=0") {
		t.Errorf("after --auto: want the steps played and EXIT=0; screen:\n%s", s)
	}
	if alt := x.format("#{alternate_on}"); alt != "0" {
		t.Errorf("alternate screen still on after the demo ended (alternate_on=%s)", alt)
	}
}

// A presenter: keys move through demo 1 on the real program; ← rebuilds
// the step before (its fresh scenario reaches the same clients), r goes
// back to the start, q quits cleanly.
func TestDemoKeysInTmux(t *testing.T) {
	exe := needTmux(t)
	x := newTmuxLab(t, fmt.Sprintf("env REACTORLAB_TEST_MAIN=1 TERM=xterm-256color NO_COLOR=1 "+
		"sh -c '%s demo 1; echo EXIT=$?; sleep 600'", exe))
	x.waitScreen("step 1 of 6")
	x.waitScreen("space/→ next step") // step 1's wait is met
	x.run("send-keys", "-t", "lab", "Right")
	x.waitScreen("Fifty more clients")
	x.waitScreen("epoll · 54 fds watched") // 53 clients and the listener
	x.run("send-keys", "-t", "lab", "Space")
	x.waitScreen("step 3 of 6")
	x.waitScreen("slow-mo 200ms")
	x.run("send-keys", "-t", "lab", "Left")
	x.waitScreen("step 2 of 6")
	s := x.waitScreen("epoll · 54 fds watched")
	if strings.Contains(s, "slow-mo") {
		t.Errorf("step 2 rebuilt still in slow motion (step 3's); screen:\n%s", s)
	}
	x.run("send-keys", "-t", "lab", "r")
	x.waitScreen("step 1 of 6")
	x.waitScreen("epoll · 4 fds watched") // a fresh scenario: its three clients
	x.run("send-keys", "-t", "lab", "q")
	s = x.waitScreen("EXIT=")
	if !strings.Contains(s, "EXIT=0") {
		t.Errorf("after q: want EXIT=0; screen:\n%s", s)
	}
	if alt := x.format("#{alternate_on}"); alt != "0" {
		t.Errorf("alternate screen still on after q (alternate_on=%s)", alt)
	}
}

// A recording of a demo: --record keeps the first run's trace, with the
// steps' actions in it, and replay --summary reads it back.
func TestDemoRecordInTmux(t *testing.T) {
	exe := needTmux(t)
	file := t.TempDir() + "/demo.rlt"
	x := newTmuxLab(t, fmt.Sprintf("env REACTORLAB_TEST_MAIN=1 TERM=xterm-256color NO_COLOR=1 "+
		"sh -c '%s demo blocking-handler --auto --speed 20 --record %s; echo EXIT=$?; sleep 600'", exe, file))
	s := x.waitScreen("EXIT=")
	if !strings.Contains(s, "EXIT=0") || !strings.Contains(s, "recorded ") || !strings.Contains(s, "replay it with") {
		t.Fatalf("after --auto --record: want EXIT=0 and where the recording is; screen:\n%s", s)
	}
	out, errOut, code := runArgs(t, "replay", file, "--summary")
	if code != 0 {
		t.Fatalf("replay --summary: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"stall", "blocking handler (sleeps 300ms)"} {
		if !strings.Contains(out, want) {
			t.Errorf("replay --summary of the recorded demo lacks %q:\n%s", want, out)
		}
	}
}
