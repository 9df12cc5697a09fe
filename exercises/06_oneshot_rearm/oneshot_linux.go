// Package oneshot is exercise 06: epoll with EPOLLONESHOT, so that several
// goroutines can wait on one epoll instance and never handle one connection
// twice at once — which holds only if each fd is re-armed at the right
// moment — and deregistration before close, which a dup'ed fd punishes if
// you get it backwards. Linux only: epoll is Linux's (hence the _linux.go
// file names; elsewhere the tests skip).
//
// Grade it from the exercises/ directory with:
//
//	go test ./06_oneshot_rearm/
package oneshot

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// ReadSize is how many bytes Pass reads per event. One read per event is
// enough: re-arming looks at the fd again, and reports it at once if more
// is waiting.
const ReadSize = 4096

// Server serves client fds with one-shot epoll.
//
// Pass may run on several goroutines at once (that is what one-shot is
// for); Add and Remove too. Remove an fd only while no pass is handling it
// (not from inside OnData for that fd).
type Server struct {
	// OnData is called with each chunk read from a client, by the pass
	// that read it. The slice is reused after OnData returns: copy it if
	// you keep it.
	OnData func(fd int, data []byte)
	// OnClose is called once for a client that went away (a 0-byte read or
	// a read error), after Pass has deregistered and closed its fd.
	OnClose func(fd int)

	epfd int // the epoll instance; the tests read its interest list
}

// New returns a Server with a fresh epoll instance.
func New() (*Server, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	return &Server{epfd: epfd}, nil
}

// Close releases the epoll instance.
func (s *Server) Close() error {
	return unix.Close(s.epfd)
}

// Add starts watching fd, a connected non-blocking socket, ONE-SHOT, for
// reading. Server owns fd from now on. Wrap an error with
// os.NewSyscallError("epoll_ctl", err).
func (s *Server) Add(fd int) error {
	// TODO: register fd with unix.EpollCtl(s.epfd, unix.EPOLL_CTL_ADD, fd,
	// &ev): which Events make it one-shot, for reading? Put fd in ev.Fd.

	return errors.New("not implemented yet: Add — register fd with epoll, one-shot (see HINTS.md)")
}

// Remove stops watching fd and closes it. Something else may hold the same
// file open (a dup, a child process that inherited it): epoll watches the
// open file, not the number, so the order matters. Wrap errors with
// os.NewSyscallError.
func (s *Server) Remove(fd int) error {
	// TODO: EPOLL_CTL_DEL and unix.Close — in which order?

	return errors.New("not implemented yet: Remove — deregister fd and close it (see HINTS.md)")
}

// Pass runs one pass:
//
//  1. Call unix.EpollWait once with a slice of events of its own (several
//     passes may run at once), waiting at most the timeout (in
//     MILLISECONDS, rounded up; timeout < 0 waits until ready: -1). EINTR
//     → return 0, nil. Wrap other errors with
//     os.NewSyscallError("epoll_wait", err).
//  2. For every event, read its fd (ev.Fd) once, up to ReadSize bytes:
//     n > 0 → OnData(fd, data); EAGAIN → nothing (the report was a hint,
//     not a promise); a 0-byte read or any other error → the client left:
//     Remove it, then OnClose(fd).
//  3. The kernel disarmed the fd when it reported it: no other pass will
//     be told about it until it is re-armed with EPOLL_CTL_MOD. Re-arm each
//     fd that is still open — at the right moment.
//
// Pass returns how many clients it served (OnData and OnClose calls).
func (s *Server) Pass(timeout time.Duration) (served int, err error) {
	// TODO: step 1 — one unix.EpollWait into a slice of this pass's own.

	// TODO: step 2 — read each reported fd once; remove the ones that left.

	// TODO: step 3 — re-arm with EPOLL_CTL_MOD. When is this pass done
	// with the fd?

	return 0, errors.New("not implemented yet: Pass — epoll_wait, read each reported fd, re-arm it (see HINTS.md)")
}
