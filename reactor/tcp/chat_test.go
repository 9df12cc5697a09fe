package tcp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// readLineWith reads lines from r until one contains every substring.
func readLineWith(t *testing.T, r *bufio.Reader, substrs ...string) string {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading for a line with %q: %v", substrs, err)
		}
		all := true
		for _, s := range substrs {
			all = all && strings.Contains(line, s)
		}
		if all {
			return line
		}
	}
}

// A member's escape sequences, bells, carriage returns and broken UTF-8
// reach the others escaped, on one line behind the sender's own prefix:
// nobody can clear another's screen or pass for someone else.
func TestChatRelaysPrintableText(t *testing.T) {
	loop := startLoop(t, "")
	room := &ChatRoom{}
	ln := listen(t, loop, room.Factory())
	a := dial(t, ln.Addr())
	ra := bufio.NewReader(a)
	readLineWith(t, ra, "welcome")
	b := dial(t, ln.Addr())
	rb := bufio.NewReader(b)
	readLineWith(t, rb, "welcome")
	readLineWith(t, ra, b.LocalAddr().String(), "joined") // b is in the room

	var sent bytes.Buffer
	for _, tc := range nastyLines {
		sent.WriteString(tc.in + "\n")
	}
	sent.WriteString("ends with a carriage return\r\r\n") // the framer takes one "\r\n"
	if _, err := a.Write(sent.Bytes()); err != nil {
		t.Fatal(err)
	}
	prefix := a.LocalAddr().String() + ": "
	// b may first hear of a and b joining together: the room's own lines
	// start with "* ", a member's with its address.
	next := func() (string, error) {
		for {
			line, err := rb.ReadString('\n')
			if err != nil || !strings.HasPrefix(line, "* ") {
				return line, err
			}
		}
	}
	for _, tc := range nastyLines {
		line, err := next()
		if want := prefix + tc.want + "\n"; line != want || err != nil {
			t.Errorf("%s: the other member read %q, %v; want %q", tc.name, line, err, want)
		}
	}
	if line, _ := next(); line != prefix+`ends with a carriage return\r`+"\n" {
		t.Errorf("the other member read %q; want the inner \\r escaped", line)
	}
}

// Past MaxMembers a client gets one line saying the room is full and is
// disconnected; the refusal is counted and traced, and the members are
// not disturbed.
func TestChatRoomFull(t *testing.T) {
	loop := startLoop(t, "")
	sub := loop.Subscribe(4096)
	t.Cleanup(sub.Close)
	room := &ChatRoom{MaxMembers: 2}
	ln := listen(t, loop, room.Factory())
	a, b := dial(t, ln.Addr()), dial(t, ln.Addr())
	ra := bufio.NewReader(a)
	readLineWith(t, ra, b.LocalAddr().String(), "joined")

	c := dial(t, ln.Addr())
	got, err := io.ReadAll(c)
	if want := "* sorry, the room is full (2 members, the most it takes); try again later\n"; string(got) != want || err != nil {
		t.Errorf("the third client read %q, %v; want %q then EOF", got, err, want)
	}
	drainUntil(t, loop, sub, func(evs []reactor.TraceEvent) bool {
		for _, ev := range evs {
			if ev.Kind == reactor.KindRefused && ev.Text == "chat room full (2 members)" {
				return true
			}
		}
		return false
	})
	var members int
	onLoop(loop, func() { members = room.Members() })
	if cs := ln.Counters(); cs.Refused != 1 || members != 2 {
		t.Errorf("refused %d, members %d; want 1 refused and the 2 members still in", cs.Refused, members)
	}
	b.Write([]byte("still here\n"))
	if line := readLineWith(t, ra, "still here"); line != b.LocalAddr().String()+": still here\n" {
		t.Errorf("a member read %q after the refusal; want b's line and nothing about the refused client", line)
	}
}

// fakeClock is the room's clock in tests: time moves only when the test
// says, and due timers run in order as it does.
type fakeClock struct {
	now    time.Time
	timers []fakeTimer
	fired  int
}

type fakeTimer struct {
	at time.Time
	fn func()
}

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) CallLater(d time.Duration, fn func()) *reactor.Timer {
	c.timers = append(c.timers, fakeTimer{c.now.Add(d), fn})
	return nil
}

// advance moves the clock on by d, running every timer that comes due.
func (c *fakeClock) advance(d time.Duration) {
	end := c.now.Add(d)
	for {
		next := -1
		for i, tm := range c.timers {
			if !tm.at.After(end) && (next < 0 || tm.at.Before(c.timers[next].at)) {
				next = i
			}
		}
		if next < 0 {
			break
		}
		tm := c.timers[next]
		c.timers = append(c.timers[:next], c.timers[next+1:]...)
		if tm.at.After(c.now) {
			c.now = tm.at
		}
		c.fired++
		tm.fn()
	}
	c.now = end
}

