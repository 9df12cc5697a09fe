package lessons

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The end-to-end tests share one build of the binary, made by the first
// that needs it and removed when the package's tests are done.
var (
	labOnce sync.Once
	labDir  string
	labBin  string
	labErr  error
)

// TestMain lets this test binary be one of lesson 13's servers, as the
// lab's executable is (the comparison starts os.Executable() with
// ChildEnv set), and removes the shared build.
func TestMain(m *testing.M) {
	if status, ok := RunChild(); ok {
		os.Exit(status)
	}
	code := m.Run()
	if labDir != "" {
		os.RemoveAll(labDir)
	}
	os.Exit(code)
}

// labBinary is the real binary, built once.
func labBinary(t *testing.T) string {
	t.Helper()
	labOnce.Do(func() {
		if labDir, labErr = os.MkdirTemp("", "reactorlab-e2e-"); labErr != nil {
			return
		}
		bin := filepath.Join(labDir, "reactorlab")
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/reactorlab")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			labErr = fmt.Errorf("go build ./cmd/reactorlab: %v\n%s", err, out)
			return
		}
		labBin = bin
	})
	if labErr != nil {
		t.Fatal(labErr)
	}
	return labBin
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
	bin := labBinary(t)
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

// labSession starts the real binary in a private tmux server with args,
// in a 100×30 window, and stops the server when the test ends.
func labSession(t *testing.T, name, args string) *tmuxLab {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: skipped with -short")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed: skipping the end-to-end test (.ci/run installs it)")
	}
	bin := labBinary(t)
	x := &tmuxLab{t: t, sock: fmt.Sprintf("reactorlab-%s-%d", name, os.Getpid())}
	shell := fmt.Sprintf("env TERM=xterm-256color NO_COLOR=1 sh -c '%s %s; echo EXIT=$?'", bin, args)
	x.run("new-session", "-d", "-s", "lab", "-x", "100", "-y", "30", shell)
	t.Cleanup(func() { exec.Command("tmux", "-L", x.sock, "kill-server").Run() })
	x.run("set-option", "-t", "lab", "remain-on-exit", "on")
	return x
}

// quit presses q and waits for the program to exit cleanly.
func (x *tmuxLab) quit() {
	x.t.Helper()
	x.key("q")
	x.waitFor("EXIT=0", x.scrollback)
}

// p99 reads group's p99 off the latency pane (0 when not shown yet): its
// row is the group's name after the pane's border, then the clients,
// req/s, p50 and p99.
func (x *tmuxLab) p99(group string) time.Duration {
	for _, line := range strings.Split(x.screen(), "\n") {
		_, row, ok := strings.Cut(line, "│"+group+" ")
		if f := strings.Fields(row); ok && len(f) >= 4 {
			d, _ := time.ParseDuration(f[3])
			return d
		}
	}
	return 0
}

// waitP99 polls the screen until group's p99 is at least least.
func (x *tmuxLab) waitP99(group string, least time.Duration) {
	x.t.Helper()
	x.waitFor(group+" p99 ≥ "+least.String(), func() string {
		if x.p99(group) >= least {
			return group + " p99 ≥ " + least.String()
		}
		return x.screen()
	})
}

// TestBlockingTheLoopInTmux: in lesson 8 a CPU-bound handler (H) is
// blamed by the stalls pane, and the p99 of every client group jumps,
// the pings that asked for nothing hard included.
func TestBlockingTheLoopInTmux(t *testing.T) {
	x := labSession(t, "lesson8", "lesson blocking-the-loop")
	x.waitScreen("8. Blocking the loop")
	x.waitScreen("work server · try: nc 127.0.0.1 ")
	x.waitScreen("│ping ")
	x.waitScreen("│chat ")
	x.key("H")
	x.waitScreen("blamed on cpu-bound handler")
	x.waitP99("ping", 300*time.Millisecond)
	x.waitP99("chat", 100*time.Millisecond)
	x.waitScreen("late timer +") // the housekeeping timer waited too
	x.quit()
}

