package reactor

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Config tunes a Loop. The zero value is a good default.
type Config struct {
	Backend        string        // "" = DefaultBackend()
	StallThreshold time.Duration // 0 = 50ms
	Heartbeat      time.Duration // 0 = 100ms; loop-lag measurement timer; <0 disables
	// ErrorLog receives recovered panics and other errors the loop cannot
	// return to anyone. nil discards them (the trace still carries them).
	ErrorLog io.Writer
}

// Handler runs on the loop goroutine when its fd is ready.
type Handler func(fd int, r Ready)

// WatchInfo describes one registration, for snapshots.
type WatchInfo struct {
	Fd       int
	Label    string
	Interest Interest
}

// slot is one registration. Slots live in a slice indexed by fd: the
// lookup on every event is an index, not a map probe.
type slot struct {
	h     Handler
	label string
	in    Interest
	gen   uint32
	live  bool
}

// Loop is a single-threaded reactor: one goroutine waits for readiness,
// dispatches handlers, then runs due timers and queued calls, and repeats.
// Unless a method says otherwise it must be called on the loop goroutine
// (inside a handler, timer or call), or before Run starts.
type Loop struct {
	cfg     Config
	poller  Poller
	waker   waker
	wakeFd  int
	slots   []slot
	nextGen uint32
	evs     []Event
	start   time.Time

	timers      []*Timer
	timerSeq    uint64
	cancelled   int // cancelled timers still in the heap
	heartbeat   *Timer
	lastIterate int64 // since-start ns when the last Iterate returned; 0 before the first
	soon, soon2 []func()
	remoteMu    sync.Mutex
	remote      []func()
	remote2     []func()
	wakerClosed bool // guarded by remoteMu
	wakePending atomic.Bool
	inWait      atomic.Bool // the loop is (about to be) blocked in Wait
	stopReq     atomic.Bool
	running     bool
	inPass      bool // trace events are batched until the pass ends
	closed      bool
	hooks       []func()
	pass        uint64
	hooksDone   bool

	subMu sync.Mutex
	subs  atomic.Pointer[[]*Subscription]

	counters counters
	backend  atomic.Pointer[string]
	watched  atomic.Int64
	lastLag  atomic.Int64
}

// New opens the poller and the waker and returns an idle loop.
func New(cfg Config) (*Loop, error) {
	if cfg.Backend == "" {
		cfg.Backend = DefaultBackend()
	}
	if cfg.StallThreshold <= 0 {
		cfg.StallThreshold = 50 * time.Millisecond
	}
	if cfg.Heartbeat == 0 {
		cfg.Heartbeat = 100 * time.Millisecond
	}
	p, err := NewPoller(cfg.Backend)
	if err != nil {
		return nil, err
	}
	w, err := newWaker()
	if err != nil {
		p.Close()
		return nil, err
	}
	l := &Loop{
		cfg:     cfg,
		poller:  p,
		waker:   w,
		wakeFd:  w.readFd(),
		nextGen: 1,
		evs:     make([]Event, epollInitialEvents),
		start:   time.Now(),
	}
	if err := p.Register(l.wakeFd, MakeToken(l.wakeFd, 0), Readable); err != nil {
		p.Close()
		w.close()
		return nil, err
	}
	name := p.Name()
	l.backend.Store(&name)
	if cfg.Heartbeat > 0 {
		l.heartbeat = l.newTimer(cfg.Heartbeat, nil)
		l.heartbeat.internal = true
		l.heartbeat.fn = l.beat
		l.schedule(l.heartbeat, cfg.Heartbeat)
	}
	return l, nil
}

// Backend names the poller in use ("select", "poll" or "epoll"). Safe from any goroutine.
func (l *Loop) Backend() string { return *l.backend.Load() }

// Now returns the current time (monotonic clock).
func (l *Loop) Now() time.Time { return time.Now() }

// since returns nanoseconds since the loop started (monotonic).
func (l *Loop) since() int64 { return int64(time.Since(l.start)) }

// at converts a time taken on the loop to nanoseconds since start.
func (l *Loop) at(t time.Time) int64 { return int64(t.Sub(l.start)) | 1 }

// Register starts watching fd for in and calls h on the loop goroutine
// when it is ready. label names the registration on screen and in stall
// reports. The fd must already be non-blocking.
func (l *Loop) Register(fd int, in Interest, label string, h Handler) error {
	if l.closed {
		return ErrStopped
	}
	if fd < 0 {
		return os.NewSyscallError("register", unix.EBADF)
	}
	if fd == l.wakeFd {
		return ErrAlreadyRegistered
	}
	for fd >= len(l.slots) {
		l.slots = append(l.slots, make([]slot, len(l.slots)+64)...)
	}
	if l.slots[fd].live {
		return ErrAlreadyRegistered
	}
	gen := l.nextGen
	l.nextGen++
	if l.nextGen == 0 {
		l.nextGen = 1 // generation 0 belongs to the waker
	}
	l.counters.ctl.Add(1)
	if err := l.poller.Register(fd, MakeToken(fd, gen), in); err != nil {
		if l.Tracing() {
			l.emit(&TraceEvent{Kind: KindError, Fd: int32(fd), Label: label, Text: err.Error(), Backend: l.poller.Name()})
		}
		return err
	}
	l.slots[fd] = slot{h: h, label: label, in: in, gen: gen, live: true}
	l.watched.Add(1)
	if l.Tracing() {
		l.emit(&TraceEvent{Kind: KindRegister, Fd: int32(fd), Interest: in, Label: label})
	}
	return nil
}

