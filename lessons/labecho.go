package lessons

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
	"golang.org/x/sys/unix"
)

// labEcho is the echo server of lessons 5 and 6, written straight against
// the reactor: accept4, read(2) and send(2) on raw non-blocking fds, one
// handler per connection, every registration made and changed by hand.
// reactor/tcp's echo server is written to be right; this one is written
// to be broken on purpose, one switch at a time, by the lessons'
// injectors:
//
//   - partial: the handler reads one byte per readiness event instead of
//     reading until EAGAIN.
//   - edge: every second connection (by arrival) is registered
//     edge-triggered (EPOLLET), the others stay level-triggered: the two
//     side by side.
//   - oneshot: connections are registered EPOLLONESHOT; rearm: the
//     handler re-arms them after each event (without it they go silent).
//   - the dup trap: a connection is closed while a dup of it lives on,
//     without deregistering first (or, with dupFirst, in the right order).
//   - spurious readiness: another reader takes a connection's data between
//     the wait and the handler's read, on an fd made blocking.
//
// A quarter of a second apart it samples how many bytes wait unread in
// each connection that has ever sent something (FIONREAD) and traces them
// as reactor.KindUnread, so the interest pane shows what a stuck handler
// left in the kernel. Everything but the switches' flags belongs to the
// loop goroutine.
type labEcho struct {
	loop  *reactor.Loop
	lfd   int
	lreg  reactor.Registration
	addr  string
	conns map[int]*labConn // by fd
	buf   []byte           // one read buffer for every connection
	dups  []int            // fds the dup trap keeps open
	lastN time.Time        // last unread sample
	count int              // connections accepted so far

	// The switches. An injector flips the flag and posts the change to
	// the loop; the atomics let InjectorOn read them from any goroutine.
	partial, edge, oneshot, rearm, dupFirst atomic.Bool
	trapped                                 atomic.Int32 // len(dups), for InjectorOn
}

// labConn is one connection of labEcho.
type labConn struct {
	fd       int
	nth      int // accepted nth: the even ones go edge-triggered
	reg      reactor.Registration
	label    string
	in       reactor.Interest // what the registration asks for now
	out      []byte           // echo the socket could not take yet
	talked   bool             // has sent something: its queue is worth sampling
	sampled  bool             // an unread sample has been traced
	unread   int              // bytes waiting, at the last sample
	spurious bool             // the next report finds its data gone (injectSpurious)
}

const (
	labMaxOut      = 1 << 20                // unsent echo before a client that does not read is dropped
	unreadEvery    = 250 * time.Millisecond // how often the unread bytes are sampled
	spuriousWait   = 2 * time.Second        // SO_RCVTIMEO on the blocking read, so the lab gets its loop back
	labAcceptBatch = 64
)

// startLabEcho listens on addr and serves the lab's echo on loop. Call it
// before the loop runs.
func startLabEcho(loop *reactor.Loop, addr string) (*labEcho, error) {
	lfd, bound, err := tcp.ListenRaw(addr)
	if err != nil {
		return nil, err
	}
	s := &labEcho{loop: loop, lfd: lfd, addr: bound.String(), conns: map[int]*labConn{}, buf: make([]byte, 64<<10)}
	label := "echo listen " + s.addr
	s.lreg, err = loop.Register(lfd, reactor.Readable, label, s.accept)
	if err != nil {
		unix.Close(lfd)
		return nil, err
	}
	loop.Trace(reactor.TraceEvent{Kind: reactor.KindListen, Fd: int32(lfd), Label: label, Text: s.addr})
	return s, nil
}

// close stops listening and closes every connection (and any dup the trap
// still holds). Loop goroutine, or after the loop stopped.
func (s *labEcho) close() error {
	err := s.lreg.Close()
	for _, c := range s.conns {
		c.reg.Close()
	}
	clear(s.conns)
	s.releaseDups()
	return err
}

