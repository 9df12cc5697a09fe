package visualizer

import (
	"strings"
	"testing"
	"time"
)

// With a CPUSource the loop pane shows the loop's CPU as a share of one
// core, next to passes/s; without one it shows no CPU at all.
func TestLoopPaneCPU(t *testing.T) {
	for _, tc := range []struct {
		has  bool
		want string
	}{{true, "cpu 50%"}, {false, ""}} {
		p := newLoopPane()
		for i := range 11 {
			f := frameOf(t0.Add(time.Duration(i) * 100 * time.Millisecond))
			f.HasCPU, f.CPU = tc.has, time.Duration(i)*50*time.Millisecond // half of every 100 ms
			p.Update(f)
		}
		p.SetSize(70, 5)
		v := p.View()
		if tc.want != "" && !strings.Contains(v, tc.want) {
			t.Errorf("View() lacks %q:\n%s", tc.want, v)
		}
		if tc.want == "" && strings.Contains(v, "cpu") {
			t.Errorf("View() shows a CPU share without a CPUSource:\n%s", v)
		}
	}
}
