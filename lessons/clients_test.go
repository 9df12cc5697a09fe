package lessons

import (
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/visualizer"
)

// latencyLog collects what a scenario's clients measured.
type latencyLog struct {
	d   *Driver
	evs []visualizer.LatencyEvent
}

func (l *latencyLog) drain() { l.evs = l.d.DrainLatency(l.evs) }

// count counts the events of kind k from group.
func (l *latencyLog) count(group string, k visualizer.LatencyKind) int {
	l.drain()
	n := 0
	for _, ev := range l.evs {
		if ev.Group == group && ev.Kind == k {
			n++
		}
	}
	return n
}

// Active clients time each request to its reply, by group: the typing
// clients the learner adds and a scenario's own groups, at their pace.
// Idle clients measure nothing; a client that hangs up says so.
func TestClientsTimeRequests(t *testing.T) {
	checkNoLeaks(t)
	fast := ClientGroup{Name: "fast", Count: 2, Every: 20 * time.Millisecond}
	d := startScenario(t, Scenario{Backend: "poll", ActiveClients: 1, IdleClients: 3, Clients: []ClientGroup{fast}})
	log := &latencyLog{d: d}
	waitFor(t, "replies timed in both groups", func() bool {
		return log.count("fast", visualizer.LatencyReply) >= 10 && log.count(typingGroup, visualizer.LatencyReply) >= 1
	})
	for _, ev := range log.evs {
		if ev.Group == "" {
			t.Fatalf("an event without a group: %+v (idle clients measure nothing)", ev)
		}
		if ev.Kind == visualizer.LatencyReply && (ev.Dur <= 0 || ev.At.IsZero()) {
			t.Errorf("reply %+v; want a positive duration and a time", ev)
		}
	}
	d.DropClients()
	waitFor(t, "every active client gone", func() bool {
		return log.count("fast", visualizer.LatencyGone) == 2 && log.count(typingGroup, visualizer.LatencyGone) == 1
	})
}

// dropBatch hangs up one batch of clients and leaves the others.
func TestClientsDropBatch(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll"})
	keep := d.clients.addGroup(ClientGroup{Name: "keep", Count: 2})
	drop := d.clients.addGroup(ClientGroup{Name: "drop", Count: 3})
	waitFor(t, "five clients", func() bool { return d.Stats().Watched == 6 })
	d.clients.dropBatch(drop)
	waitFor(t, "the batch gone", func() bool { return d.Stats().Watched == 3 })
	d.clients.dropBatch(keep)
	waitFor(t, "the other batch gone", func() bool { return d.Stats().Watched == 1 })
}

// A one-shot client asks once and leaves with its answer; one that hangs
// up leaves without it.
func TestClientsOnce(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll"})
	log := &latencyLog{d: d}
	d.clients.addGroup(ClientGroup{Name: "once", Count: 2, Once: true})
	d.clients.addGroup(ClientGroup{Name: "quitter", Count: 1, Once: true, HangUp: time.Millisecond})
	waitFor(t, "the one-shot clients gone", func() bool {
		return log.count("once", visualizer.LatencyGone) == 2 && log.count("quitter", visualizer.LatencyGone) == 1
	})
	if n := log.count("once", visualizer.LatencyReply); n != 2 {
		t.Errorf("one-shot clients timed %d replies; want 2, one each", n)
	}
	if n := log.count("quitter", visualizer.LatencyReply); n != 0 {
		t.Errorf("the client that hung up timed %d replies; want none", n)
	}
	waitFor(t, "their connections closed", func() bool { return d.Stats().Watched == 1 })
}
