package lessons

import (
	"fmt"
	"net"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
	"github.com/reactorlab/reactorlab/visualizer"
	"golang.org/x/sys/unix"
)

// The scenario of lesson 12 (backpressure): a chat room with a feed bot
// that posts as fast as it can. Every 10 ms the bot broadcasts a 16 KiB
// burst of numbered lines to every member; members' own lines go to the
// others, as in any chat room. A member that reads slowly cannot take the
// feed, and what its socket refuses waits in its transport's write queue.
//
// The switches are the lesson:
//
//   - by default there is no flow control: the bot never looks, and a
//     slow member's queue (and the process's memory) grows without
//     bound — up to the lab's safety cap, where the bot stops itself so
//     the lab never runs away with the machine;
//   - "flow-control" (w): every member's transport gets the room as its
//     producer, with the transport's watermarks: above the high one the
//     transport pauses the bot, at the low one it resumes it. The bot
//     feeds everyone, so one slow member now holds the whole room back;
//   - "drop-slow" (d): a member more than dropSlowAt behind is hung up on,
//     as reactor/tcp's chat room does: the room goes on at full speed.

const (
	feedEvery  = 10 * time.Millisecond
	feedChunk  = 16 << 10 // one burst: 256 lines of 64 bytes
	feedLine   = 64
	roomCap    = 32 << 20 // the lab's safety cap on bytes queued in the whole room
	dropSlowAt = 1 << 20  // drop-slow hangs up on a member this far behind
	memEvery   = 500 * time.Millisecond
	// sndBuf is each member's kernel send buffer (SO_SNDBUF; Linux
	// doubles it). Left to autotuning it grows to megabytes, which hide a
	// slow reader for a while and make the kernel report the socket
	// writable again only once a third of them has drained: the queue
	// would pause the bot for a minute at a time. Small, the queue in the
	// transport is where the backlog shows, at once.
	sndBuf = 16 << 10
)

// roomServer is the scenario's server state. Loop goroutine only, except
// the switches, which the injectors flip from the UI goroutine.
type roomServer struct {
	loop    *reactor.Loop
	ln      *tcp.Listener
	report  func(error) // the driver's error line (attach)
	members []*roomMember
	feed    *reactor.Timer
	memory  *reactor.Timer
	chunk   []byte // the burst, rewritten in place with the next line numbers
	seq     int
	// produced is the bytes the bot has handed to transports: what it
	// wrote, whether the socket took it or it was queued.
	produced  int64
	ticks     int                  // the bot's turns
	pausedBy  map[*roomMember]bool // members whose transport has paused the bot
	capped    bool                 // the safety cap stopped the bot
	safetyCap int                  // roomCap; tests lower it
	flowOn    bool                 // flow control as applied to the members
	samples   []metrics.Sample

	flowControl atomic.Bool // w
	dropSlow    atomic.Bool // d
}

// roomMember is one connection in the room. It is also the producer its
// transport pauses and resumes when flow control is on: on behalf of the
// bot, which feeds every member at once.
type roomMember struct {
	r    *roomServer
	t    *tcp.Transport
	name string
}

// startRoomServer serves lesson 12's room on loop at addr. Call it before
// the loop runs.
func startRoomServer(loop *reactor.Loop, addr string) (*server, error) {
	r := &roomServer{loop: loop, report: func(error) {}, pausedBy: map[*roomMember]bool{}, safetyCap: roomCap,
		chunk: newFeedChunk(), samples: []metrics.Sample{
			{Name: "/memory/classes/total:bytes"},
			{Name: "/memory/classes/heap/released:bytes"},
			{Name: "/memory/classes/heap/objects:bytes"},
		}}
	f := tcp.FactoryFunc(func(remote net.Addr) tcp.Protocol {
		return tcp.NewLineProtocol(&roomMember{r: r, name: remote.String()}, 0)
	})
	ln, err := tcp.ListenTCP(loop, addr, f, tcp.WithLabel(string(Room)))
	if err != nil {
		return nil, err
	}
	r.ln = ln
	r.feed = loop.CallLater(feedEvery, r.tick)
	r.memory = loop.CallLater(0, r.reportMemory)
	closeFn := func() error {
		r.feed.Cancel()
		r.memory.Cancel()
		err := ln.Close()
		for _, t := range ln.Conns() {
			t.Abort()
		}
		return err
	}
	return &server{addr: ln.Addr().String(), close: closeFn, ext: r, session: roomSession,
		attach: func(d *Driver) { r.report = d.report }}, nil
}

// newFeedChunk builds the burst: 64-byte lines "feed 00000001 ....\n".
func newFeedChunk() []byte {
	b := make([]byte, feedChunk)
	for i := range b {
		b[i] = '.'
	}
	for i := feedLine - 1; i < len(b); i += feedLine {
		b[i] = '\n'
	}
	for i := 0; i < len(b); i += feedLine {
		copy(b[i:], "feed ")
		b[i+13] = ' '
	}
	return b
}

// nextChunk numbers the burst's lines on from the last one.
func (r *roomServer) nextChunk() []byte {
	for i := 0; i < len(r.chunk); i += feedLine {
		r.seq++
		n := r.seq
		for j := i + 12; j >= i+5; j-- {
			r.chunk[j] = byte('0' + n%10)
			n /= 10
		}
	}
	return r.chunk
}

