// Package pollloop is the solution to exercise 04_poll_loop: a poll(2) loop
// that keeps one pollfd array across passes, reads only what the kernel
// reported, tells a hang-up (POLLHUP) from an fd that is not open (POLLNVAL),
// and compacts the array when clients leave without skipping anyone.
package pollloop

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// ReadSize is how many bytes Pass reads from a ready client per pass.
const ReadSize = 4096

// Server serves client fds with poll(2), one pass at a time.
type Server struct {
	// OnData is called with each chunk read from a client.
	OnData func(fd int, data []byte)
	// OnClose is called once for a client that went away, after Pass has
	// closed its fd and dropped its entry.
	OnClose func(fd int)
	// OnInvalid is called once for an fd poll reported POLLNVAL for, after
	// Pass has dropped its entry (and NOT closed it).
	OnInvalid func(fd int)

	// fds is the array poll(2) gets: one entry per client, no holes.
	fds []unix.PollFd
}

// Add starts watching fd for reading.
func (s *Server) Add(fd int) error {
	s.fds = append(s.fds, unix.PollFd{Fd: int32(fd), Events: unix.POLLIN})
	return nil
}

// Clients returns the fds being served, in the order of the array.
func (s *Server) Clients() []int {
	fds := make([]int, 0, len(s.fds))
	for _, p := range s.fds {
		fds = append(fds, int(p.Fd))
	}
	return fds
}

// Pass runs one poll pass: wait for readiness, then serve every entry the
// kernel reported.
func (s *Server) Pass(timeout time.Duration) (served int, err error) {
	// Step 1: wait. Unlike select's bitmaps, the array survives the call:
	// the kernel writes only revents, so there is nothing to rebuild. The
	// timeout is in milliseconds; round up, so that a timeout of 300µs
	// waits a little instead of not at all (0 would make a loop of passes
	// spin).
	ms := -1
	if timeout >= 0 {
		ms = int((timeout + time.Millisecond - 1) / time.Millisecond)
	}
	n, err := unix.Poll(s.fds, ms)
	if err == unix.EINTR {
		// A signal interrupted the wait: an empty pass, not an error.
		return 0, nil
	}
	if err != nil {
		return 0, os.NewSyscallError("poll", err)
	}
	if n == 0 {
		return 0, nil // timed out: nobody was ready
	}

	// Step 2: serve every entry with revents set. The callbacks for the
	// clients that left run at the end, once the array is consistent.
	buf := make([]byte, ReadSize)
	var closed, invalid []int
	for i := 0; i < len(s.fds); {
		fd, re := int(s.fds[i].Fd), s.fds[i].Revents
		switch {
		case re&unix.POLLNVAL != 0:
			// POLLNVAL: fd was not open when poll looked. Somebody closed
			// it behind the loop's back — a bug elsewhere, not a hang-up.
			// Do NOT read or close it: the number is free, and by now it
			// may name another file (a connection a callback just
			// accepted gets the lowest free number). Just forget it.
			s.remove(i)
			invalid = append(invalid, fd)
			served++
			continue // slot i now holds the entry that was last: look at it
		case re&(unix.POLLIN|unix.POLLHUP|unix.POLLERR) != 0:
			// POLLHUP and POLLERR are reported whether or not we asked for
			// them, and on every call until we act: read. A hang-up may
			// still have data in front of it, which this read returns; the
			// 0-byte read that says "gone" comes once the data is out.
			m, rerr := readOnce(fd, buf)
			switch {
			case rerr == unix.EAGAIN:
				// Spurious readiness: nothing to read after all.
			case rerr != nil || m == 0:
				// End of file, or a dead connection (ECONNRESET...). The
				// fd is ours: close it, and forget it.
				unix.Close(fd)
				s.remove(i)
				closed = append(closed, fd)
				served++
				continue // slot i now holds the entry that was last
			default:
				if s.OnData != nil {
					s.OnData(fd, buf[:m])
				}
				served++
			}
		}
		i++
	}
	for _, fd := range invalid {
		if s.OnInvalid != nil {
			s.OnInvalid(fd)
		}
	}
	for _, fd := range closed {
		if s.OnClose != nil {
			s.OnClose(fd)
		}
	}
	return served, nil
}

// remove drops entry i by copying the last entry into its place and
// shrinking the array: O(1), no holes. The entry that moved into slot i has
// its revents from this poll call too, so the caller looks at slot i again
// instead of moving on (moving on skips it for a whole pass).
func (s *Server) remove(i int) {
	last := len(s.fds) - 1
	s.fds[i] = s.fds[last]
	s.fds = s.fds[:last]
}

// readOnce reads once, retrying only if a signal interrupted the call.
func readOnce(fd int, buf []byte) (int, error) {
	for {
		n, err := unix.Read(fd, buf)
		if err != unix.EINTR {
			return n, err
		}
	}
}
