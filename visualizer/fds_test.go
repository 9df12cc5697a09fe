package visualizer

import (
	"strings"
	"testing"
	"time"
)

// The fds pane shows the table's fill against the soft limit, the limit it
// was lowered from, and — with the EMFILE guard off — accept errors
// climbing per second.
func TestFDsPane(t *testing.T) {
	p := newFDs()
	p.SetSize(60, 5)
	if v := p.View(); !strings.Contains(v, "does not report") {
		t.Errorf("View() before any sample = %q; want it to say there is no fd table", v)
	}
	for i := range 11 {
		f := frameOf(t0.Add(time.Duration(i) * 100 * time.Millisecond))
		f.HasFDs = true
		f.FDs = FDTable{Open: 64, Soft: 64, Hard: 20000, Was: 20000, Listener: true,
			Accepted: 12, AcceptErrors: uint64(i) * 1000, Guard: false}
		p.Update(f)
	}
	v := p.View()
	for _, want := range []string{"open 64 of 64", "100%", "lowered from 20000", "hard 20000", "accept4 failed 10.0k (10.0k/s)", "reserve fd OFF"} {
		if !strings.Contains(v, want) {
			t.Errorf("View() lacks %q:\n%s", want, v)
		}
	}
}

func TestFillBar(t *testing.T) {
	tests := []struct {
		used  int
		limit uint64
		want  string
	}{
		{0, 100, "[··········] 0%"},
		{1, 100, "[█·········] 1%"},
		{50, 100, "[█████·····] 50%"},
		{120, 100, "[██████████] 100%"},
		{5, 0, ""},
	}
	for _, tt := range tests {
		if got := fillBar(tt.used, tt.limit, 10); got != tt.want {
			t.Errorf("fillBar(%d, %d, 10) = %q; want %q", tt.used, tt.limit, got, tt.want)
		}
	}
}

// The fds pane as lesson 7 shows it mid-spin, at the widths a lesson
// gives it at 80×24 and 120×40.
func TestFDsPaneView(t *testing.T) {
	for _, w := range []int{41, 69} {
		t.Run(itoa(w), func(t *testing.T) {
			p := newFDs()
			for i := range 11 {
				f := frameOf(t0.Add(time.Duration(i) * 100 * time.Millisecond))
				f.HasFDs = true
				f.FDs = FDTable{Open: 61, Soft: 61, Hard: 20000, Was: 20000, Listener: true,
					Accepted: 23, Refused: 1, AcceptErrors: uint64(i) * 16200}
				p.Update(f)
			}
			p.SetSize(w, 5)
			golden(t, p.View())
		})
	}
}
