package lessons

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
)

// startRoom starts lesson 12's room with no members, and a trace
// subscription.
func startRoom(t *testing.T) (*Driver, *roomServer, *reactor.Subscription) {
	t.Helper()
	checkNoLeaks(t)
	d, err := Start(context.Background(), Scenario{Server: Room, Injectors: []string{injSlowReader, injFlowControl, injDropSlow}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	sub := d.loop.Subscribe(1 << 16)
	t.Cleanup(sub.Close)
	return d, d.ext.(*roomServer), sub
}

// loopValue is fn's result, computed on the loop goroutine.
func loopValue[T any](d *Driver, fn func() T) T {
	var v T
	onLoop(d, func() { v = fn() })
	return v
}

// maxQueue is the longest write queue among the members.
func (r *roomServer) maxQueue() int {
	n := 0
	for _, m := range r.members {
		n = max(n, m.t.BufferedBytes())
	}
	return n
}

// Without flow control a slow member's queue grows far past the high
// watermark, and nobody pauses the bot.
func TestRoomWithoutFlowControl(t *testing.T) {
	d, r, sub := startRoom(t)
	if err := d.Inject(injSlowReader, true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the slow member's queue to pass 4× the high watermark", func() bool {
		return loopValue(d, r.maxQueue) > 4*tcp.DefaultHighWater
	})
	for _, ev := range sub.Drain(nil) {
		if ev.Kind == reactor.KindPaused && ev.Text == "producer" {
			t.Fatalf("a producer was paused with flow control off: %+v", ev)
		}
	}
}

// With flow control the slow member's transport pauses the bot above the
// high watermark and resumes it at the low one, and its queue stays near
// the high watermark.
func TestRoomFlowControl(t *testing.T) {
	d, r, sub := startRoom(t)
	if err := d.Inject(injFlowControl, true); err != nil || !d.InjectorOn(injFlowControl) {
		t.Fatalf("Inject(flow-control, on) = %v, InjectorOn = %v", err, d.InjectorOn(injFlowControl))
	}
	if err := d.Inject(injSlowReader, true); err != nil {
		t.Fatal(err)
	}
	var evs []reactor.TraceEvent
	seen := func(k reactor.Kind) bool {
		for _, ev := range evs {
			if ev.Kind == k && ev.Text == "producer" {
				return true
			}
		}
		return false
	}
	waitFor(t, "the bot paused, then resumed", func() bool {
		evs = sub.Drain(evs)
		return seen(reactor.KindPaused) && seen(reactor.KindResumed)
	})
	var peak int64
	for _, ev := range evs {
		if ev.Kind == reactor.KindWriteQueue {
			peak = max(peak, ev.N)
		}
	}
	// The burst that crosses the watermark goes out whole, plus the
	// greeting: never much more than one burst over.
	if limit := int64(tcp.DefaultHighWater + 2*feedChunk); peak > limit {
		t.Errorf("queue peaked at %d bytes with flow control on; want at most %d", peak, limit)
	}
	if got := loopValue(d, r.maxQueue); got > tcp.DefaultHighWater+2*feedChunk {
		t.Errorf("queue now %d; want near the watermarks", got)
	}
}

// Pausing loses nothing: a member that reads everything behind a small
// window gets the feed's lines in order, with no gap, across pauses.
func TestRoomFlowControlLosesNothing(t *testing.T) {
	d, _, sub := startRoom(t)
	d.Inject(injFlowControl, true)
	c, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rd := bufio.NewReader(c)
	if line, err := rd.ReadString('\n'); err != nil || !strings.HasPrefix(line, "* welcome") {
		t.Fatalf("greeting %q, %v", line, err)
	}
	prev := 0
	for i := 0; i < 8*feedChunk/feedLine; i++ { // eight bursts
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		n, ok := feedLineNumber(line)
		if !ok || (prev > 0 && n != prev+1) {
			t.Fatalf("line %d = %q; want feed line %d", i, line, prev+1)
		}
		prev = n
	}
	sub.Drain(nil)
}

// drop-slow hangs up on a member that falls too far behind and says so.
func TestRoomDropSlow(t *testing.T) {
	d, r, _ := startRoom(t)
	d.Inject(injDropSlow, true)
	d.Inject(injSlowReader, true)
	waitFor(t, "the slow member to join", func() bool { return loopValue(d, func() int { return len(r.members) }) == 1 })
	waitFor(t, "the slow member to be dropped", func() bool { return loopValue(d, func() int { return len(r.members) }) == 0 })
	select {
	case err := <-d.Errors():
		if !strings.Contains(err.Error(), "drop-slow hung up on") {
			t.Errorf("error = %v; want the drop-slow note", err)
		}
	default:
		t.Error("no note on the error line for the dropped member")
	}
}

// The safety cap stops the bot once the room holds that much, says so,
// and the queues stop growing.
func TestRoomSafetyCap(t *testing.T) {
	d, r, _ := startRoom(t)
	d.post(func() { r.safetyCap = 1 << 20 })
	d.Inject(injSlowReader, true)
	var err error
	waitFor(t, "the safety cap's note", func() bool {
		select {
		case err = <-d.Errors():
			return true
		default:
			return false
		}
	})
	if !strings.Contains(err.Error(), "safety cap: bot stopped") {
		t.Fatalf("error = %v; want the safety cap's note", err)
	}
	if q := loopValue(d, r.queued); q < 1<<20 || q > 1<<20+2*feedChunk {
		t.Errorf("queued %d bytes at the cap; want just over 1 MiB", q)
	}
	p1 := loopValue(d, func() int64 { return r.produced })
	t1 := loopValue(d, func() int { return r.ticks })
	waitFor(t, "five more turns of the bot", func() bool { return loopValue(d, func() int { return r.ticks }) >= t1+5 })
	if p2 := loopValue(d, func() int64 { return r.produced }); !loopValue(d, func() bool { return r.capped }) || p2 != p1 {
		t.Errorf("the bot wrote on after the cap (%d then %d bytes)", p1, p2)
	}
}

func TestFeedChunk(t *testing.T) {
	r := &roomServer{chunk: newFeedChunk()}
	r.seq = 99
	b := string(r.nextChunk())
	lines := strings.SplitAfter(b, "\n")
	if len(b) != feedChunk || len(lines) != feedChunk/feedLine+1 || lines[len(lines)-1] != "" {
		t.Fatalf("chunk of %d bytes in %d lines; want %d lines of %d bytes", len(b), len(lines)-1, feedChunk/feedLine, feedLine)
	}
	for i, l := range lines[:len(lines)-1] {
		if n, ok := feedLineNumber(l); !ok || n != 100+i || len(l) != feedLine {
			t.Fatalf("line %d = %q; want feed line %d, %d bytes", i, l, 100+i, feedLine)
		}
	}
}
