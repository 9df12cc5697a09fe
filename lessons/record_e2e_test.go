package lessons

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestRecordReplayInTmux is the recording's promise, with the real binary
// in a terminal: record lesson 1 while its stall injector blocks the loop,
// replay the file, jump to the stall, step back one pass, and read the
// blamed handler off the screen.
func TestRecordReplayInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: skipped with -short")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed: skipping the end-to-end test (.ci/run installs it)")
	}
	dir := t.TempDir()
	bin := labBinary(t)
	file := filepath.Join(dir, "stall.rlt")
	// One private tmux server per program run: a server whose last session
	// was killed goes away on its own time, so it is never reused.
	open := func(name, args string) *tmuxLab {
		x := &tmuxLab{t: t, sock: fmt.Sprintf("reactorlab-%s-%d", name, os.Getpid())}
		t.Cleanup(func() { exec.Command("tmux", "-L", x.sock, "kill-server").Run() })
		shell := fmt.Sprintf("env TERM=xterm-256color NO_COLOR=1 sh -c '%s %s; echo EXIT=$?'", bin, args)
		x.run("new-session", "-d", "-s", "lab", "-x", "120", "-y", "40", shell)
		x.run("set-option", "-t", "lab", "remain-on-exit", "on")
		return x
	}

	x := open("record", "lesson 1 --record "+file)
	x.waitScreen("try: nc 127.0.0.1 ")
	x.key("k") // the stall injector: a handler that sleeps 300 ms
	x.waitScreen("stalls seen 1")
	x.key("q")
	x.waitFor("EXIT=0", x.scrollback)
	if s := x.scrollback(); !strings.Contains(strings.ReplaceAll(s, "\n", ""), "replay it with: reactorlab replay "+file) {
		t.Errorf("after the lesson, no word of the recording:\n%s", s)
	}

	x = open("replay", "replay "+file)
	x.waitScreen("pass 1 of ")
	x.key("s") // the next stall
	x.waitScreen("at this pass: stall")
	scr := x.screen()
	at := passOnScreen(t, scr)
	for _, want := range []string{"blocking handler (sleeps 300ms)", "stalls seen 1"} {
		if !strings.Contains(scr, want) {
			t.Errorf("at the stall (pass %d) the screen does not show %q:\n%s", at, want, scr)
		}
	}
	x.key("Left") // one pass back: before the stall
	x.waitScreen(fmt.Sprintf("pass %d of ", at-1))
	scr = x.screen()
	if want := fmt.Sprintf("next ▸ pass %d (+1): stall ", at); !strings.Contains(scr, want) {
		t.Errorf("one pass before the stall the timeline does not say %q:\n%s", want, scr)
	}
	if !regexp.MustCompile(`stall \d+(\.\d+)?ms blamed on blocking handler \(sleeps 300ms\)`).MatchString(scr) {
		t.Errorf("one pass before the stall the blamed handler is not on the screen:\n%s", scr)
	}
	if !strings.Contains(scr, "stalls seen 0") {
		t.Errorf("one pass before the stall the stalls pane already counts it:\n%s", scr)
	}
	x.key("q")
	x.waitFor("EXIT=0", x.scrollback)
}

// passOnScreen reads "pass N of M" off the timeline.
func passOnScreen(t *testing.T, screen string) int {
	t.Helper()
	m := regexp.MustCompile(`pass ([\d,]+) of [\d,]+`).FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("no pass number on the screen:\n%s", screen)
	}
	n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	return n
}
