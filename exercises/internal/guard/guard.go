// Package guard runs a learner's code with a time limit, so that a solution
// that spins, blocks or deadlocks fails its test within seconds, with a
// message that says which, instead of hanging `go test` silently until its
// ten-minute timeout.
//
// Every call into the code under test goes through it:
//
//	var got []byte
//	stuck := guard.Run(t, "Drain(fd, nil)", func() { got, _, _ = Drain(fd, nil) })
//	if stuck != nil {
//		t.Fatalf("%v.\n\tExpected: Drain returns at the first EAGAIN.", stuck)
//	}
//
// The call runs on a goroutine of its own and Run waits at most [Limit]. A
// call still running after that cannot be stopped — Go has no way to kill a
// goroutine — so it may go on spinning, or go on using file descriptors the
// test has closed and the next test has been given. Every later call in the
// same test binary is therefore skipped, with a note pointing at the first
// one: fix that one first.
//
// # What "stuck" means
//
// When a call overstays, guard looks at its goroutine before giving up (the
// same stack dump a Go program prints on a crash) and at the CPU the process
// used meanwhile, and tells four cases apart:
//
//   - spinning: still running on the CPU (a loop that never meets its exit);
//   - blocked: inside a system call that does not return (read(2) on a
//     blocking fd, select(2) or poll(2) with no timeout);
//   - waiting: on a channel, a lock or a WaitGroup that nothing will
//     release — a deadlock;
//   - sleeping: in time.Sleep.
//
// A call that is waiting for a coroutine to hand control back (iter.Pull,
// which deferred.Coroutine runs on) is judged by the coroutine's goroutine:
// that is where the learner's function sleeps, spins or waits.
//
// A panic in the call fails the test with the panic and its stack, instead
// of crashing the whole test binary.
package guard

import (
	"bytes"
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Limit is how long [Run] lets a call take. Every call the exercises make
// returns in microseconds when it is right; three seconds is room for a slow,
// busy machine, and short enough that a learner sees the message at once.
const Limit = 3 * time.Second

// Kind says how a call that did not return is stuck.
type Kind int

const (
	// Unknown: the goroutine was not found, or its state says nothing
	// useful (it may have returned just after the limit).
	Unknown Kind = iota
	// Spinning: it was still running on the CPU.
	Spinning
	// Blocked: it sat in a system call that did not return.
	Blocked
	// Waiting: it waited on a channel, lock or WaitGroup (a deadlock).
	Waiting
	// Sleeping: it was in time.Sleep.
	Sleeping
)

// String names the kind, for messages.
func (k Kind) String() string {
	return [...]string{"stuck", "spinning", "blocked", "waiting", "sleeping"}[k]
}

// Stuck describes a call that did not return within its limit.
type Stuck struct {
	Call  string        // what was called, as given to Start: "Drain(fd, nil)"
	After time.Duration // how long it had been running when the test gave up
	Kind  Kind
	State string        // the goroutine's state as the runtime names it: "syscall", "chan receive", ...
	Where string        // the library call it is stuck in, if any: "unix.Read", "time.Sleep"
	In    string        // the learner's function and line: "Drain (drain.go:45)"
	CPU   time.Duration // CPU time the test process used meanwhile
}

// String says what happened in one sentence (without a final period), e.g.
// "Drain(fd, nil) did not return within 3s: it is spinning — still running,
// 2.9s of CPU in 3s (in Drain, drain.go:45)".
func (s *Stuck) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s did not return within %v: ", s.Call, round(s.After))
	switch s.Kind {
	case Spinning:
		fmt.Fprintf(&b, "it is spinning — still running, %v of CPU in %v", s.CPU.Round(100*time.Millisecond), round(s.After))
	case Blocked:
		b.WriteString("it is blocked in a system call that is not returning")
		if s.Where != "" {
			fmt.Fprintf(&b, " (%s)", s.Where)
		}
	case Waiting:
		fmt.Fprintf(&b, "it is waiting (%s", s.State)
		if s.Where != "" {
			fmt.Fprintf(&b, " in %s", s.Where)
		}
		b.WriteString(") for something nothing will ever do — a deadlock")
	case Sleeping:
		b.WriteString("it is sleeping in time.Sleep")
	default:
		b.WriteString("it is stuck")
		if s.State != "" {
			fmt.Fprintf(&b, " (goroutine state %q)", s.State)
		}
	}
	if s.In != "" {
		fmt.Fprintf(&b, ", in %s", s.In)
	}
	return b.String()
}