// accept takes what is queued, up to a batch. At the fd limit it stops
// watching the socket for a moment, as tcp's listener does without a
// spare: lesson 5's ten thousand clients may meet the limit.
func (s *labEcho) accept(int, reactor.Ready) {
	for range labAcceptBatch {
		fd, remote, err := tcp.AcceptRaw(s.lfd)
		s.loop.CountSyscall(reactor.SysAccept)
		switch {
		case err == nil:
			s.serve(fd, ":"+strconv.Itoa(remote.Port))
		case errors.Is(err, unix.EINTR), errors.Is(err, unix.ECONNABORTED):
		case errors.Is(err, unix.EMFILE), errors.Is(err, unix.ENFILE):
			// Unlabelled, so the point leads the error line.
			s.loop.Trace(reactor.TraceEvent{Kind: reactor.KindError, Fd: int32(s.lfd),
				Text: "accept4: too many open files: this process may open " + softLimit() + " (ulimit -n); accepting again in 100 ms"})
			if s.lreg.Modify(0) == nil {
				s.loop.CallLater(100*time.Millisecond, func() { s.lreg.Modify(reactor.Readable) })
			}
			return
		default: // EAGAIN: the queue is empty
			return
		}
	}
}

// serve registers a new connection with the modes switched on now.
func (s *labEcho) serve(fd int, remote string) {
	s.count++
	c := &labConn{fd: fd, nth: s.count, label: "echo " + remote}
	c.in = s.want(c)
	reg, err := s.loop.Register(fd, c.in, c.label, func(_ int, r reactor.Ready) { s.handle(c, r) })
	if err != nil {
		unix.Close(fd)
		s.loop.Trace(reactor.TraceEvent{Kind: reactor.KindRefused, Fd: int32(fd), Label: c.label, Text: err.Error()})
		return
	}
	c.reg = reg
	s.conns[fd] = c
	s.loop.Trace(reactor.TraceEvent{Kind: reactor.KindAccepted, Fd: int32(fd), Label: c.label, Text: "127.0.0.1" + remote})
}

// want is what c's registration should ask for under the switches: the
// modes only where the backend has them (epoll).
func (s *labEcho) want(c *labConn) reactor.Interest {
	in := reactor.Readable
	if len(c.out) > 0 {
		in |= reactor.Writable
	}
	if s.loop.Backend() != "epoll" {
		return in
	}
	if s.edge.Load() && c.nth%2 == 0 {
		in |= reactor.EdgeTriggered
	}
	if s.oneshot.Load() {
		in |= reactor.OneShot
	}
	return in
}

// handle is every connection's handler.
func (s *labEcho) handle(c *labConn, r reactor.Ready) {
	if len(c.out) > 0 && r&(reactor.Out|reactor.WriteClosed|reactor.Err) != 0 && !s.flush(c) {
		return
	}
	if r&(reactor.In|reactor.ReadClosed|reactor.Err) != 0 {
		if c.spurious {
			c.spurious = false
			if !s.spurious(c) {
				return
			}
		} else if !s.read(c) {
			return
		}
	}
	// A one-shot registration is disarmed now: only a MOD brings it back.
	// The handler that forgets this is the mistake; rearm is the fix. A
	// change of interest re-arms it too (a MOD is a MOD).
	if w := s.want(c); w != c.in || w&reactor.OneShot != 0 && s.rearm.Load() {
		s.modify(c, w)
	}
}

// modify changes c's registration, closing it if the kernel refuses.
func (s *labEcho) modify(c *labConn, w reactor.Interest) bool {
	if err := c.reg.Modify(w); err != nil {
		s.drop(c, err)
		return false
	}
	c.in = w
	return true
}

// read reads until EAGAIN — or, with partial on, one byte, the mistake.
// It reports whether the connection is still open.
func (s *labEcho) read(c *labConn) bool {
	for {
		p := s.buf
		if s.partial.Load() {
			p = p[:1]
		}
		n, err := unix.Read(c.fd, p)
		s.loop.CountSyscall(reactor.SysRead)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return true
		case !s.took(c, p, n, err):
			return false
		case s.partial.Load():
			return true // one byte per event: the rest waits for the next report
		}
	}
}

// took deals with what one read(2) returned, EAGAIN and EINTR aside: an
// error or the end of the stream closes the connection, bytes are echoed.
// It reports whether the connection is still open.
func (s *labEcho) took(c *labConn, p []byte, n int, err error) bool {
	switch {
	case err != nil:
		s.drop(c, os.NewSyscallError("read", err))
		return false
	case n == 0:
		s.drop(c, nil)
		return false
	}
	return s.echo(c, p[:n], "")
}

