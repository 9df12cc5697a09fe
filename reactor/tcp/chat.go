package tcp

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// Chat room defaults.
const (
	DefaultChatMembers = 1000    // members a room admits; the next client is refused
	DefaultChatBacklog = 1 << 20 // bytes of unread chat a member may fall behind by

	// chatNewsEvery is how often, at most, joins and leaves are announced.
	chatNewsEvery = 100 * time.Millisecond
	// chatNamesShown is how many names an announcement lists.
	chatNamesShown = 5
)

// ErrFellBehind is the reason a chat member is dropped when more than the
// room's MaxBacklog of chat is waiting for it to read.
var ErrFellBehind = errors.New("tcp: chat member fell too far behind")

// ChatRoom is the shared state of the chat protocol: every line a member
// sends is relayed to all the others, prefixed with the sender's address.
// Loop goroutine only.
//
// A chat server is a classic target, so the room defends itself:
//
//   - What it relays is printable text. Control bytes (ESC sequences that
//     clear a screen or retitle a window, BEL, a "\r" that would let a
//     sender overwrite its own "addr: " prefix and pass for someone else)
//     and bytes that are not UTF-8 are shown escaped: "\x1b", "\r",
//     "\u202e". See appendPrintable.
//   - It admits MaxMembers; the next client gets one line saying the room
//     is full and is disconnected (a "refused" in the trace and the
//     counters).
//   - Joins and leaves are announced together, at most every 100 ms
//     ("* a, b and 38 others joined"). Telling every member of every join
//     at once would make N joins cost N² writes — two thousand clients
//     arriving would hold the loop for seconds; coalesced, a join costs the
//     loop O(1), and the announcements cost at most one line per member
//     per 100 ms however fast clients arrive.
//   - A member that does not read only grows its own backlog: the loop
//     never waits for it. One more than MaxBacklog behind is dropped
//     (ErrFellBehind); and a member with more than the high watermark
//     waiting is not read from until it catches up (LineProtocol).
type ChatRoom struct {
	MaxLine    int // per-line limit; 0 = DefaultMaxLineLength
	MaxMembers int // members admitted; 0 = DefaultChatMembers
	MaxBacklog int // unread bytes before a member is dropped; 0 = DefaultChatBacklog

	members  []*chatMember
	news     chatNews  // joins and leaves not yet announced
	newsDue  bool      // an announcement is scheduled
	lastNews time.Time // when the last one went out
	clock    chatClock // the loop, once the first member arrives
	msg      []byte    // the line being relayed, reused
}

// chatClock is what the room needs of its loop: a *reactor.Loop, or a fake
// clock in tests.
type chatClock interface {
	Now() time.Time
	CallLater(d time.Duration, fn func()) *reactor.Timer
}

// chatConn is what a member needs of its connection: a *Transport, or a
// counting fake in tests.
type chatConn interface {
	Write(p []byte) (int, error)
	BufferedBytes() int
	Connected() bool
	LoseConnection()
	drop(reason error)
}

type chatMember struct {
	room *ChatRoom
	c    chatConn
	name string
	idx  int // index in room.members; -1 while not in the room
}

// Factory returns a factory whose connections join the room.
func (r *ChatRoom) Factory() Factory {
	return FactoryFunc(func(remote net.Addr) Protocol {
		return NewLineProtocol(r.newMember(remote.String()), r.MaxLine)
	})
}

func (r *ChatRoom) newMember(name string) *chatMember {
	return &chatMember{room: r, name: name, idx: -1}
}

// Members returns how many clients are in the room.
func (r *ChatRoom) Members() int { return len(r.members) }

func (r *ChatRoom) maxMembers() int {
	if r.MaxMembers > 0 {
		return r.MaxMembers
	}
	return DefaultChatMembers
}

func (r *ChatRoom) maxBacklog() int {
	if r.MaxBacklog > 0 {
		return r.MaxBacklog
	}
	return DefaultChatBacklog
}

func (m *chatMember) ConnectionMade(t *Transport) {
	if m.room.clock == nil {
		m.room.clock = t.Loop()
	}
	if !m.room.join(m, t) {
		t.refused(fmt.Sprintf("chat room full (%d members)", m.room.maxMembers()))
	}
}

// join welcomes m, or turns it away with one line if the room is full.
// Its arrival is announced with the next batch of news.
func (r *ChatRoom) join(m *chatMember, c chatConn) bool {
	m.c = c
	if len(r.members) >= r.maxMembers() {
		fmt.Fprintf(c, "* sorry, the room is full (%d members, the most it takes); try again later\n", r.maxMembers())
		c.LoseConnection()
		return false
	}
	switch len(r.members) {
	case 1:
		fmt.Fprintf(c, "* welcome %s; 1 other here\n", m.name)
	default:
		fmt.Fprintf(c, "* welcome %s; %d others here\n", m.name, len(r.members))
	}
	m.idx = len(r.members)
	r.members = append(r.members, m)
	r.news.join(m)
	r.scheduleNews()
	return true
}

