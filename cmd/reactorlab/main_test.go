package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor/tcp"
)

// TestMain lets the tests run this test binary as the real program: with
// REACTORLAB_TEST_MAIN=1 it is reactorlab (main, signals, exit status),
// which the file-limit and SIGHUP tests need.
func TestMain(m *testing.M) {
	if os.Getenv("REACTORLAB_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// testEnv is an env over buffers with a generous file limit.
func testEnv() (*env, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
		fileLimit: func() (uint64, uint64, error) { return 1 << 20, 1 << 20, nil }}, &out, &errOut
}

// runArgs runs a command line the way main does, against buffers, and
// returns what it printed and its exit status.
func runArgs(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	e, out, errOut := testEnv()
	code = exitCode(run(context.Background(), args, e), errOut)
	return out.String(), errOut.String(), code
}

// TestProbeFindings holds every bad-input finding of issue 10's probe,
// each as the command line that showed it. A usage mistake is one line
// and a hint, exit 2; no message names the program twice; nothing prints
// the flag package's usage dump.
func TestProbeFindings(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string // substring of stderr
		notIn    string // must not appear in stdout or stderr
	}{
		{"unknown serve flag", []string{"serve", "--frob"}, 2, "serve: unknown flag --frob", "Usage"},
		{"max-line not a number", []string{"serve", "--max-line", "abc"}, 2, `--max-line "abc": want a whole number`, "Usage"},
		{"lesson -1 is a lesson, not a flag", []string{"lesson", "-1"}, 2, `no lesson "-1"; valid lessons: 1 (`, "Usage"},
		{"version flag", []string{"version", "--x"}, 2, "version: unknown flag --x", "Usage of"},
		{"help for no command", []string{"help", "frob"}, 2, `unknown command "frob"`, "Usage"},
		{"version with an argument", []string{"version", "extra"}, 2, `version: unexpected argument "extra"`, "reactorlab (devel)"},
		{"max-line 0", []string{"serve", "--max-line", "0"}, 2, "--max-line 0: use 1 to", ""},
		{"max-line -1", []string{"serve", "--max-line", "-1"}, 2, "--max-line -1: use 1 to", ""},
		{"slow-delay -1s", []string{"serve", "--slow-delay", "-1s"}, 2, "--slow-delay -1s: use a positive duration", ""},
		{"rate NaN", []string{"load", "--rate", "NaN"}, 2, "--rate NaN:", ""},
		{"rate Inf", []string{"load", "--rate", "Inf"}, 2, "--rate +Inf:", ""},
		{"server-pid -5", []string{"load", "--server-pid", "-5"}, 2, "--server-pid -5:", ""},
		{"conns beyond the fd limit", []string{"load", "--conns", "99999999999"}, 2, "need 100000000031 open files but this process may open 1048576", "goroutine"},
		{"serve without a terminal", []string{"serve", "--listen", busy.Addr().String()}, 1, "serve: the live dashboard needs a terminal", "stopped after"},
		{"lesson without a terminal", []string{"lesson", "1"}, 1, "reactorlab: lesson: needs a terminal", "reactorlab: reactorlab"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runArgs(t, tc.args...)
			if code != tc.code {
				t.Errorf("reactorlab %s: exit %d; want %d (stderr %q)", strings.Join(tc.args, " "), code, tc.code, errOut)
			}
			if !strings.Contains(errOut, tc.inStderr) {
				t.Errorf("reactorlab %s: stderr = %q; want it to contain %q", strings.Join(tc.args, " "), errOut, tc.inStderr)
			}
			for _, bad := range []string{tc.notIn, "reactorlab: reactorlab", "Usage of", "flag provided"} {
				if bad != "" && strings.Contains(out+errOut, bad) {
					t.Errorf("reactorlab %s: output contains %q:\n%s%s", strings.Join(tc.args, " "), bad, out, errOut)
				}
			}
			want := 1 // the error
			if tc.code == 2 {
				want = 2 // and the hint
			}
			if strings.Count(errOut, "\n") != want {
				t.Errorf("reactorlab %s: stderr has %d lines; want %d (the error, and a hint for a usage mistake):\n%s",
					strings.Join(tc.args, " "), strings.Count(errOut, "\n"), want, errOut)
			}
			if tc.code == 2 && !strings.Contains(errOut, "Run 'reactorlab ") {
				t.Errorf("reactorlab %s: stderr = %q; want a hint to the help", strings.Join(tc.args, " "), errOut)
			}
		})
	}

	// The top-level help lists every protocol the server knows, from the
	// protocol registry.
	out, _, _ := runArgs(t, "--help")
	for _, p := range tcp.Protocols() {
		if !strings.Contains(out, p) {
			t.Errorf("--help does not mention protocol %q:\n%s", p, out)
		}
	}

	// With neither HOME nor XDG_STATE_HOME the exercise list still runs,
	// and says progress is kept for this run only.
	t.Setenv("HOME", "")
	t.Setenv("XDG_STATE_HOME", "")
	out, errOut, code := runArgs(t, "exercises")
	if code != 0 || !strings.Contains(out, "01_drain") || !strings.Contains(errOut, "for this run only") {
		t.Errorf("exercises without HOME: exit %d, stdout %q, stderr %q; want the list and a note", code, out, errOut)
	}
}

