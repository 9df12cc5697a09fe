package visualizer

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"charm.land/lipgloss/v2/table"
)

// The latency pane shows what the simulated clients feel: the time from
// each request to its reply, per group of clients, as p50 and p99 over
// the last few seconds, the requests waiting right now and a strip of p99
// second by second. A loop that blocks is felt here by every client at
// once, not only counted in the stalls pane.
//
// The clients are not on the loop (they are the other end of the
// sockets), so what they measure cannot travel in the reactor's trace: a
// Live that has clients implements LatencySource, and the clients record
// into a LatencyRecorder that the screen drains once per frame.

// LatencyKind says what a LatencyEvent reports.
type LatencyKind uint8

// What a client reports.
const (
	LatencySent  LatencyKind = iota + 1 // a request left the client
	LatencyReply                        // its reply arrived: Dur = request → reply
	LatencyGone                         // the client hung up; a request it was waiting on is abandoned
)

// LatencyEvent is one thing a simulated client measured.
type LatencyEvent struct {
	Kind   LatencyKind
	Group  string // the client's group ("typing", "ping", "report")
	Client int    // the client's number
	At     time.Time
	Dur    time.Duration // LatencyReply: from the request to its reply
}

// LatencySource is implemented by a Live whose clients measure latency.
// The visualizer calls DrainLatency once per frame; it must append the
// events recorded since the last call and return at once.
type LatencySource interface {
	DrainLatency(dst []LatencyEvent) []LatencyEvent
}

// LatencyRecorder buffers LatencyEvents between frames: clients call
// Observe from their own goroutines, and it is a LatencySource itself.
type LatencyRecorder struct {
	Recorder[LatencyEvent]
}

// NewLatencyRecorder buffers up to capacity events between drains.
func NewLatencyRecorder(capacity int) *LatencyRecorder {
	r := &LatencyRecorder{}
	r.init(capacity)
	return r
}

// DrainLatency implements LatencySource.
func (r *LatencyRecorder) DrainLatency(dst []LatencyEvent) []LatencyEvent { return r.Drain(dst) }

// latencyMsg carries one frame's latency events to the latency pane.
type latencyMsg struct{ Events []LatencyEvent }

const (
	latWindow    = 5 * time.Second // p50, p99 and req/s are over this window
	latKeep      = 2048            // samples kept per group (the window's, at most)
	latHistory   = 120             // seconds of the p99 strip kept
	latMaxGroups = 12
	latSlow      = 100 * time.Millisecond // a p99 past this is drawn as a warning
	// The strip's log scale: a bar's height goes from latFloor to latCeil.
	latFloor = 100 * time.Microsecond
	latCeil  = 2 * time.Second
)

// latency is the pane.
type latency struct {
	w, h    int
	now     time.Time
	groups  []*latGroup // sorted by name
	scratch []time.Duration
	tbl     *table.Table // reused by View
}

// latGroup is what the pane knows of one group of clients.
type latGroup struct {
	name    string
	waiting map[int]time.Time // live clients → when their pending request left (zero: none pending)
	samples []latSample       // ring of the last latKeep replies
	head, n int
	dirty   bool // samples changed since the percentiles were computed

	p50, p99 time.Duration
	inWindow int // replies in the window

	second int64           // the Unix second cur belongs to
	cur    []time.Duration // replies in that second
	hist   [latHistory]time.Duration
	histN  int // seconds recorded in hist, newest at (histN-1)%latHistory
}

type latSample struct {
	at  time.Time
	dur time.Duration
}

func newLatency() *latency { return &latency{} }

func (p *latency) Title() string    { return "Latency (client request → reply)" }
func (p *latency) MinHeight() int   { return 4 }
func (p *latency) SetSize(w, h int) { p.w, p.h = w, h }

func (p *latency) group(name string) *latGroup {
	i, found := slices.BinarySearchFunc(p.groups, name, func(g *latGroup, n string) int { return strings.Compare(g.name, n) })
	if found {
		return p.groups[i]
	}
	if len(p.groups) >= latMaxGroups {
		return nil
	}
	g := &latGroup{name: name, waiting: map[int]time.Time{}, samples: make([]latSample, latKeep)}
	p.groups = slices.Insert(p.groups, i, g)
	return g
}

