package reactor

// waker lets another goroutine interrupt a loop blocked in its wait call.
// The loop watches readFd; wake makes it readable; drain resets it.
// Linux uses an eventfd (wake_linux.go), other Unixes a self-pipe
// (wake_unix.go).
type waker interface {
	readFd() int
	wake() error
	drain()
	close() error
}
