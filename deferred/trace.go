package deferred

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// EventKind says what happened to a Deferred in a TraceEvent.
type EventKind uint8

// The trace events. The fields each one fills are listed beside it; ID and
// Label are always set.
const (
	EventCreated   EventKind = iota + 1 // Site: where New/Succeed/Fail... was called
	EventLabelled                       // Label: the new label
	EventStepAdded                      // Step, StepKind; WaitingOn = who the step hands the result to: the chain waiting on this one (StepChain), the DeferredList, Gather or Race it is in, the Coroutine awaiting it (0 = nobody)
	EventFired                          // TrackIn: the track it fired on, InSummary: the result
	EventStepRun                        // Step, StepKind, TrackIn → TrackOut, InSummary, OutSummary, Dur, Passthru
	EventPaused                         // WaitingOn: the Deferred it waits on (0 = an explicit Pause)
	EventResumed                        // WaitingOn: the Deferred that supplied the result (0 = Unpause)
	EventCancelled                      // Cancel on an unfired Deferred
	EventTimedOut                       // the AddTimeout timer fired; Dur: the timeout
	EventUnhandled                      // OutSummary: the failure, Site: where the Deferred was created
)

var eventKindNames = [...]string{"?", "created", "labelled", "step-added", "fired", "step-run", "paused", "resumed", "cancelled", "timed-out", "unhandled"}

// String returns a short lower-case name such as "step-run".
func (k EventKind) String() string {
	if int(k) < len(eventKindNames) {
		return eventKindNames[k]
	}
	return "?"
}

// Track is the track a result is on.
type Track uint8

// The two tracks (TrackNone: no result, e.g. a Deferred that is waiting).
const (
	TrackNone Track = iota
	TrackCallback
	TrackErrback
)

// String returns "callback", "errback" or "none".
func (t Track) String() string {
	switch t {
	case TrackCallback:
		return "callback"
	case TrackErrback:
		return "errback"
	}
	return "none"
}

func trackOf(result any) Track {
	switch result.(type) {
	case *Failure:
		return TrackErrback
	case *Deferred:
		return TrackNone
	}
	return TrackCallback
}

// TraceEvent is one observable step in the life of a Deferred. A visualizer
// can rebuild every chain from the stream of events.
type TraceEvent struct {
	Kind       EventKind
	ID         uint64 // the Deferred
	Label      string
	Site       string   // EventCreated, EventUnhandled: "file:line"
	Step       int      // index of the step in its chain, from 0
	StepKind   StepKind // EventStepAdded, EventStepRun
	TrackIn    Track
	TrackOut   Track
	InSummary  string // short rendering of the input value, built only when observed
	OutSummary string
	Dur        time.Duration
	WaitingOn  uint64 // see EventPaused, EventResumed, EventStepAdded
	Passthru   bool   // EventStepRun: this track had no function; the result passed through
}

// String renders the event on one line, for logs and tests.
func (ev TraceEvent) String() string {
	s := idName(ev.ID) + " " + ev.Kind.String()
	switch ev.Kind {
	case EventCreated:
		s += " at " + ev.Site
	case EventLabelled:
		s += " " + strconv.Quote(ev.Label)
	case EventStepAdded:
		s += fmt.Sprintf(" #%d %s", ev.Step, ev.StepKind)
	case EventFired:
		s += fmt.Sprintf(" %s %s", ev.TrackIn, ev.InSummary)
	case EventStepRun:
		s += fmt.Sprintf(" #%d %s %s→%s %s → %s", ev.Step, ev.StepKind, ev.TrackIn, ev.TrackOut, ev.InSummary, ev.OutSummary)
		if ev.Passthru {
			s += " (passthru)"
		}
	case EventPaused, EventResumed:
		if ev.WaitingOn != 0 {
			s += " " + idName(ev.WaitingOn)
		}
	case EventUnhandled:
		s += " " + ev.OutSummary + " (created at " + ev.Site + ")"
	}
	return s
}

type observer[E any] struct {
	fn     func(E)
	active func() bool // nil: always listening
}

// observers is a list of observers of events E (a Binding's of its
// Deferreds', a Pool's of its jobs'): copy-on-write, so emitting takes no
// lock; nil when nobody listens.
type observers[E any] struct {
	mu   sync.Mutex
	list atomic.Pointer[[]*observer[E]]
}

