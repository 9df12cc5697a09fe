// Package drain is the solution to exercise 01_drain: read a non-blocking
// socket to exhaustion and tell "empty for now" from "peer closed".
package drain

import (
	"os"

	"golang.org/x/sys/unix"
)

// Outcome says why [Drain] stopped reading.
type Outcome int

const (
	// Unknown is the zero Outcome. Drain never returns it on success.
	Unknown Outcome = iota
	// MoreLater means read(2) failed with EAGAIN: empty for now, still open.
	MoreLater
	// PeerClosed means read(2) returned 0 bytes: end of file.
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

// ChunkSize is how many bytes Drain asks read(2) for at a time.
const ChunkSize = 1024

// Drain reads from the non-blocking fd until read(2) reports EAGAIN
// (MoreLater) or end of file (PeerClosed), appending everything to dst.
func Drain(fd int, dst []byte) ([]byte, Outcome, error) {
	chunk := make([]byte, ChunkSize)
	for {
		n, err := unix.Read(fd, chunk)
		switch {
		case err == unix.EINTR:
			// A signal arrived during the call (Go's scheduler sends
			// SIGURG for preemption, so this really happens). Nothing was
			// read; the call is simply retried.
			continue
		case err == unix.EAGAIN:
			// The kernel's receive queue is empty *right now*. On a
			// non-blocking fd this is how "wait for me" is spelled: not an
			// error, and not the end. A reactor goes back to
			// select/poll/epoll and comes back when the fd is readable.
			// (On Linux EWOULDBLOCK is the same number as EAGAIN.)
			return dst, MoreLater, nil
		case err != nil:
			// A real failure (ECONNRESET, EBADF, ...). Wrapping keeps the
			// errno reachable with errors.Is and records which syscall
			// failed, which is what a log reader needs.
			return dst, Unknown, os.NewSyscallError("read", err)
		case n == 0:
			// read(2) returning 0 with no error is end of file: the peer
			// called close or shutdown(SHUT_WR). Readiness will keep
			// reporting "readable" forever after this, so the caller must
			// stop watching the fd (and usually close it).
			return dst, PeerClosed, nil
		}
		// Got n > 0 bytes. There may be more queued: one read returns at
		// most len(chunk) bytes, so keep going until the kernel says
		// EAGAIN. Stopping early is legal with level-triggered
		// notification (you are told again) but loses data with
		// edge-triggered epoll, which only reports *new* arrivals.
		dst = append(dst, chunk[:n]...)
	}
}