// fakeChatConn stands for a member's transport and counts what it is
// asked to do. A stuck one never sends: everything written stays queued.
type fakeChatConn struct {
	keep   bool // keep what is written in got
	got    []byte
	writes int
	stuck  bool
	queued int
	closed bool
	reason error
}

func (f *fakeChatConn) Write(p []byte) (int, error) {
	if f.closed {
		return 0, ErrClosed
	}
	f.writes++
	if f.keep {
		f.got = append(f.got, p...)
	}
	if f.stuck {
		f.queued += len(p)
	}
	return len(p), nil
}

func (f *fakeChatConn) BufferedBytes() int { return f.queued }
func (f *fakeChatConn) Connected() bool    { return !f.closed }
func (f *fakeChatConn) LoseConnection()    { f.closed = true }
func (f *fakeChatConn) drop(reason error)  { f.closed, f.reason = true, reason }

// fakeRoom makes a room on a fake clock.
func fakeRoom(r *ChatRoom) (*ChatRoom, *fakeClock) {
	clock := &fakeClock{now: time.Unix(1e9, 0)}
	r.clock = clock
	return r, clock
}

// newsCount adds up the members an announcement line names: "* a joined",
// "* a and b joined", "* a, b, c, d, e and 37 others joined".
func newsCount(t *testing.T, line, verb string) int {
	t.Helper()
	body, ok := strings.CutPrefix(line, "* ")
	if !ok {
		return 0
	}
	body, ok = strings.CutSuffix(body, " "+verb)
	if !ok {
		return 0
	}
	n := 0
	if names, others, ok := strings.Cut(body, " and "); ok {
		n = len(strings.Split(names, ", "))
		if rest, ok := strings.CutSuffix(others, " others"); ok {
			k, err := strconv.Atoi(rest)
			if err != nil {
				t.Fatalf("announcement %q: %v", line, err)
			}
			return n + k
		}
		if rest, ok := strings.CutSuffix(others, " other"); ok && rest == "1" {
			return n + 1
		}
		return n + 1 // "a, b and c": c is a name
	}
	return 1
}

// Thousands of members arriving must not cost the loop N² writes. Joins
// are announced together, at most every chatNewsEvery, so a burst of
// arrivals costs one announcement per member, and a steady trickle at
// most one per member per interval — while every member still learns of
// every arrival and departure exactly once. Counted on fake connections,
// not timed.
func TestChatJoinsCoalesce(t *testing.T) {
	const n = 3000
	totalWrites := func(cs []*fakeChatConn) (w int) {
		for _, c := range cs {
			w += c.writes
		}
		return w
	}
	t.Run("burst", func(t *testing.T) {
		room, clock := fakeRoom(&ChatRoom{MaxMembers: n})
		conns := make([]*fakeChatConn, n)
		for i := range n {
			conns[i] = &fakeChatConn{keep: i == 0}
			if !room.join(room.newMember(fmt.Sprintf("m%d", i)), conns[i]) {
				t.Fatalf("member %d refused", i)
			}
		}
		if w := totalWrites(conns); w != n {
			t.Fatalf("%d writes for %d arrivals before any announcement; want one welcome each", w, n)
		}
		clock.advance(chatNewsEvery)
		if w := totalWrites(conns) - n; w != n {
			t.Errorf("%d writes to announce %d arrivals together; want %d, one per member", w, n, n)
		}
		want := fmt.Sprintf("* welcome m0; 0 others here\n* m0, m1, m2, m3, m4 and %d others joined\n", n-5)
		if got := string(conns[0].got); got != want {
			t.Errorf("the first member read %q; want %q", got, want)
		}
	})
	t.Run("trickle", func(t *testing.T) {
		room, clock := fakeRoom(&ChatRoom{MaxMembers: n})
		conns := make([]*fakeChatConn, n)
		members := make([]*chatMember, n)
		start := clock.now
		for i := range n {
			conns[i] = &fakeChatConn{keep: i == 0}
			members[i] = room.newMember(fmt.Sprintf("m%d", i))
			room.join(members[i], conns[i])
			clock.advance(time.Millisecond) // a new client every millisecond
		}
		// Then they leave, one every millisecond, the first one last.
		for i := n - 1; i >= 1; i-- {
			members[i].ConnectionLost(ErrConnectionDone)
			conns[i].closed = true
			clock.advance(time.Millisecond)
			if i%500 == 0 {
				checkRoomIndex(t, room)
			}
		}
		clock.advance(chatNewsEvery)
		elapsed := clock.now.Sub(start)
		announcements := clock.fired
		if most := int(elapsed/chatNewsEvery) + 1; announcements > most {
			t.Errorf("%d announcements in %s; want at most %d, one per %s", announcements, elapsed, most, chatNewsEvery)
		}
		// Each announcement writes at most one line per member in the room.
		if w, most := totalWrites(conns)-n, announcements*n; w > most {
			t.Errorf("%d writes for the news of %d arrivals and departures; want at most %d", w, 2*n-1, most)
		}
		joined, left := 0, 0
		for _, line := range strings.SplitAfter(string(conns[0].got), "\n") {
			joined += newsCount(t, line, "joined\n")
			left += newsCount(t, line, "left\n")
		}
		if joined != n-1 || left != n-1 || room.Members() != 1 {
			t.Errorf("the first member heard of %d arrivals and %d departures, %d left in the room; want %d, %d, 1", joined, left, room.Members(), n-1, n-1)
		}
	})
}

