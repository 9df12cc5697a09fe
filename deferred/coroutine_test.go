package deferred

import (
	"errors"
	"testing"
)

// Straight-line code: await suspends on an unfired Deferred, takes a fired
// one at once, and the coroutine's Deferred fires with what fn returns.
func TestCoroutineAwaits(t *testing.T) {
	a, b := New(nil), Succeed(10)
	var steps []string
	d := Coroutine(func(await Await) (any, error) {
		steps = append(steps, "start")
		x, err := await(a)
		if err != nil {
			return nil, err
		}
		steps = append(steps, "got a")
		y, err := await(b)
		if err != nil {
			return nil, err
		}
		return x.(int) + y.(int), nil
	})
	if len(steps) != 1 {
		t.Fatalf("steps = %v before a fired; want [start]: fn runs until its first await", steps)
	}
	noResult(t, d)
	a.Callback(5)
	if got := resultOf(t, d); got != 15 {
		t.Fatalf("result = %v; want 15", got)
	}
	if got := resultOf(t, a); got != nil {
		t.Fatalf("a's result after await = %v; want nil: await takes it", got)
	}
}

// A failure comes back from await as a Go error; returning it fails the Deferred.
func TestCoroutineErrors(t *testing.T) {
	inner := New(nil)
	var seen error
	d := Coroutine(func(await Await) (any, error) {
		_, err := await(inner)
		seen = err
		return nil, err
	})
	inner.Errback(errBoom)
	failureOf(t, d, errBoom)
	if !errors.Is(seen, errBoom) {
		t.Fatalf("await returned %v; want errBoom", seen)
	}
	if got := resultOf(t, inner); got != nil {
		t.Fatalf("inner's result after await = %v; want nil: await took the failure", got)
	}
}

// A panic in fn fails the Deferred like a panic in a step.
func TestCoroutinePanics(t *testing.T) {
	inner := New(nil)
	d := Coroutine(func(await Await) (any, error) {
		await(inner)
		panic(errBoom)
	})
	inner.Callback(1)
	if f := failureOf(t, d, errBoom); !f.Panicked() {
		t.Fatalf("Panicked() = false; want true")
	}
}

// Cancelling the coroutine cancels the awaited Deferred; fn decides what follows.
func TestCoroutineCancelReachesAwaited(t *testing.T) {
	tests := []struct {
		name   string
		handle bool // fn recovers from the cancel
	}{{"fn returns the error", false}, {"fn handles the cancel", true}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cancelled := false
			inner := New(func(*Deferred) { cancelled = true })
			d := Coroutine(func(await Await) (any, error) {
				_, err := await(inner)
				if tc.handle && errors.Is(err, ErrCancelled) {
					return "stopped cleanly", nil
				}
				return nil, err
			})
			d.Cancel()
			if !cancelled {
				t.Fatalf("awaited Deferred's canceller not called")
			}
			if tc.handle {
				if got := resultOf(t, d); got != "stopped cleanly" {
					t.Fatalf("result = %v; want stopped cleanly", got)
				}
				return
			}
			failureOf(t, d, ErrCancelled)
		})
	}
}

// A coroutine that goes on awaiting after a cancel keeps its Deferred pending.
func TestCoroutineIgnoringCancelStaysPending(t *testing.T) {
	first, second := New(nil), New(nil)
	d := Coroutine(func(await Await) (any, error) {
		await(first) // cancelled: carry on regardless
		return await(second)
	})
	d.Cancel()
	noResult(t, d)
	second.Callback("done")
	if got := resultOf(t, d); got != "done" {
		t.Fatalf("result = %v; want done", got)
	}
}

// Misuse is reported as errors and failures, never a crash or a hang.
func TestCoroutineMisuse(t *testing.T) {
	var kept Await
	d := Coroutine(func(await Await) (any, error) {
		kept = await
		if _, err := await(nil); !errors.Is(err, ErrNilDeferred) {
			t.Errorf("await(nil) = %v; want ErrNilDeferred", err)
		}
		return New(nil), nil
	})
	failureOf(t, d, ErrCoroutineReturnedDeferred)
	if _, err := kept(Succeed(1)); !errors.Is(err, ErrAwaitOutside) {
		t.Fatalf("await after fn returned = %v; want ErrAwaitOutside", err)
	}
}

// 100,000 awaits, fired and unfired, neither grow the stack nor leak a step.
func TestCoroutineManyAwaits(t *testing.T) {
	const n = 100_000
	pending := make([]*Deferred, 0, n)
	d := Coroutine(func(await Await) (any, error) {
		sum := 0
		for i := range n {
			var next *Deferred
			if i%2 == 0 {
				next = Succeed(1)
			} else {
				next = New(nil)
				pending = append(pending, next)
			}
			v, err := await(next)
			if err != nil {
				return nil, err
			}
			sum += v.(int)
		}
		return sum, nil
	})
	for i := 0; i < len(pending); i++ { // each Callback resumes fn, which adds the next one
		pending[i].Callback(1)
	}
	if got := resultOf(t, d); got != n {
		t.Fatalf("result = %v; want %d", got, n)
	}
}

// A coroutine may await the Deferred whose firing resumed it again.
func TestCoroutineAwaitsSameDeferredTwice(t *testing.T) {
	a := New(nil)
	d := Coroutine(func(await Await) (any, error) {
		first, _ := await(a)
		second, _ := await(a) // a's result was taken by the first await
		return []any{first, second}, nil
	})
	a.Callback(1)
	got := resultOf(t, d).([]any)
	if got[0] != 1 || got[1] != nil {
		t.Fatalf("results = %v; want [1 <nil>]", got)
	}
}
