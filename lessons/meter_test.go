package lessons

import (
	"testing"

	"github.com/reactorlab/reactorlab/visualizer"
)

// The driver measures its loop thread's CPU and, for the fds pane, the fd
// table and the listener's counts, all read from atomics.
func TestDriverMeters(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Server: Echo, ActiveClients: 2, Panes: []visualizer.PaneID{visualizer.PaneFDs}})
	waitFor(t, "the clients accepted and counted", func() bool {
		tab := d.FDTable()
		return tab.Accepted == 2 && tab.Open > 4 && tab.Soft > 0 && tab.Hard >= tab.Soft
	})
	if tab := d.FDTable(); !tab.Listener || !tab.Guard || tab.Was != 0 {
		t.Errorf("FDTable() = %+v; want the listener's counts, the guard on, the limit not lowered", tab)
	}
	waitFor(t, "some CPU measured", func() bool { return d.LoopCPU() > 0 })
}
