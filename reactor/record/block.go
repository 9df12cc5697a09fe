package record

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
)

// An events block is self-contained: its delta bases, its string table and
// its per-kind "last N" all start afresh, so a reader can start at any
// block and a corrupted one costs only its own records.
//
// Payload: uvarint sequence number of its first record, varint At base,
// uvarint record count, then the records. A record opens with a tag byte:
// 1..255 is a reactor event of that kind number (named by the header's
// kind table); 0 is followed by a sub-type byte for everything else.

// Sub-types after a 0 tag.
const (
	subChain = 1 // a Deferred event
	subGap   = 2 // events the recorder lost
	subKind  = 3 // a reactor event of a kind the header's table does not name: its name follows
	subSamp  = 4 // a Sample
)

// Event field bits, in the order their values follow the mask: the
// commonest fit the mask's first byte.
const (
	evFd = 1 << iota
	evN
	evDur
	evLabel
	evReady
	evDur2
	evBackend
	evDur3
	evInterest
	evText
)

// Chain (Deferred) field bits.
const (
	chLabel = 1 << iota
	chSite
	chStep
	chStepKind
	chTrackIn
	chTrackOut
	chIn
	chOut
	chDur
	chWaitingOn
	chPassthru // a flag: no value follows
)

// Sample field bits: counters, then the rest.
const (
	smWatched = 12 + iota // bits 0..11 are the counters, in statsCounters order
	smLastLag
	smBackend
	smPaused
	smDelay
)

// statsCounters are the Stats counters in sample bit order.
func statsCounters(s *reactor.Stats) [12]*uint64 {
	return [12]*uint64{&s.Passes, &s.Events, &s.Wakes, &s.WakeWrites, &s.Stalls, &s.Panics, &s.Dropped,
		&s.WaitCalls, &s.CtlCalls, &s.Accepts, &s.Reads, &s.Writes}
}

// blockEnc builds one events block.
type blockEnc struct {
	b          buf
	n          int    // records
	first      uint64 // sequence number of the first
	base, last int64  // At of the first record; At of the last one written
	strs       map[string]uint64
	lastN      [256]int64 // per tag (kind number; 0 for named kinds)
	lastID     uint64     // previous Deferred's id
	prev       Sample     // previous sample in this block
	known      int        // kinds 1..known are in the header's table
}

func newBlockEnc(known int) *blockEnc {
	return &blockEnc{strs: map[string]uint64{}, known: known}
}

// reset starts a new block whose first record is number seq.
func (e *blockEnc) reset(seq uint64) {
	e.b = e.b[:0]
	e.n = 0
	e.first = seq
	e.base, e.last = 0, 0
	clear(e.strs)
	e.lastN = [256]int64{}
	e.lastID = 0
	e.prev = Sample{}
}

// payload is the block's payload, ready to frame.
func (e *blockEnc) payload(dst []byte) []byte {
	b := buf(dst)
	b.uvarint(e.first)
	b.varint(e.base)
	b.uvarint(uint64(e.n))
	return append(b, e.b...)
}

// str writes a string reference: the index+1 of a string already in this
// block, or 0 followed by the string, which joins the table.
func (e *blockEnc) str(s string) {
	if i, ok := e.strs[s]; ok {
		e.b.uvarint(i)
		return
	}
	e.b.uvarint(0)
	e.b.str(s)
	e.strs[s] = uint64(len(e.strs) + 1)
}

// at writes the record's time as a delta from the previous record's.
func (e *blockEnc) at(at int64) {
	if e.n == 0 {
		e.base, e.last = at, at
	}
	e.b.varint(at - e.last)
	e.last = at
}

// add appends one record.
func (e *blockEnc) add(rec *Record) {
	switch rec.Type {
	case RecEvent:
		e.event(&rec.Event, rec.KindName)
	case RecChain:
		e.chain(&rec.Chain, rec.Event.At)
	case RecGap:
		e.b.byte1(0)
		e.b.byte1(subGap)
		e.at(rec.Event.At)
		e.b.uvarint(rec.Lost)
		e.b.uvarint(rec.LostChains)
	case RecSample:
		e.b.byte1(0)
		e.b.byte1(subSamp)
		e.at(rec.Event.At)
		e.sample(&rec.Sample)
	default:
		return // RecSkip is a reader's note, never written
	}
	e.n++
}

