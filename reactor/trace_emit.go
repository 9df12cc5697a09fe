package reactor

import "time"

// The hot trace points (two per dispatched event, four per pass) write
// their fields straight into each subscriber's ring slots instead of
// building a TraceEvent and copying it in. The rarer trace points go
// through emit.

// emitHandler records a KindReady or KindDispatch event for every
// subscriber in subs. With publish, the batch is handed over at once: the
// ready event is, before the handler runs, so a handler that blocks the
// loop is named on screen while it blocks.
func (l *Loop) emitHandler(subs []*Subscription, kind Kind, fd int32, r Ready, label string, d time.Duration, at int64, publish bool) {
	for _, s := range subs {
		// reserve(1)'s fast path, written out: this runs twice per
		// dispatched event.
		t, ok := s.next, true
		if t+1-s.headCache > uint64(len(s.buf)) {
			t, ok = s.reserve(1)
		} else {
			s.next = t + 1
		}
		if ok {
			s.slot(t).set(kind, r, 0, false, fd, at, 0, d, label, "")
		} else {
			l.counters.dropped.Add(1)
		}
		if publish && s.publish() {
			l.yieldReader = true
		}
	}
}

// emitPass records one of the pass's own events (start, wait start, wait
// end, end) for every subscriber in subs; emitted inside a pass, they are
// handed over at the next publish.
func (l *Loop) emitPass(subs []*Subscription, kind Kind, at, n int64, d, d2, d3 time.Duration, backend, text string) {
	for _, s := range subs {
		if !s.put(kind, 0, 0, 0, at, n, d, d2, d3, backend, "", text) {
			l.counters.dropped.Add(1)
		}
	}
}

// subscribers is the current subscriber list, nil when none (or when the
// trace hooks are compiled out).
func (l *Loop) subscribers() []*Subscription {
	if !traceCompiled {
		return nil
	}
	if p := l.subs.Load(); p != nil {
		return *p
	}
	return nil
}
