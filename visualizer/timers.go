package visualizer

import (
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/reactor"
)

// timers draws the loop's timer heap from the trace: the pending timers by
// due time with the func each will call, the cancelled ones still in the
// heap (cancellation is lazy: a cancelled timer leaves when it reaches the
// top, or all at once when the heap is compacted), how late each timer
// fired, and how the calls other goroutines queue with CallFromGoroutine
// reach the loop: many calls, few wake-ups, at most one waker write per
// pass.
type timers struct {
	w, h int

	clock loopClock
	now   time.Time

	byID      map[int64]*timerRow
	rows      []*timerRow // scratch for View, sorted by due time
	untracked int         // scheduled while byID was full

	// A pass runs every timer due when its timers phase starts, which is
	// after the pass starts: a timer due before the start of a pass that
	// has ended has fired (or, cancelled, has left the heap), whether or
	// not the trace still had room for the event that said so.
	passStart, donePassStart int64

	fired      []firedRec // newest last, bounded
	compacts   int        // compactions seen
	lastDrop   int64      // timers the last compaction dropped
	lastDur    time.Duration
	discarded  int // cancelled timers dropped at the top of the heap
	overflowed bool

	calls, drains     int64  // CallFromGoroutine calls run, and the passes that ran them
	biggest           int64  // most calls run by one pass
	wakeBase, wakeNow uint64 // Stats.WakeWrites when the pane started, and now
	wakeSeen          bool
}

type timerRow struct {
	id        int64
	due       int64 // loop clock, ns since loop start
	label     string
	cancelled bool
}

type firedRec struct {
	at    time.Time
	id    int64
	label string
	late  time.Duration
}

const (
	timersKeep = 1 << 14 // timers tracked at once; more are counted, not drawn
	firedKeep  = 64
	lateWindow = 10 * time.Second // the lateness summary covers this much
)

func newTimers() *timers { return &timers{byID: map[int64]*timerRow{}} }

func (p *timers) Title() string    { return "Timers (the heap)" }
func (p *timers) MinHeight() int   { return 5 }
func (p *timers) SetSize(w, h int) { p.w, p.h = w, h }

// Update folds the timer, pass and wake events of one frame.
func (p *timers) Update(msg tea.Msg) tea.Cmd {
	f, ok := msg.(*frameMsg)
	if !ok {
		return nil
	}
	p.now = f.Now
	if !p.wakeSeen {
		p.wakeBase, p.wakeSeen = f.Stats.WakeWrites, true
	}
	p.wakeNow = f.Stats.WakeWrites
	for i := range f.Events {
		ev := &f.Events[i]
		p.clock.see(f.Now, ev.At)
		switch ev.Kind {
		case reactor.KindTimerScheduled:
			r := p.byID[ev.N]
			if r == nil {
				if len(p.byID) >= timersKeep {
					p.untracked++
					continue
				}
				r = &timerRow{id: ev.N}
				p.byID[ev.N] = r
			}
			r.due, r.label, r.cancelled = ev.At+int64(ev.Dur), ev.Label, false
		case reactor.KindTimerCancelled:
			if r := p.byID[ev.N]; r != nil {
				r.cancelled = true
			}
		case reactor.KindTimerDiscarded:
			p.discarded++
			delete(p.byID, ev.N)
		case reactor.KindTimerCompacted:
			p.compacts++
			p.lastDrop, p.lastDur = ev.N, ev.Dur
			for id, r := range p.byID {
				if r.cancelled {
					delete(p.byID, id)
				}
			}
		case reactor.KindTimerFired:
			delete(p.byID, ev.N)
			if len(p.fired) >= firedKeep {
				p.fired = slices.Delete(p.fired, 0, 1)
			}
			p.fired = append(p.fired, firedRec{at: f.Now, id: ev.N, label: ev.Label, late: ev.Dur})
		case reactor.KindWake:
			p.calls += ev.N
			p.drains++
			p.biggest = max(p.biggest, ev.N)
		case reactor.KindPassStart:
			p.passStart = ev.At
		case reactor.KindPassEnd:
			p.donePassStart = p.passStart
		case reactor.KindOverflow:
			p.overflowed = true
		}
	}
	if p.donePassStart > 0 {
		for id, r := range p.byID {
			if r.due <= p.donePassStart {
				delete(p.byID, id) // its event was lost, but it is gone
			}
		}
	}
	return nil
}

