package deferred

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

// Then hands the callback a typed value; a value of another type is a *TypeError failure.
func TestThen(t *testing.T) {
	d := Then(Succeed(20), func(n int) (string, error) { return strings.Repeat("x", n/10), nil })
	if got := resultOf(t, d); got != "xx" {
		t.Fatalf("result = %v; want xx", got)
	}
	f := failureOf(t, Then(Succeed("20"), func(n int) (int, error) { return n, nil }), ErrType)
	var te *TypeError
	if !errors.As(f, &te) || te.Got != "20" || te.Want.String() != "int" {
		t.Fatalf("failure = %v; want a *TypeError wanting int, got \"20\"", f)
	}
	if !strings.HasPrefix(f.Site, "deferred/typed_test.go:") {
		t.Fatalf("Site = %q; want the callback in typed_test.go", f.Site)
	}
	failureOf(t, Then(Succeed(1), func(int) (int, error) { return 0, errBoom }), errBoom)
}

// nil is the zero value of a type that can be nil, and a TypeError otherwise.
func TestThenNil(t *testing.T) {
	if got := resultOf(t, Then(Succeed(nil), func(p *int) (bool, error) { return p == nil, nil })); got != true {
		t.Fatalf("Then(nil as *int) = %v; want true", got)
	}
	if got := resultOf(t, Then(Succeed(nil), func(e error) (bool, error) { return e == nil, nil })); got != true {
		t.Fatalf("Then(nil as error) = %v; want true", got)
	}
	failureOf(t, Then(Succeed(nil), func(n int) (int, error) { return n, nil }), ErrType)
}

// Catch handles only failures of its error type; others pass on untouched.
func TestCatch(t *testing.T) {
	missing := &fs.PathError{Op: "open", Path: "/etc/nope", Err: fs.ErrNotExist}
	handle := func(e *fs.PathError) (any, error) { return "no " + e.Path, nil }
	if got := resultOf(t, Catch(Fail(missing), handle)); got != "no /etc/nope" {
		t.Fatalf("Catch(*PathError) = %v; want no /etc/nope", got)
	}
	f := failureOf(t, Catch(Fail(errBoom), handle), errBoom)
	if f.Site == "" || !strings.Contains(f.Site, "typed_test.go") {
		t.Fatalf("passed-on failure Site = %q; want the original, in typed_test.go", f.Site)
	}
	failureOf(t, Catch(Fail(missing), func(*fs.PathError) (any, error) { return nil, errOther }), errOther)
}

// GatherOf fires with a []T.
func TestGatherOf(t *testing.T) {
	a, b := New(nil), New(nil)
	g := GatherOf[string]([]*Deferred{a, b}, false)
	b.Callback("b")
	a.Callback("a")
	got := resultOf(t, g).([]string)
	if len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("GatherOf = %v; want [a b]", got)
	}
	if f := failureOf(t, GatherOf[string]([]*Deferred{Succeed("a"), Succeed(2)}, false), ErrType); !strings.Contains(f.Error(), "Deferred 1") {
		t.Fatalf("failure = %v; want it to name Deferred 1", f)
	}
}

// As types a (value, error) pair.
func TestAs(t *testing.T) {
	tests := []struct {
		v       any
		err     error
		want    int
		wantErr error
	}{
		{7, nil, 7, nil},
		{nil, errBoom, 0, errBoom},
		{"7", nil, 0, ErrType},
	}
	for _, tc := range tests {
		got, err := As[int](tc.v, tc.err)
		if got != tc.want || !errors.Is(err, tc.wantErr) {
			t.Errorf("As[int](%v, %v) = %v, %v; want %v, %v", tc.v, tc.err, got, err, tc.want, tc.wantErr)
		}
	}
}
