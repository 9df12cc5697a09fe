package deferred

import (
	"fmt"
	"testing"
)

// BenchmarkChain measures building and running a chain of n callbacks.
func BenchmarkChain(b *testing.B) {
	inc := add(1)
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d := New(nil)
				for range n {
					d.AddCallback(inc)
				}
				d.Callback(0)
			}
		})
	}
}

// BenchmarkSucceedThen is the common "already have it" path: Succeed plus one callback.
func BenchmarkSucceedThen(b *testing.B) {
	inc := add(1)
	b.ReportAllocs()
	for b.Loop() {
		Succeed(1).AddCallback(inc)
	}
}

// BenchmarkChained measures an outer chain waiting on an inner Deferred.
func BenchmarkChained(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		inner := New(nil)
		Succeed(0).AddCallback(func(any) (any, error) { return inner, nil })
		inner.Callback(1)
	}
}

// BenchmarkFailure measures an error travelling to an errback.
func BenchmarkFailure(b *testing.B) {
	boom := fail(errBoom)
	handle := func(*Failure) (any, error) { return nil, nil }
	b.ReportAllocs()
	for b.Loop() {
		Succeed(0).AddCallback(boom).AddErrback(handle)
	}
}

// BenchmarkChainObserved is BenchmarkChain n=10 with an observer: the cost of tracing.
func BenchmarkChainObserved(b *testing.B) {
	defer Observe(func(TraceEvent) {})()
	inc := add(1)
	b.ReportAllocs()
	for b.Loop() {
		d := New(nil)
		for range 10 {
			d.AddCallback(inc)
		}
		d.Callback(0)
	}
}

// BenchmarkStep sets one step of a chain beside one await of a coroutine,
// in pairs that do the same work. An op is one step or one await.
//
//   - callback: AddCallback on a fired Deferred (the step runs at once);
//     its coroutine twin is await on a fired Deferred (no switch).
//   - chained: a step returns an unfired Deferred that then fires, so the
//     chain waits and resumes; its twin is await on an unfired Deferred
//     that then fires (suspend and resume: two coroutine switches).
func BenchmarkStep(b *testing.B) {
	same := func(v any) (any, error) { return v, nil }
	b.Run("callback", func(b *testing.B) {
		b.ReportAllocs()
		d := Succeed(0)
		for b.Loop() {
			d.AddCallback(same)
		}
	})
	b.Run("await", func(b *testing.B) {
		b.ReportAllocs()
		fired := Succeed(0)
		n := b.N
		b.ResetTimer()
		Coroutine(func(await Await) (any, error) {
			for range n {
				await(fired)
			}
			return nil, nil
		})
	})
	b.Run("chained", func(b *testing.B) {
		b.ReportAllocs()
		d := Succeed(0)
		for b.Loop() {
			inner := New(nil)
			d.AddCallback(func(any) (any, error) { return inner, nil })
			inner.Callback(1)
		}
	})
	b.Run("await-suspended", func(b *testing.B) {
		b.ReportAllocs()
		var next *Deferred
		n := b.N
		b.ResetTimer()
		Coroutine(func(await Await) (any, error) {
			for range n {
				next = New(nil)
				await(next)
			}
			return nil, nil
		})
		for range n {
			next.Callback(1) // resumes the coroutine, which makes the next one and suspends
		}
	})
}

// BenchmarkCoroutine is the fixed cost of a coroutine: start it (iter.Pull
// makes a goroutine for it), one await that suspends, and its return.
func BenchmarkCoroutine(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		inner := New(nil)
		Coroutine(func(await Await) (any, error) { return await(inner) })
		inner.Callback(1)
	}
}

// BenchmarkPool is one DeferToGoroutine round trip on a one-worker pool:
// queue, run on the worker, hand back, fire on the (fake) loop. "observed"
// adds one Observe-r: four events, each with a pool snapshot and a clock
// read.
func BenchmarkPool(b *testing.B) {
	for _, observed := range []bool{false, true} {
		name := "unobserved"
		if observed {
			name = "observed"
		}
		b.Run(name, func(b *testing.B) {
			loop := newFakeLoop()
			p := NewPool(1)
			defer p.Close()
			if observed {
				defer p.Observe(func(PoolEvent) {})()
			}
			fn := func() (any, error) { return nil, nil }
			b.ReportAllocs()
			for b.Loop() {
				p.Defer(loop, fn)
				loop.runOne()
			}
		})
	}
}
