// Package reservefd is exercise 07: an accept loop that survives a full fd
// table (EMFILE) by keeping one fd in reserve — spent to take a waiting
// client off the listen queue and close it, then taken back — instead of
// spinning on a listener that stays readable.
//
// Grade it from the exercises/ directory with:
//
//	go test ./07_reserve_fd/
package reservefd

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// Acceptor accepts connections on a listening socket and survives a full
// fd table.
//
// All methods run on one goroutine (the loop's): Acceptor is not safe for
// concurrent use.
type Acceptor struct {
	// OnAccept is called with each accepted connection (non-blocking,
	// close-on-exec). The caller owns it from then on.
	OnAccept func(fd int)

	lfd     int // the listening socket, non-blocking
	reserve int // the spare fd, open on /dev/null; -1 while spent. The tests look at it.
}

// NewAcceptor returns an Acceptor for lfd, a non-blocking listening socket,
// holding its reserve fd.
func NewAcceptor(lfd int) (*Acceptor, error) {
	spare, err := openSpare()
	if err != nil {
		return nil, err
	}
	return &Acceptor{lfd: lfd, reserve: spare}, nil
}

// openSpare opens an fd to keep in reserve: /dev/null, read-only. It fails
// (with EMFILE inside) when the table has no free slot.
func openSpare() (int, error) {
	fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("open /dev/null", err)
	}
	return fd, nil
}

// acceptOne accepts one connection from the listener, made non-blocking and
// close-on-exec. Its error is accept(2)'s errno, unwrapped, so you can
// compare it: err == unix.EAGAIN (the queue is empty), err == unix.EMFILE
// (this process's fd table is full), unix.ENFILE (the whole system's is).
// It retries EINTR and ECONNABORTED itself.
func (a *Acceptor) acceptOne() (int, error) {
	for {
		fd, _, err := unix.Accept(a.lfd)
		if err == unix.EINTR || err == unix.ECONNABORTED {
			continue
		}
		if err != nil {
			return -1, err
		}
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(fd)
			return -1, err
		}
		return fd, nil
	}
}

// AcceptAll is called each time the listener is readable. It accepts every
// waiting connection, until acceptOne says EAGAIN, and returns how many it
// accepted (each handed to OnAccept) and how many it refused:
//
//   - EAGAIN: the queue is empty; return (accepted, refused, nil).
//   - EMFILE or ENFILE: the fd table is full, and the client stays in the
//     queue — so the listener stays readable, and a loop that just returns,
//     or tries again, spins. Spend the reserve instead: close it (one slot
//     frees), accept (the client takes that slot), close that connection
//     (the client is refused, not left hanging), and open the reserve again
//     (openSpare) at once. Then carry on.
//   - If there is no reserve to spend (a.reserve is -1: it could not be
//     taken back), return an error wrapping the errno
//     (os.NewSyscallError("accept", err)): the caller then stops watching
//     the listener until an fd is closed.
//   - Any other error: return it wrapped the same way.
//
// A reserve that is spent (-1) is taken back at the START of the call, if
// an fd has come free since.
func (a *Acceptor) AcceptAll() (accepted, refused int, err error) {
	// TODO: if the reserve is spent, try to open it again.

	// TODO: loop on a.acceptOne() until EAGAIN; hand each fd to OnAccept.

	// TODO: on EMFILE or ENFILE, spend the reserve and take it back — or,
	// with no reserve, return the error. Never just try again.

	return 0, 0, errors.New("not implemented yet: AcceptAll — accept until EAGAIN, and spend the reserve fd on EMFILE (see HINTS.md)")
}