// TestDeferredIsNotAThreadInTmux: in lesson 9 the reports stall the loop
// until they move to the pool (O); a flood (F) fills the pool, queue and
// all; the deadlock trap (D) wedges every worker on nested reports.
func TestDeferredIsNotAThreadInTmux(t *testing.T) {
	x := labSession(t, "lesson9", "lesson a-deferred-is-not-a-thread")
	x.waitScreen("9. A Deferred is not a thread")
	x.waitScreen("blamed on work 127.0.0.1:") // a report's query, in its connection's handler
	x.waitScreen("no job has reached the pool yet")
	x.key("O")
	x.waitScreen("offload ON")
	x.waitScreen("delivered ") // reports run on the pool and come back
	x.key("F")
	x.waitScreen("flood ON")
	x.waitScreen("4/4 workers busy")
	x.waitScreen("(saturated)")
	x.key("F")
	x.waitScreen("busy · 0 queued") // the crowd went home
	x.key("D")
	x.waitScreen("4/4 workers busy")
	x.waitScreen("w1  nested ")
	x.waitScreen("failed 4") // the wedged jobs give up
	x.quit()
}

// TestChainsThatWaitInTmux: in lesson 10 the chain pane shows a chain
// waiting on a lookup's Deferred; a client that hangs up (U) has its
// chain cancelled, and the cancel reaches the lookup; a slow user (T)
// times out.
func TestChainsThatWaitInTmux(t *testing.T) {
	x := labSession(t, "lesson10", "lesson chains-that-wait")
	x.waitScreen("10. Chains that wait on chains")
	x.waitScreen(`waiting on Deferred #`)
	x.waitScreen(`"lookup user `)
	x.key("U")
	x.waitScreen("■ the cancel reached Deferred")
	x.key("T")
	x.waitScreen("■ timed out after 1.00s")
	x.quit()
}

// The end-to-end tests of lessons 4–7: the real binary in a private tmux
// server, driven by keys as a learner drives it, each triggering its
// lesson's fault and reading the effect off the screen (and, where there
// is one, the cure). They poll the screen with a deadline; nothing waits a
// fixed time.

// openLesson starts `reactorlab lesson n` in a w×h tmux window and waits
// for its scenario to be up.
func openLesson(t *testing.T, n, w, h int) *tmuxLab {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: skipped with -short")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed: skipping the end-to-end test (.ci/run installs it)")
	}
	bin := labBinary(t)
	x := &tmuxLab{t: t, sock: fmt.Sprintf("reactorlab-lesson%d-%d", n, os.Getpid())}
	shell := fmt.Sprintf("env TERM=xterm-256color NO_COLOR=1 sh -c '%s lesson %d; echo EXIT=$?'", bin, n)
	x.run("new-session", "-d", "-s", "lab", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), shell)
	t.Cleanup(func() { exec.Command("tmux", "-L", x.sock, "kill-server").Run() })
	x.run("set-option", "-t", "lab", "remain-on-exit", "on")
	x.waitScreen("try: nc 127.0.0.1 ")
	return x
}

