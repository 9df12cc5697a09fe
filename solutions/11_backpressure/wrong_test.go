package backpressure_test

import (
	"testing"

	"github.com/reactorlab/reactorlab/solutions/internal/grading"
)

// The reference solution's lines the variants below change.
const (
	loop     = "\tfor !s.paused && !s.stopped && s.sent < s.total {\n"
	pause    = "\ts.paused = true\n}"
	resume   = "\ts.paused = false\n\ts.produce()\n}"
	register = "\tconn.RegisterProducer(s)\n"
	imports  = "import (\n"
)

// wrongs are answers to 11_backpressure that learners plausibly write, each
// applied to backpressure.go. The grader must fail every one, and its first
// failure must name the mistake.
var wrongs = []grading.Wrong{
	{
		Name:  "ignores-pause",
		Why:   "registers the producer but writes on while paused (the write loop never checks the flag)",
		Edits: []grading.Edit{{Old: loop, New: "\tfor !s.stopped && s.sent < s.total {\n"}},
		Want:  []string{"wrote while the connection had it paused", "It ignored the pause"},
	},
	{
		Name:  "resumes-itself-at-once",
		Why:   "PauseProducing schedules its own resume on the loop (CallSoon) instead of waiting for the connection's",
		Edits: []grading.Edit{{Old: pause, New: "\ts.paused = true\n\ts.conn.Loop().CallSoon(s.ResumeProducing) // pick up again on the next round\n}"}},
		Want:  []string{"wrote while the connection had it paused", "It resumed itself", "wait for its ResumeProducing"},
	},
	{
		Name:  "never-resumes",
		Why:   "ResumeProducing clears the flag but never writes again, so the stream stalls",
		Edits: []grading.Edit{{Old: resume, New: "\ts.paused = false\n}"}},
		Want:  []string{"the stream stalled at", "wrote nothing more", "nothing calls produce again"},
	},
	{
		Name:  "not-registered",
		Why:   "never registers the Streamer, so the connection cannot pause it",
		Edits: []grading.Edit{{Old: register, New: ""}},
		Want:  []string{"without registering the Streamer", "conn.RegisterProducer(s)"},
	},
	{
		Name:  "spins-until-resumed",
		Why:   "PauseProducing busy-waits until the flag is cleared (spinning)",
		Edits: []grading.Edit{{Old: pause, New: "\ts.paused = true\n\tfor s.paused { // wait for the client to catch up\n\t}\n}"}},
		Want:  []string{"did not return within", "spinning", "the loop is waiting for you"},
	},
	{
		Name: "sleeps-until-resumed",
		Why:  "PauseProducing sleeps until the flag is cleared (blocking)",
		Edits: []grading.Edit{
			{Old: imports, New: imports + "\t\"time\"\n\n"},
			{Old: pause, New: "\ts.paused = true\n\tfor s.paused { // wait for the client to catch up\n\t\ttime.Sleep(50 * time.Millisecond)\n\t}\n}"},
		},
		Want: []string{"did not return within", "sleeping in time.Sleep", "Sleeping until the client catches up holds the loop"},
	},
	{
		Name: "waits-for-resume-on-a-channel",
		Why:  "PauseProducing waits on a channel that ResumeProducing would close (deadlock)",
		Edits: []grading.Edit{
			{Old: pause, New: "\ts.paused = true\n\ts.resumed = make(chan struct{})\n\t<-s.resumed // wait for the client to catch up\n}"},
			{Old: resume, New: "\ts.paused = false\n\tclose(s.resumed)\n\ts.produce()\n}"},
			{Old: "\tfinished bool // everything was written and the connection closed\n", New: "\tfinished bool // everything was written and the connection closed\n\tresumed  chan struct{}\n"},
		},
		Want: []string{"did not return within", "waiting (chan receive)", "a deadlock: ResumeProducing can only be called by the loop"},
	},
}

func TestWrongSolutionsFail(t *testing.T) {
	grading.CheckWrong(t, "11_backpressure", "backpressure.go", wrongs)
}
