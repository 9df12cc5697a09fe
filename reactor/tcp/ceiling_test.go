package tcp

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/reactor"
)

// Each non-reading echo client may hold up to its own bound, but not all
// of them together past the listener's output ceiling: the writes that
// would cross it reset their connections instead, with the reason in the
// trace and the count in the counters; the total never passes the
// ceiling, and drops to zero once the clients leave. Every backend.
func TestOutputCeiling(t *testing.T) {
	const ceiling = 256 << 10 // the clients could queue 6 × (64..128) KiB
	const clients = 6
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) {
			loop := startLoop(t, b)
			sub := loop.Subscribe(1 << 16)
			t.Cleanup(sub.Close)
			f, _ := NewFactory("echo", ProtocolOptions{})
			ln := listen(t, loop, f, WithOutputCeiling(ceiling))
			var floods []<-chan int64
			var conns []net.Conn
			for range clients {
				c := dial(t, ln.Addr())
				conns = append(conns, c)
				floods = append(floods, flood(c, make([]byte, 32<<10)))
			}
			// Settled: everyone accepted, and each either paused (its own
			// bound) or dropped at the ceiling.
			var c Counters
			waitFor(t, loop, "every client paused or dropped", func() bool {
				c = ln.Counters()
				if c.Accepted < clients {
					return false
				}
				for _, tr := range ln.Conns() {
					if !tr.ReadingPaused() {
						return false
					}
				}
				return true
			})
			if c.OverCeiling == 0 || c.QueuedPeak > ceiling {
				t.Errorf("counters %+v; want some connections over the ceiling and a peak of at most %d", c, ceiling)
			}
			evs := drainUntil(t, loop, sub, func(evs []reactor.TraceEvent) bool {
				for _, ev := range evs {
					if ev.Kind == reactor.KindClosed && strings.Contains(ev.Text, "output ceiling") {
						return true
					}
				}
				return false
			})
			for _, ev := range evs {
				if ev.Kind == reactor.KindClosed && strings.Contains(ev.Text, "output ceiling") && !strings.Contains(ev.Text, "limit of 262144") {
					t.Errorf("close reason %q; want it to name the limit", ev.Text)
				}
			}
			for _, c := range conns {
				c.Close()
			}
			for _, f := range floods {
				<-f
			}
			waitFor(t, loop, "every connection closed", func() bool { c = ln.Counters(); return c.Open == 0 })
			if c.Queued != 0 {
				t.Errorf("queued %d bytes after every client left; want 0", c.Queued)
			}
		})
	}
}

// A write over the ceiling reports it to the protocol that made it, and
// the protocol hears why its connection ended.
func TestOutputCeilingReason(t *testing.T) {
	loop := startLoop(t, "")
	r := newRecorder()
	var werr error
	r.onMade = func(tr *Transport) {
		_, werr = tr.Write(make([]byte, 8<<20)) // more than the socket takes at once
	}
	ln := listen(t, loop, one(r), WithOutputCeiling(64<<10))
	// The reset may come before net.Dial has seen its connection succeed.
	if c, err := net.DialTimeout("tcp", ln.Addr().String(), safety); err == nil {
		defer c.Close()
	}
	if err := waitErr(t, r.lost); !errors.Is(err, ErrOutputCeiling) || !errors.Is(werr, ErrOutputCeiling) {
		t.Errorf("Write = %v, ConnectionLost(%v); want both to match ErrOutputCeiling", werr, err)
	}
	if c := ln.Counters(); c.OverCeiling != 1 || c.Queued != 0 {
		t.Errorf("counters %+v; want 1 over the ceiling, nothing queued", c)
	}
}
