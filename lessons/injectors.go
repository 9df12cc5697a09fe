package lessons

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

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

// Lesson 8's four ways to block the loop, lesson 9's ways out (and the
// pool's own traps), lesson 10's forms of a chain that waits.
const (
	injCPU       = "cpu-bound"
	injSleep     = "sleep"
	injRead      = "blocking-read"
	injLock      = "lock-wait"
	injWrap      = "wrap"
	injOffload   = "offload"
	injFlood     = "flood"
	injDeadlock  = "deadlock"
	injParallel  = "parallel"
	injCoroutine = "coroutine"
	injHangUp    = "hang-up"
	injSlowUser  = "slow-user"
)

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

// Lessons 11 (timers) and 12 (backpressure).
const (
	injResetTimer   = "reset-timer"
	injForgetCancel = "forget-cancel"
	injBurst        = "goroutine-burst"
	injSlowReader   = "slow-reader"
	injFlowControl  = "flow-control"
	injDropSlow     = "drop-slow"
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
		Injector: visualizer.Injector{ID: injCPU, Key: "H", Help: "cpu-bound handler",
			Doc: "a handler hashes for " + blockFor.String() + ": CPU work blocks the loop too"},
		set: blocker("cpu-bound handler (hashes for "+blockFor.String()+")", burnCPU),
	},
	{
		Injector: visualizer.Injector{ID: injSleep, Key: "S", Help: "sleeping handler",
			Doc: "a handler calls time.Sleep(" + blockFor.String() + "): every client waits"},
		set: blocker("sleeping handler (time.Sleep "+blockFor.String()+")", func(d time.Duration) error { time.Sleep(d); return nil }),
	},
	{
		Injector: visualizer.Injector{ID: injRead, Key: "R", Help: "blocking read",
			Doc: "a handler blocks in read(2) for " + blockFor.String() + ", as on a slow disk"},
		set: blocker("handler blocked in read(2) for "+blockFor.String(), blockingRead),
	},
	{
		Injector: visualizer.Injector{ID: injLock, Key: "M", Help: "wait for a mutex",
			Doc: "a handler waits " + blockFor.String() + " for a mutex another goroutine holds"},
		set: blocker("handler waiting for a mutex ("+blockFor.String()+")", waitForLock),
	},
	{
		Injector: visualizer.Injector{ID: injWrap, Key: "W", Help: "report in a Deferred", Switch: true,
			Doc: "reports query in MaybeDeferred: still on the loop"},
		set: workMode(reportWrapped),
		on:  func(d *Driver) bool { return d.work != nil && d.work.modeOn(reportWrapped) },
	},
	{
		Injector: visualizer.Injector{ID: injOffload, Key: "O", Help: "report on the pool", Switch: true,
			Doc: "reports query on a pool of " + strconv.Itoa(poolWorkers) + " goroutines: loop is free"},
		set: workMode(reportOffloaded),
		on:  func(d *Driver) bool { return d.work != nil && d.work.modeOn(reportOffloaded) },
	},
	{
		Injector: visualizer.Injector{ID: injFlood, Key: "F", Help: "flood of reports", Switch: true,
			Doc: strconv.Itoa(floodClients) + " more clients ask for reports: more than the pool runs"},
		set: func(d *Driver, on bool) error {
			w, err := d.workServer()
			if err != nil {
				return err
			}
			if on && w.flood.Load() == 0 {
				w.flood.Store(int64(d.clients.addGroup(flooders)))
			} else if b := w.flood.Load(); !on && b != 0 {
				d.clients.dropBatch(int(b))
				w.flood.Store(0)
			}
			return nil
		},
		on: func(d *Driver) bool { return d.work != nil && d.work.flood.Load() != 0 },
	},
	{
		Injector: visualizer.Injector{ID: injDeadlock, Key: "D", Help: "wedge the pool",
			Doc: strconv.Itoa(nestedJobs) + " jobs wait for sub-queries queued behind them (" + nestedWait.String() + " limit)"},
		set: func(d *Driver, _ bool) error {
			if _, err := d.workServer(); err != nil {
				return err
			}
			d.clients.addGroup(nesters)
			return nil
		},
	},
	{
		Injector: visualizer.Injector{ID: injParallel, Key: "P", Help: "lookups in parallel", Switch: true,
			Doc: "new chains start both lookups at once, wait on Gather"},
		set: profileSwitch(func(s *profileServer) *atomic.Bool { return &s.parallel }),
		on:  func(d *Driver) bool { return d.profile != nil && d.profile.parallel.Load() },
	},
	{
		Injector: visualizer.Injector{ID: injCoroutine, Key: "A", Help: "coroutine form", Switch: true,
			Doc: "new requests: the handler as a Coroutine with await"},
		set: profileSwitch(func(s *profileServer) *atomic.Bool { return &s.coroutine }),
		on:  func(d *Driver) bool { return d.profile != nil && d.profile.coroutine.Load() },
	},
	{
		Injector: visualizer.Injector{ID: injHangUp, Key: "U", Help: "client hangs up",
			Doc: "a client hangs up mid-lookup: chain and lookup cancelled"},
		set: profileClient(hangUpper),
	},
	{
		Injector: visualizer.Injector{ID: injSlowUser, Key: "T", Help: "slow user (timeout)",
			Doc: "a user whose lookup takes " + slowLookup.String() + ": AddTimeout(" + lookupTimeout.String() + ") gives up"},
		set: profileClient(slowAsker),
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
	switchOf(visualizer.Injector{ID: injResetTimer, Key: "r", Help: "reset in place",
		Doc: "push idle deadlines back with Timer.Reset"},
		func(s *idleServer) *atomic.Bool { return &s.resetInPlace }),
	switchOf(visualizer.Injector{ID: injForgetCancel, Key: "f", Help: "forget cancel",
		Doc: "the bug: a new idle timer, the old one left armed"},
		func(s *idleServer) *atomic.Bool { return &s.forgetCancel }),
	{
		Injector: visualizer.Injector{ID: injBurst, Key: "g", Help: "goroutine burst",
			Doc: burstDoc},
		set: func(d *Driver, _ bool) error { return with(d, func(s *idleServer) { s.burst() }) },
	},
	{
		Injector: visualizer.Injector{ID: injSlowReader, Key: "s", Help: "+1 slow reader",
			Doc: "a member that reads 4 KiB every 250 ms"},
		set: func(d *Driver, _ bool) error {
			return with(d, func(*roomServer) { d.clients.addSlow(1) })
		},
	},
	switchOf(visualizer.Injector{ID: injFlowControl, Key: "w", Help: "watermarks",
		Doc: "the bot pauses above the high watermark"},
		func(r *roomServer) *atomic.Bool { return &r.flowControl }),
	switchOf(visualizer.Injector{ID: injDropSlow, Key: "d", Help: "drop slow",
		Doc: "hang up on a member more than 1 MiB behind"},
		func(r *roomServer) *atomic.Bool { return &r.dropSlow }),
}

