// Package visualizer draws a running reactor on the terminal: the shell
// (home, lesson pages, help) and seven live panes that turn the reactor's
// trace into pictures — readiness per fd and pass, the loop's time split,
// stalls and lag, the interest set, syscall counters, a Deferred's callback
// ladder and the cost of each wait call against the number of fds watched.
//
// # How the screen is fed
//
// The reactor runs on its own goroutine and writes trace events into a
// bounded ring ([reactor.Subscription]); it never waits for the screen. The
// visualizer drains that ring on a frame tick (about 30 Hz), folds what
// arrived into each pane's state and draws. One message per frame, never one
// per event: bubbletea's Program.Send is unbuffered and would throttle the
// reactor. If the ring overflows, the events lost are counted and shown.
// Because the screen samples instead of waiting, a blocked loop never
// freezes it: the time since the last completed pass keeps growing on screen
// and is drawn as a stall.
//
// # Contract
//
// Scenarios implement [Lesson] and [Live] (live.go). The visualizer makes no
// syscalls and knows nothing about sockets.
package visualizer
