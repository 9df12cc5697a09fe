// Package reservefd is the solution to exercise 07_reserve_fd: an accept
// loop that keeps one spare fd so that, when the process's fd table is full
// (EMFILE), it can still take a waiting connection off the listen queue and
// close it — refusing the client politely — instead of leaving it there and
// spinning on a listener that stays readable.
package reservefd

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Acceptor accepts connections on a listening socket and survives a full
// fd table.
type Acceptor struct {
	// OnAccept is called with each accepted connection.
	OnAccept func(fd int)

	lfd     int // the listening socket, non-blocking
	reserve int // the spare fd, open on /dev/null; -1 while spent
}

// NewAcceptor returns an Acceptor for lfd, holding its reserve fd.
func NewAcceptor(lfd int) (*Acceptor, error) {
	spare, err := openSpare()
	if err != nil {
		return nil, err
	}
	return &Acceptor{lfd: lfd, reserve: spare}, nil
}

// openSpare opens the fd the Acceptor keeps in reserve.
func openSpare() (int, error) {
	fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("open /dev/null", err)
	}
	return fd, nil
}

// acceptOne accepts one connection, made non-blocking and close-on-exec.
// Its error is accept(2)'s errno, unwrapped.
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

// AcceptAll accepts every connection waiting on the listener.
func (a *Acceptor) AcceptAll() (accepted, refused int, err error) {
	// The reserve comes first: if it was spent and could not be taken
	// back, an fd may have come free since. Without it, a full table
	// leaves us no way to refuse anyone.
	if a.reserve < 0 {
		a.reserve, _ = openSpare()
	}
	for {
		fd, err := a.acceptOne()
		switch err {
		case nil:
			accepted++
			if a.OnAccept != nil {
				a.OnAccept(fd)
			}
		case unix.EAGAIN:
			// The queue is empty: done. The listener stops being
			// readable, and the next wait sleeps.
			return accepted, refused, nil
		case unix.EMFILE, unix.ENFILE:
			// The fd table is full, and the client stays in the listen
			// queue: the listener stays readable, and a loop that just
			// returns (or retries) spins at full speed serving nobody.
			// Retrying cannot help: nothing frees an fd while we spin.
			if a.reserve < 0 {
				// Nothing to spend. Say so: the caller stops watching
				// the listener until an fd is closed.
				return accepted, refused, fmt.Errorf("reservefd: no fd to accept with, and no reserve to spend: %w", os.NewSyscallError("accept", err))
			}
			switch err := a.refuseOne(); err {
			case nil:
				refused++
			case unix.EAGAIN:
				// Nobody was waiting after all: accept(2) takes a slot
				// BEFORE it looks at the queue, so a full table says
				// EMFILE even when the queue is empty. Done.
				return accepted, refused, nil
			default:
				// The freed slot went elsewhere before we could use it.
				return accepted, refused, fmt.Errorf("reservefd: the reserve's slot was taken: %w", os.NewSyscallError("accept", err))
			}
		default:
			return accepted, refused, os.NewSyscallError("accept", err)
		}
	}
}

// refuseOne spends the reserve to take one connection off the queue and
// close it, then takes the reserve back. It returns accept's error: nil when
// it refused a client, EAGAIN when nobody was waiting.
func (a *Acceptor) refuseOne() error {
	// Free exactly one slot of the table: the reserve's.
	unix.Close(a.reserve)
	a.reserve = -1
	fd, err := a.acceptOne() // takes the slot we just freed
	if err == nil {
		// The client sees its connection closed: refused, but not left
		// hanging in the queue.
		unix.Close(fd)
	}
	// Take the slot back at once, before anything else can: the next
	// EMFILE needs it. If something did get there first, reserve stays
	// -1 and the next AcceptAll tries again.
	a.reserve, _ = openSpare()
	return err
}
