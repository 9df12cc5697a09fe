package deferred

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// The randomized test builds random chains of random steps, runs them for
// real, and compares the outcome with a tiny reference model of the rules:
// the model is a plain loop over the steps with no Deferreds at all.

const modMax = 1_000_003

// mstate is a result in the model: a value n, or a failure with error id n.
type mstate struct {
	fail bool
	n    int
}

func (s mstate) String() string {
	if s.fail {
		return fmt.Sprintf("fail(%d)", s.n)
	}
	return fmt.Sprintf("value(%d)", s.n)
}

type testErr struct{ id int }

func (e testErr) Error() string { return fmt.Sprintf("err%d", e.id) }

type actKind int

const (
	actValue      actKind = iota // return a value computed from the input
	actError                     // return nil, testErr{k}
	actPanic                     // panic(testErr{k})
	actFailureVal                // return &Failure{testErr{k}}, nil
	actFiredValue                // return Succeed(input+k)
	actFiredError                // return Fail(testErr{k})
	actUnfired                   // return an unfired Deferred with its own sub-chain, fired later
	numActs
)

type action struct {
	kind    actKind
	k       int
	sub     []mstep // actUnfired: the inner Deferred's own steps
	subFail bool    // actUnfired: the inner fires with testErr{k} instead of input+k
}

type mstep struct {
	kind   StepKind // StepCallback, StepErrback, StepBoth, StepCallbacks
	cb, eb action
}

func randAction(r *rand.Rand, depth int) action {
	a := action{kind: actKind(r.IntN(int(numActs))), k: r.IntN(1000)}
	if a.kind == actUnfired {
		if depth >= 3 {
			a.kind = actValue
		} else {
			a.sub = randSteps(r, r.IntN(4), depth+1)
			a.subFail = r.IntN(3) == 0
		}
	}
	return a
}

func randSteps(r *rand.Rand, n, depth int) []mstep {
	steps := make([]mstep, n)
	for i := range steps {
		s := mstep{kind: StepKind(1 + r.IntN(4))}
		if s.kind != StepErrback {
			s.cb = randAction(r, depth)
		}
		if s.kind == StepErrback || s.kind == StepCallbacks {
			s.eb = randAction(r, depth)
		}
		steps[i] = s
	}
	return steps
}

// model runs steps over in by the switching rules alone.
func model(steps []mstep, in mstate) mstate {
	cur := in
	for _, s := range steps {
		var a action
		switch {
		case !cur.fail && s.kind != StepErrback:
			a = s.cb
		case cur.fail && (s.kind == StepErrback || s.kind == StepCallbacks):
			a = s.eb
		case cur.fail && s.kind == StepBoth:
			a = s.cb
		default:
			continue // passthru
		}
		cur = modelAction(a, cur)
	}
	return cur
}

func modelAction(a action, in mstate) mstate {
	switch a.kind {
	case actValue:
		if in.fail {
			return mstate{n: (in.n*17 + a.k) % modMax}
		}
		return mstate{n: (in.n*31 + a.k) % modMax}
	case actError, actPanic, actFailureVal, actFiredError:
		return mstate{fail: true, n: a.k}
	case actFiredValue:
		return mstate{n: (in.n + a.k) % modMax}
	default: // actUnfired
		if a.subFail {
			return model(a.sub, mstate{fail: true, n: a.k})
		}
		return model(a.sub, mstate{n: (in.n + a.k) % modMax})
	}
}

// harness builds real Deferreds from the same description.
type harness struct {
	pending []func() // fire functions of inner Deferreds, run later in random order
}

func inputOf(v any) mstate {
	if f, ok := v.(*Failure); ok {
		var te testErr
		if !errors.As(f, &te) {
			panic(fmt.Sprintf("unexpected failure %v", f))
		}
		return mstate{fail: true, n: te.id}
	}
	return mstate{n: v.(int)}
}

func (h *harness) fn(a action) func(any) (any, error) {
	return func(v any) (any, error) {
		in := inputOf(v)
		switch a.kind {
		case actValue:
			return modelAction(a, in).n, nil
		case actError:
			return nil, testErr{a.k}
		case actPanic:
			panic(testErr{a.k})
		case actFailureVal:
			return &Failure{Err: testErr{a.k}}, nil
		case actFiredValue:
			return Succeed((in.n + a.k) % modMax), nil
		case actFiredError:
			return Fail(testErr{a.k}), nil
		default:
			inner := New(nil)
			h.addSteps(inner, a.sub)
			if a.subFail {
				h.pending = append(h.pending, func() { inner.Errback(testErr{a.k}) })
			} else {
				n := (in.n + a.k) % modMax
				h.pending = append(h.pending, func() { inner.Callback(n) })
			}
			return inner, nil
		}
	}
}

func (h *harness) addSteps(d *Deferred, steps []mstep) {
	for _, s := range steps {
		switch s.kind {
		case StepCallback:
			d.AddCallback(h.fn(s.cb))
		case StepErrback:
			eb := h.fn(s.eb)
			d.AddErrback(func(f *Failure) (any, error) { return eb(f) })
		case StepBoth:
			d.AddBoth(h.fn(s.cb))
		case StepCallbacks:
			eb := h.fn(s.eb)
			d.AddCallbacks(h.fn(s.cb), func(f *Failure) (any, error) { return eb(f) })
		}
	}
}

func describe(steps []mstep, indent string) string {
	var b strings.Builder
	for i, s := range steps {
		fmt.Fprintf(&b, "%s%d %s cb=%v eb=%v\n", indent, i, s.kind, s.cb.kind, s.eb.kind)
		if s.cb.kind == actUnfired {
			b.WriteString(describe(s.cb.sub, indent+"    "))
		}
		if s.eb.kind == actUnfired {
			b.WriteString(describe(s.eb.sub, indent+"    "))
		}
	}
	return b.String()
}

// Random chains of values, errors, panics, fired and unfired Deferreds end as the model says.
func TestRandomChainsMatchModel(t *testing.T) {
	for seed := range uint64(2000) {
		r := rand.New(rand.NewPCG(seed, 7))
		steps := randSteps(r, r.IntN(12), 0)
		start := mstate{fail: r.IntN(4) == 0, n: r.IntN(1000)}
		split := 0
		if len(steps) > 0 {
			split = r.IntN(len(steps) + 1) // steps[:split] before firing, the rest after
		}
		want := model(steps, start)

		h := &harness{}
		d := New(nil)
		h.addSteps(d, steps[:split])
		if start.fail {
			d.Errback(testErr{start.n})
		} else {
			d.Callback(start.n)
		}
		h.addSteps(d, steps[split:])
		for len(h.pending) > 0 {
			i := r.IntN(len(h.pending))
			fire := h.pending[i]
			h.pending = append(h.pending[:i], h.pending[i+1:]...)
			fire()
		}
		res, ok := d.Result()
		if !ok {
			t.Fatalf("seed %d: no result; want %v\n%s", seed, want, describe(steps, "  "))
		}
		if got := inputOf(res); got != want {
			t.Fatalf("seed %d: start %v, split %d: got %v; want %v\n%s", seed, start, split, got, want, describe(steps, "  "))
		}
		if want.fail {
			d.AddErrback(func(*Failure) (any, error) { return nil, nil }) // handled: keep reports quiet
		}
	}
}
