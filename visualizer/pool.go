package visualizer

import (
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/deferred"
)

// The pool pane shows the goroutine pool behind DeferToGoroutine: which
// workers are busy and with what, the jobs queued for a free worker, and
// the results handed back to the loop that it has not delivered yet (a
// stalled loop cannot: they pile up there). The pool is a bounded
// resource: when every worker is busy the queue grows and every job waits
// longer.
//
// A pool's events happen on its workers, off the loop, so they do not
// travel in the reactor's trace: a Live whose scenario runs a pool
// implements PoolSource, observing the pool (deferred.Pool.Observe) into a
// PoolRecorder that the screen drains once per frame.

// PoolSource is implemented by a Live whose scenario runs a goroutine
// pool. The visualizer calls DrainPool once per frame; it must append the
// events observed since the last call and return at once.
type PoolSource interface {
	DrainPool(dst []deferred.PoolEvent) []deferred.PoolEvent
}

// PoolRecorder buffers a pool's events between frames: pass its Observe to
// deferred.Pool.Observe. It is a PoolSource itself.
type PoolRecorder struct {
	Recorder[deferred.PoolEvent]
}

// NewPoolRecorder buffers up to capacity events between drains.
func NewPoolRecorder(capacity int) *PoolRecorder {
	r := &PoolRecorder{}
	r.init(capacity)
	return r
}

// DrainPool implements PoolSource.
func (r *PoolRecorder) DrainPool(dst []deferred.PoolEvent) []deferred.PoolEvent { return r.Drain(dst) }

// poolMsg carries one frame's pool events to the pool pane.
type poolMsg struct{ Events []deferred.PoolEvent }

const (
	poolKeepQueued = 256 // queued jobs whose labels are kept (the count is exact anyway)
	poolKeepBack   = 1024
	poolStrip      = 256 // frames of queue length kept for the strip
)

type poolPane struct {
	w, h int
	now  time.Time
	seen bool               // an event has arrived
	st   deferred.PoolStats // after the latest event

	workers []poolJob          // by worker number - 1; job 0 = idle
	queued  []poolJob          // oldest first, at most poolKeepQueued
	back    map[uint64]poolJob // handed back, not delivered yet; since = the hand-back

	delivered, dropped, failed uint64
	rate                       rateMeter // deliveries per second

	strip  [poolStrip]int // the queue's length at each frame, newest at (stripN-1)%poolStrip
	stripN int
}

// poolJob is one job the pane follows.
type poolJob struct {
	id    uint64
	label string
	since time.Time
}

func newPoolPane() *poolPane { return &poolPane{back: map[uint64]poolJob{}} }

func (p *poolPane) Title() string    { return "Goroutine pool (DeferToGoroutine)" }
func (p *poolPane) MinHeight() int   { return 4 }
func (p *poolPane) SetSize(w, h int) { p.w, p.h = w, h }

// Update folds the pool's events (poolMsg) and samples the queue length
// once per frame (*frameMsg).
func (p *poolPane) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case *frameMsg:
		p.now = m.Now
		p.rate.add(m.Now, float64(p.delivered))
		p.strip[p.stripN%poolStrip] = p.st.Queued
		p.stripN++
	case poolMsg:
		for i := range m.Events {
			p.fold(&m.Events[i])
		}
	}
	return nil
}

func (p *poolPane) fold(ev *deferred.PoolEvent) {
	p.seen = true
	p.st = ev.Stats
	for len(p.workers) < ev.Stats.Max && len(p.workers) < 64 {
		p.workers = append(p.workers, poolJob{})
	}
	job := poolJob{id: ev.Job, label: ev.Label, since: ev.At}
	switch ev.Kind {
	case deferred.PoolQueued:
		if len(p.queued) < poolKeepQueued {
			p.queued = append(p.queued, job)
		}
	case deferred.PoolStarted:
		p.unqueue(ev.Job)
		if w := ev.Worker - 1; w >= 0 && w < len(p.workers) {
			p.workers[w] = job
		}
	case deferred.PoolReturned:
		if w := ev.Worker - 1; w >= 0 && w < len(p.workers) {
			p.workers[w] = poolJob{}
		}
		if len(p.back) < poolKeepBack {
			p.back[ev.Job] = job
		}
	case deferred.PoolDelivered:
		delete(p.back, ev.Job)
		p.delivered++
		if ev.Failed {
			p.failed++
		}
	case deferred.PoolDropped:
		p.unqueue(ev.Job)
		delete(p.back, ev.Job)
		p.dropped++
	}
}

