package exercises

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// How long a grading run may take. Every call the graders make into a
// learner's code goes through the exercises' guard, which reports a call
// that spins, blocks or deadlocks after 3 seconds and skips the rest; a
// correct solution's tests take about a second. These limits are for what
// the guard cannot see: code that hangs while the package loads (an init
// function, a package-level variable), a test that waits outside the guard,
// a compiler that never finishes.
const (
	// TestTimeout is go test's -timeout: the test binary panics with every
	// goroutine's stack once it has run this long.
	TestTimeout = 20 * time.Second
	// StopGrace is how much longer the runner waits before it stops the run
	// itself. go test's own backstop waits a whole minute more, and
	// -timeout does not cover a package that hangs while it initialises.
	StopGrace = 5 * time.Second
	// BuildLimit bounds the time before the test binary starts: compiling
	// and vetting, which on a cold build cache and a busy machine is slow.
	BuildLimit = 3 * time.Minute
)

// waitDelay bounds how long a run waits, once the go command has exited or
// been killed, for a process that left the process group but still holds its
// output pipe.
const waitDelay = 2 * time.Second

// TestRun is one run of `go test -json` on one package. The go command and
// the test binary it starts run in a process group of their own, which is
// killed whole — go test, the test binary and anything they started — when
// the run overstays its limits, when ctx ends (Ctrl-C, the learner left
// watch mode), and once the run is over, so nothing is ever left running.
// A run that is stopped keeps what it printed until then.
type TestRun struct {
	Dir        string        // the module's directory, where go test runs
	Pkg        string        // the package: "./01_drain/"
	Timeout    time.Duration // go test -timeout; 0 means TestTimeout
	Grace      time.Duration // how long after Timeout the runner stops it; 0 means StopGrace
	BuildLimit time.Duration // how long compiling may take; 0 means BuildLimit

	// For tests: started is called with the process group's ID once the go
	// command runs; onRun with each test as it begins.
	started func(pgid int)
	onRun   func(test string)
}

// overran says why the runner stopped a run that overstayed.
type overran struct {
	building bool          // the test binary had not started yet
	after    time.Duration // how long that phase had taken
	timeout  time.Duration // the run's -timeout
}

func (o overran) Error() string {
	if o.building {
		return fmt.Sprintf("compiling had not finished after %v, so grading was stopped (a cold build cache on a busy machine can be slow: try again)", o.after)
	}
	return fmt.Sprintf("the test binary was still running %v after it started, past go test's -timeout of %v, so it was stopped", o.after.Round(time.Second), o.timeout)
}

// Run runs the tests and reads their result. An error means grading itself
// failed: no go command, or ctx ended (the Result then holds what was seen
// until the run was stopped). Tests that fail, hang or never build are a
// Result with Passed false; a run the runner had to stop says why in
// Result.Stopped.
func (tr TestRun) Run(ctx context.Context) (Result, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return Result{}, fmt.Errorf("grading needs the go command in PATH: %w", err)
	}
	timeout := cmp.Or(tr.Timeout, TestTimeout)
	runLimit := timeout + cmp.Or(tr.Grace, StopGrace)
	buildLimit := cmp.Or(tr.BuildLimit, BuildLimit)

	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	cmd := exec.CommandContext(runCtx, goBin, "test", "-json", "-count=1", "-timeout="+timeout.String(), tr.Pkg)
	cmd.Dir = tr.Dir
	cmd.Env = append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=mod"), "GOWORK=off")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	cmd.WaitDelay = waitDelay

	var (
		mu       sync.Mutex // the stream and runTimer: output arrives on exec's goroutine
		stream   = newTestStream()
		runTimer *time.Timer
	)
	buildTimer := time.AfterFunc(buildLimit, func() { stop(overran{building: true, after: buildLimit}) })
	defer buildTimer.Stop()
	out := &lineWriter{line: func(line []byte) {
		mu.Lock()
		defer mu.Unlock()
		switch stream.line(line) {
		case "start": // the test binary is about to run
			if runTimer == nil {
				buildTimer.Stop()
				runTimer = time.AfterFunc(runLimit, func() { stop(overran{after: runLimit, timeout: timeout}) })
			}
		case "run":
			if tr.onRun != nil && len(stream.started) > 0 {
				tr.onRun(stream.started[len(stream.started)-1])
			}
		}
	}}
	stderr := &cappedBuffer{limit: maxStderr}
	cmd.Stdout, cmd.Stderr = out, stderr

	start := time.Now()
	if err := cmd.Start(); err != nil {
		if ctx.Err() != nil {
			return Result{}, fmt.Errorf("grading stopped: %w", ctx.Err())
		}
		return Result{}, fmt.Errorf("cannot run go test: %w", err)
	}
	if tr.started != nil {
		tr.started(cmd.Process.Pid)
	}
	waitErr := cmd.Wait()
	// Whatever the tests started and left behind goes too. (The group
	// outlives its leader while any member lives, so the ID is not reused.)
	_ = killGroup(cmd.Process.Pid)
	out.flush()

	mu.Lock()
	defer mu.Unlock()
	if runTimer != nil {
		runTimer.Stop()
	}
	res := stream.result(waitErr == nil, strings.TrimSpace(stderr.String()))
	res.Elapsed = time.Since(start)
	if ctx.Err() != nil {
		res.Passed = false
		return res, fmt.Errorf("grading stopped: %w", ctx.Err())
	}
	var o overran
	if errors.As(context.Cause(runCtx), &o) {
		res.Passed = false
		res.Stopped = o.Error()
	}
	return res, nil
}

// killGroup sends SIGKILL to every process in the group pgid. A group that
// is already gone is not an error.
func killGroup(pgid int) error {
	if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}

// Output bounds: a test that prints in a loop until it is stopped must not
// fill the learner's memory.
const (
	maxLine   = 1 << 20 // one line of go test -json
	maxStderr = 1 << 16
)

// lineWriter splits what is written to it into lines (without the newline)
// and hands each to line; a line longer than maxLine is cut.
type lineWriter struct {
	line func([]byte)
	buf  []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			room := max(0, maxLine-len(w.buf))
			w.buf = append(w.buf, p[:min(len(p), room)]...)
			break
		}
		if len(w.buf) > 0 {
			w.buf = append(w.buf, p[:min(i, max(0, maxLine-len(w.buf)))]...)
			w.line(w.buf)
			w.buf = w.buf[:0]
		} else {
			w.line(p[:min(i, maxLine)])
		}
		p = p[i+1:]
	}
	return n, nil
}

// flush hands over a last line that had no newline.
func (w *lineWriter) flush() {
	if len(w.buf) > 0 {
		w.line(w.buf)
		w.buf = w.buf[:0]
	}
}

// cappedBuffer keeps the first limit bytes written to it.
type cappedBuffer struct {
	limit int
	b     bytes.Buffer
	cut   bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if room := c.limit - c.b.Len(); n > room {
		p, c.cut = p[:max(0, room)], true
	}
	c.b.Write(p)
	return n, nil // what does not fit is dropped, not refused
}

func (c *cappedBuffer) WriteString(s string) { _, _ = c.Write([]byte(s)) }

func (c *cappedBuffer) Len() int { return c.b.Len() }

func (c *cappedBuffer) String() string {
	if c.cut {
		return c.b.String() + "\n… (cut)"
	}
	return c.b.String()
}
