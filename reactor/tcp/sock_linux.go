package tcp

import (
	"os"

	"golang.org/x/sys/unix"
)

// newSocket makes a non-blocking, close-on-exec TCP socket. Both flags are
// set atomically by socket(2) itself, so a concurrent fork/exec elsewhere in
// the process never inherits the fd.
func newSocket(family int) (int, error) {
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	return fd, nil
}

// accept takes one queued connection; like newSocket, the new fd is
// non-blocking and close-on-exec from birth (accept4).
func accept(lfd int) (int, unix.Sockaddr, error) {
	return unix.Accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
}
