package reactor

import "time"

// Poller is the small contract every readiness mechanism implements (the
// method set of mio's selectors and of the Go runtime's netpoll files).
// It is not safe for concurrent use: only the loop goroutine calls it.
//
//	Name        the Backend.Name it was opened as: "select", "poll", "epoll".
//	Register    start watching fd for in; events for it carry tok. An fd
//	            can be registered once (ErrAlreadyRegistered); select
//	            refuses fd >= 1024 (ErrFDSetSize); select and poll refuse
//	            EdgeTriggered and OneShot (ErrModeUnsupported).
//	Modify      change the interest and token of a registered fd (epoll:
//	            one EPOLL_CTL_MOD, skipped when nothing changed unless the
//	            registration is one-shot and needs re-arming).
//	Deregister  stop watching fd. If fd was closed first, it still leaves
//	            the set and the error wraps ErrClosedWhileRegistered.
//	Wait        fill evs with ready fds and return how many; never more
//	            than len(evs). timeout < 0 blocks, 0 polls, and a positive
//	            sub-millisecond timeout is rounded UP to 1ms so it never
//	            becomes a busy 0. EINTR is retried inside, with only
//	            the time left of the timeout. Each event's Ready is what
//	            readyOf makes of the kernel's report, so the same case
//	            reads the same on every backend.
//	Close       release the kernel object (epoll's fd); the registered fds
//	            are not closed.
//
// The loop never hands a poller an fd registered for nothing: interest 0
// parks a registration outside the poller (see Registration.Modify).
type Poller interface {
	Name() string
	Register(fd int, tok Token, in Interest) error
	Modify(fd int, tok Token, in Interest) error
	Deregister(fd int) error
	Wait(evs []Event, timeout time.Duration) (int, error)
	Close() error
}

// The loop's event batch starts at 128 and doubles, up to 1024, each
// time a wait fills it (as gnet and libevent do).
const (
	epollInitialEvents = 128
	epollMaxEvents     = 1024
)

// waitBudget remembers when a wait began so that a wait interrupted by a
// signal (EINTR) is retried with only the time that is left: restarting the
// full timeout would let a steady stream of signals (SIGWINCH while a
// terminal is resized) hold the loop past its timers indefinitely.
type waitBudget struct {
	timeout time.Duration
	start   time.Time // read only for positive timeouts
}

func startWait(timeout time.Duration) waitBudget {
	b := waitBudget{timeout: timeout}
	if timeout > 0 {
		b.start = time.Now()
	}
	return b
}

// left returns the timeout for the retry, and false when the time is up
// (the wait then reports no events, as a timeout does).
func (b waitBudget) left() (time.Duration, bool) {
	if b.timeout <= 0 {
		return b.timeout, true
	}
	d := b.timeout - time.Since(b.start)
	return d, d > 0
}

// msTimeout converts a duration to a millisecond timeout, rounding up.
func msTimeout(d time.Duration) int {
	if d < 0 {
		return -1
	}
	ms := (d + time.Millisecond - 1) / time.Millisecond
	if ms > 1<<31-1 {
		ms = 1<<31 - 1
	}
	return int(ms)
}
