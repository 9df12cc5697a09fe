package lessons

import (
	"testing"

	"github.com/reactorlab/reactorlab/visualizer"
)

// Clients counts what a demo's "clients N" waits on: clients on their
// way are alive, not yet connected; a drop forgets its clients at once,
// before their goroutines have noticed; the cap is reported.
func TestDriverCountsClients(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll"})
	d.clients.max = 40
	d.AddClients(30, false)
	if c := d.Clients(); c.Alive != 30 || c.Connected > 30 || c.Most != 40 {
		t.Errorf("right after adding 30: %+v; want 30 alive, at most 30 connected, cap 40", c)
	}
	waitFor(t, "30 clients to connect", func() bool { return d.Clients().Connected == 30 })
	d.DropClients()
	if c := d.Clients(); c.Connected != 0 {
		t.Errorf("right after a drop: %+v; want none connected", c)
	}
	waitFor(t, "the dropped clients to finish", func() bool { return d.Clients() == visualizer.ClientCount{Most: 40} })
}
