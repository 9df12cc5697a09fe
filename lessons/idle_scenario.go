package lessons

import (
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
)

// The scenario of lesson 11 (timers and wake-ups): an echo server that
// hangs up on a client idle for idleTimeout, resetting the client's timer
// on every line, plus the periodic housekeeping timer a real server keeps.
// Every timer is a CallLater on the loop, so the timers pane draws the
// server's whole heap.
//
// How the idle timer is pushed back is the lesson's switch:
//
//   - by default, Cancel the old timer and CallLater a new one: the
//     cancelled timer stays in the heap until it reaches the top or the
//     heap is compacted (lazy cancellation);
//   - "reset-timer" (r): Reset moves the same timer in the heap;
//   - "forget-cancel" (f), the classic bug: CallLater a new timer and
//     leave the old one armed. The old one still fires, and hangs up on a
//     client who is talking.

const (
	idleTimeout = 10 * time.Second       // silence after which the server hangs up
	houseEvery  = 250 * time.Millisecond // the housekeeping timer's period
)

// idleServer is the scenario's server state. Loop goroutine only, except
// the switches, which the injectors flip from the UI goroutine.
type idleServer struct {
	loop     *reactor.Loop
	ln       *tcp.Listener
	report   func(error)   // the driver's error line (attach)
	timeout  time.Duration // idleTimeout; tests shorten it
	house    *reactor.Timer
	sweeps   int // housekeeping runs
	burstRan int // calls of the goroutine burst run so far

	resetInPlace atomic.Bool // r: Reset instead of Cancel + CallLater
	forgetCancel atomic.Bool // f: CallLater without cancelling the old timer
}

// idleConn is one client: its transport, its current idle timer and when
// it last spoke.
type idleConn struct {
	s     *idleServer
	t     *tcp.Transport
	timer *reactor.Timer
	last  time.Time
}

// startIdleServer serves lesson 11's echo-with-idle-timeout on loop at
// addr. Call it before the loop runs.
func startIdleServer(loop *reactor.Loop, addr string) (*server, error) {
	s := &idleServer{loop: loop, report: func(error) {}, timeout: idleTimeout}
	f := tcp.FactoryFunc(func(net.Addr) tcp.Protocol {
		return tcp.NewLineProtocol(&idleConn{s: s}, 0)
	})
	ln, err := tcp.ListenTCP(loop, addr, f, tcp.WithLabel(string(Idle)))
	if err != nil {
		return nil, err
	}
	s.ln = ln
	s.house = loop.CallLater(houseEvery, s.housekeeping)
	closeFn := func() error {
		s.house.Cancel()
		err := ln.Close()
		for _, t := range ln.Conns() {
			t.Abort()
		}
		return err
	}
	return &server{addr: ln.Addr().String(), close: closeFn, ext: s,
		attach: func(d *Driver) { s.report = d.report }}, nil
}

// housekeeping is the periodic timer: it re-arms itself, as Twisted's
// LoopingCall does. A real server would flush logs or expire caches here;
// this one only counts, so that something always fires on time (or late).
func (s *idleServer) housekeeping() {
	s.sweeps++
	s.house.Reset(houseEvery)
}

// ConnectionMade implements tcp.LineHandler: the idle timer starts.
func (c *idleConn) ConnectionMade(t *tcp.Transport) {
	c.t = t
	c.last = time.Now()
	c.timer = c.s.loop.CallLater(c.s.timeout, c.expire)
	fmt.Fprintf(t, "idle server: lines come back; %v of silence and I hang up\n", c.s.timeout)
}

// LineReceived implements tcp.LineHandler: echo, and push the deadline
// back the way the switches say.
func (c *idleConn) LineReceived(line []byte) {
	c.last = time.Now()
	switch {
	case c.s.forgetCancel.Load():
		c.timer = c.s.loop.CallLater(c.s.timeout, c.expire) // the bug: the old one is still armed
	case c.s.resetInPlace.Load():
		c.timer.Reset(c.s.timeout)
	default:
		c.timer.Cancel()
		c.timer = c.s.loop.CallLater(c.s.timeout, c.expire)
	}
	c.t.Write(line)
	c.t.Write([]byte{'\n'})
}

// ConnectionLost implements tcp.LineHandler. Only the current timer is
// cancelled: one the forget-cancel bug left behind still fires, and finds
// the connection gone.
func (c *idleConn) ConnectionLost(error) { c.timer.Cancel() }

// expire is the idle timer's func. Fired by a timer that should have been
// cancelled, it hangs up on a client who spoke moments ago, as the bug
// would in a real server, and says so.
func (c *idleConn) expire() {
	if !c.t.Connected() || c.t.Disconnecting() {
		return
	}
	quiet := time.Since(c.last)
	if quiet < c.s.timeout*9/10 {
		c.s.report(fmt.Errorf("a timer that should have been cancelled hung up on %s, which spoke %v ago (forget-cancel is on)",
			c.t.RemoteAddr(), quiet.Truncate(100*time.Millisecond)))
	}
	fmt.Fprintf(c.t, "idle for %v: goodbye\n", quiet.Truncate(time.Second))
	c.t.LoseConnection()
}

// The goroutine burst: many goroutines each queue calls for the loop with
// CallFromGoroutine at once. The loop writes its waker only when it is
// asleep and no wake-up is pending, so the calls cost a handful of waker
// writes — at most one per pass — where Twisted's waker writes a byte per
// call.
const (
	burstGoroutines = 100
	burstCalls      = 100 // per goroutine
	burstDoc        = "10,000 CallFromGoroutine calls from 100 goroutines"
)

// burst starts the goroutines and returns at once. Safe from any
// goroutine: it touches only the loop's CallFromGoroutine.
func (s *idleServer) burst() {
	start := make(chan struct{})
	for range burstGoroutines {
		go func() {
			<-start
			for range burstCalls {
				s.loop.CallFromGoroutine(s.burstCall)
			}
		}()
	}
	close(start) // all at once, as a pool's workers finishing together would
}

// burstCall is what each call runs on the loop: it only counts.
func (s *idleServer) burstCall() { s.burstRan++ }
