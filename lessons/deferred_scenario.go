package lessons

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
	"github.com/reactorlab/reactorlab/visualizer"
)

// The scenario of the Deferred lesson: a line server that answers each
// line through a Deferred chain on the loop's clock, with the chain pane
// drawing every chain as it runs.
//
// A client sends "user 42"; the server parses the number, looks the user
// up (a simulated slow lookup: a timer, never a sleep), and answers
// "hello, Ada (user 42)". Bad input fails the parse and an errback turns
// it into a polite answer; a lookup slower than the timeout is cancelled
// and answered too. Every Deferred is created, extended and fired on the
// loop goroutine: in a handler, a timer or a queued call.

const (
	lookupTimeout = time.Second     // AddTimeout on every chain
	slowLookup    = 2 * time.Second // users whose number ends in 0: past the timeout
	chainBuffer   = 1 << 12         // deferred events kept between two frames
)

// errBadInput is the failure of a line that is not "user <number>".
var errBadInput = errors.New("bad input")

// lookupServer is the scenario's server: a listener, the loop's clock and
// the recorder the chain pane reads.
type lookupServer struct {
	clock   deferred.Clock
	ln      *tcp.Listener
	rec     *visualizer.ChainRecorder
	timeout time.Duration
	conns   map[*lookupConn]struct{} // loop goroutine only
}

// replier is the connection as a chain sees it; *tcp.Transport is one.
type replier interface {
	Write(p []byte) (int, error)
	Connected() bool
}

// lookupConn is one client's connection.
type lookupConn struct {
	s       *lookupServer
	t       replier
	pending map[*deferred.Deferred]struct{} // chains still running
}

func newLookupServer(clock deferred.Clock) *lookupServer {
	return &lookupServer{
		clock:   clock,
		rec:     visualizer.NewChainRecorder(chainBuffer),
		timeout: lookupTimeout,
		conns:   map[*lookupConn]struct{}{},
	}
}

func (s *lookupServer) newConn(t replier) *lookupConn {
	c := &lookupConn{s: s, t: t, pending: map[*deferred.Deferred]struct{}{}}
	s.conns[c] = struct{}{}
	return c
}

// ConnectionMade implements tcp.LineHandler.
func (c *lookupConn) ConnectionMade(t *tcp.Transport) { c.t = t }

// LineReceived implements tcp.LineHandler.
func (c *lookupConn) LineReceived(line []byte) { c.handle(string(line)) }

// ConnectionLost implements tcp.LineHandler: nobody is left to answer, so
// every chain still waiting is cancelled.
func (c *lookupConn) ConnectionLost(error) {
	c.cancelAll()
	delete(c.s.conns, c)
}

func (c *lookupConn) cancelAll() {
	for d := range c.pending {
		d.Cancel() // the chain runs to its end now and removes itself
	}
}

// handle answers one line through a Deferred chain. This is the chain the
// chain pane draws, one step per row:
//
//	0 callback  parse       "user 42" → 42; anything else fails: errback track
//	1 callback  lookup      returns a Deferred: the chain pauses until it fires
//	2 both      (timeout)   AddTimeout: ErrCancelled → ErrTimeout
//	3 both      (timeout)   AddTimeout: cancel the timer once fired
//	4 errback   recover     bad input or timeout → an answer: back on the callback track
//	5 callback  reply       write the answer
func (c *lookupConn) handle(line string) {
	d := deferred.New(nil).SetLabel(cut(line, 24))
	d.AddCallback(parseRequest)
	d.AddCallback(c.s.lookup)
	d.AddTimeout(c.s.timeout, c.s.clock)
	d.AddErrback(recoverAnswer)
	d.AddCallback(func(answer any) (any, error) { return c.reply(d, answer) })
	c.pending[d] = struct{}{}
	d.Callback(line)
}

// parseRequest is step 0: "user 42" → 42.
func parseRequest(v any) (any, error) {
	line := strings.TrimSpace(v.(string))
	rest, ok := strings.CutPrefix(line, "user ")
	id, err := strconv.Atoi(strings.TrimSpace(rest))
	if !ok || err != nil || id < 0 {
		return nil, fmt.Errorf("%w: %s", errBadInput, cut(line, 24))
	}
	return id, nil
}

// lookup is step 1: it starts the slow lookup and returns its Deferred, so
// the chain waits for it without blocking anyone.
func (s *lookupServer) lookup(v any) (any, error) {
	id := v.(int)
	dl := deferred.DeferLater(s.clock, lookupDelay(id), func() (any, error) {
		return fmt.Sprintf("hello, %s (user %d)", userName(id), id), nil
	})
	return dl.SetLabel("lookup user " + strconv.Itoa(id)), nil
}

// recoverAnswer is step 4: it handles the failures it knows by returning a
// value, which puts the chain back on the callback track. Anything else
// stays a failure.
func recoverAnswer(f *deferred.Failure) (any, error) {
	switch f.Check(errBadInput, deferred.ErrTimeout, deferred.ErrCancelled) {
	case errBadInput:
		return "sorry, " + f.Error() + "; try: user 42", nil
	case deferred.ErrTimeout:
		return "sorry, the lookup took too long (" + f.Error() + ")", nil
	case deferred.ErrCancelled:
		return nil, nil // the client is gone: nothing to answer
	}
	return nil, f
}