func (p *latency) has(name string) bool {
	_, found := slices.BinarySearchFunc(p.groups, name, func(g *latGroup, n string) int { return strings.Compare(g.name, n) })
	return found
}

// Update folds the clients' events (latencyMsg) and moves the window on
// with every frame (*frameMsg).
func (p *latency) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case *frameMsg:
		p.now = m.Now
		for _, g := range p.groups {
			g.advance(p.now.Unix())
			g.expire(p.now)
			if g.dirty {
				p.scratch = g.percentiles(p.scratch)
			}
		}
	case latencyMsg:
		for i := range m.Events {
			ev := &m.Events[i]
			if ev.Kind == LatencyGone && !p.has(ev.Group) {
				continue // a client that left before it asked anything
			}
			g := p.group(ev.Group)
			if g == nil {
				continue
			}
			switch ev.Kind {
			case LatencySent:
				g.waiting[ev.Client] = ev.At
			case LatencyReply:
				g.waiting[ev.Client] = time.Time{}
				g.add(ev.At, ev.Dur)
			case LatencyGone:
				delete(g.waiting, ev.Client)
			}
		}
		for _, g := range p.groups {
			if g.dirty {
				g.expire(p.now)
				p.scratch = g.percentiles(p.scratch)
			}
		}
	}
	return nil
}

// add records one reply.
func (g *latGroup) add(at time.Time, d time.Duration) {
	if g.n == len(g.samples) {
		g.head = (g.head + 1) % len(g.samples) // full: forget the oldest
		g.n--
	}
	g.samples[(g.head+g.n)%len(g.samples)] = latSample{at, d}
	g.n++
	g.dirty = true
	g.advance(at.Unix())
	if len(g.cur) < latKeep {
		g.cur = append(g.cur, d) // a report from a second already closed counts in the open one
	}
}

// expire drops the replies that left the window.
func (g *latGroup) expire(now time.Time) {
	for g.n > 0 && now.Sub(g.samples[g.head].at) > latWindow {
		g.head = (g.head + 1) % len(g.samples)
		g.n--
		g.dirty = true
	}
}

// percentiles recomputes p50 and p99 of the window (nearest rank), using
// scratch for the sort; it returns scratch for reuse.
func (g *latGroup) percentiles(scratch []time.Duration) []time.Duration {
	scratch = scratch[:0]
	for i := range g.n {
		scratch = append(scratch, g.samples[(g.head+i)%len(g.samples)].dur)
	}
	slices.Sort(scratch)
	g.inWindow = len(scratch)
	g.p50, g.p99 = rank(scratch, 0.50), rank(scratch, 0.99)
	g.dirty = false
	return scratch
}

// rank is the q-th quantile of sorted by nearest rank; 0 when empty.
func rank(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(len(sorted)-1, i))]
}

// advance moves the strip on to Unix second sec, closing the seconds
// before it. A closed second's value is the p99 of its replies or, if a
// request was still waiting when the second ended, that request's wait so
// far when it is longer: a loop that stalls for a second shows in that
// second, not only once the replies come.
func (g *latGroup) advance(sec int64) {
	if g.second == 0 {
		g.second = sec
	}
	if sec <= g.second {
		return
	}
	v := time.Duration(0)
	if len(g.cur) > 0 {
		slices.Sort(g.cur)
		v = rank(g.cur, 0.99)
		g.cur = g.cur[:0]
	}
	g.push(max(v, g.waitedBy(time.Unix(g.second+1, 0))))
	for s := max(g.second+1, sec-latHistory); s < sec; s++ { // seconds without a reply
		g.push(g.waitedBy(time.Unix(s+1, 0)))
	}
	g.second = sec
}

func (g *latGroup) push(v time.Duration) {
	g.hist[g.histN%latHistory] = v
	g.histN++
}

// waitedBy is how long the oldest request still waiting had waited at end.
func (g *latGroup) waitedBy(end time.Time) time.Duration {
	var w time.Duration
	for _, at := range g.waiting {
		if !at.IsZero() && at.Before(end) {
			w = max(w, end.Sub(at))
		}
	}
	return w
}

