package lessons

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildLab builds the real binary into dir.
func buildLab(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "reactorlab")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/reactorlab")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/reactorlab: %v\n%s", err, out)
	}
	return bin
}

// tmuxLab is a private tmux server (its own socket, no user config)
// running one command in a 100×30 window.
type tmuxLab struct {
	t    *testing.T
	sock string
}

func (x *tmuxLab) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", x.sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (x *tmuxLab) screen() string { return x.run("capture-pane", "-p", "-t", "lab") }

// scrollback is the screen plus everything scrolled off it: after the
// program leaves the alternate screen, the shell's last lines may be there.
func (x *tmuxLab) scrollback() string { return x.run("capture-pane", "-p", "-S", "-", "-t", "lab") }

// key sends one key name (tmux syntax: "C", "b", "Space", "q").
func (x *tmuxLab) key(k string) { x.run("send-keys", "-t", "lab", k) }

// waitScreen polls the pane until it shows want.
func (x *tmuxLab) waitScreen(want string) { x.t.Helper(); x.waitFor(want, x.screen) }

// waitFor polls capture until it contains want.
func (x *tmuxLab) waitFor(want string, capture func() string) {
	x.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := capture()
		if strings.Contains(s, want) {
			return
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("screen never showed %q; last screen:\n%s", want, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestLessonTwoInTmux drives the real binary like a learner: open lesson
// 2 on select, add idle clients until the server accepts fd 1024 and the
// refusal shows, switch backend live, quit, and check the terminal came
// back (the shell prints the exit status after the program has gone).
func TestLessonTwoInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: skipped with -short")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed: skipping the end-to-end test (.ci/run installs it)")
	}
	bin := buildLab(t, t.TempDir())
	x := &tmuxLab{t: t, sock: fmt.Sprintf("reactorlab-lessons-%d", os.Getpid())}
	shell := fmt.Sprintf("env TERM=xterm-256color NO_COLOR=1 sh -c '%s lesson 2; echo EXIT=$?'", bin)
	x.run("new-session", "-d", "-s", "lab", "-x", "100", "-y", "30", shell)
	t.Cleanup(func() { exec.Command("tmux", "-L", x.sock, "kill-server").Run() })
	x.run("set-option", "-t", "lab", "remain-on-exit", "on")

	x.waitScreen("select")
	x.waitScreen("try: nc 127.0.0.1 ") // the scenario is up: Info shows the server's port
	for range 6 {                      // 600 idle clients: 1200 fds, well past 1023
		x.key("C")
	}
	x.waitScreen("FD_SETSIZE")
	x.key("b")
	x.waitScreen("backend poll")
	x.key("q")
	x.waitFor("EXIT=0", x.scrollback)
	if alt := strings.TrimSpace(x.run("display-message", "-p", "-t", "lab", "#{alternate_on}")); alt != "0" {
		t.Errorf("alternate screen still on after quit (alternate_on=%s); want the terminal restored", alt)
	}
}
