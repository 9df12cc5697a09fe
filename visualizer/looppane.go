package visualizer

import (
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/reactor"
)

// loopPane shows where the loop's time goes, one column per frame (about
// 1/30 s), newest on the right: the share of wall time spent waiting in the
// kernel, dispatching handlers and running timers, with a stall band under
// it. Below: passes per second, the loop's CPU (when the Live measures it:
// CPUSource), loop lag and the time since the last pass.
type loopPane struct {
	w, h int

	cols  []loopCol // ring of recent frames
	head  int
	count int

	phase   loopPhase
	prevNow time.Time
	// loopStart estimates the wall time of the loop's clock zero (events
	// carry At = ns since loop start): min over events of Now - At, which
	// can only overestimate it by the delay before the event was drained.
	loopStart time.Time
	waitOpen  int64 // At of the WaitStart of the wait still in progress (-1 = none)
	lag       time.Duration
	rate      rateMeter // passes per second
	cpu       rateMeter // CPU seconds per second: the share of one core
	hasCPU    bool
	paused    bool
	delay     time.Duration
	backend   string
}

type loopCol struct {
	kernel, handlers, timers float64 // shares of the frame's wall time, 0..1
	stall                    bool
	passes                   int
}

func newLoopPane() *loopPane { return &loopPane{cols: make([]loopCol, 256), waitOpen: -1} }

func (p *loopPane) Title() string    { return "Loop (time per frame)" }
func (p *loopPane) MinHeight() int   { return 5 }
func (p *loopPane) SetSize(w, h int) { p.w, p.h = w, h }

// Update folds one frame into a new strip column.
func (p *loopPane) Update(msg tea.Msg) tea.Cmd {
	f, ok := msg.(*frameMsg)
	if !ok {
		return nil
	}
	p.paused, p.delay, p.backend = f.Paused, f.Delay, f.Backend
	p.phase.fold(f)
	var handlers, timers time.Duration
	col := loopCol{}
	for i := range f.Events {
		if c := f.Now.Add(-time.Duration(f.Events[i].At)); p.loopStart.IsZero() || c.Before(p.loopStart) {
			p.loopStart = c
		}
	}
	// Kernel time is the overlap of each wait with this frame, measured on
	// the loop's clock, so a long wait fills every frame it spans instead
	// of landing all at once in the frame where it ended.
	var frameStart int64
	if !p.prevNow.IsZero() {
		frameStart = int64(p.prevNow.Sub(p.loopStart))
	}
	frameEnd := int64(f.Now.Sub(p.loopStart))
	var kernel int64
	for i := range f.Events {
		ev := &f.Events[i]
		switch ev.Kind {
		case reactor.KindWaitStart:
			p.waitOpen = ev.At
		case reactor.KindWaitEnd:
			start := p.waitOpen
			if start < 0 {
				start = ev.At - int64(ev.Dur)
			}
			kernel += max(0, ev.At-max(start, frameStart))
			p.waitOpen = -1
		case reactor.KindPassEnd:
			handlers += ev.Dur2
			timers += ev.Dur3
			col.passes++
		case reactor.KindStall:
			col.stall = true
		case reactor.KindLag:
			p.lag = ev.Dur
		}
	}
	if p.waitOpen >= 0 && p.phase.inKernel && !f.Paused {
		kernel += max(0, frameEnd-max(p.waitOpen, frameStart))
	}
	if f.Stats.LastLag > 0 {
		p.lag = f.Stats.LastLag
	}
	if p.stalledNow(f.Now) {
		col.stall = true
	}
	if !p.prevNow.IsZero() {
		if span := f.Now.Sub(p.prevNow); span > 0 {
			col.kernel = min(1, float64(kernel)/float64(span))
			col.handlers = min(1, float64(handlers)/float64(span))
			col.timers = min(1, float64(timers)/float64(span))
			if col.stall && col.handlers < 0.5 && col.passes == 0 {
				col.handlers = 1 // the handler is still running: it owns the frame
			}
		}
	}
	p.prevNow = f.Now
	p.rate.add(f.Now, float64(f.Stats.Passes))
	if f.HasCPU {
		p.hasCPU = true
		p.cpu.add(f.Now, f.CPU.Seconds())
	}
	p.head = (p.head + 1) % len(p.cols)
	p.cols[p.head] = col
	p.count++
	return nil
}

