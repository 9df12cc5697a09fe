package deferred

import (
	"errors"
	"fmt"
	"reflect"
)

// Typed helpers. A result travels down a chain as an any, because each step
// may change its type (rule 1). Go cannot put type parameters on methods, so
// these are functions over the same untyped core: they add an ordinary step
// and do the type assertion a learner would otherwise write by hand, turning
// a wrong type into a failure instead of a panic.

// ErrType is matched (errors.Is) by the *TypeError of a typed helper that
// was given a result of another type.
var ErrType = errors.New("deferred: result of the wrong type")

// TypeError is the failure of a typed helper (Then, GatherOf, As) whose
// result was not of the type it wants.
type TypeError struct {
	Want reflect.Type // the type asked for
	Got  any          // the result it got instead
}

// Error names both types and shows the result.
func (e *TypeError) Error() string {
	return fmt.Sprintf("deferred: result %s is a %T; want %v", summarize(e.Got), e.Got, e.Want)
}

// Is makes errors.Is(err, ErrType) true.
func (e *TypeError) Is(target error) bool { return target == ErrType }

// typed asserts v to T. nil is the zero T when T can be nil (a pointer, an
// interface, a slice, a map, a channel or a function).
func typed[T any](v any) (T, error) {
	if t, ok := v.(T); ok {
		return t, nil
	}
	var zero T
	want := reflect.TypeFor[T]()
	if v == nil {
		switch want.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map, reflect.Chan, reflect.Func, reflect.UnsafePointer:
			return zero, nil
		}
	}
	return zero, &TypeError{Want: want, Got: v}
}

// Then adds a callback that takes the result as a T and returns a U:
//
//	deferred.Then(d, func(u User) (string, error) { return u.Name, nil })
//
// is d.AddCallback with the v.(User) written for you. A result that is not
// a T fails the step with a *TypeError (errors.Is(err, ErrType)). It returns
// d, like AddCallback.
func Then[T, U any](d *Deferred, fn func(T) (U, error)) *Deferred {
	return d.AddCallback(func(v any) (any, error) {
		t, err := typed[T](v)
		if err == nil {
			var u U
			if u, err = fn(t); err == nil {
				return u, nil
			}
		}
		return nil, failureFromStep(err, fn, d.dbg != nil)
	})
}

// Catch adds an errback that handles only the failures whose error is (or
// wraps) an E, found as errors.AsType finds it; any other failure passes
// on untouched. fn's result is as an errback's: a value handles the
// failure, an error keeps the chain on the errback track.
//
//	deferred.Catch(d, func(e *fs.PathError) (any, error) {
//		return "no such file: " + e.Path, nil
//	})
func Catch[E error](d *Deferred, fn func(E) (any, error)) *Deferred {
	return d.AddErrback(func(f *Failure) (any, error) {
		e, ok := errors.AsType[E](f)
		if !ok {
			return nil, f
		}
		v, err := fn(e)
		if err != nil {
			return nil, failureFromStep(err, fn, d.dbg != nil)
		}
		return v, nil
	})
}

// GatherOf is Gather whose result is a []T instead of a []any. A result of
// another type fails it with a *TypeError.
func GatherOf[T any](ds []*Deferred, consumeErrors bool) *Deferred {
	return Gather(ds, consumeErrors).AddCallback(func(v any) (any, error) {
		values := v.([]any)
		out := make([]T, len(values))
		for i, x := range values {
			t, err := typed[T](x)
			if err != nil {
				return nil, fmt.Errorf("GatherOf: Deferred %d: %w", i, err)
			}
			out[i] = t
		}
		return out, nil
	})
}

// As converts a result and its error, as Wait and Await return them, to a T:
//
//	n, err := deferred.As[int](await(d))
//	name, err := deferred.As[string](d.Wait(ctx))
//
// An error is passed on; a value that is not a T gives a *TypeError.
func As[T any](v any, err error) (T, error) {
	if err != nil {
		var zero T
		return zero, err
	}
	return typed[T](v)
}
