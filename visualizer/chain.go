package visualizer

import (
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/deferred"
)

// ChainSource is implemented by a Live that feeds the chain pane. The
// visualizer calls DrainDeferred once per frame; it must append the
// deferred.TraceEvents observed since the last call and return at once.
type ChainSource interface {
	DrainDeferred(dst []deferred.TraceEvent) []deferred.TraceEvent
}

// ChainRecorder buffers deferred.TraceEvents between frames; a Live embeds
// one to implement ChainSource:
//
//	rec := visualizer.NewChainRecorder(4096)
//	loop.CallFromGoroutine(func() { cancel = deferred.Observe(rec.Observe) })
//	func (l *myLive) DrainDeferred(dst []deferred.TraceEvent) []deferred.TraceEvent { return l.rec.Drain(dst) }
//
// Observe never blocks for long (a short mutex); when the buffer is full
// the oldest events are dropped and counted.
type ChainRecorder struct {
	Recorder[deferred.TraceEvent]
}

// NewChainRecorder buffers up to capacity events between drains.
func NewChainRecorder(capacity int) *ChainRecorder {
	r := &ChainRecorder{}
	r.init(capacity)
	return r
}

// DrainDeferred makes a *ChainRecorder a ChainSource itself.
func (r *ChainRecorder) DrainDeferred(dst []deferred.TraceEvent) []deferred.TraceEvent {
	return r.Drain(dst)
}

// chainMsg carries one frame's deferred events to the chain pane.
type chainMsg struct{ Events []deferred.TraceEvent }

// chain draws the Deferred that changed most recently as its ladder of
// (callback, errback) steps: which side of each step has a function, which
// steps ran and on which track, the value flowing down, where the chain is
// paused and on which Deferred it waits, and an unhandled failure.
type chain struct {
	w, h     int
	byID     map[uint64]*chainState
	waitedBy map[uint64]waitLink // a Deferred → who its result goes to (by the Deferreds in byID)
	focus    uint64              // the Deferred drawn
	tick     uint64
	now      time.Time // the latest frame's (zero: no frames, as in tests of Update alone)
	hold     time.Time // until then the focus stays on a chain that just ended badly
}

// waitLink says that step of a Deferred hands its result to waiter: the
// chain that waits on it, the DeferredList it is in, the Coroutine
// awaiting it.
type waitLink struct {
	waiter uint64
	step   int
}

// chainHold is how long a chain that was cancelled, timed out or left a
// failure unhandled stays in focus, so a learner can pause on it.
const chainHold = 2 * time.Second

type chainState struct {
	id, waitingOn uint64
	label, site   string
	steps         []chainStep
	fired         bool
	track         deferred.Track // the track the current value is on
	value         string         // summary of the current value
	paused        bool
	next          int // index of the next step to run
	unhandled     string
	ended         string // "cancelled", "timed out"
	waitCancelled string // the Deferred it waited on was cancelled (the cancel was forwarded there)
	touched       uint64
}

type chainStep struct {
	kind          deferred.StepKind
	ran, passthru bool
	in, out       deferred.Track
	inSum, outSum string
}

const chainKeep = 64

func newChain() *chain {
	return &chain{byID: map[uint64]*chainState{}, waitedBy: map[uint64]waitLink{}}
}

func (p *chain) Title() string    { return "Deferred chain" }
func (p *chain) MinHeight() int   { return 6 }
func (p *chain) SetSize(w, h int) { p.w, p.h = w, h }

func (p *chain) state(id uint64) *chainState {
	s := p.byID[id]
	if s == nil {
		if len(p.byID) >= chainKeep {
			p.evict()
		}
		s = &chainState{id: id}
		p.byID[id] = s
	}
	p.tick++
	s.touched = p.tick
	return s
}

func (p *chain) evict() {
	var old *chainState
	for _, s := range p.byID {
		if s.id != p.focus && (old == nil || s.touched < old.touched) {
			old = s
		}
	}
	if old != nil {
		delete(p.byID, old.id)
		delete(p.waitedBy, old.id)
	}
}

