package visualizer

import (
	"slices"
	"testing"
)

// setShown lays out the named panes in the order named, hides the
// others without counting them as cut, and nil shows all again.
func TestSetShown(t *testing.T) {
	v := newLiveView(newConfig(nil), newFakeLive(), []PaneID{PaneReadiness, PaneLoop, PaneCounters}, nil, nil)
	v.setShown([]PaneID{PaneCounters, PaneReadiness})
	v.SetSize(100, 30)
	rd, lp, ct := v.layout[0], v.layout[1], v.layout[2]
	if lp.w != 0 || lp.h != 0 {
		t.Errorf("loop pane laid out at %+v; want hidden", lp)
	}
	if ct.h == 0 || rd.h == 0 || ct.y >= rd.y {
		t.Errorf("counters at %+v, readiness at %+v; want both shown, counters on top", ct, rd)
	}
	if v.hidden != 0 {
		t.Errorf("hidden = %d; want 0 (chosen, not cut)", v.hidden)
	}
	v.setShown(nil)
	v.SetSize(100, 30)
	if got := v.visible(); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("visible() with nil = %v; want every pane in order", got)
	}
}
