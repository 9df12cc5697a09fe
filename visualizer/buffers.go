package visualizer

import (
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/reactor"
)

// buffers draws, per connection, the bytes queued for writing (what the
// socket could not take yet) against the transport's high and low
// watermarks, and whether the producer feeding it is paused: above the
// high watermark the transport pauses its producer, at the low one it
// resumes it. Connections with nothing queued are left out. A line on
// top sums up every queue and what the process holds in memory (from the
// scenario's KindMetric events), so a queue that grows without bound is
// seen to cost memory.
type buffers struct {
	w, h int
	now  time.Time

	conns map[int32]*bufRow
	rows  []*bufRow // scratch for View

	pauses, resumes int
	held, heap      int64 // process memory (KindMetric "mem-held", "mem-heap"); -1 = not reported

	// The producer's running total (KindMetric "produced") at the last
	// two reports, for its rate; prodAt zero = not reported.
	prodAt, prodAt0   time.Time
	prodVal, prodVal0 int64
}

type bufRow struct {
	fd            int32
	label         string
	queued, peak  int64
	high, low     int64
	paused        bool // the producer is paused (PauseProducing)
	readingPaused bool
	pauses        int
	changed       time.Time
}

// The metrics the buffers pane shows when a scenario reports them.
const (
	MetricMemHeld  = "mem-held" // bytes the Go runtime holds from the OS (not released)
	MetricMemHeap  = "mem-heap" // bytes of live and unswept heap objects
	MetricProduced = "produced" // bytes the scenario's producer has written, running total
)

const bufKeep = 4096 // connections tracked; more are not drawn

func newBuffers() *buffers { return &buffers{conns: map[int32]*bufRow{}, held: -1, heap: -1} }

func (p *buffers) Title() string    { return "Write buffers (per connection)" }
func (p *buffers) MinHeight() int   { return 4 }
func (p *buffers) SetSize(w, h int) { p.w, p.h = w, h }

func (p *buffers) row(fd int32, label string) *bufRow {
	r := p.conns[fd]
	if r == nil {
		if len(p.conns) >= bufKeep {
			return nil
		}
		r = &bufRow{fd: fd, label: label}
		p.conns[fd] = r
	}
	if label != "" {
		r.label = label
	}
	return r
}

// Update folds queue sizes, producer pauses, connections and memory.
func (p *buffers) Update(msg tea.Msg) tea.Cmd {
	f, ok := msg.(*frameMsg)
	if !ok {
		return nil
	}
	p.now = f.Now
	for i := range f.Events {
		ev := &f.Events[i]
		switch ev.Kind {
		case reactor.KindWriteQueue:
			if r := p.row(ev.Fd, ev.Label); r != nil {
				r.queued, r.high, r.low, r.changed = ev.N, int64(ev.Dur2), int64(ev.Dur3), f.Now
				r.peak = max(r.peak, ev.N)
			}
		case reactor.KindPaused, reactor.KindResumed:
			on := ev.Kind == reactor.KindPaused
			switch ev.Text {
			case "producer":
				if r := p.row(ev.Fd, ev.Label); r != nil {
					r.paused = on
					if on {
						r.pauses++
					}
				}
				if on {
					p.pauses++
				} else {
					p.resumes++
				}
			case "reading":
				if r := p.row(ev.Fd, ev.Label); r != nil {
					r.readingPaused = on
				}
			}
		case reactor.KindClosed, reactor.KindDeregister:
			delete(p.conns, ev.Fd)
		case reactor.KindMetric:
			if ev.Text == "" {
				switch ev.Label {
				case MetricMemHeld:
					p.held = ev.N
				case MetricMemHeap:
					p.heap = ev.N
				case MetricProduced:
					p.prodAt0, p.prodVal0 = p.prodAt, p.prodVal
					p.prodAt, p.prodVal = f.Now, ev.N
				}
			}
		}
	}
	return nil
}

