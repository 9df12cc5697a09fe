package lessons

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reactorlab/reactorlab/reactor"
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
	var evs []reactor.TraceEvent
	var got *reactor.TraceEvent
	waitFor(t, "a stall event", func() bool {
		evs = sub.Drain(evs[:0])
		for i := range evs {
			if evs[i].Kind == reactor.KindStall {
				got = &evs[i]
				return true
			}
		}
		return false
	})
	if got.Label != stallLabel(stallFor) || got.Dur < stallFor {
		t.Errorf("stall event: Label %q, Dur %v; want %q and at least %v", got.Label, got.Dur, stallLabel(stallFor), stallFor)
	}
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
