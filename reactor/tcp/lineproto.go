package tcp

import (
	"fmt"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// lingerAfterError is how long a client that sent a too-long line has to
// read the error line and close before it is reset.
const lingerAfterError = 2 * time.Second

// LineHandler is what a line-based protocol implements; wrap it with
// NewLineProtocol to get a Protocol.
type LineHandler interface {
	ConnectionMade(t *Transport)
	LineReceived(line []byte) // valid only during the call
	ConnectionLost(reason error)
}

// LineProtocol is the line protocol base: it frames input into lines for a
// LineHandler and enforces a maximum line length. A client that sends a
// longer line gets one error line back and is disconnected; the handler's
// ConnectionLost then receives an error matching ErrLineTooLong. Other
// clients carry on.
type LineProtocol struct {
	h        LineHandler
	t        *Transport
	framer   LineFramer
	draining bool           // after a too-long line: discard input until the peer closes
	linger   *reactor.Timer // resets a client that lingers after a too-long line
}

// NewLineProtocol wraps h. maxLen <= 0 means DefaultMaxLineLength.
func NewLineProtocol(h LineHandler, maxLen int) *LineProtocol {
	return &LineProtocol{h: h, framer: LineFramer{Max: maxLen}}
}

// ConnectionMade implements Protocol.
func (p *LineProtocol) ConnectionMade(t *Transport) {
	p.t = t
	p.h.ConnectionMade(t)
}

// DataReceived implements Protocol.
func (p *LineProtocol) DataReceived(data []byte) {
	if p.draining {
		return
	}
	err := p.framer.Feed(data, func(line []byte) bool {
		p.h.LineReceived(line)
		return p.t.Connected() && !p.t.Disconnecting()
	})
	if err != nil && p.t.Connected() && !p.t.Disconnecting() {
		p.tooLong()
	}
}

// tooLong sends the error line and closes the connection politely. Closing
// a socket that still has unread input makes the kernel send a reset, which
// can destroy the error line before the client reads it; so the protocol
// half-closes, discards input until the client closes too, and only resets
// a client that lingers.
func (p *LineProtocol) tooLong() {
	max := p.framer.Max
	if max <= 0 {
		max = DefaultMaxLineLength
	}
	p.draining = true
	p.t.failReason = fmt.Errorf("%w (limit %d bytes)", ErrLineTooLong, max)
	fmt.Fprintf(p.t, "error: line too long (the limit is %d bytes); closing the connection\n", max)
	p.t.CloseWrite()
	t := p.t
	p.linger = t.loop.CallLater(lingerAfterError, func() {
		if t.Connected() {
			t.close(t.failReason, true, false)
		}
	})
}

// ReadConnectionLost implements HalfCloser: end of input closes the
// connection once output is flushed (unless it is already closing).
func (p *LineProtocol) ReadConnectionLost() {
	if !p.draining {
		p.t.LoseConnection()
	}
}

// ConnectionLost implements Protocol. A client that closed in time leaves
// no linger timer behind.
func (p *LineProtocol) ConnectionLost(reason error) {
	if p.linger != nil {
		p.linger.Cancel()
		p.linger = nil
	}
	p.h.ConnectionLost(reason)
}
