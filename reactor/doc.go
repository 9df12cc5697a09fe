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
//	var reg reactor.Registration
//	reg, _ = l.Register(fd, reactor.Readable, "client", func(fd int, r reactor.Ready) {
//		n, err := unix.Read(fd, buf) // never blocks: fd is O_NONBLOCK
//		...
//		if n == 0 { // end of file
//			reg.Close() // deregister, then close(2)
//		}
//	})
//	l.CallLater(5*time.Second, l.Stop)
//	l.Run()
//
// # Registrations are handles
//
// [Loop.Register] returns a [Registration], and only that handle can
// change the registration ([Registration.Modify]) or end it
// ([Registration.Deregister], [Registration.Close]). Each registration
// gets a new generation number, and the handle carries it: once the fd is
// closed, its number is the kernel's to hand out again, and a stale handle
// kept in an old closure gets [ErrNotRegistered] instead of acting on the
// number's next owner. The same generation travels with every event, so
// an event for an fd that a handler closed and reused earlier in the same
// batch is dropped, not delivered to the new owner (the Go runtime tags
// its registrations the same way; libuv invalidates the batch instead).
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
// # Read-closed, write-closed, hang-up
//
// A [Ready] value says more than "readable": [ReadClosed] means the peer
// has finished sending (its FIN arrived: read returns 0 once the data
// already here is consumed), [WriteClosed] that this side can send no more,
// and [HangUp] — both bits — that neither direction is left. After the
// peer's shutdown(SHUT_WR), a half-close, the fd reports In|ReadClosed
// and nothing else: the connection can still carry a reply, so a handler
// that closes on ReadClosed breaks half-close. [Err] says an error is
// pending; the read or write that collects it says which.
//
// The kernels report these differently — epoll has EPOLLRDHUP and
// EPOLLHUP, Linux's poll has POLLRDHUP and POLLHUP, select has nothing but
// "readable" — and this package reports them the same way on every
// backend (the conformance table has one row per case: half-close, close,
// reset, both sides shut down, a pipe whose reader or writer left). To do
// that for select, the select backend asks poll(2) about the fds select
// found ready, with a zero timeout: one extra syscall per select call that
// found something, and a reminder of why newer interfaces report hang-ups
// themselves. (macOS's poll has no POLLRDHUP and sets POLLHUP at the
// peer's FIN, so there it means ReadClosed.)
//
// # Interest 0 parks an fd
//
// The kernel reports hang-up and error whatever the fd was registered
// for: epoll and poll set EPOLLHUP/POLLHUP and EPOLLERR/POLLERR even in an
// interest set of zero. Left in the kernel's set with nothing to ask for,
// a reset connection would wake every wait and — level-triggered — call
// its handler on every pass. So interest 0 (in Register or
// [Registration.Modify]) parks the fd instead: it stays registered, with
// its handler and label, but leaves the kernel's set, and nothing at all
// is reported until Modify asks for something again. Watched reports a
// parked fd with interest 0; Stats.Watched counts only what the kernel
// watches.
//
// # Deregister before close (the dup trap)
//
// epoll watches an open file, not an fd number. Close a registered fd
// and, if nothing else refers to the file, epoll forgets it by itself;
// but if a dup of the fd is open — or a child process inherited it — the
// file lives on, epoll keeps reporting it under the old number, and
// EPOLL_CTL_DEL on the closed number can no longer reach the entry. A
// level-triggered loop then spins on reports for an fd it believes
// closed. So the rule is: deregister, then close — [Registration.Close]
// does both in that order, and the TCP layer and every helper in this
// repository use it. A Deregister after the close returns
// [ErrClosedWhileRegistered] on every backend (epoll says EBADF or
// ENOENT; poll and select remember the file's device and inode from
// registration and fstat the fd again), and Close then leaves the number
// alone: it may already be somebody else's file. If the kernel still
// reports an fd the loop does not watch — the trap has been sprung — the
// loop drops those events (traced as stale), reports the mistake as a
// [KindError] event, and rebuilds its epoll set from the registrations it
// knows, so the reports stop after one pass ([Loop.SetGhostRebuild] turns
// that recovery off, to show what a plain epoll loop lives with: the
// ghost reported on every pass). poll's POLLNVAL and select's EBADF for an
// fd closed while registered are delivered to its handler once, as [Err]
// (the trace adds [Invalid], so a screen can say "not open"); a
// registration the handler does not end then, the loop ends itself.
//
// A lesson shows the trap on purpose by closing behind the loop's back,
// with raw syscalls on the registered number:
//
//	dup, _ := unix.Dup(reg.Fd()) // keep the open file alive
//	unix.Close(reg.Fd())         // the mistake: close while registered
//	err := reg.Deregister()      // ErrClosedWhileRegistered
//	// with data arriving on the file, epoll reports it once more; the
//	// trace shows stale-dropped events, the error and the rebuild
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
// after one report until [Registration.Modify] re-arms it. Both modes are
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
// # Go's runtime is a reactor too
//
// A Go program already runs an event loop before this package opens
// one: the runtime's netpoller. Every net.Conn read that would block
// parks its goroutine and registers the socket, once, with the runtime's
// own epoll set; when the scheduler has nothing to run it calls
// epoll_wait on that set and wakes the goroutines whose sockets became
// ready. A goroutine-per-connection server is a reactor with the
// dispatch hidden inside the scheduler.
//
// The epoll backend cooperates with that reactor instead of fighting it.
// An epoll fd is itself pollable — it reads as ready when its set has
// something to report — so on Linux the loop's epoll fd is handed to the
// netpoller, and a wait goes like this:
//
//  1. epoll_wait(epfd, events, 128, 0): a real epoll_wait with timeout
//     0, which never sleeps. If it returns events, they are dispatched.
//  2. If it returned nothing, the loop's goroutine parks in the Go
//     runtime until the epoll fd becomes readable — the runtime's own
//     epoll_wait reports it — or the loop's timeout passes.
//  3. epoll_wait(epfd, events, 128, 0) again, and what it returns is
//     dispatched. A timeout reports no events, as epoll_wait's would.
//
// So the loop never sleeps inside epoll_wait; it sleeps in the Go
// scheduler, which sleeps in epoll_wait on its own set, in which the
// loop's epoll fd is one entry (epoll sets nest). The events the trace
// shows and the handlers receive are still exactly what the loop's
// epoll_wait returned; a wait that parked says "netpoller" in its
// [KindWaitEnd] event, [Stats].Parked counts such waits, and
// [Stats].WaitCalls counts both epoll_wait calls. strace shows them as
// epoll_wait(…, 0) — epoll_pwait with no signal mask on architectures
// without epoll_wait — and the runtime's blocking epoll_pwait on its own
// set.
//
// Why not simply block in epoll_wait? A goroutine blocked in a syscall
// keeps its OS thread, and the runtime cannot tell a syscall that sleeps
// from one that works: its monitor thread (sysmon) keeps waking to check,
// takes the blocked thread's scheduler slot (P) back after a few
// microseconds and hands it to another thread, and the loop's thread must
// win a P back when epoll_wait returns. With GOMAXPROCS=1 that costs
// futex calls, context switches and thread migrations on every wait; the
// sysmon thread alone used 1–6 % of a blocking echo server's CPU in the
// runs of docs/BENCHMARKS.md (more the more often the loop waits; 12–13 %
// in the profile issue 11 reports). A parked goroutine costs the runtime
// nothing, and its idle scheduler lets sysmon sleep. At a fixed 30,000
// requests a second the parked loop used ~0.8× the CPU per request of
// Go's own net server, the blocking one ~1.05×. The syscalls that cannot block (epoll_wait with timeout
// 0, and the TCP layer's reads and sends on non-blocking sockets) are
// raw syscalls, skipping the runtime's bookkeeping for calls that might.
// [Config].BlockingWait restores the plain blocking epoll_wait, for
// comparison; select and poll, which have no fd to hand over, always
// block in their syscall. docs/BENCHMARKS.md measures both.
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
