// Package selectloop is exercise 02: serve several clients with select(2),
// rebuilding the fd sets on every pass and dropping closed clients without
// skipping anyone.
//
// Grade it from the exercises/ directory with:
//
//	go test ./02_select_loop/
package selectloop

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// ReadSize is how many bytes Pass reads from a ready client per pass. select
// is level-triggered: if more is left, the client is reported ready again on
// the next pass, so one read per pass is enough.
const ReadSize = 4096

// Server serves client fds with select(2), one pass at a time.
//
// All methods run on one goroutine (the loop's): Server is not safe for
// concurrent use.
type Server struct {
	// OnData is called with each chunk read from a client. The slice is
	// reused after OnData returns: copy it if you keep it.
	OnData func(fd int, data []byte)
	// OnClose is called once for a client that went away (a 0-byte read or
	// a read error), after Pass has closed its fd and stopped watching it.
	OnClose func(fd int)

	clients []int // open client fds, in the order they were added
}

// Add starts watching fd, a connected non-blocking socket. Server owns fd
// from now on and closes it when the client goes away.
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

// Pass runs one pass of the loop:
//
//  1. Build a FRESH read set holding every client. select(2) overwrites the
//     set you give it with the ready subset, so a set reused from the last
//     pass silently forgets idle clients.
//  2. Call unix.Select with nfds = (highest client fd) + 1 and the timeout
//     (timeout < 0 blocks; convert with unix.NsecToTimeval). If it fails with
//     EINTR, return 0, nil: a signal interrupted the wait and the caller will
//     simply run another pass. Wrap other errors with
//     os.NewSyscallError("select", err).
//  3. For EVERY client in the ready set, read once (up to ReadSize bytes):
//     n > 0 → OnData(fd, data); EAGAIN → nothing (a spurious wake-up);
//     a 0-byte read or any other error → unix.Close(fd), stop watching it,
//     then OnClose(fd).
//
// Pass returns how many clients it served (OnData or OnClose calls). Removing
// closed clients must not make Pass skip another ready client in the same
// pass.
func (s *Server) Pass(timeout time.Duration) (served int, err error) {
	// TODO: step 1 — build a fresh unix.FdSet with every client in it and
	// work out nfds (highest fd + 1).

	// TODO: step 2 — call unix.Select; handle EINTR and wrap other errors.

	// TODO: step 3 — serve every ready client; close and drop the ones
	// that went away without skipping the client that comes after them.

	return 0, errors.New("not implemented yet: Pass — build the fd set, call select, serve every ready client (see HINTS.md)")
}
