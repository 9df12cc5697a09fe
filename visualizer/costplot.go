package visualizer

import (
	"math"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/reactor"
)

// costPlot plots what one wait call costs against how many fds it watched,
// per backend, as the points are measured live.
//
// Only waits with timeout 0 count (KindWaitStart.Dur == 0): they never
// sleep, so their time in the kernel is the pure cost of the call — build
// the fd sets, scan them, copy the answer back. A wait that could block
// measures mostly how long nothing happened, which would flatten every
// real point to zero.
//
// And only a timeout-0 wait that directly follows another one counts: the
// first call after the loop slept runs on a cold CPU (caches, and on a VM
// a vCPU just woken) and costs several µs more, with a wide spread that
// hides the per-fd cost. The lesson driver's cost probe is exactly such a
// pair, a few times a second: a warm-up pass, then the measured one.
//
// x = fds watched, y = time per call (median of the bucket's recent
// samples), on a linear scale from 0, or a log scale when the points span
// more than 100×. Points are drawn with each backend's glyph from
// reactor.Backends (s, p, e), never colour alone.
type costPlot struct {
	w, h     int
	watched  int64                      // fds watched at the open WaitStart
	cur      string                     // backend of the open WaitStart
	open     bool                       // a WaitStart awaits its WaitEnd
	zero     bool                       // the open wait has timeout 0
	prevZero bool                       // the wait before it had timeout 0 too: the CPU is warm
	buckets  map[string]map[int]*costBk // backend -> fd bucket -> samples
	maxFds   int
	samples  int
	last     string // backend of the latest sample
	lastFds  int64  // fds watched at the latest sample
}

// costBk keeps the last few samples of one (backend, fds) bucket. The plot
// uses their median: robust to the odd sample stretched by a page fault,
// an interrupt or the Go scheduler, yet quick to follow a real change.
type costBk struct {
	v   [costKeep]int64
	n   int
	pos int
}

// costKeep is how many recent samples a bucket keeps.
const costKeep = 15

func (b *costBk) add(ns int64) {
	b.v[b.pos] = ns
	b.pos = (b.pos + 1) % len(b.v)
	if b.n < len(b.v) {
		b.n++
	}
}

// median of the kept samples (the upper one of the middle two when even).
func (b *costBk) median() int64 {
	if b.n == 0 {
		return 0
	}
	s := slices.Clone(b.v[:b.n])
	slices.Sort(s)
	return s[len(s)/2]
}

// costBucket groups fd counts so the plot has a point per ~32 fds.
func costBucket(fds int64) int { return int(fds/32) * 32 }

func newCostPlot() *costPlot {
	return &costPlot{buckets: map[string]map[int]*costBk{}}
}

func (p *costPlot) Title() string    { return "Cost of one wait call vs fds watched" }
func (p *costPlot) MinHeight() int   { return 7 }
func (p *costPlot) SetSize(w, h int) { p.w, p.h = w, h }

// Update pairs each WaitStart (backend, fds watched, timeout) with the
// WaitEnd that follows (time in the kernel) and keeps the warm timeout-0
// ones. Waits that may block are ignored.
func (p *costPlot) Update(msg tea.Msg) tea.Cmd {
	f, ok := msg.(*frameMsg)
	if !ok {
		return nil
	}
	for i := range f.Events {
		ev := &f.Events[i]
		switch ev.Kind {
		case reactor.KindWaitStart:
			p.cur, p.watched, p.open, p.zero = ev.Backend, ev.N, true, ev.Dur == 0
			if p.cur == "" {
				p.cur = f.Backend
			}
		case reactor.KindOverflow:
			p.open, p.prevZero = false, false // events were lost: pairs may be broken
		case reactor.KindWaitEnd:
			if !p.open {
				continue
			}
			if p.zero && p.prevZero {
				p.add(p.cur, p.watched, int64(ev.Dur))
			}
			p.open, p.prevZero = false, p.zero
		}
	}
	return nil
}

func (p *costPlot) add(backend string, watched, ns int64) {
	m := p.buckets[backend]
	if m == nil {
		m = map[int]*costBk{}
		p.buckets[backend] = m
	}
	k := costBucket(watched)
	bk := m[k]
	if bk == nil {
		bk = &costBk{}
		m[k] = bk
	}
	bk.add(max(ns, 0))
	p.samples++
	p.last, p.lastFds = backend, watched
	p.maxFds = max(p.maxFds, k+32)
}

// costGlyph marks a backend's points with its reactor.Backend glyph.
func costGlyph(backend string) rune {
	if b, ok := reactor.LookupBackend(backend); ok && b.Glyph != 0 {
		return b.Glyph
	}
	return '?'
}

// costLegend names each available backend's glyph, then '*' for a cell
// where several meet: "s select  p poll  e epoll  * several".
func costLegend() string {
	var b strings.Builder
	for _, be := range reactor.Backends() {
		if be.Available {
			b.WriteString(string(be.Glyph) + " " + be.Name + "  ")
		}
	}
	return b.String() + "* several"
}

// costPoint is one plotted bucket.
type costPoint struct {
	fds int
	ns  int64
	g   rune
}

