package visualizer

import "sync"

// Recorder buffers events of type E between two frames, for the facts
// that do not travel in the reactor's trace: they happen off the loop
// goroutine (a simulated client's latency, a pool worker's job) or come
// from a package the reactor does not know (a Deferred's chain). Whoever
// sees the event calls Observe, from any goroutine; the Live hands the
// buffer to the screen once per frame with Drain. ChainRecorder,
// LatencyRecorder and PoolRecorder are its three uses.
//
// Observe never blocks for long (a short mutex) and never grows the
// buffer past its capacity: when nobody drains in time the oldest events
// are overwritten and counted.
type Recorder[E any] struct {
	mu      sync.Mutex
	ring    []E // capacity slots, used as a ring
	head, n int // oldest event, events held
	dropped uint64
}

// NewRecorder buffers up to capacity events (at least 16) between drains.
func NewRecorder[E any](capacity int) *Recorder[E] {
	r := &Recorder[E]{}
	r.init(capacity)
	return r
}

// init sizes a zero Recorder (one embedded in a named recorder type).
func (r *Recorder[E]) init(capacity int) { r.ring = make([]E, max(16, capacity)) }

// Observe records one event; safe from any goroutine.
func (r *Recorder[E]) Observe(ev E) {
	r.mu.Lock()
	if r.n == len(r.ring) {
		r.ring[r.head] = ev // overwrite the oldest
		r.head = (r.head + 1) % len(r.ring)
		r.dropped++
	} else {
		r.ring[(r.head+r.n)%len(r.ring)] = ev
		r.n++
	}
	r.mu.Unlock()
}

// Drain appends the buffered events to dst, oldest first, and empties the
// buffer.
func (r *Recorder[E]) Drain(dst []E) []E {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == 0 {
		return dst
	}
	end := r.head + r.n
	if end <= len(r.ring) {
		dst = append(dst, r.ring[r.head:end]...)
		clear(r.ring[r.head:end])
	} else {
		dst = append(dst, r.ring[r.head:]...)
		dst = append(dst, r.ring[:end-len(r.ring)]...)
		clear(r.ring[r.head:])
		clear(r.ring[:end-len(r.ring)])
	}
	r.head, r.n = 0, 0
	return dst
}

// Dropped counts events lost because nobody drained in time.
func (r *Recorder[E]) Dropped() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped
}
