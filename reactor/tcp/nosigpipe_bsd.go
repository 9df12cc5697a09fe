//go:build darwin || dragonfly || freebsd || netbsd

package tcp

import "golang.org/x/sys/unix"

// noSIGPIPE sets SO_NOSIGPIPE on fd: a write to a peer that has gone away
// fails with EPIPE instead of raising SIGPIPE.
func noSIGPIPE(fd int) { unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_NOSIGPIPE, 1) }
