// Package backpressure is the solution to exercise 11_backpressure: a push
// producer that writes only while the connection has not paused it, and
// carries on where it stopped when the connection resumes it.
package backpressure

import (
	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
)

// Chunk is how many bytes the Streamer writes at a time.
const Chunk = 4096

// Conn is what the Streamer needs of a connection; *tcp.Transport has all
// of it. Write never blocks: what the socket cannot take at once is queued
// in the connection's output buffer (BufferedBytes), and a registered
// producer is paused when that buffer grows past the high watermark and
// resumed once it has drained to the low one.
type Conn interface {
	Write(p []byte) (int, error)
	BufferedBytes() int
	RegisterProducer(p tcp.Producer)
	UnregisterProducer()
	LoseConnection()
	Loop() *reactor.Loop
}

// Streamer sends a stream of bytes over a Conn as a push producer
// (tcp.Producer): it writes on its own initiative, as long as the
// connection lets it.
type Streamer struct {
	conn  Conn
	total int // bytes to send
	sent  int // bytes written so far
	buf   []byte

	paused   bool // the connection asked us to hold off
	stopped  bool // the connection is gone
	finished bool // everything was written and the connection closed
}

// Stream starts sending total bytes of the stream (see fill) over conn and
// returns at once; the rest goes out as the client reads. It registers the
// Streamer as conn's producer and writes only while it is not paused. Once
// everything is written it unregisters and closes the connection
// (LoseConnection: the buffered rest is sent first). Everything runs on the
// loop goroutine.
func Stream(conn Conn, total int) *Streamer {
	s := &Streamer{conn: conn, total: total, buf: make([]byte, Chunk)}
	// Register BEFORE the first write: the connection can only pause a
	// producer it knows. (If its buffer were already above the high
	// watermark, RegisterProducer would pause s at once, and produce would
	// write nothing until the resume.)
	conn.RegisterProducer(s)
	s.produce()
	return s
}

// produce writes the next chunks.
func (s *Streamer) produce() {
	// The flag is checked before EVERY write. The write that takes the
	// buffer past the high watermark calls PauseProducing from inside
	// Write, so s.paused is already true when Write returns, and the loop
	// stops right after it: the buffer holds at most the high watermark
	// plus one chunk. Nothing is written while paused.
	for !s.paused && !s.stopped && s.sent < s.total {
		n := min(Chunk, s.total-s.sent)
		fill(s.buf[:n], s.sent)
		if _, err := s.conn.Write(s.buf[:n]); err != nil {
			s.stopped = true // the connection is closed
			return
		}
		s.sent += n
	}
	if s.sent == s.total && !s.finished {
		s.finished = true
		s.conn.UnregisterProducer()
		s.conn.LoseConnection()
	}
}

// PauseProducing is called by the connection when its output buffer is
// above the high watermark: stop writing until ResumeProducing.
func (s *Streamer) PauseProducing() {
	// Only note it. Waiting here for the buffer to drain — sleeping,
	// spinning, a channel — would hold the loop, and the loop is what
	// drains the buffer. Nor do we schedule our own resume: only the
	// connection knows when it has drained to the low watermark.
	s.paused = true
}

// ResumeProducing is called by the connection once its output buffer has
// drained to the low watermark: write again.
func (s *Streamer) ResumeProducing() {
	// Clear the flag AND start writing again: nothing else would call
	// produce, and the stream would stall with an empty buffer. produce
	// picks up at s.sent, so no byte is skipped or sent twice.
	s.paused = false
	s.produce()
}

// StopProducing is called by the connection when it has closed: never
// write again.
func (s *Streamer) StopProducing() {
	s.stopped = true
}

// fill puts the stream's bytes from offset off into p: byte i of the
// stream is i mod 251, so the client can check every byte it receives.
func fill(p []byte, off int) {
	for i := range p {
		p[i] = byte((off + i) % 251)
	}
}
