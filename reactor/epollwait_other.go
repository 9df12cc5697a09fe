//go:build linux && !amd64

package reactor

import "golang.org/x/sys/unix"

// sysEpollWait is the syscall epollWaitNow makes. Newer architectures
// (arm64, riscv64) have no epoll_wait, only epoll_pwait, which with no
// signal mask (the zero fifth argument) is the same call.
const sysEpollWait = unix.SYS_EPOLL_PWAIT