func (e *blockEnc) event(ev *reactor.TraceEvent, name string) {
	tag := int(ev.Kind)
	if name == "" && (tag == 0 || tag > e.known) {
		name = ev.Kind.String()
	}
	if name != "" {
		tag = 0
		e.b.byte1(0)
		e.b.byte1(subKind)
		e.str(name)
	} else {
		e.b.byte1(byte(tag))
	}
	var m uint64
	set := func(bit uint64, on bool) {
		if on {
			m |= bit
		}
	}
	set(evFd, ev.Fd != 0)
	set(evN, ev.N != e.lastN[tag])
	set(evDur, ev.Dur != 0)
	set(evLabel, ev.Label != "")
	set(evReady, ev.Ready != 0)
	set(evDur2, ev.Dur2 != 0)
	set(evBackend, ev.Backend != "")
	set(evDur3, ev.Dur3 != 0)
	set(evInterest, ev.Interest != 0)
	set(evText, ev.Text != "")
	e.b.uvarint(m)
	e.at(ev.At)
	if m&evFd != 0 {
		e.b.varint(int64(ev.Fd))
	}
	if m&evN != 0 {
		e.b.varint(ev.N - e.lastN[tag])
		e.lastN[tag] = ev.N
	}
	if m&evDur != 0 {
		e.b.varint(int64(ev.Dur))
	}
	if m&evLabel != 0 {
		e.str(ev.Label)
	}
	if m&evReady != 0 {
		e.b.byte1(byte(ev.Ready))
	}
	if m&evDur2 != 0 {
		e.b.varint(int64(ev.Dur2))
	}
	if m&evBackend != 0 {
		e.str(ev.Backend)
	}
	if m&evDur3 != 0 {
		e.b.varint(int64(ev.Dur3))
	}
	if m&evInterest != 0 {
		e.b.byte1(byte(ev.Interest))
	}
	if m&evText != 0 {
		e.str(ev.Text)
	}
}

func (e *blockEnc) chain(ev *deferred.TraceEvent, at int64) {
	e.b.byte1(0)
	e.b.byte1(subChain)
	e.at(at)
	e.b.varint(int64(ev.ID - e.lastID))
	e.lastID = ev.ID
	e.b.byte1(byte(ev.Kind))
	var m uint64
	set := func(bit uint64, on bool) {
		if on {
			m |= bit
		}
	}
	set(chLabel, ev.Label != "")
	set(chSite, ev.Site != "")
	set(chStep, ev.Step != 0)
	set(chStepKind, ev.StepKind != 0)
	set(chTrackIn, ev.TrackIn != 0)
	set(chTrackOut, ev.TrackOut != 0)
	set(chIn, ev.InSummary != "")
	set(chOut, ev.OutSummary != "")
	set(chDur, ev.Dur != 0)
	set(chWaitingOn, ev.WaitingOn != 0)
	set(chPassthru, ev.Passthru)
	e.b.uvarint(m)
	if m&chLabel != 0 {
		e.str(ev.Label)
	}
	if m&chSite != 0 {
		e.str(ev.Site)
	}
	if m&chStep != 0 {
		e.b.varint(int64(ev.Step))
	}
	if m&chStepKind != 0 {
		e.b.byte1(byte(ev.StepKind))
	}
	if m&chTrackIn != 0 {
		e.b.byte1(byte(ev.TrackIn))
	}
	if m&chTrackOut != 0 {
		e.b.byte1(byte(ev.TrackOut))
	}
	if m&chIn != 0 {
		e.str(ev.InSummary)
	}
	if m&chOut != 0 {
		e.str(ev.OutSummary)
	}
	if m&chDur != 0 {
		e.b.varint(int64(ev.Dur))
	}
	if m&chWaitingOn != 0 {
		e.b.uvarint(ev.WaitingOn)
	}
}