// unqueue forgets a queued job (it started, or was cancelled).
func (p *poolPane) unqueue(id uint64) {
	for i, j := range p.queued {
		if j.id == id {
			p.queued = append(p.queued[:i], p.queued[i+1:]...)
			return
		}
	}
}

// View: the summary, the workers and the queue as glyphs with the queue's
// recent length, the results on their way back to the loop, then one row
// per worker as room allows.
func (p *poolPane) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	if !p.seen {
		return frameLines([]string{"no job has reached the pool yet",
			"(work handed to DeferToGoroutine shows here)"}, p.w, p.h)
	}
	st := p.st
	lines := make([]string, 0, p.h)
	head := itoa(st.Busy) + "/" + itoa(st.Max) + " workers busy · " + itoa(st.Queued) + " queued"
	if st.Busy == st.Max && st.Queued > 0 {
		head = styleWarn.Render(head + " (saturated)")
	}
	lines = append(lines, fit(head, p.w))

	var b strings.Builder
	b.WriteString("workers ")
	for i := range st.Max {
		if i < len(p.workers) && p.workers[i].id != 0 {
			b.WriteString("■")
		} else {
			b.WriteString("□")
		}
	}
	b.WriteString("  queue ")
	used := width(b.String())
	peak := p.peak()
	if n := p.w - used - len(" max ") - 4; n > 0 {
		b.WriteString(p.queueStrip(n, max(peak, 1)))
		b.WriteString(" max " + itoa(peak))
	}
	lines = append(lines, fit(b.String(), p.w))

	backLine := "handed back to the loop: none waiting"
	if n := st.Returning; n > 0 {
		backLine = "handed back, waiting for the loop: " + itoa(n)
		if old := p.oldestBack(); old > 0 {
			backLine += " (oldest " + fmtDur(old.Truncate(time.Millisecond)) + ")"
		}
	}
	lines = append(lines, fit(backLine, p.w))
	done := "delivered " + fmtCount(float64(p.delivered)) + " · " + fmtRate(max(0, p.rate.perSec())) + "/s"
	if p.dropped > 0 {
		done += " · dropped " + fmtCount(float64(p.dropped))
	}
	if p.failed > 0 {
		done += " · failed " + fmtCount(float64(p.failed))
	}
	lines = append(lines, fit(done, p.w))

	for i := 0; i < len(p.workers) && i < st.Max && len(lines) < p.h; i++ {
		j := p.workers[i]
		row := fit("w"+strconv.Itoa(i+1), 3) + " "
		if j.id == 0 {
			row += "idle"
		} else {
			run := fmtDur(p.now.Sub(j.since).Truncate(time.Millisecond))
			row += fit(jobName(j), max(1, p.w-len(row)-len(run)-1)) + " " + run
		}
		lines = append(lines, fit(row, p.w))
	}
	if len(p.queued) > 0 && len(lines) < p.h {
		next := "next: " + jobName(p.queued[0])
		if len(p.queued) > 1 {
			next += ", " + jobName(p.queued[1])
		}
		if st.Queued > 2 {
			next += " and " + itoa(st.Queued-2) + " more"
		}
		lines = append(lines, fit(next, p.w))
	}
	return frameLines(lines, p.w, p.h)
}

// jobName is a job's label, or its number.
func jobName(j poolJob) string {
	if j.label != "" {
		return j.label
	}
	return "job " + strconv.FormatUint(j.id, 10)
}

// peak is the longest queue in the strip's frames.
func (p *poolPane) peak() int {
	m := 0
	for i := range min(p.stripN, poolStrip) {
		m = max(m, p.strip[i])
	}
	return m
}

// queueStrip draws the queue's length over the last n frames as bars
// against top, newest at the right.
func (p *poolPane) queueStrip(n, top int) string {
	var b strings.Builder
	k := min(n, p.stripN, poolStrip)
	b.WriteString(strings.Repeat(" ", n-k))
	for i := p.stripN - k; i < p.stripN; i++ {
		q := p.strip[i%poolStrip]
		if q == 0 {
			b.WriteString("·")
			continue
		}
		b.WriteString(spark(float64(q) / float64(top)))
	}
	return b.String()
}

// oldestBack is how long the oldest result handed back has waited for the
// loop to deliver it.
func (p *poolPane) oldestBack() time.Duration {
	var d time.Duration
	for _, j := range p.back {
		d = max(d, p.now.Sub(j.since))
	}
	return d
}