// Modify changes what fd waits for. Nothing reaches the kernel when the
// interest is unchanged (except to re-arm a one-shot registration).
func (l *Loop) Modify(fd int, in Interest) error {
	if l.closed {
		return ErrStopped
	}
	if fd < 0 || fd >= len(l.slots) || !l.slots[fd].live {
		return ErrNotRegistered
	}
	s := &l.slots[fd]
	if s.in == in && in&OneShot == 0 {
		return nil
	}
	l.counters.ctl.Add(1)
	if err := l.poller.Modify(fd, MakeToken(fd, s.gen), in); err != nil {
		return err
	}
	s.in = in
	if l.Tracing() {
		l.emit(&TraceEvent{Kind: KindModify, Fd: int32(fd), Interest: in, Label: s.label})
	}
	return nil
}

// Deregister stops watching fd. It is safe inside a handler, and the fd
// may be closed right after: any event for it still pending in the
// current batch is dropped (and traced as stale).
func (l *Loop) Deregister(fd int) error {
	if fd < 0 || fd >= len(l.slots) || !l.slots[fd].live {
		return ErrNotRegistered
	}
	s := &l.slots[fd]
	s.live = false
	s.h = nil
	l.watched.Add(-1)
	l.counters.ctl.Add(1)
	err := l.poller.Deregister(fd)
	if l.Tracing() {
		l.emit(&TraceEvent{Kind: KindDeregister, Fd: int32(fd), Label: s.label})
	}
	return err
}

// Label returns the label fd was registered with ("" if none).
func (l *Loop) Label(fd int) string {
	if fd < 0 || fd >= len(l.slots) || !l.slots[fd].live {
		return ""
	}
	return l.slots[fd].label
}

// Watched lists the live registrations in fd order.
func (l *Loop) Watched() []WatchInfo {
	var out []WatchInfo
	for fd := range l.slots {
		if s := &l.slots[fd]; s.live {
			out = append(out, WatchInfo{Fd: fd, Label: s.label, Interest: s.in})
		}
	}
	return out
}

// SwitchBackend replaces the poller between two passes, carrying every
// registration (token, interest) over. If the new backend refuses one of
// them (select and an fd >= 1024, poll and an edge-triggered fd) the old
// backend stays and the error says why.
func (l *Loop) SwitchBackend(name string) error {
	if l.closed {
		return ErrStopped
	}
	old := l.poller.Name()
	if name == "" {
		name = DefaultBackend()
	}
	if name == old {
		return nil
	}
	p, err := NewPoller(name)
	if err != nil {
		return err
	}
	fail := func(err error, label string) error {
		p.Close()
		if l.Tracing() {
			l.emit(&TraceEvent{Kind: KindError, Label: label, Text: "switch to " + name + " refused: " + err.Error(), Backend: old})
		}
		return fmt.Errorf("switch to %s: %w", name, err)
	}
	if err := p.Register(l.wakeFd, MakeToken(l.wakeFd, 0), Readable); err != nil {
		return fail(err, "waker")
	}
	for fd := range l.slots {
		s := &l.slots[fd]
		if !s.live {
			continue
		}
		l.counters.ctl.Add(1)
		if err := p.Register(fd, MakeToken(fd, s.gen), s.in); err != nil {
			return fail(fmt.Errorf("fd %d (%s): %w", fd, s.label, err), s.label)
		}
	}
	oldP := l.poller
	l.poller = p
	newName := p.Name()
	l.backend.Store(&newName)
	err = oldP.Close()
	if l.Tracing() {
		l.emit(&TraceEvent{Kind: KindBackendSwitched, Backend: newName, Text: old, N: l.watched.Load()})
	}
	return err
}

// AddShutdownHook queues fn to run once, on the loop goroutine, after the
// pass during which Stop was called.
func (l *Loop) AddShutdownHook(fn func()) { l.hooks = append(l.hooks, fn) }

// Close releases the poller and the waker fds. Call it after Run returns
// (or instead of running). Registered fds are not closed: their owners do
// that. Shutdown hooks do not run on Close.
func (l *Loop) Close() error {
	if l.closed {
		return nil
	}
	l.closed = true
	e1 := l.poller.Close()
	l.remoteMu.Lock()
	l.wakerClosed = true
	e2 := l.waker.close()
	l.remoteMu.Unlock()
	if e1 != nil {
		return e1
	}
	return e2
}

// logf writes to Config.ErrorLog when one is set.
func (l *Loop) logf(format string, args ...any) {
	if l.cfg.ErrorLog != nil {
		fmt.Fprintf(l.cfg.ErrorLog, format, args...)
	}
}
