package record

import (
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
)

// RecordType says what a Record holds.
type RecordType uint8

// The records of a recording.
const (
	// RecEvent is a reactor trace event, any kind: Event. KindName is set
	// when this build has no kind of the recorded name (a newer build's
	// kind): Event.Kind is then 0.
	RecEvent RecordType = iota + 1
	// RecChain is a Deferred's event, in full: Chain. Event is the line a
	// trace reader sees for it (KindDeferred: N = the event kind, Label,
	// Text = Chain.String(), Dur), as deferred.TraceTo writes it.
	RecChain
	// RecGap is a stretch the recorder lost because it fell behind: Lost
	// reactor events, LostChains Deferred events. Event is the
	// KindOverflow line a trace reader sees for it (N = Lost, Fd = -1).
	RecGap
	// RecSample is what a screen samples besides the events, read when
	// the recorder drained its ring: Sample.
	RecSample
	// RecSkip marks a block the reader could not read and skipped (a
	// corrupted block or a trailing partial one): Offset and Err say
	// where and why. Only readers produce it.
	RecSkip
	// RecKeyframe is a keyframe the reader passed: State is the trace's
	// state at this point (Offset: where the keyframe is). Only readers
	// produce it; a writer makes its own.
	RecKeyframe
)

// Record is one entry of a recording. Only the fields its Type names are
// meaningful; a decoder reuses one Record, so copy what you keep.
type Record struct {
	Type       RecordType
	Event      reactor.TraceEvent
	KindName   string
	Chain      deferred.TraceEvent
	Sample     Sample
	Lost       uint64
	LostChains uint64
	Offset     int64
	Err        error
	State      *State
}

// Sample is what the live screen reads besides the trace on every frame:
// the loop's counters (Stats.Backend is the backend in use) and, for a
// scenario with a driver, whether it is paused and its slow-motion delay.
type Sample struct {
	Stats  reactor.Stats
	Paused bool
	Delay  time.Duration
}

// chainLine is the trace line of a Deferred event: what deferred.TraceTo
// emits for it.
func chainLine(ev *deferred.TraceEvent, at int64) reactor.TraceEvent {
	return reactor.TraceEvent{Kind: reactor.KindDeferred, At: at, N: int64(ev.Kind), Label: ev.Label,
		Text: ev.String(), Dur: ev.Dur}
}

// gapLine is the trace line of a gap: what Subscription.Drain reports.
func gapLine(lost uint64, at int64) reactor.TraceEvent {
	return reactor.TraceEvent{Kind: reactor.KindOverflow, At: at, N: int64(lost), Fd: -1}
}

// KindString names rec's event kind as recorded: the kind's name in this
// build, or the recorded name of a kind it does not know.
func (rec *Record) KindString() string {
	if rec.KindName != "" {
		return rec.KindName
	}
	return rec.Event.Kind.String()
}
