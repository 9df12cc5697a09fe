package deferred_test

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/reactorlab/reactorlab/deferred"
)

// Then writes the type assertion for you; a value of the wrong type is a
// failure, not a panic.
func ExampleThen() {
	d := deferred.Succeed("ada lovelace")
	deferred.Then(d, func(s string) (int, error) { return len(strings.Fields(s)), nil })
	deferred.Then(d, func(words int) (string, error) { return fmt.Sprint(words, " words"), nil })
	fmt.Println(d.Result())

	wrong := deferred.Then(deferred.Succeed("42"), func(n int) (int, error) { return n + 1, nil })
	wrong.AddErrback(func(f *deferred.Failure) (any, error) {
		fmt.Println(errors.Is(f, deferred.ErrType), f)
		return nil, nil
	})
	// Output:
	// 2 words true
	// true deferred: result "42" is a string; want int
}

// Catch handles one kind of error, found as errors.As finds it; any other
// failure passes on untouched.
func ExampleCatch() {
	open := func(err error) *deferred.Deferred {
		return deferred.Catch(deferred.Fail(err), func(e *fs.PathError) (any, error) {
			return "using defaults: no " + e.Path, nil
		})
	}
	show := func(v any) (any, error) { fmt.Println(v); return nil, nil }
	open(&fs.PathError{Op: "open", Path: "config.toml", Err: fs.ErrNotExist}).AddBoth(show)
	open(errors.New("permission denied")).AddBoth(show)
	// Output:
	// using defaults: no config.toml
	// permission denied
}

// GatherOf gives a []T.
func ExampleGatherOf() {
	a, b := deferred.New(nil), deferred.New(nil)
	deferred.Then(deferred.GatherOf[int]([]*deferred.Deferred{a, b}, true), func(ns []int) (int, error) {
		fmt.Println("sum:", ns[0]+ns[1])
		return 0, nil
	})
	b.Callback(2)
	a.Callback(40)
	// Output:
	// sum: 42
}

// As types a (value, error) pair, such as what await or Wait return.
func ExampleAs() {
	answer, missing := deferred.Succeed(7), deferred.Fail(errors.New("lookup failed"))
	deferred.Coroutine(func(await deferred.Await) (any, error) {
		n, err := deferred.As[int](await(answer))
		fmt.Println(n+1, err)
		_, err = deferred.As[int](await(missing))
		fmt.Println(err)
		return nil, nil
	})
	// Output:
	// 8 <nil>
	// lookup failed
}

// TrapAs is Trap by type, in an errback.
func ExampleFailure_TrapAs() {
	d := deferred.Fail(fmt.Errorf("loading: %w", &fs.PathError{Op: "open", Path: "a.txt", Err: fs.ErrNotExist}))
	d.AddErrback(func(f *deferred.Failure) (any, error) {
		var pe *fs.PathError
		if err := f.TrapAs(&pe); err != nil {
			return nil, err // not ours: stays on the errback track
		}
		return "missing " + pe.Path, nil
	})
	fmt.Println(d.Result())
	// Output:
	// missing a.txt true
}