// blocker is the set of lesson 8's injectors: a one-shot handler on the
// loop, labelled for the stalls pane, that blocks for blockFor in its way.
func blocker(label string, block func(time.Duration) error) func(*Driver, bool) error {
	return func(d *Driver, _ bool) error {
		d.post(func() { d.report(d.injectHandler(label, func() error { return block(blockFor) })) })
		return nil
	}
}

// workServer is the scenario's work server, or an error naming what is missing.
func (d *Driver) workServer() (*workServer, error) {
	if d.work == nil {
		return nil, errors.New("this scenario has no work server")
	}
	return d.work, nil
}

// workMode is the set of a switch that moves reports to mode m (on) or
// back to the loop (off).
func workMode(m reportMode) func(*Driver, bool) error {
	return func(d *Driver, on bool) error {
		w, err := d.workServer()
		if err != nil {
			return err
		}
		w.setMode(m, on)
		return nil
	}
}

// profileSwitch is the set of one of lesson 10's switches: flag picks it.
func profileSwitch(flag func(*profileServer) *atomic.Bool) func(*Driver, bool) error {
	return func(d *Driver, on bool) error {
		if d.profile == nil {
			return errors.New("this scenario has no profile server")
		}
		flag(d.profile).Store(on)
		return nil
	}
}

// profileClient is the set of a one-shot that sends one client of g.
func profileClient(g ClientGroup) func(*Driver, bool) error {
	return func(d *Driver, _ bool) error {
		if d.profile == nil {
			return errors.New("this scenario has no profile server")
		}
		d.clients.addGroup(g)
		return nil
	}
}

// with runs fn on the scenario's own server state, if it is a T (lesson
// 11's *idleServer, lesson 12's *roomServer). The switches fn flips are
// atomics, so it runs on the UI goroutine.
func with[T any](d *Driver, fn func(T)) error {
	s, ok := d.ext.(T)
	if !ok {
		return fmt.Errorf("this scenario has no %T", s)
	}
	fn(s)
	return nil
}

// switchOf is the row of a switch injector whose state is an atomic flag
// in the scenario's own state T: the scenario reads the flag as it goes.
func switchOf[T any](inj visualizer.Injector, flag func(T) *atomic.Bool) injector {
	inj.Switch = true
	return injector{Injector: inj,
		set: func(d *Driver, on bool) error { return with(d, func(s T) { flag(s).Store(on) }) },
		on: func(d *Driver) bool {
			s, ok := d.ext.(T)
			return ok && flag(s).Load()
		},
	}
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
