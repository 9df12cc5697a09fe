package reactor

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Config tunes a Loop. The zero value is a good default.
type Config struct {
	Backend        string        // "" = DefaultBackend()
	StallThreshold time.Duration // 0 = 50ms
	Heartbeat      time.Duration // 0 = 100ms; loop-lag measurement timer; <0 disables
	// ErrorLog receives recovered panics and other errors the loop cannot
	// return to anyone. nil discards them (the trace still carries them).
	ErrorLog io.Writer
	// BlockingWait makes the epoll backend block in epoll_wait itself
	// instead of parking the loop's goroutine on Go's netpoller between
	// two epoll_wait calls with timeout 0 (see "Go's runtime is a reactor
	// too" in the package doc). It is slower with GOMAXPROCS=1; it exists
	// to compare the two. select and poll always block in their syscall.
	BlockingWait bool
}

// Handler runs on the loop goroutine when its fd is ready.
type Handler func(fd int, r Ready)

// slot is one registration. Slots live in a slice indexed by fd: the
// lookup on every event is an index, not a map probe.
type slot struct {
	h       Handler
	label   string
	in      Interest // 0 = parked: registered, but not in the kernel's set
	gen     uint32   // which registration of this fd number; see Registration
	live    bool
	touched uint64 // l.batch when last registered or deregistered
}

// Loop is a single-threaded reactor: one goroutine waits for readiness,
// dispatches handlers, then runs due timers and queued calls, and repeats.
// Unless a method says otherwise it must be called on the loop goroutine
// (inside a handler, timer or call), or before Run starts.
//
// The fields are grouped by who may touch them.
type Loop struct {
	// Set by New, read-only afterwards.
	cfg    Config
	wakeFd int       // the waker's read end, registered with generation 0
	start  time.Time // zero of every trace timestamp and timer deadline

	// Loop goroutine only (or before Run starts).
	poller      Poller
	slots       []slot  // registrations, indexed by fd
	nextGen     uint32  // generation of the next registration (0 is the waker's)
	evs         []Event // the event batch Wait fills; grows when a wait fills it
	batch       uint64  // counts waits: a slot touched during this batch may have stale events in it
	pass        uint64  // passes run
	running     bool    // inside Run or Iterate: refuses re-entry
	inPass      bool    // trace events are batched until the pass ends
	yieldReader bool    // a subscriber was signalled HalfFull: yield at the pass end
	closed      bool    // Close was called
	hooks       []func()
	hooksDone   bool     // the shutdown hooks ran: the loop has stopped for good
	lastIterate int64    // since-start ns when the last Iterate returned; 0 before the first
	timers      []*Timer // the timer heap (heap.go)
	timerSeq    uint64
	cancelled   int // cancelled timers still in the heap
	heartbeat   *Timer
	// keepGhosts (SetGhostRebuild(false)) leaves ghosts in the epoll set;
	// haunted says the last pass had some (so the mistake is reported
	// once per episode, not once per pass).
	keepGhosts, haunted bool
	// soon is the CallSoon queue. runCalls swaps it with soon2, the spare
	// backing array, so calls queued while the queue runs go to the next
	// pass and neither slice is reallocated in steady state.
	soon, soon2 []func()
	// remote2 is remote's spare backing array, swapped the same way under
	// remoteMu; only the loop goroutine touches the spare.
	remote2 []func()

	// Guarded by remoteMu: the cross-goroutine queue, and whether the waker
	// fd is closed. The waker is written (wake) and closed only under
	// remoteMu, so a wake-up never writes to a closed fd whose number was
	// reused; the loop goroutine drains it without the lock.
	remoteMu    sync.Mutex
	remote      []func()
	wakerClosed bool
	waker       waker

	// Atomic: read and written from any goroutine.
	wakePending atomic.Bool // a wake-up is pending: later callers skip the write
	inWait      atomic.Bool // the loop is (about to be) blocked in Wait
	stopReq     atomic.Bool
	subs        atomic.Pointer[[]*Subscription] // copy-on-write list; changed under subMu
	counters    counters
	backend     atomic.Pointer[string]
	watched     atomic.Int64 // registrations in the kernel's set (parked ones are not)
	lastLag     atomic.Int64

	// Guarded by subMu: serialises Subscribe and unsubscribe (readers load subs).
	subMu sync.Mutex
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
	p, err := cfg.newPoller(cfg.Backend)
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

// newPoller opens the named backend with the loop's settings.
func (cfg *Config) newPoller(name string) (Poller, error) {
	p, err := NewPoller(name)
	if err == nil && cfg.BlockingWait {
		if b, ok := p.(interface{ setBlocking() }); ok {
			b.setBlocking()
		}
	}
	return p, err
}

// waitReporter is implemented by a poller whose Wait may make more than
// one wait syscall: epoll, which parks on Go's netpoller between two
// epoll_wait calls with timeout 0.
type waitReporter interface {
	lastWait() (calls int, parked bool)
}

// Backend names the poller in use ("select", "poll" or "epoll"). Safe from any goroutine.
func (l *Loop) Backend() string { return *l.backend.Load() }

// Now returns the current time (monotonic clock).
func (l *Loop) Now() time.Time { return time.Now() }

// since returns nanoseconds since the loop started: one read of the
// monotonic clock (time.Now reads the wall clock as well). Trace events
// store it with the low bit set (since()|1), so no event is at 0.
func (l *Loop) since() int64 { return int64(time.Since(l.start)) }

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
