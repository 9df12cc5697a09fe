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
	attach func(d *Driver)
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
	}
	srv, err := tcp.NewServer(l, addr, string(protocol))
	if err != nil {
		return nil, err
	}
	return &server{addr: srv.Addr().String(), close: srv.Close}, nil
}
