// Package selectloop is the solution to exercise 02_select_loop: a select(2)
// loop that rebuilds its fd set every pass and drops closed clients without
// skipping anyone.
package selectloop

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// ReadSize is how many bytes Pass reads from a ready client per pass.
const ReadSize = 4096

// Server serves client fds with select(2), one pass at a time.
type Server struct {
	// OnData is called with each chunk read from a client.
	OnData func(fd int, data []byte)
	// OnClose is called once for a client that went away, after its fd
	// was closed.
	OnClose func(fd int)

	clients []int // open client fds, in the order they were added
}

// Add starts watching fd, a connected non-blocking socket.
func (s *Server) Add(fd int) error {
	if fd < 0 || fd >= unix.FD_SETSIZE {
		return fmt.Errorf("selectloop: fd %d is outside select's range 0..%d (FD_SETSIZE); poll or epoll have no such limit", fd, unix.FD_SETSIZE-1)
	}
	s.clients = append(s.clients, fd)
	return nil
}

// Clients returns a copy of the fds still being served.
func (s *Server) Clients() []int {
	return append([]int(nil), s.clients...)
}

// Pass runs one select pass: wait for readiness, then serve every ready client.
func (s *Server) Pass(timeout time.Duration) (served int, err error) {
	// Step 1: a fresh set every pass. select(2) uses the same bitmap for
	// input ("watch these") and output ("these are ready"), so after a call
	// the set holds only the ready fds. Reusing it would silently stop
	// watching every client that was idle last time.
	var rset unix.FdSet
	nfds := 0
	for _, fd := range s.clients {
		rset.Set(fd)
		// nfds is not a count: the kernel scans bits 0..nfds-1, so it
		// must be one more than the HIGHEST fd, wherever that sits in
		// the list.
		nfds = max(nfds, fd+1)
	}

	// Step 2: wait. A nil timeval blocks forever; otherwise select wants
	// seconds+microseconds, which NsecToTimeval builds for us.
	var tv *unix.Timeval
	if timeout >= 0 {
		t := unix.NsecToTimeval(timeout.Nanoseconds())
		tv = &t
	}
	n, err := unix.Select(nfds, &rset, nil, nil, tv)
	if err == unix.EINTR {
		// A signal interrupted the wait (Go's runtime sends them for
		// preemption). The set's contents are unspecified now, so report
		// an empty pass; the caller's next pass rebuilds everything.
		return 0, nil
	}
	if err != nil {
		return 0, os.NewSyscallError("select", err)
	}
	if n == 0 {
		return 0, nil // timed out: nobody was ready
	}

	// Step 3: serve every ready client. Build the survivors into a new
	// slice (reusing the backing array: kept only ever trails i) instead
	// of deleting in place. Deleting while iterating — swap-with-last or
	// shift-down followed by i++ — skips the client that moved into slot
	// i, which then waits a whole extra pass (Beej's pollserver has this
	// bug). Here every index is visited exactly once.
	buf := make([]byte, ReadSize)
	kept := s.clients[:0]
	var gone []int
	for _, fd := range s.clients {
		if !rset.IsSet(fd) {
			kept = append(kept, fd)
			continue
		}
		m, rerr := readOnce(fd, buf)
		switch {
		case rerr == unix.EAGAIN:
			// Spurious readiness: nothing to read after all. Keep it.
			kept = append(kept, fd)
		case rerr != nil || m == 0:
			// End of file (m == 0) or a dead connection (ECONNRESET...).
			// Either way, stop watching it: an fd at EOF stays
			// "readable" forever and would make every pass spin.
			unix.Close(fd)
			gone = append(gone, fd)
			served++
		default:
			kept = append(kept, fd)
			if s.OnData != nil {
				s.OnData(fd, buf[:m])
			}
			served++
		}
	}
	s.clients = kept
	// OnClose runs after the list is consistent, so a callback that calls
	// Add or Clients sees the truth.
	for _, fd := range gone {
		if s.OnClose != nil {
			s.OnClose(fd)
		}
	}
	return served, nil
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
