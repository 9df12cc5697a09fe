package lessons

import (
	"context"
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/visualizer"
)

// latest keeps the newest value of each (server, measure) from the trace.
type latest map[[2]string]int64

func (m latest) fold(evs []reactor.TraceEvent) {
	for _, ev := range evs {
		if ev.Kind == reactor.KindMetric && ev.Text != "" {
			m[[2]string{ev.Text, ev.Label}] = ev.N
		}
	}
}

func (m latest) get(server, measure string) (int64, bool) {
	v, ok := m[[2]string{server, measure}]
	return v, ok
}

// Lesson 13 runs both servers as children under the same load and reports
// each one's requests and syscalls by name (where ptrace is allowed), then
// memory per idle connection once idle connections are added; closing it
// ends the children and everything it started.
func TestComparisonReportsBothServers(t *testing.T) {
	checkNoLeaks(t)
	_, l, err := Find("go-net-is-a-reactor-too")
	if err != nil {
		t.Fatal(err)
	}
	live, err := l.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	cl := live.(compareLive)
	if !strings.Contains(live.Info(), "Go net: nc 127.0.0.1 ") {
		t.Errorf("Info() = %q; want both servers' nc commands", live.Info())
	}
	src := live.Subscribe(1 << 14)
	defer src.Close()
	m := latest{}
	var evs []reactor.TraceEvent
	counted := cl.c.traceErr == nil
	waitFor(t, "requests answered by both servers", func() bool {
		evs = src.Drain(evs[:0])
		m.fold(evs)
		r, _ := m.get("reactor", visualizer.MetricRequests)
		g, _ := m.get("go net", visualizer.MetricRequests)
		return r > 20 && g > 20
	})
	if counted {
		for _, c := range []struct{ server, call string }{
			{"reactor", "read"}, {"reactor", "sendto"}, {"go net", "read"}, {"go net", "write"}, {"go net", "epoll_pwait"},
		} {
			if n, _ := m.get(c.server, visualizer.MetricSyscall+c.call); n == 0 {
				t.Errorf("%s: no %s counted", c.server, c.call)
			}
		}
		// Go net's goroutine reads until EAGAIN, then parks: about one
		// EAGAIN per request; the reactor reads once per readiness.
		if e, _ := m.get("go net", visualizer.MetricEAGAIN); e == 0 {
			t.Errorf("go net: no EAGAIN counted; want its parking reads")
		}
	} else {
		t.Logf("syscalls not counted here: %v", cl.c.traceErr)
	}
	live.AddClients(50, false)
	waitFor(t, "memory per idle connection for both", func() bool {
		evs = src.Drain(evs[:0])
		m.fold(evs)
		_, r := m.get("reactor", visualizer.MetricMemPerIdle)
		_, g := m.get("go net", visualizer.MetricMemPerIdle)
		return r && g
	})
	if n, _ := m.get("go net", visualizer.MetricIdleConns); n != 50 {
		t.Errorf("go net idle conns = %d; want 50", n)
	}
	r, _ := m.get("reactor", visualizer.MetricMemPerIdle)
	g, _ := m.get("go net", visualizer.MetricMemPerIdle)
	if g < 2<<10 || g <= r {
		t.Errorf("memory per idle conn: reactor %d, go net %d bytes; want go net's (a goroutine and its buffer) above 2 KiB and above the reactor's", r, g)
	}
	live.DropClients()
	waitFor(t, "the load dropped", func() bool {
		evs = src.Drain(evs[:0])
		m.fold(evs)
		a, _ := m.get("go net", visualizer.MetricActiveConns)
		i, _ := m.get("go net", visualizer.MetricIdleConns)
		return a == 0 && i == 0
	})
	if err := live.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
	for _, s := range cl.c.servers {
		select {
		case <-s.exited:
		default:
			t.Errorf("the %s server still runs after Close", s.name)
		}
	}
}
