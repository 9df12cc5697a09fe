package reactor

// Subscribe attaches a new trace reader with a ring of at least capacity
// slots (rounded up to a power of two, minimum 64). Most events take one
// slot; those that set Dur2, Dur3 or Backend (one pass end and one wait
// start per pass) take two, so a busy loop's ring holds about 10 % fewer
// events than slots. Safe from any goroutine. The loop never waits for a
// slow reader: when its ring is full events are dropped and counted.
func (l *Loop) Subscribe(capacity int) *Subscription {
	s := newSubscription(capacity)
	s.loop = l
	l.subMu.Lock()
	defer l.subMu.Unlock()
	var next []*Subscription
	if cur := l.subs.Load(); cur != nil {
		next = append(next, *cur...)
	}
	next = append(next, s)
	l.subs.Store(&next)
	return s
}

func (l *Loop) unsubscribe(s *Subscription) {
	l.subMu.Lock()
	defer l.subMu.Unlock()
	cur := l.subs.Load()
	if cur == nil {
		return
	}
	var next []*Subscription
	for _, x := range *cur {
		if x != s {
			next = append(next, x)
		}
	}
	if len(next) == 0 {
		l.subs.Store(nil)
		return
	}
	l.subs.Store(&next)
}

// Tracing reports whether at least one subscriber is attached. Build
// expensive event fields only when it is true.
func (l *Loop) Tracing() bool { return traceCompiled && l.subs.Load() != nil }

// Trace publishes ev to every subscriber, stamping At (always: a
// caller-set At is replaced). Loop goroutine
// only: sibling packages (tcp, the deferred bridge) emit through it.
func (l *Loop) Trace(ev TraceEvent) {
	if l.Tracing() {
		ev.At = 0
		l.emit(&ev)
	}
}

// emit copies ev into each subscriber's ring, stamping At unless the
// caller already did (the hot path reuses timestamps it took anyway:
// time.Now costs ~50ns on a VM).
func (l *Loop) emit(ev *TraceEvent) {
	subs := l.subs.Load()
	if subs == nil {
		return
	}
	if ev.At == 0 {
		ev.At = l.since()
	}
	for _, s := range *subs {
		if !s.push(ev) {
			l.counters.dropped.Add(1)
		}
		if !l.inPass && s.publish() {
			l.yieldReader = true
		}
	}
}

// publish hands the events batched during a pass to the readers.
func (l *Loop) publish() {
	if subs := l.subs.Load(); subs != nil {
		for _, s := range *subs {
			if s.publish() {
				l.yieldReader = true
			}
		}
	}
}
