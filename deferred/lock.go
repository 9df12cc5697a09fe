package deferred

// Coordination without blocking: a lock, a semaphore (and in queue.go a
// queue) whose waiting is a Deferred rather than a parked goroutine. They
// are Twisted's DeferredLock, DeferredSemaphore and DeferredQueue. Like a
// Deferred, each belongs to the loop goroutine and is not safe for
// concurrent use: on one goroutine, "waiting" only ever means "a Deferred
// that has not fired yet", and nothing ever blocks.
//
// Compare sync.Mutex: Lock parks the goroutine, which on the loop goroutine
// would park the loop. Acquire returns at once with a Deferred that fires
// when the lock is yours.

// waitList is the FIFO of unfired Deferreds waiting for a lock, a token or
// a value. Cancelling a waiting Deferred takes it off the list.
type waitList []*Deferred

// wait returns a new Deferred waiting on the list.
func (w *waitList) wait() *Deferred {
	var d *Deferred
	d = newDeferred(nil, func(*Deferred) { w.remove(d) }, 2)
	*w = append(*w, d)
	return d
}

func (w *waitList) remove(d *Deferred) {
	for i, x := range *w {
		if x == d {
			*w = append((*w)[:i], (*w)[i+1:]...)
			return
		}
	}
}

// pop takes the first waiting Deferred off the list, or returns nil.
func (w *waitList) pop() *Deferred {
	if len(*w) == 0 {
		return nil
	}
	d := (*w)[0]
	(*w)[0] = nil
	*w = (*w)[1:]
	return d
}

// run acquires with acquire, calls fn once acquired and releases with
// release when fn's result (a Deferred's, if fn returns one) is known,
// whichever the track. It is the body of every Run.
func run(acquire func() *Deferred, release func(), fn func() (any, error)) *Deferred {
	return acquire().AddCallback(func(any) (any, error) {
		return MaybeDeferred(fn).AddBoth(func(result any) (any, error) {
			release()
			return result, nil
		}), nil
	})
}

// DeferredLock is a lock whose Acquire returns a Deferred that fires (with
// the lock) once the lock is yours. Waiters get it in the order they asked.
// The zero value is an unlocked lock. Use it on the loop goroutine only.
type DeferredLock struct {
	locked  bool
	waiting waitList
}

// Acquire returns a Deferred that fires with l when l is yours: at once if
// it is free, otherwise after the Releases of those before you. Cancelling
// it while it waits takes you out of the line (it fails with
// ErrCancelled); once it has fired, the lock is yours to Release.
func (l *DeferredLock) Acquire() *Deferred {
	if !l.locked {
		l.locked = true
		return succeedOn(nil, l)
	}
	return l.waiting.wait()
}

// Release unlocks l, handing it straight to the first waiter if there is
// one. Releasing an unlocked lock panics, as sync.Mutex's Unlock does.
func (l *DeferredLock) Release() {
	if !l.locked {
		panic("deferred: Release of an unlocked DeferredLock")
	}
	if d := l.waiting.pop(); d != nil {
		d.Callback(l) // still locked: it is d's now
		return
	}
	l.locked = false
}

// Locked reports whether someone holds l.
func (l *DeferredLock) Locked() bool { return l.locked }

// Waiting returns how many Acquires wait for l.
func (l *DeferredLock) Waiting() int { return len(l.waiting) }

// Run acquires l, calls fn, and releases l once fn's result is known (when
// the Deferred fn returns fires, if it returns one), on either track. The
// returned Deferred fires with fn's result. Cancelling it while it waits
// for l takes it out of the line; while fn's Deferred runs, it cancels that.
func (l *DeferredLock) Run(fn func() (any, error)) *Deferred {
	return run(l.Acquire, l.Release, fn)
}

// DeferredSemaphore lets at most a fixed number of holders in at once; the
// others wait in line, as Deferreds. Use it on the loop goroutine only.
type DeferredSemaphore struct {
	tokens, limit int
	waiting       waitList
}

// NewDeferredSemaphore returns a semaphore of tokens (at least 1) tokens.
func NewDeferredSemaphore(tokens int) *DeferredSemaphore {
	tokens = max(tokens, 1)
	return &DeferredSemaphore{tokens: tokens, limit: tokens}
}

// Acquire returns a Deferred that fires with s when a token is yours: at
// once if one is free, otherwise when a holder Releases one. Cancelling it
// while it waits takes you out of the line (it fails with ErrCancelled).
func (s *DeferredSemaphore) Acquire() *Deferred {
	if s.tokens > 0 {
		s.tokens--
		return succeedOn(nil, s)
	}
	return s.waiting.wait()
}

// Release gives a token back, straight to the first waiter if there is
// one. Releasing more tokens than were acquired panics.
func (s *DeferredSemaphore) Release() {
	if s.tokens == s.limit {
		panic("deferred: Release of a DeferredSemaphore with no token acquired")
	}
	if d := s.waiting.pop(); d != nil {
		d.Callback(s) // the token goes straight to d
		return
	}
	s.tokens++
}

// Tokens returns how many tokens are free.
func (s *DeferredSemaphore) Tokens() int { return s.tokens }

// Limit returns the number of tokens the semaphore was made with.
func (s *DeferredSemaphore) Limit() int { return s.limit }

// Waiting returns how many Acquires wait for a token.
func (s *DeferredSemaphore) Waiting() int { return len(s.waiting) }

// Run is DeferredLock.Run with a token of s: at most Limit functions run (or
// wait on their Deferreds) at once.
func (s *DeferredSemaphore) Run(fn func() (any, error)) *Deferred {
	return run(s.Acquire, s.Release, fn)
}
