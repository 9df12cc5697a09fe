package lessons

import (
	"context"
	"net"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
	"github.com/reactorlab/reactorlab/visualizer"
)

// server is the scenario's TCP server, as the driver needs it.
type server struct {
	addr  string       // bound address, "127.0.0.1:PORT"
	close func() error // loop goroutine (or after the loop stopped)

	chains *visualizer.ChainRecorder // Deferred events for the chain pane; nil = none
	line   func(id, n int) string    // what simulated clients type; nil = the default

	// session is what an active simulated client does once connected;
	// nil = type lines and read the replies (clientSet.session).
	session func(ctx context.Context, id int, c net.Conn)
	// ext is the scenario's own server state, which its injectors reach
	// through Driver.ext (an *idleServer, a *roomServer, ...).
	ext any
	// attach, if set, is called with the driver before the loop runs:
	// the place to keep d.report for errors found on the loop.
	attach  func(d *Driver)
	timed   bool                     // it answers every line, so clients can time each request
	pool    *visualizer.PoolRecorder // its goroutine pool's events for the pool pane; nil = no pool
	work    *workServer              // lessons 8 and 9's server, for their injectors; nil = another
	profile *profileServer           // lesson 10's server, for its injectors; nil = another
	tcp     *tcp.Server              // the built-in protocols' server; nil = another kind
	lab     *labEcho                 // the hand-written echo (RawEcho); nil = another kind
}

// startServer serves the built-in protocol on loop at addr. Call it before
// the loop runs.
func startServer(l *reactor.Loop, protocol Protocol, addr string) (*server, error) {
	switch protocol {
	case Lookup:
		return startLookupServer(l, addr)
	case Idle:
		return startIdleServer(l, addr)
	case Room:
		return startRoomServer(l, addr)
	case Compare:
		return startComparison(l)
	case Work:
		return startWorkServer(l, addr)
	case Profile:
		return startProfileServer(l, addr)
	case RawEcho:
		lab, err := startLabEcho(l, addr)
		if err != nil {
			return nil, err
		}
		return &server{addr: lab.addr, close: lab.close, lab: lab}, nil
	}
	srv, err := tcp.NewServer(l, addr, string(protocol))
	if err != nil {
		return nil, err
	}
	return &server{addr: srv.Addr().String(), close: srv.Close, timed: answersEveryLine(protocol), tcp: srv}, nil
}

// answersEveryLine reports whether a built-in protocol replies to each
// line a client sends, so the client can time request to reply: echo
// does, and so does `serve`'s deliberately blocking "slow" echo; chat
// sends a line to the others, discard to nobody.
func answersEveryLine(protocol Protocol) bool { return protocol == Echo || protocol == "slow" }
