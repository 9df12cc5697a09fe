package visualizer

import (
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/reactor"
)

// costPlot plots what one wait call costs against how many fds it watched,
// per backend, as the points are measured live. Only waits that returned
// ready work count: a wait that slept until a timeout measures the
// timeout, not the call. x = fds watched, y = µs in the kernel; points are
// drawn with the backend's initial (s, p, e), never colour alone.
type costPlot struct {
	w, h    int
	watched int64  // fds watched at the open WaitStart
	cur     string // backend of the open WaitStart
	open    bool
	buckets map[string]map[int]*costBk // backend -> fd bucket -> samples
	maxFds  int
	samples int
}

// costBk keeps the last few samples of one (backend, fds) bucket. The plot
// uses their minimum: a wait that found work may still have slept until
// that work arrived, so the fastest recent one is the best measure of the
// call itself (the usual way to time a syscall).
type costBk struct {
	v   [16]int64
	n   int
	pos int
}

func (b *costBk) add(ns int64) {
	b.v[b.pos] = ns
	b.pos = (b.pos + 1) % len(b.v)
	if b.n < len(b.v) {
		b.n++
	}
}

func (b *costBk) fastest() int64 {
	return slices.Min(b.v[:b.n])
}

// costBucket groups fd counts so the plot has a point per ~32 fds.
func costBucket(fds int64) int { return int(fds/32) * 32 }

func newCostPlot() *costPlot {
	return &costPlot{buckets: map[string]map[int]*costBk{}}
}

func (p *costPlot) Title() string    { return "Cost of one wait call vs fds watched" }
func (p *costPlot) MinHeight() int   { return 7 }
func (p *costPlot) SetSize(w, h int) { p.w, p.h = w, h }

// Update pairs WaitStart (fds watched) with WaitEnd (ready, time).
func (p *costPlot) Update(msg tea.Msg) tea.Cmd {
	f, ok := msg.(*frameMsg)
	if !ok {
		return nil
	}
	for i := range f.Events {
		ev := &f.Events[i]
		switch ev.Kind {
		case reactor.KindWaitStart:
			p.cur, p.watched, p.open = ev.Backend, ev.N, true
			if p.cur == "" {
				p.cur = f.Backend
			}
		case reactor.KindWaitEnd:
			if !p.open || ev.N <= 0 {
				p.open = false
				continue
			}
			p.open = false
			m := p.buckets[p.cur]
			if m == nil {
				m = map[int]*costBk{}
				p.buckets[p.cur] = m
			}
			k := costBucket(p.watched)
			bk := m[k]
			if bk == nil {
				bk = &costBk{}
				m[k] = bk
			}
			bk.add(int64(ev.Dur))
			p.samples++
			p.maxFds = max(p.maxFds, k+32)
		}
	}
	return nil
}

// costGlyph marks a backend's points.
func costGlyph(backend string) byte {
	switch backend {
	case "select":
		return 's'
	case "poll":
		return 'p'
	case "epoll":
		return 'e'
	}
	return '?'
}

// View hand-draws a scatter plot with labelled axes.
func (p *costPlot) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	const yw = 8 // y-axis label width
	plotW := max(4, p.w-yw-1)
	plotH := max(2, p.h-3)
	type pt struct {
		x  int
		ns int64
		g  byte
	}
	var pts []pt
	var maxNs int64 = 1
	backends := make([]string, 0, len(p.buckets))
	for be := range p.buckets {
		backends = append(backends, be)
	}
	slices.Sort(backends)
	for _, be := range backends {
		for k, bk := range p.buckets[be] {
			ns := bk.fastest()
			pts = append(pts, pt{k, ns, costGlyph(be)})
			maxNs = max(maxNs, ns)
		}
	}
	maxX := max(64, p.maxFds)
	grid := make([][]byte, plotH)
	for i := range grid {
		grid[i] = []byte(strings.Repeat(" ", plotW))
	}
	for _, q := range pts {
		x := min(plotW-1, q.x*(plotW-1)/maxX)
		y := min(plotH-1, int(q.ns*int64(plotH-1)/maxNs))
		row := plotH - 1 - y
		if c := grid[row][x]; c != ' ' && c != q.g {
			grid[row][x] = '*' // two backends on one cell
		} else {
			grid[row][x] = q.g
		}
	}
	var b strings.Builder
	for i, row := range grid {
		label := ""
		switch i {
		case 0:
			label = fmtDur(durNS(maxNs))
		case plotH - 1:
			label = "0"
		}
		b.WriteString(padLeft(label, yw-1) + " |" + string(row))
		b.WriteByte('\n')
	}
	b.WriteString(strings.Repeat(" ", yw) + "+" + strings.Repeat("-", plotW) + "\n")
	axis := "0 fds watched →"
	right := strconv.Itoa(maxX)
	b.WriteString(strings.Repeat(" ", yw+1) + fit(axis, max(0, plotW-len(right))) + right + "\n")
	legend := "s select  p poll  e epoll  * overlap · " + strconv.Itoa(p.samples) + " samples"
	if p.samples == 0 {
		legend = "no samples yet: waits that return ready fds are measured"
	}
	b.WriteString(fit(legend, p.w))
	return b.String()
}
