// Package reactor is a real single-threaded event loop — a reactor — built
// directly on select(2), poll(2) and epoll(7) through golang.org/x/sys/unix.
// Nothing is simulated: every fd is a raw, non-blocking kernel descriptor
// and every wait is a real system call. The lab draws its screens from
// this loop's trace.
//
// # The loop in three steps
//
// A reactor turns "many things might happen" into one thread doing one
// thing at a time. Each pass of [Loop.Run] (or one [Loop.Iterate]) does:
//
//  1. Wait. Ask the kernel, in one call, which of the watched fds are ready
//     (select, poll or epoll_wait). Sleep no longer than the earliest
//     timer, and not at all if calls are queued.
//  2. Dispatch. For each ready fd, call the [Handler] registered for it.
//     Handlers run one after another on the loop goroutine, so they need
//     no locks — and a handler that blocks stops everything (a stall).
//  3. Run calls and timers. Run the calls queued with [Loop.CallSoon] and
//     [Loop.CallFromGoroutine], then fire every [Timer] that is due. Repeat.
//
// A minimal program:
//
//	l, _ := reactor.New(reactor.Config{Backend: "epoll"})
//	defer l.Close()
//	l.Register(fd, reactor.Readable, "client", func(fd int, r reactor.Ready) {
//		n, err := unix.Read(fd, buf) // never blocks: fd is O_NONBLOCK
//		...
//	})
//	l.CallLater(5*time.Second, l.Stop)
//	l.Run()
//
// # Spurious readiness, and why every fd is non-blocking
//
// "Ready" is a hint, not a promise. select(2) documents that a socket can
// be reported readable and then have nothing to read (a datagram dropped
// for a bad checksum); another reader may drain the data between the wait
// and your read; a level-triggered report can be stale by the time the
// handler runs. With a blocking fd any of these freezes the whole loop
// inside read(2). With O_NONBLOCK the read returns EAGAIN and the handler
// simply returns. So: every fd given to [Loop.Register] must already be
// non-blocking, and every handler must treat EAGAIN as "nothing after
// all", not as an error. The conformance tests tolerate spurious events
// for the same reason: real kernels produce them.
//
// # Draining until EAGAIN
//
// One readiness report does not say how much is waiting. A handler should
// read (or write) in a loop until the call returns EAGAIN — or until a
// fairness budget runs out, so one busy peer cannot starve the others.
// When the peer closes, data and hang-up can arrive in the same report
// ([In]|[HangUp]): read the data first and close only when read returns
// 0 (end of file), or the tail of the message is lost.
//
// # Level vs edge triggering
//
// select and poll are level-triggered: while data is unread, every wait
// reports the fd again. epoll is level-triggered by default too, which is
// forgiving — a handler that reads only part of the data is called again
// next pass. With [EdgeTriggered] (EPOLLET) epoll reports only changes:
// "new data arrived". A handler that leaves data unread gets no further
// report until more arrives, and a request-response protocol hangs for
// ever. Edge triggering saves wake-ups for a server that always drains;
// it punishes one that does not. [OneShot] (EPOLLONESHOT) disarms the fd
// after one report until [Loop.Modify] re-arms it. Both modes are
// epoll-only; select and poll return [ErrModeUnsupported].
//
// # select's FD_SETSIZE limit
//
// select takes three bitmaps of type fd_set, and an fd_set has room for
// FD_SETSIZE = 1024 bits. An fd numbered 1024 or more cannot be put in
// it: in C, FD_SET on it writes past the end of the struct; in Go,
// unix.FdSet.Set panics with an index out of range. This package checks
// first: registering such an fd on the select backend returns
// [ErrFDSetSize], which names the limit and the way out (poll or epoll).
// The limit belongs to the fd_set type, not to the kernel — libevent
// allocates bigger bitmaps — but it is the limit every portable program
// meets. select also overwrites its sets with the answer, so they are
// rebuilt from the registration list before every call.
//
// # Cost: O(watched) vs O(ready)
//
// select and poll hand the kernel the whole interest list on every call;
// the kernel hooks every fd onto a wait queue, checks it, and unhooks it.
// With 10,000 idle connections and one active one, each wait touches
// 10,001 fds. epoll keeps the interest list inside the kernel
// (epoll_ctl, once per registration change) and a wait costs about the
// same with 16 or 10,000 fds. `reactorlab bench wait` measures this.
//
// # Backends per platform
//
//	backend  Linux             macOS             notes
//	select   yes               yes               fds < 1024 only; level-triggered
//	poll     yes               yes               default outside Linux; level-triggered
//	epoll    yes (default)     no (ErrLinuxOnly) level by default; per-fd edge/one-shot
//
// [Backends] lists what this platform has, [DefaultBackend] picks the
// best, and [Loop.SwitchBackend] moves a running loop to another backend
// between two passes, carrying every registration over.
//
// # Waking the loop from another goroutine
//
// [Loop.CallFromGoroutine] queues a function and wakes a sleeping loop by
// writing to an eventfd (Linux) or a non-blocking self-pipe (elsewhere)
// that the loop watches. An atomic pending flag coalesces: however many
// goroutines call in, the loop sees one wake-up write per pass.
// Twisted's callFromThread writes once per call instead.
//
// # Observing without slowing down
//
// [Loop.Subscribe] returns a [Subscription]: a bounded single-producer
// ring that the loop fills and a reader (the visualizer) drains. The loop
// never waits for the reader; when the ring is full, events are dropped
// and counted, and the next [Subscription.Drain] starts with a
// [KindOverflow] event. Events are plain values with static or
// stored-once strings, so tracing allocates nothing per event; with no
// subscriber, no event is even built. Events are handed over in batches
// (one atomic store, not one per event): when the loop goes to sleep,
// before each handler runs and when the pass ends — so a reader sees a
// waiting loop as waiting, and a handler that blocks the loop is already
// named on screen while it blocks. [Loop.Stats] is a snapshot of
// counters (passes, events, wake-ups, syscalls by kind) readable from any
// goroutine.
//
// # Stalls and panics
//
// Every handler, timer and queued call is timed. One that holds the loop
// longer than [Config.StallThreshold] (50 ms by default) is reported as a
// [KindStall] event naming its label or function. A heartbeat timer
// measures how late the loop is ([Stats].LastLag). A panic in a handler
// is recovered and reported with its stack as a [KindPanic] event; the
// loop goes on.
package reactor