// echo accounts for n bytes read and writes them back.
func (s *labEcho) echo(c *labConn, p []byte, how string) bool {
	c.talked = true
	s.loop.Trace(reactor.TraceEvent{Kind: reactor.KindBytesIn, Fd: int32(c.fd), Label: c.label, N: int64(len(p)), Text: how})
	if len(c.out) == 0 {
		w, ok := s.send(c, p)
		if !ok {
			return false
		}
		p = p[w:]
	}
	if len(p) == 0 {
		return true
	}
	c.out = append(c.out, p...)
	if len(c.out) > labMaxOut {
		s.drop(c, errors.New("the client does not read its echo"))
		return false
	}
	return true
}

// flush writes buffered echo until the socket is full.
func (s *labEcho) flush(c *labConn) bool {
	for len(c.out) > 0 {
		w, ok := s.send(c, c.out)
		if !ok {
			return false
		}
		if w == 0 {
			break
		}
		c.out = c.out[:copy(c.out, c.out[w:])]
	}
	return true
}

// send makes one send; EAGAIN is 0 bytes. It reports false (and drops the
// connection) on an error.
func (s *labEcho) send(c *labConn, p []byte) (int, bool) {
	for {
		n, err := tcp.SendRaw(c.fd, p)
		s.loop.CountSyscall(reactor.SysWrite)
		switch err {
		case nil:
			s.loop.Trace(reactor.TraceEvent{Kind: reactor.KindBytesOut, Fd: int32(c.fd), Label: c.label, N: int64(n)})
			return n, true
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return 0, true
		}
		s.drop(c, os.NewSyscallError(tcp.SendCall(), err))
		return 0, false
	}
}

// drop closes c the right way round: deregister, then close(2).
func (s *labEcho) drop(c *labConn, reason error) {
	c.reg.Close()
	delete(s.conns, c.fd)
	text := "end of file"
	if reason != nil {
		text = reason.Error()
	}
	s.loop.Trace(reactor.TraceEvent{Kind: reactor.KindClosed, Fd: int32(c.fd), Label: c.label, Text: text})
}

// sample traces the bytes waiting unread in each connection that has
// talked, when they changed (FIONREAD: a question to the kernel, asked on
// the loop goroutine so the screen makes no syscall). Idle connections
// are never asked: ten thousand of them would cost ten thousand ioctls.
func (s *labEcho) sample(now time.Time) {
	if now.Sub(s.lastN) < unreadEvery {
		return
	}
	s.lastN = now
	for _, c := range s.conns {
		if !c.talked {
			continue
		}
		n, err := unix.IoctlGetInt(c.fd, fionread)
		if err != nil || c.sampled && n == c.unread {
			continue
		}
		c.sampled, c.unread = true, n
		s.loop.Trace(reactor.TraceEvent{Kind: reactor.KindUnread, Fd: int32(c.fd), Label: c.label, N: int64(n)})
	}
}

// errEpollOnly refuses a mode switch on a backend without it.
func (s *labEcho) errEpollOnly(what string) error {
	if b, _ := reactor.LookupBackend("epoll"); !b.Available {
		return fmt.Errorf("%s is an epoll mode, and epoll is Linux-only: this system has %v", what, reactor.BackendNames())
	}
	return fmt.Errorf("press b for epoll first: %s is an epoll mode, and the loop runs on %s", what, s.loop.Backend())
}

// setModes re-registers every connection for the switches as they are
// now. Loop goroutine only.
func (s *labEcho) setModes() {
	for _, c := range s.byFd() {
		if w := s.want(c); w != c.in {
			s.modify(c, w)
		}
	}
}

// rearmAll re-arms every one-shot registration now: the MOD makes epoll
// look at the fd again and report what is waiting.
func (s *labEcho) rearmAll() {
	for _, c := range s.byFd() {
		if c.in&reactor.OneShot != 0 {
			s.modify(c, c.in)
		}
	}
}

