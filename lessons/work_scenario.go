package lessons

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
	"github.com/reactorlab/reactorlab/visualizer"
)

// The scenario of lessons 8 and 9: a line server with two kinds of
// request. "ping 7" (or any other line) is answered at once, the way a
// healthy reactor answers. "report 7" needs a slow blocking call first — a
// query to a slow database, played by a read(2) on a blocking pipe that
// answers after reportTakes. Where that call runs is lesson 9: on the loop
// (the default), on the loop inside a Deferred (the wrap injector), or on
// a goroutine pool of poolWorkers (the offload injector), drawn by the
// pool pane. "nested 7" is the pool's deadlock trap (nestedJob).
//
// The server also keeps a housekeeping timer, as real servers do: when the
// loop blocks it fires late, and the stalls pane says by how much.

const (
	reportTakes  = 150 * time.Millisecond // one report's blocking query
	poolWorkers  = 4                      // libuv's default pool size; Twisted's is 10
	floodClients = 30                     // report clients the flood injector adds, each asking twice a second
	nestedJobs   = poolWorkers            // nested reports the deadlock injector sends at once
	nestedWait   = 3 * time.Second        // how long a nested report waits for its sub-query
	sweepEvery   = 100 * time.Millisecond // the housekeeping timer
	poolBuffer   = 1 << 12                // pool events kept between two frames
)

// reportMode is where a report's blocking query runs.
type reportMode int32

const (
	reportInline    reportMode = iota // in the handler, on the loop
	reportWrapped                     // in the handler, wrapped in a Deferred: still on the loop
	reportOffloaded                   // on the goroutine pool; the Deferred fires back on the loop
)

// errWedged is the failure of a nested report that gave up waiting.
var errWedged = errors.New("the pool is wedged")

// workServer is the scenario's server.
type workServer struct {
	loop  *reactor.Loop
	clock deferred.Loop
	pool  *deferred.Pool
	rec   *visualizer.PoolRecorder
	mode  atomic.Int32 // a reportMode; set from the UI goroutine, read on the loop
	flood atomic.Int64 // the flood's client batch while it is on, else 0
	sweep *reactor.Timer
	// nestedWait is how long a nested report waits for its sub-query
	// before it gives up (tests shorten it).
	nestedWait time.Duration
	conns      map[*workConn]struct{} // loop goroutine only
}

// workConn is one client's connection.
type workConn struct {
	s       *workServer
	t       replier
	pending map[*deferred.Deferred]struct{} // reports still running
}

func newWorkServer(loop *reactor.Loop) *workServer {
	s := &workServer{
		loop:  loop,
		clock: deferred.LoopClock(loop),
		pool:  deferred.NewPool(poolWorkers),
		rec:   visualizer.NewPoolRecorder(poolBuffer),
		conns: map[*workConn]struct{}{},

		nestedWait: nestedWait,
	}
	s.pool.Observe(s.rec.Observe)
	return s
}

func (s *workServer) newConn(t replier) *workConn {
	c := &workConn{s: s, t: t, pending: map[*deferred.Deferred]struct{}{}}
	s.conns[c] = struct{}{}
	return c
}

// ConnectionMade implements tcp.LineHandler.
func (c *workConn) ConnectionMade(t *tcp.Transport) { c.t = t }

// LineReceived implements tcp.LineHandler: a report, the deadlock trap, or
// anything else, echoed at once.
func (c *workConn) LineReceived(line []byte) {
	text := strings.TrimSpace(string(line))
	switch verb, arg, _ := strings.Cut(text, " "); verb {
	case "report":
		c.report(arg)
	case "nested":
		c.nested(arg)
	default:
		c.write(text)
	}
}

// ConnectionLost implements tcp.LineHandler: reports nobody will read are
// cancelled (a queued one leaves the pool's queue).
func (c *workConn) ConnectionLost(error) {
	for d := range c.pending {
		d.Cancel()
	}
	delete(c.s.conns, c)
}

// report answers "report N" where the current mode runs its query.
func (c *workConn) report(arg string) {
	query := func() (any, error) { return queryDatabase(arg) }
	switch reportMode(c.s.mode.Load()) {
	case reportInline:
		c.answer(query()) // the loop waits in read(2): everyone waits
	case reportWrapped:
		// MaybeDeferred calls query right now, on the loop, and wraps what
		// it returns: a Deferred that has already fired. Nothing was gained.
		c.follow(deferred.MaybeDeferred(query))
	case reportOffloaded:
		c.follow(c.s.pool.DeferLabel(c.s.clock, "report "+arg, query))
	}
}

// nested answers "nested N": the deadlock trap, always on the pool.
func (c *workConn) nested(arg string) {
	s := c.s
	c.follow(s.pool.DeferLabel(s.clock, "nested "+arg, func() (any, error) { return s.nestedJob(arg) }))
}

// nestedJob runs on a pool worker and makes the classic mistake: it needs
// a sub-query that runs on the same pool, and waits for it synchronously.
// It asks the loop to start the sub-query (waiting for the loop to do so),
// then blocks in Wait until the loop hands it the result. One such job is
// only slow. But when every worker runs one, the sub-queries wait in the
// queue behind the very jobs that wait for them: the pool is wedged, and
// nothing it runs will ever finish. The loop itself stays free. The lab
// gives up after nestedWait, so the trap is safe to spring.
func (s *workServer) nestedJob(arg string) (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.nestedWait)
	defer cancel()
	started := make(chan *deferred.Deferred, 1)
	s.loop.CallFromGoroutine(func() {
		started <- s.pool.DeferLabel(s.clock, "sub-query of nested "+arg, func() (any, error) { return queryDatabase(arg) })
	})
	var sub *deferred.Deferred
	select {
	case sub = <-started:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: gave up after %v", errWedged, s.nestedWait)
	}
	v, err := sub.Wait(ctx) // the mistake: a worker waiting for the pool
	if err != nil {
		s.loop.CallFromGoroutine(func() {
			sub.AddErrback(ignoreCancel) // nobody waits for it now
			sub.Cancel()                 // still queued: it leaves the queue
		})
		return nil, fmt.Errorf("%w: gave up after %v waiting for its own sub-query, queued behind jobs like this one", errWedged, s.nestedWait)
	}
	return v, nil
}

