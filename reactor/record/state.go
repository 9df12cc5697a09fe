package record

import (
	"maps"
	"slices"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
)

// State is the trace's state at one point of a recording: what a reader
// starting there needs and could not learn from the records after it. The
// writer folds every record into one and stores it as a keyframe block
// every so often; a reader that skips a corrupted block picks the state
// up again at the next keyframe.
type State struct {
	Seq     uint64 // records before this point
	Passes  uint64 // loop passes ended (KindPassEnd) before this point
	At      int64  // loop clock of the last record before it
	Backend string // the backend in use
	Sample  Sample // the latest sample
	Lost    uint64 // reactor events lost so far (gaps)
	Stalls  uint64 // stalls so far

	// Regs are the registrations: fd, label, interest, bytes moved.
	Regs map[int32]*Reg
	// Chains are the Deferreds not finished yet: fired and paused, or
	// waiting to fire, with their steps.
	Chains map[uint64]*Chain
}

// Reg is one registration in a State.
type Reg struct {
	Fd                int32
	Label             string
	Interest          reactor.Interest
	BytesIn, BytesOut int64
}

// Chain is an unfinished Deferred in a State: its ladder of steps, how far
// it ran and what it waits on.
type Chain struct {
	ID        uint64
	Label     string
	Site      string
	Steps     []deferred.StepKind
	Next      int // steps run
	Fired     bool
	Paused    bool
	WaitingOn uint64
}

// maxChains bounds a State's chains: a program that leaks unfired
// Deferreds must not grow every keyframe without end. The oldest go first.
const maxChains = 1024

// NewState is the state before any record.
func NewState() *State {
	return &State{Regs: map[int32]*Reg{}, Chains: map[uint64]*Chain{}}
}

// Seed adds the registrations a loop had before its recording started
// (Loop.Watched, read on the loop goroutine).
func (s *State) Seed(watched []reactor.WatchInfo) {
	for _, w := range watched {
		s.Regs[int32(w.Fd)] = &Reg{Fd: int32(w.Fd), Label: w.Label, Interest: w.Interest}
	}
}

// Apply folds one record into the state.
func (s *State) Apply(rec *Record) {
	s.Seq++
	switch rec.Type {
	case RecSample:
		s.Sample = rec.Sample
		if rec.Sample.Stats.Backend != "" {
			s.Backend = rec.Sample.Stats.Backend
		}
		return
	case RecGap:
		s.Lost += rec.Lost
	case RecChain:
		s.chain(&rec.Chain)
	case RecEvent:
		s.event(&rec.Event)
	}
	s.At = rec.Event.At
}

func (s *State) event(ev *reactor.TraceEvent) {
	switch ev.Kind {
	case reactor.KindRegister:
		s.Regs[ev.Fd] = &Reg{Fd: ev.Fd, Label: ev.Label, Interest: ev.Interest}
	case reactor.KindModify:
		if r := s.Regs[ev.Fd]; r != nil {
			r.Interest = ev.Interest
		}
	case reactor.KindDeregister, reactor.KindClosed:
		delete(s.Regs, ev.Fd)
	case reactor.KindBytesIn:
		if r := s.Regs[ev.Fd]; r != nil {
			r.BytesIn += ev.N
		}
	case reactor.KindBytesOut:
		if r := s.Regs[ev.Fd]; r != nil {
			r.BytesOut += ev.N
		}
	case reactor.KindWaitStart, reactor.KindBackendSwitched:
		if ev.Backend != "" {
			s.Backend = ev.Backend
		}
	case reactor.KindPassEnd:
		s.Passes++
	case reactor.KindStall:
		s.Stalls++
	}
}

