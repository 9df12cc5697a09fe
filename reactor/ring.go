package reactor

import (
	"slices"
	"sync/atomic"
	"time"
)

// Subscription is a single-producer single-consumer ring of trace events.
// The loop goroutine is the only producer; one reader drains it. The
// producer never blocks: when the ring is full the event is counted as
// dropped and the reader is told through a synthesised KindOverflow event.
//
// The ring holds compact 64-byte entries (one cache line), not 96-byte
// TraceEvents: the loop writes a third fewer cache lines per pass. An
// event that sets Dur2, Dur3 or Backend (the pass end, the wait start,
// a few rare kinds) takes a second entry; Drain rebuilds the TraceEvent.
type Subscription struct {
	buf  []entry
	mask uint64
	loop *Loop
	_    [64]byte
	// producer side (the loop goroutine)
	tail      atomic.Uint64 // slots below tail are published to the reader
	next      uint64        // next slot to write; > tail while a pass is batching
	headCache uint64        // last head seen: reloaded only when the ring looks full
	pub       uint64        // producer's copy of tail: publish skips the store when nothing is new
	dropped   atomic.Uint64 // total dropped since subscribe
	dropAt    atomic.Int64  // when the first drop not yet reported happened (ns since loop start; 0 = none)
	_         [64]byte
	// consumer side (the Drain goroutine)
	head     atomic.Uint64 // next slot to read
	reported uint64        // dropped count already reported by Drain
	closed   atomic.Bool
	// armed is set by Drain and cleared by the producer when it signals
	// halfFull: one signal per drain at most. wantsWake is set by the
	// first call to HalfFull: readers that never ask are never signalled
	// (and the loop never yields for them).
	armed     atomic.Bool
	wantsWake atomic.Bool
	halfFull  chan struct{}
	_         [64]byte
}

func newSubscription(capacity int) *Subscription {
	n := 64
	for n < capacity {
		n <<= 1
	}
	s := &Subscription{buf: make([]entry, n), mask: uint64(n - 1), halfFull: make(chan struct{}, 1)}
	s.armed.Store(true)
	return s
}

// entry is one ring slot. hdr packs Kind, Ready, Interest, the ext flag
// and Fd into one word (one store, not five). When ext is set, the next
// slot carries the event's Dur2 (in at), Dur3 (in n) and Backend (in
// label).
type entry struct {
	hdr   uint64
	at, n int64
	dur   time.Duration
	label string
	text  string
}

const extFlag = 1 << 24

// set overwrites every field of the entry, field by field: building an
// entry elsewhere and copying it in would cost a zeroed temporary and a
// second pass over the slot.
func (e *entry) set(kind Kind, r Ready, in Interest, ext bool, fd int32, at, n int64, d time.Duration, label, text string) {
	h := uint64(kind) | uint64(r)<<8 | uint64(in)<<16 | uint64(uint32(fd))<<32
	if ext {
		h |= extFlag
	}
	e.hdr = h
	e.at, e.n, e.dur = at, n, d
	e.label, e.text = label, text
}

// reserve claims the next k free slots for the loop goroutine, which
// fills them in place, or returns false and counts the event lost when
// the ring has no room. The slots become visible to the reader at the
// next publish: the loop publishes at the wait, before each handler and
// at the pass end (an atomic store is a locked instruction on amd64), or
// at once outside a pass.
//
// Ordering: the reader loads tail (atomic) before reading slots below it,
// and the producer stores tail after filling them, so every filled slot
// happens before the reader's copy. The producer refills a slot only
// after loading a head the reader stored after copying it out.
func (s *Subscription) reserve(k uint64) (uint64, bool) {
	t := s.next
	if t+k-s.headCache > uint64(len(s.buf)) {
		// Looks full: only now touch the consumer's cache line.
		s.headCache = s.head.Load()
		if t+k-s.headCache > uint64(len(s.buf)) {
			s.drop()
			return 0, false
		}
	}
	s.next = t + k
	return t, true
}

// drop counts one lost event. The first loss since the last report is
// dated (one clock read per overflow, not per event), so the reader's
// KindOverflow event says when the loss began; the time is stored before
// the count, so a reader that sees the count sees the time.
func (s *Subscription) drop() {
	if s.dropAt.Load() == 0 && s.loop != nil {
		s.dropAt.Store(s.loop.since() | 1)
	}
	s.dropped.Add(1)
}

// slot is the ring slot for sequence number t.
func (s *Subscription) slot(t uint64) *entry { return &s.buf[t&s.mask] }

