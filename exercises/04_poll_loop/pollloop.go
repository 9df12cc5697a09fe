// Package pollloop is exercise 04: serve several clients with poll(2),
// keeping one pollfd array across passes, telling a hang-up (POLLHUP) from
// an fd that is not open (POLLNVAL), and compacting the array when clients
// leave without skipping anyone.
//
// Grade it from the exercises/ directory with:
//
//	go test ./04_poll_loop/
package pollloop

import (
	"errors"
	"time"

	"golang.org/x/sys/unix"
)

// ReadSize is how many bytes Pass reads from a ready client per pass. poll
// is level-triggered: if more is left, the entry is reported again on the
// next pass, so one read per pass is enough.
const ReadSize = 4096

// Server serves client fds with poll(2), one pass at a time.
//
// All methods run on one goroutine (the loop's): Server is not safe for
// concurrent use.
type Server struct {
	// OnData is called with each chunk read from a client. The slice is
	// reused after OnData returns: copy it if you keep it.
	OnData func(fd int, data []byte)
	// OnClose is called once for a client that went away (a 0-byte read or
	// a read error), after Pass has closed its fd and dropped its entry.
	OnClose func(fd int)
	// OnInvalid is called once for an fd poll reported POLLNVAL for — an fd
	// somebody closed behind the loop's back — after Pass has dropped its
	// entry. Pass does not read or close such an fd: it is not open.
	OnInvalid func(fd int)

	// fds is the array poll(2) gets: one entry per client, in any order,
	// and nothing else — no holes (entries with fd -1), no entries for
	// clients that left. The tests look at it.
	fds []unix.PollFd
}

// Add starts watching fd, a connected non-blocking socket or the read end
// of a non-blocking pipe. Server owns fd from now on and closes it when the
// client goes away. Unlike select, poll has no FD_SETSIZE: any fd will do.
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

// Pass runs one pass of the loop:
//
//  1. Call unix.Poll(s.fds, ms) once. The array is not rebuilt: the kernel
//     writes only each entry's Revents. The timeout is in MILLISECONDS
//     (round up: 300µs should wait 1ms, not 0); timeout < 0 waits until a
//     client is ready (-1). If poll fails with EINTR, return 0, nil: a
//     signal interrupted the wait. Wrap other errors with
//     os.NewSyscallError("poll", err).
//  2. For EVERY entry whose Revents is set:
//     - POLLNVAL: the fd is not open — somebody closed it behind the
//     loop's back. Do not read it, do not close it (by now its number
//     may name another file): drop the entry, then OnInvalid(fd).
//     - POLLIN, POLLHUP or POLLERR: read once (up to ReadSize bytes).
//     n > 0 → OnData(fd, data), even after POLLHUP: a client's last
//     bytes can arrive with its hang-up. EAGAIN → nothing (a spurious
//     wake-up). A 0-byte read or any other error → the client left:
//     unix.Close(fd), drop the entry, then OnClose(fd).
//  3. Dropping an entry compacts the array: copy the last entry into the
//     hole and shrink the slice by one. The entry that moved has Revents of
//     its own from this poll: don't skip it.
//
// Pass returns how many clients it served (OnData, OnClose and OnInvalid
// calls).
func (s *Server) Pass(timeout time.Duration) (served int, err error) {
	// TODO: step 1 — call unix.Poll once on s.fds, with the timeout in
	// milliseconds; handle EINTR and wrap other errors.

	// TODO: step 2 — serve every entry with Revents set; tell POLLNVAL
	// apart from POLLIN/POLLHUP/POLLERR.

	// TODO: step 3 — drop the entries of clients that left by moving the
	// last entry into the hole, without skipping the entry that moved.

	return 0, errors.New("not implemented yet: Pass — call poll, serve every entry it reported, compact the array (see HINTS.md)")
}
