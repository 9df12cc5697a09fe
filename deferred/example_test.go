package deferred_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
)

// The two tracks: a returned error switches to the errback track, and an
// errback that returns a value switches back.
func Example() {
	d := deferred.New(nil)
	d.AddCallback(func(v any) (any, error) {
		fmt.Println("callback 1 got", v)
		return nil, errors.New("disk full")
	})
	d.AddCallback(func(v any) (any, error) {
		fmt.Println("callback 2 never runs")
		return v, nil
	})
	d.AddErrback(func(f *deferred.Failure) (any, error) {
		fmt.Println("errback got", f)
		return "saved to /tmp instead", nil // handled
	})
	d.AddCallback(func(v any) (any, error) {
		fmt.Println("callback 3 got", v)
		return v, nil
	})
	fmt.Println("nothing has run yet")
	d.Callback("report.txt")
	// Output:
	// nothing has run yet
	// callback 1 got report.txt
	// errback got disk full
	// callback 3 got saved to /tmp instead
}

// The gotcha: in AddCallbacks(cb, eb) the errback does not see cb's error;
// after AddCallback(cb).AddErrback(eb) it does.
func ExampleDeferred_AddCallbacks() {
	cb := func(any) (any, error) { return nil, errors.New("cb failed") }
	eb := func(f *deferred.Failure) (any, error) { return "eb handled: " + f.Error(), nil }
	show := func(name string, d *deferred.Deferred) {
		d.AddBoth(func(v any) (any, error) {
			fmt.Printf("%-28s -> %v\n", name, v)
			return nil, nil
		})
	}

	show("AddCallbacks(cb, eb)", deferred.Succeed(1).AddCallbacks(cb, eb))
	show("AddCallback(cb).AddErrback(eb)", deferred.Succeed(1).AddCallback(cb).AddErrback(eb))
	// Output:
	// AddCallbacks(cb, eb)         -> cb failed
	// AddCallback(cb).AddErrback(eb) -> eb handled: cb failed
}

// A callback that returns another Deferred pauses the chain until it fires.
func ExampleDeferred_chaining() {
	login := deferred.New(nil)
	d := deferred.Succeed("alice")
	d.AddCallback(func(user any) (any, error) {
		fmt.Println("logging in", user)
		return login, nil // the chain waits here
	})
	d.AddCallback(func(token any) (any, error) {
		fmt.Println("token:", token)
		return nil, nil
	})
	fmt.Println("waiting on another Deferred:", d.ChainedTo() == login)
	login.Callback("t-123")
	// Output:
	// logging in alice
	// waiting on another Deferred: true
	// token: t-123
}

// A timeout driven by a fake clock.
func ExampleDeferred_AddTimeout() {
	clock := deferred.NewFakeClock(time.Unix(0, 0))
	d := deferred.New(nil).AddTimeout(3*time.Second, clock)
	d.AddErrback(func(f *deferred.Failure) (any, error) {
		fmt.Println("timed out:", errors.Is(f, deferred.ErrTimeout))
		return nil, nil
	})
	clock.Advance(3 * time.Second)
	// Output:
	// timed out: true
}

// Watching a chain run, as the lab's chain pane does.
func ExampleObserve() {
	stop := deferred.Observe(func(ev deferred.TraceEvent) {
		if ev.Kind == deferred.EventStepRun {
			fmt.Printf("step %d %s: %s -> %s (%s -> %s)\n", ev.Step, ev.StepKind, ev.TrackIn, ev.TrackOut, ev.InSummary, ev.OutSummary)
		}
	})
	defer stop()
	d := deferred.Succeed(2)
	d.AddCallback(func(v any) (any, error) { return v.(int) * 10, nil })
	d.AddErrback(func(f *deferred.Failure) (any, error) { return 0, nil })
	// Output:
	// step 0 callback: callback -> callback (2 -> 20)
	// step 1 errback: callback -> callback (20 -> 20)
}

// A DeferredList never errbacks by default: it reports each outcome as a
// (success, value) pair. Gather is the "all or the first failure" form.
func ExampleDeferredList() {
	a, b := deferred.New(nil), deferred.New(nil)
	list := deferred.DeferredList([]*deferred.Deferred{a, b}, deferred.ListOptions{ConsumeErrors: true})
	list.AddCallback(func(v any) (any, error) {
		for i, r := range v.([]deferred.ListResult) {
			fmt.Printf("%d: success=%v value=%v\n", i, r.Success, r.Value)
		}
		return nil, nil
	})
	b.Errback(errors.New("host unreachable"))
	a.Callback("200 OK")

	c, d := deferred.New(nil), deferred.New(nil)
	deferred.Gather([]*deferred.Deferred{c, d}, true).AddErrback(func(f *deferred.Failure) (any, error) {
		var first *deferred.FirstError
		errors.As(f, &first)
		fmt.Printf("gather failed at index %d: %v\n", first.Index, first.Failure)
		return nil, nil
	})
	d.Errback(errors.New("disk full"))
	c.Callback("ok")
	// Output:
	// 0: success=true value=200 OK
	// 1: success=false value=host unreachable
	// gather failed at index 1: disk full
}
