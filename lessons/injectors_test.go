package lessons

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/visualizer"
)

// The stall injector runs a real handler that blocks the loop, and the
// loop blames it by its label; a scenario that does not name it refuses it.
func TestInjectStall(t *testing.T) {
	checkNoLeaks(t)
	plain := startScenario(t, Scenario{Backend: "poll"})
	if err := plain.Inject(injStall, true); err == nil || !strings.Contains(err.Error(), `no injector "stall"`) {
		t.Errorf("Inject(stall) on a scenario without it = %v; want a refusal", err)
	}
	d := startScenario(t, Scenario{Backend: "poll", Injectors: []string{injStall}})
	sub := d.Subscribe(1 << 12)
	defer sub.Close()
	if err := d.Inject(injStall, true); err != nil {
		t.Fatalf("Inject(stall) = %v", err)
	}
	got := waitStall(t, sub)
	if got.Label != stallLabel(stallFor) || got.Dur < stallFor {
		t.Errorf("stall event: Label %q, Dur %v; want %q and at least %v", got.Label, got.Dur, stallLabel(stallFor), stallFor)
	}
}

// waitStall returns the next stall event sub sees.
func waitStall(t *testing.T, sub visualizer.TraceSource) reactor.TraceEvent {
	t.Helper()
	var evs []reactor.TraceEvent
	var got reactor.TraceEvent
	waitFor(t, "a stall event", func() bool {
		evs = sub.Drain(evs[:0])
		for _, ev := range evs {
			if ev.Kind == reactor.KindStall {
				got = ev
				return true
			}
		}
		return false
	})
	return got
}

// Every injector is complete, and the screen would accept it.
func TestInjectorTable(t *testing.T) {
	for _, inj := range injectorTable {
		if inj.set == nil || inj.Switch != (inj.on != nil) {
			t.Errorf("injector %q: set %v, Switch %v, on %v; want set, and on exactly for a switch",
				inj.ID, inj.set != nil, inj.Switch, inj.on != nil)
		}
	}
	if got := declare([]string{injStall, "nope"}); len(got) != 1 || got[0].ID != injStall {
		t.Errorf("declare(stall, nope) = %+v; want the stall alone", got)
	}
}

// Each of lesson 8's four ways really blocks the loop, for blockFor, in a
// handler the loop blames by the label that names the way.
func TestBlockingInjectors(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll", Injectors: []string{injCPU, injSleep, injRead, injLock}})
	sub := d.Subscribe(1 << 12)
	defer sub.Close()
	for _, id := range []string{injCPU, injSleep, injRead, injLock} {
		if err := d.Inject(id, true); err != nil {
			t.Fatalf("Inject(%s) = %v", id, err)
		}
		got := waitStall(t, sub)
		inj, _ := findInjector(id)
		if !strings.Contains(got.Label, blockFor.String()) || got.Dur < blockFor {
			t.Errorf("%s (%s): stall blamed on %q for %v; want a label naming %v, at least as long", id, inj.Help, got.Label, got.Dur, blockFor)
		}
	}
}

// Lesson 9's switches move the reports (one place at a time: turning one
// on turns the other off), the flood comes and goes with its switch, and
// the deadlock sends as many nested reports as the pool has workers.
func TestWorkInjectors(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll", Server: Work, Injectors: []string{injWrap, injOffload, injFlood, injDeadlock}})
	setNestedWait(d, 100*time.Millisecond)
	steps := []struct {
		id       string
		on       bool
		wrap, of bool
	}{
		{injWrap, true, true, false},
		{injOffload, true, false, true},
		{injWrap, false, false, true}, // wrap is not on: off leaves offload alone
		{injOffload, false, false, false},
	}
	for _, st := range steps {
		if err := d.Inject(st.id, st.on); err != nil {
			t.Fatal(err)
		}
		if w, o := d.InjectorOn(injWrap), d.InjectorOn(injOffload); w != st.wrap || o != st.of {
			t.Errorf("after %s %v: wrap %v, offload %v; want %v, %v", st.id, st.on, w, o, st.wrap, st.of)
		}
	}
	log := &latencyLog{d: d}
	clients := func(group string) int { return log.count(group, visualizer.LatencySent) }
	d.Inject(injOffload, true) // as the lesson asks: on the loop, the flood would take it over
	if err := d.Inject(injFlood, true); err != nil || !d.InjectorOn(injFlood) {
		t.Fatalf("Inject(flood, on) = %v, on %v; want nil, true", err, d.InjectorOn(injFlood))
	}
	waitFor(t, "the flood's clients asking", func() bool { return clients("report") > floodClients })
	if err := d.Inject(injFlood, false); err != nil || d.InjectorOn(injFlood) {
		t.Fatalf("Inject(flood, off) = %v, on %v; want nil, false", err, d.InjectorOn(injFlood))
	}
	waitFor(t, "the flood's clients gone", func() bool { return d.Stats().Watched == 1 })
	if err := d.Inject(injDeadlock, true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the nested reports answered", func() bool {
		return log.count("nested", visualizer.LatencyReply) == nestedJobs
	})
}

