//go:build linux && amd64

package reactor

import "golang.org/x/sys/unix"

// sysEpollWait is the syscall epollWaitNow makes: epoll_wait itself here.
const sysEpollWait = unix.SYS_EPOLL_WAIT