// Observe registers fn to receive the TraceEvent of every Deferred in the
// process and returns a function that removes it. Events are delivered
// synchronously on the goroutine that drives the Deferred (the loop
// goroutine), so fn must be quick. While no observer is registered no event
// or summary is built at all. To watch one loop's Deferreds only, observe
// its Binding (Binding.Observe).
func Observe(fn func(TraceEvent)) (cancel func()) {
	return process.obs.add(nil, fn)
}

// add registers fn; while active (if not nil) reports false, fn neither
// counts as listening nor receives events — a sink that may have no reader.
func (o *observers[E]) add(active func() bool, fn func(E)) (cancel func()) {
	ob := &observer[E]{fn: fn, active: active}
	o.mu.Lock()
	defer o.mu.Unlock()
	var list []*observer[E]
	if p := o.list.Load(); p != nil {
		list = append(list, *p...)
	}
	list = append(list, ob)
	o.list.Store(&list)
	return func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		p := o.list.Load()
		if p == nil {
			return
		}
		var rest []*observer[E]
		for _, x := range *p {
			if x != ob {
				rest = append(rest, x)
			}
		}
		if len(rest) == 0 {
			o.list.Store(nil)
		} else {
			o.list.Store(&rest)
		}
	}
}

func (o *observers[E]) listening() bool {
	p := o.list.Load()
	if p == nil {
		return false
	}
	for _, ob := range *p {
		if ob.active == nil || ob.active() {
			return true
		}
	}
	return false
}

func (o *observers[E]) emit(ev E) {
	p := o.list.Load()
	if p == nil {
		return
	}
	for _, ob := range *p {
		if ob.active == nil || ob.active() {
			ob.fn(ev)
		}
	}
}

// observedVia reports whether anyone watches the Deferreds of b (nil: of
// the process-wide Binding): a process-wide observer, or one of b's.
func observedVia(b *Binding) bool {
	return process.obs.listening() || (b != nil && b != process && b.obs.listening())
}

// emitVia delivers ev to the process-wide observers and to b's.
func emitVia(b *Binding, ev TraceEvent) {
	process.obs.emit(ev)
	if b != nil && b != process {
		b.obs.emit(ev)
	}
}

// observed reports whether anyone watches d; build events only if so.
func (d *Deferred) observed() bool { return observedVia(d.b) }

// emit delivers an event about d to those who watch it.
func (d *Deferred) emit(ev TraceEvent) { emitVia(d.b, ev) }

const summaryMax = 40

// summarize renders a result for the chain pane: short, one line.
func summarize(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		return "nil"
	case *Failure:
		s = "Failure(" + x.Error() + ")"
	case *Deferred:
		return "waiting on " + idName(x.id)
	case string:
		s = strconv.Quote(x)
	case error:
		s = "error(" + x.Error() + ")"
	default:
		s = fmt.Sprintf("%v", v)
	}
	for i, r := range s {
		if r == '\n' {
			s = s[:i] + "…"
			break
		}
	}
	if len(s) > summaryMax {
		r := []rune(s)
		if len(r) > summaryMax {
			s = string(r[:summaryMax-1]) + "…"
		}
	}
	return s
}

func idName(id uint64) string { return "d" + strconv.FormatUint(id, 10) }

// String is a one-line dump of the Deferred's state — what Twisted users
// asked for in twisted/twisted#4304: its id and label, whether it has fired,
// is paused or waits on another Deferred, how many steps are pending, and
// its current result. For example:
//
//	d7 "fetch" fired, paused 1, waiting on d9, 2 steps pending
//	d9 fired, result Failure(connection refused)
func (d *Deferred) String() string {
	var b strings.Builder
	b.WriteString(idName(d.id))
	if d.label != "" {
		b.WriteString(" " + strconv.Quote(d.label))
	}
	if !d.called {
		b.WriteString(" not fired")
	} else {
		b.WriteString(" fired")
	}
	if d.paused > 0 {
		fmt.Fprintf(&b, ", paused %d", d.paused)
	}
	if d.chainedTo != nil {
		b.WriteString(", waiting on " + idName(d.chainedTo.id))
	}
	if n := d.PendingSteps(); n > 0 {
		fmt.Fprintf(&b, ", %d steps pending", n)
	}
	if d.called && d.chainedTo == nil {
		b.WriteString(", result " + summarize(d.result))
	}
	return b.String()
}
