package pollloop

import "golang.org/x/sys/unix"

// On Linux the EINTR test can aim a signal at the one thread that sits in
// poll: SIGURG, which the Go runtime already handles (it uses it to
// preempt goroutines) and ignores when it did not ask for it.
func init() {
	threadID = unix.Gettid
	signalThread = func(tid int) error { return unix.Tgkill(unix.Getpid(), tid, unix.SIGURG) }
}
