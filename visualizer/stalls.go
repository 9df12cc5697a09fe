package visualizer

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/reactor"
)

// stalls shows who is holding the loop: the current lag, a stall in
// progress (with the last handler that ran before it), the longest stall in
// the last minute with the handler the reactor blamed, the most recent
// stalls and late timers, and panics.
type stalls struct {
	w, h int

	phase  loopPhase
	now    time.Time
	lag    time.Duration
	paused bool
	delay  time.Duration
	recent []stallRec // newest last, bounded
	late   []stallRec // late timers, newest last, bounded
	panics []stallRec
	total  uint64
}

type stallRec struct {
	at    time.Time
	label string
	dur   time.Duration
}

const (
	stallKeep     = 32
	lateTimerMin  = 5 * time.Millisecond // lateness worth showing
	longestWindow = time.Minute
)

func newStalls() *stalls { return &stalls{} }

func (p *stalls) Title() string    { return "Stalls & lag" }
func (p *stalls) MinHeight() int   { return 4 }
func (p *stalls) SetSize(w, h int) { p.w, p.h = w, h }

func keepLast(s []stallRec, r stallRec) []stallRec {
	if len(s) >= stallKeep {
		copy(s, s[1:])
		s = s[:len(s)-1]
	}
	return append(s, r)
}

// Update folds stall, lag, late-timer and panic events.
func (p *stalls) Update(msg tea.Msg) tea.Cmd {
	f, ok := msg.(*frameMsg)
	if !ok {
		return nil
	}
	p.now, p.paused, p.delay = f.Now, f.Paused, f.Delay
	p.phase.fold(f)
	for i := range f.Events {
		ev := &f.Events[i]
		switch ev.Kind {
		case reactor.KindStall:
			p.total++
			p.recent = keepLast(p.recent, stallRec{f.Now, shortFunc(ev.Label), ev.Dur})
		case reactor.KindLag:
			p.lag = ev.Dur
		case reactor.KindTimerFired:
			if ev.Dur >= lateTimerMin {
				p.late = keepLast(p.late, stallRec{f.Now, shortFunc(ev.Label), ev.Dur})
			}
		case reactor.KindPanic:
			p.panics = keepLast(p.panics, stallRec{f.Now, ev.Label, 0})
		}
	}
	if f.Stats.LastLag > 0 {
		p.lag = f.Stats.LastLag
	}
	return nil
}

// View lists the facts, most urgent first.
func (p *stalls) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	lines := make([]string, 0, p.h)
	busy := p.phase.busyFor(p.now)
	switch {
	case p.paused:
		lines = append(lines, "loop PAUSED (no passes while paused)")
	case busy > stallThreshold+p.delay:
		who := p.phase.lastLabel
		if who == "" {
			who = "named when the pass ends"
		}
		lines = append(lines, styleWarn.Render("!! STALL NOW: loop busy "+fmtDur(busy.Truncate(time.Millisecond))),
			"   last handler: "+who)
	case p.phase.inKernel:
		lines = append(lines, "loop ok · idle in the kernel · last pass "+ago(p.phase.sinceLastPass(p.now)))
	default:
		lines = append(lines, "loop ok · last pass "+ago(p.phase.sinceLastPass(p.now)))
	}
	lag, longest := "lag now "+fmtDur(p.lag)+" · stalls seen "+itoa(int(p.total)), "longest (1 min): none"
	if r, ok := p.longest(); ok {
		longest = "longest (1 min): " + fmtDur(r.dur) + " blamed on " + orDash(r.label)
		if p.h-len(lines) == 1 {
			// One row left (80×24): who held the loop, which the lessons
			// point at, says more than the lag.
			lag = "longest " + fmtDur(r.dur) + ": " + orDash(r.label) + " · stalls seen " + itoa(int(p.total))
		}
	}
	lines = append(lines, lag, longest)
	for i := len(p.panics) - 1; i >= 0 && len(lines) < p.h; i-- {
		lines = append(lines, "PANIC in "+orDash(p.panics[i].label)+" ("+p.age(p.panics[i].at)+")")
	}
	for i := len(p.recent) - 1; i >= 0 && len(lines) < p.h-1; i-- {
		r := p.recent[i]
		lines = append(lines, "  stall "+padLeft(fmtDur(r.dur), 6)+"  "+orDash(r.label)+"  ("+p.age(r.at)+")")
	}
	if len(p.late) > 0 && len(lines) < p.h {
		r := p.late[len(p.late)-1]
		late := "late timer +" + fmtDur(r.dur) + " " + orDash(r.label) + " (" + itoa(len(p.late)) + " late recently)"
		if w, ok := p.latest(); ok && w.dur > r.dur {
			// The worst first: a stall's late timers are followed by
			// slightly late ones, and the line may be cut.
			late = "late timers: worst +" + fmtDur(w.dur) + " · last +" + fmtDur(r.dur) + " " + orDash(r.label) +
				" · " + itoa(len(p.late)) + " recently"
		}
		lines = append(lines, late)
	}
	for len(lines) < p.h {
		lines = append(lines, "")
	}
	return strings.Join(lines[:p.h], "\n")
}

func (p *stalls) longest() (stallRec, bool) { return p.worst(p.recent) }

// latest is the latest-firing timer of the last minute.
func (p *stalls) latest() (stallRec, bool) { return p.worst(p.late) }

// worst is the longest of recs in the last minute.
func (p *stalls) worst(recs []stallRec) (stallRec, bool) {
	var best stallRec
	ok := false
	for _, r := range recs {
		if p.now.Sub(r.at) <= longestWindow && (!ok || r.dur > best.dur) {
			best, ok = r, true
		}
	}
	return best, ok
}

func (p *stalls) age(t time.Time) string {
	return ago(p.now.Sub(t).Truncate(100 * time.Millisecond))
}

// shortFunc shortens the name the reactor gives a timer or a handler
// without a label — a Go function's full path,
// "github.com/you/app/server.(*conn).sweep-fm" — to its last element,
// "server.(*conn).sweep", so what matters fits the pane. Labels are left
// alone.
func shortFunc(label string) string {
	if strings.ContainsAny(label, " \t") {
		return label
	}
	if i := strings.LastIndexByte(label, '/'); i >= 0 {
		label = label[i+1:]
	}
	return strings.TrimSuffix(label, "-fm")
}
