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
	EventStepAdded                      // Step, StepKind (StepChain: WaitingOn = the Deferred that waits on this one)
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

type observer struct {
	fn     func(TraceEvent)
	active func() bool // nil: always listening
}

var (
	observersMu sync.Mutex
	observers   atomic.Pointer[[]*observer] // copy-on-write; nil when nobody listens
)

// Observe registers fn to receive every TraceEvent and returns a function that
// removes it. Events are delivered synchronously on the goroutine that
// drives the Deferred (the loop goroutine), so fn must be quick. While no
// observer is registered no event or summary is built at all.
func Observe(fn func(TraceEvent)) (cancel func()) {
	return observeWhen(nil, fn)
}

// observeWhen registers fn as an observer that only counts (and receives
// events) while active() reports true — a sink that may have no reader.
func observeWhen(active func() bool, fn func(TraceEvent)) (cancel func()) {
	o := &observer{fn: fn, active: active}
	observersMu.Lock()
	defer observersMu.Unlock()
	var list []*observer
	if p := observers.Load(); p != nil {
		list = append(list, *p...)
	}
	list = append(list, o)
	observers.Store(&list)
	return func() {
		observersMu.Lock()
		defer observersMu.Unlock()
		p := observers.Load()
		if p == nil {
			return
		}
		var rest []*observer
		for _, x := range *p {
			if x != o {
				rest = append(rest, x)
			}
		}
		if len(rest) == 0 {
			observers.Store(nil)
		} else {
			observers.Store(&rest)
		}
	}
}

func observing() bool {
	p := observers.Load()
	if p == nil {
		return false
	}
	for _, o := range *p {
		if o.active == nil || o.active() {
			return true
		}
	}
	return false
}

func emit(ev TraceEvent) {
	p := observers.Load()
	if p == nil {
		return
	}
	for _, o := range *p {
		if o.active == nil || o.active() {
			o.fn(ev)
		}
	}
}

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
