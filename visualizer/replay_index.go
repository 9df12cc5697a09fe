package visualizer

import (
	"fmt"
	"slices"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/record"
)

// A replay shows a recording (reactor/record) through the same panes as
// the live screen, one frame per loop pass: frame i holds the records of
// pass i+1 — from the record after the previous pass's end to its own
// KindPassEnd and the samples that follow it — and is dated by its last
// event. The live screen fed at the end of each pass (a paused lesson
// stepped with n) receives exactly these frames; position p means frames
// 0..p-1 have been shown. Because every way of reaching p (playing,
// stepping, jumping) feeds the same frames, the screen at p is always the
// same, and the same as the live screen's at that pass.
//
// Opening a replay reads the recording once through a second, hidden view
// and keeps a checkpoint of its state (replay_clone.go) every so often; a
// jump restores the checkpoint at or before the target and feeds the
// frames from there.

// replayFrame is one pass of the recording.
type replayFrame struct {
	start record.Pos // its first record
	at    int64      // loop clock of its last event
}

// markKind is what a timeline mark is.
type markKind uint8

const (
	markStall markKind = iota + 1
	markRefusal
	markError
	markGap    // the recorder lost events
	markSkip   // a block of the file could not be read
	markAction // what the learner did (not a jump target)
)

// markGlyphs are the timeline bar's letters for each mark.
var markGlyphs = [...]byte{markStall: 'S', markRefusal: 'R', markError: 'E', markGap: 'G', markSkip: 'X', markAction: 'a'}

// mark is one notable event, at the position that first shows it.
type mark struct {
	kind markKind
	pos  int
	text string
}

// replayCheckpoint is a copy of the view's state at position pos.
type replayCheckpoint struct {
	pos   int
	state *viewState
}

// replayIndex is what opening a recording learns: its frames, its marks,
// the checkpoints, and the registrations it started with.
type replayIndex struct {
	rec         *record.Recording
	frames      []replayFrame
	marks       []mark
	checkpoints []replayCheckpoint // by pos, ascending
	initial     []reactor.WatchInfo
	exact       bool // every pane clones: jumps use checkpoints
}

// checkpointEvery is how many records the view reads between two
// checkpoints, at least: a jump feeds at most about that many.
var checkpointEvery = 4096

// maxCheckpoints bounds the checkpoints kept: a longer recording spaces
// them further apart.
const maxCheckpoints = 400

// feeder reads frames off a cursor into a view through a replayLive.
type feeder struct {
	idx    *replayIndex
	cur    *record.Cursor
	live   *replayLive
	view   *liveView
	pos    int // frames fed
	rec    record.Record
	resync bool // a block was skipped: the next keyframe's registrations replace the panes'
}

func newFeeder(idx *replayIndex, view *liveView, live *replayLive) *feeder {
	f := &feeder{idx: idx, cur: idx.rec.Cursor(), live: live, view: view}
	f.reset()
	return f
}

// reset puts the view at position 0: nothing fed but the registrations
// the recording started with, as a live screen learns them from its first
// interest-set snapshot.
func (f *feeder) reset() {
	f.pos = 0
	f.resync = false
	if len(f.idx.frames) > 0 {
		f.cur.Seek(f.idx.frames[0].start)
	}
	f.view.Update(watchedMsg{List: f.idx.initial})
}

// next feeds frame f.pos to the view.
func (f *feeder) next() {
	if f.pos >= len(f.idx.frames) {
		return
	}
	fr := &f.idx.frames[f.pos]
	end := record.Pos{Seg: 1 << 30}
	if f.pos+1 < len(f.idx.frames) {
		end = f.idx.frames[f.pos+1].start
	}
	f.cur.Seek(fr.start) // a no-op when reading on from the previous frame
	l := f.live
	l.events, l.chains = l.events[:0], l.chains[:0]
	var snap []reactor.WatchInfo
	for posLess(f.cur.Pos(), end) && f.cur.Next(&f.rec) {
		rc := &f.rec
		switch rc.Type {
		case record.RecEvent, record.RecGap:
			l.events = append(l.events, rc.Event)
		case record.RecChain:
			l.events = append(l.events, rc.Event)
			l.chains = append(l.chains, rc.Chain)
		case record.RecSample:
			l.sample, l.sampled = rc.Sample, true
		case record.RecSkip:
			f.resync = true
			l.events = append(l.events, reactor.TraceEvent{Kind: reactor.KindError, At: fr.at,
				Label: "replay", Text: fmt.Sprintf("unreadable block at byte %d skipped (%v)", rc.Offset, rc.Err)})
		case record.RecKeyframe:
			if f.resync {
				f.resync = false
				snap = rc.State.Watched()
			}
		}
	}
	f.view.sample(f.idx.rec.Header.Start.Add(time.Duration(fr.at))) // its Watched request is not run: no live loop
	if snap != nil {
		f.view.Update(watchedMsg{List: snap, Replace: true})
	}
	f.pos++
}

