package tcp

import (
	"os"
	"unsafe"

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

// sendCall names the syscall send makes, for errors.
const sendCall = "sendto"

// send writes p to a socket with MSG_NOSIGNAL: a peer that has gone away
// makes it fail with EPIPE instead of raising SIGPIPE, which a program
// embedding the loop (or one that asked signal.Notify for SIGPIPE) would
// otherwise receive. x/sys has no sendto that returns the count, hence the
// raw syscall.
//
// The socket is non-blocking, so the call cannot sleep, and it is made as
// a raw syscall: the Go runtime is not told a syscall began and ended
// (entersyscall/exitsyscall), bookkeeping it needs only for calls that
// may block, and which cost the echo server ~2.5 % of its CPU.
func send(fd int, p []byte) (int, error) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	n, _, errno := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(ptr), uintptr(len(p)), unix.MSG_NOSIGNAL, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// readSocket is read(2) on a non-blocking socket: a raw syscall, for the
// reason send is one.
func readSocket(fd int, p []byte) (int, error) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	n, _, errno := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(ptr), uintptr(len(p)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}