// round shows a wait in whole seconds, or in milliseconds below one.
func round(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}

// firstStuck holds the Call of the first call in this test binary that never
// returned; once set, every later Start skips its test.
var firstStuck atomic.Pointer[string]

// Call is one guarded call in flight.
type Call struct {
	t     testing.TB
	what  string
	pkg   string // import path of the package f belongs to: the learner's frames are there
	start time.Time
	cpu0  time.Duration
	io0   uint64        // read and write syscalls the process had made (Linux; 0 elsewhere)
	gid   atomic.Uint64 // the goroutine running f, once it has started
	done  chan struct{}

	panicked any // set before done is closed
	stack    []byte
}

// Start runs f on a new goroutine and returns at once. what names the call
// for messages ("Pass(20ms)"). Wait for it with [Call.Wait]. If an earlier
// call in this test binary never returned, Start skips the test instead.
func Start(t testing.TB, what string, f func()) *Call {
	t.Helper()
	if first := firstStuck.Load(); first != nil {
		t.Skipf("not run: %s never returned in an earlier test and may still be running (using the CPU, or file descriptors this test would get); fix that one first", *first)
	}
	c := &Call{t: t, what: what, pkg: packageOf(f), start: time.Now(), cpu0: cpuTime(), io0: ioSyscalls(), done: make(chan struct{})}
	go func() {
		c.gid.Store(goroutineID())
		defer close(c.done)
		defer func() {
			if r := recover(); r != nil {
				c.panicked, c.stack = r, debug.Stack()
			}
		}()
		f()
	}()
	return c
}

// Done is closed when the call has returned.
func (c *Call) Done() <-chan struct{} { return c.done }

// Wait waits at most limit for the call to return. It returns nil when it
// did, and a description when it did not; from then on every later Start in
// this test binary skips its test. A call that panicked fails the test here
// with the panic and its stack.
func (c *Call) Wait(limit time.Duration) *Stuck {
	c.t.Helper()
	if !c.returned(limit) {
		s := c.diagnose()
		if !c.returned(0) { // it may have returned while diagnose looked
			firstStuck.CompareAndSwap(nil, &s.Call)
			return s
		}
	}
	if c.panicked != nil {
		c.t.Fatalf("%s panicked: %v\n\n%s", c.what, c.panicked, c.stack)
	}
	return nil
}

// returned waits at most limit for the call to return and reports whether
// it did. A call that has returned counts even when limit is 0.
func (c *Call) returned(limit time.Duration) bool {
	select {
	case <-c.done:
		return true
	default:
	}
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-c.done:
		return true
	case <-timer.C:
		return false
	}
}

// Run calls f through the guard and waits at most [Limit]: Start then Wait.
func Run(t testing.TB, what string, f func()) *Stuck {
	t.Helper()
	return Start(t, what, f).Wait(Limit)
}

// samples is how many looks diagnose takes at the goroutine, sampleGap apart:
// a goroutine that spins through system calls is caught running in some.
const (
	samples   = 5
	sampleGap = 10 * time.Millisecond
)