func (s *chainState) step(i int) *chainStep {
	if i < 0 || i > 1<<16 {
		return &chainStep{}
	}
	for len(s.steps) <= i {
		s.steps = append(s.steps, chainStep{})
	}
	return &s.steps[i]
}

// Update folds deferred events. The focus follows the latest activity,
// shown on the outermost chain it concerns: an event of a Deferred that
// another chain waits on focuses the chain that waits. A chain that was
// cancelled, timed out or ended on an unhandled failure keeps the focus
// for chainHold.
func (p *chain) Update(msg tea.Msg) tea.Cmd {
	if f, ok := msg.(*frameMsg); ok {
		p.now = f.Now
		return nil
	}
	m, ok := msg.(chainMsg)
	if !ok {
		return nil
	}
	for i := range m.Events {
		ev := &m.Events[i]
		s := p.state(ev.ID)
		if ev.Label != "" {
			s.label = ev.Label
		}
		switch ev.Kind {
		case deferred.EventCreated:
			s.site = ev.Site
		case deferred.EventStepAdded:
			s.step(ev.Step).kind = ev.StepKind
			if ev.WaitingOn != 0 {
				p.waitedBy[ev.ID] = waitLink{ev.WaitingOn, ev.Step}
			}
		case deferred.EventFired:
			s.fired, s.track, s.value = true, ev.TrackIn, ev.InSummary
		case deferred.EventStepRun:
			st := s.step(ev.Step)
			st.kind, st.ran, st.passthru = ev.StepKind, true, ev.Passthru
			st.in, st.out, st.inSum, st.outSum = ev.TrackIn, ev.TrackOut, ev.InSummary, ev.OutSummary
			s.track, s.value, s.next = ev.TrackOut, ev.OutSummary, ev.Step+1
		case deferred.EventPaused:
			s.paused, s.waitingOn = true, ev.WaitingOn
		case deferred.EventResumed:
			s.paused, s.waitingOn = false, 0
		case deferred.EventCancelled:
			s.ended = "cancelled"
			for w, depth := p.waiter(ev.ID), 0; w != nil && depth < 8; w, depth = p.waiter(w.id), depth+1 {
				w.waitCancelled = idLabel(ev.ID, s.label) // every chain up the line waited on it
			}
		case deferred.EventTimedOut:
			s.ended = "timed out after " + fmtDur(ev.Dur)
		case deferred.EventUnhandled:
			s.unhandled = ev.OutSummary
			if ev.Site != "" {
				s.site = ev.Site
			}
		}
		p.refocus(ev)
	}
	return nil
}

// refocus moves the focus for ev (see Update).
func (p *chain) refocus(ev *deferred.TraceEvent) {
	id := ev.ID
	for depth := 0; depth < 8; depth++ { // up to the outermost waiter
		w := p.waiter(id)
		if w == nil {
			break
		}
		id = w.id
	}
	badly := ev.Kind == deferred.EventCancelled || ev.Kind == deferred.EventTimedOut || ev.Kind == deferred.EventUnhandled
	holding := !p.now.IsZero() && p.now.Before(p.hold)
	if id != p.focus && (badly || !holding) {
		p.focus = id
	}
	if badly && !p.now.IsZero() {
		p.hold = p.now.Add(chainHold)
	}
}

// waiter is the Deferred that waits for Deferred id's result, if the pane
// knows one.
func (p *chain) waiter(id uint64) *chainState {
	if l, ok := p.waitedBy[id]; ok {
		return p.byID[l.waiter]
	}
	if cur := p.byID[p.focus]; cur != nil && cur.paused && cur.waitingOn == id {
		return cur // the link was lost (the recorder dropped events), the pause says it
	}
	return nil
}

// awaited lists the Deferreds whose results s waits for through a list or
// an await (not a chain: a paused chain names its own), lowest id first.
func (p *chain) awaited(s *chainState) []uint64 {
	var ids []uint64
	for inner, l := range p.waitedBy {
		if l.waiter != s.id || inner == s.waitingOn {
			continue
		}
		if st := p.byID[inner]; st != nil && l.step < len(st.steps) && !st.steps[l.step].ran {
			ids = append(ids, inner) // the step handing the result over has not run
		}
	}
	slices.Sort(ids)
	return ids
}