// checkRoomIndex checks that every member knows its slot in the room.
func checkRoomIndex(t *testing.T, r *ChatRoom) {
	t.Helper()
	for i, m := range r.members {
		if m.idx != i {
			t.Fatalf("member %s at slot %d thinks it is at %d", m.name, i, m.idx)
		}
	}
}

// A member that stops reading only grows its own backlog; once the next
// line would take it past MaxBacklog it is dropped with ErrFellBehind,
// and the members who read carry on.
func TestChatDropsAMemberTooFarBehind(t *testing.T) {
	room, clock := fakeRoom(&ChatRoom{MaxBacklog: 1000})
	talker, reader, stuck := &fakeChatConn{}, &fakeChatConn{keep: true}, &fakeChatConn{stuck: true}
	mt := room.newMember("talker")
	room.join(mt, talker)
	room.join(room.newMember("reader"), reader)
	room.join(room.newMember("stuck"), stuck)
	clock.advance(chatNewsEvery)
	line := bytes.Repeat([]byte("x"), 92) // 100 bytes relayed: "talker: " + 92
	for range 20 {
		mt.LineReceived(line)
	}
	if !errors.Is(stuck.reason, ErrFellBehind) || stuck.queued > 1000 {
		t.Errorf("the stuck member: dropped with %v, %d bytes queued; want ErrFellBehind with at most 1000 queued", stuck.reason, stuck.queued)
	}
	if n := bytes.Count(reader.got, []byte("talker: ")); n != 20 || reader.closed {
		t.Errorf("the reading member got %d lines (closed %v); want all 20", n, reader.closed)
	}
}

// FuzzChatInput feeds a member's input, in two chunks, through the line
// framer into the room, as LineProtocol does. Whatever the bytes, nothing
// panics, the framer holds at most one line, and every line another
// member receives is one line of printable UTF-8 behind the sender's
// prefix — one for each line the sender completed.
func FuzzChatInput(f *testing.F) {
	for _, tc := range nastyLines {
		f.Add([]byte(tc.in+"\n"), uint16(len(tc.in)/2))
	}
	f.Add([]byte("a\r\nb\rc\n\x1b[2J\r\n\xff"), uint16(3))
	f.Add(bytes.Repeat([]byte("\x1b"), 80), uint16(40))
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		const maxLine = 64
		room, _ := fakeRoom(&ChatRoom{MaxLine: maxLine})
		from, to := &fakeChatConn{}, &fakeChatConn{keep: true}
		sender := room.newMember("10.0.0.1:1")
		room.join(sender, from)
		room.join(room.newMember("10.0.0.2:2"), to)
		to.got = to.got[:0]

		framer := LineFramer{Max: maxLine}
		lines := 0
		k := int(split) % (len(data) + 1)
		for _, chunk := range [][]byte{data[:k], data[k:]} {
			err := framer.Feed(chunk, func(line []byte) bool {
				lines++
				sender.LineReceived(line)
				return true
			})
			if framer.Buffered() > maxLine+1 {
				t.Fatalf("the framer holds %d bytes; want at most %d", framer.Buffered(), maxLine+1)
			}
			if err != nil {
				break // LineProtocol closes the connection here
			}
		}
		got := strings.SplitAfter(string(to.got), "\n")
		got = got[:len(got)-1] // after the last "\n"
		if len(got) != lines || len(to.got) > 0 && to.got[len(to.got)-1] != '\n' {
			t.Fatalf("%d lines relayed for %d sent: %q", len(got), lines, to.got)
		}
		for _, line := range got {
			text, ok := strings.CutPrefix(line, "10.0.0.1:1: ")
			if !ok {
				t.Fatalf("relayed %q; want the sender's prefix first", line)
			}
			text = strings.TrimSuffix(text, "\n")
			checkPrintable(t, "relayed line", text)
			if again := string(appendPrintable(nil, []byte(text))); again != text {
				t.Fatalf("escaping %q again gave %q; want it unchanged", text, again)
			}
		}
	})
}