// View: the heap's size, a strip of it in due order, then the pending
// timers, the recent firings with their lateness, and the wake-ups. When
// rows are short the summaries stay and the lists shrink.
func (p *timers) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	p.rows = p.rows[:0]
	pending := 0
	for _, r := range p.byID {
		p.rows = append(p.rows, r)
		if !r.cancelled {
			pending++
		}
	}
	slices.SortFunc(p.rows, func(a, b *timerRow) int {
		if a.due != b.due {
			if a.due < b.due {
				return -1
			}
			return 1
		}
		return int(a.id - b.id)
	})
	cancelled := len(p.rows) - pending
	head := "heap " + itoa(len(p.rows)+p.untracked) + ": " + itoa(pending+p.untracked) + " pending + " +
		itoa(cancelled) + " cancelled"
	if p.overflowed {
		head = pick(p.w, head+" · trace overflowed: approximate", head+" · approx.")
	} else {
		head = pick(p.w, head+" (lazily: still in the heap)", head)
	}
	top := []string{head, p.stripLine(), p.lateLine(), p.compactLine()}
	wake := p.wakeLine()
	room := p.h - len(top) - 1 // the wake line is last
	var list []string
	if room >= 2 {
		// Pending first (they are the heap), then what fired: a third of
		// the room, and at least a header and the newest firing.
		nFired := 0
		if len(p.fired) > 0 && room >= 4 {
			nFired = min(1+len(p.fired), max(2, room/3))
		}
		list = append(list, p.pendingLines(room-nFired)...)
		list = append(list, p.firedLines(room-len(list))...)
	}
	lines := append(top, list...)
	for len(lines) < p.h-1 {
		lines = append(lines, "")
	}
	lines = append(lines[:max(0, p.h-1)], wake)
	return frameLines(lines, p.w, p.h)
}

// stripLine draws the heap in due order, one cell per timer: ● pending,
// × cancelled but still there.
func (p *timers) stripLine() string {
	const lead = "due→ "
	cells := max(0, p.w-len(lead)-6)
	var b strings.Builder
	b.WriteString(lead)
	for i, r := range p.rows {
		if i == cells {
			b.WriteString(" +" + itoa(len(p.rows)-cells))
			break
		}
		if r.cancelled {
			b.WriteString("×")
		} else {
			b.WriteString("●")
		}
	}
	if len(p.rows) == 0 {
		b.WriteString("(empty)")
	}
	return b.String()
}

// lateLine sums up how late timers fired in the last lateWindow.
func (p *timers) lateLine() string {
	n, late := 0, 0
	var worst firedRec
	for _, r := range p.fired {
		if p.now.Sub(r.at) > lateWindow {
			continue
		}
		n++
		if r.late >= lateTimerMin {
			late++
		}
		if r.late >= worst.late {
			worst = r
		}
	}
	if n == 0 {
		return "fired in 10 s: none"
	}
	s := "fired in 10 s: " + itoa(n) + ", " + itoa(late) + " late · worst " + fmtDur(worst.late.Truncate(100*time.Microsecond))
	if worst.late >= lateTimerMin {
		s = styleWarn.Render(pick(p.w, s+" "+shortFunc(worst.label), s))
	}
	return s
}

// compactLine counts the two ways cancelled timers leave the heap.
func (p *timers) compactLine() string {
	top := itoa(p.discarded) + " dropped at top"
	if p.compacts == 0 {
		return pick(p.w, "compacted 0× (at >50 cancelled & >½ heap) · "+top, "compacted 0× · "+top)
	}
	return pick(p.w, "compacted "+itoa(p.compacts)+"× (last: "+strconv.FormatInt(p.lastDrop, 10)+" in "+fmtDur(p.lastDur)+") · "+top,
		"compacted "+itoa(p.compacts)+"× (last "+strconv.FormatInt(p.lastDrop, 10)+") · "+top)
}