// The command lines that work, and their exit statuses.
func TestCommandLine(t *testing.T) {
	tests := []struct {
		args  []string
		code  int
		inOut string
	}{
		{nil, 0, "Stdout is not a terminal"},
		{[]string{"--help"}, 0, "Commands:"},
		{[]string{"-h"}, 0, "Usage:"},
		{[]string{"help"}, 0, "Usage:"},
		{[]string{"help", "serve"}, 0, "Usage: reactorlab serve"},
		{[]string{"--help", "bench", "wait"}, 0, "Usage: reactorlab bench wait"},
		{[]string{"version"}, 0, "reactorlab "},
		{[]string{"--version"}, 0, runtime.Version()},
		{[]string{"lessons"}, 0, "reactorlab lesson one-process-many-connections"},
		{[]string{"nosuch"}, 2, ""},
		{[]string{"--bogus"}, 2, ""},
	}
	for _, tc := range tests {
		out, errOut, code := runArgs(t, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.inOut) {
			t.Errorf("reactorlab %s: exit %d, stdout %q, stderr %q; want exit %d and %q in stdout",
				strings.Join(tc.args, " "), code, out, errOut, tc.code, tc.inOut)
		}
	}
}

// underLimit returns a command running this test binary as reactorlab
// (see TestMain) under `ulimit -n limit`.
func underLimit(t *testing.T, limit string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// sh -c 'ulimit -n 8 && exec "$@"' sh /path/to/test.binary serve ...
	cmd := exec.Command("sh", append([]string{"-c", `ulimit -n ` + limit + ` && exec "$@"`, "sh", exe}, args...)...)
	cmd.Env = append(os.Environ(), "REACTORLAB_TEST_MAIN=1")
	return cmd
}

// With a file limit of 7 to 11 the Go runtime itself cannot start its
// poller; the reactor commands check the limit first and say what they
// need instead of dying in a runtime trace. Commands that need no fds
// still work.
func TestFileLimitTooLow(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to set the limit with ulimit")
	}
	for _, limit := range []string{"7", "8", "11"} {
		for _, args := range [][]string{
			{"serve", "--headless", "--listen", "127.0.0.1:0"},
			{"lesson", "1"},
			{"load", "--conns", "1"},
			{"bench", "wait", "-n", "4"},
		} {
			cmd := underLimit(t, limit, args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			cmd.Run()
			code, msg := cmd.ProcessState.ExitCode(), stderr.String()
			if code != 1 || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "needs at least 64 open files") ||
				!strings.Contains(msg, "may open only "+limit) {
				t.Errorf("ulimit -n %s; reactorlab %s: exit %d, stderr:\n%s\nwant exit 1 and one line naming the 64 files needed",
					limit, strings.Join(args, " "), code, msg)
			}
		}
		if out, err := underLimit(t, limit, "version").CombinedOutput(); err != nil || !strings.Contains(string(out), "reactorlab ") {
			t.Errorf("ulimit -n %s; reactorlab version: %v, %q; want the version", limit, err, out)
		}
	}
}

// tmuxLab is a private tmux server (its own socket, no user config) with
// one 100×30 window.
type tmuxLab struct {
	t    *testing.T
	sock string
}

