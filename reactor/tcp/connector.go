package tcp

import (
	"net"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

// Connector is an outgoing connection attempt started by ConnectTCP.
type Connector struct {
	loop    *reactor.Loop
	ep      *endpoint
	fd      int
	reg     reactor.Registration // while the connect is in progress
	remote  *net.TCPAddr
	factory Factory
	label   string
	timer   *reactor.Timer
	done    bool
	t       *Transport
}

// ConnectTCP starts a non-blocking connect to addr. When the connection is
// up, f builds its protocol and ConnectionMade runs; if it fails or takes
// longer than timeout (0 = no timeout) and f is a ClientFactory, its
// ClientConnectionFailed is called. Loop goroutine only (or before Run).
//
// Pass an IP address: a host name is resolved right here, synchronously,
// and a slow resolver would block the whole loop — the very pitfall the
// lab teaches.
func ConnectTCP(loop *reactor.Loop, addr string, f Factory, timeout time.Duration, opts ...Option) (*Connector, error) {
	a, err := resolve(addr)
	if err != nil {
		return nil, err
	}
	cfg := newConfig(opts)
	sa, family, err := sockaddr(a)
	if err != nil {
		return nil, err
	}
	fd, err := newSocket(family)
	if err != nil {
		return nil, err
	}
	setNoDelay(fd)
	c := &Connector{loop: loop, ep: newEndpoint(cfg), fd: fd, remote: a, factory: f,
		label: cfg.label + " connect " + a.String()}
	switch err := unix.Connect(fd, sa); err {
	case nil:
		// Loopback connects can finish at once; still report it from the
		// loop so ConnectionMade never runs inside ConnectTCP.
		c.done = true
		loop.CallSoon(c.connected)
		return c, nil
	case unix.EINPROGRESS:
	default:
		unix.Close(fd)
		return nil, syscallErr("connect", err)
	}
	// The connect finishes when the socket becomes writable; SO_ERROR says
	// whether it worked.
	if c.reg, err = loop.Register(fd, reactor.Writable, c.label, c.handle); err != nil {
		unix.Close(fd)
		return nil, err
	}
	if timeout > 0 {
		c.timer = loop.CallLater(timeout, func() { c.fail(ErrConnectTimeout) })
	}
	return c, nil
}

// Transport returns the connection once it is up, else nil.
func (c *Connector) Transport() *Transport { return c.t }

// Counters returns totals for this connection. Safe from any goroutine.
func (c *Connector) Counters() Counters { return c.ep.stats.snapshot() }

// Stop abandons a connect still in progress. ClientConnectionFailed is not
// called.
func (c *Connector) Stop() {
	if c.done {
		return
	}
	c.finish()
	c.closeSocket()
}

// finish ends the attempt: no timer, no registration (the transport, if
// the connect worked, registers the fd afresh).
func (c *Connector) finish() {
	c.done = true
	if c.timer != nil {
		c.timer.Cancel()
	}
	c.reg.Deregister()
}

// closeSocket closes the socket of a failed or abandoned attempt.
func (c *Connector) closeSocket() {
	unix.Close(c.fd)
	c.fd = -1
}

func (c *Connector) handle(_ int, _ reactor.Ready) {
	if c.done {
		return
	}
	errno, err := unix.GetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err == nil && errno != 0 {
		err = unix.Errno(errno)
	}
	if err != nil {
		c.fail(syscallErr("connect", err))
		return
	}
	c.finish()
	c.connected()
}

func (c *Connector) fail(err error) {
	if c.done {
		return
	}
	fd := c.fd
	c.finish()
	c.closeSocket()
	c.loop.Trace(reactor.TraceEvent{Kind: reactor.KindError, Fd: int32(fd), Label: c.label, Text: err.Error()})
	if cf, ok := c.factory.(ClientFactory); ok {
		cf.ClientConnectionFailed(err)
	}
}

func (c *Connector) connected() {
	p := buildProtocol(c.factory, c.fd, c.remote)
	if p == nil {
		unix.Close(c.fd)
		return
	}
	c.ep.stats.accepted.Add(1)
	if c.loop.Tracing() {
		c.loop.Trace(reactor.TraceEvent{Kind: reactor.KindAccepted, Fd: int32(c.fd), Label: c.label, Text: c.remote.String()})
	}
	c.t = newTransport(c.loop, c.ep, c.fd, c.remote, p)
	if err := c.t.start(); err != nil {
		c.t = nil
		c.loop.Trace(reactor.TraceEvent{Kind: reactor.KindError, Fd: int32(c.fd), Label: c.label, Text: err.Error()})
		if cf, ok := c.factory.(ClientFactory); ok {
			cf.ClientConnectionFailed(err)
		}
	}
}
