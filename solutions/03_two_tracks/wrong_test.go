package twotracks_test

import (
	"testing"

	"github.com/reactorlab/reactorlab/solutions/internal/grading"
)

// The reference solution's lines the variants below change.
const (
	check   = "switch f.Check(ErrNotFound, ErrNoName, deferred.ErrTimeout) {"
	timeout = "\tlookup.AddTimeout(timeout, clock)\n"
	steps   = "\tlookup.AddCallback(greet)\n\tlookup.AddErrback(rescue)\n"
	ret     = "\treturn lookup\n}"
)

// wrongs are answers to 03_two_tracks that learners plausibly write, each
// applied to twotracks.go. The grader must fail every one, and its first
// failure must name the mistake.
var wrongs = []grading.Wrong{
	{
		Name: "timeout-last-every-cancel-a-timeout",
		Why:  "adds the timeout last and maps every cancellation to TimedOut",
		Edits: []grading.Edit{
			{Old: timeout, New: ""},
			{Old: steps, New: steps + timeout},
			{Old: check, New: "switch f.Check(ErrNotFound, ErrNoName, deferred.ErrTimeout, deferred.ErrCancelled) {"},
			{Old: "\tcase deferred.ErrTimeout:", New: "\tcase deferred.ErrTimeout, deferred.ErrCancelled:"},
		},
		Want: []string{"A cancellation is not a timeout", "Add the timeout BEFORE rescue"},
	},
	{
		Name:  "timeout-last",
		Why:   "adds the timeout after rescue, so rescue sees ErrCancelled when it fires",
		Edits: []grading.Edit{{Old: timeout, New: ""}, {Old: steps, New: steps + timeout}},
		Want:  []string{"it was added AFTER rescue", "Add the timeout first"},
	},
	{
		Name:  "returns-a-new-deferred",
		Why:   "returns a new Deferred fed by lookup instead of lookup",
		Edits: []grading.Edit{{Old: ret, New: "\tout := deferred.New(nil)\n\tlookup.AddBoth(func(v any) (any, error) {\n\t\tif f, ok := v.(*deferred.Failure); ok {\n\t\t\tout.Errback(f)\n\t\t} else {\n\t\t\tout.Callback(v)\n\t\t}\n\t\treturn nil, nil\n\t})\n\treturn out\n}"}},
		Want:  []string{"Greeting returned a different *deferred.Deferred; want lookup itself"},
	},
	{
		Name:  "compares-f-err-with-==",
		Why:   "compares f.Err == ErrNotFound instead of errors.Is / f.Check",
		Edits: []grading.Edit{{Old: check, New: "switch f.Err {"}},
		Want:  []string{"f.Err == ErrNotFound is false for it", "errors.Is(f, ErrNotFound)", "f.Check("},
	},
	{
		Name:  "greet-and-rescue-on-one-rung",
		Why:   "uses AddCallbacks(greet, rescue), so greet's ErrNoName skips rescue",
		Edits: []grading.Edit{{Old: steps, New: "\tlookup.AddCallbacks(greet, rescue)\n"}},
		Want:  []string{"greet's own ErrNoName went past rescue", "AddCallbacks(greet, rescue)"},
	},
	{
		Name:  "rescue-swallows-everything",
		Why:   "rescue turns every failure into Stranger, hiding a database outage",
		Edits: []grading.Edit{{Old: "\treturn nil, f\n}", New: "\treturn Stranger, nil\n}"}},
		Want:  []string{"want the failure passed on", "returns nil, f for the rest"},
	},
	{
		Name:  "spins-waiting-for-the-result",
		Why:   "Greeting polls lookup.Result() until the lookup fires (spinning)",
		Edits: []grading.Edit{{Old: ret, New: "\tfor { // wait for the answer\n\t\tif _, ok := lookup.Result(); ok {\n\t\t\treturn lookup\n\t\t}\n\t}\n}"}},
		Want:  []string{"did not return within 3s", "spinning", "the lookup fires only after Greeting has returned"},
	},
	{
		Name:  "sleeps-out-the-timeout",
		Why:   "Greeting sleeps for the timeout in real time (blocking)",
		Edits: []grading.Edit{{Old: ret, New: "\ttime.Sleep(timeout) // give the lookup its time\n" + ret}},
		Want:  []string{"did not return within 3s", "sleeping in time.Sleep", "not in real time"},
	},
	{
		Name:  "deadlocks-waiting-for-the-result",
		Why:   "Greeting waits on a channel the chain closes when the lookup fires (deadlock)",
		Edits: []grading.Edit{{Old: ret, New: "\tdone := make(chan struct{})\n\tlookup.AddBoth(func(v any) (any, error) { close(done); return v, nil })\n\t<-done // wait for the answer\n" + ret}},
		Want:  []string{"did not return within 3s", "waiting (chan receive)", "deadlock"},
	},
}

func TestWrongSolutionsFail(t *testing.T) {
	grading.CheckWrong(t, "03_two_tracks", "twotracks.go", wrongs)
}