// ignoreCancel handles the failure of a Deferred cancelled on purpose.
func ignoreCancel(f *deferred.Failure) (any, error) {
	if f.Check(deferred.ErrCancelled) != nil {
		return nil, nil
	}
	return nil, f
}

// follow answers with d's result when it fires, and cancels d if the
// client hangs up first.
func (c *workConn) follow(d *deferred.Deferred) {
	c.pending[d] = struct{}{}
	d.AddBoth(func(v any) (any, error) {
		delete(c.pending, d)
		if f, ok := v.(*deferred.Failure); ok {
			if f.Check(deferred.ErrCancelled) != nil {
				return nil, nil // the client is gone
			}
			c.answer(nil, f)
			return nil, nil
		}
		c.answer(v, nil)
		return nil, nil
	})
}

// answer writes a report's result or its failure.
func (c *workConn) answer(v any, err error) {
	if err != nil {
		c.write("sorry: " + err.Error())
		return
	}
	c.write(fmt.Sprint(v))
}

func (c *workConn) write(s string) {
	if c.t != nil && c.t.Connected() {
		c.t.Write([]byte(s + "\n")) // a failed write closes the connection; ConnectionLost follows
	}
}

// queryDatabase is the slow query behind a report: a real blocking read.
func queryDatabase(arg string) (any, error) {
	if err := blockingRead(reportTakes); err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(arg)
	return fmt.Sprintf("report %s: %d rows", arg, 10+n%90), nil
}

// sweepTick is the housekeeping timer (expiring sessions, flushing logs:
// it does nothing here but come back). A blocked loop makes it late.
func (s *workServer) sweepTick() { s.sweep = s.loop.CallLater(sweepEvery, s.sweepTick) }

// setMode switches where reports run: on turns mode m on, off turns it
// back to inline if m is the mode now. UI goroutine.
func (s *workServer) setMode(m reportMode, on bool) {
	if on {
		s.mode.Store(int32(m))
		return
	}
	s.mode.CompareAndSwap(int32(m), int32(reportInline))
}

// modeOn reports whether m is the mode now.
func (s *workServer) modeOn(m reportMode) bool { return reportMode(s.mode.Load()) == m }

// pingLine, reportLine and nestedLine are what the scenario's clients send.
func pingLine(_, n int) string    { return "ping " + strconv.Itoa(n) }
func reportLine(id, n int) string { return "report " + strconv.Itoa(100*id+n) }
func nestedLine(id, n int) string { return "nested " + strconv.Itoa(10*id+n) }

// The client groups of lessons 8 and 9.
var (
	pingers   = ClientGroup{Name: "ping", Count: 2, Every: 100 * time.Millisecond, Line: pingLine}
	chatters  = ClientGroup{Name: "chat", Count: 3, Every: 300 * time.Millisecond, Line: defaultLine}
	reporters = ClientGroup{Name: "report", Count: 2, Line: reportLine}
	flooders  = ClientGroup{Name: "report", Count: floodClients, Every: 500 * time.Millisecond, Line: reportLine}
	nesters   = ClientGroup{Name: "nested", Count: 1, Line: nestedLine, Once: true, Burst: nestedJobs}
)

// startWorkServer serves the work protocol on loop at addr. Call it before
// the loop runs; the server's close runs on the loop goroutine.
func startWorkServer(loop *reactor.Loop, addr string) (*server, error) {
	s := newWorkServer(loop)
	f := tcp.FactoryFunc(func(net.Addr) tcp.Protocol {
		return tcp.NewLineProtocol(s.newConn(nil), 0)
	})
	ln, err := tcp.ListenTCP(loop, addr, f, tcp.WithLabel(string(Work)))
	if err != nil {
		s.pool.Close()
		return nil, err
	}
	// Deferreds made on this loop's clock (the pool's) report unhandled
	// failures at the end of the pass, on screen, never on stderr.
	b := deferred.BindLoop(loop)
	b.SetUnhandledHook(func(deferred.UnhandledFailure) {})
	s.sweep = loop.CallLater(sweepEvery, s.sweepTick)
	closeFn := func() error {
		s.sweep.Cancel()
		err := ln.Close()
		for _, t := range ln.Conns() { // each one's ConnectionLost cancels its reports
			t.Abort()
		}
		s.pool.Close()
		b.Unbind()
		return err
	}
	return &server{addr: ln.Addr().String(), close: closeFn, timed: true, pool: s.rec, work: s, line: pingLine}, nil
}

// poolLive is the Driver of a scenario with a goroutine pool: it also
// feeds the pool pane (visualizer.PoolSource).
type poolLive struct{ *Driver }

// DrainPool implements visualizer.PoolSource.
func (l poolLive) DrainPool(dst []deferred.PoolEvent) []deferred.PoolEvent {
	return l.pool.Drain(dst)
}

var _ visualizer.PoolSource = poolLive{}
