package visualizer

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
)

// liveView is the sampler plus the panes over one Live. It is shared by the
// lesson view and the dashboard. Everything here runs on the UI goroutine
// except the Cmds it returns.
type liveView struct {
	cfg       *config
	live      Live
	src       TraceSource
	ids       []PaneID
	panes     []pane
	controls  []ControlID // the controls enabled here
	injectors []Injector  // the injectors offered here
	on        []string    // switch injectors on at the last frame

	buf      []reactor.TraceEvent  // reused every frame
	chainBuf []deferred.TraceEvent // reused every frame
	latBuf   []LatencyEvent        // reused every frame
	poolBuf  []deferred.PoolEvent  // reused every frame
	frame    frameMsg

	errs        []errLine // newest last
	watchedBusy bool
	lastWatched time.Time
	now         time.Time

	dropped       uint64    // trace events lost to ring overflow (KindOverflow)
	droppedAt     time.Time // frame of the latest loss
	droppedAtSnap uint64    // dropped when the last interest-set snapshot was requested

	w, h   int
	layout []rect // one per pane; zero size = hidden
	hidden int
}

type errLine struct {
	at    time.Time
	text  string
	count int
}

type rect struct{ x, y, w, h int }

const (
	errKeep       = 3
	errShowFor    = 30 * time.Second
	watchedPeriod = time.Second
)

func newLiveView(cfg *config, live Live, ids []PaneID, controls []ControlID, injectors []Injector) *liveView {
	v := &liveView{cfg: cfg, live: live, controls: controls, injectors: injectors}
	for _, id := range ids {
		if p := newPane(id); p != nil {
			v.ids = append(v.ids, id)
			v.panes = append(v.panes, p)
		}
	}
	v.src = live.Subscribe(cfg.subCap)
	if v.src == nil {
		v.src = noTrace{} // a Live without a trace still shows stats and errors
	}
	return v
}

// noTrace is an empty TraceSource.
type noTrace struct{}

func (noTrace) Drain(dst []reactor.TraceEvent) []reactor.TraceEvent { return dst }
func (noTrace) Close()                                              {}

// sample is the frame step: drain the ring, snapshot the loop, feed every
// pane one frameMsg. It returns a Cmd only when an interest-set snapshot
// is due.
func (v *liveView) sample(now time.Time) tea.Cmd {
	v.now = now
	for i := range v.errs {
		if v.errs[i].at.IsZero() { // reported before the first frame
			v.errs[i].at = now
		}
	}
	v.buf = v.src.Drain(v.buf[:0])
	f := &v.frame
	*f = frameMsg{Now: now, Events: v.buf, Stats: v.live.Stats(), Backend: v.live.Backend(),
		Paused: v.live.Paused(), Delay: v.live.Delay()}
	if f.Backend == "" {
		f.Backend = f.Stats.Backend
	}
	if c, ok := v.live.(CPUSource); ok {
		f.CPU, f.HasCPU = c.LoopCPU(), true
	}
	if s, ok := v.live.(FDSource); ok {
		f.FDs, f.HasFDs = s.FDTable(), true
	}
	v.on = v.switchesOn(v.on[:0])
	for i := range v.buf {
		switch ev := &v.buf[i]; ev.Kind {
		case reactor.KindError:
			v.addErr(now, labelled(ev.Label, ev.Text))
		case reactor.KindRefused:
			v.addErr(now, labelled("connection refused", ev.Text))
		case reactor.KindPanic:
			v.addErr(now, "panic in "+ev.Label+": "+firstLine(ev.Text))
		case reactor.KindOverflow:
			v.dropped += uint64(ev.N)
			v.droppedAt = now
		}
	}
	for _, p := range v.panes {
		p.Update(f)
	}
	if cs, ok := v.live.(ChainSource); ok {
		v.chainBuf = cs.DrainDeferred(v.chainBuf[:0])
		if len(v.chainBuf) > 0 {
			v.broadcast(chainMsg{Events: v.chainBuf})
		}
	}
	if ls, ok := v.live.(LatencySource); ok {
		v.latBuf = ls.DrainLatency(v.latBuf[:0])
		if len(v.latBuf) > 0 {
			v.broadcast(latencyMsg{Events: v.latBuf})
		}
	}
	if ps, ok := v.live.(PoolSource); ok {
		v.poolBuf = ps.DrainPool(v.poolBuf[:0])
		if len(v.poolBuf) > 0 {
			v.broadcast(poolMsg{Events: v.poolBuf})
		}
	}
	for drained := 0; drained < 16; drained++ {
		select {
		case err, ok := <-v.live.Errors():
			if !ok || err == nil {
				drained = 16
				continue
			}
			v.addErr(now, err.Error())
		default:
			drained = 16
		}
	}
	if !v.watchedBusy && now.Sub(v.lastWatched) >= watchedPeriod {
		v.watchedBusy = true
		v.lastWatched = now
		live := v.live
		replace := v.dropped != v.droppedAtSnap
		v.droppedAtSnap = v.dropped
		return safeCmd(func() tea.Msg { return watchedMsg{At: now, List: live.Watched(), Replace: replace} })
	}
	return nil
}

// broadcast hands msg to every pane; each takes the messages it knows.
func (v *liveView) broadcast(msg tea.Msg) {
	for _, p := range v.panes {
		p.Update(msg)
	}
}

