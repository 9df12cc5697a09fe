package edge_test

import (
	"runtime"
	"testing"

	"github.com/reactorlab/reactorlab/solutions/internal/grading"
)

// The reference solution's lines the variants below change.
const (
	eventLine  = "ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET, Fd: int32(fd)}"
	eagainCase = "\t\tcase err == unix.EAGAIN:\n\t\t\treturn // drained: the next arrival makes a new edge\n"
	onData     = "\t\tif r.OnData != nil {\n\t\t\tr.OnData(fd, r.buf[:m])\n\t\t}\n"
	waitCall   = "n, err := unix.EpollWait(r.epfd, r.events, ms)"
)

// wrongs are answers to 05_edge_triggered that learners plausibly write,
// each applied to edge_linux.go. The grader must fail every one, and its
// first failure must name the mistake.
var wrongs = []grading.Wrong{
	{
		Name:  "reads-once-per-event",
		Why:   "reads once per event, as under level triggering (the edge-triggered hang)",
		Edits: []grading.Edit{{Old: onData, New: onData + "\t\treturn // one read per event\n"}},
		Want:  []string{"sit unread", "the edge-triggered hang", "read until EAGAIN"},
	},
	{
		Name:  "stops-at-a-short-read",
		Why:   "stops reading at a read shorter than ReadSize, missing the end of file right behind it",
		Edits: []grading.Edit{{Old: onData, New: onData + "\t\tif m < ReadSize {\n\t\t\treturn // a short read: drained\n\t\t}\n"}},
		Want:  []string{"never saw the end of file", "A short read is not the end"},
	},
	{
		Name:  "level-triggered",
		Why:   "registers without EPOLLET (level-triggered)",
		Edits: []grading.Edit{{Old: eventLine, New: "ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}"}},
		Want:  []string{"level-triggered", "EPOLLIN|unix.EPOLLET"},
	},
	{
		Name:  "no-fd-in-the-event",
		Why:   "registers without putting the fd in the event's data",
		Edits: []grading.Edit{{Old: eventLine, New: "ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET}"}},
		Want:  []string{"with data 0", "Set Fd: int32(fd)"},
	},
	{
		Name:  "eagain-is-an-error",
		Why:   "treats EAGAIN like any other error and closes the client",
		Edits: []grading.Edit{{Old: eagainCase, New: ""}},
		Want:  []string{"which is still connected", "EAGAIN is not an error"},
	},
	{
		Name:  "spins-after-eagain",
		Why:   "reads again after EAGAIN, waiting for more (spinning)",
		Edits: []grading.Edit{{Old: eagainCase, New: "\t\tcase err == unix.EAGAIN:\n\t\t\tcontinue // maybe more is coming\n"}},
		Want:  []string{"did not return within", "spinning", "retries read after EAGAIN spins forever"},
	},
	{
		Name:  "ignores-the-timeout",
		Why:   "always waits with -1, so an idle pass never returns (blocking)",
		Edits: []grading.Edit{{Old: waitCall, New: "_ = ms\n\tn, err := unix.EpollWait(r.epfd, r.events, -1)"}},
		Want:  []string{"did not return within", "blocked", "unix.EpollWait", "timeout in MILLISECONDS"},
	},
	{
		Name: "deadlocks-on-a-lock",
		Why:  "holds a mutex across the callbacks, and a callback calls Add (deadlock)",
		Edits: []grading.Edit{
			{Old: "\tbuf    []byte\n}", New: "\tbuf    []byte\n\tmu     sync.Mutex\n}"},
			{Old: "func (r *Reader) Add(fd int) error {\n", New: "func (r *Reader) Add(fd int) error {\n\tr.mu.Lock()\n\tdefer r.mu.Unlock()\n"},
			{Old: "\tif r.events == nil {\n", New: "\tr.mu.Lock()\n\tdefer r.mu.Unlock()\n\tif r.events == nil {\n"},
			{Old: "\t\"os\"\n", New: "\t\"os\"\n\t\"sync\"\n"},
		},
		Want: []string{"did not return within", "waiting (sync.Mutex.Lock", "deadlock", "Never hold a lock across a callback"},
	},
}

func TestWrongSolutionsFail(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("epoll is Linux's: elsewhere the exercise skips, so every answer passes")
	}
	grading.CheckWrong(t, "05_edge_triggered", "edge_linux.go", wrongs)
}
