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

// Squeezed to two rows, the loop pane keeps its bottom line (passes/s,
// cpu) under the kernel strip, rather than strips alone.
func TestLoopPaneSqueezed(t *testing.T) {
	p := newLoopPane()
	p.Update(frameOf(t0))
	p.SetSize(70, 2)
	lines := strings.Split(p.View(), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "kernel") || !strings.HasPrefix(lines[1], "passes/s") {
		t.Errorf("View() at two rows = %q; want the kernel strip and the passes/s line", lines)
	}
}
