package tcp

import (
	"errors"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// Protocol is the application side of one connection. The reactor calls its
// methods on the loop goroutine, so a protocol needs no locks as long as it
// only touches its own state and transports on the same loop.
type Protocol interface {
	// ConnectionMade is called once the connection is up. Keep t: it is how
	// the protocol writes and closes.
	ConnectionMade(t *Transport)
	// DataReceived is called with whatever bytes arrived: half a message,
	// one, or three and a bit. The slice is only valid during the call (the
	// reactor reuses its read buffer); copy what you keep.
	DataReceived(data []byte)
	// ConnectionLost is called once, after the socket is closed. Check the
	// reason with errors.Is against ErrConnectionDone, ErrConnectionReset,
	// ErrAborted or ErrLineTooLong; anything else is an error.
	ConnectionLost(reason error)
}

// HalfCloser is implemented by protocols that want to keep writing after the
// peer has finished sending (TCP half-close). Without it, end of input
// closes the connection once pending output is flushed.
type HalfCloser interface {
	// ReadConnectionLost is called when the peer shuts down its write side.
	ReadConnectionLost()
}

// Factory builds one Protocol per connection.
type Factory interface {
	BuildProtocol(remote net.Addr) Protocol
}

// FactoryFunc adapts a function to the Factory interface.
type FactoryFunc func(remote net.Addr) Protocol

// BuildProtocol calls f.
func (f FactoryFunc) BuildProtocol(remote net.Addr) Protocol { return f(remote) }

// buildProtocol asks f for the protocol of the connection on fd. If f
// panics, fd is closed before the panic goes on to the loop (which records
// it): a factory bug costs that client its connection, not the process one
// fd per client.
func buildProtocol(f Factory, fd int, remote net.Addr) Protocol {
	built := false
	defer func() {
		if !built {
			unix.Close(fd)
		}
	}()
	p := f.BuildProtocol(remote)
	built = true
	return p
}

// ClientFactory is a Factory that wants to hear when ConnectTCP fails.
type ClientFactory interface {
	Factory
	ClientConnectionFailed(err error)
}

// Reasons passed to ConnectionLost.
var (
	ErrConnectionDone  = errors.New("tcp: connection closed cleanly")
	ErrConnectionReset = errors.New("tcp: connection reset by peer")
	ErrAborted         = errors.New("tcp: connection aborted")
	ErrLineTooLong     = errors.New("tcp: line too long")
	ErrClosed          = errors.New("tcp: write on a closing or closed transport")
	ErrConnectTimeout  = errors.New("tcp: connect timed out")
)

// ReasonText is the short form of a close reason used in the trace:
// "clean", "reset", "aborted", or "error: ...".
func ReasonText(err error) string {
	switch {
	case err == nil, errors.Is(err, ErrConnectionDone):
		return "clean"
	case errors.Is(err, ErrConnectionReset):
		return "reset"
	case errors.Is(err, ErrAborted):
		return "aborted"
	}
	return "error: " + err.Error()
}

// ioError classifies a failed read or write: a reset or broken pipe means
// the peer went away abruptly; anything else is an error.
func ioError(call string, errno error) error {
	sys := os.NewSyscallError(call, errno)
	if errno == unix.ECONNRESET || errno == unix.EPIPE {
		return errors.Join(ErrConnectionReset, sys)
	}
	return sys
}
