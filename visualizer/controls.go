package visualizer

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"github.com/reactorlab/reactorlab/reactor"
)

// ControlID names a built-in live control. The IDs are stable: lessons
// enable controls by them, and demo scripts and recordings name them in
// actions ("add-idle 100").
type ControlID string

// The live controls, in footer order, and the argument each takes in an
// Action (none = what its key does).
const (
	CtlPause     ControlID = "pause"      // space: pause or resume the loop; "on"/"off" sets it
	CtlStep      ControlID = "step"       // n: one pass while paused; N: N passes
	CtlSlower    ControlID = "slower"     // +: one rung slower, up to 1 s between passes; N: N rungs
	CtlFaster    ControlID = "faster"     // -: one rung faster, down to full speed; N: N rungs
	CtlBackend   ControlID = "backend"    // b: the next backend; NAME: that one
	CtlAddActive ControlID = "add-active" // c: 10 clients that type; N: N of them
	CtlAddIdle   ControlID = "add-idle"   // C: 100 clients that stay silent; N: N of them
	CtlDrop      ControlID = "drop"       // x: hang up every simulated client
)

// control is one row of the control table: everything about one control.
type control struct {
	id   ControlID
	bind key.Binding // its keys and its help, for the footer and ?
	// run does it on l; arg is the action's argument ("" = what the key
	// does). Control methods post to the loop, so it returns at once.
	run func(l Live, arg string) error
}

// controlTable is the one table of live controls: adding a control is a
// row here (and a Live method if it needs a new one).
var controlTable = []control{
	{CtlPause, bind("pause/resume", "space"), runPause},
	{CtlStep, bind("step one pass", "n"), runStep},
	{CtlSlower, bind("slower", "+", "="), func(l Live, arg string) error { return runDelay(l, arg, +1) }},
	{CtlFaster, bind("faster", "-", "_"), func(l Live, arg string) error { return runDelay(l, arg, -1) }},
	{CtlBackend, bind("next backend", "b"), runBackend},
	{CtlAddActive, bind("+10 active", "c"), func(l Live, arg string) error { return runAdd(l, arg, 10, true) }},
	{CtlAddIdle, bind("+100 idle", "C"), func(l Live, arg string) error { return runAdd(l, arg, 100, false) }},
	{CtlDrop, bind("drop clients", "x"), func(l Live, arg string) error { return noArg(arg, l.DropClients) }},
}

// bind is a binding whose help shows the first key.
func bind(help string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], help))
}

// AllControls lists every control in table order (the dashboard enables
// them all).
func AllControls() []ControlID {
	ids := make([]ControlID, len(controlTable))
	for i, c := range controlTable {
		ids[i] = c.id
	}
	return ids
}

// findControl returns id's row.
func findControl(id ControlID) (control, bool) {
	for _, c := range controlTable {
		if c.id == id {
			return c, true
		}
	}
	return control{}, false
}

// Bounds on an action's count: a typo in a demo script should neither
// open a million sockets nor block the loop for an hour.
const (
	maxCount       = 10000 // clients, steps, rungs
	maxInjectCount = 100   // one-shot injections in one action
)

// count reads an action's count argument: def when empty, else a whole
// number from 1 to most.
func count(arg string, def, most int) (int, error) {
	if arg == "" {
		return def, nil
	}
	n, err := strconv.Atoi(arg)
	if err != nil || n < 1 || n > most {
		return 0, fmt.Errorf("want a count from 1 to %d, got %q", most, arg)
	}
	return n, nil
}