// diagnose looks at the goroutine still running the call.
func (c *Call) diagnose() *Stuck {
	s := &Stuck{Call: c.what}
	looks, onCPU := 0, 0 // looks that found the goroutine; of them, running or runnable
	var g goroutine
	found := false
	for i := range samples {
		if i > 0 {
			time.Sleep(sampleGap) // spacing between looks, not synchronisation
		}
		dump := allStacks()
		gi, ok := findGoroutine(dump, c.gid.Load())
		if !ok {
			continue
		}
		if gi.state == "coroutine" {
			// It handed control to a coroutine (iter.Pull, which
			// deferred.Coroutine uses) that has not handed it back: the
			// coroutine's goroutine is where the call is stuck.
			if body, ok := coroutineBody(dump, c.pkg); ok {
				gi = body
			}
		}
		g, found = gi, true
		looks++
		if g.state == "running" || g.state == "runnable" {
			onCPU++
		}
	}
	// Caught on (or waiting for) a CPU in most looks: a loop that never
	// meets its exit. A sleeping loop is runnable now and then, as it
	// wakes to check, but asleep in most looks.
	running := looks > 0 && 2*onCPU > looks
	s.After = time.Since(c.start)
	s.CPU = cpuTime() - c.cpu0
	// A loop that retries a read or write on EAGAIN spends much of its
	// time inside the syscall, and on a loaded machine it may get little
	// CPU; the syscalls it keeps making still tell it from one read that
	// never returns. The count is the process's, so it is asked only of a
	// call caught in a syscall: one asleep or waiting on a channel while
	// other goroutines do I/O is not retrying anything.
	retrying := ioSyscalls()-c.io0 >= spinSyscalls
	if !found {
		return s // it returned just now, or never started
	}
	s.State = g.state
	s.Where, s.In = g.locate(c.pkg)
	switch {
	case running || s.CPU >= s.After/4:
		s.Kind = Spinning
	case strings.HasPrefix(g.state, "syscall") || g.state == "IO wait":
		s.Kind = Blocked
		if retrying {
			s.Kind = Spinning
		}
	case g.state == "sleep":
		s.Kind = Sleeping
	case strings.HasPrefix(g.state, "chan ") || strings.HasPrefix(g.state, "select") ||
		strings.HasPrefix(g.state, "sync.") || strings.HasPrefix(g.state, "semacquire"):
		s.Kind = Waiting
	}
	return s
}

// goroutine is one goroutine of a stack dump.
type goroutine struct {
	state  string
	frames []frame // innermost first
}

type frame struct {
	fn   string // full name: "golang.org/x/sys/unix.Read"
	file string // "/path/to/drain.go:45"
}

// locate finds the innermost frame of the learner's package pkg and the
// library call just inside it: Where is that call's short name (empty when
// it is the runtime itself, as for a channel operation) and In is the
// learner's function with its file and line.
func (g goroutine) locate(pkg string) (where, in string) {
	for i, f := range g.frames {
		if p := packagePath(f.fn); p != pkg && p != strings.TrimSuffix(pkg, "_test") {
			continue
		}
		in = fmt.Sprintf("%s (%s)", strings.TrimPrefix(f.fn, packagePath(f.fn)+"."), baseLine(f.file))
		if i > 0 && !strings.HasPrefix(g.frames[i-1].fn, "runtime.") {
			where = shortName(g.frames[i-1].fn)
		}
		return where, in
	}
	return "", ""
}

// findGoroutine parses the block of goroutine id out of a runtime.Stack dump.
func findGoroutine(dump []byte, id uint64) (goroutine, bool) {
	header := []byte("goroutine " + strconv.FormatUint(id, 10) + " [")
	for block := range bytes.SplitSeq(dump, []byte("\n\n")) {
		if !bytes.HasPrefix(block, header) {
			continue
		}
		lines := strings.Split(string(block), "\n")
		state, _, _ := strings.Cut(strings.TrimPrefix(lines[0], string(header)), "]")
		state, _, _ = strings.Cut(state, ",") // "chan receive, 2 minutes"
		g := goroutine{state: state}
		for i := 1; i+1 < len(lines); i += 2 {
			if strings.HasPrefix(lines[i], "created by ") {
				break
			}
			file, _, _ := strings.Cut(strings.TrimSpace(lines[i+1]), " +")
			g.frames = append(g.frames, frame{fn: funcName(lines[i]), file: file})
		}
		return g, true
	}
	return goroutine{}, false
}

