package tcp

import (
	"sync/atomic"
	"time"
)

// Defaults for Option values.
const (
	DefaultReadBudget    = 256 << 10       // bytes read per connection per readiness event
	DefaultHighWater     = 64 << 10        // buffered output above which producers pause
	DefaultBacklog       = 1024            // listen(2) backlog
	DefaultAcceptBatch   = 100             // first accept batch; adapts to load
	DefaultLinger        = 2 * time.Second // how long LoseConnection waits for the peer to close
	DefaultOutputCeiling = 64 << 20        // bytes of output queued for all of a listener's connections together
	readBufferSize       = 64 << 10        // one buffer per listener, shared by its connections
)

// config holds the tunables of a listener or connector.
type config struct {
	readBudget int // <0: read until EAGAIN
	highWater  int
	lowWater   int
	backlog    int
	linger     time.Duration // <0: no lingering close
	ceiling    int           // most output queued for all connections together; <0: none
	label      string
	protocol   ProtocolOptions // used by NewServer
}

// Option tunes ListenTCP, ConnectTCP and NewServer.
type Option func(*config)

// WithReadBudget sets how many bytes one connection may read per readiness
// event before the loop moves on to other connections. n < 0 removes the
// budget (read until the socket is empty): one fast sender can then starve
// everyone else, which a lesson demonstrates.
func WithReadBudget(n int) Option { return func(c *config) { c.readBudget = n } }

// WithWatermarks sets the output buffer levels at which a registered
// producer is paused (above high) and resumed (at or below low).
func WithWatermarks(high, low int) Option {
	return func(c *config) { c.highWater, c.lowWater = high, low }
}

// WithLinger sets how long a closing connection lingers (see
// Transport.LoseConnection): after its output is flushed and it has shut
// down writing, it discards input until the peer closes, for at most d.
// d < 0 turns lingering off: the socket is closed as soon as the output is
// flushed, and the kernel resets a connection with unread input — which a
// lesson can show on purpose.
func WithLinger(d time.Duration) Option { return func(c *config) { c.linger = d } }

// WithOutputCeiling sets the most bytes of output a listener (or
// connector) queues for all its connections together (default
// DefaultOutputCeiling). A write that would queue more closes its
// connection with an error matching ErrOutputCeiling instead, so clients
// that never read cannot make the server's memory grow without limit.
// n < 0 removes the ceiling, which a lesson may do on purpose.
func WithOutputCeiling(n int) Option { return func(c *config) { c.ceiling = n } }

// WithBacklog sets the listen(2) backlog.
func WithBacklog(n int) Option { return func(c *config) { c.backlog = n } }

// WithLabel sets the label prefix shown in the trace for the listener and
// its connections (default "tcp").
func WithLabel(s string) Option { return func(c *config) { c.label = s } }

// WithProtocolOptions tunes the built-in protocol a Server runs.
func WithProtocolOptions(po ProtocolOptions) Option { return func(c *config) { c.protocol = po } }

func newConfig(opts []Option) config {
	c := config{readBudget: DefaultReadBudget, highWater: DefaultHighWater, backlog: DefaultBacklog, label: "tcp"}
	for _, o := range opts {
		o(&c)
	}
	if c.readBudget == 0 {
		c.readBudget = DefaultReadBudget
	}
	if c.highWater <= 0 {
		c.highWater = DefaultHighWater
	}
	if c.lowWater <= 0 || c.lowWater > c.highWater {
		c.lowWater = c.highWater / 4
	}
	if c.backlog <= 0 {
		c.backlog = DefaultBacklog
	}
	if c.linger == 0 {
		c.linger = DefaultLinger
	}
	if c.ceiling == 0 {
		c.ceiling = DefaultOutputCeiling
	}
	return c
}

// Counters are running totals for a listener (or connector). They are
// atomics so a dashboard may read them from any goroutine.
type Counters struct {
	Accepted     uint64 // connections accepted (or connected)
	Refused      uint64 // turned away at once: out of file descriptors (never accepted), or by the protocol (a full chat room)
	AcceptErrors uint64 // other accept failures
	Open         int64  // connections open now
	Closed       uint64 // connections closed
	BytesIn      uint64
	BytesOut     uint64
	Queued       int64  // bytes of output queued now, all connections together
	QueuedPeak   int64  // the most Queued has been
	OverCeiling  uint64 // connections closed because a write would have passed the output ceiling
}

type counters struct {
	accepted, refused, acceptErrors, closed, bytesIn, bytesOut, overCeiling atomic.Uint64
	open, queued, queuedPeak                                                atomic.Int64
}

func (c *counters) snapshot() Counters {
	return Counters{
		Accepted: c.accepted.Load(), Refused: c.refused.Load(), AcceptErrors: c.acceptErrors.Load(),
		Open: c.open.Load(), Closed: c.closed.Load(), BytesIn: c.bytesIn.Load(), BytesOut: c.bytesOut.Load(),
		Queued: c.queued.Load(), QueuedPeak: c.queuedPeak.Load(), OverCeiling: c.overCeiling.Load(),
	}
}

// endpoint is what a listener (or connector) shares with its connections:
// settings, counters, the read buffer and the set of open transports.
type endpoint struct {
	cfg     config
	stats   counters
	readBuf []byte
	conns   map[*Transport]struct{}
}

func newEndpoint(cfg config) *endpoint {
	return &endpoint{cfg: cfg, readBuf: make([]byte, readBufferSize), conns: map[*Transport]struct{}{}}
}