// Lesson 10's switches change how new chains are written.
func TestProfileInjectors(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll", Server: Profile, Injectors: []string{injParallel, injCoroutine, injHangUp, injSlowUser}})
	for _, id := range []string{injParallel, injCoroutine} {
		for _, on := range []bool{true, false} {
			if err := d.Inject(id, on); err != nil || d.InjectorOn(id) != on {
				t.Errorf("Inject(%s, %v) = %v, then on %v", id, on, err, d.InjectorOn(id))
			}
		}
	}
	for _, id := range []string{injHangUp, injSlowUser} {
		if err := d.Inject(id, true); err != nil {
			t.Errorf("Inject(%s) = %v", id, err)
		}
	}
	plain := startScenario(t, Scenario{Backend: "poll", Injectors: []string{injParallel, injFlood}})
	for _, id := range []string{injParallel, injFlood} {
		if err := plain.Inject(id, true); err == nil {
			t.Errorf("Inject(%s) on an echo scenario = nil; want an error (no server for it)", id)
		}
	}
}

// Each injector's line under ? fits an 80-column terminal.
func TestInjectorDocsFit(t *testing.T) {
	for _, inj := range injectorTable {
		state := ""
		if inj.Switch {
			state = " [off]"
		}
		line := "  " + strings.Repeat(" ", max(0, 5-len(inj.Key))) + inj.Key + "  " + inj.ID + state + ": " + inj.Doc
		if n := len([]rune(line)); n > 80 {
			t.Errorf("injector %q: its ? line is %d cells; want at most 80:\n%s", inj.ID, n, line)
		}
	}
}

// An epoll mode switched on elsewhere is refused with the way out and
// stays off; a raw-echo injector on another server is refused.
func TestLabSwitchRefusals(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll", Server: RawEcho, Injectors: []string{injEdge, injOneShot, injPartial}})
	for _, id := range []string{injEdge, injOneShot} {
		if err := d.Inject(id, true); err != nil {
			t.Fatalf("Inject(%s) = %v; want the refusal on the error line", id, err)
		}
		d.sync()
		if err := <-d.Errors(); !strings.Contains(err.Error(), "press b for epoll first") {
			t.Errorf("Inject(%s) on poll reported %v; want a refusal with the way out", id, err)
		}
		if d.InjectorOn(id) {
			t.Errorf("InjectorOn(%s) = true after a refusal", id)
		}
	}
	if err := d.Inject(injPartial, true); err != nil {
		t.Fatal(err)
	}
	d.sync()
	if !d.InjectorOn(injPartial) {
		t.Errorf("InjectorOn(partial-read) on poll = false; want it on (any backend)")
	}
	echo := startScenario(t, Scenario{Backend: "poll", Server: Echo, Injectors: []string{injPartial}})
	if err := echo.Inject(injPartial, true); err == nil {
		t.Errorf("Inject(partial-read) on tcp's echo = nil; want a refusal (it is the raw echo's)")
	}
}

// Each injector's line on the ? screen ("    k  id [off]: doc") fits an
// 80-column terminal whole.
func TestInjectorDocsFit80(t *testing.T) {
	for _, inj := range injectorTable {
		line := "      " + inj.Key + "  " + inj.ID + ": " + inj.Doc
		if inj.Switch {
			line = "      " + inj.Key + "  " + inj.ID + " [off]: " + inj.Doc
		}
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("injector %q: its ? line is %d cells; want at most 80:\n%s", inj.ID, n, line)
		}
	}
}