// points returns every bucket's median, backends in name order.
func (p *costPlot) points() []costPoint {
	backends := make([]string, 0, len(p.buckets))
	for be := range p.buckets {
		backends = append(backends, be)
	}
	slices.Sort(backends)
	var pts []costPoint
	for _, be := range backends {
		g := costGlyph(be)
		for k, bk := range p.buckets[be] {
			pts = append(pts, costPoint{k, bk.median(), g})
		}
	}
	return pts
}

// View hand-draws a scatter plot with labelled axes; the y axis names its
// scale (linear or log). Below the x axis: the glyph legend with the
// latest point's value (rows are coarse), and (when there is room) what a
// point is.
func (p *costPlot) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	const yw = 8 // y-axis label width
	notes := 1
	if p.h >= 9 {
		notes = 2
	}
	plotW := max(4, p.w-yw-1)
	plotH := max(2, p.h-2-notes)
	pts := p.points()
	var lo, hi int64 = math.MaxInt64, 1
	for _, q := range pts {
		lo, hi = min(lo, max(q.ns, 1)), max(hi, q.ns)
	}
	sc := newCostScale(lo, hi)
	maxX := max(64, p.maxFds)
	grid := make([][]rune, plotH)
	for i := range grid {
		grid[i] = []rune(strings.Repeat(" ", plotW))
	}
	for _, q := range pts {
		x := min(plotW-1, q.fds*(plotW-1)/maxX)
		row := plotH - 1 - sc.row(q.ns, plotH)
		if c := grid[row][x]; c != ' ' && c != q.g {
			grid[row][x] = '*' // two or more backends on one cell
		} else {
			grid[row][x] = q.g
		}
	}
	var b strings.Builder
	for i, row := range grid {
		label := sc.label(i, plotH)
		if i == 1 && label == "" && plotH >= 4 {
			label = sc.short() // the scale's name in a free row
		}
		b.WriteString(padLeft(label, yw-1) + " |" + string(row))
		b.WriteByte('\n')
	}
	b.WriteString(strings.Repeat(" ", yw) + "+" + strings.Repeat("-", plotW) + "\n")
	axis := "0 fds watched →"
	right := strconv.Itoa(maxX)
	b.WriteString(strings.Repeat(" ", yw+1) + fit(axis, max(0, plotW-len(right))) + right + "\n")
	legend := costLegend()
	if bk := p.buckets[p.last][costBucket(p.lastFds)]; bk != nil {
		legend += " · now " + strconv.FormatInt(p.lastFds, 10) + " fds: " + fmtDur(durNS(bk.median()))
	}
	if plotH < 4 {
		legend += " · y " + sc.name()
	}
	note := "point = median of recent warm timeout-0 waits · " + strconv.Itoa(p.samples) + " samples"
	if p.samples == 0 {
		legend = "waiting for samples: only warm timeout-0 waits are timed"
		note = "(they never sleep, so they measure the call itself)"
	}
	b.WriteString(fit(legend, p.w))
	if notes == 2 {
		b.WriteString("\n" + fit(note, p.w))
	}
	return b.String()
}

// costScale maps a time per call to a plot row. Linear from 0 shows
// growth best; when the points span more than 100× a linear axis would
// squash the small ones onto the floor, so it turns logarithmic.
type costScale struct {
	log    bool
	lo, hi float64 // ns at the bottom and top rows
}

func newCostScale(lo, hi int64) costScale {
	if lo > 0 && hi/lo > 100 {
		return costScale{log: true, lo: math.Pow(10, math.Floor(math.Log10(float64(lo)))),
			hi: math.Pow(10, math.Ceil(math.Log10(float64(hi))))}
	}
	return costScale{hi: niceCeil(float64(max(hi, 1)))}
}

// niceCeil rounds v up to a round number (1, 1.5, 2, 3, 4, 5, 6 or 8
// times a power of ten), so the top label reads well and the largest point
// sits near the top.
func niceCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.5, 2, 3, 4, 5, 6, 8, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// short is the scale's name for the y-axis column.
func (s costScale) short() string {
	if s.log {
		return "log"
	}
	return "linear"
}

func (s costScale) name() string {
	if s.log {
		return "log scale"
	}
	return "linear from 0"
}

// frac is where ns sits between the bottom (0) and top (1) rows.
func (s costScale) frac(ns int64) float64 {
	if s.log {
		return math.Log(max(float64(ns), s.lo)/s.lo) / math.Log(s.hi/s.lo)
	}
	return float64(ns) / s.hi
}

// row is ns's row counted from the bottom, 0..h-1.
func (s costScale) row(ns int64, h int) int {
	return min(h-1, max(0, int(math.Round(s.frac(ns)*float64(h-1)))))
}

// value is the time at row i counted from the top of an h-row plot.
func (s costScale) value(i, h int) float64 {
	f := float64(h-1-i) / float64(h-1)
	if s.log {
		return s.lo * math.Pow(s.hi/s.lo, f)
	}
	return s.hi * f
}

// label names the top, bottom and middle rows.
func (s costScale) label(i, h int) string {
	if i != 0 && i != h-1 && (h < 5 || i != (h-1)/2) {
		return ""
	}
	v := s.value(i, h)
	if v == 0 {
		return "0"
	}
	return fmtDur(durNS(int64(math.Round(v))))
}