// posLess orders cursor positions.
func posLess(a, b record.Pos) bool { return a.Seg < b.Seg || a.Seg == b.Seg && a.Rec < b.Rec }

// buildIndex reads rec once: frames, marks and, through a hidden view of
// panes, checkpoints.
func buildIndex(cfg *config, rec *record.Recording, panes []PaneID) *replayIndex {
	idx := &replayIndex{rec: rec}
	c := rec.Cursor()
	var r record.Record
	open := false  // a frame is being read
	ended := false // it has seen its pass end: only samples join it now
	for {
		p := c.Pos()
		if !c.Next(&r) {
			break
		}
		if r.Type == record.RecKeyframe && idx.initial == nil && len(idx.frames) == 0 {
			idx.initial = r.State.Watched()
		}
		if ended && r.Type != record.RecSample {
			ended, open = false, false
		}
		if !open && (r.Type == record.RecEvent || r.Type == record.RecChain || r.Type == record.RecGap || r.Type == record.RecSkip) {
			idx.frames = append(idx.frames, replayFrame{start: p})
			open = true
		}
		if !open {
			continue
		}
		fr := &idx.frames[len(idx.frames)-1]
		pos := len(idx.frames) // the position that shows this record
		ev := &r.Event
		switch r.Type {
		case record.RecEvent, record.RecChain, record.RecGap:
			fr.at = max(fr.at, ev.At)
		}
		switch {
		case r.Type == record.RecGap:
			idx.marks = append(idx.marks, mark{markGap, pos, fmt.Sprintf("%d events lost (the recorder fell behind)", r.Lost+r.LostChains)})
		case r.Type == record.RecSkip:
			idx.marks = append(idx.marks, mark{markSkip, pos, fmt.Sprintf("unreadable block at byte %d skipped", r.Offset)})
		case r.Type != record.RecEvent:
		case ev.Kind == reactor.KindStall:
			idx.marks = append(idx.marks, mark{markStall, pos, "stall " + fmtDur(ev.Dur) + " blamed on " + orDash(ev.Label)})
		case ev.Kind == reactor.KindRefused:
			idx.marks = append(idx.marks, mark{markRefusal, pos, "refused: " + ev.Text})
		case ev.Kind == reactor.KindError:
			idx.marks = append(idx.marks, mark{markError, pos, "error: " + labelled(ev.Label, firstLine(ev.Text))})
		case ev.Kind == reactor.KindPanic:
			idx.marks = append(idx.marks, mark{markError, pos, "panic in " + orDash(ev.Label) + ": " + firstLine(ev.Text)})
		case ev.Kind == reactor.KindAction:
			idx.marks = append(idx.marks, mark{markAction, pos, "action: " + Action{ID: ev.Label, Arg: ev.Text}.String()})
		case ev.Kind == reactor.KindPassEnd:
			ended = true
		}
	}
	idx.checkpoint(cfg, panes)
	return idx
}

// checkpoint reads every frame through a hidden view, keeping a copy of
// its state every checkpointEvery records or so.
func (idx *replayIndex) checkpoint(cfg *config, panes []PaneID) {
	live := newReplayLive(&idx.rec.Header)
	view := newLiveView(cfg, live, panes, nil, nil)
	f := newFeeder(idx, view, live)
	s := view.snapshot()
	idx.exact = s != nil
	if !idx.exact || len(idx.frames) == 0 {
		return
	}
	idx.checkpoints = append(idx.checkpoints, replayCheckpoint{0, s})
	every := max(checkpointEvery, idx.rec.Records()/maxCheckpoints)
	last := 0
	for f.pos < len(idx.frames) {
		f.next()
		if read := idx.rec.RecordsBefore(f.cur.Pos()); read-last >= every {
			last = read
			idx.checkpoints = append(idx.checkpoints, replayCheckpoint{f.pos, view.snapshot()})
		}
	}
}

// seek puts the view at position pos: from where it is if that is on the
// way, else from the last checkpoint at or before pos (or the start),
// feeding the frames in between.
func (f *feeder) seek(pos int) {
	pos = max(0, min(pos, len(f.idx.frames)))
	i, _ := slices.BinarySearchFunc(f.idx.checkpoints, pos+1, func(c replayCheckpoint, p int) int { return c.pos - p })
	switch {
	case i > 0 && (pos < f.pos || f.idx.checkpoints[i-1].pos > f.pos):
		ck := f.idx.checkpoints[i-1]
		f.view.restore(ck.state)
		f.pos, f.resync = ck.pos, false
		if ck.pos < len(f.idx.frames) {
			f.cur.Seek(f.idx.frames[ck.pos].start)
		}
	case pos < f.pos:
		f.restart()
	}
	for f.pos < pos {
		f.next()
	}
}

