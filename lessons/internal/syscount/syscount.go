// Package syscount counts the system calls a child process makes, the way
// `strace -c` does: it starts the child under ptrace(2), which stops every
// thread of it at each syscall's entry and exit, and tallies the calls by
// name before letting it go on.
//
// Lesson 13 uses it to put a goroutine-per-connection server built on
// Go's net package beside the reactor and count both the same way. Every
// syscall of the child is counted — its own reads and writes and also the
// Go runtime's (the netpoller's epoll_pwait, futex wake-ups, signals for
// preemption) — because that is what the kernel sees.
//
// The cost: two stops per syscall, each a round trip to the tracer. A
// traced server is slower, so the counts are honest but the child's speed
// is not; the lesson compares counts, never times.
//
// Linux only (PTRACE_GET_SYSCALL_INFO, kernel 5.3 or later); elsewhere
// Start returns ErrUnsupported. Where ptrace is not permitted (a container
// whose seccomp profile forbids it, Yama's ptrace_scope 3) Start fails
// with the syscall's error and the caller runs the child untraced.
package syscount

import (
	"errors"
	"slices"
	"strings"
)

// ErrUnsupported is Start's error where counting is not implemented.
var ErrUnsupported = errors.New("counting a child's syscalls needs Linux (ptrace with PTRACE_GET_SYSCALL_INFO)")

// Stat is what was counted for one syscall.
type Stat struct {
	Name   string // "read", "epoll_pwait", "syscall 999" for one without a name here
	Calls  uint64 // entries into the syscall
	EAGAIN uint64 // calls that returned EAGAIN: a read or write that would have blocked
}

// Counts is a snapshot of a child's syscalls, most frequent first.
type Counts []Stat

// Total is the number of syscalls counted.
func (c Counts) Total() uint64 {
	var n uint64
	for _, s := range c {
		n += s.Calls
	}
	return n
}

// Get returns the stat for name (zero if the child never made that call).
func (c Counts) Get(name string) Stat {
	for _, s := range c {
		if s.Name == name {
			return s
		}
	}
	return Stat{Name: name}
}

// Sub returns c minus an earlier snapshot of the same child: what was
// counted in between.
func (c Counts) Sub(earlier Counts) Counts {
	out := make(Counts, 0, len(c))
	for _, s := range c {
		e := earlier.Get(s.Name)
		if s.Calls-e.Calls == 0 {
			continue
		}
		out = append(out, Stat{Name: s.Name, Calls: s.Calls - e.Calls, EAGAIN: s.EAGAIN - e.EAGAIN})
	}
	sortCounts(out)
	return out
}

// String lists the counts as "read 12 (EAGAIN 3), write 9".
func (c Counts) String() string {
	var b strings.Builder
	for i, s := range c {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.Name + " " + utoa(s.Calls))
		if s.EAGAIN > 0 {
			b.WriteString(" (EAGAIN " + utoa(s.EAGAIN) + ")")
		}
	}
	return b.String()
}

// sortCounts orders by calls, most first, then by name.
func sortCounts(c Counts) {
	slices.SortFunc(c, func(a, b Stat) int {
		if a.Calls != b.Calls {
			if a.Calls > b.Calls {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
}

func utoa(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
