package lessons

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

// Closing a connection's fd behind poll's back: poll reports POLLNVAL
// (the trace says err|nval), the connection is closed for good (its
// client sees the end), and the loop reports the mistake. On epoll the
// injector refuses, with the way out.
func TestCloseBehindBack(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll", Server: Echo, Injectors: []string{injCloseBehind}})
	sub := d.Subscribe(1 << 12)
	defer sub.Close()
	c, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	waitFor(t, "the connection watched", func() bool { return d.Stats().Watched == 2 })
	if err := d.Inject(injCloseBehind, true); err != nil {
		t.Fatal(err)
	}
	var evs []reactor.TraceEvent
	var nval, said bool
	waitFor(t, "POLLNVAL and the report", func() bool {
		evs = sub.Drain(evs[:0])
		for _, ev := range evs {
			nval = nval || ev.Kind == reactor.KindReady && ev.Ready&reactor.Invalid != 0
			said = said || ev.Kind == reactor.KindError && strings.Contains(ev.Text, closedFirst)
		}
		return nval && said
	})
	c.SetReadDeadline(time.Now().Add(10 * time.Second)) // a bound, not a measurement
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Errorf("client read after its server fd was closed: nil error; want the end of the connection")
	}
	if w := d.Stats().Watched; w != 1 {
		t.Errorf("Watched = %d after the closed fd was reported; want 1 (the listener)", w)
	}

	d.SwitchBackend("epoll")
	d.sync()
	if d.Backend() != "epoll" {
		t.Skip("no epoll here")
	}
	var got error
	onLoop(d, func() { got = d.closeBehindBack() })
	if got == nil || !strings.Contains(got.Error(), "press b for poll or select") {
		t.Errorf("closeBehindBack on epoll = %v; want a refusal naming the way out", got)
	}
}

// The fd-limit switch lowers the soft limit to leave lowerBy fds free and
// puts it back when switched off — and when the scenario closes with it on.
func TestSetFDLimit(t *testing.T) {
	checkNoLeaks(t)
	var before unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &before); err != nil {
		t.Fatal(err)
	}
	for _, closeOn := range []bool{false, true} {
		d, err := Start(t.Context(), Scenario{Server: Echo, Injectors: []string{injFDLimit}})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Inject(injFDLimit, true); err != nil {
			t.Fatal(err)
		}
		d.sync()
		var now unix.Rlimit
		unix.Getrlimit(unix.RLIMIT_NOFILE, &now)
		if !d.InjectorOn(injFDLimit) || now.Cur >= before.Cur || now.Max != before.Max {
			t.Errorf("fd-limit on: InjectorOn %v, limit %d/%d; want on, a soft limit below %d, the hard one kept",
				d.InjectorOn(injFDLimit), now.Cur, now.Max, before.Cur)
		}
		if tab := d.FDTable(); tab.Was != before.Cur {
			t.Errorf("FDTable().Was = %d; want %d", tab.Was, before.Cur)
		}
		if !closeOn {
			if err := d.Inject(injFDLimit, false); err != nil {
				t.Fatal(err)
			}
			d.sync()
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		unix.Getrlimit(unix.RLIMIT_NOFILE, &now)
		if now != before {
			t.Errorf("closed with the switch on: %v; limit %+v; want %+v back", closeOn, now, before)
		}
	}
}