// put stores an event's fields in one slot, or two when it sets Dur2,
// Dur3 or Backend (loop goroutine only).
func (s *Subscription) put(kind Kind, r Ready, in Interest, fd int32, at, n int64, d, d2, d3 time.Duration, backend, label, text string) bool {
	ext := d2 != 0 || d3 != 0 || backend != ""
	k := uint64(1)
	if ext {
		k = 2
	}
	t := s.next
	if t+k-s.headCache > uint64(len(s.buf)) { // reserve's fast path, written out
		var ok bool
		if t, ok = s.reserve(k); !ok {
			return false
		}
	} else {
		s.next = t + k
	}
	s.slot(t).set(kind, r, in, ext, fd, at, n, d, label, text)
	if ext {
		s.slot(t+1).set(0, 0, 0, false, 0, int64(d2), int64(d3), 0, backend, "")
	}
	return true
}

// push copies ev into the ring (loop goroutine only).
func (s *Subscription) push(ev *TraceEvent) bool {
	if ev.Dur2 != 0 || ev.Dur3 != 0 || ev.Backend != "" {
		return s.put(ev.Kind, ev.Ready, ev.Interest, ev.Fd, ev.At, ev.N, ev.Dur, ev.Dur2, ev.Dur3, ev.Backend, ev.Label, ev.Text)
	}
	t, ok := s.reserve(1)
	if ok {
		s.slot(t).set(ev.Kind, ev.Ready, ev.Interest, false, ev.Fd, ev.At, ev.N, ev.Dur, ev.Label, ev.Text)
	}
	return ok
}

// publish makes every filled entry visible to the reader: one atomic
// store for the whole batch, none when nothing was filled since the last.
// It reports whether the ring just passed half full and the reader was
// signalled (see HalfFull).
func (s *Subscription) publish() bool {
	if s.pub == s.next {
		return false
	}
	s.pub = s.next
	publishStore(&s.tail, s.next) // a release: see publishStore
	if s.next-s.headCache <= (s.mask+1)>>1 {
		return false
	}
	return s.halfFullNow()
}

// halfFullNow signals the reader if the ring really is past half full
// (publish's slow path, kept out of it so publish inlines).
func (s *Subscription) halfFullNow() bool {
	// Looks more than half full: only now read the reader's position
	// (once per half a ring of events at most, since headCache moves).
	s.headCache = s.head.Load()
	if s.next-s.headCache <= uint64(len(s.buf))/2 || !s.wantsWake.Load() || !s.armed.Load() || !s.armed.CompareAndSwap(true, false) {
		return false
	}
	select {
	case s.halfFull <- struct{}{}:
		return true
	default:
		return false
	}
}

// HalfFull returns a channel that receives a value when the ring passes
// half full, at most once between two Drains. A reader that drains on a
// ticker can wait on it too and drain before the ring overflows. When the
// loop signals, it yields its thread at the end of each pass
// (runtime.Gosched) until the reader has drained, so a reader that shares
// the loop's thread (GOMAXPROCS=1: the loop would otherwise run on until
// it waits) gets to run. Only a reader that asked for the channel is
// signalled, and only then does the loop yield for it.
func (s *Subscription) HalfFull() <-chan struct{} {
	s.wantsWake.Store(true)
	return s.halfFull
}

// Drain appends every pending event to dst and returns it. If events were
// lost since the previous Drain, a KindOverflow event comes first: N =
// number lost, At = when the first of them was lost. Drain never blocks;
// call it from one goroutine at a time (the ring has a single reader).
func (s *Subscription) Drain(dst []TraceEvent) []TraceEvent {
	if d := s.dropped.Load(); d != s.reported {
		at := s.dropAt.Swap(0)
		if at == 0 && s.loop != nil {
			at = s.loop.since() | 1 // a drop raced the previous report: date it now
		}
		dst = append(dst, TraceEvent{Kind: KindOverflow, N: int64(d - s.reported), Fd: -1, At: at})
		s.reported = d
	}
	h := s.head.Load()
	t := s.tail.Load()
	// Grow once, then fill each TraceEvent in place, every field (dst's
	// spare capacity may hold old events): no temporary, no second copy.
	dst = slices.Grow(dst, int(t-h))
	for h != t {
		e := s.slot(h)
		h++
		dst = dst[:len(dst)+1]
		ev := &dst[len(dst)-1]
		ev.Kind, ev.Ready, ev.Interest = Kind(e.hdr), Ready(e.hdr>>8), Interest(e.hdr>>16)
		ev.Fd, ev.At, ev.N, ev.Dur = int32(e.hdr>>32), e.at, e.n, e.dur
		ev.Label, ev.Text = e.label, e.text
		if e.hdr&extFlag != 0 { // published together with its extension
			x := s.slot(h)
			h++
			ev.Dur2, ev.Dur3, ev.Backend = time.Duration(x.at), time.Duration(x.n), x.label
		} else {
			ev.Dur2, ev.Dur3, ev.Backend = 0, 0, ""
		}
	}
	s.head.Store(h)
	s.armed.Store(true) // after the head moved: the producer then sees the room
	return dst
}

// Dropped reports how many events were lost because the ring was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Cap is the ring capacity in slots (a power of two): that many events,
// or fewer when some set Dur2, Dur3 or Backend (those take two slots).
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
