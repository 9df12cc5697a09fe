package oneshot_test

import (
	"runtime"
	"testing"

	"github.com/reactorlab/reactorlab/solutions/internal/grading"
)

// The reference solution's lines the variants below change.
const (
	rearm = "\t\trearm := unix.EpollEvent{Events: armedForRead, Fd: int32(fd)}\n" +
		"\t\tif err := unix.EpollCtl(s.epfd, unix.EPOLL_CTL_MOD, fd, &rearm); err != nil {\n" +
		"\t\t\treturn served, os.NewSyscallError(\"epoll_ctl\", err)\n" +
		"\t\t}\n"
	eventFd     = "\t\tfd := int(ev.Fd)\n"
	removeOrder = "\tdelErr := unix.EpollCtl(s.epfd, unix.EPOLL_CTL_DEL, fd, nil)\n\tcloseErr := unix.Close(fd)\n"
	waitCall    = "n, err := unix.EpollWait(s.epfd, events[:], ms)"
)

// wrongs are answers to 06_oneshot_rearm that learners plausibly write, each
// applied to oneshot_linux.go. The grader must fail every one, and its first
// failure must name the mistake.
var wrongs = []grading.Wrong{
	{
		Name:  "forgets-to-rearm",
		Why:   "never re-arms, so each client is served once and then goes silent",
		Edits: []grading.Edit{{Old: rearm, New: ""}},
		Want:  []string{"is disarmed", "re-arm it", "EPOLL_CTL_MOD"},
	},
	{
		Name:  "rearms-before-the-read",
		Why:   "re-arms as soon as the event arrives, before reading and handling it",
		Edits: []grading.Edit{{Old: rearm, New: ""}, {Old: eventFd, New: eventFd + rearm}},
		Want:  []string{"two handlers on one connection at once", "re-arm (EPOLL_CTL_MOD) only once the pass is done with the fd"},
	},
	{
		Name:  "rearms-with-add",
		Why:   "re-arms with EPOLL_CTL_ADD, which a disarmed (still registered) fd refuses",
		Edits: []grading.Edit{{Old: "unix.EPOLL_CTL_MOD, fd, &rearm", New: "unix.EPOLL_CTL_ADD, fd, &rearm"}},
		Want:  []string{"file exists", "Re-arm with EPOLL_CTL_MOD, not EPOLL_CTL_ADD"},
	},
	{
		Name:  "closes-before-deregistering",
		Why:   "closes the fd first, then deregisters it (and ignores the EBADF that DEL then gets)",
		Edits: []grading.Edit{{Old: removeOrder, New: "\tcloseErr := unix.Close(fd)\n\tunix.EpollCtl(s.epfd, unix.EPOLL_CTL_DEL, fd, nil)\n\tvar delErr error\n"}},
		Want:  []string{"epoll still watches fd", "not the number", "Deregister (EPOLL_CTL_DEL) first, then close"},
	},
	{
		Name:  "without-oneshot",
		Why:   "registers with EPOLLIN alone, without EPOLLONESHOT",
		Edits: []grading.Edit{{Old: "ev := unix.EpollEvent{Events: armedForRead, Fd: int32(fd)}", New: "ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}"}},
		Want:  []string{"without EPOLLONESHOT", "unix.EPOLLIN|unix.EPOLLONESHOT"},
	},
	{
		Name:  "spins-until-ready",
		Why:   "calls epoll_wait with a zero timeout until something is ready (spinning)",
		Edits: []grading.Edit{{Old: waitCall, New: "_ = ms\n\tn, err := 0, error(nil)\n\tfor { // wait until something is ready\n\t\tn, err = unix.EpollWait(s.epfd, events[:], 0)\n\t\tif n > 0 || (err != nil && err != unix.EINTR) {\n\t\t\tbreak\n\t\t}\n\t}"}},
		Want:  []string{"did not return within", "spinning", "call epoll_wait once and return"},
	},
	{
		Name:  "timeout-in-nanoseconds",
		Why:   "gives epoll_wait int(timeout), nanoseconds where it wants milliseconds (blocking)",
		Edits: []grading.Edit{{Old: "ms = int((timeout + time.Millisecond - 1) / time.Millisecond)", New: "ms = int(timeout)"}},
		Want:  []string{"did not return within", "blocked", "unix.EpollWait", "in MILLISECONDS"},
	},
	{
		Name: "deadlocks-on-a-lock",
		Why:  "makes Pass hold a mutex for the whole pass, callbacks included (deadlock)",
		Edits: []grading.Edit{
			{Old: "\tepfd int\n}", New: "\tepfd int\n\tmu   sync.Mutex\n}"},
			{Old: "\tvar events [16]unix.EpollEvent\n", New: "\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\tvar events [16]unix.EpollEvent\n"},
			{Old: "\t\"os\"\n", New: "\t\"os\"\n\t\"sync\"\n"},
		},
		Want: []string{"did not return within", "waiting (sync.Mutex.Lock", "deadlock", "Never hold a lock across a callback"},
	},
}

func TestWrongSolutionsFail(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("epoll is Linux's: elsewhere the exercise skips, so every answer passes")
	}
	grading.CheckWrong(t, "06_oneshot_rearm", "oneshot_linux.go", wrongs)
}
