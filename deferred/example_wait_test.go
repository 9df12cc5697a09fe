package deferred_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
)

// startLoop runs a real loop on a goroutine of its own, as a program
// would, with a Binding of its own; stop ends both.
func startLoop() (l *reactor.Loop, b *deferred.Binding, stop func()) {
	l, err := reactor.New(reactor.Config{Heartbeat: -1})
	if err != nil {
		panic(err)
	}
	b = deferred.BindLoop(l)
	done := make(chan error)
	go func() { done <- l.Run() }()
	return l, b, func() {
		l.Stop()
		<-done
		b.Unbind()
		l.Close()
	}
}

// onLoop runs fn on l's goroutine and returns what it made.
func onLoop(l *reactor.Loop, fn func() *deferred.Deferred) *deferred.Deferred {
	ch := make(chan *deferred.Deferred)
	l.CallFromGoroutine(func() { ch <- fn() })
	return <-ch
}

// Wait is for code that is not on the loop, such as main or a test: it
// blocks until the Deferred fires on the loop. On the loop itself it
// refuses, because the loop cannot fire a Deferred while it waits for it.
func ExampleDeferred_Wait() {
	l, b, stop := startLoop()
	defer stop()
	d := onLoop(l, func() *deferred.Deferred {
		d := b.New(nil)
		deferred.DeferLater(deferred.LoopClock(l), 10*time.Millisecond, nil).AddCallback(func(any) (any, error) {
			d.Callback("ready")
			return nil, nil
		})
		return d
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fmt.Println(d.Wait(ctx))

	onLoop(l, func() *deferred.Deferred {
		_, err := d.Wait(ctx)
		fmt.Println("on the loop:", errors.Is(err, deferred.ErrWaitOnLoop))
		return nil
	})
	// Output:
	// ready <nil>
	// on the loop: true
}

// FromChan brings a value from another goroutine onto the loop.
func ExampleFromChan() {
	l, _, stop := startLoop()
	defer stop()
	results := make(chan int)
	go func() { results <- 6 * 7 }() // work done off the loop
	d := onLoop(l, func() *deferred.Deferred {
		return deferred.Then(deferred.FromChan(deferred.LoopClock(l), results), func(n int) (string, error) {
			return fmt.Sprint("the answer is ", n), nil
		})
	})
	fmt.Println(d.Wait(context.Background()))
	// Output:
	// the answer is 42 <nil>
}

// FromContext fails on the loop when a context ends, keeping its cause.
func ExampleFromContext() {
	l, _, stop := startLoop()
	defer stop()
	ctx, cancel := context.WithCancelCause(context.Background())
	d := onLoop(l, func() *deferred.Deferred { return deferred.FromContext(deferred.LoopClock(l), ctx) })
	cancel(errors.New("user pressed q"))
	_, err := d.Wait(context.Background())
	fmt.Println(err)
	fmt.Println(errors.Is(err, context.Canceled))
	// Output:
	// context canceled: user pressed q
	// true
}

// AddContext cancels a Deferred when its context ends, and steps added
// after it see the context's error, keeping the deadline and its cause.
func ExampleDeferred_AddContext() {
	l, b, stop := startLoop()
	defer stop()
	ctx, cancel := context.WithTimeoutCause(context.Background(), 10*time.Millisecond, errors.New("request budget spent"))
	defer cancel()
	d := onLoop(l, func() *deferred.Deferred {
		never := b.New(func(*deferred.Deferred) { fmt.Println("lookup cancelled") })
		return never.AddContext(ctx, deferred.LoopClock(l))
	})
	_, err := d.Wait(context.Background())
	fmt.Println(err)
	fmt.Println(errors.Is(err, context.DeadlineExceeded))
	// Output:
	// lookup cancelled
	// context deadline exceeded: request budget spent
	// true
}

// A loop with a Binding of its own keeps its unhandled failures, debug
// flag and observers apart from any other loop's.
func ExampleBindLoop() {
	l, err := reactor.New(reactor.Config{Heartbeat: -1})
	if err != nil {
		panic(err)
	}
	defer l.Close()
	b := deferred.BindLoop(l)
	defer b.Unbind()
	b.SetUnhandledHook(func(u deferred.UnhandledFailure) {
		fmt.Printf("unhandled in %q: %v\n", u.Label, u.Failure)
	})
	stopObserving := b.Observe(func(ev deferred.TraceEvent) {
		if ev.Kind == deferred.EventFired {
			fmt.Println("observed:", ev.Kind, ev.TrackIn, ev.InSummary)
		}
	})
	defer stopObserving()
	l.CallSoon(func() { b.Fail(errors.New("disk full")).SetLabel("save") })
	l.Iterate(0) // the failure is raised, and checked at the end of the pass
	l.Iterate(0)
	// Output:
	// observed: fired errback Failure(disk full)
	// unhandled in "save": disk full
}

// A Binding's debug flag covers its own Deferreds only: here one loop is
// being debugged while the rest of the process runs at full speed.
func ExampleBinding_SetDebugging() {
	var debugged deferred.Binding // the zero Binding: tied to no loop
	debugged.SetDebugging(true)
	withStack := debugged.Fail(errors.New("bad frame"))
	without := deferred.Fail(errors.New("bad frame"))
	for name, d := range map[string]*deferred.Deferred{"debugged": withStack, "other": without} {
		d.AddErrback(func(f *deferred.Failure) (any, error) {
			fmt.Println(name, "failure has a stack:", f.Stack != "")
			return nil, nil
		})
	}
	v, _ := debugged.Succeed("ok").Result()
	fmt.Println(v, debugged.Debugging(), deferred.Debugging())
	// Unordered output:
	// debugged failure has a stack: true
	// other failure has a stack: false
	// ok true false
}
