// Package idletimeout is the solution to exercise 10_idle_timeout: one idle
// timer per connection, scheduled on the clock the server is given,
// restarted (cancelled, then scheduled anew) on every bit of activity, and
// cancelled with the connection.
package idletimeout

import (
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

// Server reads from connections on a reactor loop and closes every
// connection that has sent nothing for its idle time. It schedules its
// timers on, and reads the time from, the clock it is given: the loop
// itself in a real server (deferred.LoopClock), a deferred.FakeClock in the
// tests. Everything runs on the loop goroutine.
type Server struct {
	loop    *reactor.Loop
	clock   deferred.Clock
	idle    time.Duration
	conns   map[int]*conn
	onData  func(fd int, data []byte)
	onClose func(fd int, why string)
}

// conn is one connection the Server holds.
type conn struct {
	fd    int
	reg   reactor.Registration
	timer deferred.Cancellable // the idle timeout pending for this connection
}

// New returns a Server on loop that drops connections silent for idle on
// clock. onData receives every chunk a connection sends; onClose is called
// once for every connection the Server closes, with why: "idle" when its
// idle timer fired, "eof" when the peer closed, or the read error.
func New(loop *reactor.Loop, clock deferred.Clock, idle time.Duration, onData func(fd int, data []byte), onClose func(fd int, why string)) *Server {
	return &Server{loop: loop, clock: clock, idle: idle, conns: map[int]*conn{}, onData: onData, onClose: onClose}
}

// Open returns how many connections the Server holds.
func (s *Server) Open() int { return len(s.conns) }

// Add starts serving fd, a connected, non-blocking socket that the Server
// owns from now on: it reads what arrives, and closes it when the peer
// closes or when it has been idle for the Server's idle time.
func (s *Server) Add(fd int) error {
	c := &conn{fd: fd}
	reg, err := s.loop.Register(fd, reactor.Readable, "idle-timeout", func(int, reactor.Ready) { s.readable(c) })
	if err != nil {
		return err
	}
	c.reg = reg
	s.conns[fd] = c
	// The timer goes on the clock we were given — the loop's own timers in
	// a real server, a FakeClock in the tests — never time.AfterFunc: its
	// function would run on another goroutine, where touching the loop's
	// state is a data race, and in real time the tests do not move.
	c.timer = s.clock.CallLater(s.idle, func() { s.drop(c, "idle") })
	return nil
}

// restart pushes c's idle timeout back to s.idle from now.
func (s *Server) restart(c *conn) {
	// Cancel FIRST. Overwriting c.timer without it would leave the old
	// timer pending with nobody holding its handle: at its old due time
	// it would drop a connection that has been busy all along. (With one
	// timer per connection, at most one is ever pending — the tests
	// count them.)
	c.timer.Cancel()
	c.timer = s.clock.CallLater(s.idle, func() { s.drop(c, "idle") })
}

// readable reads everything the socket holds.
func (s *Server) readable(c *conn) {
	var buf [4096]byte
	for {
		n, err := unix.Read(c.fd, buf[:])
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return // all read; wait for the next readiness
		case err != nil:
			s.drop(c, "read: "+err.Error())
			return
		case n == 0:
			s.drop(c, "eof")
			return
		}
		s.restart(c) // activity: the idle time starts again now
		s.onData(c.fd, buf[:n])
	}
}

// drop closes c for the reason why and forgets it.
func (s *Server) drop(c *conn, why string) {
	// Undo what Add did, in reverse. Cancelling a timer that is running
	// right now (the idle case) does nothing; for "eof" it stops a timer
	// that would otherwise close this fd number again later — by then,
	// perhaps, another connection's.
	c.timer.Cancel()
	// Close deregisters the fd from the loop and THEN closes it. unix.Close
	// alone would leave the loop's registration live for a number the
	// kernel hands to the next socket, whose registration would then fail
	// (and on epoll, with a dup of the fd open elsewhere, the kernel would
	// go on reporting the old one).
	c.reg.Close()
	delete(s.conns, c.fd)
	s.onClose(c.fd, why)
}
