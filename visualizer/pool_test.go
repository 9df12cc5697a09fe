package visualizer

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/reactorlab/reactorlab/deferred"
)

// poolSim plays a deferred.Pool of max workers by hand, producing the
// events the real one would: FIFO queue, each job running run, its result
// delivered by the loop deliverAfter later. Deterministic, for goldens.
type poolSim struct {
	max          int
	run          time.Duration
	deliverAfter time.Duration
	st           deferred.PoolStats
	jobs         uint64
	queue        []uint64
	free         []int // idle workers, lowest first
	evs          []deferred.PoolEvent
	pending      []simStep // future steps, by time
	labels       map[uint64]string
}

type simStep struct {
	at     time.Time
	kind   deferred.PoolEventKind
	job    uint64
	worker int
}

func newPoolSim(max int, run, deliverAfter time.Duration) *poolSim {
	s := &poolSim{max: max, run: run, deliverAfter: deliverAfter, labels: map[uint64]string{}}
	s.st.Max = max
	for w := 1; w <= max; w++ {
		s.free = append(s.free, w)
	}
	return s
}

func (s *poolSim) emit(kind deferred.PoolEventKind, job uint64, worker int, at time.Time, d time.Duration) {
	s.evs = append(s.evs, deferred.PoolEvent{Kind: kind, Job: job, Label: s.labels[job], Worker: worker, At: at, Dur: d, Stats: s.st})
}

// submit queues a job at at (after running the steps due before it).
func (s *poolSim) submit(at time.Time, label string) {
	s.until(at)
	s.jobs++
	s.labels[s.jobs] = label
	s.queue = append(s.queue, s.jobs)
	s.st.Queued++
	if s.st.Workers < s.max && s.st.Workers-s.st.Busy < s.st.Queued {
		s.st.Workers++
	}
	s.emit(deferred.PoolQueued, s.jobs, 0, at, 0)
	s.startFree(at)
}

// startFree hands queued jobs to idle workers.
func (s *poolSim) startFree(at time.Time) {
	for len(s.queue) > 0 && len(s.free) > 0 {
		job, w := s.queue[0], s.free[0]
		s.queue, s.free = s.queue[1:], s.free[1:]
		s.st.Queued--
		s.st.Busy++
		s.emit(deferred.PoolStarted, job, w, at, 0)
		s.pending = append(s.pending, simStep{at.Add(s.run), deferred.PoolReturned, job, w})
	}
}

// until runs every step due at or before t, in time order.
func (s *poolSim) until(t time.Time) {
	for {
		slices.SortStableFunc(s.pending, func(a, b simStep) int { return a.at.Compare(b.at) })
		if len(s.pending) == 0 || s.pending[0].at.After(t) {
			return
		}
		st := s.pending[0]
		s.pending = s.pending[1:]
		switch st.kind {
		case deferred.PoolReturned:
			s.st.Busy--
			s.st.Returning++
			s.emit(deferred.PoolReturned, st.job, st.worker, st.at, s.run)
			s.free = append(s.free, st.worker)
			slices.Sort(s.free)
			s.pending = append(s.pending, simStep{st.at.Add(s.deliverAfter), deferred.PoolDelivered, st.job, 0})
			s.startFree(st.at)
		case deferred.PoolDelivered:
			s.st.Returning--
			s.emit(deferred.PoolDelivered, st.job, 0, st.at, s.deliverAfter)
		}
	}
}

// poolStory: a pool of 4 workers, 150 ms jobs; two reports a second,
// then a flood of 16 at once at 2.1 s, and from 3 s the loop stalls so
// results wait 400 ms to be delivered. The story stops at until.
func poolStory(until time.Time) []deferred.PoolEvent {
	return poolStoryAt(t0.Add(2100*time.Millisecond), t0.Add(3*time.Second), until)
}

// poolStoryAt is poolStory with the flood (at a multiple of 500 ms past
// t0+100ms) and the stall when asked.
func poolStoryAt(flood, stall, until time.Time) []deferred.PoolEvent {
	s := newPoolSim(4, 150*time.Millisecond, time.Millisecond)
	n := 0
	label := func() string { n++; return "report " + itoa(n) }
	for at := t0.Add(100 * time.Millisecond); at.Before(until); at = at.Add(500 * time.Millisecond) {
		if at.After(stall) {
			s.deliverAfter = 400 * time.Millisecond
		}
		s.submit(at, label())
		if at.Equal(flood) {
			for range 16 {
				s.submit(at, label())
			}
		}
	}
	s.until(until)
	return s.evs
}

