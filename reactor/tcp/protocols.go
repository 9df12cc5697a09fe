package tcp

import "time"

// The built-in protocols bound what they queue for one client. Echo, Slow
// and every LineProtocol register their transport as its own producer: a
// client that sends but does not read the replies has its reading paused
// once more than the high watermark is queued for it, and resumed when it
// has read down to the low watermark. TCP flow control then stops the
// client, and its connection costs at most the high watermark plus the
// replies to one read. Discard queues nothing; chat bounds each member's
// backlog (see ChatRoom).

// Echo sends every byte back: the "hello world" of servers.
type Echo struct{ t *Transport }

// ConnectionMade implements Protocol.
func (e *Echo) ConnectionMade(t *Transport) {
	e.t = t
	t.RegisterProducer(t) // stop reading a client that does not read its echo
}

// DataReceived implements Protocol.
func (e *Echo) DataReceived(data []byte) { e.t.Write(data) }

// ConnectionLost implements Protocol.
func (e *Echo) ConnectionLost(error) {}

// Discard reads and throws everything away.
type Discard struct{}

// ConnectionMade implements Protocol.
func (Discard) ConnectionMade(*Transport) {}

// DataReceived implements Protocol.
func (Discard) DataReceived([]byte) {}

// ConnectionLost implements Protocol.
func (Discard) ConnectionLost(error) {}

// Slow echoes, but first blocks the whole loop for Delay on every chunk it
// receives: the classic mistake of doing slow work (a blocking call, a big
// computation) inside a callback. Every other connection waits too.
type Slow struct {
	Delay time.Duration
	t     *Transport
}

// ConnectionMade implements Protocol.
func (s *Slow) ConnectionMade(t *Transport) {
	s.t = t
	t.RegisterProducer(t)
}

// DataReceived implements Protocol. time.Sleep is the point here: it stands
// for any call that blocks the loop goroutine.
func (s *Slow) DataReceived(data []byte) {
	time.Sleep(s.Delay)
	s.t.Write(data)
}

// ConnectionLost implements Protocol.
func (s *Slow) ConnectionLost(error) {}
