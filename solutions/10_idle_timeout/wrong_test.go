package idletimeout_test

import (
	"testing"

	"github.com/reactorlab/reactorlab/solutions/internal/grading"
)

// The reference solution's lines the variants below change.
const (
	addTimer     = "\tc.timer = s.clock.CallLater(s.idle, func() { s.drop(c, \"idle\") })\n\treturn nil\n}"
	restartTimer = "\tc.timer.Cancel()\n\tc.timer = s.clock.CallLater(s.idle, func() { s.drop(c, \"idle\") })\n}"
	restartCall  = "\t\ts.restart(c) // activity: the idle time starts again now\n"
	dropTimer    = "\tc.timer.Cancel()\n\t// Close deregisters"
	closeReg     = "\tc.reg.Close()\n"
)

// wrongs are answers to 10_idle_timeout that learners plausibly write, each
// applied to idle.go. The grader must fail every one, and its first failure
// must name the mistake.
var wrongs = []grading.Wrong{
	{
		Name:  "reset-without-cancelling",
		Why:   "restarts the timer by scheduling a new one without cancelling the old one",
		Edits: []grading.Edit{{Old: restartTimer, New: "\tc.timer = s.clock.CallLater(s.idle, func() { s.drop(c, \"idle\") })\n}"}},
		Want:  []string{"timers are pending on the clock for client 1", "without cancelling the old one", "Cancel the old timer"},
	},
	{
		Name:  "never-reset",
		Why:   "never restarts the timer on activity, so busy connections are dropped",
		Edits: []grading.Edit{{Old: restartCall, New: ""}},
		Want:  []string{"is still due at t=10s, as set by Add", "Never resetting it"},
	},
	{
		Name:  "closes-without-deregistering",
		Why:   "drop closes the fd with unix.Close instead of closing the Registration",
		Edits: []grading.Edit{{Old: closeReg, New: "\tunix.Close(c.fd)\n"}},
		Want:  []string{"the loop still has fd", "Closing the fd alone (unix.Close)"},
	},
	{
		Name:  "deregisters-without-closing",
		Why:   "drop deregisters the fd but never closes it",
		Edits: []grading.Edit{{Old: closeReg, New: "\tc.reg.Deregister()\n"}},
		Want:  []string{"its fd is still open", "Deregister alone leaks it"},
	},
	{
		Name:  "timer-left-behind-on-eof",
		Why:   "drop does not cancel the idle timer, so it outlives a connection the peer closed",
		Edits: []grading.Edit{{Old: dropTimer, New: "\t// Close deregisters"}},
		Want:  []string{"call(s) are still pending on the clock", "drop cancels the connection's idle timer"},
	},
	{
		Name:  "spins-waiting-out-the-idle-time",
		Why:   "Add polls the clock until the idle time has passed (spinning)",
		Edits: []grading.Edit{{Old: addTimer, New: "\tfor deadline := s.clock.Now().Add(s.idle); s.clock.Now().Before(deadline); {\n\t} // wait out the idle time\n\ts.drop(c, \"idle\")\n\treturn nil\n}"}},
		Want:  []string{"did not return within", "spinning", "Schedule the drop with s.clock.CallLater"},
	},
	{
		Name:  "sleeps-out-the-idle-time",
		Why:   "Add sleeps for the idle time before scheduling (blocking)",
		Edits: []grading.Edit{{Old: addTimer, New: "\ttime.Sleep(s.idle) // wait out the idle time\n" + addTimer}},
		Want:  []string{"did not return within", "sleeping in time.Sleep", "real time, not the clock you are given"},
	},
	{
		Name:  "waits-for-its-own-timer",
		Why:   "Add waits on a channel that its idle timer closes (deadlock)",
		Edits: []grading.Edit{{Old: addTimer, New: "\tdone := make(chan struct{})\n\tc.timer = s.clock.CallLater(s.idle, func() { close(done) })\n\t<-done // wait out the idle time\n\ts.drop(c, \"idle\")\n\treturn nil\n}"}},
		Want:  []string{"did not return within", "waiting (chan receive)", "deadlock"},
	},
}

func TestWrongSolutionsFail(t *testing.T) {
	grading.CheckWrong(t, "10_idle_timeout", "idle.go", wrongs)
}
