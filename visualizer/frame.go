package visualizer

import (
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/reactor"
)

// frameMsg is what every pane receives once per frame: the trace events
// drained since the previous frame plus a snapshot of the loop's state.
// Panes must not keep Events (the slice is reused next frame).
type frameMsg struct {
	Now     time.Time            // wall clock at the frame tick
	Events  []reactor.TraceEvent // drained since the last frame, oldest first
	Stats   reactor.Stats        // loop counters at Now
	Backend string               // backend in use
	Paused  bool                 // the learner paused the loop
	Delay   time.Duration        // slow-motion delay between passes
	CPU     time.Duration        // the loop's CPU time so far (CPUSource); valid if HasCPU
	HasCPU  bool
	FDs     FDTable // the fd table (FDSource); valid if HasFDs
	HasFDs  bool
}

// watchedMsg carries a snapshot of the interest set (from Live.Watched,
// taken in a Cmd).
type watchedMsg struct {
	At   time.Time
	List []reactor.WatchInfo
	// Replace says the trace lost events since the last snapshot, so the
	// panes should drop registrations the snapshot does not list (their
	// Deregister may have been among the lost events).
	Replace bool
}

// prune drops from fds every row the snapshot does not list, when the
// snapshot says it replaces what the panes knew.
func prune[T any](msg watchedMsg, fds map[int32]T) {
	if !msg.Replace {
		return
	}
	keep := make(map[int32]bool, len(msg.List))
	for _, w := range msg.List {
		keep[int32(w.Fd)] = true
	}
	for fd := range fds {
		if !keep[fd] {
			delete(fds, fd)
		}
	}
}

// tickMsg is the frame tick. The sampler re-arms it only from its own
// Update branch, so there is never more than one in flight.
type tickMsg time.Time

func (c *config) tickCmd() tea.Cmd {
	if c.noTick {
		return nil
	}
	return tea.Tick(c.frame, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// pane is one live component: it folds frames into its own state, draws
// itself into the size it was given, and knows nothing about the others.
type pane interface {
	Title() string
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	// MinHeight is the fewest content rows the pane is useful with.
	MinHeight() int
}

// newPane builds the component for id.
func newPane(id PaneID) pane {
	switch id {
	case PaneReadiness:
		return newReadiness()
	case PaneLoop:
		return newLoopPane()
	case PaneStalls:
		return newStalls()
	case PaneInterest:
		return newInterest()
	case PaneCounters:
		return newCounters()
	case PaneChain:
		return newChain()
	case PaneCost:
		return newCostPlot()
	case PaneLatency:
		return newLatency()
	case PanePool:
		return newPoolPane()
	case PaneFDs:
		return newFDs()
	case PaneTimers:
		return newTimers()
	case PaneBuffers:
		return newBuffers()
	case PaneCompare:
		return newCompare()
	}
	return nil
}

// loopPhase tracks where the loop is, so a stalled loop is visible even
// though it emits nothing while stalled. The reactor hands a pass's events
// over when it goes to sleep and when the pass ends, so during a stall the
// last visible event is the WaitStart; the live counters (updated at once)
// say otherwise: a pass has started its wait (Passes) and the wait has
// returned (WaitCalls) once WaitCalls catches up with Passes.
type loopPhase struct {
	inKernel   bool      // last event was WaitStart: idle in the kernel, not stalled
	busySince  time.Time // wall time the loop left the kernel (zero = unknown)
	lastPass   time.Time // wall time of the last PassEnd seen
	lastLabel  string    // last ready fd's label: the likely culprit of a stall in progress
	seenEvents bool
}

// fold updates the phase from one frame.
func (p *loopPhase) fold(f *frameMsg) {
	for i := range f.Events {
		ev := &f.Events[i]
		switch ev.Kind {
		case reactor.KindWaitStart:
			p.inKernel = true
			p.seenEvents = true
			p.lastLabel = "" // a new pass: earlier handlers are not to blame
		case reactor.KindWaitEnd:
			p.inKernel = false
			p.busySince = f.Now
			p.seenEvents = true
		case reactor.KindReady, reactor.KindDispatch, reactor.KindTimerFired:
			if ev.Label != "" {
				p.lastLabel = ev.Label
			}
		case reactor.KindPassEnd:
			p.lastPass = f.Now
			p.busySince = f.Now
			p.seenEvents = true
		}
	}
	if st := &f.Stats; p.inKernel && st.Passes > 0 && st.WaitCalls >= st.Passes {
		// The wait returned but the pass's events are not out yet: the
		// loop is running handlers or timers from now on.
		p.inKernel = false
		p.busySince = f.Now
	}
}

// busyFor is how long the loop has been out of the kernel without
// finishing a pass; zero when waiting in the kernel or unknown.
func (p *loopPhase) busyFor(now time.Time) time.Duration {
	if p.inKernel || p.busySince.IsZero() {
		return 0
	}
	return now.Sub(p.busySince)
}

// sinceLastPass is the time since the last pass ended.
func (p *loopPhase) sinceLastPass(now time.Time) time.Duration {
	if p.lastPass.IsZero() {
		return 0
	}
	return now.Sub(p.lastPass)
}

// stallThreshold is the busy time after which the screen calls it a stall
// (the reactor's default StallThreshold).
const stallThreshold = 50 * time.Millisecond
