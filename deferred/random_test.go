package deferred

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// The randomized test builds random chains of random steps, drives them for
// real with a random schedule of firings, pauses, unpauses and cancels, and
// compares the outcome with a small reference model of the rules. The model
// (world, below) has no Deferreds, blocks, stacks or flags: each model
// Deferred is a list of steps, a position, a value, a pause count and the
// model Deferred it waits on.

const modMax = 1_000_003

// mstate is a result in the model: a value n, or a failure with error id n
// (cancelled is the failure n = -1).
type mstate struct {
	fail bool
	n    int
}

var cancelled = mstate{fail: true, n: -1}

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

// pick is the switching rule: which action of s runs on in (false: passthru).
func pick(s mstep, in mstate) (action, bool) {
	switch {
	case !in.fail && s.kind != StepErrback:
		return s.cb, true
	case in.fail && (s.kind == StepErrback || s.kind == StepCallbacks):
		return s.eb, true
	case in.fail && s.kind == StepBoth:
		return s.cb, true
	}
	return action{}, false
}

// modelAction is what an action that does not wait returns for in.
func modelAction(a action, in mstate) mstate {
	switch a.kind {
	case actValue:
		if in.fail {
			return mstate{n: (in.n*17 + a.k) % modMax}
		}
		return mstate{n: (in.n*31 + a.k) % modMax}
	case actError, actPanic, actFailureVal, actFiredError:
		return mstate{fail: true, n: a.k}
	}
	return mstate{n: (in.n + a.k) % modMax} // actFiredValue
}

// planned is what the inner Deferred of an actUnfired action will fire with.
func planned(a action, in mstate) mstate {
	if a.subFail {
		return mstate{fail: true, n: a.k}
	}
	return mstate{n: (in.n + a.k) % modMax}
}

// mdef is a Deferred in the model.
type mdef struct {
	steps    []mstep
	pos      int    // next step to run
	fired    bool   // has a result (fired or cancelled)
	val      mstate // the result so far
	paused   int    // pauses made by the test
	waiting  *mdef  // the Deferred this one waits on
	waiter   *mdef  // the Deferred waiting on this one
	plan     mstate // what the test will fire it with
	suppress bool   // cancelled before firing: the test's late firing is eaten
}

// world is the model: every model Deferred in creation order, as the
// harness numbers the real ones.
type world struct{ defs []*mdef }

// advance runs m's steps as far as the rules allow, then hands the result to
// the Deferred waiting on m, and so on up.
func (w *world) advance(m *mdef) {
	for m.fired && m.paused == 0 && m.waiting == nil {
		if m.pos == len(m.steps) {
			up := m.waiter
			if up == nil {
				return
			}
			up.val, up.waiting, m.waiter = m.val, nil, nil
			m = up
			continue
		}
		s := m.steps[m.pos]
		m.pos++
		a, ok := pick(s, m.val)
		if !ok {
			continue
		}
		if a.kind != actUnfired {
			m.val = modelAction(a, m.val)
			continue
		}
		inner := &mdef{steps: a.sub, plan: planned(a, m.val), waiter: m}
		w.defs = append(w.defs, inner)
		m.waiting = inner
	}
}

func (w *world) fire(m *mdef) {
	if m.suppress {
		m.suppress = false
		return
	}
	m.fired, m.val = true, m.plan
	w.advance(m)
}

// cancel errbacks an unfired Deferred, or forwards to the one it waits on.
func (w *world) cancel(m *mdef) {
	for m.fired {
		if m.waiting == nil {
			return
		}
		m = m.waiting
	}
	m.fired, m.val, m.suppress = true, cancelled, true
	w.advance(m)
}

func (w *world) unpause(m *mdef) {
	m.paused--
	w.advance(m)
}

// harness builds real Deferreds from the same description.
type harness struct {
	ds    []*Deferred // in creation order: [0] is the root
	plans []mstate    // what the test will fire each with
}

