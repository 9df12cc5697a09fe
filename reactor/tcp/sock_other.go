//go:build unix && !linux

package tcp

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// newSocket makes a non-blocking, close-on-exec TCP socket. Without
// SOCK_NONBLOCK|SOCK_CLOEXEC (macOS) the flags are set after the fact, under
// syscall.ForkLock so a concurrent fork/exec cannot inherit the fd in between.
func newSocket(family int) (int, error) {
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(family, unix.SOCK_STREAM, unix.IPPROTO_TCP)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("fcntl", err)
	}
	noSIGPIPE(fd)
	return fd, nil
}

// accept takes one queued connection and makes it non-blocking and
// close-on-exec (no accept4 here).
func accept(lfd int) (int, unix.Sockaddr, error) {
	syscall.ForkLock.RLock()
	fd, sa, err := unix.Accept(lfd)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, nil, err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, nil, err
	}
	noSIGPIPE(fd)
	return fd, sa, nil
}

// sendCall names the syscall send makes, for errors.
const sendCall = "write"

// send writes p to a socket. There is no MSG_NOSIGNAL here; the socket
// carries SO_NOSIGPIPE instead (set by newSocket and accept), so a peer
// that has gone away is an EPIPE error, never a SIGPIPE.
func send(fd int, p []byte) (int, error) { return unix.Write(fd, p) }

// readSocket is read(2) on a non-blocking socket.
func readSocket(fd int, p []byte) (int, error) { return unix.Read(fd, p) }