// tick is the bot: one burst to every member, unless flow control has it
// paused or the safety cap has stopped it.
func (r *roomServer) tick() {
	r.feed.Reset(feedEvery)
	r.ticks++
	r.applySwitches()
	if len(r.pausedBy) > 0 || len(r.members) == 0 {
		return // paused: one full member holds up the whole room
	}
	queued := r.queued()
	if r.capped {
		if queued > r.safetyCap/2 {
			return
		}
		r.capped = false
	}
	if queued >= r.safetyCap {
		r.capped = true
		r.report(fmt.Errorf("safety cap: bot stopped at %d MiB queued (w, d or x to go on); a real server without flow control grows until it runs out of memory",
			queued>>20))
		return
	}
	chunk := r.nextChunk()
	drop := r.dropSlow.Load()
	for _, m := range r.members {
		if !m.t.Connected() || m.t.Disconnecting() {
			continue
		}
		m.t.Write(chunk)
		r.produced += int64(len(chunk))
		if drop && m.t.BufferedBytes() > dropSlowAt {
			r.report(fmt.Errorf("drop-slow hung up on %s: %d KiB behind the room (the bound is %d KiB)",
				m.name, m.t.BufferedBytes()>>10, dropSlowAt>>10))
			m.t.Abort()
		}
	}
}

// queued is the bytes waiting in every member's write queue.
func (r *roomServer) queued() int {
	n := 0
	for _, m := range r.members {
		n += m.t.BufferedBytes()
	}
	return n
}

// applySwitches makes the members' transports match the flow-control
// switch: with it on, each has the room as its producer.
func (r *roomServer) applySwitches() {
	on := r.flowControl.Load()
	if on == r.flowOn {
		return
	}
	r.flowOn = on
	clear(r.pausedBy)
	for _, m := range r.members {
		if on {
			m.t.RegisterProducer(m) // paused at once if already above the high watermark
		} else {
			m.t.UnregisterProducer()
		}
	}
}

// reportMemory puts what the process holds from the OS, and its heap, in
// the trace (KindMetric), with the bot's running total, every memEvery.
// runtime/metrics makes no syscall and stops nothing.
func (r *roomServer) reportMemory() {
	r.memory.Reset(memEvery)
	if !r.loop.Tracing() {
		return
	}
	metrics.Read(r.samples)
	val := func(i int) int64 {
		if r.samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return int64(r.samples[i].Value.Uint64())
	}
	r.loop.Trace(reactor.TraceEvent{Kind: reactor.KindMetric, Label: visualizer.MetricMemHeld, N: val(0) - val(1)})
	r.loop.Trace(reactor.TraceEvent{Kind: reactor.KindMetric, Label: visualizer.MetricMemHeap, N: val(2)})
	r.loop.Trace(reactor.TraceEvent{Kind: reactor.KindMetric, Label: visualizer.MetricProduced, N: r.produced})
}

// ConnectionMade implements tcp.LineHandler: the member joins (and, with
// flow control on, the room becomes its transport's producer).
func (m *roomMember) ConnectionMade(t *tcp.Transport) {
	m.t = t
	if err := unix.SetsockoptInt(t.Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, sndBuf); err != nil {
		m.r.report(fmt.Errorf("room: setsockopt(SO_SNDBUF) for %s: %w", m.name, err))
	}
	fmt.Fprintf(t, "* welcome %s; %d others here, and a bot that never stops talking\n", m.name, len(m.r.members))
	m.r.members = append(m.r.members, m)
	// reactor/tcp's line protocol makes each transport its own producer
	// (a client whose replies pile up is not read from). The room puts
	// its own flow control in that place, or none: the lesson's switch.
	if m.r.flowOn {
		t.RegisterProducer(m)
	} else {
		t.UnregisterProducer()
	}
}

// LineReceived implements tcp.LineHandler: the line goes to the others.
func (m *roomMember) LineReceived(line []byte) {
	msg := []byte(m.name + ": " + string(line) + "\n")
	for _, o := range m.r.members {
		if o != m && o.t.Connected() && !o.t.Disconnecting() {
			o.t.Write(msg)
		}
	}
}

// ConnectionLost implements tcp.LineHandler: the member leaves, and no
// longer holds the bot back.
func (m *roomMember) ConnectionLost(error) {
	for i, o := range m.r.members {
		if o == m {
			m.r.members = append(m.r.members[:i], m.r.members[i+1:]...)
			break
		}
	}
	delete(m.r.pausedBy, m)
}

// PauseProducing implements tcp.Producer: this member's queue is above
// the high watermark, so the bot waits.
func (m *roomMember) PauseProducing() { m.r.pausedBy[m] = true }

// ResumeProducing implements tcp.Producer: drained to the low watermark.
func (m *roomMember) ResumeProducing() { delete(m.r.pausedBy, m) }

// StopProducing implements tcp.Producer: the connection is closing.
func (m *roomMember) StopProducing() { delete(m.r.pausedBy, m) }

// feedLineNumber reads the number of a feed line ("feed 00000042 ...").
func feedLineNumber(line string) (int, bool) {
	if len(line) < 13 || line[:5] != "feed " {
		return 0, false
	}
	n, err := strconv.Atoi(line[5:13])
	return n, err == nil
}
