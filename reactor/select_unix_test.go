//go:build unix

package reactor

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// testFd1024 puts a socket at fd >= 1024: select must refuse it with a
// clear error (never the FdSet panic), poll and epoll must take it.
func testFd1024(t *testing.T, backend string) {
	high := highFd(t)
	l := newLoop(t, backend)
	_, err := l.Register(high, Readable, "high", func(int, Ready) {})
	if backend == "select" {
		if !errors.Is(err, ErrFDSetSize) {
			t.Fatalf("Register(fd %d) on select = %v; want ErrFDSetSize", high, err)
		}
		for _, want := range []string{"1024", "poll", "epoll"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
		if n := strings.Count(err.Error(), "1500"); n != 1 {
			t.Errorf("error %q names fd 1500 %d times; want once", err, n)
		}
		return
	}
	if err != nil {
		t.Fatalf("Register(fd %d) on %s = %v; want nil", high, backend, err)
	}
	// Switching to select with that fd registered is refused; the loop
	// stays on its backend.
	err = l.SwitchBackend("select")
	if !errors.Is(err, ErrFDSetSize) {
		t.Fatalf("SwitchBackend(select) with fd %d = %v; want ErrFDSetSize", high, err)
	}
	if n := strings.Count(err.Error(), "1500"); n != 1 || !strings.Contains(err.Error(), "(high)") {
		t.Errorf("error %q names fd 1500 %d times; want once, with its label", err, n)
	}
	if l.Backend() != backend {
		t.Errorf("Backend() after refused switch = %q; want %q", l.Backend(), backend)
	}
}

// highFd returns a socket duplicated to fd 1500, raising RLIMIT_NOFILE's
// soft limit to the hard limit if needed; it skips if that is impossible.
func highFd(t *testing.T) int {
	const target = 1500
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		t.Skipf("getrlimit: %v", err)
	}
	if rl.Cur <= target {
		if rl.Max <= target {
			t.Skipf("RLIMIT_NOFILE hard limit %d is too low for fd %d", rl.Max, target)
		}
		rl.Cur = rl.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
			t.Skipf("setrlimit: %v", err)
		}
	}
	a, _ := socketpair(t)
	if err := unix.Dup2(a, target); err != nil {
		t.Skipf("dup2 to %d: %v", target, err)
	}
	t.Cleanup(func() { unix.Close(target) })
	return target
}
