package lessons

import (
	"errors"
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

// Lessons 4–7: poll's POLLNVAL, epoll's triggering modes and the dup
// trap, spurious readiness, the fd table (faults.go and labecho.go do them).
const (
	injCloseBehind  = "close-behind-back"
	injIdle1000     = "idle-1000"
	injEdge         = "edge-triggered"
	injPartial      = "partial-read"
	injOneShot      = "oneshot"
	injRearm        = "rearm"
	injDupTrap      = "dup-trap"
	injDeregFirst   = "deregister-first"
	injGhostRebuild = "ghost-rebuild"
	injSpurious     = "spurious"
	injFDLimit      = "fd-limit"
	injReserveOff   = "reserve-fd-off"
)

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
	{
		Injector: visualizer.Injector{ID: injCloseBehind, Key: "v", Help: "close behind back",
			Doc: "close(2) on the newest connection under poll"},
		set: func(d *Driver, _ bool) error {
			d.post(func() { d.report(d.closeBehindBack()) })
			return nil
		},
	},
	{
		Injector: visualizer.Injector{ID: injIdle1000, Key: "T", Help: "+1000 idle",
			Doc: "1,000 more idle clients: 2,000 more fds to watch"},
		set: func(d *Driver, _ bool) error {
			d.clients.add(1000, false)
			return nil
		},
	},
	{
		Injector: visualizer.Injector{ID: injEdge, Key: "e", Help: "edge", Switch: true,
			Doc: "EPOLLET on every second connection (epoll only)"},
		set: func(d *Driver, on bool) error {
			return d.labSwitch(on, "edge triggering", edgeFlag, (*labEcho).setModes)
		},
		on: func(d *Driver) bool { return d.lab != nil && d.lab.edge.Load() },
	},
	{
		Injector: visualizer.Injector{ID: injPartial, Key: "p", Help: "1-byte reads", Switch: true,
			Doc: "the handler reads 1 byte per report, not to EAGAIN"},
		set: func(d *Driver, on bool) error {
			// Fixed, the handler drains what waits; a MOD makes epoll report
			// the edge-triggered fds the broken one left with data.
			return d.labSwitch(on, "", partialFlag, func(s *labEcho) {
				if !on {
					s.nudgeEdges()
				}
			})
		},
		on: func(d *Driver) bool { return d.lab != nil && d.lab.partial.Load() },
	},
	{
		Injector: visualizer.Injector{ID: injOneShot, Key: "o", Help: "one-shot", Switch: true,
			Doc: "EPOLLONESHOT: one report, then disarmed (epoll only)"},
		set: func(d *Driver, on bool) error { return d.labSwitch(on, "one-shot", oneshotFlag, (*labEcho).setModes) },
		on:  func(d *Driver) bool { return d.lab != nil && d.lab.oneshot.Load() },
	},
	{
		Injector: visualizer.Injector{ID: injRearm, Key: "a", Help: "re-arm", Switch: true,
			Doc: "the fix: re-arm (EPOLL_CTL_MOD) after each report"},
		set: func(d *Driver, on bool) error {
			return d.labSwitch(on, "", rearmFlag, func(s *labEcho) {
				if on {
					s.rearmAll()
				}
			})
		},
		on: func(d *Driver) bool { return d.lab != nil && d.lab.rearm.Load() },
	},
	{
		Injector: visualizer.Injector{ID: injDupTrap, Key: "d", Help: "dup trap", Switch: true,
			Doc: "close a connection while a dup lives; off frees it"},
		set: func(d *Driver, on bool) error {
			if d.lab == nil {
				return errNoLab
			}
			d.post(func() {
				if on {
					d.report(d.lab.dupTrap())
				} else {
					d.lab.releaseDups()
				}
			})
			return nil
		},
		on: func(d *Driver) bool { return d.lab != nil && d.lab.trapped.Load() > 0 },
	},
	{
		Injector: visualizer.Injector{ID: injDeregFirst, Key: "D", Help: "dereg first", Switch: true,
			Doc: "the fix: deregister, then close"},
		set: func(d *Driver, on bool) error { return d.labSwitch(on, "", dupFirstFlag, nil) },
		on:  func(d *Driver) bool { return d.lab != nil && d.lab.dupFirst.Load() },
	},
	{
		Injector: visualizer.Injector{ID: injGhostRebuild, Key: "g", Help: "safety net", Switch: true,
			Doc: "rebuild the epoll set on reports of unwatched fds"},
		set: func(d *Driver, on bool) error {
			d.rebuild.Store(on)
			d.post(func() { d.loop.SetGhostRebuild(on) })
			return nil
		},
		on: func(d *Driver) bool { return d.rebuild.Load() },
	},
	{
		Injector: visualizer.Injector{ID: injSpurious, Key: "s", Help: "spurious",
			Doc: "another reader takes the data before a blocking read"},
		set: func(d *Driver, _ bool) error {
			if d.lab == nil {
				return errNoLab
			}
			d.post(func() { d.report(d.lab.injectSpurious()) })
			return nil
		},
	},
	{
		Injector: visualizer.Injector{ID: injFDLimit, Key: "l", Help: "fd limit", Switch: true,
			Doc: "lower the soft RLIMIT_NOFILE to leave 41 fds free"},
		set: func(d *Driver, on bool) error {
			d.post(func() { d.report(d.setFDLimit(on)) })
			return nil
		},
		on: func(d *Driver) bool { was, _ := d.limit.lowered(); return was > 0 },
	},
	{
		Injector: visualizer.Injector{ID: injReserveOff, Key: "r", Help: "no reserve fd", Switch: true,
			Doc: "no spare fd: at EMFILE clients stay queued"},
		set: func(d *Driver, on bool) error {
			if d.srv == nil {
				return errors.New("reserve-fd-off: this scenario's server has no reserve fd")
			}
			d.guardOff.Store(on)
			d.post(func() { d.srv.Listener().SetFDGuard(!on) })
			return nil
		},
		on: func(d *Driver) bool { return d.guardOff.Load() },
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