func (m *chatMember) LineReceived(line []byte) {
	r := m.room
	if m.idx < 0 {
		return // refused: nobody hears it
	}
	msg := append(r.msg[:0], m.name...)
	msg = append(msg, ": "...)
	msg = appendPrintable(msg, line)
	msg = append(msg, '\n')
	r.relay(m, msg)
	if cap(msg) > 64<<10 {
		msg = nil // one long line need not cost the room forever
	}
	r.msg = msg
}

// ConnectionLost takes m out of the room in O(1): the last member takes
// its slot. Its leaving is announced with the next batch of news.
func (m *chatMember) ConnectionLost(error) {
	r := m.room
	if m.idx < 0 {
		return
	}
	last := r.members[len(r.members)-1]
	r.members[m.idx], last.idx = last, m.idx
	r.members[len(r.members)-1] = nil
	r.members = r.members[:len(r.members)-1]
	m.idx = -1
	r.news.leave(m)
	r.scheduleNews()
}

// relay writes msg to every member but from. A member whose backlog would
// pass MaxBacklog is dropped instead.
func (r *ChatRoom) relay(from *chatMember, msg []byte) {
	limit := r.maxBacklog()
	for _, m := range r.members {
		if m == from || !m.c.Connected() {
			continue
		}
		if b := m.c.BufferedBytes(); b+len(msg) > limit {
			m.c.drop(fmt.Errorf("%w: %d bytes of chat unread, the limit is %d", ErrFellBehind, b, limit))
			continue
		}
		m.c.Write(msg)
	}
}

// scheduleNews makes sure the news goes out: on the next pass if the last
// announcement is at least chatNewsEvery old, else when it will be.
func (r *ChatRoom) scheduleNews() {
	if r.newsDue {
		return
	}
	r.newsDue = true
	wait := r.lastNews.Add(chatNewsEvery).Sub(r.clock.Now())
	r.clock.CallLater(max(wait, 0), r.announce)
}

// announce tells every member who joined and who left since last time, in
// one or two lines. A sole newcomer is not told of its own arrival (its
// welcome said enough); when several came together each sees the list.
func (r *ChatRoom) announce() {
	r.newsDue = false
	r.lastNews = r.clock.Now()
	msg := appendNames(r.msg[:0], r.news.joined, r.news.nJoined, "joined")
	joinedEnd := len(msg)
	msg = appendNames(msg, r.news.left, r.news.nLeft, "left")
	skip := r.news.joiner
	r.news.reset()
	r.relay(skip, msg)
	if skip != nil && skip.idx >= 0 && joinedEnd < len(msg) {
		skip.c.Write(msg[joinedEnd:]) // who left still concerns the newcomer
	}
	r.msg = msg
}

// chatNews is what is waiting to be announced: counts, and the first few
// names of each kind, so recording an arrival is O(1).
type chatNews struct {
	joined, left   []string
	nJoined, nLeft int
	joiner         *chatMember // the only one who joined, if only one did
}

func (n *chatNews) join(m *chatMember) {
	if n.nJoined < chatNamesShown {
		n.joined = append(n.joined, m.name)
	}
	n.nJoined++
	n.joiner = nil
	if n.nJoined == 1 {
		n.joiner = m
	}
}

func (n *chatNews) leave(m *chatMember) {
	if n.nLeft < chatNamesShown {
		n.left = append(n.left, m.name)
	}
	n.nLeft++
}

func (n *chatNews) reset() {
	*n = chatNews{joined: n.joined[:0], left: n.left[:0]}
}

// appendNames appends "* a joined", "* a and b joined", "* a, b, c, d, e
// and 37 others joined": one line, however many there were.
func appendNames(dst []byte, names []string, total int, verb string) []byte {
	if total == 0 {
		return dst
	}
	dst = append(dst, "* "...)
	for i, name := range names {
		switch {
		case i == 0:
		case i == len(names)-1 && total == len(names):
			dst = append(dst, " and "...)
		default:
			dst = append(dst, ", "...)
		}
		dst = append(dst, name...)
	}
	switch rest := total - len(names); {
	case rest == 1:
		dst = append(dst, " and 1 other"...)
	case rest > 1:
		dst = fmt.Appendf(dst, " and %d others", rest)
	}
	dst = append(dst, ' ')
	dst = append(dst, verb...)
	return append(dst, '\n')
}
