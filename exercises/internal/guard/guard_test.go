package guard

import (
	"fmt"
	"iter"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// short is the limit these tests give a call they know will not return.
const short = 200 * time.Millisecond

// forget clears the "an earlier call is stuck" mark a test left, so the next
// test's calls run.
func forget(t *testing.T) { t.Cleanup(func() { firstStuck.Store(nil) }) }

func TestRunReturns(t *testing.T) {
	got := 0
	if s := Run(t, "add", func() { got = 1 + 1 }); s != nil {
		t.Fatalf("Run(add) = %v; want nil", s)
	}
	if got != 2 {
		t.Errorf("after Run, got = %d; want 2 (the call ran to the end)", got)
	}
}

// Each way of never returning is told apart, with the call it is stuck in
// and the function of ours it was called from.
func TestStuckKinds(t *testing.T) {
	tests := []struct {
		name      string
		start     func(t *testing.T) func() // returns the stuck call; cleanup releases it
		kind      Kind
		where, in string
	}{
		{"spinning", func(t *testing.T) func() {
			var stop atomic.Bool
			t.Cleanup(func() { stop.Store(true) })
			return func() { spin(&stop) }
		}, Spinning, "", "spin (guard_test.go"},
		{"blocked in read", func(t *testing.T) func() {
			fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { unix.Write(fds[1], []byte{1}); unix.Close(fds[1]) }) // releases the read
			return func() { blockedRead(fds[0]) }
		}, Blocked, "unix.Read", "blockedRead (guard_test.go"},
		// A loop retrying read on EAGAIN that gets little CPU (as on a
		// loaded machine: here it yields between tries) is still a loop,
		// not one read that never returns.
		{"retrying with little CPU", func(t *testing.T) func() {
			if _, err := os.Stat("/proc/self/io"); err != nil {
				t.Skip("no /proc/self/io to count syscalls on this OS")
			}
			fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0) // SOCK_NONBLOCK is Linux-only
			if err != nil {
				t.Fatal(err)
			}
			unix.SetNonblock(fds[0], true)
			var stop atomic.Bool
			t.Cleanup(func() { stop.Store(true); unix.Close(fds[0]); unix.Close(fds[1]) })
			return func() { retryRead(fds[0], &stop) }
		}, Spinning, "", "retryRead (guard_test.go"},
		{"waiting on a channel", func(t *testing.T) func() {
			ch := make(chan int)
			t.Cleanup(func() { close(ch) })
			return func() { receive(ch) }
		}, Waiting, "", "receive (guard_test.go"},
		{"waiting on a lock", func(t *testing.T) func() {
			var mu sync.Mutex
			mu.Lock()
			t.Cleanup(mu.Unlock)
			return func() { lock(&mu) }
		}, Waiting, "sync.(*Mutex).Lock", "lock (guard_test.go"},
		{"sleeping", func(t *testing.T) func() {
			return func() { nap(time.Hour) }
		}, Sleeping, "time.Sleep", "nap (guard_test.go"},
		// A loop that sleeps and checks again is runnable now and then,
		// as it wakes; asleep in most looks, it is sleeping, not spinning.
		{"sleeping in a loop", func(t *testing.T) func() {
			var stop atomic.Bool
			t.Cleanup(func() { stop.Store(true) })
			return func() { napLoop(&stop) }
		}, Sleeping, "time.Sleep", "napLoop (guard_test.go"},
		// A coroutine (iter.Pull, as deferred.Coroutine runs one) that
		// never hands control back: the caller waits in state
		// "coroutine", and the coroutine's own goroutine says why.
		{"sleeping inside a coroutine", func(t *testing.T) func() {
			return func() { resumeNapper() }
		}, Sleeping, "time.Sleep", "nap (guard_test.go"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			forget(t)
			s := Start(t, tc.name, tc.start(t)).Wait(short)
			if s == nil {
				t.Fatalf("Wait = nil; want a Stuck")
			}
			where := s.Where
			if tc.kind == Spinning {
				where = "" // wherever the loop happened to be
			}
			if s.Kind != tc.kind || where != tc.where || !strings.HasPrefix(s.In, tc.in) {
				t.Errorf("Stuck = {Kind %v, Where %q, In %q, State %q}; want {Kind %v, Where %q, In %q…}", s.Kind, s.Where, s.In, s.State, tc.kind, tc.where, tc.in)
			}
			if msg := s.String(); !strings.Contains(msg, tc.name+" did not return within") || !strings.Contains(msg, tc.kind.String()) {
				t.Errorf("String() = %q; want it to name the call and say %q", msg, tc.kind)
			}
		})
	}
}

