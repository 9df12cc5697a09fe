package tcp

import "fmt"

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
	h      LineHandler
	t      *Transport
	framer LineFramer
}

// NewLineProtocol wraps h. maxLen <= 0 means DefaultMaxLineLength.
func NewLineProtocol(h LineHandler, maxLen int) *LineProtocol {
	return &LineProtocol{h: h, framer: LineFramer{Max: maxLen}}
}

// ConnectionMade implements Protocol. The transport becomes its own
// producer: while more than the high watermark of output is queued for
// the client, its lines are not read (see Transport.RegisterProducer).
func (p *LineProtocol) ConnectionMade(t *Transport) {
	p.t = t
	t.RegisterProducer(t)
	p.h.ConnectionMade(t)
}

// DataReceived implements Protocol.
func (p *LineProtocol) DataReceived(data []byte) {
	err := p.framer.Feed(data, func(line []byte) bool {
		p.h.LineReceived(line)
		return p.t.Connected() && !p.t.Disconnecting()
	})
	if err != nil && p.t.Connected() && !p.t.Disconnecting() {
		p.tooLong()
	}
}

// tooLong sends the error line and closes the connection. The transport's
// lingering close delivers the line even though the rest of the long line
// is still unread (a plain close would reset the connection and could
// destroy it on the way).
func (p *LineProtocol) tooLong() {
	max := p.framer.Max
	if max <= 0 {
		max = DefaultMaxLineLength
	}
	fmt.Fprintf(p.t, "error: line too long (the limit is %d bytes); closing the connection\n", max)
	p.t.loseConnection(fmt.Errorf("%w (limit %d bytes)", ErrLineTooLong, max))
}

// ConnectionLost implements Protocol.
func (p *LineProtocol) ConnectionLost(reason error) { p.h.ConnectionLost(reason) }
