package deferred_test

import (
	"fmt"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
)

// A DeferredLock never blocks: Acquire returns a Deferred that fires when
// the lock is yours, and Release hands it to the next in line.
func ExampleDeferredLock() {
	var lock deferred.DeferredLock
	for _, who := range []string{"first", "second"} {
		lock.Acquire().AddCallback(func(any) (any, error) {
			fmt.Println(who, "has the lock")
			return nil, nil
		})
	}
	fmt.Println("waiting:", lock.Waiting())
	lock.Release() // first is done: second gets it
	lock.Release()
	fmt.Println("locked:", lock.Locked())
	// Output:
	// first has the lock
	// waiting: 1
	// second has the lock
	// locked: false
}

// Run holds the lock until the function's Deferred fires: two writes to
// one file never interleave, though neither blocks the loop.
func ExampleDeferredLock_Run() {
	clock := deferred.NewFakeClock(time.Unix(0, 0))
	var lock deferred.DeferredLock
	write := func(text string) func() (any, error) {
		return func() (any, error) {
			fmt.Println("start", text)
			return deferred.DeferLater(clock, time.Second, func() (any, error) {
				fmt.Println("end", text)
				return nil, nil
			}), nil
		}
	}
	lock.Run(write("A"))
	lock.Run(write("B"))
	clock.Pump(time.Second, time.Second)
	// Output:
	// start A
	// end A
	// start B
	// end B
}

// A DeferredSemaphore lets at most Limit functions run at once: here two
// downloads at a time out of four.
func ExampleDeferredSemaphore_Run() {
	clock := deferred.NewFakeClock(time.Unix(0, 0))
	sem := deferred.NewDeferredSemaphore(2)
	for _, name := range []string{"a", "b", "c", "d"} {
		sem.Run(func() (any, error) {
			fmt.Printf("%v: %s starts\n", clock.Now().Unix(), name)
			return deferred.DeferLater(clock, time.Second, nil), nil
		})
	}
	clock.Pump(time.Second, time.Second)
	// Output:
	// 0: a starts
	// 0: b starts
	// 1: c starts
	// 1: d starts
}

// A DeferredQueue joins a producer and a consumer that are both callbacks:
// Get returns a Deferred for the next value, Put hands one over.
func ExampleDeferredQueue() {
	q := deferred.NewDeferredQueue(deferred.Unbounded, deferred.Unbounded)
	var next func()
	next = func() {
		q.Get().AddCallback(func(line any) (any, error) {
			fmt.Println("got", line)
			next() // ask for the one after
			return nil, nil
		})
	}
	next()
	q.Put("hello")
	q.Put("world")
	fmt.Println("waiting Gets:", q.Waiting())
	// Output:
	// got hello
	// got world
	// waiting Gets: 1
}
