package deferred

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// running starts l's loop on a goroutine of its own, with a Binding of its
// own; the test's cleanup stops it.
func running(t *testing.T) (*reactor.Loop, *Binding) {
	t.Helper()
	l := newLoop(t)
	b := BindLoop(l)
	done := make(chan error, 1)
	go func() { done <- l.Run() }()
	t.Cleanup(func() {
		l.Stop()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		b.Unbind()
	})
	return l, b
}

// onLoop runs fn on l's goroutine and waits for it to return.
func onLoop[T any](l *reactor.Loop, fn func() T) T {
	ch := make(chan T, 1)
	l.CallFromGoroutine(func() { ch <- fn() })
	return <-ch
}

// liveness bounds a wait that must end; it is never a timing assertion.
func liveness(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Wait, off the loop, returns the value a Deferred fires with on the loop.
func TestWaitValue(t *testing.T) {
	l, b := running(t)
	d := onLoop(l, func() *Deferred { return b.New(nil).AddCallback(add(1)) })
	l.CallFromGoroutine(func() { d.Callback(41) })
	v, err := d.Wait(liveness(t))
	if v != 42 || err != nil {
		t.Fatalf("Wait() = %v, %v; want 42, nil", v, err)
	}
	if got := onLoop(l, func() any { return resultOf(t, d) }); got != 42 {
		t.Fatalf("result after Wait = %v; want 42: a value passes through", got)
	}
}

// A failure comes back from Wait as the error and counts as handled.
func TestWaitFailure(t *testing.T) {
	l, b := running(t)
	var reports []UnhandledFailure
	b.SetUnhandledHook(func(u UnhandledFailure) { reports = append(reports, u) })
	d := onLoop(l, func() *Deferred { return b.New(nil) })
	attached := make(chan struct{})
	defer b.Observe(func(ev TraceEvent) {
		if ev.ID == d.ID() && ev.Kind == EventStepAdded {
			close(attached) // Wait's step: now fire d
		}
	})()
	go func() { <-attached; l.CallFromGoroutine(func() { d.Errback(errBoom) }) }()
	if _, err := d.Wait(liveness(t)); !errors.Is(err, errBoom) {
		t.Fatalf("Wait() error = %v; want errBoom", err)
	}
	if n := onLoop(l, func() int { return len(reports) }); n != 0 {
		t.Fatalf("%d unhandled reports; want none: Wait's caller holds the failure", n)
	}
}

// When ctx ends first Wait returns its cause, and a later failure stays on
// the chain, to be reported.
func TestWaitContextEnds(t *testing.T) {
	l, b := running(t)
	reports := make(chan UnhandledFailure, 1)
	b.SetUnhandledHook(func(u UnhandledFailure) { reports <- u })
	d := onLoop(l, func() *Deferred { return b.New(nil) })
	errGone := errors.New("client gone")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errGone)
	_, err := d.Wait(ctx)
	var ce *ContextError
	if !errors.As(err, &ce) || !errors.Is(err, context.Canceled) || !errors.Is(err, errGone) {
		t.Fatalf("Wait() error = %v; want a *ContextError matching context.Canceled and its cause", err)
	}
	l.CallFromGoroutine(func() { d.Errback(errBoom) })
	select {
	case u := <-reports:
		if u.ID != d.ID() {
			t.Fatalf("report for %s; want %s", idName(u.ID), idName(d.ID()))
		}
	case <-liveness(t).Done():
		t.Fatalf("failure after the Wait gave up was not reported")
	}
}

// Wait refuses, at once, wherever blocking would stop a loop.
func TestWaitRefusedWhereItWouldDeadlock(t *testing.T) {
	l, b := running(t)
	d := onLoop(l, func() *Deferred { return b.New(nil) })
	ctx := liveness(t)
	if err := onLoop(l, func() error { _, err := d.Wait(ctx); return err }); !errors.Is(err, ErrWaitOnLoop) {
		t.Errorf("Wait on a bound loop's goroutine = %v; want ErrWaitOnLoop", err)
	}
	unbound := newLoop(t)
	unbound.CallSoon(func() {
		if _, err := d.Wait(ctx); !errors.Is(err, ErrWaitOnLoop) {
			t.Errorf("Wait inside a pass of an unbound loop = %v; want ErrWaitOnLoop", err)
		}
	})
	if err := unbound.Iterate(0); err != nil {
		t.Fatal(err)
	}
	co := Coroutine(func(Await) (any, error) { return d.Wait(ctx) })
	failureOf(t, co, ErrWaitOnLoop)
	if _, err := New(nil).Wait(ctx); !errors.Is(err, ErrNoLoop) {
		t.Errorf("Wait on a Deferred of no loop = %v; want ErrNoLoop", err)
	}
}

// Between passes, the goroutine that drives a bound loop with Iterate is
// still its loop goroutine: Wait there would wait forever.
func TestWaitRefusedBetweenPasses(t *testing.T) {
	l := newLoop(t)
	b := BindLoop(l)
	defer b.Unbind()
	if err := l.Iterate(0); err != nil { // the Binding learns its goroutine here
		t.Fatal(err)
	}
	if _, err := b.New(nil).Wait(liveness(t)); !errors.Is(err, ErrWaitOnLoop) {
		t.Fatalf("Wait between passes on the loop's goroutine = %v; want ErrWaitOnLoop", err)
	}
}

// FromChan fires on the loop with the value sent, or fails when the channel closes.
func TestFromChan(t *testing.T) {
	l, _ := running(t)
	ch := make(chan string)
	closed := make(chan int)
	d := onLoop(l, func() *Deferred { return FromChan(LoopClock(l), ch) })
	e := onLoop(l, func() *Deferred { return FromChan(LoopClock(l), closed) })
	ch <- "hello"
	close(closed)
	if v, err := d.Wait(liveness(t)); v != "hello" || err != nil {
		t.Fatalf("FromChan(ch) = %v, %v; want hello", v, err)
	}
	if _, err := e.Wait(liveness(t)); !errors.Is(err, ErrChanClosed) {
		t.Fatalf("FromChan(closed) error = %v; want ErrChanClosed", err)
	}
}

// Cancelling a FromChan Deferred errbacks it, and a value that still
// arrives is dropped rather than firing it twice.
func TestFromChanCancel(t *testing.T) {
	loop := newFakeLoop()
	ch := make(chan int, 1)
	d := FromChan(loop, ch)
	d.Cancel()
	failureOf(t, d, ErrCancelled)
	ch <- 1 // the waiting goroutine may or may not still take it
	select {
	case fn := <-loop.calls:
		fn() // must not fire d again
	default:
	}
}
