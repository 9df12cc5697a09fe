//go:build unix && !linux

package reactor

import (
	"os"

	"golang.org/x/sys/unix"
)

// pipeWaker is the classic self-pipe trick: the loop watches the read end,
// other goroutines write one byte to the non-blocking write end.
type pipeWaker struct{ r, w int }

func newWaker() (waker, error) {
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		return nil, os.NewSyscallError("pipe", err)
	}
	for _, fd := range p {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(p[0])
			unix.Close(p[1])
			return nil, os.NewSyscallError("fcntl", err)
		}
	}
	return &pipeWaker{r: p[0], w: p[1]}, nil
}

func (w *pipeWaker) readFd() int { return w.r }

func (w *pipeWaker) wake() error {
	b := [1]byte{1}
	for {
		_, err := unix.Write(w.w, b[:])
		if err == unix.EINTR {
			continue
		}
		if err == nil || err == unix.EAGAIN { // pipe full: a wake is pending anyway
			return nil
		}
		return os.NewSyscallError("write", err)
	}
}

func (w *pipeWaker) drain() {
	var buf [256]byte
	for {
		n, err := unix.Read(w.r, buf[:])
		if err == unix.EINTR {
			continue
		}
		if n <= 0 || err != nil {
			return
		}
	}
}

func (w *pipeWaker) close() error {
	if w.r < 0 {
		return nil
	}
	e1 := unix.Close(w.r)
	e2 := unix.Close(w.w)
	w.r, w.w = -1, -1
	if e1 != nil {
		return os.NewSyscallError("close", e1)
	}
	if e2 != nil {
		return os.NewSyscallError("close", e2)
	}
	return nil
}