// sample writes the fields of s that changed since the block's previous
// sample (all that are not zero for the first), counters as deltas.
func (e *blockEnc) sample(s *Sample) {
	cur, prev := statsCounters(&s.Stats), statsCounters(&e.prev.Stats)
	var m uint64
	for i := range cur {
		if *cur[i] != *prev[i] {
			m |= 1 << i
		}
	}
	if s.Stats.Watched != e.prev.Stats.Watched {
		m |= 1 << smWatched
	}
	if s.Stats.LastLag != e.prev.Stats.LastLag {
		m |= 1 << smLastLag
	}
	if s.Stats.Backend != e.prev.Stats.Backend {
		m |= 1 << smBackend
	}
	if s.Paused != e.prev.Paused {
		m |= 1 << smPaused
	}
	if s.Delay != e.prev.Delay {
		m |= 1 << smDelay
	}
	e.b.uvarint(m)
	for i := range cur {
		if m&(1<<i) != 0 {
			e.b.varint(int64(*cur[i] - *prev[i]))
		}
	}
	if m&(1<<smWatched) != 0 {
		e.b.varint(int64(s.Stats.Watched - e.prev.Stats.Watched))
	}
	if m&(1<<smLastLag) != 0 {
		e.b.varint(int64(s.Stats.LastLag))
	}
	if m&(1<<smBackend) != 0 {
		e.str(s.Stats.Backend)
	}
	if m&(1<<smPaused) != 0 {
		e.b.byte1(boolByte(s.Paused))
	}
	if m&(1<<smDelay) != 0 {
		e.b.varint(int64(s.Delay))
	}
	e.prev = *s
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// blockDec reads the records of one events block.
type blockDec struct {
	r      reader
	n      int    // records left
	first  uint64 // sequence number of the first record
	last   int64  // At of the previous record
	strs   []string
	lastN  [256]int64
	lastID uint64
	prev   Sample
	kinds  []reactor.Kind // recorded kind number → this build's kind (0 = unknown: name in names)
	names  []string       // recorded kind names, by number
}

// kindTable maps the header's kind names to this build's kinds.
type kindTable struct {
	kinds []reactor.Kind // by recorded number
	names []string
}

func newKindTable(names []string) kindTable {
	t := kindTable{kinds: make([]reactor.Kind, len(names)+1), names: append([]string{""}, names...)}
	for i, n := range names {
		t.kinds[i+1] = kindByName(n)
	}
	return t
}

// local maps a kind name to this build's Kind: a name it knows, or
// "kind(N)" (an unnamed number, kept); 0 if neither.
func kindByName(name string) reactor.Kind {
	if k, ok := localKinds[name]; ok {
		return k
	}
	if s, ok := strings.CutPrefix(name, "kind("); ok {
		if n, err := strconv.Atoi(strings.TrimSuffix(s, ")")); err == nil && n > 0 && n < 256 {
			if k := reactor.Kind(n); k.String() == name {
				return k
			}
		}
	}
	return 0
}

// localKinds is this build's kinds by name.
var localKinds = func() map[string]reactor.Kind {
	m := map[string]reactor.Kind{}
	for i, n := range kindNames() {
		if !strings.HasPrefix(n, "kind(") {
			m[n] = reactor.Kind(i + 1)
		}
	}
	return m
}()

// start begins decoding payload.
func (d *blockDec) start(payload []byte, kt *kindTable) error {
	d.r = reader{p: payload}
	d.first = d.r.uvarint()
	d.last = d.r.varint()
	d.n = d.r.count(2)
	d.strs = d.strs[:0]
	d.lastN = [256]int64{}
	d.lastID = 0
	d.prev = Sample{}
	d.kinds, d.names = kt.kinds, kt.names
	return d.r.err
}

func (d *blockDec) str() string {
	i := d.r.uvarint()
	if i == 0 {
		s := d.r.str()
		if d.r.err == nil {
			d.strs = append(d.strs, s)
		}
		return s
	}
	if i > uint64(len(d.strs)) {
		d.r.fail(fmt.Errorf("string reference %d of %d", i, len(d.strs)))
		return ""
	}
	return d.strs[i-1]
}

func (d *blockDec) at() int64 {
	d.last += d.r.varint()
	return d.last
}

var errSubType = errors.New("unknown record type")

// next decodes the next record into rec; false at the end of the block or
// on an error (then d.r.err says which).
func (d *blockDec) next(rec *Record) bool {
	if d.n == 0 || d.r.err != nil {
		return false
	}
	d.n--
	*rec = Record{}
	tag := d.r.byte1()
	if tag != 0 {
		rec.Type = RecEvent
		k, name := reactor.Kind(tag), ""
		if int(tag) < len(d.kinds) {
			if k = d.kinds[tag]; k == 0 {
				name = d.names[tag]
			}
		}
		d.event(rec, int(tag), k, name)
		return d.r.err == nil
	}
	switch sub := d.r.byte1(); sub {
	case subKind:
		name := d.str()
		k := kindByName(name)
		if k != 0 {
			name = ""
		}
		rec.Type = RecEvent
		d.event(rec, 0, k, name)
	case subChain:
		rec.Type = RecChain
		d.chain(rec)
	case subGap:
		rec.Type = RecGap
		at := d.at()
		rec.Lost, rec.LostChains = d.r.uvarint(), d.r.uvarint()
		rec.Event = gapLine(rec.Lost, at)
	case subSamp:
		rec.Type = RecSample
		at := d.at()
		d.sample(rec)
		rec.Event = reactor.TraceEvent{At: at}
	default:
		d.r.fail(fmt.Errorf("%w %d", errSubType, sub))
	}
	return d.r.err == nil
}

func (d *blockDec) event(rec *Record, tag int, k reactor.Kind, name string) {
	rec.KindName = name
	ev := &rec.Event
	m := d.r.uvarint()
	*ev = reactor.TraceEvent{Kind: k, At: d.at(), N: d.lastN[tag]}
	if m&evFd != 0 {
		ev.Fd = int32(d.r.varint())
	}
	if m&evN != 0 {
		ev.N += d.r.varint()
		d.lastN[tag] = ev.N
	}
	if m&evDur != 0 {
		ev.Dur = time.Duration(d.r.varint())
	}
	if m&evLabel != 0 {
		ev.Label = d.str()
	}
	if m&evReady != 0 {
		ev.Ready = reactor.Ready(d.r.byte1())
	}
	if m&evDur2 != 0 {
		ev.Dur2 = time.Duration(d.r.varint())
	}
	if m&evBackend != 0 {
		ev.Backend = d.str()
	}
	if m&evDur3 != 0 {
		ev.Dur3 = time.Duration(d.r.varint())
	}
	if m&evInterest != 0 {
		ev.Interest = reactor.Interest(d.r.byte1())
	}
	if m&evText != 0 {
		ev.Text = d.str()
	}
}

func (d *blockDec) chain(rec *Record) {
	at := d.at()
	d.lastID += uint64(d.r.varint())
	ev := &rec.Chain
	*ev = deferred.TraceEvent{ID: d.lastID, Kind: deferred.EventKind(d.r.byte1())}
	m := d.r.uvarint()
	if m&chLabel != 0 {
		ev.Label = d.str()
	}
	if m&chSite != 0 {
		ev.Site = d.str()
	}
	if m&chStep != 0 {
		ev.Step = int(d.r.varint())
	}
	if m&chStepKind != 0 {
		ev.StepKind = deferred.StepKind(d.r.byte1())
	}
	if m&chTrackIn != 0 {
		ev.TrackIn = deferred.Track(d.r.byte1())
	}
	if m&chTrackOut != 0 {
		ev.TrackOut = deferred.Track(d.r.byte1())
	}
	if m&chIn != 0 {
		ev.InSummary = d.str()
	}
	if m&chOut != 0 {
		ev.OutSummary = d.str()
	}
	if m&chDur != 0 {
		ev.Dur = time.Duration(d.r.varint())
	}
	if m&chWaitingOn != 0 {
		ev.WaitingOn = d.r.uvarint()
	}
	ev.Passthru = m&chPassthru != 0
	if d.r.err == nil {
		rec.Event = chainLine(ev, at)
	}
}

func (d *blockDec) sample(rec *Record) {
	s := &rec.Sample
	*s = d.prev
	m := d.r.uvarint()
	cur := statsCounters(&s.Stats)
	for i := range cur {
		if m&(1<<i) != 0 {
			*cur[i] += uint64(d.r.varint())
		}
	}
	if m&(1<<smWatched) != 0 {
		s.Stats.Watched += int(d.r.varint())
	}
	if m&(1<<smLastLag) != 0 {
		s.Stats.LastLag = time.Duration(d.r.varint())
	}
	if m&(1<<smBackend) != 0 {
		s.Stats.Backend = d.str()
	}
	if m&(1<<smPaused) != 0 {
		s.Paused = d.r.byte1() != 0
	}
	if m&(1<<smDelay) != 0 {
		s.Delay = time.Duration(d.r.varint())
	}
	d.prev = *s
}
