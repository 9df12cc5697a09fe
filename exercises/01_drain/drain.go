// Package drain is exercise 01: read a non-blocking socket until the kernel
// has nothing more to give, and tell "no more data for now" apart from
// "the peer closed the connection".
//
// Grade it from the exercises/ directory with:
//
//	go test ./01_drain/
package drain

import (
	"errors"
)

// Outcome says why [Drain] stopped reading.
type Outcome int

const (
	// Unknown is the zero Outcome. Drain never returns it on success.
	Unknown Outcome = iota
	// MoreLater means read(2) failed with EAGAIN (or EWOULDBLOCK): the
	// kernel's receive buffer is empty for now, the connection is still
	// open, and more bytes may arrive later. Wait for readiness again.
	MoreLater
	// PeerClosed means read(2) returned 0 bytes: the peer shut down its
	// writing side (end of file). No more bytes will ever arrive.
	PeerClosed
)

// String returns the Outcome's name, for test messages.
func (o Outcome) String() string {
	switch o {
	case MoreLater:
		return "MoreLater"
	case PeerClosed:
		return "PeerClosed"
	}
	return "Unknown"
}

// ChunkSize is how many bytes Drain asks read(2) for at a time. It is small
// on purpose: a single read is usually NOT enough to empty the socket.
const ChunkSize = 1024

// Drain reads from fd, a NON-BLOCKING socket, until the kernel has nothing
// more to give right now, and returns dst with every byte read appended.
//
// It reads at most ChunkSize bytes per read(2) call and keeps calling until:
//
//   - read fails with EAGAIN: return (dst, MoreLater, nil). This is not an
//     error: it is how a non-blocking fd says "empty for now".
//   - read returns 0 bytes: return (dst, PeerClosed, nil).
//   - read fails with EINTR: a signal interrupted the call; just try again.
//   - read fails with anything else: return (dst, Unknown, err) where err is
//     the errno wrapped with os.NewSyscallError("read", errno), so callers
//     can use errors.Is(err, unix.ECONNRESET) and still see which syscall
//     failed.
//
// Drain never closes fd (the caller owns it) and never blocks.
func Drain(fd int, dst []byte) ([]byte, Outcome, error) {
	chunk := make([]byte, ChunkSize)

	// TODO: loop: call unix.Read(fd, chunk) (import "golang.org/x/sys/unix")
	// and append what it read to dst.

	// TODO: decide when to stop: n == 0 means one thing, unix.EAGAIN
	// means another, unix.EINTR means "try again", anything else is an
	// error to wrap with os.NewSyscallError("read", err).

	_ = chunk
	return dst, Unknown, errors.New("not implemented yet: Drain — read in a loop until EAGAIN or end of file (see HINTS.md)")
}
