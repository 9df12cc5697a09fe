package visualizer

import (
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

func metric(server, label string, n int64) reactor.TraceEvent {
	return reactor.TraceEvent{Kind: reactor.KindMetric, Text: server, Label: label, N: n}
}

// report is one second's running totals of the two servers under 100
// requests a second: the reactor waits once, reads once and sends once
// per request; Go net's goroutine reads twice (the second read finds
// nothing: EAGAIN, and it parks) and the runtime adds futex calls.
func report(sec int64, idle int64) []reactor.TraceEvent {
	r, g := "reactor", "go net"
	evs := []reactor.TraceEvent{
		metric(r, MetricCounted, 1), metric(r, MetricRequests, 100*sec), metric(r, MetricSyscalls, 290*sec),
		metric(r, MetricSyscall+"epoll_wait", 90*sec), metric(r, MetricSyscall+"read", 100*sec),
		metric(r, MetricSyscall+"sendto", 100*sec), metric(r, MetricEAGAIN, 0),
		metric(r, MetricActiveConns, 10), metric(r, MetricIdleConns, idle), metric(r, MetricGoroutines, 3),
		metric(g, MetricCounted, 1), metric(g, MetricRequests, 100*sec), metric(g, MetricSyscalls, 410*sec),
		metric(g, MetricSyscall+"epoll_pwait", 95*sec), metric(g, MetricSyscall+"read", 200*sec),
		metric(g, MetricSyscall+"write", 100*sec), metric(g, MetricSyscall+"futex", 12*sec),
		metric(g, MetricSyscall+"nanosleep", 3*sec), metric(g, MetricEAGAIN, 100*sec),
		metric(g, MetricActiveConns, 10), metric(g, MetricIdleConns, idle), metric(g, MetricGoroutines, 12+idle),
	}
	if idle > 0 {
		evs = append(evs, metric(r, MetricMemPerIdle, 476), metric(r, MetricHeapPerIdle, 476), metric(r, MetricStackPerIdle, 0),
			metric(g, MetricMemPerIdle, 7100), metric(g, MetricHeapPerIdle, 4900), metric(g, MetricStackPerIdle, 2200))
	}
	return evs
}

// Per-request figures come from the difference between two reports, for
// each server in its own column, and the syscalls are listed by name,
// the most frequent first.
func TestCompareSideBySide(t *testing.T) {
	p := newCompare()
	got := viewOf(p, 60, 8)
	if !strings.Contains(got, "waiting for the first measurements") {
		t.Errorf("empty pane should say it waits:\n%s", got)
	}
	for sec := int64(1); sec <= 3; sec++ {
		p.Update(frameOf(t0.Add(time.Duration(sec)*time.Second), report(sec, 0)...))
	}
	got = viewOf(p, 60, 16)
	rowHas(t, got, " ", "reactor", "go net")
	rowHas(t, got, "requests/s", "100", "100")
	rowHas(t, got, "syscalls/request", "2.90", "4.10")
	rowHas(t, got, "  Go runtime's", "0.00", "0.15")
	rowHas(t, got, "  read ", "1.00", "2.00")
	rowHas(t, got, "  write ", "0.00", "1.00")
	rowHas(t, got, "  EAGAIN/request", "0.00", "1.00")
	rowHas(t, got, "memory/idle conn", "—", "—")
	if i, j := strings.Index(got, "  read "), strings.Index(got, "  futex"); i < 0 || j < i {
		t.Errorf("syscalls not by calls per request, most first:\n%s", got)
	}
	p.Update(frameOf(t0.Add(4*time.Second), report(4, 1000)...))
	got = viewOf(p, 60, 16)
	rowHas(t, got, "conns: load + idle", "10 + 1.0k", "10 + 1.0k")
	rowHas(t, got, "memory/idle conn", "476B", "6.9KiB")
	rowHas(t, got, "  stacks", "0", "2.1KiB")
	rowHas(t, got, "goroutines", "3", "1.0k")
}

// Where syscalls cannot be counted the pane says so instead of showing
// zeros.
func TestCompareNotCounted(t *testing.T) {
	p := newCompare()
	for sec := int64(1); sec <= 2; sec++ {
		evs := report(sec, 0)
		for i := range evs {
			if evs[i].Label == MetricCounted && evs[i].Text == "go net" {
				evs[i].N = 0
			}
		}
		p.Update(frameOf(t0.Add(time.Duration(sec)*time.Second), evs...))
	}
	rowHas(t, viewOf(p, 60, 14), "syscalls/request", "2.90", "n/a")
}

// compareScenario feeds eight seconds of reports, idle connections added
// at the sixth.
func compareScenario(live *fakeLive, m *App) {
	now := t0
	for f := 0; f < 8*30; f++ {
		now = now.Add(frameDur)
		if f%30 == 29 {
			sec := int64(f/30 + 1)
			idle := int64(0)
			if sec >= 6 {
				idle = 1000
			}
			live.src.push(report(sec, idle)...)
		}
		m.Update(tickMsg(now))
	}
}

func TestCompareView(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(itoa(sz.w)+"x"+itoa(sz.h), func(t *testing.T) {
			lessons := paneLesson(PaneCompare)
			m := openLesson(t, lessons, "panes", sz.w, sz.h)
			compareScenario(lessons[0].(*fakeLesson).live, m)
			got := m.View().Content
			checkSize(t, got, sz.w, sz.h)
			golden(t, got)
		})
	}
}
