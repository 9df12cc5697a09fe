package exercises

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hangModule writes a one-package module whose test file is test (and, if
// given, a second source file src) and returns its directory.
func hangModule(t *testing.T, test, src string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":         "module hang\n\ngo 1.22\n",
		"hang/hang.go":   "package hang\n" + src,
		"hang/a_test.go": "package hang\n\n" + test,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func needGo(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs go test in a subprocess")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not in PATH")
	}
}

// leftInGroup lists the processes of group pgid that are still alive (not
// zombies waiting to be reaped), from /proc.
func leftInGroup(t *testing.T, pgid int) []string {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var alive []string
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // it ended while we looked
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces, so cut at ")".
		i := strings.LastIndexByte(string(b), ')')
		f := strings.Fields(string(b)[i+1:])
		if len(f) < 3 || f[0] == "Z" || f[0] == "X" {
			continue
		}
		if pg, _ := strconv.Atoi(f[2]); pg == pgid {
			alive = append(alive, strings.TrimSpace(string(b)[:i+1]))
		}
	}
	return alive
}

// assertGroupGone fails unless every process of group pgid has died. SIGKILL
// takes effect asynchronously, so it polls (a bound on failure, not a timed
// assert).
func assertGroupGone(t *testing.T, pgid int) {
	t.Helper()
	if runtime.GOOS != "linux" {
		return // reads /proc
	}
	if pgid == 0 {
		t.Fatal("the run never reported its process group")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := leftInGroup(t, pgid)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes of the grading run's group %d are still alive after it returned: %v", pgid, left)
		}
		time.Sleep(20 * time.Millisecond) // polling interval, not synchronisation
	}
}

// A package that spins while it initialises is never reached by go test's
// -timeout (that clock starts with the first test): the runner stops it
// itself soon after, says so, and leaves no process behind.
func TestRunStopsAPackageThatHangsWhileLoading(t *testing.T) {
	needGo(t)
	dir := hangModule(t, `import "testing"

func TestNever(t *testing.T) {}
`, `
var spun = func() int {
	n := 0
	for {
		n++
	}
}()
`)
	var pgid int
	res, err := TestRun{Dir: dir, Pkg: "./hang/", Timeout: time.Second, Grace: time.Second,
		started: func(p int) { pgid = p }}.Run(context.Background())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Passed || res.Stopped == "" || res.Started != 0 {
		t.Errorf("Passed, Stopped, Started = %v, %q, %d; want false, a reason, 0", res.Passed, res.Stopped, res.Started)
	}
	if h := res.Headline(); !strings.Contains(h, "did not finish") {
		t.Errorf("Headline() = %q; want it to say the run did not finish", h)
	}
	if d := res.Details(0); !strings.Contains(d, "No test had started") || !strings.Contains(d, "init function") {
		t.Errorf("Details() = %q; want it to point at code that runs while the package loads", d)
	}
	assertGroupGone(t, pgid)
}

// A test that spins outside any guard hits go test's -timeout: it is
// reported as never finished, with the panic line and without the stack
// dump, and what it printed before is kept.
func TestRunReportsATestThatHitTheTimeout(t *testing.T) {
	needGo(t)
	dir := hangModule(t, `import "testing"

func TestFine(t *testing.T) {}

func TestSpin(t *testing.T) {
	t.Log("before the loop")
	for {
	}
}
`, "")
	var pgid int
	res, err := TestRun{Dir: dir, Pkg: "./hang/", Timeout: time.Second, started: func(p int) { pgid = p }}.Run(context.Background())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Passed || len(res.Failures) == 0 {
		t.Fatalf("Passed, Failures = %v, %v; want a failure", res.Passed, res.Failures)
	}
	first := res.Failures[0]
	if first.Test != "TestSpin" || !first.Unfinished {
		t.Errorf("first failure = %s (unfinished %v); want TestSpin, unfinished", first.Test, first.Unfinished)
	}
	for _, want := range []string{"before the loop", "panic: test timed out after 1s"} {
		if !strings.Contains(first.Output, want) {
			t.Errorf("TestSpin's output lacks %q:\n%s", want, first.Output)
		}
	}
	if strings.Contains(first.Output, "goroutine 1 ") || !strings.Contains(res.Log, "goroutine ") {
		t.Errorf("the stack dump should be cut from the failure and kept in the log; failure:\n%s", first.Output)
	}
	if h := res.Headline(); !strings.Contains(h, "TestSpin never finished") {
		t.Errorf("Headline() = %q; want it to name the test that never finished", h)
	}
	assertGroupGone(t, pgid)
}

// Cancelling a run (Ctrl-C, leaving watch mode) kills go test and the test
// binary at once and keeps what they printed.
func TestRunCancelKillsTheGroup(t *testing.T) {
	needGo(t)
	dir := hangModule(t, `import "testing"

func TestBlock(t *testing.T) {
	t.Log("waiting forever")
	select {}
}
`, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var pgid int
	res, err := TestRun{Dir: dir, Pkg: "./hang/", started: func(p int) { pgid = p },
		onRun: func(string) { cancel() }}.Run(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run after cancel: err = %v; want context.Canceled", err)
	}
	if res.Passed || res.Started != 1 {
		t.Errorf("Passed, Started = %v, %d; want false, 1", res.Passed, res.Started)
	}
	assertGroupGone(t, pgid)
}

// A test that starts a process and passes leaves nothing running either:
// the group is killed whole once the run is over.
func TestRunKillsWhatTheTestsLeftBehind(t *testing.T) {
	needGo(t)
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep command")
	}
	dir := hangModule(t, `import (
	"os/exec"
	"testing"
)

func TestLeaveAChild(t *testing.T) {
	if err := exec.Command(`+strconv.Quote(sleep)+`, "600").Start(); err != nil {
		t.Fatal(err)
	}
}
`, "")
	var pgid int
	res, err := TestRun{Dir: dir, Pkg: "./hang/", started: func(p int) { pgid = p }}.Run(context.Background())
	if err != nil || !res.Passed {
		t.Fatalf("Run = %v, %v; want a pass\n%s", res.Passed, err, res.Log)
	}
	assertGroupGone(t, pgid)
}

// Output is split into lines however it arrives; an endless line is cut.
func TestLineWriter(t *testing.T) {
	var got []string
	w := &lineWriter{line: func(b []byte) { got = append(got, string(b)) }}
	for _, chunk := range []string{"a", "b\nc\n", "\nd"} {
		w.Write([]byte(chunk))
	}
	w.flush()
	if want := []string{"ab", "c", "", "d"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("lines = %q; want %q", got, want)
	}
	got = nil
	w.Write([]byte(strings.Repeat("x", maxLine+10) + "\n"))
	if len(got) != 1 || len(got[0]) != maxLine {
		t.Errorf("an over-long line gave %d lines, the first %d bytes; want 1 of %d", len(got), len(got[0]), maxLine)
	}
}