// pending counts the requests waiting now and the oldest one's wait.
func (g *latGroup) pending(now time.Time) (n int, oldest time.Duration) {
	for _, at := range g.waiting {
		if !at.IsZero() {
			n++
			oldest = max(oldest, now.Sub(at))
		}
	}
	return n, oldest
}

// clients counts the group's clients still connected.
func (g *latGroup) clients() int { return len(g.waiting) }

// View draws one row per group and, with room, the p99 strips.
func (p *latency) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	if len(p.groups) == 0 {
		return frameLines([]string{"no client has measured a reply yet",
			"(press c to add clients that type)"}, p.w, p.h)
	}
	nameW := max(5, min(10, p.w-35))
	widths := [...]int{nameW, 4, 6, 7, 7, max(4, p.w-nameW-24)}
	if p.w < 48 { // tight: a duration takes 5 cells ("664ms", "1.20s")
		widths = [...]int{nameW, 4, 6, 6, 6, max(4, p.w-nameW-22)}
	}
	if p.tbl == nil {
		p.tbl = table.New().Headers("group", "n", "req/s", "p50", "p99", "waiting").
			BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
			BorderHeader(false).BorderColumn(false)
	}
	slow := make([]bool, len(p.groups))
	p.tbl.ClearRows().StyleFunc(func(row, col int) lipgloss.Style {
		s := lipgloss.NewStyle().Width(widths[col])
		if col > 0 && col < 5 {
			s = s.Align(lipgloss.Right)
		}
		if col == 5 {
			s = s.PaddingLeft(1)
		}
		switch {
		case row == table.HeaderRow:
			s = s.Bold(true)
		case col == 4 && slow[row]:
			s = s.Inherit(styleWarn)
		}
		return s
	})
	for i, g := range p.groups {
		rate := float64(g.inWindow) / latWindow.Seconds()
		p50, p99 := "-", "-"
		if g.inWindow > 0 {
			p50, p99 = fmtDur(g.p50), fmtDur(g.p99)
			slow[i] = g.p99 > latSlow
		}
		wait := "-"
		if n, oldest := g.pending(p.now); n > 0 {
			wait = itoa(n) + " for "
			if oldest < time.Millisecond {
				wait += "<1ms"
			} else {
				wait += fmtDur(oldest.Truncate(time.Millisecond))
			}
		}
		row := [...]string{g.name, itoa(g.clients()), fmtRate(rate), p50, p99, wait}
		for c := range row {
			if room := widths[c] - min(c/5, 1); width(row[c]) > room { // a cell wider than its column would wrap
				row[c] = fit(row[c], room)
			}
		}
		p.tbl.Row(row[:]...)
	}
	lines := strings.Split(p.tbl.String(), "\n")
	if room := p.h - len(lines); room >= 2 {
		lines = append(lines, fit("p99 each second, log "+fmtDur(latFloor)+"–"+fmtDur(latCeil)+", newest right:", p.w))
		for _, g := range p.groups {
			if len(lines) >= p.h {
				break
			}
			lines = append(lines, fit(g.name, nameW)+" "+g.strip(p.w-nameW-1))
		}
	}
	return frameLines(lines, p.w, p.h)
}

// strip draws the last n seconds of p99 as bars on a log scale, newest
// at the right.
func (g *latGroup) strip(n int) string {
	if n <= 0 {
		return ""
	}
	var b strings.Builder
	k := min(n, g.histN, latHistory)
	b.WriteString(strings.Repeat(" ", n-k))
	lo, hi := math.Log(float64(latFloor)), math.Log(float64(latCeil))
	for i := g.histN - k; i < g.histN; i++ {
		v := g.hist[i%latHistory]
		if v <= 0 {
			b.WriteString("·")
			continue
		}
		f := (math.Log(float64(max(v, latFloor))) - lo) / (hi - lo)
		b.WriteString(spark(max(f, 0.01)))
	}
	return b.String()
}

// fmtRate renders a per-second rate: "0.4", "12", "1.2k".
func fmtRate(r float64) string {
	if r < 10 {
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
	return fmtCount(r)
}