func inputOf(v any) mstate {
	if f, ok := v.(*Failure); ok {
		if f.Check(ErrCancelled) != nil {
			return cancelled
		}
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
			return Succeed(modelAction(a, in).n), nil
		case actFiredError:
			return Fail(testErr{a.k}), nil
		}
		inner := New(nil)
		h.addSteps(inner, a.sub)
		h.ds = append(h.ds, inner)
		h.plans = append(h.plans, planned(a, in))
		return inner, nil
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

func (h *harness) fire(i int) {
	if p := h.plans[i]; p.fail {
		h.ds[i].Errback(testErr{p.n})
	} else {
		h.ds[i].Callback(p.n)
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

// Random chains of values, errors, panics, fired and unfired Deferreds, fired
// in a random order and randomly paused, unpaused and cancelled on the way,
// end as the model says.
func TestRandomChainsMatchModel(t *testing.T) {
	for seed := range uint64(3000) {
		r := rand.New(rand.NewPCG(seed, 7))
		steps := randSteps(r, r.IntN(12), 0)
		split := r.IntN(len(steps) + 1) // steps[:split] are added first, the rest by an event
		start := mstate{fail: r.IntN(4) == 0, n: r.IntN(1000)}

		h := &harness{ds: []*Deferred{New(nil)}, plans: []mstate{start}}
		h.addSteps(h.ds[0], steps[:split])
		root := &mdef{steps: steps[:split:split], plan: start}
		w := &world{defs: []*mdef{root}}

		fired := map[int]bool{}
		var log []string
		restAdded := split == len(steps)
		pausesLeft, cancelsLeft := r.IntN(7), r.IntN(3)
		for {
			// The events possible now; the pauses the test holds must be
			// released and everything fired before the run ends.
			var events []func() string
			for i := range h.ds {
				if !fired[i] {
					events = append(events, func() string { fired[i] = true; h.fire(i); w.fire(w.defs[i]); return fmt.Sprintf("fire d[%d]", i) })
				}
				if w.defs[i].paused > 0 {
					events = append(events, func() string { h.ds[i].Unpause(); w.unpause(w.defs[i]); return fmt.Sprintf("unpause d[%d]", i) })
				}
			}
			if !restAdded {
				events = append(events, func() string {
					restAdded = true
					root.steps = steps
					h.addSteps(h.ds[0], steps[split:])
					w.advance(root)
					return "add the other steps to d[0]"
				})
			}
			if len(events) == 0 {
				break
			}
			i := r.IntN(len(h.ds))
			if pausesLeft > 0 && r.IntN(3) == 0 {
				pausesLeft--
				events = []func() string{func() string { h.ds[i].Pause(); w.defs[i].paused++; return fmt.Sprintf("pause d[%d]", i) }}
			} else if cancelsLeft > 0 && r.IntN(6) == 0 {
				cancelsLeft--
				events = []func() string{func() string { h.ds[i].Cancel(); w.cancel(w.defs[i]); return fmt.Sprintf("cancel d[%d]", i) }}
			}
			log = append(log, events[r.IntN(len(events))]())
			if len(h.ds) != len(w.defs) {
				t.Fatalf("seed %d: %d Deferreds created; the model created %d\nevents: %s\n%s", seed, len(h.ds), len(w.defs), strings.Join(log, ", "), describe(steps, "  "))
			}
		}
		want := root.val
		res, ok := h.ds[0].Result()
		if !ok || h.ds[0].PendingSteps() > 0 {
			t.Fatalf("seed %d: no result (%v); want %v\nevents: %s\n%s", seed, h.ds[0], want, strings.Join(log, ", "), describe(steps, "  "))
		}
		if got := inputOf(res); got != want {
			t.Fatalf("seed %d: start %v: got %v; want %v\nevents: %s\n%s", seed, start, got, want, strings.Join(log, ", "), describe(steps, "  "))
		}
		if want.fail {
			h.ds[0].AddErrback(func(*Failure) (any, error) { return nil, nil }) // handled: keep reports quiet
		}
	}
}