// View: a summary line, the watermarks and memory, then one row per
// connection with something queued (or a paused producer), fullest first.
func (p *buffers) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	p.rows = p.rows[:0]
	var total int64
	paused := 0
	for _, r := range p.conns {
		total += r.queued
		if r.paused {
			paused++
		}
		if r.queued > 0 || r.paused || r.readingPaused {
			p.rows = append(p.rows, r)
		}
	}
	slices.SortFunc(p.rows, func(a, b *bufRow) int {
		if a.queued != b.queued {
			if a.queued > b.queued {
				return -1
			}
			return 1
		}
		return int(a.fd - b.fd)
	})
	q := "queued " + fmtBytes(total)
	on := " on " + itoa(len(p.rows))
	rate, short := "", ""
	if !p.prodAt0.IsZero() {
		if dt := p.prodAt.Sub(p.prodAt0).Seconds(); dt > 0 {
			r := fmtBytes(int64(float64(p.prodVal-p.prodVal0)/dt)) + "/s"
			rate, short = " · writes "+r, " · "+r
		}
	}
	var head string
	if paused > 0 {
		n := itoa(paused)
		head = styleWarn.Render(pick(p.w, q+on+" conn(s) · producer PAUSED on "+n+rate,
			q+on+" · PAUSED on "+n+rate, q+" · PAUSED on "+n+rate, q+" · PAUSED"+short, q+" · PAUSED"))
	} else {
		head = pick(p.w, q+on+" conn(s) · producers running"+rate, q+on+rate, q+rate, q+short, q)
	}
	lines := []string{head, p.levelsLine()}
	// Columns: fd, who, queued, the bar (0 to twice the high watermark, so
	// the high one sits in its middle and the low one at its eighth), state.
	const fdW, qW, stateW = 4, 8, 7
	whoW := min(24, max(8, (p.w-fdW-qW-stateW-3)/2))
	barW := max(6, p.w-fdW-whoW-qW-stateW-3)
	if len(p.rows) > 0 && p.h > len(lines)+1 {
		lines = append(lines, styleHeader.Render(fit(padLeft("fd", fdW-1)+" "+fit("who", whoW)+" "+padLeft("queued", qW)+" "+
			fit("0 → 2×high", barW)+" state", p.w)))
	}
	room := p.h - len(lines)
	for i, r := range p.rows {
		if i == room-1 && len(p.rows) > room {
			lines = append(lines, "… "+itoa(len(p.rows)-i)+" more connections with bytes queued")
			break
		}
		if i == room {
			break
		}
		state := ""
		switch {
		case r.paused:
			state = "PAUSED"
		case r.readingPaused:
			state = "no read"
		case r.pauses > 0:
			state = "resumed"
		}
		line := padLeft(strconv.Itoa(int(r.fd)), fdW-1) + " " + fit(fitLabel(r.label, whoW), whoW) + " " + padLeft(fmtBytes(r.queued), qW) + " " +
			queueBar(r.queued, r.high, r.low, barW) + " " + state
		if r.high > 0 && r.queued > r.high {
			line = styleWarn.Render(line)
		}
		lines = append(lines, line)
	}
	if len(p.rows) == 0 && len(lines) < p.h {
		lines = append(lines, "(nothing queued: every socket takes what is written)")
	}
	return frameLines(lines, p.w, p.h)
}

// levelsLine names the watermarks (of the fullest connection) and the
// memory the process holds, when the scenario reports it.
func (p *buffers) levelsLine() string {
	marks, short := "watermarks —", "—"
	if len(p.rows) > 0 && p.rows[0].high > 0 {
		hi, lo := fmtBytes(p.rows[0].high), fmtBytes(p.rows[0].low)
		marks, short = "watermarks │ high "+hi+", ╎ low "+lo, "│"+hi+" ╎"+lo
	}
	long := marks + " · pauses " + itoa(p.pauses) + ", resumes " + itoa(p.resumes)
	brief := short + " · paused " + itoa(p.pauses) + "×"
	mem := ""
	if p.held >= 0 {
		mem = " · " + fmtBytes(p.held)
		long += " · memory " + fmtBytes(p.held)
		if p.heap >= 0 {
			long += " (heap " + fmtBytes(p.heap) + ")"
		}
	}
	return pick(p.w, long, brief+mem, short+mem)
}

// queueBar draws queued bytes in w cells spanning 0 to twice the high
// watermark: █ filled, ╎ the low watermark, │ the high one, » past the
// end of the bar.
func queueBar(queued, high, low int64, w int) string {
	if w <= 0 {
		return ""
	}
	if high <= 0 {
		return strings.Repeat(" ", w)
	}
	span := 2 * high
	cell := func(v int64) int { return min(w-1, int(v*int64(w)/span)) }
	fill := int((queued*int64(w) + span - 1) / span) // round up: any byte shows
	lowAt, highAt := cell(low), cell(high)
	var b strings.Builder
	for i := range w {
		switch {
		case i == w-1 && queued > span:
			b.WriteString("»")
		case i < fill:
			b.WriteString("█")
		case i == highAt:
			b.WriteString("│")
		case i == lowAt:
			b.WriteString("╎")
		default:
			b.WriteString("·")
		}
	}
	return b.String()
}

// fitLabel drops a connection label's first word (the listener's label,
// the same on every row) when the whole does not fit in w cells, and
// then a loopback host.
func fitLabel(label string, w int) string {
	if width(label) <= w {
		return label
	}
	if _, rest, ok := strings.Cut(label, " "); ok && rest != "" {
		label = rest
	}
	if width(label) > w {
		label = strings.TrimPrefix(label, "127.0.0.1") // ":40113": the port tells loopback clients apart
	}
	return label
}
