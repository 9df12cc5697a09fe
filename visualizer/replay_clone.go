package visualizer

import (
	"maps"
	"slices"
	"time"
)

// Checkpoints for the replay: a copy of a live view's whole state (every
// pane's, its error line's, its overflow count's), taken while the replay
// reads the recording once at open and restored to step back or jump. A
// pane takes part by implementing cloner; one that does not makes the
// replay read from the start on every jump (exact, only slower).
// TestPaneClones checks every pane clones, sharing nothing.

// cloner is a pane that can copy itself, sharing no mutable state with
// the copy.
type cloner interface {
	clone() pane
}

// viewState is a liveView's state at one frame.
type viewState struct {
	panes                  []pane
	errs                   []errLine
	dropped, droppedAtSnap uint64
	frame                  frameMsg // Events dropped: they belong to that frame only
	now                    time.Time
}

// snapshot copies v's state, or returns nil if a pane cannot be copied.
func (v *liveView) snapshot() *viewState {
	s := &viewState{errs: slices.Clone(v.errs), dropped: v.dropped, droppedAtSnap: v.droppedAtSnap,
		frame: v.frame, now: v.now}
	s.frame.Events = nil
	for _, p := range v.panes {
		c, ok := p.(cloner)
		if !ok {
			return nil
		}
		s.panes = append(s.panes, c.clone())
	}
	return s
}

// restore puts a copy of s back into v, keeping v's layout.
func (v *liveView) restore(s *viewState) {
	v.errs = slices.Clone(s.errs)
	v.dropped, v.droppedAtSnap = s.dropped, s.droppedAtSnap
	v.frame, v.now = s.frame, s.now
	for i, p := range s.panes {
		v.panes[i] = p.(cloner).clone()
	}
	v.SetSize(v.w, v.h)
}

func (p *readiness) clone() pane {
	c := *p
	c.fds = cloneRows(p.fds)
	// Every column's fds and readiness in two arrays, not two each: a
	// column's slice is capped at its own length, so when the pane reuses
	// it and appends, it grows into a new array, never into its neighbour.
	n := len(p.cur.fds)
	for _, pc := range p.passes {
		n += len(pc.fds)
	}
	fds, glyphs := make([]int32, 0, n), make([]byte, 0, n)
	col := func(pc passCol) passCol {
		a := len(fds)
		fds, glyphs = append(fds, pc.fds...), append(glyphs, pc.glyphs...)
		return passCol{n: pc.n, fds: fds[a:len(fds):len(fds)], glyphs: glyphs[a:len(glyphs):len(glyphs)]}
	}
	c.passes = make([]passCol, len(p.passes))
	for i, pc := range p.passes {
		c.passes[i] = col(pc)
	}
	c.cur = col(p.cur)
	c.rows = nil
	return &c
}

func (p *loopPane) clone() pane {
	c := *p
	c.cols = slices.Clone(p.cols)
	return &c
}

func (p *stalls) clone() pane {
	c := *p
	c.recent, c.late, c.panics = slices.Clone(p.recent), slices.Clone(p.late), slices.Clone(p.panics)
	return &c
}

func (p *interest) clone() pane {
	c := *p
	c.fds = cloneRows(p.fds)
	c.ended = maps.Clone(p.ended)
	c.rows, c.tbl = nil, nil
	return &c
}

func (p *fds) clone() pane {
	c := *p // FDTable and the rate meters are values
	return &c
}

func (p *counters) clone() pane {
	c := *p
	c.tbl = nil
	return &c
}

func (p *chain) clone() pane {
	c := *p
	c.byID = cloneRows(p.byID)
	for _, s := range c.byID {
		s.steps = slices.Clone(s.steps)
	}
	c.waitedBy = maps.Clone(p.waitedBy)
	return &c
}

func (p *latency) clone() pane {
	c := *p
	c.groups = make([]*latGroup, len(p.groups))
	for i, g := range p.groups {
		gc := *g
		gc.waiting = maps.Clone(g.waiting)
		gc.samples = slices.Clone(g.samples)
		gc.cur = slices.Clone(g.cur)
		c.groups[i] = &gc
	}
	c.scratch, c.tbl = nil, nil
	return &c
}

func (p *poolPane) clone() pane {
	c := *p
	c.workers = slices.Clone(p.workers)
	c.queued = slices.Clone(p.queued)
	c.back = maps.Clone(p.back)
	return &c
}

func (p *costPlot) clone() pane {
	c := *p
	c.buckets = make(map[string]map[int]*costBk, len(p.buckets))
	for b, m := range p.buckets {
		c.buckets[b] = cloneRows(m)
	}
	return &c
}

// cloneRows copies a map of pointers and what each points to.
func cloneRows[K comparable, V any](m map[K]*V) map[K]*V {
	c := make(map[K]*V, len(m))
	for k, v := range m {
		vc := *v
		c[k] = &vc
	}
	return c
}

func (p *timers) clone() pane {
	c := *p
	c.byID = cloneRows(p.byID)
	c.fired = slices.Clone(p.fired)
	c.rows = nil
	return &c
}

func (p *buffers) clone() pane {
	c := *p
	c.conns = cloneRows(p.conns)
	c.rows = nil
	return &c
}

func (p *compare) clone() pane {
	c := *p
	c.servers = make([]*cmpServer, len(p.servers))
	for i, s := range p.servers {
		sc := *s
		sc.cur = maps.Clone(s.cur)
		sc.hist = make([]cmpSnap, len(s.hist))
		for j, h := range s.hist {
			sc.hist[j] = cmpSnap{at: h.at, vals: maps.Clone(h.vals)}
		}
		c.servers[i] = &sc
	}
	return &c
}
