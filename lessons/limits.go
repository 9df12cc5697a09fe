package lessons

import (
	"os"

	"github.com/reactorlab/reactorlab/visualizer"
	"golang.org/x/sys/unix"
)

// Limits caps what one scenario may open. A lab on its own needs none;
// the classroom runs a lab per student in one process, so it holds each
// to its share of the process's open files.
type Limits struct {
	// MaxClients caps the simulated clients alive at once; each holds two
	// fds in this process (its end and the server's). Asking for more adds
	// what fits and says so on the error line. 0 = no cap.
	MaxClients int
}

// CappedLessons returns the curriculum as VisualizerLessons does, with
// every scenario held to lim.
func CappedLessons(lim Limits) []visualizer.Lesson {
	ls := load()
	out := make([]visualizer.Lesson, len(ls))
	for i, l := range ls {
		c := *l
		c.limits = lim
		out[i] = &c
	}
	return out
}

// raiseFileLimit lifts the soft RLIMIT_NOFILE to the hard limit, so lesson
// 2's idle clients can take this process past fd 1024 (each costs two fds:
// the client's end and the server's). Go already does this at start-up on
// Linux; doing it again is harmless and makes the intent explicit. It
// returns the soft limit now in force.
func raiseFileLimit() (uint64, error) {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return 0, os.NewSyscallError("getrlimit", err)
	}
	if lim.Cur >= lim.Max {
		return lim.Cur, nil
	}
	lim.Cur = lim.Max
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return 0, os.NewSyscallError("setrlimit", err)
	}
	return lim.Cur, nil
}