func idLabel(id uint64, label string) string {
	s := "#" + strconv.FormatUint(id, 10)
	if label != "" {
		s += " " + strconv.Quote(label)
	}
	return s
}

// sides says which tracks of a step have a function: [cb] or -- (passthru).
func sides(k deferred.StepKind) (cb, eb string) {
	switch k {
	case deferred.StepCallback:
		return "[cb]", " -- "
	case deferred.StepErrback:
		return " -- ", "[eb]"
	case deferred.StepBoth, deferred.StepCallbacks:
		return "[cb]", "[eb]"
	case deferred.StepChain:
		return "[=>]", "[=>]"
	}
	return " ?? ", " ?? "
}

func trackShort(t deferred.Track) string {
	switch t {
	case deferred.TrackCallback:
		return "cb"
	case deferred.TrackErrback:
		return "eb"
	}
	return "--"
}

// View draws the ladder of the focused Deferred.
func (p *chain) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	s := p.byID[p.focus]
	lines := make([]string, 0, p.h)
	if s == nil {
		lines = append(lines, "no Deferred seen yet", "(this pane shows callback/errback chains as they run)")
	} else {
		head := "Deferred " + idLabel(s.id, s.label)
		if s.site != "" {
			head += " from " + s.site
		}
		lines = append(lines, fit(head, p.w))
		now := "value: not fired yet"
		switch {
		case s.fired && s.track == deferred.TrackNone:
			now = "value: " + s.value + " (no result while it waits)"
		case s.fired:
			now = "value " + s.value + " on the " + s.track.String() + " track"
		}
		lines = append(lines, fit(now, p.w))
		lines = append(lines, styleHeader.Render(fit("   step kind      cb   eb   track  in → out", p.w)))
		footer := p.footer(s)
		room := p.h - len(lines) - len(footer)
		first := max(0, min(s.next-room/2, len(s.steps)-room))
		for i := first; i < len(s.steps) && i-first < room; i++ {
			st := &s.steps[i]
			mark := " · "
			switch {
			case st.ran:
				mark = " ✓ "
			case i == s.next && s.paused:
				mark = " ▶ "
			}
			cb, eb := sides(st.kind)
			tr := "       "
			io := ""
			if st.ran {
				tr = trackShort(st.in) + "→" + trackShort(st.out) + "  "
				io = st.inSum + " → " + st.outSum
				if st.passthru {
					io += " (passthru)"
				}
			}
			lines = append(lines, fit(mark+padLeft(strconv.Itoa(i), 4)+" "+fit(st.kind.String(), 9)+" "+cb+" "+eb+" "+tr+io, p.w))
		}
		lines = append(lines, footer...)
	}
	for len(lines) < p.h {
		lines = append(lines, "")
	}
	return strings.Join(lines[:p.h], "\n")
}

func (p *chain) footer(s *chainState) []string {
	var out []string
	if ids := p.awaited(s); len(ids) > 0 && !s.paused {
		w := "▶ waiting on Deferred " + idLabel(ids[0], p.labelOf(ids[0]))
		if len(ids) > 1 {
			w += " and " + strconv.Itoa(len(ids)-1) + " more"
		}
		out = append(out, fit(w, p.w))
	}
	if s.paused {
		w := "▶ paused at step " + strconv.Itoa(s.next)
		if s.waitingOn != 0 {
			w += ": waiting on Deferred " + idLabel(s.waitingOn, p.labelOf(s.waitingOn))
		} else {
			w += " (Pause)"
		}
		out = append(out, fit(w, p.w))
	}
	if s.ended != "" {
		out = append(out, fit("■ "+s.ended, p.w))
	}
	if s.waitCancelled != "" {
		out = append(out, fit("■ the cancel reached Deferred "+s.waitCancelled+", which it waited on", p.w))
	}
	if s.unhandled != "" {
		out = append(out, styleError.Render(fit("✗ UNHANDLED failure at end of chain: "+s.unhandled, p.w)))
	}
	return out
}

func (p *chain) labelOf(id uint64) string {
	if s := p.byID[id]; s != nil {
		return s.label
	}
	return ""
}