// reply is step 5: it writes the answer, if there is one and someone to
// read it.
func (c *lookupConn) reply(d *deferred.Deferred, answer any) (any, error) {
	delete(c.pending, d)
	s, ok := answer.(string)
	if !ok || !c.t.Connected() {
		return nil, nil
	}
	if _, err := c.t.Write([]byte(s + "\n")); err != nil {
		return nil, fmt.Errorf("reply: %w", err)
	}
	return s, nil
}

// lookupDelay is how long the simulated lookup of user id takes: a few
// hundred ms, or slowLookup for numbers ending in 0.
func lookupDelay(id int) time.Duration {
	if id%10 == 0 {
		return slowLookup
	}
	return 100*time.Millisecond + time.Duration(id%5)*60*time.Millisecond
}

var userNames = []string{"Ada", "Grace", "Edsger", "Barbara", "Ken", "Radia", "Donald", "Frances", "Niklaus"}

func userName(id int) string { return userNames[id%len(userNames)] }

// cut shortens s to at most n runes.
func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// badLines are what the simulated clients get wrong.
var badLines = []string{"user ada", "usr 42", "user", "user -7", "hello?"}

// lookupLine is the n-th line (from 1) simulated client id types: mostly
// good, every fourth line bad, and now and then a user whose lookup is too
// slow, so both tracks and the timeout all show.
func lookupLine(id, n int) string {
	switch {
	case n%4 == 2:
		return badLines[(id+n/4)%len(badLines)]
	case n%5 == 4:
		return "user " + strconv.Itoa(10*(id%9+1)) // ends in 0: a slow lookup
	}
	return "user " + strconv.Itoa(10*id+n%9+1)
}

// The deferred package's unhandled-failure binding is process-wide: one
// scenario holds it at a time. Leaving lesson 3 and opening it again
// starts the new scenario while the old one is still closing, so a new
// scenario waits (briefly: the old one is on its way out) for the binding
// rather than run without it for the rest of its life, with failures
// going to stderr under the screen once the old one restores the default
// hook.
var deferredBinding struct {
	sync.Mutex
	owner   *reactor.Loop
	free    chan struct{} // closed when owner gives the binding back
	waiters int           // scenarios waiting in wire
}

// bindWait bounds the wait for a binding another scenario holds. Past it
// (two lookup scenarios really running at once) the newcomer only
// observes, as before.
const bindWait = 3 * time.Second

// bindingWaiters is how many scenarios wait for the binding (tests).
func bindingWaiters() int {
	deferredBinding.Lock()
	defer deferredBinding.Unlock()
	return deferredBinding.waiters
}

// wire starts observing Deferreds into the recorder and binds unhandled
// failures to loop: reported at the end of the pass as a trace error
// (which the screen shows), never printed over the screen. The returned
// function undoes both. Call it before the loop runs: it may wait up to
// bindWait for a scenario that is closing.
func (s *lookupServer) wire(loop *reactor.Loop) (undo func()) {
	deferredBinding.Lock()
	defer deferredBinding.Unlock()
	if deferredBinding.owner != nil {
		deferredBinding.waiters++
		deadline := time.Now().Add(bindWait)
		for left := bindWait; deferredBinding.owner != nil && left > 0; left = time.Until(deadline) {
			free := deferredBinding.free
			deferredBinding.Unlock()
			t := time.NewTimer(left)
			select {
			case <-free:
			case <-t.C:
			}
			t.Stop()
			deferredBinding.Lock()
		}
		deferredBinding.waiters--
	}
	stopObserving := deferred.Observe(s.rec.Observe)
	if deferredBinding.owner != nil {
		return stopObserving
	}
	deferredBinding.owner = loop
	free := make(chan struct{})
	deferredBinding.free = free
	prevHook := deferred.SetUnhandledHook(func(deferred.UnhandledFailure) {})
	unbind := deferred.Bind(loop)
	return func() {
		stopObserving()
		deferredBinding.Lock()
		defer deferredBinding.Unlock()
		unbind()
		deferred.SetUnhandledHook(prevHook)
		deferredBinding.owner = nil
		close(free)
	}
}

// startLookupServer serves the lookup protocol on loop at addr. Call it
// before the loop runs; the server's close runs on the loop goroutine.
func startLookupServer(loop *reactor.Loop, addr string) (*server, error) {
	s := newLookupServer(deferred.LoopClock(loop))
	f := tcp.FactoryFunc(func(net.Addr) tcp.Protocol {
		return tcp.NewLineProtocol(s.newConn(nil), 0)
	})
	ln, err := tcp.ListenTCP(loop, addr, f, tcp.WithLabel(string(Lookup)))
	if err != nil {
		return nil, err
	}
	s.ln = ln
	undo := s.wire(loop)
	closeFn := func() error {
		err := ln.Close()
		for c := range s.conns {
			c.cancelAll()
		}
		for _, t := range ln.Conns() {
			t.Abort()
		}
		undo()
		return err
	}
	return &server{addr: ln.Addr().String(), close: closeFn, chains: s.rec, line: lookupLine, timed: true}, nil
}

// chainLive is the Driver of a scenario with Deferreds: it also feeds the
// chain pane (visualizer.ChainSource).
type chainLive struct{ *Driver }

// DrainDeferred implements visualizer.ChainSource.
func (l chainLive) DrainDeferred(dst []deferred.TraceEvent) []deferred.TraceEvent {
	return l.chains.Drain(dst)
}

var _ visualizer.ChainSource = chainLive{}