// coroutineBody finds, in a runtime.Stack dump, the goroutine of an iter.Pull
// coroutine that runs code of package pkg and is not itself suspended (a
// suspended coroutine waits in state "coroutine"): the one a caller parked in
// state "coroutine" is waiting for. Only one side of a coroutine runs at a
// time, so at most one such goroutine runs code of the call's package.
func coroutineBody(dump []byte, pkg string) (goroutine, bool) {
	for block := range bytes.SplitSeq(dump, []byte("\n\n")) {
		if !bytes.Contains(block, []byte("\ncreated by iter.Pull")) {
			continue
		}
		header, _, _ := bytes.Cut(block, []byte("\n"))
		id, _, _ := bytes.Cut(bytes.TrimPrefix(header, []byte("goroutine ")), []byte(" "))
		n, err := strconv.ParseUint(string(id), 10, 64)
		if err != nil {
			continue
		}
		g, ok := findGoroutine(block, n)
		if !ok || g.state == "coroutine" {
			continue
		}
		if where, in := g.locate(pkg); where != "" || in != "" {
			return g, true
		}
	}
	return goroutine{}, false
}

// funcName strips the argument list from a stack line:
// "pkg.(*T).M(0x1, {0x2, 0x3})" → "pkg.(*T).M".
func funcName(line string) string {
	if !strings.HasSuffix(line, ")") {
		return line
	}
	depth := 0
	for i := len(line) - 1; i >= 0; i-- {
		switch line[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				return line[:i]
			}
		}
	}
	return line
}

// packagePath returns the import path of a full function name:
// "github.com/a/b/pkg.(*T).M" → "github.com/a/b/pkg", "time.Sleep" → "time".
func packagePath(fn string) string {
	slash := strings.LastIndex(fn, "/")
	dot := strings.Index(fn[slash+1:], ".")
	if dot < 0 {
		return fn
	}
	return fn[:slash+1+dot]
}

// shortName drops the directories of an import path:
// "golang.org/x/sys/unix.Read" → "unix.Read".
func shortName(fn string) string { return fn[strings.LastIndex(fn, "/")+1:] }

// baseLine turns "/a/b/drain.go:45" into "drain.go:45".
func baseLine(file string) string { return file[strings.LastIndex(file, "/")+1:] }

// packageOf returns the import path of the package that defines f.
func packageOf(f func()) string {
	fn := runtime.FuncForPC(reflect.ValueOf(f).Pointer())
	if fn == nil {
		return ""
	}
	return packagePath(fn.Name())
}

// goroutineID returns the calling goroutine's number from its stack header,
// "goroutine 42 [running]:".
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	b, _, _ = bytes.Cut(b, []byte(" "))
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}

// allStacks returns every goroutine's stack, growing the buffer until it fits.
func allStacks() []byte {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

// spinSyscalls is how many read and write syscalls a stuck call's process
// must have made since the call began to count as retrying in a loop: a
// blocked call makes one, a loop retrying on EAGAIN tens of thousands even
// when the machine lets it run a tenth of the time.
const spinSyscalls = 1000

// ioSyscalls counts the read and write syscalls this process has made
// (syscr + syscw in /proc/self/io), or 0 where there is no such file.
func ioSyscalls() uint64 {
	if procIO < 0 {
		return 0
	}
	var buf [512]byte
	n, err := unix.Pread(procIO, buf[:], 0)
	if err != nil || n <= 0 {
		return 0
	}
	var total uint64
	for line := range strings.SplitSeq(string(buf[:n]), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && (k == "syscr" || k == "syscw") {
			x, _ := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			total += x
		}
	}
	return total
}

// procIO is /proc/self/io, opened once when the test binary starts and
// read again in place: a guard that opened a file while it looks at a
// stuck call could take the very fd number that call is about to get (07
// frees one slot of a full table and accepts into it), and so change
// what it looks at. -1 where there is no such file.
var procIO = func() int {
	fd, err := unix.Open("/proc/self/io", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1
	}
	return fd
}()

// cpuTime returns the user plus system CPU time this process has used.
func cpuTime() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
