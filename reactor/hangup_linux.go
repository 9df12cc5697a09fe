//go:build linux

package reactor

import "golang.org/x/sys/unix"

// pollRDHUP asks poll(2) to report the peer's half-close (POLLRDHUP, Linux
// 2.6.17 and later), the same event epoll calls EPOLLRDHUP.
const pollRDHUP = unix.POLLRDHUP

// pollHUPIsHangUp: on Linux, POLLHUP means both directions are closed
// (the kernel sets it only when the socket is shut down both ways).
const pollHUPIsHangUp = true
