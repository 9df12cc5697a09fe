package reservefd_test

import (
	"testing"

	"github.com/reactorlab/reactorlab/solutions/internal/grading"
)

// The reference solution's lines the variants below change.
const (
	emfileCase = "\t\tcase unix.EMFILE, unix.ENFILE:\n"
	noReserve  = "\t\t\t\treturn accepted, refused, fmt.Errorf(\"reservefd: no fd to accept with, and no reserve to spend: %w\", os.NewSyscallError(\"accept\", err))\n"
	danceEmpty = "\t\t\tcase unix.EAGAIN:\n" +
		"\t\t\t\t// Nobody was waiting after all: accept(2) takes a slot\n" +
		"\t\t\t\t// BEFORE it looks at the queue, so a full table says\n" +
		"\t\t\t\t// EMFILE even when the queue is empty. Done.\n" +
		"\t\t\t\treturn accepted, refused, nil\n"
	queueEmpty = "\t\tcase unix.EAGAIN:\n\t\t\t// The queue is empty: done."
	takeBack   = "\tif a.reserve < 0 {\n\t\ta.reserve, _ = openSpare()\n\t}\n"
)

// wrongs are answers to 07_reserve_fd that learners plausibly write, each
// applied to reservefd.go. The grader must fail every one, and its first
// failure must name the mistake.
var wrongs = []grading.Wrong{
	{
		Name:  "retries-accept-on-emfile",
		Why:   "tries accept again on EMFILE, hoping for room (spinning)",
		Edits: []grading.Edit{{Old: emfileCase, New: emfileCase + "\t\t\tcontinue // the table may have room by now\n"}},
		Want:  []string{"did not return within", "spinning", "goes round and round on EMFILE"},
	},
	{
		Name:  "returns-on-emfile",
		Why:   "returns on EMFILE without spending the reserve, leaving the client queued (the loop spins in passes)",
		Edits: []grading.Edit{{Old: emfileCase, New: emfileCase + "\t\t\treturn accepted, refused, nil // full: try again later\n"}},
		Want:  []string{"still readable after 50 passes", "the accept loop spins", "Spend the reserve"},
	},
	{
		Name: "never-reopens-the-reserve",
		Why:  "closes the reserve to accept, and never opens it again (keeping the old number)",
		Edits: []grading.Edit{
			{Old: "\tunix.Close(a.reserve)\n\ta.reserve = -1\n", New: "\tunix.Close(a.reserve)\n"},
			{Old: "\ta.reserve, _ = openSpare()\n\treturn err\n", New: "\treturn err\n"},
		},
		Want: []string{"the reserve was closed and never opened again", "open it again at once"},
	},
	{
		Name:  "spins-when-the-reserve-is-gone",
		Why:   "with no reserve to spend, tries accept again instead of returning the error (spinning)",
		Edits: []grading.Edit{{Old: noReserve, New: "\t\t\t\tcontinue // maybe an fd comes free\n"}},
		Want:  []string{"reserve is gone", "did not return within", "spinning", "with no reserve to spend, return the error"},
	},
	{
		Name:  "ignores-eagain-after-spending",
		Why:   "goes round again when the accept made with the reserve's slot says EAGAIN (spinning on an empty queue)",
		Edits: []grading.Edit{{Old: danceEmpty, New: "\t\t\tcase unix.EAGAIN:\n\t\t\t\t// nothing to refuse this time; go on\n"}},
		Want:  []string{"did not return within", "spinning", "says EMFILE even when nobody is waiting"},
	},
	{
		Name:  "waits-for-the-next-client",
		Why:   "at EAGAIN, waits in poll(2) for the next client instead of returning (blocking)",
		Edits: []grading.Edit{{Old: queueEmpty, New: "\t\tcase unix.EAGAIN:\n\t\t\tunix.Poll([]unix.PollFd{{Fd: int32(a.lfd), Events: unix.POLLIN}}, -1) // wait for the next client\n\t\t\tcontinue\n\t\t\t// The queue is empty: done."}},
		Want:  []string{"did not return within", "blocked", "unix.Poll", "Waiting for the next client is the loop's job"},
	},
	{
		Name: "deadlocks-on-a-lock",
		Why:  "guards the reserve with a mutex locked in AcceptAll and again in the helper it calls (deadlock)",
		Edits: []grading.Edit{
			{Old: "\treserve int // the spare fd, open on /dev/null; -1 while spent\n", New: "\treserve int // the spare fd, open on /dev/null; -1 while spent\n\tmu      sync.Mutex\n"},
			{Old: takeBack, New: "\ta.mu.Lock()\n\tdefer a.mu.Unlock()\n" + takeBack},
			{Old: "\t// Free exactly one slot of the table: the reserve's.\n", New: "\ta.mu.Lock()\n\tdefer a.mu.Unlock()\n\t// Free exactly one slot of the table: the reserve's.\n"},
			{Old: "\t\"os\"\n", New: "\t\"os\"\n\t\"sync\"\n"},
		},
		Want: []string{"did not return within", "waiting (sync.Mutex.Lock", "deadlock", "it needs no lock"},
	},
}

func TestWrongSolutionsFail(t *testing.T) {
	grading.CheckWrong(t, "07_reserve_fd", "reservefd.go", wrongs)
}
