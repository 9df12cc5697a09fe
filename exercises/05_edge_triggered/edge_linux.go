// Package edge is exercise 05: an edge-triggered epoll reader that drains
// every fd it is told about until EAGAIN, and so survives the
// edge-triggered hang. Linux only: epoll is Linux's (hence the _linux.go
// file names; elsewhere the tests skip).
//
// Grade it from the exercises/ directory with:
//
//	go test ./05_edge_triggered/
package edge

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// ReadSize is how many bytes to ask read(2) for at a time. It is small on
// purpose: one read is often NOT enough to empty a socket.
const ReadSize = 1024

// Reader reads client fds with edge-triggered epoll, one pass at a time.
//
// All methods run on one goroutine (the loop's), callbacks included: a
// callback may call Add. Reader is not safe for concurrent use.
type Reader struct {
	// OnData is called with each chunk read from a client. The slice is
	// reused after OnData returns: copy it if you keep it.
	OnData func(fd int, data []byte)
	// OnClose is called once for a client that went away (a 0-byte read or
	// a read error), after Wait has deregistered and closed its fd.
	OnClose func(fd int)

	epfd int // the epoll instance; the tests read its interest list
	// Add what else you need, for example a []unix.EpollEvent and a read
	// buffer kept from pass to pass.
}

// New returns a Reader with a fresh epoll instance.
func New() (*Reader, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	return &Reader{epfd: epfd}, nil
}

// Close releases the epoll instance.
func (r *Reader) Close() error {
	return unix.Close(r.epfd)
}

// Add starts watching fd, a connected non-blocking socket, EDGE-triggered,
// for reading. Reader owns fd from now on and closes it when the client
// goes away. Wrap an error with os.NewSyscallError("epoll_ctl", err).
func (r *Reader) Add(fd int) error {
	// TODO: register fd once with unix.EpollCtl(r.epfd, unix.EPOLL_CTL_ADD,
	// fd, &ev). Which Events make it edge-triggered, for reading? And put
	// fd in ev.Fd: epoll hands it back with every event.

	return errors.New("not implemented yet: Add — register fd with epoll, edge-triggered (see HINTS.md)")
}

// Wait runs one pass of the loop:
//
//  1. Call unix.EpollWait once, waiting at most the timeout (in
//     MILLISECONDS, rounded up; timeout < 0 waits until a client is
//     ready: -1). EINTR → return 0, nil. Wrap other errors with
//     os.NewSyscallError("epoll_wait", err).
//  2. For every event, read its fd (ev.Fd) until the kernel says EAGAIN:
//     n > 0 → OnData(fd, data) and read again; EINTR → read again; EAGAIN
//     → done with this fd until its next event; a 0-byte read or any other
//     error → the client left: EPOLL_CTL_DEL, unix.Close(fd), OnClose(fd).
//
// Under edge triggering the kernel reports that bytes ARRIVED, once. Bytes
// left unread get no second report: stop early, and they wait until the
// client sends more — which it will not do while it waits for your answer.
//
// Wait returns how many events epoll_wait reported.
func (r *Reader) Wait(timeout time.Duration) (events int, err error) {
	// TODO: step 1 — one unix.EpollWait, with the timeout in milliseconds;
	// handle EINTR and wrap other errors.

	// TODO: step 2 — for each event, read until EAGAIN (not once, not
	// until a short read); close the clients that left.

	return 0, errors.New("not implemented yet: Wait — epoll_wait, then read every reported fd until EAGAIN (see HINTS.md)")
}
