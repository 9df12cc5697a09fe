package reactor

import (
	"sync/atomic"
	"time"
)

// Stats is a snapshot of the loop's counters.
type Stats struct {
	Passes     uint64 // loop passes (one wait call each)
	Events     uint64 // readiness events dispatched to handlers
	Wakes      uint64 // passes that drained the cross-goroutine queue
	WakeWrites uint64 // writes to the waker fd (≤ one per pass, however many callers)
	Stalls     uint64 // handlers/timers that held the loop longer than StallThreshold
	Panics     uint64 // recovered panics
	Dropped    uint64 // trace events lost to full subscriber rings

	WaitCalls uint64 // select/poll/epoll_wait calls (epoll: two for a wait that parked)
	CtlCalls  uint64 // register / modify / deregister reaching the poller (epoll_ctl on epoll)
	Accepts   uint64 // counted by the TCP layer through CountSyscall
	Reads     uint64
	Writes    uint64

	Backend string
	Watched int           // registrations in the kernel's set (parked ones are not)
	LastLag time.Duration // latest heartbeat lateness (includes up to 1ms of timeout rounding)

	// Parked counts the epoll waits that found nothing ready and parked
	// the loop's goroutine on Go's netpoller until the epoll fd was
	// readable or the timeout passed (see the package doc).
	Parked uint64
}

// counters are updated on the loop goroutine and read from anywhere.
type counters struct {
	passes, events, wakes, wakeWrites, stalls, panics, dropped atomic.Uint64
	wait, ctl                                                  atomic.Uint64
	parked                                                     atomic.Uint64
	accepts, reads, writes                                     counter // CountSyscall's, one per TCP syscall
}

// counter is a statistic that only the loop goroutine increments and any
// goroutine reads. With one writer an increment needs no locked
// read-modify-write (atomic.Uint64.Add is a LOCK XADD, ~20 ns on this VM,
// and the TCP layer counts every read and send): a load and a
// store-release (publishStore) publish the new value.
type counter struct{ v atomic.Uint64 }

func (c *counter) add(n uint64) { publishStore(&c.v, c.v.Load()+n) }

// Load reads the counter; safe from any goroutine.
func (c *counter) Load() uint64 { return c.v.Load() }

// SyscallKind names a syscall counted in Stats.
type SyscallKind uint8

// Syscall kinds for CountSyscall.
const (
	SysWait SyscallKind = iota
	SysCtl
	SysAccept
	SysRead
	SysWrite
	SysWake
)

// CountSyscall adds one to the counter for kind. Sibling packages (the TCP
// layer) use it so the lab can show syscalls per request. Loop goroutine
// only.
func (l *Loop) CountSyscall(kind SyscallKind) {
	switch kind {
	case SysWait:
		l.counters.wait.Add(1)
	case SysCtl:
		l.counters.ctl.Add(1)
	case SysAccept:
		l.counters.accepts.add(1)
	case SysRead:
		l.counters.reads.add(1)
	case SysWrite:
		l.counters.writes.add(1)
	case SysWake:
		l.counters.wakeWrites.Add(1)
	}
}

// Stats returns a snapshot of the counters. Safe from any goroutine.
func (l *Loop) Stats() Stats {
	c := &l.counters
	return Stats{
		Passes:     c.passes.Load(),
		Events:     c.events.Load(),
		Wakes:      c.wakes.Load(),
		WakeWrites: c.wakeWrites.Load(),
		Stalls:     c.stalls.Load(),
		Panics:     c.panics.Load(),
		Dropped:    c.dropped.Load(),
		WaitCalls:  c.wait.Load(),
		CtlCalls:   c.ctl.Load(),
		Accepts:    c.accepts.Load(),
		Reads:      c.reads.Load(),
		Writes:     c.writes.Load(),
		Backend:    l.Backend(),
		Watched:    int(l.watched.Load()),
		LastLag:    time.Duration(l.lastLag.Load()),
		Parked:     c.parked.Load(),
	}
}
