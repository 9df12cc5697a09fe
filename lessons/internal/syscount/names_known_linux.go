//go:build linux && (amd64 || arm64)

package syscount

import (
	"maps"

	"golang.org/x/sys/unix"
)

// syscallNames are the syscalls named in counts: the calls a network
// server and the Go runtime make, under the same constants on amd64 and
// arm64, and archNames, the ones only this architecture has.
var syscallNames = func() map[uint64]string {
	m := map[uint64]string{
		unix.SYS_READ:              "read",
		unix.SYS_WRITE:             "write",
		unix.SYS_READV:             "readv",
		unix.SYS_WRITEV:            "writev",
		unix.SYS_PREAD64:           "pread64",
		unix.SYS_SENDTO:            "sendto",
		unix.SYS_RECVFROM:          "recvfrom",
		unix.SYS_SENDMSG:           "sendmsg",
		unix.SYS_RECVMSG:           "recvmsg",
		unix.SYS_ACCEPT:            "accept",
		unix.SYS_ACCEPT4:           "accept4",
		unix.SYS_SHUTDOWN:          "shutdown",
		unix.SYS_CLOSE:             "close",
		unix.SYS_FSTAT:             "fstat",
		unix.SYS_NEWFSTATAT:        "newfstatat",
		unix.SYS_OPENAT:            "openat",
		unix.SYS_FCNTL:             "fcntl",
		unix.SYS_SETSOCKOPT:        "setsockopt",
		unix.SYS_GETSOCKOPT:        "getsockopt",
		unix.SYS_GETSOCKNAME:       "getsockname",
		unix.SYS_GETPEERNAME:       "getpeername",
		unix.SYS_SOCKET:            "socket",
		unix.SYS_BIND:              "bind",
		unix.SYS_LISTEN:            "listen",
		unix.SYS_EPOLL_CREATE1:     "epoll_create1",
		unix.SYS_EPOLL_CTL:         "epoll_ctl",
		unix.SYS_EPOLL_PWAIT:       "epoll_pwait",
		unix.SYS_EPOLL_PWAIT2:      "epoll_pwait2",
		unix.SYS_EVENTFD2:          "eventfd2",
		unix.SYS_PIPE2:             "pipe2",
		unix.SYS_FUTEX:             "futex",
		unix.SYS_NANOSLEEP:         "nanosleep",
		unix.SYS_CLOCK_NANOSLEEP:   "clock_nanosleep",
		unix.SYS_SCHED_YIELD:       "sched_yield",
		unix.SYS_GETPID:            "getpid",
		unix.SYS_GETPPID:           "getppid",
		unix.SYS_PRCTL:             "prctl",
		unix.SYS_GETTID:            "gettid",
		unix.SYS_TGKILL:            "tgkill",
		unix.SYS_RT_SIGACTION:      "rt_sigaction",
		unix.SYS_RT_SIGPROCMASK:    "rt_sigprocmask",
		unix.SYS_RT_SIGRETURN:      "rt_sigreturn",
		unix.SYS_SIGALTSTACK:       "sigaltstack",
		unix.SYS_CLONE:             "clone",
		unix.SYS_CLONE3:            "clone3",
		unix.SYS_MMAP:              "mmap",
		unix.SYS_MUNMAP:            "munmap",
		unix.SYS_MPROTECT:          "mprotect",
		unix.SYS_MADVISE:           "madvise",
		unix.SYS_EXIT:              "exit",
		unix.SYS_EXIT_GROUP:        "exit_group",
		unix.SYS_CLOCK_GETTIME:     "clock_gettime",
		unix.SYS_GETRLIMIT:         "getrlimit",
		unix.SYS_PRLIMIT64:         "prlimit64",
		unix.SYS_SCHED_GETAFFINITY: "sched_getaffinity",
		unix.SYS_PSELECT6:          "pselect6",
		unix.SYS_PPOLL:             "ppoll",
	}
	maps.Copy(m, archNames)
	return m
}()
