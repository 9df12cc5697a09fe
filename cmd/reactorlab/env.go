package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// env is the world a command runs in: its standard streams and the
// process's open-file limit. main fills it from the process; tests use
// buffers (never a terminal) and a fake limit.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// fileLimit returns RLIMIT_NOFILE: the soft limit in force and the
	// hard limit it may be raised to.
	fileLimit func() (soft, hard uint64, err error)
}

// processEnv is the env of the running process.
func processEnv() *env {
	return &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, fileLimit: rlimitNofile}
}

func rlimitNofile() (soft, hard uint64, err error) {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		return 0, 0, os.NewSyscallError("getrlimit", err)
	}
	return uint64(rl.Cur), uint64(rl.Max), nil
}

// labFiles is the open-file limit below which the reactor commands refuse
// to start. Below about a dozen the Go runtime itself dies (it needs an
// epoll fd and an eventfd besides stdin, stdout and stderr); the loop adds
// its poller and waker, a server its listener and a reserve fd, and every
// client connection one or two more. 64 leaves room for a small lesson.
const labFiles = 64

// needFiles fails, naming what is needed, when the open-file limit is
// below n. Commands that use the reactor or the network check it before
// they open anything, instead of dying in the Go runtime's
// "eventfd failed" trace.
func (e *env) needFiles(n uint64) error {
	soft, hard, err := e.fileLimit()
	if err != nil || soft >= n {
		return nil // cannot tell: let the command try
	}
	way := fmt.Sprintf("run 'ulimit -n %d' (or more) and try again", max(n, 1024))
	if hard < n {
		way = fmt.Sprintf("the hard limit is %d too, so start it from a new shell (or raise the hard limit as root)", hard)
	}
	return fmt.Errorf("needs at least %d open files, but this process may open only %d (ulimit -n); %s", n, soft, way)
}

// isTerminal reports whether w is a terminal; anything that is not an
// *os.File (a buffer in tests) is not.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
