//go:build linux && amd64

package syscount

import "golang.org/x/sys/unix"

// archNames are the syscalls amd64 has and arm64 does not: the older
// epoll_wait, select and poll (arm64 has only epoll_pwait, pselect6 and
// ppoll), and arch_prctl.
var archNames = map[uint64]string{
	unix.SYS_ARCH_PRCTL: "arch_prctl",
	unix.SYS_EPOLL_WAIT: "epoll_wait",
	unix.SYS_SELECT:     "select",
	unix.SYS_POLL:       "poll",
}
