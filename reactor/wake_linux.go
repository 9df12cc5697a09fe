//go:build linux

package reactor

import (
	"os"

	"golang.org/x/sys/unix"
)

// eventfdWaker wakes a sleeping loop by writing to an eventfd: one fd, an
// 8-byte counter, no pipe buffer to fill.
type eventfdWaker struct{ fd int }

func newWaker() (waker, error) {
	fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("eventfd", err)
	}
	return &eventfdWaker{fd: fd}, nil
}

func (w *eventfdWaker) readFd() int { return w.fd }

var one = [8]byte{1, 0, 0, 0, 0, 0, 0, 0}

func (w *eventfdWaker) wake() error {
	for {
		_, err := unix.Write(w.fd, one[:])
		if err == unix.EINTR {
			continue
		}
		if err == nil || err == unix.EAGAIN { // counter full: a wake is pending anyway
			return nil
		}
		return os.NewSyscallError("write", err)
	}
}

func (w *eventfdWaker) drain() {
	var buf [8]byte
	for {
		_, err := unix.Read(w.fd, buf[:])
		if err != unix.EINTR {
			return
		}
	}
}

func (w *eventfdWaker) close() error {
	if w.fd < 0 {
		return nil
	}
	err := unix.Close(w.fd)
	w.fd = -1
	if err != nil {
		return os.NewSyscallError("close", err)
	}
	return nil
}
