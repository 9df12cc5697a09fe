package lessons

import (
	"fmt"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
	"github.com/reactorlab/reactorlab/visualizer"
)

// The scenario of lesson 10: lesson 3's "user 42" lines, but each answer
// needs two lookups — the user, then the user's team — so the chain that
// answers waits on chains of its own. Written three ways, switched live:
//
//   - nested (the default): step 1 returns the user lookup's Deferred and
//     the answer's chain waits on it; step 2 returns the team lookup's,
//     and it waits again.
//   - parallel: the two lookups start together and one step returns
//     Gather of both, so the chain waits once, on a Deferred that waits
//     on two.
//   - coroutine: the same handler as straight-line code with
//     deferred.Coroutine, each lookup an await.
//
// Every chain has AddTimeout(lookupTimeout); users whose number ends in 0
// take slowLookup, so they time out, and the cancel travels down to the
// lookup being waited on. A client that hangs up cancels its chains the
// same way. All of it runs on the loop's clock: timers, never sleeps.

// teams are the teams users belong to.
var teams = []string{"Compilers", "Kernels", "Databases", "Networks", "Graphics"}

// person is what the user lookup finds.
type person struct {
	id   int
	name string
}

func (p person) String() string { return p.name + " (user " + strconv.Itoa(p.id) + ")" }

// profileServer is the scenario's server.
type profileServer struct {
	clock     deferred.Clock
	b         *deferred.Binding
	rec       *visualizer.ChainRecorder
	parallel  atomic.Bool // Gather the two lookups; set from the UI goroutine
	coroutine atomic.Bool // write the handler as a Coroutine
	conns     map[*profileConn]struct{}
}

// profileConn is one client's connection.
type profileConn struct {
	s       *profileServer
	t       replier
	pending map[*deferred.Deferred]struct{} // chains still running
}

// newProfileServer answers on clock, making its Deferreds with b.
func newProfileServer(clock deferred.Clock, b *deferred.Binding) *profileServer {
	return &profileServer{clock: clock, b: b, rec: visualizer.NewChainRecorder(chainBuffer),
		conns: map[*profileConn]struct{}{}}
}

func (s *profileServer) newConn(t replier) *profileConn {
	c := &profileConn{s: s, t: t, pending: map[*deferred.Deferred]struct{}{}}
	s.conns[c] = struct{}{}
	return c
}

// ConnectionMade implements tcp.LineHandler.
func (c *profileConn) ConnectionMade(t *tcp.Transport) { c.t = t }

// LineReceived implements tcp.LineHandler.
func (c *profileConn) LineReceived(line []byte) { c.handle(string(line)) }

// ConnectionLost implements tcp.LineHandler: nobody is left to answer, so
// each chain still running is cancelled, and each forwards the cancel to
// the lookup it waits on.
func (c *profileConn) ConnectionLost(error) {
	for d := range c.pending {
		d.Cancel()
	}
	delete(c.s.conns, c)
}

// handle answers one line. The chain the chain pane draws, nested form:
//
//	0 callback  parse        "user 42" → 42
//	1 callback  lookupUser   returns the user lookup: the chain waits on it
//	2 callback  lookupTeam   returns the team lookup: it waits again
//	3 both      (timeout)    AddTimeout: ErrCancelled → ErrTimeout
//	4 both      (timeout)    AddTimeout: cancel the timer once fired
//	5 errback   recover      bad input, timeout, hang-up → an answer
//	6 callback  reply        write it
//
// In parallel form steps 1 and 2 are lookupBoth (Gather) and format; in
// coroutine form the Deferred comes from Coroutine and has steps 3 to 6.
func (c *profileConn) handle(line string) {
	s := c.s
	label := cut(line, 24)
	var d *deferred.Deferred
	if s.coroutine.Load() {
		parallel := s.parallel.Load()
		d = deferred.Coroutine(func(await deferred.Await) (any, error) { return s.profile(await, line, parallel) })
		d.SetLabel(label)
	} else {
		d = s.b.New(nil).SetLabel(label)
		d.AddCallback(parseRequest)
		if s.parallel.Load() {
			d.AddCallback(s.lookupBoth)
			d.AddCallback(formatBoth)
		} else {
			d.AddCallback(s.lookupUser)
			d.AddCallback(s.lookupTeam)
		}
	}
	d.AddTimeout(lookupTimeout, s.clock)
	d.AddErrback(recoverAnswer)
	replied := false
	d.AddCallback(func(answer any) (any, error) {
		replied = true
		delete(c.pending, d)
		return c.reply(answer)
	})
	if !replied { // a coroutine that failed at once has answered already
		c.pending[d] = struct{}{}
	}
	if !s.coroutine.Load() {
		d.Callback(line)
	}
}

