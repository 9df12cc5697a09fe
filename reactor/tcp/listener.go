package tcp

import (
	"net"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

// Accept batch bounds. The batch starts at DefaultAcceptBatch, grows while
// every pass fills it (a queue of clients is waiting) and shrinks toward what
// a pass actually found, so a burst of connects is absorbed quickly without
// one pass doing nothing but accept while established clients wait.
const (
	minAcceptBatch = 16
	maxAcceptBatch = 4096
)

// retryAfterFDExhaustion is how long a listener stops watching its socket
// when it is out of fds and could not keep a spare one.
const retryAfterFDExhaustion = 100 * time.Millisecond

// Listener accepts connections on a raw listening socket driven by a loop.
type Listener struct {
	loop    *reactor.Loop
	ep      *endpoint
	fd      int
	reg     reactor.Registration
	addr    *net.TCPAddr
	factory Factory
	label   string
	batch   int
	reserve int  // fd kept open on /dev/null to recover from EMFILE; -1 when none
	naive   bool // SetFDGuard(false): EMFILE is left as a naive loop leaves it
	spun    bool // naive and the last accept said EMFILE: reported already
	closed  bool
	retry   *reactor.Timer // set while accepting is paused for want of a spare fd
}

// ListenTCP starts listening on addr ("host:port"; port 0 picks a free port,
// see Addr) and builds a protocol with f for every connection. It must be
// called on the loop goroutine or before the loop runs.
//
// As with net.Listen, a wildcard host (":7000", "0.0.0.0:7000", "[::]:7000")
// listens on IPv6 and IPv4 at once where the system can (one AF_INET6
// socket with IPV6_V6ONLY off; IPv4 clients appear as ::ffff:a.b.c.d,
// printed a.b.c.d). A link-local IPv6 address keeps its zone, by name or
// number ("[fe80::1%eth0]:7000", "[fe80::1%2]:7000").
func ListenTCP(loop *reactor.Loop, addr string, f Factory, opts ...Option) (*Listener, error) {
	a, err := resolve(addr)
	if err != nil {
		return nil, err
	}
	cfg := newConfig(opts)
	fd, bound, err := listenSocket(a, cfg.backlog)
	if err != nil {
		return nil, err
	}
	ln := &Listener{loop: loop, ep: newEndpoint(cfg), fd: fd, addr: bound, factory: f,
		label: cfg.label + " listen " + bound.String(), batch: DefaultAcceptBatch, reserve: openReserve()}
	ln.reg, err = loop.Register(fd, reactor.Readable, ln.label, ln.handle)
	if err != nil {
		unix.Close(fd)
		ln.closeReserve()
		return nil, err
	}
	loop.Trace(reactor.TraceEvent{Kind: reactor.KindListen, Fd: int32(fd), Label: ln.label, Text: bound.String()})
	return ln, nil
}

// openReserve opens the spare fd used when the process runs out.
func openReserve() int {
	fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1
	}
	return fd
}

func (ln *Listener) closeReserve() {
	if ln.reserve >= 0 {
		unix.Close(ln.reserve)
		ln.reserve = -1
	}
}

// Addr returns the bound address, with the real port if port 0 was asked for.
func (ln *Listener) Addr() *net.TCPAddr { return ln.addr }

// Fd returns the listening socket's file descriptor, or -1 once closed.
func (ln *Listener) Fd() int {
	if ln.closed {
		return -1
	}
	return ln.fd
}

// Counters returns running totals for this listener's connections. Safe from
// any goroutine.
func (ln *Listener) Counters() Counters { return ln.ep.stats.snapshot() }

// AcceptBatch returns the current accept batch size.
func (ln *Listener) AcceptBatch() int { return ln.batch }

// Conns returns the open connections (loop goroutine only).
func (ln *Listener) Conns() []*Transport {
	ts := make([]*Transport, 0, len(ln.ep.conns))
	for t := range ln.ep.conns {
		ts = append(ts, t)
	}
	return ts
}

// Close stops listening. Open connections are left alone (see Server.Close).
func (ln *Listener) Close() error {
	if ln.closed {
		return nil
	}
	ln.closed = true
	if ln.retry != nil {
		ln.retry.Cancel()
		ln.retry = nil
	}
	ln.closeReserve()
	return ln.reg.Close()
}

// handle accepts up to one batch of waiting connections.
func (ln *Listener) handle(_ int, _ reactor.Ready) {
	n := 0
	for n < ln.batch && !ln.closed {
		fd, sa, err := accept(ln.fd)
		ln.loop.CountSyscall(reactor.SysAccept)
		switch err {
		case nil:
			n++
			ln.spun = false
			ln.newConn(fd, sa)
			continue
		case unix.EINTR, unix.ECONNABORTED:
			// ECONNABORTED: the client gave up while queued; try the next.
			continue
		case unix.EAGAIN:
			ln.adapt(n, false)
			return
		case unix.EMFILE, unix.ENFILE:
			if ln.naive {
				ln.leaveQueued(err)
				return
			}
			if ln.refuseOne() {
				n++ // counts toward the batch: it did cost an accept
				continue
			}
		default:
			ln.acceptError(err)
		}
		ln.adapt(n, false)
		return
	}
	ln.adapt(n, true)
}

