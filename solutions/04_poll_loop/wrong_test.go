package pollloop_test

import (
	"testing"

	"github.com/reactorlab/reactorlab/solutions/internal/grading"
)

// The reference solution's lines the variants below change.
const (
	nvalCase = "\t\tcase re&unix.POLLNVAL != 0:\n" +
		"\t\t\t// POLLNVAL: fd was not open when poll looked. Somebody closed\n" +
		"\t\t\t// it behind the loop's back — a bug elsewhere, not a hang-up.\n" +
		"\t\t\t// Do NOT read or close it: the number is free, and by now it\n" +
		"\t\t\t// may name another file (a connection a callback just\n" +
		"\t\t\t// accepted gets the lowest free number). Just forget it.\n" +
		"\t\t\ts.remove(i)\n" +
		"\t\t\tinvalid = append(invalid, fd)\n" +
		"\t\t\tserved++\n" +
		"\t\t\tcontinue // slot i now holds the entry that was last: look at it\n"
	readCase   = "\t\tcase re&(unix.POLLIN|unix.POLLHUP|unix.POLLERR) != 0:\n"
	msLine     = "ms = int((timeout + time.Millisecond - 1) / time.Millisecond)"
	pollCall   = "n, err := unix.Poll(s.fds, ms)"
	removeBody = "\tlast := len(s.fds) - 1\n\ts.fds[i] = s.fds[last]\n\ts.fds = s.fds[:last]\n"
)

// wrongs are answers to 04_poll_loop that learners plausibly write, each
// applied to pollloop.go. The grader must fail every one, and its first
// failure must name the mistake.
var wrongs = []grading.Wrong{
	{
		Name:  "pollnval-like-pollhup",
		Why:   "treats POLLNVAL like POLLHUP: reads the fd, then closes it and calls OnClose",
		Edits: []grading.Edit{{Old: nvalCase, New: ""}, {Old: readCase, New: "\t\tcase re&(unix.POLLIN|unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0:\n"}},
		Want:  []string{"Pass called OnClose(", "as for a client that hung up", "POLLNVAL is not a hang-up"},
	},
	{
		Name:  "ignores-pollnval",
		Why:   "never looks at POLLNVAL, so the entry stays and every poll reports it again",
		Edits: []grading.Edit{{Old: nvalCase, New: ""}},
		Want:  []string{"left its entry in the array", "it spins"},
	},
	{
		Name:  "closes-on-pollhup",
		Why:   "closes a client on POLLHUP without reading the bytes that came with it",
		Edits: []grading.Edit{{Old: readCase, New: "\t\tcase re&unix.POLLHUP != 0:\n\t\t\tunix.Close(fd)\n\t\t\ts.remove(i)\n\t\t\tclosed = append(closed, fd)\n\t\t\tserved++\n\t\t\tcontinue\n" + readCase}},
		Want:  []string{"without ever calling OnData", "Closing on POLLHUP throws away what is still buffered"},
	},
	{
		Name:  "pollin-only",
		Why:   "reads only entries with POLLIN, ignoring a bare POLLHUP",
		Edits: []grading.Edit{{Old: readCase, New: "\t\tcase re&unix.POLLIN != 0:\n"}},
		Want:  []string{"POLLHUP alone", "Pass did nothing with it", "the loop spins"},
	},
	{
		Name:  "marks-entries-minus-one",
		Why:   "sets a leaving client's entry to fd -1 instead of removing it (no compaction)",
		Edits: []grading.Edit{{Old: removeBody, New: "\ts.fds[i].Fd, s.fds[i].Revents = -1, 0 // poll skips negative fds\n"}},
		Want:  []string{"with fd -1", "the array never shrinks", "copy the LAST entry into its slot"},
	},
	{
		Name: "skips-the-moved-entry",
		Why:  "moves the last entry into the hole, then i++ past it",
		Edits: []grading.Edit{
			{Old: "\t\t\tcontinue // slot i now holds the entry that was last: look at it\n", New: "\t\t\ti++\n\t\t\tcontinue\n"},
			{Old: "\t\t\t\tcontinue // slot i now holds the entry that was last\n", New: "\t\t\t\ti++\n\t\t\t\tcontinue\n"},
		},
		Want: []string{"must be served IN THIS PASS", "skipped the one that moved into its place"},
	},
	{
		Name:  "reads-every-entry",
		Why:   "reads every entry on every pass, ignoring Revents",
		Edits: []grading.Edit{{Old: readCase, New: "\t\tdefault:\n"}},
		Want:  []string{"Pass read entries whose Revents poll left at 0", "Read only where Revents is set"},
	},
	{
		Name:  "spins-until-ready",
		Why:   "calls poll with a zero timeout until someone is ready (spinning)",
		Edits: []grading.Edit{{Old: pollCall, New: "_ = ms\n\tn, err := 0, error(nil)\n\tfor { // wait until someone is ready\n\t\tn, err = unix.Poll(s.fds, 0)\n\t\tif n > 0 || (err != nil && err != unix.EINTR) {\n\t\t\tbreak\n\t\t}\n\t}"}},
		Want:  []string{"did not return within", "spinning", "call poll once and return"},
	},
	{
		Name:  "timeout-in-nanoseconds",
		Why:   "gives poll int(timeout), nanoseconds where it wants milliseconds (blocking)",
		Edits: []grading.Edit{{Old: msLine, New: "ms = int(timeout)"}},
		Want:  []string{"did not return within", "blocked", "unix.Poll", "in MILLISECONDS"},
	},
	{
		Name: "deadlocks-on-a-lock",
		Why:  "guards the Server with a mutex that Pass holds while its callbacks call Clients (deadlock)",
		Edits: []grading.Edit{
			{Old: "\tfds []unix.PollFd\n}", New: "\tfds []unix.PollFd\n\tmu  sync.Mutex\n}"},
			{Old: "func (s *Server) Clients() []int {\n", New: "func (s *Server) Clients() []int {\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n"},
			{Old: "\tms := -1\n", New: "\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\tms := -1\n"},
			{Old: "\t\"os\"\n", New: "\t\"os\"\n\t\"sync\"\n"},
		},
		Want: []string{"did not return within", "waiting (sync.Mutex.Lock", "deadlock", "it needs no lock"},
	},
}

func TestWrongSolutionsFail(t *testing.T) {
	grading.CheckWrong(t, "04_poll_loop", "pollloop.go", wrongs)
}
