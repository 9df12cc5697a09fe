package tcp

import (
	"errors"
	"fmt"
)

// The output ceiling.
//
// Backpressure bounds what one connection queues: the built-in protocols
// stop reading a client whose replies pile up. It does not bound the
// server: ten thousand clients that each stop reading just below their
// own limit still add up. So a listener also counts the output queued
// for all its connections together, and refuses to queue past a ceiling
// (WithOutputCeiling, DefaultOutputCeiling): the write that would cross it
// closes its connection — reset, its queue dropped — with an error
// matching ErrOutputCeiling. The trace shows that close and its reason;
// Counters.OverCeiling counts them, Counters.Queued and QueuedPeak show
// where the total stands. The count is of bytes waiting to be sent, not
// of the slices' capacities; a connection's buffer may hold up to twice
// that while it grows, and keeps at most maxIdleBuffer once drained.

// ErrOutputCeiling is the reason a connection is closed when writing to
// it would take the output queued for all connections past the ceiling.
var ErrOutputCeiling = errors.New("tcp: the server's output ceiling was reached")

// enqueue counts n more bytes of output waiting in some transport.
func (ep *endpoint) enqueue(n int) {
	// Only the loop goroutine writes these, so the load-then-store of the
	// peak cannot lose an update; the atomics are for readers elsewhere.
	if v := ep.stats.queued.Add(int64(n)); v > ep.stats.queuedPeak.Load() {
		ep.stats.queuedPeak.Store(v)
	}
}

// dequeue counts n bytes of output sent or dropped.
func (ep *endpoint) dequeue(n int) {
	if n != 0 {
		ep.stats.queued.Add(-int64(n))
	}
}

// overCeiling reports, as the close reason, whether queueing n more bytes
// would pass the ceiling; nil if they fit.
func (ep *endpoint) overCeiling(n int) error {
	if ep.cfg.ceiling < 0 {
		return nil
	}
	q := ep.stats.queued.Load()
	if q+int64(n) <= int64(ep.cfg.ceiling) {
		return nil
	}
	return fmt.Errorf("%w: %d bytes queued for all clients, %d more would pass the limit of %d",
		ErrOutputCeiling, q, n, ep.cfg.ceiling)
}
