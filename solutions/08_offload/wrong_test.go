package offload_test

import (
	"testing"

	"github.com/reactorlab/reactorlab/solutions/internal/grading"
)

// The reference solution's lines the variants below change.
const (
	offload   = "\twork := deferred.DeferToGoroutine(s.loop, func() (any, error) { return s.work(req) })\n"
	queue     = "\tchain := s.chains[c]\n\tif chain == nil {\n\t\tchain = deferred.Succeed(nil)\n\t\ts.chains[c] = chain\n\t}\n"
	waitStep  = "\tchain.AddCallback(func(any) (any, error) { return work, nil })\n"
	replyOK   = "\t\t\tc.Reply(v.(string))\n"
	replyFail = "\t\t\tc.Reply(\"error: \" + f.Error())\n\t\t\treturn nil, nil\n"
	imports   = "import \"github.com/reactorlab/reactorlab/deferred\"\n"
)

// wrongs are answers to 08_offload that learners plausibly write, each
// applied to offload.go. The grader must fail every one, and its first
// failure must name the mistake.
var wrongs = []grading.Wrong{
	{
		Name:  "maybedeferred-on-the-loop",
		Why:   "wraps the blocking call in deferred.MaybeDeferred, which runs it on the loop",
		Edits: []grading.Edit{{Old: offload, New: "\twork := deferred.MaybeDeferred(func() (any, error) { return s.work(req) })\n"}},
		Want:  []string{`Work("a1") ran on the loop goroutine`, "a Deferred is a callback mechanism"},
	},
	{
		Name:  "blocking-inside-a-callback",
		Why:   "runs the blocking call in a callback of deferred.Succeed, on the loop",
		Edits: []grading.Edit{{Old: offload, New: "\twork := deferred.Succeed(req).AddCallback(func(any) (any, error) { return s.work(req) })\n"}},
		Want:  []string{`Work("a1") ran on the loop goroutine`, "does not move it"},
	},
	{
		Name:  "replies-out-of-order",
		Why:   "replies in a callback of each request's own Deferred, in the order the work finishes",
		Edits: []grading.Edit{{Old: queue, New: "\tchain := work // reply when this request's work is done\n"}, {Old: waitStep, New: ""}},
		Want:  []string{"Work finishes in any order", "Queue each reply behind the previous one of the same client"},
	},
	{
		Name: "replies-from-the-worker",
		Why:  "calls Reply from the pool goroutine, inside the function given to DeferToGoroutine",
		Edits: []grading.Edit{
			{Old: offload, New: "\twork := deferred.DeferToGoroutine(s.loop, func() (any, error) {\n\t\tv, err := s.work(req)\n\t\tif err == nil {\n\t\t\tc.Reply(v) // answer straight away\n\t\t}\n\t\treturn nil, err\n\t})\n"},
			{Old: replyOK, New: ""},
		},
		Want: []string{"from a goroutine that was not running the loop", "Calling back from the worker goroutine"},
	},
	{
		Name:  "failure-stops-the-queue",
		Why:   "the errback replies but returns the failure, so the client's chain stays on the errback track",
		Edits: []grading.Edit{{Old: replyFail, New: "\t\t\tc.Reply(\"error: \" + f.Error())\n\t\t\treturn nil, f\n"}},
		Want:  []string{"got bad1's error too", "Handle the failure"},
	},
	{
		Name:  "spins-waiting-for-the-result",
		Why:   "Handle polls the work's Deferred until it has a result (spinning)",
		Edits: []grading.Edit{{Old: offload, New: offload + "\tfor { // wait for the answer\n\t\tif _, ok := work.Result(); ok {\n\t\t\tbreak\n\t\t}\n\t}\n"}},
		Want:  []string{"did not return within", "spinning", "LATER pass of the loop"},
	},
	{
		Name: "sleeps-waiting-for-the-result",
		Why:  "Handle sleeps until the work's Deferred has a result (blocking)",
		Edits: []grading.Edit{
			{Old: imports, New: "import (\n\t\"time\"\n\n\t\"github.com/reactorlab/reactorlab/deferred\"\n)\n"},
			{Old: offload, New: offload + "\tfor { // give the pool time to answer\n\t\tif _, ok := work.Result(); ok {\n\t\t\tbreak\n\t\t}\n\t\ttime.Sleep(100 * time.Millisecond)\n\t}\n"},
		},
		Want: []string{"did not return within", "sleeping in time.Sleep", "Handle sleeps on the loop"},
	},
	{
		Name:  "waits-on-a-channel",
		Why:   "Handle runs the work on a goroutine of its own and waits for it on a channel (deadlock)",
		Edits: []grading.Edit{{Old: offload, New: "\tch := make(chan string, 1)\n\tgo func() { v, _ := s.work(req); ch <- v }()\n\twork := deferred.Succeed(<-ch) // wait for the answer\n"}},
		Want:  []string{"did not return within", "waiting (chan receive)", "deadlock"},
	},
}

func TestWrongSolutionsFail(t *testing.T) {
	grading.CheckWrong(t, "08_offload", "offload.go", wrongs)
}