// nudgeEdges makes epoll look again at every edge-triggered fd: two MODs
// (level, then edge again) queue a report for one that has data waiting,
// which no new arrival would do. Used when the one-byte handler is fixed,
// so the fixed handler gets to drain what the broken one left.
func (s *labEcho) nudgeEdges() {
	for _, c := range s.byFd() {
		if c.in&reactor.EdgeTriggered != 0 && c.in&reactor.OneShot == 0 {
			if s.modify(c, c.in&^reactor.EdgeTriggered) {
				s.modify(c, c.in|reactor.EdgeTriggered)
			}
		}
	}
}

// byFd lists the connections in fd order (modify may drop one).
func (s *labEcho) byFd() []*labConn {
	out := make([]*labConn, 0, len(s.conns))
	for _, c := range s.conns {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *labConn) int { return a.fd - b.fd })
	return out
}

// victim picks the connection an injector breaks: the newest one that has
// talked (the learner's nc, if they connected last and typed), else the
// newest of all.
func (s *labEcho) victim() *labConn {
	var best *labConn
	for _, c := range s.conns {
		if best == nil || c.talked && !best.talked || c.talked == best.talked && c.fd > best.fd {
			best = c
		}
	}
	return best
}

// dupTrap closes a connection while a dup of it stays open — the dup
// standing for a child process that inherited the fd, or a library that
// kept a copy. Without dupFirst it closes before deregistering: epoll
// keeps watching the open file, the late EPOLL_CTL_DEL cannot reach it,
// and the kernel goes on reporting an fd the server has forgotten. With
// dupFirst it deregisters first, and epoll forgets the fd whatever else
// holds the file.
func (s *labEcho) dupTrap() error {
	c := s.victim()
	if c == nil {
		return errors.New("dup trap: no connection to close; press c to add clients")
	}
	dup, err := unix.FcntlInt(uintptr(c.fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("fcntl(F_DUPFD_CLOEXEC)", err)
	}
	s.dups = append(s.dups, dup)
	s.trapped.Store(int32(len(s.dups)))
	delete(s.conns, c.fd)
	how := "deregistered, then closed; a dup keeps the file open"
	if s.dupFirst.Load() {
		c.reg.Close()
	} else {
		unix.Close(c.fd)   // the mistake: close while still registered...
		c.reg.Deregister() // ...and EPOLL_CTL_DEL comes too late (traced as an error)
		how = "closed while still registered; a dup keeps the file open"
	}
	s.loop.Trace(reactor.TraceEvent{Kind: reactor.KindClosed, Fd: int32(c.fd), Label: c.label, Text: how})
	return nil
}

// releaseDups closes the trap's dups: the files close for good, epoll
// drops them by itself, and their clients see the end of the connection.
func (s *labEcho) releaseDups() {
	for _, fd := range s.dups {
		unix.Close(fd)
	}
	s.dups = nil
	s.trapped.Store(0)
}

// injectSpurious marks a connection so that its next readiness report
// finds its data gone.
func (s *labEcho) injectSpurious() error {
	c := s.victim()
	if c == nil {
		return errors.New("spurious: no connection; press c to add clients")
	}
	c.spurious = true
	return nil
}

// spurious plays out a readiness report with nothing behind it. Another
// reader (standing for a second process on the same socket, or a
// datagram dropped for a bad checksum) takes the data and answers it
// between the wait and this handler's read. The fd has been made blocking
// — the mistake — so the handler's read, which would return EAGAIN on a
// non-blocking fd, waits instead: for the client's next line, or the
// receive timeout set here so the lab gets its loop back. Every other
// connection waits with it.
func (s *labEcho) spurious(c *labConn) bool {
	for { // the other reader
		n, err := unix.Read(c.fd, s.buf)
		if err != nil || n == 0 {
			break
		}
		if !s.echo(c, s.buf[:n], "taken by another reader") {
			return false
		}
	}
	unix.SetNonblock(c.fd, false)
	wait := unix.NsecToTimeval(int64(spuriousWait))
	unix.SetsockoptTimeval(c.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &wait)
	n, err := unix.Read(c.fd, s.buf) // blocks the loop
	s.loop.CountSyscall(reactor.SysRead)
	unix.SetsockoptTimeval(c.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{})
	unix.SetNonblock(c.fd, true)
	if err == unix.EAGAIN || err == unix.EINTR {
		return true // the timeout: nothing came
	}
	return s.took(c, s.buf, n, err)
}
