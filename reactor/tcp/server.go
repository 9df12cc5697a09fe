package tcp

import (
	"context"
	"net"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// DefaultGrace is how long Server.Run waits for connections to flush and
// close after its context ends before resetting the stragglers.
const DefaultGrace = 2 * time.Second

// Server is a listener running one of the built-in protocols on a loop:
// what `reactorlab serve` runs, and what lessons build scenarios on.
type Server struct {
	loop     *reactor.Loop
	ln       *Listener
	protocol string
	grace    time.Duration
}

// NewServer listens on addr and serves the built-in protocol named protocol
// (see Protocols) on loop. Call it before the loop runs or on the loop
// goroutine.
func NewServer(loop *reactor.Loop, addr, protocol string, opts ...Option) (*Server, error) {
	cfg := newConfig(opts)
	f, err := NewFactory(protocol, cfg.protocol)
	if err != nil {
		return nil, err
	}
	if cfg.label == "tcp" {
		opts = append(opts, WithLabel(protocol))
	}
	ln, err := ListenTCP(loop, addr, f, opts...)
	if err != nil {
		return nil, err
	}
	return &Server{loop: loop, ln: ln, protocol: protocol, grace: DefaultGrace}, nil
}

// Addr returns the bound address (with the real port when addr had port 0).
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Loop returns the loop the server runs on.
func (s *Server) Loop() *reactor.Loop { return s.loop }

// Listener returns the server's listener.
func (s *Server) Listener() *Listener { return s.ln }

// Protocol returns the name of the protocol being served.
func (s *Server) Protocol() string { return s.protocol }

// Counters returns connection totals. Safe from any goroutine.
func (s *Server) Counters() Counters { return s.ln.Counters() }

// Run runs the loop until ctx is done, then stops gracefully: it stops
// listening, lets every connection flush and close (resetting those still
// open after the grace period) and stops the loop. The caller still owns
// the loop and closes it afterwards. Run blocks; call it from the goroutine
// that is to be the loop goroutine.
func (s *Server) Run(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { s.loop.CallFromGoroutine(s.shutdown) })
	defer stop()
	return s.loop.Run()
}

// shutdown runs on the loop goroutine once the context ends.
func (s *Server) shutdown() {
	s.ln.Close()
	for _, t := range s.ln.Conns() {
		t.LoseConnection()
	}
	deadline := s.loop.Now().Add(s.grace)
	var check func()
	check = func() {
		if len(s.ln.ep.conns) > 0 && s.loop.Now().Before(deadline) {
			s.loop.CallLater(10*time.Millisecond, check)
			return
		}
		s.Close()
		s.loop.Stop()
	}
	check()
}

// Close stops listening and resets every open connection. Call it on the
// loop goroutine, or after the loop has stopped.
func (s *Server) Close() error {
	err := s.ln.Close()
	for _, t := range s.ln.Conns() {
		t.close(ErrAborted, true, false)
	}
	return err
}
