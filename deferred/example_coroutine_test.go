package deferred_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
)

// The same logic written three ways: look a user up, then their name, then
// greet them; an unknown user is an error. Each lookup takes time. On the
// loop, time is a timer (here a FakeClock's), never a sleep.
func ExampleCoroutine() {
	clock := deferred.NewFakeClock(time.Unix(0, 0))
	names := map[int]string{42: "Ada"}
	// The lookups, loop style: return a Deferred at once, fire it later.
	lookupID := func(login string) *deferred.Deferred {
		return deferred.DeferLater(clock, time.Second, func() (any, error) { return len(login) * 7, nil })
	}
	lookupName := func(id int) *deferred.Deferred {
		return deferred.DeferLater(clock, time.Second, func() (any, error) {
			if name, ok := names[id]; ok {
				return name, nil
			}
			return nil, fmt.Errorf("no user %d", id)
		})
	}

	// 1. Callbacks: each step returns the next Deferred; the chain waits on it.
	byCallbacks := lookupID("ada123")
	byCallbacks.AddCallback(func(id any) (any, error) { return lookupName(id.(int)), nil })
	byCallbacks.AddCallback(func(name any) (any, error) { return "hello, " + name.(string), nil })

	// 2. A coroutine: the same chain as straight-line code. await suspends
	// the function (handing control back to the loop) until the Deferred fires.
	byCoroutine := deferred.Coroutine(func(await deferred.Await) (any, error) {
		id, err := deferred.As[int](await(lookupID("ada123")))
		if err != nil {
			return nil, err
		}
		name, err := deferred.As[string](await(lookupName(id)))
		if err != nil {
			return nil, err
		}
		return "hello, " + name, nil
	})

	for _, d := range []*deferred.Deferred{byCallbacks, byCoroutine} {
		d.AddBoth(func(v any) (any, error) { fmt.Println(v); return nil, nil })
	}
	clock.Advance(time.Second) // the ids arrive
	clock.Advance(time.Second) // the names arrive: both print

	// 3. A goroutine and a channel: the plain Go way. The goroutine may
	// block (here it sleeps), because it is not the loop; the loop would
	// receive from the channel with FromChan, and a test or main may just
	// read it.
	blockingID := func(login string) int { time.Sleep(time.Millisecond); return len(login) * 7 }
	blockingName := func(id int) (string, error) {
		time.Sleep(time.Millisecond)
		if name, ok := names[id]; ok {
			return name, nil
		}
		return "", errors.New("no such user")
	}
	answer := make(chan string, 1)
	go func() {
		name, err := blockingName(blockingID("ada123"))
		if err != nil {
			answer <- err.Error()
			return
		}
		answer <- "hello, " + name
	}()
	fmt.Println(<-answer)
	// Output:
	// hello, Ada
	// hello, Ada
	// hello, Ada
}

// Cancelling a coroutine's Deferred cancels what it awaits; the error comes
// back from await and the function decides what to do with it.
func ExampleCoroutine_cancel() {
	slow := deferred.New(nil)
	d := deferred.Coroutine(func(await deferred.Await) (any, error) {
		if _, err := await(slow); errors.Is(err, deferred.ErrCancelled) {
			return "gave up cleanly", nil
		}
		return "finished", nil
	})
	d.Cancel()
	v, _ := d.Result()
	fmt.Println(v)
	// Output:
	// gave up cleanly
}
