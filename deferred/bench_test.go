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
