package lessons

import (
	"fmt"
	"slices"

	"github.com/reactorlab/reactorlab/visualizer"
)

// Injectors are the lessons' own faults and fixes: each does the real
// wrong (or right) thing on the running scenario's real fds, and each is
// offered only by the lessons whose scenario names it. The screen knows
// only its declaration (visualizer.Injector: ID, key, help, a line for ?,
// one-shot or switch); what it does is here.
//
// To add one: a row in injectorTable, its ID in the Scenario.Injectors of
// the lessons that use it, and a "Try this" that names its key. Demo
// scripts and recordings then name it by its ID.

// injector is one row of injectorTable.
type injector struct {
	visualizer.Injector
	// set does it: a one-shot ignores on, a switch turns on or off. It is
	// called on the UI goroutine, so anything touching the loop must be
	// posted (d.post) and its failure reported (d.report).
	set func(d *Driver, on bool) error
	// on reports a switch's state (nil for a one-shot). It is called on
	// every frame: read an atomic, never the loop.
	on func(d *Driver) bool
}

// Injector IDs named by scenarios.
const injStall = "stall"

// injectorTable lists every injector.
var injectorTable = []injector{
	{
		Injector: visualizer.Injector{ID: injStall, Key: "k", Help: "inject stall",
			Doc: "a handler that sleeps " + stallFor.String() + " blocks the loop: every client waits"},
		set: func(d *Driver, _ bool) error {
			d.post(func() { d.report(d.injectStall(stallFor)) })
			return nil
		},
	},
}

func findInjector(id string) (injector, bool) {
	i := slices.IndexFunc(injectorTable, func(inj injector) bool { return inj.ID == id })
	if i < 0 {
		return injector{}, false
	}
	return injectorTable[i], true
}

// declare is the screen's view of the injectors ids.
func declare(ids []string) []visualizer.Injector {
	var out []visualizer.Injector
	for _, id := range ids {
		if inj, ok := findInjector(id); ok {
			out = append(out, inj.Injector)
		}
	}
	return out
}

// Inject runs injector id on the scenario (visualizer.Injectable). Only the
// injectors the scenario names are accepted.
func (d *Driver) Inject(id string, on bool) error {
	inj, ok := findInjector(id)
	if !ok || !slices.Contains(d.injectors, id) {
		return fmt.Errorf("no injector %q in this scenario", id)
	}
	return inj.set(d, on)
}

// InjectorOn reports whether switch id is on (visualizer.Injectable).
func (d *Driver) InjectorOn(id string) bool {
	inj, ok := findInjector(id)
	return ok && inj.on != nil && slices.Contains(d.injectors, id) && inj.on(d)
}

var _ visualizer.Injectable = (*Driver)(nil)
