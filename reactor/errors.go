package reactor

import (
	"errors"
	"fmt"
)

// Errors returned by pollers and the loop.
var (
	// ErrFDSetSize is returned by the select backend for an fd >= FD_SETSIZE.
	ErrFDSetSize = errors.New("select: fd is >= FD_SETSIZE (1024); select cannot watch it — switch to the poll or epoll backend")
	// ErrUnknownBackend names a backend that does not exist.
	ErrUnknownBackend = errors.New("reactor: unknown backend")
	// ErrLinuxOnly is returned when epoll is requested outside Linux.
	// It wraps errors.ErrUnsupported.
	ErrLinuxOnly = fmt.Errorf("reactor: epoll is Linux-only; use poll or select on this platform: %w", errors.ErrUnsupported)
	// ErrModeUnsupported is returned for EdgeTriggered/OneShot on select or poll.
	ErrModeUnsupported = errors.New("reactor: edge-triggered and one-shot modes need the epoll backend")
	// ErrStopped is returned when the loop has been stopped or closed.
	ErrStopped = errors.New("reactor: loop is stopped")
	// ErrNotRestartable is returned by Run on a loop that already stopped.
	ErrNotRestartable = errors.New("reactor: a stopped loop cannot be restarted; create a new one")
	// ErrAlreadyRegistered is returned when an fd is registered twice.
	ErrAlreadyRegistered = errors.New("reactor: fd already registered (if its last owner closed it without deregistering, the number has been reused: deregister before close)")
	// ErrNotRegistered is returned by a Registration that has ended: it
	// was deregistered or closed, and its fd number may already belong to
	// a newer registration, which a stale handle must not touch.
	ErrNotRegistered = errors.New("reactor: not registered (this registration has ended; its fd number may belong to someone else now)")
	// ErrClosedWhileRegistered is returned by Deregister when the fd was
	// closed first. On epoll that order leaks: the kernel watches the open
	// file, not the number, so with a dup of the fd still open (or a child
	// process holding it) epoll goes on reporting it. Registration.Close
	// does the two steps in the right order.
	ErrClosedWhileRegistered = errors.New("reactor: fd was closed while still registered; deregister first, then close (Registration.Close does both)")
)