func newTmuxLab(t *testing.T, shell string) *tmuxLab {
	t.Helper()
	x := &tmuxLab{t: t, sock: fmt.Sprintf("reactorlab-cli-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-"))}
	x.run("new-session", "-d", "-s", "lab", "-x", "100", "-y", "30", shell)
	t.Cleanup(func() { exec.Command("tmux", "-L", x.sock, "kill-server").Run() })
	return x
}

func (x *tmuxLab) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", x.sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (x *tmuxLab) screen() string { return x.run("capture-pane", "-p", "-S", "-", "-t", "lab") }

func (x *tmuxLab) format(f string) string {
	return strings.TrimSpace(x.run("display-message", "-p", "-t", "lab", f))
}

// waitScreen polls the pane (with its scrollback) until it shows want.
func (x *tmuxLab) waitScreen(want string) string {
	x.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := x.screen()
		if strings.Contains(s, want) {
			return s
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("screen never showed %q; last screen:\n%s", want, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// child is the one process the pane's shell is running.
func (x *tmuxLab) child() int {
	x.t.Helper()
	sh := x.format("#{pane_pid}")
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile("/proc/" + sh + "/task/" + sh + "/children")
		if f := strings.Fields(string(b)); len(f) == 1 {
			pid, err := strconv.Atoi(f[0])
			if err == nil {
				return pid
			}
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("the pane's shell (pid %s) has no single child: %q", sh, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// screenTests need tmux and Linux's /proc; they run the real program.
func needTmux(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: skipped with -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("finds the program's pid through Linux's /proc")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed (.ci/run installs it)")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// SIGHUP (a closed terminal window, a dropped SSH session) ends every
// screen command the way Ctrl-C does: the terminal comes back cooked, out
// of the alternate screen, with its cursor, and the exit status is 0, not
// the shell's 129 for a process the signal killed.
func TestSIGHUPRestoresTerminal(t *testing.T) {
	exe := needTmux(t)
	tests := []struct {
		name, args, ready string
	}{
		{"home", "", "One process, many connections"},
		{"lesson", "lesson 1", "page 1/"},
		{"serve dashboard", "serve --listen 127.0.0.1:0", "reactorlab serve —"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := newTmuxLab(t, fmt.Sprintf("env REACTORLAB_TEST_MAIN=1 TERM=xterm-256color NO_COLOR=1 XDG_STATE_HOME=%s "+
				"sh -c '%s %s; echo EXIT=$?; stty -a; echo STTY-END; sleep 600'", t.TempDir(), exe, tc.args))
			x.waitScreen(tc.ready)
			if err := syscall.Kill(x.child(), syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
			// Wait for the line after stty's: the screen may show EXIT= before
			// stty has printed anything.
			s := x.waitScreen("STTY-END")
			if !strings.Contains(s, "EXIT=0") {
				t.Errorf("after SIGHUP the shell printed %q; want EXIT=0 (a clean exit, not death by signal)", s[strings.Index(s, "EXIT="):])
			}
			if !strings.Contains(s, " icanon") || !strings.Contains(s, " echo ") {
				t.Errorf("after SIGHUP stty -a shows a raw terminal; want icanon and echo on:\n%s", s)
			}
			if alt, cursor := x.format("#{alternate_on}"), x.format("#{cursor_flag}"); alt != "0" || cursor != "1" {
				t.Errorf("after SIGHUP alternate_on=%s cursor_flag=%s; want 0 and 1 (normal screen, cursor shown)", alt, cursor)
			}
		})
	}
}

// Killing the tmux session (the terminal goes away: SIGHUP, and the tty
// is gone) ends the lesson; it does not linger.
func TestKillSessionEndsLesson(t *testing.T) {
	exe := needTmux(t)
	x := newTmuxLab(t, fmt.Sprintf("env REACTORLAB_TEST_MAIN=1 TERM=xterm-256color NO_COLOR=1 XDG_STATE_HOME=%s "+
		"sh -c '%s lesson 1; sleep 600'", t.TempDir(), exe))
	x.waitScreen("page 1/")
	pid := x.child()
	x.run("kill-session", "-t", "lab")
	deadline := time.Now().Add(30 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); strings.Contains(string(b), ") Z ") {
			break // exited; a zombie until tmux's child reaper runs
		}
		if time.Now().After(deadline) {
			t.Fatalf("reactorlab lesson 1 (pid %d) still runs after its tmux session was killed", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
