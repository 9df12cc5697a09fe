package deferred

import "testing"

// The lock goes to waiters in order, each Release handing it straight on.
func TestDeferredLockOrder(t *testing.T) {
	var l DeferredLock
	first := l.Acquire()
	if got := resultOf(t, first); got != &l || !l.Locked() {
		t.Fatalf("first Acquire = %v, Locked() = %v; want the lock, true", got, l.Locked())
	}
	second, third := l.Acquire(), l.Acquire()
	noResult(t, second)
	if l.Waiting() != 2 {
		t.Fatalf("Waiting() = %d; want 2", l.Waiting())
	}
	l.Release()
	resultOf(t, second)
	noResult(t, third)
	l.Release()
	resultOf(t, third)
	l.Release()
	if l.Locked() {
		t.Fatalf("Locked() = true after every Release; want false")
	}
	if err := catchAnyPanic(l.Release); err == nil {
		t.Fatalf("Release of an unlocked lock did not panic")
	}
}

// Cancelling a waiting Acquire takes it out of the line.
func TestDeferredLockCancelWaiting(t *testing.T) {
	var l DeferredLock
	l.Acquire()
	waiting, next := l.Acquire(), l.Acquire()
	waiting.Cancel()
	failureOf(t, waiting, ErrCancelled)
	if l.Waiting() != 1 {
		t.Fatalf("Waiting() = %d after cancel; want 1", l.Waiting())
	}
	l.Release()
	resultOf(t, next)
}

// Run holds the lock until the function's Deferred fires, on either track.
func TestDeferredLockRun(t *testing.T) {
	var l DeferredLock
	job := New(nil)
	var order []string
	a := l.Run(func() (any, error) { order = append(order, "a"); return job, nil })
	b := l.Run(func() (any, error) { order = append(order, "b"); return nil, errBoom })
	if len(order) != 1 || !l.Locked() {
		t.Fatalf("ran %v while a's job is pending; want [a], still locked", order)
	}
	job.Callback("a done")
	if got := resultOf(t, a); got != "a done" {
		t.Fatalf("a = %v; want a done", got)
	}
	failureOf(t, b, errBoom)
	if len(order) != 2 || l.Locked() {
		t.Fatalf("ran %v, Locked() = %v; want [a b], unlocked after b's failure", order, l.Locked())
	}
}

// At most Limit holders at once; cancelling a waiter takes it out of the line.
func TestDeferredSemaphore(t *testing.T) {
	s := NewDeferredSemaphore(2)
	a, b, c, d := s.Acquire(), s.Acquire(), s.Acquire(), s.Acquire()
	resultOf(t, a)
	resultOf(t, b)
	noResult(t, c)
	if s.Tokens() != 0 || s.Waiting() != 2 || s.Limit() != 2 {
		t.Fatalf("Tokens, Waiting, Limit = %d, %d, %d; want 0, 2, 2", s.Tokens(), s.Waiting(), s.Limit())
	}
	c.Cancel()
	failureOf(t, c, ErrCancelled)
	s.Release()
	resultOf(t, d)
	s.Release()
	s.Release()
	if s.Tokens() != 2 {
		t.Fatalf("Tokens() = %d after all released; want 2", s.Tokens())
	}
	if err := catchAnyPanic(s.Release); err == nil {
		t.Fatalf("Release with no token out did not panic")
	}
}

// Run never lets more than Limit functions run at once.
func TestDeferredSemaphoreRun(t *testing.T) {
	s := NewDeferredSemaphore(2)
	jobs := make([]*Deferred, 5)
	running, most := 0, 0
	for i := range jobs {
		jobs[i] = New(nil)
		s.Run(func() (any, error) {
			running++
			most = max(most, running)
			return jobs[i].AddBoth(func(v any) (any, error) { running--; return v, nil }), nil
		})
	}
	for _, j := range jobs {
		j.Callback(nil)
	}
	if most != 2 || running != 0 {
		t.Fatalf("at most %d ran at once, %d still running; want 2, 0", most, running)
	}
}
