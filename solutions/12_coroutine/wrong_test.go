package coroutine_test

import (
	"testing"

	"github.com/reactorlab/reactorlab/solutions/internal/grading"
)

// The reference solution's lines the variants below change.
const (
	await    = "\t\tv, err := await(lookup)\n"
	known    = "\t\tcase errors.Is(err, deferred.ErrTimeout):\n\t\t\treturn TimedOut, nil\n"
	giveBack = "\t\treturn nil, err\n\t})\n}"
	timeout  = "\tlookup.AddTimeout(timeout, clock)\n"
	imports  = "import (\n"
)

// wrongs are answers to 12_coroutine that learners plausibly write, each
// applied to coroutine.go. The grader must fail every one, and its first
// failure must name the mistake.
var wrongs = []grading.Wrong{
	{
		Name: "cancel-caught-and-continued",
		Why:  "catches the cancellation await returns and carries on to a greeting",
		Edits: []grading.Edit{{Old: known, New: known +
			"\t\tcase errors.Is(err, deferred.ErrCancelled):\n\t\t\treturn Stranger, nil // the caller left: greet nobody in particular\n"}},
		Want: []string{"after Cancel()", "caught it and went on", "Return the error"},
	},
	{
		Name:  "error-not-returned",
		Why:   "ends the coroutine with a nil value for the errors it does not know",
		Edits: []grading.Edit{{Old: giveBack, New: "\t\treturn nil, nil // nothing to greet\n\t})\n}"}},
		Want:  []string{"after Cancel()", "a nil value instead of the error", "return nil, err"},
	},
	{
		Name:  "error-not-returned-but-cancel-is",
		Why:   "returns ErrCancelled but ends with a nil value for the other errors it does not know (a database outage)",
		Edits: []grading.Edit{{Old: giveBack, New: "\t\tif errors.Is(err, deferred.ErrCancelled) {\n\t\t\treturn nil, err\n\t\t}\n\t\treturn nil, nil // nothing to greet\n\t})\n}"}},
		Want:  []string{"the database is down", "did not return the error", "return nil, err"},
	},
	{
		Name:  "chain-not-coroutine",
		Why:   "keeps exercise 03's chain (steps on lookup) and returns lookup",
		Edits: []grading.Edit{{Old: "\treturn deferred.Coroutine(func(await deferred.Await) (any, error) {\n", New: "\treturn lookup\n\treturn deferred.Coroutine(func(await deferred.Await) (any, error) {\n"}},
		Want:  []string{"Greeting returned lookup itself", "deferred.Coroutine"},
	},
	{
		Name:  "wait-instead-of-await",
		Why:   "waits for the lookup with Wait instead of await",
		Edits: []grading.Edit{{Old: imports, New: imports + "\t\"context\"\n"}, {Old: await, New: "\t\tv, err := lookup.Wait(context.Background())\n"}},
		Want:  []string{"Wait refused", "await(lookup)"},
	},
	{
		Name:  "spins-waiting-for-the-lookup",
		Why:   "polls lookup.Result() inside the coroutine until it has one (spinning)",
		Edits: []grading.Edit{{Old: await, New: "\t\tfor { // wait for the lookup\n\t\t\tif _, ok := lookup.Result(); ok {\n\t\t\t\tbreak\n\t\t\t}\n\t\t}\n" + await}},
		Want:  []string{"did not return within", "spinning", "await(lookup) is how a coroutine waits"},
	},
	{
		Name:  "sleeps-instead-of-await",
		Why:   "sleeps in the coroutine for the timeout, then reads lookup's result (blocking)",
		Edits: []grading.Edit{{Old: await, New: "\t\ttime.Sleep(timeout) // give the lookup its time\n" + await}},
		Want:  []string{"did not return within", "sleeping in time.Sleep", "a coroutine is still the loop"},
	},
	{
		Name: "channel-receive-instead-of-await",
		Why:  "waits for the lookup on a channel its callback fills, inside the coroutine (deadlock)",
		Edits: []grading.Edit{{Old: await, New: "\t\tch := make(chan any, 1)\n\t\tlookup.AddBoth(func(r any) (any, error) { ch <- r; return nil, nil })\n" +
			"\t\tr := <-ch // wait for the lookup\n\t\tv, err := r, error(nil)\n\t\tif f, ok := r.(*deferred.Failure); ok {\n\t\t\tv, err = nil, f\n\t\t}\n"}},
		Want: []string{"did not return within", "waiting (chan receive)", "deadlock"},
	},
}

func TestWrongSolutionsFail(t *testing.T) {
	grading.CheckWrong(t, "12_coroutine", "coroutine.go", wrongs)
}
