package visualizer

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
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

// A status line too long for the width (80 columns) puts the info, with
// the nc command a lesson's prose points at, on the row below, which is
// free while no error shows; a state too long for a row wraps onto it,
// so every injector ON is on screen; an error takes that row back.
func TestStatusRows(t *testing.T) {
	live := newFakeLive()
	v := newLiveView(newConfig(nil), live, []PaneID{PaneReadiness}, nil, nil)
	rows := func(w int) []string {
		v.SetSize(w, 24)
		lines := strings.Split(ansi.Strip(v.View()), "\n")
		return []string{strings.TrimSpace(lines[0]), strings.TrimSpace(lines[1])}
	}
	if got := rows(120); got[0] != "[backend -] "+live.Info() || got[1] != "" {
		t.Errorf("at 120 columns the status rows are %q; want state and info on one row", got)
	}
	if got := rows(60); got[0] != "[backend -]" || got[1] != live.Info() {
		t.Errorf("at 60 columns the status rows are %q; want the state, then the info whole", got)
	}
	v.on = []string{"rearm", "dup-trap", "dereg-first"}
	got := rows(40)
	if got[0] != "[backend - · rearm ON · dup-trap ON ·" || !strings.HasPrefix(got[1], "dereg-first ON] echo server") {
		t.Errorf("with a state wider than the view, the status rows are %q; want the state and info wrapped over both", got)
	}
	v.on = nil
	v.errs = append(v.errs, errLine{text: "reactor: fd 1024 >= FD_SETSIZE"})
	if got := rows(60); !strings.HasPrefix(got[0], "[backend -] echo") || !strings.HasPrefix(got[1], "✗ ERROR: reactor: fd 1024") {
		t.Errorf("with an error showing, the status rows are %q; want the info cut short and the error below", got)
	}
}
