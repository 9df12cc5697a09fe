package visualizer

import (
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/reactor"
)

// Squeezed to two rows, the counters pane drops its headings and shows
// the wait and the ctl calls: the pair lesson 5 compares.
func TestCountersSqueezed(t *testing.T) {
	p := newCounters()
	f := frameOf(t0)
	f.Backend = "epoll"
	f.Stats = reactor.Stats{WaitCalls: 120, CtlCalls: 7}
	p.Update(f)
	p.SetSize(50, 2)
	got := p.View()
	for _, want := range []string{"epoll_wait()", "120", "epoll_ctl()", "7"} {
		if !strings.Contains(got, want) {
			t.Errorf("View() at two rows lacks %q:\n%s", want, got)
		}
	}
	p.SetSize(50, 6)
	if got := p.View(); !strings.Contains(got, "total") {
		t.Errorf("View() with room lacks its headings:\n%s", got)
	}
}

// The wait and ctl rows are named after the backend's syscalls, so after
// a switch they count that backend's calls only: moving 5,000 fds from
// poll (registrations without a syscall) to epoll shows 5,000 epoll_ctl.
func TestCountersFromTheSwitch(t *testing.T) {
	p := newCounters()
	f := frameOf(t0)
	f.Backend, f.Stats = "poll", reactor.Stats{WaitCalls: 400, CtlCalls: 5001}
	p.Update(f)
	f = frameOf(t0)
	f.Backend, f.Stats = "epoll", reactor.Stats{WaitCalls: 410, CtlCalls: 10002}
	p.Update(f)
	p.SetSize(50, 8)
	got := p.View()
	for _, want := range []string{"epoll_wait()                 10 ", "epoll_ctl()               5,001 "} {
		if !strings.Contains(got, want) {
			t.Errorf("View() after the switch lacks %q:\n%s", want, got)
		}
	}
}

func TestFmtTotal(t *testing.T) {
	for n, want := range map[uint64]string{0: "0", 999: "999", 1000: "1,000", 2013: "2,013",
		1234567: "1,234,567", 9_999_999: "9,999,999", 12_345_678: "12.3M"} {
		if got := fmtTotal(n); got != want {
			t.Errorf("fmtTotal(%d) = %q; want %q", n, got, want)
		}
	}
}
