package chaincancel_test

import (
	"testing"

	"github.com/reactorlab/reactorlab/solutions/internal/grading"
)

// The reference solution's lines the variants below change.
const (
	resolve = "\td := b.Resolve(name)\n"
	timeout = "\td.AddTimeout(timeout, clock)\n"
	fetch   = "\t\treturn b.Fetch(id), nil\n"
	ret     = "\treturn d\n}"
)

// wrongs are answers to 09_chain_cancel that learners plausibly write, each
// applied to chaincancel.go. The grader must fail every one, and its first
// failure must name the mistake.
var wrongs = []grading.Wrong{
	{
		Name: "cancel-not-forwarded",
		Why:  "returns a new Deferred fed from the chain's callbacks, so Cancel on it never reaches the query in flight",
		Edits: []grading.Edit{{Old: ret, New: "\tout := deferred.New(nil)\n\td.AddCallbacks(\n\t\tfunc(v any) (any, error) { out.Callback(v); return nil, nil },\n" +
			"\t\tfunc(f *deferred.Failure) (any, error) { out.Errback(f); return nil, nil },\n\t)\n\treturn out\n}"}},
		Want: []string{"was not cancelled", "a new Deferred you fire yourself", "stops nothing"},
	},
	{
		Name: "timeout-without-cancelling",
		Why:  "times out with a timer of its own that errbacks the returned Deferred with a TimeoutError, leaving the query in flight running",
		Edits: []grading.Edit{{Old: timeout, New: ""}, {Old: ret, New: "\tout := deferred.New(func(*deferred.Deferred) { d.Cancel() })\n" +
			"\ttimer := clock.CallLater(timeout, func() {\n\t\tif !out.Called() {\n\t\t\tout.Errback(&deferred.TimeoutError{After: timeout})\n\t\t}\n\t})\n" +
			"\td.AddBoth(func(r any) (any, error) {\n\t\ttimer.Cancel()\n\t\tif !out.Called() {\n\t\t\tout.Callback(r)\n\t\t}\n\t\treturn nil, nil\n\t})\n\treturn out\n}"}},
		Want: []string{"at the timeout", "was not cancelled", "Do not fire a Deferred of your own with a TimeoutError"},
	},
	{
		Name:  "timeout-added-first",
		Why:   "adds the timeout before the Fetch step, so it stops counting once Resolve answers",
		Edits: []grading.Edit{{Old: timeout, New: ""}, {Old: resolve, New: resolve + timeout}},
		Want:  []string{"nothing happened", "AddTimeout covers only the steps added BEFORE it", "Add it after"},
	},
	{
		Name: "cancel-swallowed-as-success",
		Why:  "an errback turns ErrCancelled into a nil value (\"the client hung up, nothing to report\")",
		Edits: []grading.Edit{{Old: timeout, New: "\td.AddErrback(func(f *deferred.Failure) (any, error) {\n\t\tif f.Check(deferred.ErrCancelled) != nil {\n" +
			"\t\t\treturn nil, nil // the client hung up: nothing to report\n\t\t}\n\t\treturn nil, f\n\t})\n" + timeout}},
		Want: []string{"swallowed as success", "Let ErrCancelled reach the end"},
	},
	{
		Name:  "fetch-result-read-too-early",
		Why:   "the step starts Fetch and returns its Result() at once instead of its Deferred",
		Edits: []grading.Edit{{Old: fetch, New: "\t\tr, _ := b.Fetch(id).Result() // the profile\n\t\treturn r, nil\n"}},
		Want:  []string{"the chain already ended", "A step that RETURNS fetch's Deferred makes the chain wait"},
	},
	{
		Name:  "spins-waiting-for-fetch",
		Why:   "the step polls Fetch's Result() until it has one (spinning)",
		Edits: []grading.Edit{{Old: fetch, New: "\t\tf := b.Fetch(id)\n\t\tfor { // wait for the profile\n\t\t\tif r, ok := f.Result(); ok {\n\t\t\t\treturn r, nil\n\t\t\t}\n\t\t}\n"}},
		Want:  []string{"did not return within", "spinning", "the backend answers only after your code has returned"},
	},
	{
		Name:  "sleeps-out-the-timeout",
		Why:   "Lookup sleeps for the timeout in real time, then cancels if nothing came (blocking)",
		Edits: []grading.Edit{{Old: timeout, New: "\ttime.Sleep(timeout) // give the lookup its time\n\tif _, ok := d.Result(); !ok {\n\t\td.Cancel()\n\t}\n"}},
		Want:  []string{"did not return within", "sleeping in time.Sleep", "not in real time"},
	},
	{
		Name: "deadlocks-waiting-for-fetch",
		Why:  "the step waits on a channel that Fetch's callback fills (deadlock)",
		Edits: []grading.Edit{{Old: fetch, New: "\t\tdone := make(chan any, 1)\n\t\tb.Fetch(id).AddBoth(func(r any) (any, error) { done <- r; return nil, nil })\n" +
			"\t\treturn <-done, nil // wait for the profile\n"}},
		Want: []string{"did not return within", "waiting (chan receive)", "deadlock"},
	},
}

func TestWrongSolutionsFail(t *testing.T) {
	grading.CheckWrong(t, "09_chain_cancel", "chaincancel.go", wrongs)
}
