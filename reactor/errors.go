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
	ErrAlreadyRegistered = errors.New("reactor: fd already registered")
	// ErrNotRegistered is returned when an unknown fd is modified or removed.
	ErrNotRegistered = errors.New("reactor: fd not registered")
)
