//go:build !linux

package reactor

// newEpollPoller reports that epoll exists only on Linux.
func newEpollPoller() (Poller, error) { return nil, ErrLinuxOnly }