// The pane follows jobs to workers and back: a flood fills every worker
// and the queue, and both drain again.
func TestPoolPaneFlood(t *testing.T) {
	p := newPoolPane()
	p.SetSize(50, 12)
	evs := poolStory(t0.Add(2200 * time.Millisecond))
	p.Update(&frameMsg{Now: t0.Add(2200 * time.Millisecond)})
	p.Update(poolMsg{Events: evs})
	got := ansi.Strip(p.View())
	for _, want := range []string{"4/4 workers busy · 13 queued (saturated)", "workers ■■■■", "next: report 9, report 10 and 11 more"} {
		if !strings.Contains(got, want) {
			t.Errorf("View() during the flood lacks %q:\n%s", want, got)
		}
	}
	if p.st.Queued != len(p.queued) {
		t.Errorf("the pane follows %d queued jobs; the pool says %d", len(p.queued), p.st.Queued)
	}
	p.Update(poolMsg{Events: poolStory(t0.Add(2900 * time.Millisecond))[len(evs):]})
	p.Update(&frameMsg{Now: t0.Add(2900 * time.Millisecond)})
	got = ansi.Strip(p.View())
	if !strings.Contains(got, "workers busy · 0 queued") || strings.Contains(got, "saturated") {
		t.Errorf("View() after the flood drained:\n%s", got)
	}
	if p.delivered != 22 {
		t.Errorf("delivered = %d; want 22 (one report every 500 ms and the 16 of the flood)", p.delivered)
	}
}

// Results the loop has not delivered yet are counted, with the oldest's
// wait: a stalled loop keeps the pool's answers waiting.
func TestPoolPaneHandedBack(t *testing.T) {
	p := newPoolPane()
	p.SetSize(60, 8)
	now := t0.Add(3300 * time.Millisecond)
	p.Update(poolMsg{Events: poolStory(now)})
	p.Update(&frameMsg{Now: now})
	got := ansi.Strip(p.View())
	if !strings.Contains(got, "handed back, waiting for the loop: 1 (oldest 50ms)") {
		t.Errorf("View() lacks the result waiting for the loop:\n%s", got)
	}
}

// A cancelled job leaves the queue and is counted as dropped.
func TestPoolPaneDropped(t *testing.T) {
	p := newPoolPane()
	st := deferred.PoolStats{Max: 1, Workers: 1, Busy: 1, Queued: 1}
	p.Update(poolMsg{Events: []deferred.PoolEvent{
		{Kind: deferred.PoolQueued, Job: 1, Stats: deferred.PoolStats{Max: 1, Workers: 1, Queued: 1}},
		{Kind: deferred.PoolStarted, Job: 1, Worker: 1, Stats: deferred.PoolStats{Max: 1, Workers: 1, Busy: 1}},
		{Kind: deferred.PoolQueued, Job: 2, Stats: st},
		{Kind: deferred.PoolDropped, Job: 2, Stats: deferred.PoolStats{Max: 1, Workers: 1, Busy: 1}},
	}})
	if len(p.queued) != 0 || p.dropped != 1 {
		t.Errorf("after a queued job was cancelled: %d queued, %d dropped; want 0 and 1", len(p.queued), p.dropped)
	}
}

// TestPoolView is the pane in a lesson beside the prose at the two sizes
// the lab promises, during a flood that saturates the pool.
func TestPoolView(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(itoa(sz.w)+"x"+itoa(sz.h), func(t *testing.T) {
			lessons := twoLessons()
			l := lessons[0].(*fakeLesson)
			l.panes = []PaneID{PaneLatency, PanePool, PaneStalls}
			m := openLesson(t, lessons, "one", sz.w, sz.h)
			until := t0.Add(2300 * time.Millisecond)
			pool, lat := poolStory(until), latencyStory(t0, 3, until, time.Second)
			for now := t0; !now.After(until); now = now.Add(frameDur) {
				for len(pool) > 0 && !pool[0].At.After(now) {
					l.live.pool.Observe(pool[0])
					pool = pool[1:]
				}
				for len(lat) > 0 && !lat[0].At.After(now) {
					l.live.lat.Observe(lat[0])
					lat = lat[1:]
				}
				m.Update(tickMsg(now))
			}
			got := m.View().Content
			checkSize(t, got, sz.w, sz.h)
			golden(t, got)
		})
	}
}
