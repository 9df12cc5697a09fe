//go:build unix && !linux && !darwin && !dragonfly && !freebsd && !netbsd

package tcp

// noSIGPIPE does nothing on the remaining Unixes, which have no
// SO_NOSIGPIPE (and where send here is write(2)); the Go runtime still
// ignores SIGPIPE for fds other than 1 and 2 unless the program asks for it
// with signal.Notify.
func noSIGPIPE(int) {}