//go:noinline
func spin(stop *atomic.Bool) {
	for !stop.Load() {
	}
}

//go:noinline
func blockedRead(fd int) {
	var b [1]byte
	unix.Read(fd, b[:])
}

//go:noinline
func retryRead(fd int, stop *atomic.Bool) {
	var b [1]byte
	for !stop.Load() {
		for range 50 {
			unix.Read(fd, b[:]) // EAGAIN: nothing is ever written
		}
		// Off the CPU inside a syscall, as a starved thread often is
		// when the guard looks: the state reads "syscall", not "sleep".
		tv := unix.NsecToTimeval(int64(2 * time.Millisecond))
		unix.Select(0, nil, nil, nil, &tv)
	}
}

//go:noinline
func receive(ch chan int) { <-ch }

//go:noinline
func lock(mu *sync.Mutex) { mu.Lock() } // never unlocked: the goroutine ends

//go:noinline
func nap(d time.Duration) { time.Sleep(d) }

//go:noinline
func napLoop(stop *atomic.Bool) {
	for !stop.Load() {
		time.Sleep(3 * time.Millisecond)
	}
}

// resumeNapper resumes a coroutine that sleeps instead of yielding.
func resumeNapper() {
	next, _ := iter.Pull(func(yield func(int) bool) {
		nap(time.Hour)
		yield(1)
	})
	next()
}

// After a call is stuck, later calls skip their test instead of running next
// to it.
func TestLaterCallsSkip(t *testing.T) {
	forget(t)
	release := make(chan struct{})
	defer close(release)
	if s := Start(t, "first", func() { <-release }).Wait(short); s == nil {
		t.Fatal("Wait = nil; want a Stuck")
	}
	ft := run(func(tb testing.TB) { Run(tb, "second", func() {}) })
	if len(ft.skips) != 1 || !strings.Contains(ft.skips[0], "first never returned") {
		t.Errorf("skips = %q; want one naming the first stuck call", ft.skips)
	}
}

// A panic fails the test with its value and stack instead of killing the
// test binary.
func TestPanicFailsTheTest(t *testing.T) {
	ft := run(func(tb testing.TB) { Run(tb, "boom()", func() { panic("boom") }) })
	if len(ft.fatals) != 1 || !strings.Contains(ft.fatals[0], "boom() panicked: boom") || !strings.Contains(ft.fatals[0], "guard_test.go") {
		t.Errorf("fatals = %q; want one with the panic and its stack", ft.fatals)
	}
}

func TestFuncName(t *testing.T) {
	tests := []struct{ line, want string }{
		{"github.com/a/b/pkg.(*T).M(0x1, {0x2, 0x3})", "github.com/a/b/pkg.(*T).M"},
		{"time.Sleep(0x3b9aca00)", "time.Sleep"},
		{"main.main()", "main.main"},
		{"runtime.gopark(...)", "runtime.gopark"},
	}
	for _, tc := range tests {
		if got := funcName(tc.line); got != tc.want {
			t.Errorf("funcName(%q) = %q; want %q", tc.line, got, tc.want)
		}
	}
	if got, want := packagePath("github.com/a/b.c/pkg.(*T).M"), "github.com/a/b.c/pkg"; got != want {
		t.Errorf("packagePath = %q; want %q", got, want)
	}
}

// fakeTB records Fatalf and Skipf; both end the goroutine like the real ones.
type fakeTB struct {
	testing.TB
	fatals, skips []string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatals = append(f.fatals, fmt.Sprintf(format, args...))
	runtime.Goexit()
}
func (f *fakeTB) Skipf(format string, args ...any) {
	f.skips = append(f.skips, fmt.Sprintf(format, args...))
	runtime.Goexit()
}

// run calls body with a fakeTB on a goroutine of its own, as a test would.
func run(body func(testing.TB)) *fakeTB {
	ft := &fakeTB{}
	done := make(chan struct{})
	go func() { defer close(done); body(ft) }()
	<-done
	return ft
}
