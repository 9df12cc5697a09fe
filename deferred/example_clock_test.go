package deferred_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
)

// Pump advances a FakeClock step by step, running what comes due after
// each step, as Twisted's Clock.pump does.
func ExampleFakeClock_Pump() {
	clock := deferred.NewFakeClock(time.Unix(0, 0))
	tick := func() { fmt.Println("tick at", clock.Now().Unix()) }
	clock.CallLater(time.Second, tick)
	clock.CallLater(3*time.Second, tick)
	clock.Pump(time.Second, time.Second, time.Second)
	fmt.Println("pending:", clock.Pending())
	// Output:
	// tick at 1
	// tick at 3
	// pending: 0
}

// Calls lists what is scheduled, in the order it will run: what a test
// checks to make sure nothing was left behind, or a lesson draws.
func ExampleFakeClock_Calls() {
	clock := deferred.NewFakeClock(time.Unix(0, 0))
	deferred.New(nil).AddTimeout(5*time.Second, clock)
	deferred.DeferLater(clock, 2*time.Second, nil)
	for _, call := range clock.Calls() {
		fmt.Println("due at", call.Time().Unix())
	}
	// Output:
	// due at 2
	// due at 5
}

// A DelayedCall can be moved: Reset counts from now, Delay from when it
// was due. Once it has run, it cannot.
func ExampleDelayedCall() {
	clock := deferred.NewFakeClock(time.Unix(0, 0))
	idle := clock.Schedule(10*time.Second, func() { fmt.Println("idle timeout at", clock.Now().Unix()) })
	clock.Advance(8 * time.Second)
	idle.Reset(10 * time.Second) // activity: 10s from now, at 18
	idle.Delay(2 * time.Second)  // and 2s more, at 20
	fmt.Println("active:", idle.Active(), "due at", idle.Time().Unix())
	clock.Advance(12 * time.Second)
	fmt.Println("active:", idle.Active(), "ran:", idle.Ran(), "reset:", idle.Reset(time.Second))
	// Output:
	// active: true due at 20
	// idle timeout at 20
	// active: false ran: true reset: deferred: the delayed call has run
}

// onTimeoutCancel decides what a Deferred that ran out of time continues
// with: here a cached answer instead of an error.
func ExampleDeferred_AddTimeoutFunc() {
	clock := deferred.NewFakeClock(time.Unix(0, 0))
	lookup := deferred.New(nil)
	lookup.AddTimeoutFunc(time.Second, clock, func(result any, after time.Duration) (any, error) {
		return fmt.Sprintf("cached answer (no reply in %v)", after), nil
	})
	clock.Advance(time.Second)
	fmt.Println(lookup.Result())
	// Output:
	// cached answer (no reply in 1s) true
}

// ChainDeferred hands one Deferred's result to another, which fires with it.
func ExampleDeferred_ChainDeferred() {
	request, reply := deferred.New(nil), deferred.New(nil)
	reply.AddCallback(func(v any) (any, error) { fmt.Println("reply got", v); return v, nil })
	request.ChainDeferred(reply)
	request.Callback("200 OK")
	fmt.Println(request.Result())
	// Output:
	// reply got 200 OK
	// <nil> true
}

// Pause holds a Deferred's chain off until the matching Unpause. Called
// inside a step it does not stop the steps already in the chain; it holds
// the steps added afterwards.
func ExampleDeferred_Pause() {
	d := deferred.New(nil)
	d.AddCallback(func(v any) (any, error) {
		d.Pause()
		fmt.Println("step 1 paused the chain")
		return v, nil
	})
	d.AddCallback(func(v any) (any, error) { fmt.Println("step 2 runs anyway"); return v, nil })
	d.Callback(nil)
	d.AddCallback(func(v any) (any, error) { fmt.Println("step 3 waited for Unpause"); return v, nil })
	fmt.Println("unpausing")
	d.Unpause()
	// Output:
	// step 1 paused the chain
	// step 2 runs anyway
	// unpausing
	// step 3 waited for Unpause
}

// In debug mode an error returned by a step gets a stack, as a panic does:
// the calls that ran the step, which show who fired the Deferred.
func ExampleSetDebugging() {
	deferred.SetDebugging(true)
	defer deferred.SetDebugging(false)
	d := deferred.New(nil)
	d.AddCallback(func(any) (any, error) { return nil, fmt.Errorf("parse error") })
	fireFromHandler(d)
	d.AddErrback(func(f *deferred.Failure) (any, error) {
		fmt.Println(f)
		fmt.Println("stack names the firing handler:", strings.Contains(f.Stack, "fireFromHandler"))
		return nil, nil
	})
	// Output:
	// parse error
	// stack names the firing handler: true
}

//go:noinline
func fireFromHandler(d *deferred.Deferred) { d.Callback("line") }

// Cancelling a DeferredList cancels its children and waits for them: a
// paused child keeps the list pending until it can deliver, as in Twisted.
func ExampleDeferredList_cancel() {
	busy, idle := deferred.New(nil), deferred.New(nil)
	busy.Pause()
	list := deferred.DeferredList([]*deferred.Deferred{busy, idle}, deferred.ListOptions{ConsumeErrors: true})
	list.Cancel()
	_, fired := list.Result()
	fmt.Println("fired after Cancel:", fired)
	busy.Unpause()
	results, _ := list.Result()
	for i, r := range results.([]deferred.ListResult) {
		fmt.Println(i, r.Success, r.Value)
	}
	// Output:
	// fired after Cancel: false
	// 0 false deferred: cancelled
	// 1 false deferred: cancelled
}
