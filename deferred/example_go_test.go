package deferred_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
)

// One task four ways: fetch two prices at once, add them up, fail on the
// first error, and give up when the whole thing takes too long. The package
// documentation's "Deferred, channel, errgroup, context" section explains
// the differences; this runs them. The second fetch is slow in every
// version, so each one also shows how it gives up.
func Example_comparedWithGo() {
	prices := map[string]int{"tea": 3, "cake": 4}

	// Deferred: one goroutine (the loop), no blocking; the waiting is a
	// chain that fires later. Time comes from a clock, here a FakeClock.
	clock := deferred.NewFakeClock(time.Unix(0, 0))
	fetch := func(item string, takes time.Duration) *deferred.Deferred {
		return deferred.DeferLater(clock, takes, func() (any, error) { return prices[item], nil })
	}
	total := func(ds ...*deferred.Deferred) *deferred.Deferred {
		return deferred.Then(deferred.GatherOf[int](ds, true), func(p []int) (int, error) { return p[0] + p[1], nil })
	}
	quick := total(fetch("tea", time.Second), fetch("cake", time.Second)).AddTimeout(5*time.Second, clock)
	slow := total(fetch("tea", time.Second), fetch("cake", time.Hour)).AddTimeout(5*time.Second, clock)
	show := func(how string) deferred.CallbackFunc {
		return func(v any) (any, error) { fmt.Println(how, v); return nil, nil }
	}
	quick.AddBoth(show("Deferred:"))
	slow.AddBoth(show("Deferred:"))
	clock.Advance(5 * time.Second)

	// Channel: a goroutine per fetch, each may block; the results meet in a
	// channel, and a select gives up at the deadline.
	blockingFetch := func(ctx context.Context, item string, takes time.Duration) (int, error) {
		select {
		case <-time.After(takes):
			return prices[item], nil
		case <-ctx.Done():
			return 0, context.Cause(ctx)
		}
	}
	byChannel := func(cake time.Duration) string {
		results := make(chan int, 2)
		go func() { p, _ := blockingFetch(context.Background(), "tea", 0); results <- p }()
		go func() { p, _ := blockingFetch(context.Background(), "cake", cake); results <- p }()
		deadline := time.After(50 * time.Millisecond)
		sum := 0
		for range 2 {
			select {
			case p := <-results:
				sum += p
			case <-deadline:
				return "gave up (the slow goroutine is still running)"
			}
		}
		return fmt.Sprint(sum)
	}
	fmt.Println("channel:", byChannel(0))
	fmt.Println("channel:", byChannel(time.Hour))

	// errgroup (golang.org/x/sync/errgroup), written out: a WaitGroup for
	// "all done", the first error kept, and a context that cancels the
	// others when one fails or the deadline passes.
	byGroup := func(cake time.Duration) string {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		var wg sync.WaitGroup
		var once sync.Once
		var firstErr error
		got := make([]int, 2)
		for i, item := range []string{"tea", "cake"} {
			takes := map[string]time.Duration{"tea": 0, "cake": cake}[item]
			wg.Go(func() {
				p, err := blockingFetch(ctx, item, takes)
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
				}
				got[i] = p
			})
		}
		wg.Wait()
		if firstErr != nil {
			return firstErr.Error()
		}
		return fmt.Sprint(got[0] + got[1])
	}
	fmt.Println("errgroup:", byGroup(0))
	fmt.Println("errgroup:", byGroup(time.Hour))

	// context alone: it carries the deadline and the reason down to the
	// work, but waits for nothing; it is what the other three use to stop.
	ctx, cancel := context.WithTimeoutCause(context.Background(), 500*time.Millisecond, errors.New("the café is closing"))
	defer cancel()
	_, err := blockingFetch(ctx, "cake", time.Hour)
	fmt.Println("context:", err)
	// Output:
	// Deferred: 7
	// Deferred: deferred: timed out after 5s
	// channel: 7
	// channel: gave up (the slow goroutine is still running)
	// errgroup: 7
	// errgroup: context deadline exceeded
	// context: the café is closing
}