// pendingLines lists up to n timers by due time: the header, then one row
// each, cancelled ones marked.
func (p *timers) pendingLines(n int) []string {
	if n <= 0 {
		return nil
	}
	out := []string{styleHeader.Render("  due in     id  calls")}
	loopNow := p.clock.at(p.now)
	shown := 0
	for _, r := range p.rows {
		if len(out) == n {
			break
		}
		mark := " "
		if r.cancelled {
			mark = "×"
		}
		due := "now"
		if d := time.Duration(r.due - loopNow); d > 0 {
			due = fmtDur(d.Truncate(time.Millisecond))
		}
		what := shortFunc(r.label)
		if r.cancelled {
			what = "(cancelled) " + what
		}
		out = append(out, mark+" "+padLeft(due, 7)+" "+padLeft("#"+strconv.FormatInt(r.id, 10), 6)+"  "+what)
		shown++
	}
	if rest := len(p.rows) - shown; rest > 0 && shown >= 2 {
		out[len(out)-1] = "  … " + itoa(rest+1) + " more, due later"
	}
	if len(p.rows) == 0 {
		out = append(out, "  (no timers pending)")
	}
	return out
}

// firedLines lists the newest firings with their lateness, up to n lines.
func (p *timers) firedLines(n int) []string {
	if n < 2 || len(p.fired) == 0 {
		return nil
	}
	out := []string{styleHeader.Render("  late by    id  fired")}
	for i := len(p.fired) - 1; i >= 0 && len(out) < n; i-- {
		r := p.fired[i]
		line := "  " + padLeft(fmtDur(r.late.Truncate(10*time.Microsecond)), 7) + " " +
			padLeft("#"+strconv.FormatInt(r.id, 10), 6) + "  " + shortFunc(r.label) + " (" + p.age(r.at) + ")"
		if r.late >= lateTimerMin {
			line = styleWarn.Render(line)
		}
		out = append(out, line)
	}
	return out
}

// wakeLine: calls queued from other goroutines, the passes that ran them
// and the waker writes they cost. Twisted writes the waker once per call;
// this loop at most once per pass.
func (p *timers) wakeLine() string {
	calls, passes := fmtCount(float64(p.calls)), fmtCount(float64(p.drains))
	writes := fmtCount(float64(p.wakeNow - p.wakeBase))
	return pick(p.w,
		"calls from goroutines "+calls+" → run in "+passes+" passes, "+writes+" waker writes (max "+fmtCount(float64(p.biggest))+"/pass)",
		"calls from goroutines "+calls+" → "+passes+" passes, "+writes+" waker writes",
		"goroutine calls "+calls+" → "+writes+" waker writes")
}

func (p *timers) age(t time.Time) string { return ago(p.now.Sub(t).Truncate(100 * time.Millisecond)) }

// loopClock tells the time on the loop's clock (trace events' At: ns
// since the loop started) at a frame: the newest At seen, plus the wall
// time since the frame that brought it. A running loop emits events every
// pass (and its heartbeat every 100 ms), so the estimate trails the loop
// by about a frame; a stalled loop emits nothing, and its clock runs on
// with the wall's.
type loopClock struct {
	newest int64     // the newest At seen
	seen   time.Time // the frame that brought it
}

func (c *loopClock) see(now time.Time, at int64) {
	if at > c.newest || c.seen.IsZero() {
		c.newest, c.seen = at, now
	}
}

// at is wall time t on the loop's clock.
func (c *loopClock) at(t time.Time) int64 {
	if c.seen.IsZero() {
		return 0
	}
	return c.newest + int64(t.Sub(c.seen))
}

// pick returns the first of variants (longest first) that fits in w
// cells, or the last one, which the pane's frame will cut.
func pick(w int, variants ...string) string {
	for _, v := range variants {
		if width(v) <= w {
			return v
		}
	}
	return variants[len(variants)-1]
}
