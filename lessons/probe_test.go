package lessons

import (
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/visualizer"
)

func TestProbeDue(t *testing.T) {
	now := time.Unix(1000, 0)
	tests := []struct {
		name   string
		every  time.Duration
		last   time.Time
		paused bool
		delay  time.Duration
		want   bool
	}{
		{"no probes", 0, time.Time{}, false, 0, false},
		{"first probe", probeEvery, time.Time{}, false, 0, true},
		{"too soon", probeEvery, now.Add(-probeEvery / 2), false, 0, false},
		{"interval over", probeEvery, now.Add(-probeEvery), false, 0, true},
		{"paused: a step is one pass", probeEvery, time.Time{}, true, 0, false},
		{"slow motion: every pass is watched", probeEvery, time.Time{}, false, time.Second, false},
	}
	for _, tc := range tests {
		d := &Driver{probeEvery: tc.every, lastProbe: tc.last}
		d.paused.Store(tc.paused)
		d.delay.Store(int64(tc.delay))
		if got := d.probeDue(now); got != tc.want {
			t.Errorf("%s: probeDue() = %v; want %v", tc.name, got, tc.want)
		}
		if tc.want && !d.lastProbe.Equal(now) {
			t.Errorf("%s: lastProbe = %v after a probe; want %v", tc.name, d.lastProbe, now)
		}
	}
}

func TestProbesFor(t *testing.T) {
	tests := []struct {
		panes []visualizer.PaneID
		want  time.Duration
	}{
		{nil, 0},
		{[]visualizer.PaneID{visualizer.PaneReadiness, visualizer.PaneLoop}, 0},
		{[]visualizer.PaneID{visualizer.PaneReadiness, visualizer.PaneCost}, probeEvery},
	}
	for _, tc := range tests {
		if got := probesFor(tc.panes); got != tc.want {
			t.Errorf("probesFor(%v) = %v; want %v", tc.panes, got, tc.want)
		}
	}
}

// A scenario with the cost pane runs cost probes on its own: two passes in
// a row whose waits have timeout 0, even with no client doing anything.
func TestDriverRunsCostProbes(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll", Panes: []visualizer.PaneID{visualizer.PaneCost}})
	sub := d.Subscribe(1 << 12)
	defer sub.Close()
	var evs []reactor.TraceEvent
	zeros := 0 // timeout-0 waits in a row
	waitFor(t, "two timeout-0 waits in a row", func() bool {
		evs = sub.Drain(evs[:0])
		for _, ev := range evs {
			switch {
			case ev.Kind == reactor.KindOverflow:
				zeros = 0
			case ev.Kind == reactor.KindWaitStart && ev.Dur == 0:
				zeros++
			case ev.Kind == reactor.KindWaitStart:
				zeros = 0
			}
			if zeros >= 2 {
				return true
			}
		}
		return false
	})
}
