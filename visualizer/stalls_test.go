package visualizer

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/reactorlab/reactorlab/reactor"
)

// A Go function's full path, which the reactor gives a timer or an
// unlabelled handler, is cut to what fits a pane; a label is left alone.
func TestShortFunc(t *testing.T) {
	tests := []struct{ in, want string }{
		{"github.com/reactorlab/reactorlab/lessons.(*workServer).sweepTick-fm", "lessons.(*workServer).sweepTick"},
		{"main.tick", "main.tick"},
		{"cpu-bound handler (hashes for 500ms)", "cpu-bound handler (hashes for 500ms)"},
		{"work 127.0.0.1:4000", "work 127.0.0.1:4000"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := shortFunc(tt.in); got != tt.want {
			t.Errorf("shortFunc(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// After a stall, the timers it made late are followed by ones barely
// late: the pane keeps the worst of the last minute in view.
func TestStallsWorstLateTimer(t *testing.T) {
	p := newStalls()
	p.SetSize(100, 6)
	p.Update(&frameMsg{Now: t0, Events: []reactor.TraceEvent{
		{Kind: reactor.KindTimerFired, Label: "main.sweep", Dur: 2 * time.Second},
		{Kind: reactor.KindTimerFired, Label: "main.sweep", Dur: 20 * time.Millisecond},
	}})
	got := ansi.Strip(p.View())
	if !strings.Contains(got, "late timers: worst +2.00s · last +20ms main.sweep · 2 recently") {
		t.Errorf("View() lacks the worst late timer:\n%s", got)
	}
	p.Update(&frameMsg{Now: t0.Add(2 * longestWindow), Events: []reactor.TraceEvent{
		{Kind: reactor.KindTimerFired, Label: "main.sweep", Dur: 20 * time.Millisecond},
	}})
	if got := ansi.Strip(p.View()); !strings.Contains(got, "late timer +20ms main.sweep (3 late recently)") {
		t.Errorf("View() a minute later still shows the old worst:\n%s", got)
	}
}

// The pane at its smallest (two rows, as at 80×24) still names the
// handler blamed for the longest stall, which lessons 1, 3 and 8 point at;
// with more rows it keeps the lag line and the blame below it.
func TestStallsBlameAtTwoRows(t *testing.T) {
	p := newStalls()
	p.Update(&frameMsg{Now: t0, Events: []reactor.TraceEvent{
		{Kind: reactor.KindStall, Label: "blocking handler (sleeps 300ms)", Dur: 301 * time.Millisecond},
	}})
	p.SetSize(100, 2)
	if got := ansi.Strip(p.View()); !strings.Contains(got, "longest 301ms: blocking handler (sleeps 300ms) · stalls seen 1") {
		t.Errorf("two rows: View() does not name the stalled handler:\n%s", got)
	}
	p.SetSize(100, 3)
	got := ansi.Strip(p.View())
	for _, want := range []string{"stalls seen 1", "longest (1 min): 301ms blamed on blocking handler (sleeps 300ms)"} {
		if !strings.Contains(got, want) {
			t.Errorf("three rows: View() lacks %q:\n%s", want, got)
		}
	}
}
