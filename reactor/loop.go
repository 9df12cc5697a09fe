package reactor

import "time"

// Config tunes a Loop.
type Config struct {
	Backend        string        // "" = DefaultBackend()
	StallThreshold time.Duration // 0 = 50ms
	Heartbeat      time.Duration // 0 = 100ms; <0 disables
}

// Handler runs on the loop goroutine when its fd is ready.
type Handler func(fd int, r Ready)

// WatchInfo describes one registration.
type WatchInfo struct {
	Fd       int
	Label    string
	Interest Interest
}

// Loop is a single-threaded reactor.
type Loop struct{}

// New creates a loop.
func New(cfg Config) (*Loop, error) { return &Loop{}, nil }

func (l *Loop) Register(fd int, in Interest, label string, h Handler) error { return nil }
func (l *Loop) Modify(fd int, in Interest) error                            { return nil }
func (l *Loop) Deregister(fd int) error                                     { return nil }
func (l *Loop) Label(fd int) string                                         { return "" }
func (l *Loop) Run() error                                                  { return nil }
func (l *Loop) Iterate(timeout time.Duration) error                         { return nil }
func (l *Loop) Stop()                                                       {}
func (l *Loop) AddShutdownHook(fn func())                                   {}
func (l *Loop) Close() error                                                { return nil }
func (l *Loop) Backend() string                                             { return "" }
func (l *Loop) SwitchBackend(name string) error                             { return nil }
func (l *Loop) CallLater(d time.Duration, fn func()) *Timer                 { return &Timer{} }
func (l *Loop) CallSoon(fn func())                                          {}
func (l *Loop) CallFromGoroutine(fn func())                                 {}
func (l *Loop) Now() time.Time                                              { return time.Now() }
func (l *Loop) Stats() Stats                                                { return Stats{} }
func (l *Loop) Subscribe(capacity int) *Subscription                        { return newSubscription(capacity) }
func (l *Loop) Trace(ev TraceEvent)                                         {}
func (l *Loop) Tracing() bool                                               { return false }
func (l *Loop) Watched() []WatchInfo                                        { return nil }
func (l *Loop) CountSyscall(kind SyscallKind)                               {}
func (l *Loop) unsubscribe(s *Subscription)                                 {}

// Timer is a handle on a scheduled call.
type Timer struct{}

func (t *Timer) Cancel()               {}
func (t *Timer) Reset(d time.Duration) {}
func (t *Timer) Active() bool          { return false }
func (t *Timer) When() time.Time       { return time.Time{} }

// Stats is a snapshot of the loop counters.
type Stats struct {
	Passes, Events, Wakes, WakeWrites, Stalls, Panics, Dropped uint64
	WaitCalls, CtlCalls, Accepts, Reads, Writes                uint64
	Backend                                                    string
	Watched                                                    int
	LastLag                                                    time.Duration
}

// SyscallKind names a counted syscall.
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

type waker interface {
	readFd() int
	wake() error
	drain()
	close() error
}