// onOff reads a switch's argument: "" flips cur, "on" and "off" set it.
func onOff(arg string, cur bool) (bool, error) {
	switch arg {
	case "":
		return !cur, nil
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, fmt.Errorf("want on or off, got %q", arg)
}

func noArg(arg string, fn func()) error {
	if arg != "" {
		return fmt.Errorf("takes no argument, got %q", arg)
	}
	fn()
	return nil
}

func runPause(l Live, arg string) error {
	on, err := onOff(arg, l.Paused())
	if err != nil {
		return err
	}
	if on {
		l.Pause()
	} else {
		l.Resume()
	}
	return nil
}

func runStep(l Live, arg string) error {
	n, err := count(arg, 1, maxCount)
	if err != nil {
		return err
	}
	for range n {
		l.Step()
	}
	return nil
}

func runDelay(l Live, arg string, dir int) error {
	n, err := count(arg, 1, maxCount)
	if err != nil {
		return err
	}
	d := l.Delay()
	for range min(n, len(delayLadder)) {
		d = stepDelay(d, dir)
	}
	l.SetDelay(d)
	return nil
}

func runAdd(l Live, arg string, def int, active bool) error {
	n, err := count(arg, def, maxCount)
	if err != nil {
		return err
	}
	l.AddClients(n, active)
	return nil
}

// runBackend switches to the backend named by arg, or to the one after
// the current one in reactor.Backends() order.
func runBackend(l Live, arg string) error {
	if arg == "" {
		l.SwitchBackend(nextBackend(l.Backend()))
		return nil
	}
	if b, ok := reactor.LookupBackend(arg); !ok || !b.Available {
		return fmt.Errorf("want one of %s, got %q", strings.Join(reactor.BackendNames(), ", "), arg)
	}
	l.SwitchBackend(arg)
	return nil
}

// nextBackend is the available backend after cur, in the order
// reactor.Backends lists them (oldest first), wrapping round.
func nextBackend(cur string) string {
	names := reactor.BackendNames()
	if len(names) == 0 {
		return cur
	}
	for i, b := range names {
		if b == cur {
			return names[(i+1)%len(names)]
		}
	}
	return names[0]
}

// delayLadder is the slow-motion ladder + and - step through.
var delayLadder = []time.Duration{0, 10 * time.Millisecond, 50 * time.Millisecond,
	200 * time.Millisecond, 500 * time.Millisecond, time.Second}

// stepDelay moves one rung up or down the slow-motion ladder.
func stepDelay(cur time.Duration, dir int) time.Duration {
	i := 0
	for i < len(delayLadder)-1 && delayLadder[i] < cur {
		i++
	}
	if delayLadder[i] != cur && dir < 0 {
		// between rungs: "faster" lands on the rung below
		return delayLadder[max(0, i-1)]
	}
	return delayLadder[max(0, min(len(delayLadder)-1, i+dir))]
}

// Action is one thing done to a running scenario: a control or an
// injector, named by its ID, with an optional argument. Its text form is
// "ID" or "ID ARG" ("add-idle 100", "backend epoll", "partial-read on"),
// which is how demo scripts and recordings write it; a key press is the
// action with no argument.
type Action struct {
	ID  string
	Arg string // "" = what the key does
}

// ActionMsg asks the open lesson or dashboard to do an Action, as its key
// would but with the action's argument. It is the way in for whatever
// drives the screen without a keyboard (a demo script's step, a recorded
// session played back): send it to the program or return it from a Cmd.
// A refused action (not offered here, a bad argument) shows on the error
// line; on a screen without a live scenario it does nothing.
type ActionMsg Action

// String is the action's text form, which ParseAction reads back.
func (a Action) String() string {
	if a.Arg == "" {
		return a.ID
	}
	return a.ID + " " + a.Arg
}

// ParseAction reads an action's text form. It checks the shape only (an ID
// of lower-case letters, digits and dashes, at most one argument); whether
// the ID exists and the argument fits is checked when it runs, since a
// lesson's injectors are its own.
func ParseAction(s string) (Action, error) {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 2 || !validID(f[0]) {
		return Action{}, fmt.Errorf("action %q: want an ID and at most one argument, e.g. \"add-idle 100\"", s)
	}
	a := Action{ID: f[0]}
	if len(f) == 2 {
		a.Arg = f[1]
	}
	return a, nil
}

// validID reports whether id is lower-case words joined by dashes.
func validID(id string) bool {
	if id == "" || id[0] == '-' || id[len(id)-1] == '-' {
		return false
	}
	for _, c := range id {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// errNotHere is an action this screen does not offer.
var errNotHere = errors.New("not offered here")

// ErrBackendUnavailable is a backend this system does not have (epoll
// off Linux), named by an action or a condition.
var ErrBackendUnavailable = errors.New("not available on this system")

// checkBackend refuses a backend name this system does not run, saying
// whether it exists at all.
func checkBackend(name string) error {
	avail := strings.Join(reactor.BackendNames(), ", ")
	b, ok := reactor.LookupBackend(name)
	switch {
	case !ok:
		return fmt.Errorf("no backend %q; want one of %s", name, avail)
	case !b.Available:
		return fmt.Errorf("backend %s is %w (%s/%s has %s)", name, ErrBackendUnavailable, runtime.GOOS, runtime.GOARCH, avail)
	}
	return nil
}

// CheckAction reports whether a would run on a scenario that offers
// every control and the injectors injs, without running anything: the ID
// is a control or one of injs, and its argument fits (a count in range,
// on or off for a switch, a backend this system has). Demo scripts are
// checked with it line by line when they are read; it goes through the
// same code as a key press (liveView.act) over a Live that does nothing.
func CheckAction(a Action, injs []Injector) error {
	_, isCtl := findControl(ControlID(a.ID))
	if !isCtl && !slices.ContainsFunc(injs, func(i Injector) bool { return i.ID == a.ID }) {
		ids := make([]string, len(injs))
		for i, inj := range injs {
			ids[i] = inj.ID
		}
		injList := "none"
		if len(ids) > 0 {
			injList = strings.Join(ids, ", ")
		}
		var ctls []string
		for _, id := range AllControls() {
			ctls = append(ctls, string(id))
		}
		return fmt.Errorf("no action %q: the controls are %s; this scenario's injectors: %s",
			a.ID, strings.Join(ctls, ", "), injList)
	}
	if a.ID == string(CtlBackend) && a.Arg != "" {
		if err := checkBackend(a.Arg); err != nil {
			return fmt.Errorf("%s: %w", a.ID, err)
		}
	}
	v := liveView{live: &nopLive{}, controls: AllControls(), injectors: injs}
	return v.act(a)
}

// ActionClients is what a well-formed control action does to the
// simulated clients: how many it adds, and whether it drops them all. A
// demo script sums them to know what the machine must hold.
func ActionClients(a Action) (added int, drops bool) {
	l := &nopLive{}
	v := liveView{live: l, controls: AllControls()}
	if _, ok := findControl(ControlID(a.ID)); !ok || v.act(a) != nil {
		return 0, false
	}
	return l.added, l.dropped
}

// nopLive is a Live (and Injectable) that does nothing but count what
// would happen to the clients: CheckAction and ActionClients run an
// action's code against it.
type nopLive struct {
	added   int
	dropped bool
}

func (*nopLive) Subscribe(int) TraceSource    { return noTrace{} }
func (*nopLive) Stats() reactor.Stats         { return reactor.Stats{} }
func (*nopLive) Backend() string              { return "" }
func (*nopLive) Pause()                       {}
func (*nopLive) Resume()                      {}
func (*nopLive) Paused() bool                 { return false }
func (*nopLive) Step()                        {}
func (*nopLive) SetDelay(time.Duration)       {}
func (*nopLive) Delay() time.Duration         { return 0 }
func (*nopLive) SwitchBackend(string)         {}
func (l *nopLive) AddClients(n int, _ bool)   { l.added += n }
func (l *nopLive) DropClients()               { l.dropped = true }
func (*nopLive) Watched() []reactor.WatchInfo { return nil }
func (*nopLive) Info() string                 { return "" }
func (*nopLive) Errors() <-chan error         { return nil }
func (*nopLive) Close() error                 { return nil }
func (*nopLive) Inject(string, bool) error    { return nil }
func (*nopLive) InjectorOn(string) bool       { return false }