// profile is the coroutine form of the whole chain: the same lookups, as
// straight-line code. Each await suspends it (the loop runs on) until the
// lookup fires; a failure comes back as an error.
func (s *profileServer) profile(await deferred.Await, line string, parallel bool) (any, error) {
	v, err := parseRequest(line)
	if err != nil {
		return nil, err
	}
	id := v.(int)
	if parallel {
		both, err := await(deferred.Gather([]*deferred.Deferred{s.findUser(id), s.findTeam(id)}, true))
		if err != nil {
			return nil, err
		}
		return formatBoth(both)
	}
	user, err := await(s.findUser(id))
	if err != nil {
		return nil, err
	}
	return await(s.findTeamOf(user.(person)))
}

// lookupUser is step 1 of the nested form: it returns the user lookup, so
// the chain waits on it.
func (s *profileServer) lookupUser(v any) (any, error) { return s.findUser(v.(int)), nil }

// lookupTeam is step 2: with the user found, it returns the team lookup.
func (s *profileServer) lookupTeam(v any) (any, error) { return s.findTeamOf(v.(person)), nil }

// lookupBoth is step 1 of the parallel form: both lookups at once, and
// one Deferred that fires when both have (or fails with the first that
// fails). consumeErrors: a failed lookup is reported once, by the chain.
func (s *profileServer) lookupBoth(v any) (any, error) {
	id := v.(int)
	return deferred.Gather([]*deferred.Deferred{s.findUser(id), s.findTeam(id)}, true).SetLabel("gather user+team " + strconv.Itoa(id)), nil
}

// formatBoth is step 2 of the parallel form: [person, team] → the answer.
func formatBoth(v any) (any, error) {
	both := v.([]any)
	return answerFor(both[0].(person), both[1].(string)), nil
}

// findUser looks user id up: a timer plays the slow database.
func (s *profileServer) findUser(id int) *deferred.Deferred {
	return deferred.DeferLater(s.clock, lookupDelay(id), func() (any, error) {
		return person{id, userName(id)}, nil
	}).SetLabel("lookup user " + strconv.Itoa(id))
}

// findTeam looks user id's team up.
func (s *profileServer) findTeam(id int) *deferred.Deferred {
	return deferred.DeferLater(s.clock, teamDelay(id), func() (any, error) {
		return teams[id%len(teams)], nil
	}).SetLabel("lookup team of " + strconv.Itoa(id))
}

// findTeamOf is findTeam for a user already found, answering in full.
func (s *profileServer) findTeamOf(p person) *deferred.Deferred {
	return s.findTeam(p.id).AddCallback(func(team any) (any, error) {
		return answerFor(p, team.(string)), nil
	})
}

func answerFor(p person, team string) string { return "hello, " + p.String() + " of team " + team }

// teamDelay is how long the team lookup of user id takes.
func teamDelay(id int) time.Duration {
	return 60*time.Millisecond + time.Duration(id%3)*40*time.Millisecond
}

// reply writes the answer, if there is one and someone to read it.
func (c *profileConn) reply(answer any) (any, error) {
	s, ok := answer.(string)
	if !ok || c.t == nil || !c.t.Connected() {
		return nil, nil
	}
	if _, err := c.t.Write([]byte(s + "\n")); err != nil {
		return nil, fmt.Errorf("reply: %w", err)
	}
	return s, nil
}

// The client groups lesson 10's injectors add: one asks for a slow user
// and waits (its chain times out); one asks and hangs up before the
// answer (its chain is cancelled).
var (
	slowAsker = ClientGroup{Name: "slow", Count: 1, Line: func(int, int) string { return "user 20" }, Once: true}
	hangUpper = ClientGroup{Name: "hangup", Count: 1, Line: func(int, int) string { return "user 30" }, Once: true,
		HangUp: 300 * time.Millisecond}
)

// startProfileServer serves lesson 10's protocol on loop at addr. Call it
// before the loop runs; the server's close runs on the loop goroutine.
func startProfileServer(loop *reactor.Loop, addr string) (*server, error) {
	s := newProfileServer(deferred.LoopClock(loop), nil)
	f := tcp.FactoryFunc(func(net.Addr) tcp.Protocol {
		return tcp.NewLineProtocol(s.newConn(nil), 0)
	})
	ln, err := tcp.ListenTCP(loop, addr, f, tcp.WithLabel(string(Profile)))
	if err != nil {
		return nil, err
	}
	// This loop's own Binding: its Deferreds (those made by it, and the
	// lookups on its clock) are observed for the chain pane, and their
	// unhandled failures shown on screen, never printed under it.
	s.b = deferred.BindLoop(loop)
	s.b.SetUnhandledHook(func(deferred.UnhandledFailure) {})
	stopObserving := s.b.Observe(s.rec.Observe)
	closeFn := func() error {
		err := ln.Close()
		for _, t := range ln.Conns() { // each one's ConnectionLost cancels its chains
			t.Abort()
		}
		stopObserving()
		s.b.Unbind()
		return err
	}
	return &server{addr: ln.Addr().String(), close: closeFn, chains: s.rec, line: lookupLine, timed: true, profile: s}, nil
}
