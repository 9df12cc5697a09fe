package reactor

import "sync/atomic"

// Subscription is a single-producer single-consumer ring of trace events.
// The loop goroutine is the only producer; one reader drains it. The
// producer never blocks: when the ring is full the event is counted as
// dropped and the reader is told through a synthesised KindOverflow event.
type Subscription struct {
	buf  []TraceEvent
	mask uint64
	loop *Loop
	_    [64]byte
	// producer side (the loop goroutine)
	tail      atomic.Uint64 // slots below tail are published to the reader
	next      uint64        // next slot to write; > tail while a pass is batching
	headCache uint64        // last head seen: reloaded only when the ring looks full
	dropped   atomic.Uint64 // total dropped since subscribe
	_         [64]byte
	// consumer side (the Drain goroutine)
	head     atomic.Uint64 // next slot to read
	reported uint64        // dropped count already reported by Drain
	closed   atomic.Bool
	_        [64]byte
}

func newSubscription(capacity int) *Subscription {
	n := 64
	for n < capacity {
		n <<= 1
	}
	return &Subscription{buf: make([]TraceEvent, n), mask: uint64(n - 1)}
}

// push is called by the loop goroutine only. The event becomes visible to
// the reader at the next publish: the loop publishes once per pass (an
// atomic store is a locked instruction on amd64) or at once outside a pass.
func (s *Subscription) push(ev *TraceEvent) bool {
	t := s.next
	if t-s.headCache >= uint64(len(s.buf)) {
		// Looks full: only now touch the consumer's cache line.
		s.headCache = s.head.Load()
		if t-s.headCache >= uint64(len(s.buf)) {
			s.dropped.Add(1)
			return false
		}
	}
	s.buf[t&s.mask] = *ev
	s.next = t + 1
	return true
}

// publish makes every pushed event visible to the reader.
func (s *Subscription) publish() {
	if s.tail.Load() != s.next {
		s.tail.Store(s.next)
	}
}

// Drain appends every pending event to dst and returns it. If events were
// lost since the previous Drain, a KindOverflow event with N = number lost
// comes first. Drain never blocks; call it from one goroutine at a time
// (the ring has a single reader).
func (s *Subscription) Drain(dst []TraceEvent) []TraceEvent {
	if d := s.dropped.Load(); d != s.reported {
		dst = append(dst, TraceEvent{Kind: KindOverflow, N: int64(d - s.reported), Fd: -1})
		s.reported = d
	}
	h := s.head.Load()
	t := s.tail.Load()
	for ; h != t; h++ {
		dst = append(dst, s.buf[h&s.mask])
	}
	s.head.Store(h)
	return dst
}

// Dropped reports how many events were lost because the ring was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Cap is the ring capacity (a power of two).
func (s *Subscription) Cap() int { return len(s.buf) }

// Close detaches the subscription from its loop. Safe from any goroutine.
func (s *Subscription) Close() {
	if s.closed.Swap(true) {
		return
	}
	if s.loop != nil {
		s.loop.unsubscribe(s)
	}
}
