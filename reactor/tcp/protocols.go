package tcp

import (
	"fmt"
	"net"
	"slices"
	"time"
)

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

// ChatRoom is the shared state of the chat protocol: every line a member
// sends is broadcast to all the others. Loop goroutine only.
type ChatRoom struct {
	MaxLine int // per-line limit; 0 = DefaultMaxLineLength
	members []*chatMember
}

type chatMember struct {
	room *ChatRoom
	t    *Transport
	name string
}

// Factory returns a factory whose connections join the room.
func (r *ChatRoom) Factory() Factory {
	return FactoryFunc(func(remote net.Addr) Protocol {
		return NewLineProtocol(&chatMember{room: r, name: remote.String()}, r.MaxLine)
	})
}

// Members returns how many clients are in the room.
func (r *ChatRoom) Members() int { return len(r.members) }

func (m *chatMember) ConnectionMade(t *Transport) {
	m.t = t
	fmt.Fprintf(t, "* welcome %s; %d others here\n", m.name, len(m.room.members))
	m.room.broadcast(m, "* "+m.name+" joined\n")
	m.room.members = append(m.room.members, m)
}

func (m *chatMember) LineReceived(line []byte) {
	m.room.broadcast(m, m.name+": "+string(line)+"\n")
}

func (m *chatMember) ConnectionLost(error) {
	m.room.members = slices.DeleteFunc(m.room.members, func(x *chatMember) bool { return x == m })
	m.room.broadcast(m, "* "+m.name+" left\n")
}

// chatMaxBacklog is how much unsent chat a member may accumulate before it
// is dropped: a client that stops reading must not grow the server's memory
// without bound.
const chatMaxBacklog = 1 << 20

// broadcast writes msg to every member but from. A slow reader only grows
// its own buffer; the loop never waits for it, and one that falls too far
// behind is disconnected.
func (r *ChatRoom) broadcast(from *chatMember, msg string) {
	b := []byte(msg)
	for _, m := range r.members {
		if m == from || !m.t.Connected() {
			continue
		}
		m.t.Write(b)
		if m.t.BufferedBytes() > chatMaxBacklog {
			m.t.Abort()
		}
	}
}
