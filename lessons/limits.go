package lessons

import (
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/reactorlab/reactorlab/visualizer"
	"golang.org/x/sys/unix"
)

// Limits caps what one scenario may open. A lab on its own needs none;
// the classroom runs a lab per student in one process, so it holds each
// to its share of the process's open files.
type Limits struct {
	// MaxClients caps the simulated clients alive at once; each holds two
	// fds in this process (its end and the server's). Asking for more adds
	// what fits and says so on the error line. 0 = no cap.
	MaxClients int
}

// CappedLessons returns the curriculum as VisualizerLessons does, with
// every scenario held to lim.
func CappedLessons(lim Limits) []visualizer.Lesson {
	ls := load()
	out := make([]visualizer.Lesson, len(ls))
	for i, l := range ls {
		c := *l
		c.limits = lim
		out[i] = &c
	}
	return out
}

// raiseFileLimit lifts the soft RLIMIT_NOFILE to the hard limit, so lesson
// 2's idle clients can take this process past fd 1024 (each costs two fds:
// the client's end and the server's). Go already does this at start-up on
// Linux; doing it again is harmless and makes the intent explicit. It
// returns the soft limit now in force.
func raiseFileLimit() (uint64, error) {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return 0, os.NewSyscallError("getrlimit", err)
	}
	if lim.Cur >= lim.Max {
		return lim.Cur, nil
	}
	lim.Cur = lim.Max
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return 0, os.NewSyscallError("setrlimit", err)
	}
	return lim.Cur, nil
}

// softLimit names the soft RLIMIT_NOFILE now, for messages.
func softLimit() string {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return "?"
	}
	return strconv.FormatUint(lim.Cur, 10) + " fds"
}

// lowerBy is how many fds lesson 7 leaves free when it lowers the limit:
// about twenty simulated clients' worth (each costs two fds here, the
// client's end and the server's).
//
// It is odd on purpose. Every connection the server accepts takes two
// fds, one a refusal or a failed dial takes none, so the number of free
// fds keeps its parity; when a burst of clients then fills the table, an
// odd count cannot be split evenly between clients and the server: at
// least one client holds an fd the server could not match, and waits in
// the listen queue — what makes a guardless accept loop spin.
const lowerBy = 41

// fdLimit lowers this process's soft RLIMIT_NOFILE for lesson 7 and puts
// it back. Its methods are safe from any goroutine; restore is safe to
// call any number of times, and the driver calls it on every way out
// (Close, and the recovery of a crashed loop goroutine).
type fdLimit struct {
	mu    sync.Mutex
	saved *unix.Rlimit // the limit before lower; nil = not lowered
	top   int          // highest fd open when lowered: count probes up to it
}

// lower sets the soft limit so that exactly free fd numbers below it are
// unused now, and returns the new limit.
func (f *fdLimit) lower(free int) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var cur unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &cur); err != nil {
		return 0, os.NewSyscallError("getrlimit", err)
	}
	if f.saved != nil {
		cur = *f.saved // lowering again: measure from the original
	}
	n, top := 0, -1
	soft := uint64(0)
	for fd := 0; uint64(fd) < cur.Cur; fd++ {
		if isOpen(fd) {
			top = fd
			continue
		}
		if n++; n == free {
			soft = uint64(fd) + 1
			break
		}
	}
	if soft == 0 {
		return 0, fmt.Errorf("lower the fd limit: fewer than %d fds are free under the soft limit of %d", free, cur.Cur)
	}
	lowered := unix.Rlimit{Cur: soft, Max: cur.Max}
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lowered); err != nil {
		return 0, os.NewSyscallError("setrlimit", err)
	}
	if f.saved == nil {
		f.saved = &cur
	}
	f.top = max(top, openAbove(int(soft), top))
	return soft, nil
}

// restore puts the saved limit back, if lower changed it.
func (f *fdLimit) restore() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.saved == nil {
		return nil
	}
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, f.saved); err != nil {
		return os.NewSyscallError("setrlimit", err)
	}
	f.saved = nil
	return nil
}

// lowered reports the soft limit lower replaced (0 = not lowered) and the
// highest fd open at the time.
func (f *fdLimit) lowered() (was uint64, top int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.saved == nil {
		return 0, -1
	}
	return f.saved.Cur, f.top
}

// isOpen reports whether fd is an open file descriptor of this process,
// without opening anything (so it works with the table full).
func isOpen(fd int) bool {
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil
}

// openAbove is the highest fd open from lim up to a few hundred above it
// (fds opened before the limit came down stay open above it), or floor.
func openAbove(lim, floor int) int {
	top := floor
	for fd := lim; fd < lim+512; fd++ {
		if isOpen(fd) {
			top = fd
		}
	}
	return top
}

// countOpenFds counts this process's open fds: by asking each number up
// to limit (and top, the highest fd seen when the limit came down) when
// that is cheap, which needs no fd of its own — the table may be full —
// else by listing /dev/fd.
func countOpenFds(limit uint64, top int) int {
	if limit <= 1<<12 {
		n := 0
		for fd := 0; fd < max(int(limit), top+1); fd++ {
			if isOpen(fd) {
				n++
			}
		}
		return n
	}
	ents, err := os.ReadDir("/dev/fd")
	if err != nil {
		return -1
	}
	return len(ents) - 1 // the listing's own fd
}
