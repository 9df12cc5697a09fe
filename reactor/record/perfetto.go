package record

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
)

// WritePerfetto exports the recording in the Trace Event Format (the JSON
// that Perfetto's UI and chrome://tracing open), so the tools people use
// for performance work show a reactor's life:
//
//   - one track for the loop: each pass a slice, and inside it the wait in
//     the kernel, each handler (named by its label), the timers and calls
//     at the pass end; stalls, panics, errors, refusals, lag, timers
//     firing and backend switches as instant events on it;
//   - one track per fd: what the kernel reported (a slice over the
//     handler's run), registrations and closes;
//   - a Deferreds track with each Deferred event, and a flow arrow per
//     Deferred that lives across passes, from the pass that made it to each
//     pass that moved it on;
//   - actions (what the learner did) and gaps as global instant events.
//
// Slices on a track nest (a child within its parent, siblings apart):
// times are clamped to keep it so when the loop's clock reads round them.
func WritePerfetto(w io.Writer, r *Recording) error {
	p := &perfetto{w: bufio.NewWriterSize(w, 64<<10), r: r, fdNamed: map[int32]bool{},
		flows: map[uint64]*flow{}}
	return p.write()
}

// Track ids: the loop, the Deferreds, and fdBase+fd for each fd.
const (
	tidLoop     = 1
	tidDeferred = 2
	fdBase      = 1000
)

type perfetto struct {
	w     *bufio.Writer
	r     *Recording
	n     int // events written
	err   error
	state *State

	passStart int64 // At of the open pass (-1: none)
	waitStart int64 // At of the open wait (-1: none)
	waitFds   int64
	backend   string
	lastEnd   int64 // end of the last slice inside the open pass
	ready     map[int32]reactor.Ready

	fdNamed map[int32]bool
	flows   map[uint64]*flow
	flowIDs []uint64 // in order of first appearance
}

// flow is one Deferred's arrow: the points where it moved, one per pass.
type flow struct {
	label string
	pts   []flowPt
}

type flowPt struct {
	at   int64
	pass uint64
}

