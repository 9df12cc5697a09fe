package visualizer

import (
	"strings"
	"testing"
)

// TestCostLegendStar: the plot has three backends, so a '*' cell is where
// two or more of them meet — the legend must not call it "both" (the help
// screen says "several in one cell").
func TestCostLegendStar(t *testing.T) {
	p := newCostPlot()
	for _, be := range []string{"select", "poll", "epoll"} {
		p.add(be, 64, 2000) // all three on one cell: a '*'
	}
	p.SetSize(60, 10)
	got := p.View()
	if strings.Contains(got, "* both") {
		t.Errorf("cost legend says %q; want the '*' glyph described for three backends", "* both")
	}
	if !strings.Contains(got, "*") || !strings.Contains(got, "s select  p poll  e epoll  * ") {
		t.Errorf("cost legend lost its glyph list:\n%s", got)
	}
}