// stalledNow is true while the loop has been out of the kernel for longer
// than the stall threshold without finishing its pass.
func (p *loopPane) stalledNow(now time.Time) bool {
	return !p.paused && p.phase.busyFor(now) > stallThreshold+p.delay
}

// View draws three strips (kernel, handlers, timers) and a stall band.
func (p *loopPane) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	const lw = 9
	n := max(1, min(p.w-lw, len(p.cols)))
	var kern, hand, tim, stall strings.Builder
	shown := min(n, p.count)
	for i := 0; i < n-shown; i++ {
		kern.WriteByte(' ')
		hand.WriteByte(' ')
		tim.WriteByte(' ')
		stall.WriteByte(' ')
	}
	for c := shown - 1; c >= 0; c-- {
		col := &p.cols[(p.head-c+len(p.cols))%len(p.cols)]
		kern.WriteString(spark(col.kernel))
		hand.WriteString(spark(col.handlers))
		tim.WriteString(spark(col.timers))
		if col.stall {
			stall.WriteByte('S')
		} else {
			stall.WriteByte('-')
		}
	}
	strips := []string{"kernel   " + kern.String(), "handlers " + hand.String(),
		"timers   " + tim.String(), "stalls   " + stall.String()}
	now := p.prevNow
	state := "running"
	switch {
	case p.paused:
		state = "PAUSED"
	case p.stalledNow(now):
		state = "STALLED " + fmtDur(p.phase.busyFor(now).Truncate(time.Millisecond))
	case p.phase.inKernel:
		state = "idle in kernel"
	}
	line := "passes/s " + fmtCount(p.rate.perSec())
	if p.hasCPU {
		line += " · cpu " + strconv.Itoa(int(min(1, max(0, p.cpu.perSec()))*100+0.5)) + "%"
	}
	line += " · lag " + fmtDur(p.lag) +
		" · " + state + " · last pass " + ago(p.phase.sinceLastPass(now))
	if p.delay > 0 {
		line += " · slow-mo " + fmtDur(p.delay)
	}
	// Squeezed, the strips go from the bottom up: the line under them
	// (passes/s, cpu, state) stays.
	var b strings.Builder
	for _, s := range strips[:max(0, min(len(strips), p.h-1))] {
		b.WriteString(fit(s, p.w) + "\n")
	}
	b.WriteString(fit(line, p.w))
	for i := 5; i < p.h; i++ {
		b.WriteByte('\n')
	}
	return b.String()
}

// rateMeter turns a growing counter into a per-second rate over about the
// last second of samples.
type rateMeter struct {
	t   [40]time.Time
	v   [40]float64
	n   int
	pos int
}

func (r *rateMeter) add(now time.Time, v float64) {
	r.t[r.pos], r.v[r.pos] = now, v
	r.pos = (r.pos + 1) % len(r.t)
	if r.n < len(r.t) {
		r.n++
	}
}

// perSec compares the newest sample with the oldest one at most ~1 s older.
func (r *rateMeter) perSec() float64 {
	if r.n < 2 {
		return 0
	}
	newest := (r.pos - 1 + len(r.t)) % len(r.t)
	oldest := newest
	for i := 1; i < r.n; i++ {
		j := (newest - i + len(r.t)) % len(r.t)
		if r.t[newest].Sub(r.t[j]) > time.Second {
			break
		}
		oldest = j
	}
	dt := r.t[newest].Sub(r.t[oldest]).Seconds()
	if dt <= 0 {
		return 0
	}
	return (r.v[newest] - r.v[oldest]) / dt
}

func itoa(n int) string { return strconv.Itoa(n) }