// pev is one Trace Event Format event.
type pev struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat,omitempty"`
	Ph   string         `json:"ph"`
	Ts   json.Number    `json:"ts"`
	Dur  json.Number    `json:"dur,omitempty"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	S    string         `json:"s,omitempty"`
	ID   string         `json:"id,omitempty"`
	Bp   string         `json:"bp,omitempty"`
	Args map[string]any `json:"args,omitempty"`
}

// us renders loop nanoseconds as the format's microseconds, exactly.
func us(ns int64) json.Number {
	ns = max(ns, 0)
	return json.Number(strconv.FormatInt(ns/1000, 10) + "." + fmt.Sprintf("%03d", ns%1000))
}

func (p *perfetto) emit(e pev) {
	if p.err != nil {
		return
	}
	e.Pid = 1
	b, err := json.Marshal(e)
	if err != nil {
		p.err = err
		return
	}
	if p.n > 0 {
		p.w.WriteString(",\n")
	}
	p.n++
	_, p.err = p.w.Write(b)
}

func (p *perfetto) slice(tid int, name string, start, end int64, args map[string]any) {
	p.emit(pev{Name: name, Ph: "X", Ts: us(start), Dur: us(end - start), Tid: tid, Args: args})
}

func (p *perfetto) instant(tid int, name string, at int64, args map[string]any) {
	s := "t"
	if tid == 0 {
		s, tid = "g", tidLoop
	}
	p.emit(pev{Name: name, Ph: "i", Ts: us(at), Tid: tid, S: s, Args: args})
}

func (p *perfetto) thread(tid int, name string) {
	p.emit(pev{Name: "thread_name", Ph: "M", Ts: "0", Tid: tid, Args: map[string]any{"name": name}})
	p.emit(pev{Name: "thread_sort_index", Ph: "M", Ts: "0", Tid: tid, Args: map[string]any{"sort_index": tid}})
}

func (p *perfetto) write() error {
	h := &p.r.Header
	hdr, err := json.Marshal(map[string]any{"program": h.Program, "os": h.OS + "/" + h.Arch,
		"backend": h.Backend, "start": h.Start.UTC().Format("2006-01-02T15:04:05.000Z"), "scenario": h.Scenario})
	if err != nil {
		return err
	}
	p.w.WriteString(`{"displayTimeUnit":"ns","otherData":`)
	p.w.Write(hdr)
	p.w.WriteString(",\n\"traceEvents\":[\n")
	name := "reactorlab " + h.Scenario
	if h.Title != "" {
		name += " — " + h.Title
	}
	p.emit(pev{Name: "process_name", Ph: "M", Ts: "0", Tid: tidLoop, Args: map[string]any{"name": name}})
	p.thread(tidLoop, "loop ("+h.Backend+")")
	p.thread(tidDeferred, "Deferreds")
	p.state = NewState()
	p.passStart, p.waitStart, p.backend = -1, -1, h.Backend
	p.ready = map[int32]reactor.Ready{}
	p.r.Scan(func(rec *Record) error {
		p.record(rec)
		return p.err
	})
	p.endFlows()
	if p.err != nil {
		return p.err
	}
	p.w.WriteString("\n]}\n")
	return p.w.Flush()
}

func (p *perfetto) record(rec *Record) {
	switch rec.Type {
	case RecKeyframe:
		for _, g := range rec.State.Regs {
			p.nameFd(g.Fd, g.Label)
		}
		return
	case RecGap:
		p.instant(0, fmt.Sprintf("gap: %d events lost (the recorder fell behind)", rec.Lost+rec.LostChains), rec.Event.At, nil)
	case RecSkip:
		p.instant(0, fmt.Sprintf("unreadable block at byte %d skipped", rec.Offset), p.state.At, nil)
	case RecChain:
		p.chain(&rec.Chain, rec.Event.At)
	case RecEvent:
		p.event(&rec.Event, rec.KindString())
	}
	p.state.Apply(rec)
}

func (p *perfetto) nameFd(fd int32, label string) {
	if fd < 0 || p.fdNamed[fd] {
		return
	}
	p.fdNamed[fd] = true
	name := "fd " + strconv.Itoa(int(fd))
	if label != "" {
		name += " (" + label + ")"
	}
	p.thread(fdBase+int(fd), name)
}

func (p *perfetto) event(ev *reactor.TraceEvent, kind string) {
	at := ev.At
	fdTid := fdBase + int(ev.Fd)
	switch ev.Kind {
	case reactor.KindPassStart:
		p.passStart, p.lastEnd = at, at
	case reactor.KindWaitStart:
		p.waitStart, p.waitFds = max(at, p.lastEnd), ev.N
		if ev.Backend != "" {
			p.backend = ev.Backend
		}
	case reactor.KindWaitEnd:
		if p.waitStart >= 0 {
			end := max(at, p.waitStart)
			p.slice(tidLoop, "wait in the kernel", p.waitStart, end,
				map[string]any{"backend": p.backend, "fds_watched": p.waitFds, "ready": ev.N})
			p.lastEnd, p.waitStart = end, -1
		}
	case reactor.KindReady:
		p.ready[ev.Fd] = ev.Ready
	case reactor.KindDispatch:
		start := max(at-int64(ev.Dur), p.lastEnd)
		end := max(at, start)
		name := ev.Label
		if name == "" {
			name = "fd " + strconv.Itoa(int(ev.Fd))
		}
		p.slice(tidLoop, name, start, end, map[string]any{"fd": ev.Fd})
		p.nameFd(ev.Fd, ev.Label)
		r := p.ready[ev.Fd]
		delete(p.ready, ev.Fd)
		p.slice(fdTid, "ready "+r.String(), start, end, nil)
		p.lastEnd = end
	case reactor.KindPassEnd:
		start := p.passStart
		if start < 0 {
			start = at - int64(ev.Dur)
		}
		end := max(at, p.lastEnd)
		if ev.Dur3 > 0 {
			t0 := max(at-int64(ev.Dur3), p.lastEnd, start)
			p.slice(tidLoop, "timers & calls", t0, max(at, t0), nil)
		}
		p.slice(tidLoop, "pass "+strconv.FormatInt(ev.N, 10), start, end,
			map[string]any{"handlers_ns": int64(ev.Dur2), "timers_calls_ns": int64(ev.Dur3)})
		p.passStart, p.lastEnd = -1, end
		clear(p.ready)
	case reactor.KindStall:
		p.instant(tidLoop, "STALL "+fmtDur(ev.Dur)+": "+orNone(ev.Label, "?"), at, map[string]any{"dur_ns": int64(ev.Dur)})
	case reactor.KindPanic:
		p.instant(tidLoop, "panic in "+orNone(ev.Label, "?"), at, map[string]any{"text": ev.Text})
	case reactor.KindError:
		p.instant(tidLoop, "error: "+firstLine(ev.Text), at, map[string]any{"label": ev.Label, "text": ev.Text})
	case reactor.KindRefused:
		p.instant(tidLoop, "refused: "+ev.Text, at, nil)
	case reactor.KindLag:
		p.instant(tidLoop, "lag "+fmtDur(ev.Dur), at, nil)
	case reactor.KindTimerFired:
		p.instant(tidLoop, "timer "+orNone(ev.Label, "?"), at, map[string]any{"late_ns": int64(ev.Dur), "id": ev.N})
	case reactor.KindBackendSwitched:
		p.instant(0, "backend "+ev.Text+" → "+ev.Backend, at, nil)
		p.backend = ev.Backend
	case reactor.KindAction:
		p.instant(0, "action: "+strings.TrimSpace(ev.Label+" "+ev.Text), at, nil)
	case reactor.KindRegister, reactor.KindModify, reactor.KindDeregister, reactor.KindClosed,
		reactor.KindAccepted, reactor.KindListen, reactor.KindPaused, reactor.KindResumed, reactor.KindStaleDropped:
		p.nameFd(ev.Fd, ev.Label)
		name := kind
		if ev.Interest != 0 {
			name += " " + ev.Interest.String()
		}
		if ev.Text != "" {
			name += " " + ev.Text
		}
		if ev.Fd >= 0 {
			p.instant(fdTid, name, at, nil)
		}
	}
}

// chain puts a Deferred event on the Deferreds track and notes where its
// flow arrow passes.
func (p *perfetto) chain(ev *deferred.TraceEvent, at int64) {
	p.instant(tidDeferred, ev.String(), at, map[string]any{"label": ev.Label})
	f := p.flows[ev.ID]
	if f == nil {
		f = &flow{}
		p.flows[ev.ID] = f
		p.flowIDs = append(p.flowIDs, ev.ID)
	}
	if ev.Label != "" {
		f.label = ev.Label
	}
	pass := p.state.Passes
	if n := len(f.pts); n == 0 || f.pts[n-1].pass != pass {
		f.pts = append(f.pts, flowPt{at: at, pass: pass})
	} else if n == 1 {
		return
	} else {
		f.pts[n-1].at = at // the last point moves to its latest event in that pass
	}
}

// endFlows draws the arrow of every Deferred that lived across passes,
// bound to the loop track's slice enclosing each point.
func (p *perfetto) endFlows() {
	for _, id := range p.flowIDs {
		f := p.flows[id]
		if len(f.pts) < 2 {
			continue
		}
		name := "d" + strconv.FormatUint(id, 10)
		if f.label != "" {
			name += " " + strconv.Quote(f.label)
		}
		for i, pt := range f.pts {
			ph := "t"
			switch i {
			case 0:
				ph = "s"
			case len(f.pts) - 1:
				ph = "f"
			}
			p.emit(pev{Name: name, Cat: "deferred", Ph: ph, Ts: us(pt.at), Tid: tidLoop,
				ID: strconv.FormatUint(id, 10), Bp: "e"})
		}
	}
}
