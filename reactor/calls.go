package reactor

// CallSoon queues fn to run on the loop goroutine during the next pass
// (the loop will not sleep while calls are queued). Loop goroutine only.
func (l *Loop) CallSoon(fn func()) { l.soon = append(l.soon, fn) }

// CallFromGoroutine queues fn to run on the loop goroutine. Safe from any
// goroutine. Concurrent callers are coalesced: an atomic pending flag lets
// only the first caller since the loop last drained the queue write to the
// waker fd, so N callers cost one wake-up write per pass, not N.
// Calls made after Close are dropped.
func (l *Loop) CallFromGoroutine(fn func()) {
	l.remoteMu.Lock()
	defer l.remoteMu.Unlock()
	if l.wakerClosed {
		return
	}
	l.remote = append(l.remote, fn)
	l.wakeupLocked()
}

// wakeup makes a sleeping loop return from its wait call.
func (l *Loop) wakeup() {
	l.remoteMu.Lock()
	defer l.remoteMu.Unlock()
	if !l.wakerClosed {
		l.wakeupLocked()
	}
}

// wakeupLocked writes to the waker unless a wake-up is already pending
// or the loop is busy (it checks the flag before it sleeps: see pass1).
// remoteMu is held so Close cannot close the waker fd (and the number be
// reused) under the write.
func (l *Loop) wakeupLocked() {
	if !l.wakePending.CompareAndSwap(false, true) || !l.inWait.Load() {
		return
	}
	l.counters.wakeWrites.Add(1)
	if err := l.waker.wake(); err != nil {
		l.logf("reactor: wake-up write failed: %v\n", err)
	}
}

// runCalls drains the cross-goroutine queue, then the CallSoon queue.
// Calls queued while these run go to the next pass. It reports whether
// anything ran.
func (l *Loop) runCalls() bool {
	worked := false
	if l.wakePending.Load() {
		// Clear the flag before taking the queue: a caller arriving
		// after the swap sees false and writes a fresh wake-up.
		l.wakePending.Store(false)
		l.remoteMu.Lock()
		q := l.remote
		l.remote = l.remote2[:0]
		l.remoteMu.Unlock()
		worked = true
		l.counters.wakes.Add(1)
		if l.Tracing() {
			l.emit(&TraceEvent{Kind: KindWake, N: int64(len(q))})
		}
		for i, fn := range q {
			l.call(fn, "")
			q[i] = nil
		}
		l.remote2 = q[:0]
	}
	if len(l.soon) > 0 {
		worked = true
		q := l.soon
		l.soon = l.soon2[:0]
		for i, fn := range q {
			l.call(fn, "")
			q[i] = nil
		}
		l.soon2 = q[:0]
	}
	return worked
}