func (ln *Listener) adapt(n int, saturated bool) {
	if saturated {
		ln.batch = min(ln.batch*3/2, maxAcceptBatch)
	} else {
		ln.batch = max((ln.batch+n)/2, minAcceptBatch)
	}
}

func (ln *Listener) acceptError(err error) {
	ln.ep.stats.acceptErrors.Add(1)
	ln.loop.Trace(reactor.TraceEvent{Kind: reactor.KindError, Fd: int32(ln.fd), Label: ln.label,
		Text: syscallErr("accept4", err).Error()})
}

// refuseOne deals with EMFILE/ENFILE. The pending connection stays in the
// kernel's queue, so the listening socket stays readable and a naive loop
// would spin at 100% CPU. Instead: free the spare fd, accept the client,
// close it at once (it sees the connection drop), and take the spare back.
// It reports whether accepting may go on in this batch.
//
// accept4 checks for a free fd before it looks at the queue, so at the
// limit it says EMFILE even when nobody is waiting; the accept with the
// spare then says EAGAIN, which only means the queue is empty: stop this
// batch, keep watching the socket.
func (ln *Listener) refuseOne() bool {
	if ln.reserve < 0 {
		ln.pause()
		return false
	}
	unix.Close(ln.reserve)
	ln.reserve = -1
	fd, _, err := accept(ln.fd)
	ln.loop.CountSyscall(reactor.SysAccept)
	if err == nil {
		unix.Close(fd)
		ln.ep.stats.refused.Add(1)
		ln.loop.Trace(reactor.TraceEvent{Kind: reactor.KindRefused, Fd: int32(ln.fd), Label: ln.label,
			Text: "out of file descriptors"})
	}
	ln.reserve = openReserve()
	if ln.reserve < 0 {
		ln.pause() // something else took the spare fd
		return false
	}
	switch err {
	case nil, unix.EINTR, unix.ECONNABORTED:
		return true
	case unix.EAGAIN:
		return false
	}
	ln.acceptError(err)
	return false
}

// pause stops watching the listening socket for a moment: out of fds with
// no spare to refuse clients with, an accept cannot succeed, and watching
// a socket that stays readable would spin. The registration is parked,
// not ended, and a timer unparks it.
func (ln *Listener) pause() {
	ln.loop.Trace(reactor.TraceEvent{Kind: reactor.KindRefused, Fd: int32(ln.fd), Label: ln.label,
		Text: "out of file descriptors (no spare fd; accepting paused)"})
	if ln.retry != nil || ln.reg.Modify(0) != nil {
		return
	}
	ln.retry = ln.loop.CallLater(retryAfterFDExhaustion, func() {
		ln.retry = nil
		if ln.closed {
			return
		}
		if ln.reserve < 0 {
			ln.reserve = openReserve()
		}
		ln.reg.Modify(reactor.Readable)
	})
}

// newConn wraps an accepted socket in a transport and starts its protocol.
func (ln *Listener) newConn(fd int, sa unix.Sockaddr) {
	setNoDelay(fd)
	remote := tcpAddr(sa)
	p := buildProtocol(ln.factory, fd, remote)
	if p == nil {
		unix.Close(fd) // the factory declined this client
		return
	}
	ln.ep.stats.accepted.Add(1)
	if ln.loop.Tracing() {
		ln.loop.Trace(reactor.TraceEvent{Kind: reactor.KindAccepted, Fd: int32(fd), Label: ln.label, Text: remote.String()})
	}
	if err := newTransport(ln.loop, ln.ep, fd, remote, p).start(); err != nil {
		ln.ep.stats.refused.Add(1)
		ln.loop.Trace(reactor.TraceEvent{Kind: reactor.KindRefused, Fd: int32(fd), Label: ln.label, Text: err.Error()})
	}
}

// SetFDGuard turns the listener's defence against running out of file
// descriptors on (the default) or off. Off, the listener does what a
// naive accept loop does when accept4 fails with EMFILE or ENFILE: it
// simply returns. The client stays queued in the kernel, the listening
// socket stays readable, and the loop calls the handler again on every
// pass: it spins at full CPU, accepting nothing, until fds are freed.
// Lessons turn the guard off to show that. The spare fd stays reserved
// meanwhile, unused, so switching the guard back on refuses the queued
// clients at once. Loop goroutine only.
func (ln *Listener) SetFDGuard(on bool) {
	if ln.closed || ln.naive == !on {
		return
	}
	ln.naive = !on
	ln.spun = false
}

// FDGuard reports whether the EMFILE guard is on (see SetFDGuard).
func (ln *Listener) FDGuard() bool { return !ln.naive }

// leaveQueued is a naive loop's answer to EMFILE: nothing. It counts the
// failure and reports the first of a run, so a spinning loop is named on
// screen once instead of flooding the trace on every pass.
func (ln *Listener) leaveQueued(err error) {
	ln.ep.stats.acceptErrors.Add(1)
	if ln.spun {
		return
	}
	ln.spun = true
	ln.loop.Trace(reactor.TraceEvent{Kind: reactor.KindError, Fd: int32(ln.fd), Label: ln.label,
		Text: syscallErr("accept4", err).Error() + ": the client stays queued and the socket stays readable (the EMFILE guard is off)"})
}