func (s *State) chain(ev *deferred.TraceEvent) {
	c := s.Chains[ev.ID]
	if c == nil {
		if len(s.Chains) >= maxChains {
			delete(s.Chains, slices.Min(slices.Collect(maps.Keys(s.Chains))))
		}
		c = &Chain{ID: ev.ID}
		s.Chains[ev.ID] = c
	}
	if ev.Label != "" {
		c.Label = ev.Label
	}
	switch ev.Kind {
	case deferred.EventCreated:
		c.Site = ev.Site
	case deferred.EventStepAdded:
		if ev.Step >= 0 && ev.Step < 1<<16 {
			for len(c.Steps) <= ev.Step {
				c.Steps = append(c.Steps, 0)
			}
			c.Steps[ev.Step] = ev.StepKind
		}
	case deferred.EventFired:
		c.Fired = true
	case deferred.EventStepRun:
		c.Next = ev.Step + 1
	case deferred.EventPaused:
		c.Paused, c.WaitingOn = true, ev.WaitingOn
	case deferred.EventResumed:
		c.Paused, c.WaitingOn = false, 0
	}
	if c.Fired && !c.Paused && c.Next >= len(c.Steps) {
		delete(s.Chains, ev.ID) // ran to its end: nothing more will happen to it
	}
}

// Watched lists the registrations as Loop.Watched does, in fd order.
func (s *State) Watched() []reactor.WatchInfo {
	out := make([]reactor.WatchInfo, 0, len(s.Regs))
	for _, fd := range slices.Sorted(maps.Keys(s.Regs)) {
		r := s.Regs[fd]
		out = append(out, reactor.WatchInfo{Fd: int(r.Fd), Label: r.Label, Interest: r.Interest})
	}
	return out
}

// encode is the keyframe payload. Registrations and chains go in key
// order, so equal states encode to equal bytes.
func (s *State) encode() []byte {
	var b buf
	b.uvarint(s.Seq)
	b.uvarint(s.Passes)
	b.varint(s.At)
	b.str(s.Backend)
	b.uvarint(s.Lost)
	b.uvarint(s.Stalls)
	se := newBlockEnc(0)
	se.sample(&s.Sample)
	b.uvarint(uint64(len(se.b)))
	b = append(b, se.b...)
	b.uvarint(uint64(len(s.Regs)))
	for _, fd := range slices.Sorted(maps.Keys(s.Regs)) {
		r := s.Regs[fd]
		b.varint(int64(r.Fd))
		b.str(r.Label)
		b.byte1(byte(r.Interest))
		b.varint(r.BytesIn)
		b.varint(r.BytesOut)
	}
	b.uvarint(uint64(len(s.Chains)))
	for _, id := range slices.Sorted(maps.Keys(s.Chains)) {
		c := s.Chains[id]
		b.uvarint(c.ID)
		b.str(c.Label)
		b.str(c.Site)
		b.uvarint(uint64(len(c.Steps)))
		for _, k := range c.Steps {
			b.byte1(byte(k))
		}
		b.varint(int64(c.Next))
		b.byte1(boolByte(c.Fired) | boolByte(c.Paused)<<1)
		b.uvarint(c.WaitingOn)
	}
	return b
}

func decodeState(p []byte) (*State, error) {
	r := reader{p: p}
	s := NewState()
	s.Seq = r.uvarint()
	s.Passes = r.uvarint()
	s.At = r.varint()
	s.Backend = r.str()
	s.Lost = r.uvarint()
	s.Stalls = r.uvarint()
	n := r.count(1)
	if r.err == nil {
		var d blockDec
		d.r = reader{p: r.p[:n]}
		var rec Record
		d.sample(&rec)
		if d.r.err != nil {
			return nil, d.r.err
		}
		s.Sample = rec.Sample
		r.p = r.p[n:]
	}
	for range r.count(5) {
		g := &Reg{Fd: int32(r.varint()), Label: r.str(), Interest: reactor.Interest(r.byte1()),
			BytesIn: r.varint(), BytesOut: r.varint()}
		if r.err != nil {
			break
		}
		s.Regs[g.Fd] = g
	}
	for range r.count(6) {
		c := &Chain{ID: r.uvarint(), Label: r.str(), Site: r.str()}
		for range r.count(1) {
			c.Steps = append(c.Steps, deferred.StepKind(r.byte1()))
		}
		c.Next = int(r.varint())
		f := r.byte1()
		c.Fired, c.Paused = f&1 != 0, f&2 != 0
		c.WaitingOn = r.uvarint()
		if r.err != nil {
			break
		}
		s.Chains[c.ID] = c
	}
	if r.err != nil {
		return nil, r.err
	}
	return s, nil
}