// restart rebuilds the view's panes from nothing (no checkpoints: a pane
// cannot be copied) and feeds from the start.
func (f *feeder) restart() {
	v := f.view
	for i, id := range v.ids {
		v.panes[i] = newPane(id)
	}
	v.errs, v.dropped, v.droppedAtSnap = nil, 0, 0
	v.frame, v.now = frameMsg{}, time.Time{}
	v.SetSize(v.w, v.h)
	f.reset()
}

// next and previous marks of the given kinds from pos.
func (idx *replayIndex) nextMark(pos int, kinds ...markKind) (mark, bool) {
	for _, m := range idx.marks {
		if m.pos > pos && slices.Contains(kinds, m.kind) {
			return m, true
		}
	}
	return mark{}, false
}

func (idx *replayIndex) prevMark(pos int, kinds ...markKind) (mark, bool) {
	for i := len(idx.marks) - 1; i >= 0; i-- {
		if m := idx.marks[i]; m.pos < pos && slices.Contains(kinds, m.kind) {
			return m, true
		}
	}
	return mark{}, false
}

// marksAt are the marks shown first at pos.
func (idx *replayIndex) marksAt(pos int) []mark {
	i, _ := slices.BinarySearchFunc(idx.marks, pos, func(m mark, p int) int { return m.pos - p })
	j := i
	for j < len(idx.marks) && idx.marks[j].pos == pos {
		j++
	}
	return idx.marks[i:j]
}

// countMarks counts the marks of a kind.
func (idx *replayIndex) countMarks(k markKind) int {
	n := 0
	for _, m := range idx.marks {
		if m.kind == k {
			n++
		}
	}
	return n
}

// replayLive is the Live a replay's view reads: each frame's events,
// Deferred events and sample, as the feeder sets them. It runs nothing:
// the replay offers no live controls.
type replayLive struct {
	hdr     *record.Header
	events  []reactor.TraceEvent
	chains  []deferred.TraceEvent
	sample  record.Sample
	sampled bool
}

func newReplayLive(h *record.Header) *replayLive { return &replayLive{hdr: h} }

func (l *replayLive) Subscribe(int) TraceSource { return replaySource{l} }

// replaySource hands over a frame's events once.
type replaySource struct{ l *replayLive }

func (s replaySource) Drain(dst []reactor.TraceEvent) []reactor.TraceEvent {
	dst = append(dst, s.l.events...)
	s.l.events = s.l.events[:0]
	return dst
}

func (replaySource) Close() {}

// DrainDeferred hands over the frame's Deferred events once (ChainSource).
func (l *replayLive) DrainDeferred(dst []deferred.TraceEvent) []deferred.TraceEvent {
	dst = append(dst, l.chains...)
	l.chains = l.chains[:0]
	return dst
}

func (l *replayLive) Close() error         { return nil }
func (l *replayLive) Stats() reactor.Stats { return l.sample.Stats }
func (l *replayLive) Backend() string {
	if l.sample.Stats.Backend != "" {
		return l.sample.Stats.Backend
	}
	return l.hdr.Backend
}
func (l *replayLive) Paused() bool                 { return l.sample.Paused }
func (l *replayLive) Delay() time.Duration         { return l.sample.Delay }
func (l *replayLive) Pause()                       {}
func (l *replayLive) Resume()                      {}
func (l *replayLive) Step()                        {}
func (l *replayLive) SetDelay(time.Duration)       {}
func (l *replayLive) SwitchBackend(string)         {}
func (l *replayLive) AddClients(int, bool)         {}
func (l *replayLive) DropClients()                 {}
func (l *replayLive) Watched() []reactor.WatchInfo { return nil }
func (l *replayLive) Errors() <-chan error         { return nil }
func (l *replayLive) Info() string {
	if l.hdr.Info == "" {
		return "recorded"
	}
	return "recorded: " + l.hdr.Info // nothing listens there now
}

// replayPanes are the panes named in the header, in its order; every pane
// but the chain pane when it names none (a headless recording).
func replayPanes(h *record.Header) ([]PaneID, []string) {
	var ids []PaneID
	var unknown []string
	for _, name := range h.Panes {
		if i := slices.Index(paneNames[:], name); i > 0 {
			ids = append(ids, PaneID(i))
		} else {
			unknown = append(unknown, name)
		}
	}
	if len(ids) == 0 {
		ids = slices.DeleteFunc(AllPanes(), func(id PaneID) bool { return id == PaneChain })
	}
	return ids, unknown
}

// describe is the one-line text of a mark kind's count, e.g. "2 stalls".
func describe(n int, what string) string {
	if n != 1 {
		what += "s"
	}
	return itoa(n) + " " + what
}