// until polls the screen until cond holds, failing with what and the last
// screen after the deadline.
func (x *tmuxLab) until(what string, cond func(screen string) bool) string {
	x.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := x.screen()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("screen never showed %s; last screen:\n%s", what, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// count reads a number the screen printed with fmtCount ("980", "85.7k").
func count(s string) float64 {
	mul := 1.0
	switch {
	case strings.HasSuffix(s, "k"):
		mul, s = 1e3, strings.TrimSuffix(s, "k")
	case strings.HasSuffix(s, "M"):
		mul, s = 1e6, strings.TrimSuffix(s, "M")
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f * mul
}

var (
	passRate  = regexp.MustCompile(`passes/s ([0-9.]+[kM]?)`)
	passCount = regexp.MustCompile(`pass #(\d+)`)
)

// passesPerSec is the loop pane's passes/s (-1 when not on screen).
func passesPerSec(screen string) float64 {
	m := passRate.FindStringSubmatch(screen)
	if m == nil {
		return -1
	}
	return count(m[1])
}

// passNumber is the readiness pane's pass counter (-1 when not on screen).
func passNumber(screen string) int {
	m := passCount.FindStringSubmatch(screen)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestLessonFourInTmux: on poll, close a connection's fd behind the
// loop's back. The readiness pane must show the POLLNVAL cell (N) on the
// row of the registration that ended (✗), and the error line what the
// loop made of it.
func TestLessonFourInTmux(t *testing.T) {
	x := openLesson(t, 4, 100, 30)
	x.waitScreen("backend poll")
	nval := regexp.MustCompile(`\d+✗echo \S+ [.IOBHE! ]*N`)
	x.key("v")
	x.until("an N cell on an ended row", nval.MatchString)
	x.waitScreen("was closed while still registered")
	x.quit()
}

// TestLessonFiveInTmux: with the one-byte handler on epoll, switch every
// second connection to edge triggering. An edge-triggered connection must
// hang — bytes unread in the interest pane, its echo stopped, pass after
// pass — while its level-triggered neighbour keeps echoing; fixing the
// handler must drain it and bring the echo back.
func TestLessonFiveInTmux(t *testing.T) {
	x := openLesson(t, 5, 120, 40)
	x.key("p")
	x.waitScreen("partial-read ON")
	x.key("b")
	x.waitScreen("backend epoll")
	x.key("e")
	x.waitScreen("edge-triggered ON")
	var et, lt string // the two clients' fds
	s := x.until("an edge-triggered connection with unread bytes", func(s string) bool {
		et, lt = "", ""
		for _, fd := range interestFds(s) {
			switch want := interestCell(s, fd, "want"); {
			case want == "r|et" && strings.HasSuffix(interestCell(s, fd, "unread"), "B"):
				et = fd
			case want == "r":
				lt = fd
			}
		}
		return et != "" && lt != ""
	})
	out, unread, ltOut, pass := interestCell(s, et, "out"), interestCell(s, et, "unread"), interestCell(s, lt, "out"), passNumber(s)
	// Twenty passes on, the edge-triggered one has echoed nothing more and
	// still holds its bytes; the level-triggered one has gone on echoing.
	s = x.until("twenty passes more, the level-triggered client echoing", func(s string) bool {
		return passNumber(s) >= pass+20 && interestCell(s, lt, "out") != ltOut
	})
	if got, left := interestCell(s, et, "out"), interestCell(s, et, "unread"); got != out || left != unread {
		t.Fatalf("edge-triggered fd %s twenty passes on: out %s, unread %s; want it stuck at %s out, %s unread:\n%s",
			et, got, left, out, unread, s)
	}
	x.key("p") // the fix: read until EAGAIN
	x.until("fd "+et+" drained and echoing", func(s string) bool {
		return interestCell(s, et, "unread") == "" && interestCell(s, et, "out") != out && interestCell(s, et, "out") != ""
	})
	x.quit()
}

// interestFds lists the fds of the interest pane's rows on screen.
func interestFds(screen string) []string {
	var fds []string
	for _, m := range interestRow.FindAllStringSubmatch(screen, -1) {
		fds = append(fds, m[1])
	}
	return fds
}

var interestRow = regexp.MustCompile(`(?m)│\s+(\d+) echo `)

// interestCell reads one column of fd's row in the interest pane, by the
// position of its heading ("" when the cell is blank or the row is not on
// screen). Columns may be blank, so positions, not words, tell them apart.
func interestCell(screen, fd, column string) string {
	lines := strings.Split(screen, "\n")
	head := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, " owner ") && strings.Contains(l, " want ") })
	if head < 0 {
		return ""
	}
	hr := []rune(lines[head])
	from := strings.Index(lines[head], " owner ") // the pane's headings, not the prose beside them
	at := strings.Index(lines[head][from:], " "+column+" ")
	if at < 0 {
		return ""
	}
	at += from
	col := len([]rune(lines[head][:at+1]))
	for _, l := range lines[head+1:] {
		r := []rune(l)
		if !regexp.MustCompile(`│\s+`+fd+` echo `).MatchString(l) || len(r) <= col {
			continue
		}
		end := col
		for end < len(r) && end < len(hr) && r[end] != ' ' {
			end++
		}
		return strings.TrimSpace(string(r[col:end]))
	}
	return ""
}

// TestLessonSixInTmux: one-shot without re-arming leaves connections with
// unread lines, and re-arming drains them. Then the dup trap: a
// connection closed while a dup keeps its file open goes on being
// reported — stale events (!) on its ended row, pass after pass — until
// the dup is closed.
func TestLessonSixInTmux(t *testing.T) {
	x := openLesson(t, 6, 120, 40)
	x.key("o")
	stuck := func(s string) int { // one-shot connections with a line unread
		n := 0
		for _, fd := range interestFds(s) {
			if interestCell(s, fd, "want") == "r|oneshot" && interestCell(s, fd, "unread") != "" {
				n++
			}
		}
		return n
	}
	x.until("a one-shot connection with an unread line", func(s string) bool { return stuck(s) > 0 })
	x.key("a")
	x.waitScreen("rearm ON")
	x.until("every one-shot connection drained", func(s string) bool {
		return stuck(s) == 0 && strings.Contains(s, "r|oneshot")
	})
	x.key("o")
	x.key("a")
	x.until("one-shot and re-arm off", func(s string) bool {
		return !strings.Contains(s, "oneshot ON") && !strings.Contains(s, "rearm ON")
	})

	x.key("d")
	x.waitScreen("dup-trap ON")
	stale := regexp.MustCompile(`\d+✗echo :\d+\s+[.IOBHEN ]*!{10,}`)
	x.until("stale events on the trapped fd, pass after pass", stale.MatchString)
	x.waitScreen("stale events: the kernel reports an fd closed")
	x.key("d") // close the dup: the file goes, and epoll forgets it by itself
	x.until("the loop back at rest", func(s string) bool {
		r := passesPerSec(s)
		return !strings.Contains(s, "dup-trap ON") && r >= 0 && r < 1000
	})
	x.quit()
}

// TestLessonSevenInTmux: lower the fd limit, turn the reserve fd off and
// fill the table. The accept loop must spin — the listener ready on every
// pass, failed accepts by the thousand — and turning the reserve fd back
// on must cure it: the queued clients refused, the loop at rest. The
// limit must come back when switched off.
func TestLessonSevenInTmux(t *testing.T) {
	x := openLesson(t, 7, 120, 40)
	x.key("l")
	x.waitScreen("lowered from")
	x.key("r")
	x.waitScreen("reserve fd OFF")
	x.key("C")
	failed := regexp.MustCompile(`accept4 failed ([0-9.]+[kM]?) \(([0-9.]+[kM]?)/s\)`)
	listener := regexp.MustCompile(`echo li\S* I{20,}`)
	x.until("the accept loop spinning", func(s string) bool {
		m := failed.FindStringSubmatch(s)
		return m != nil && count(m[2]) >= 1000 && passesPerSec(s) >= 1000 && listener.MatchString(s)
	})
	x.key("r")
	x.waitScreen("reserve fd ON")
	refused := regexp.MustCompile(`refused ([0-9.]+[kM]?)`)
	x.until("the queued clients refused and the loop at rest", func(s string) bool {
		m := refused.FindStringSubmatch(s)
		r := passesPerSec(s)
		return m != nil && count(m[1]) > 0 && r >= 0 && r < 1000 && !strings.Contains(s, "/s)")
	})
	x.key("l")
	x.until("the limit restored", func(s string) bool { return !strings.Contains(s, "lowered from") })
	x.quit()
}

// waitMatch polls the pane until re matches a line that also passes ok,
// and returns the match.
func (x *tmuxLab) waitMatch(re *regexp.Regexp, ok func(m []string) bool) []string {
	x.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := x.screen()
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			if ok == nil || ok(m) {
				return m
			}
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("screen never matched %s; last screen:\n%s", re, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// atLeast is a waitMatch check: submatch i is a number of at least n.
func atLeast(i int, n float64) func([]string) bool {
	return func(m []string) bool {
		v, err := strconv.ParseFloat(m[i], 64)
		return err == nil && v >= n
	}
}

// TestLessonElevenInTmux: the stall key makes the housekeeping timer fire
// late, and the timers pane says by how much. The timer is due every
// 250 ms and the stall lasts 300 ms, so one falls due inside it and fires
// at least 50 ms late.
func TestLessonElevenInTmux(t *testing.T) {
	x := labSession(t, "lesson11", "lesson timers-and-wakeups")
	x.waitScreen("idle server · try: nc 127.0.0.1 ")
	x.waitScreen("(*idleServer).housekeeping")
	x.key("k")
	x.waitMatch(regexp.MustCompile(`fired in 10 s: \d+, [1-9]\d* late · worst (\d+)ms`), atLeast(1, 50))
	x.waitScreen("blamed on blocking handler")
	x.key("g")
	x.waitMatch(regexp.MustCompile(`(?:calls from goroutines|goroutine calls) ([\d.]+)k`), atLeast(1, 10))
	x.quit()
}

// TestLessonTwelveInTmux: with the watermarks on, a slow member's
// transport pauses the bot, and resumes it once the queue drains.
func TestLessonTwelveInTmux(t *testing.T) {
	x := labSession(t, "lesson12", "lesson backpressure")
	x.waitScreen("room server · try: nc 127.0.0.1 ")
	x.key("w")
	x.waitScreen("flow-control ON")
	x.key("s")
	x.waitScreen("PAUSED on 1")
	// Paused twice: it was resumed in between. (The count reads
	// "paused N×" on a narrow pane, "pauses N" on a wide one.)
	x.waitMatch(regexp.MustCompile(`paused?s? (\d+)[×,]`), atLeast(1, 2))
	x.quit()
}

// TestLessonThirteenInTmux: both servers' counts side by side, then the
// memory an idle connection costs each.
func TestLessonThirteenInTmux(t *testing.T) {
	x := labSession(t, "lesson13", "lesson go-net-is-a-reactor-too")
	x.waitScreen("reactor: nc 127.0.0.1 ")
	num := `(\d+\.\d\d)`
	// Where ptrace is not allowed the syscall rows say n/a; the memory
	// rows below do not need it.
	row := x.waitMatch(regexp.MustCompile(`syscalls/request\s+(\S+)\s+(\S+)`), func(m []string) bool { return m[1] != "—" && m[2] != "—" })
	if row[1] != "n/a" {
		x.waitMatch(regexp.MustCompile(`syscalls/request\s+`+num+`\s+`+num), atLeast(1, 1))
		// Go net reads until EAGAIN and parks: about two reads a request.
		x.waitMatch(regexp.MustCompile(`  read\s+`+num+`\s+`+num), atLeast(2, 1.5))
	}
	x.key("C")
	x.key("C")
	m := x.waitMatch(regexp.MustCompile(`memory/idle conn\s+(\d+(?:\.\d)?)(B|KiB)\s+(\d+(?:\.\d)?)(B|KiB)`), nil)
	if m[4] != "KiB" {
		t.Errorf("Go net's memory per idle connection = %s%s; want KiB (a goroutine and its buffer)", m[3], m[4])
	}
	x.quit()
}
