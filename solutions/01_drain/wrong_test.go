package drain_test

import (
	"testing"

	"github.com/reactorlab/reactorlab/solutions/internal/grading"
)

// wrongs are answers to 01_drain that learners plausibly write, each applied
// to drain.go. The grader must fail every one, and its first failure must
// name the mistake.
var wrongs = []grading.Wrong{
	{
		Name:  "closes-fd-at-eof",
		Why:   "closes the caller's fd at end of file",
		Edits: []grading.Edit{{Old: "\t\t\treturn dst, PeerClosed, nil", New: "\t\t\tunix.Close(fd)\n\t\t\treturn dst, PeerClosed, nil"}},
		Want:  []string{"Drain closed fd", "stop watching it"},
	},
	{
		Name:  "appends-whole-chunk",
		Why:   "appends the whole chunk buffer instead of chunk[:n]",
		Edits: []grading.Edit{{Old: "dst = append(dst, chunk[:n]...)", New: "dst = append(dst, chunk...)"}},
		Want:  []string{"append chunk[:n]", "not the whole chunk buffer"},
	},
	{
		Name:  "short-read-is-the-end",
		Why:   "stops at a read shorter than ChunkSize, even a 0-byte one, with MoreLater",
		Edits: []grading.Edit{{Old: "\t\tcase n == 0:", New: "\t\tcase n < ChunkSize:\n\t\t\tdst = append(dst, chunk[:n]...)\n\t\t\treturn dst, MoreLater, nil\n\t\tcase n == 0:"}},
		Want:  []string{"outcome = MoreLater; want PeerClosed", "a 0-byte read means PeerClosed"},
	},
	{
		Name:  "returns-errno-unwrapped",
		Why:   "returns the errno without os.NewSyscallError",
		Edits: []grading.Edit{{Old: `return dst, Unknown, os.NewSyscallError("read", err)`, New: "_ = os.NewSyscallError\n\t\t\treturn dst, Unknown, err"}},
		Want:  []string{`os.NewSyscallError("read", err)`},
	},
	{
		Name:  "spins-retrying-after-eagain",
		Why:   "retries after EAGAIN instead of returning MoreLater (spinning)",
		Edits: []grading.Edit{{Old: "\t\t\treturn dst, MoreLater, nil", New: "\t\t\tcontinue"}},
		Want:  []string{"did not return within 3s", "spinning", "retries after EAGAIN spins forever"},
	},
	{
		Name:  "spins-retrying-after-eof",
		Why:   "treats a 0-byte read as nothing yet and reads again (spinning once the peer closed)",
		Edits: []grading.Edit{{Old: "\t\t\treturn dst, PeerClosed, nil", New: "\t\t\tcontinue"}},
		Want:  []string{"did not return within 3s", "spinning", "read(2) returns 0 bytes on every call"},
	},
	{
		Name:  "switches-fd-to-blocking",
		Why:   "clears O_NONBLOCK so read waits for data (blocking)",
		Edits: []grading.Edit{{Old: "\tchunk := make([]byte, ChunkSize)", New: "\tchunk := make([]byte, ChunkSize)\n\tunix.SetNonblock(fd, false)"}},
		Want:  []string{"did not return within 3s", "blocked", "unix.Read", "blocking mode"},
	},
	{
		Name:  "waits-in-poll-for-more",
		Why:   "after EAGAIN, waits in poll(2) for more data instead of returning (blocking)",
		Edits: []grading.Edit{{Old: "\t\t\treturn dst, MoreLater, nil", New: "\t\t\tunix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, -1)\n\t\t\tcontinue"}},
		Want:  []string{"did not return within 3s", "blocked", "unix.Poll", "must never wait"},
	},
	{
		Name:  "deadlocks-on-a-channel",
		Why:   "reads on another goroutine and waits for a result it never sends at EAGAIN (deadlock)",
		Edits: []grading.Edit{{Old: "\t\tn, err := unix.Read(fd, chunk)", New: "\t\ttype read struct {\n\t\t\tn   int\n\t\t\terr error\n\t\t}\n\t\tres := make(chan read)\n\t\tgo func() {\n\t\t\tn, err := unix.Read(fd, chunk)\n\t\t\tif err != unix.EAGAIN {\n\t\t\t\tres <- read{n, err}\n\t\t\t}\n\t\t}()\n\t\tr := <-res\n\t\tn, err := r.n, r.err"}},
		Want:  []string{"did not return within 3s", "waiting (chan receive)", "deadlock", "a channel or a lock"},
	},
}

func TestWrongSolutionsFail(t *testing.T) { grading.CheckWrong(t, "01_drain", "drain.go", wrongs) }