// labelled joins a label and a message as "label: message", either may be
// empty.
func labelled(label, text string) string {
	switch {
	case label == "":
		return text
	case text == "":
		return label
	}
	return label + ": " + text
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (v *liveView) addErr(now time.Time, text string) {
	if n := len(v.errs); n > 0 && v.errs[n-1].text == text {
		v.errs[n-1].count++
		v.errs[n-1].at = now
		return
	}
	if len(v.errs) >= errKeep {
		v.errs = v.errs[1:]
	}
	v.errs = append(v.errs, errLine{at: now, text: text, count: 1})
}

// Update handles the non-frame messages a live view cares about.
func (v *liveView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case watchedMsg:
		v.watchedBusy = false
		for _, p := range v.panes {
			p.Update(msg)
		}
	case cmdErrMsg:
		v.addErr(v.now, msg.err.Error())
	}
	return nil
}

// keyAction is the action a key press asks for: the control or injector
// whose binding in k matches. Disabled bindings never match, so a control
// the lesson does not enable is simply not there. k's injector bindings
// are v's injectors, in order (bindKeys).
func (v *liveView) keyAction(msg tea.KeyPressMsg, k *KeyMap) (Action, bool) {
	for i, b := range k.Controls {
		if key.Matches(msg, b) {
			return Action{ID: string(controlTable[i].id)}, true
		}
	}
	for i, b := range k.Injectors {
		if key.Matches(msg, b) && i < len(v.injectors) {
			return Action{ID: v.injectors[i].ID}, true
		}
	}
	return Action{}, false
}

// bindKeys enables in k the controls and injectors this view offers.
func (v *liveView) bindKeys(k *KeyMap) {
	k.setControls(v.controls)
	k.setInjectors(v.injectors)
}

// do runs a, showing a refusal on the error line.
func (v *liveView) do(a Action) {
	if err := v.act(a); err != nil {
		v.addErr(v.now, err.Error())
	}
}

// handleKey runs the action a key asks for, if any; an action that fails
// at once (a bad argument cannot come from a key, but a missing Injectable
// can) is shown on the error line.
func (v *liveView) handleKey(msg tea.KeyPressMsg, k *KeyMap) bool {
	a, ok := v.keyAction(msg, k)
	if ok {
		v.do(a)
	}
	return ok
}

// act runs a on the scenario: one of the controls this view enables or
// one of its injectors, with a's argument or, without one, what the key
// does. Keys and ActionMsg (demo scripts, recordings) come through here:
// it is the one place an action is checked and applied. A Live that is an
// ActionTracer is told about the action once it is checked, just before
// it runs, so its trace says what was done before what it caused. Control
// and Inject calls only post work to the loop, so it runs on the UI
// goroutine.
func (v *liveView) act(a Action) error {
	run, err := v.resolve(a)
	if err != nil {
		return err
	}
	if t, ok := v.live.(ActionTracer); ok {
		t.TraceAction(a)
	}
	return run()
}

// resolve checks a and returns what runs it.
func (v *liveView) resolve(a Action) (func() error, error) {
	if c, ok := findControl(ControlID(a.ID)); ok {
		if !slices.Contains(v.controls, c.id) {
			return nil, fmt.Errorf("%s: %w", a, errNotHere)
		}
		return func() error {
			if err := c.run(v.live, a.Arg); err != nil {
				return fmt.Errorf("%s: %w", a.ID, err)
			}
			return nil
		}, nil
	}
	i := slices.IndexFunc(v.injectors, func(inj Injector) bool { return inj.ID == a.ID })
	if i < 0 {
		return nil, fmt.Errorf("%s: %w", a, errNotHere)
	}
	inj, ok := v.live.(Injectable)
	if !ok {
		return nil, fmt.Errorf("%s: this scenario runs no injectors", a.ID)
	}
	if v.injectors[i].Switch {
		on, err := onOff(a.Arg, inj.InjectorOn(a.ID))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.ID, err)
		}
		return func() error { return inj.Inject(a.ID, on) }, nil
	}
	n, err := count(a.Arg, 1, maxInjectCount)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.ID, err)
	}
	return func() error {
		for range n {
			if err := inj.Inject(a.ID, true); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// switchesOn appends the IDs of the switch injectors that are on now.
func (v *liveView) switchesOn(dst []string) []string {
	inj, ok := v.live.(Injectable)
	if !ok {
		return dst
	}
	for _, i := range v.injectors {
		if i.Switch && inj.InjectorOn(i.ID) {
			dst = append(dst, i.ID)
		}
	}
	return dst
}

// close detaches from the trace and closes the Live off the UI goroutine.
func (v *liveView) close() tea.Cmd {
	v.src.Close()
	live := v.live
	return safeCmd(func() tea.Msg {
		if err := live.Close(); err != nil {
			return cmdErrMsg{fmt.Errorf("closing scenario: %w", err)}
		}
		return nil
	})
}

// cmdErrMsg reports an error (or a recovered panic) from a Cmd.
type cmdErrMsg struct{ err error }

// safeCmd wraps fn so a panic becomes a message instead of killing the
// program with the terminal in raw mode.
func safeCmd(fn func() tea.Msg) tea.Cmd {
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = cmdErrMsg{errors.New(fmt.Sprint("panic: ", r))}
			}
		}()
		return fn()
	}
}
