package visualizer

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

func TestParseCond(t *testing.T) {
	defer reactor.RegisterBackend(reactor.Backend{Name: "testq", Wait: "testq_wait", Glyph: 'q', Rank: 1 << 21,
		New: func() (reactor.Poller, error) { return nil, errors.New("no") }})() // known, not available
	tests := []struct {
		in      string
		want    Cond
		wantErr string
	}{
		{"clients 500", Cond{Kind: CondClients, N: 500}, ""},
		{"  watching   10000 ", Cond{Kind: CondWatching, N: 10000}, ""},
		{"passes 3", Cond{Kind: CondPasses, N: 3}, ""},
		{"stall", Cond{Kind: CondStall}, ""},
		{"calm 100", Cond{Kind: CondCalm, N: 100}, ""},
		{"refused", Cond{Kind: CondRefused}, ""},
		{"backend poll", Cond{Kind: CondBackend, Text: "poll"}, ""},
		{"paused", Cond{Kind: CondPaused}, ""},
		{"running", Cond{Kind: CondRunning}, ""},
		{"error EMFILE too", Cond{Kind: CondError, Text: "EMFILE too"}, ""},
		{"clinets 5", Cond{}, `no condition "clinets"; want one of: clients N, watching N`},
		{"clients lots", Cond{}, `clients: want a count from 1 to 1000000, got "lots"`},
		{"clients 0", Cond{}, "want a count from 1"},
		{"clients", Cond{}, `got ""`},
		{"stall 3", Cond{}, `stall takes no argument, got "3"`},
		{"backend kqueue", Cond{}, `backend: no backend "kqueue"; want one of select, poll`},
		{"backend testq", Cond{}, "backend: backend testq is not available on this system"},
		{"backend", Cond{}, "want one backend name"},
		{"error", Cond{}, "want the words to look for"},
		{"", Cond{}, `no condition ""`},
	}
	for _, tc := range tests {
		got, err := ParseCond(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseCond(%q) = %+v, %v; want an error containing %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseCond(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			continue
		}
		if back, err := ParseCond(got.String()); err != nil || back != got {
			t.Errorf("ParseCond(%q).String() = %q does not read back (%v)", tc.in, got.String(), err)
		}
	}
	if _, err := ParseCond("backend testq"); !errors.Is(err, ErrBackendUnavailable) {
		t.Errorf("ParseCond(backend testq) = %v; want ErrBackendUnavailable", err)
	}
}

// Every condition has its documentation line and its words on screen.
func TestCondDocs(t *testing.T) {
	docs := CondDocs()
	if len(docs) != len(condTable) {
		t.Fatalf("%d doc lines for %d conditions", len(docs), len(condTable))
	}
	for _, d := range condTable {
		c := Cond{Kind: d.kind, N: 7, Text: "x"}
		if g := c.goal(); g == "" || g == c.String() {
			t.Errorf("%s: goal() = %q; want words", d.name, g)
		}
	}
}

// Each condition reads what it says from the scenario: counters and
// state at once, events as the frames bring them, and only since the
// wait began.
func TestCondWatch(t *testing.T) {
	newView := func() (*liveView, *demoLive) {
		l := newDemoLive()
		return newLiveView(newConfig(nil), l, []PaneID{PaneLoop}, AllControls(), testInjectors), l
	}
	frame := func(v *liveView, now time.Time, evs ...reactor.TraceEvent) {
		v.live.(*demoLive).src.push(evs...)
		v.sample(now)
	}
	tests := []struct {
		cond   string
		before func(v *liveView, l *demoLive) // before the wait begins: must not count
		after  func(v *liveView, l *demoLive) // makes it hold
		now    string                         // w.now once it holds
	}{
		{"clients 3", func(_ *liveView, l *demoLive) { l.AddClients(2, true); l.dialling = 1 },
			func(_ *liveView, l *demoLive) { l.AddClients(1, false); l.dialling = 0 }, "3 connected"},
		{"watching 100", nil, func(_ *liveView, l *demoLive) { l.stats.Watched = 101 }, "watching 101"},
		{"passes 3", func(_ *liveView, l *demoLive) { l.stats.Passes = 10 },
			func(_ *liveView, l *demoLive) { l.stats.Passes = 13 }, "3 so far"},
		{"stall", func(v *liveView, _ *demoLive) { frame(v, t0, reactor.TraceEvent{Kind: reactor.KindStall}) },
			func(v *liveView, _ *demoLive) {
				frame(v, t0.Add(time.Second), reactor.TraceEvent{Kind: reactor.KindStall})
			}, "none yet"},
		{"calm 5", func(_ *liveView, l *demoLive) { l.stats.Passes = 10 },
			func(_ *liveView, l *demoLive) { l.stats.Passes = 15 }, "5 so far"},
		{"refused", nil, func(v *liveView, _ *demoLive) {
			frame(v, t0.Add(time.Second), reactor.TraceEvent{Kind: reactor.KindError, Label: "accept", Text: "fd 1024 >= FD_SETSIZE"})
		}, "none yet"},
		{"backend poll", nil, func(_ *liveView, l *demoLive) { l.SwitchBackend("poll") }, "on poll"},
		{"paused", nil, func(_ *liveView, l *demoLive) { l.Pause() }, "paused"},
		{"running", func(_ *liveView, l *demoLive) { l.Pause() }, func(_ *liveView, l *demoLive) { l.Resume() }, "running"},
		{"error emfile", func(v *liveView, _ *demoLive) { v.addErr(t0, "accept: EMFILE") }, func(v *liveView, l *demoLive) {
			l.errs <- errors.New("accept4: emfile: too many open files")
			frame(v, t0.Add(time.Second))
		}, "none yet"},
	}
	for _, tc := range tests {
		v, l := newView()
		v.sample(t0)
		if tc.before != nil {
			tc.before(v, l)
		}
		c, err := ParseCond(tc.cond)
		if err != nil {
			t.Fatal(err)
		}
		w := newCondWatch(c, v, t0.Add(time.Millisecond))
		if met, fail := w.check(v); met || fail != "" {
			t.Errorf("%s: holds (%v, %q) before anything happened", tc.cond, met, fail)
		}
		tc.after(v, l)
		w.fold(v)
		if met, fail := w.check(v); !met || fail != "" || w.now != tc.now {
			t.Errorf("%s: check = %v, %q, now %q; want it to hold, now %q", tc.cond, met, fail, w.now, tc.now)
		}
	}
}

// calm counts passes since the last stall: a stall starts it again.
func TestCondCalm(t *testing.T) {
	l := newDemoLive()
	v := newLiveView(newConfig(nil), l, []PaneID{PaneLoop}, AllControls(), nil)
	w := newCondWatch(Cond{Kind: CondCalm, N: 5}, v, t0)
	for _, step := range []struct {
		passes, stalls uint64
		met            bool
	}{{3, 0, false}, {4, 1, false}, {8, 1, false}, {9, 1, true}, {12, 2, false}} {
		l.stats.Passes, l.stats.Stalls = step.passes, step.stalls
		if met, _ := w.check(v); met != step.met {
			t.Errorf("at %d passes and %d stalls: met %v (%s); want %v", step.passes, step.stalls, met, w.now, step.met)
		}
	}
}

// A demo asking for more clients than the scenario may run waits for
// what it may, and says so.
func TestCondClientsCapped(t *testing.T) {
	l := newDemoLive()
	l.most = 50
	v := newLiveView(newConfig(nil), l, []PaneID{PaneLoop}, AllControls(), nil)
	w := newCondWatch(Cond{Kind: CondClients, N: 10000}, v, t0)
	l.AddClients(10000, false) // 50 of them
	met, _ := w.check(v)
	if !met || w.now != "50 connected (50 is all this machine's open-file limit allows)" {
		t.Errorf("check = %v, now %q; want it met at the cap, saying so", met, w.now)
	}
}

func TestFmtInt(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 10003: "10,003", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := fmtInt(n); got != want {
			t.Errorf("fmtInt(%d) = %q; want %q", n, got, want)
		}
	}
}
