package record

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
)

// gen makes random records: every reactor kind this build knows, kinds it
// does not (numbers past the last, which a later build may add), Deferred
// events of every kind, gaps and samples; fields drawn from small sets
// (so strings repeat, as labels do) and from the extremes.
type gen struct {
	r  *rand.Rand
	at int64
}

func (g *gen) pick(ss ...string) string { return ss[g.r.IntN(len(ss))] }

func (g *gen) i64() int64 {
	switch g.r.IntN(6) {
	case 0:
		return 0
	case 1:
		return -1
	case 2:
		return int64(g.r.Uint64()) // any, extremes included
	case 3:
		return -g.r.Int64N(1 << 40)
	}
	return g.r.Int64N(1 << 20)
}

func (g *gen) str() string {
	switch g.r.IntN(4) {
	case 0:
		return ""
	case 1:
		return g.pick("client 7", "listener", "waker", "echo", "blocking handler (sleeps 300ms)")
	case 2:
		return "text " + strconv.Itoa(g.r.IntN(1000))
	}
	b := make([]byte, g.r.IntN(40))
	for i := range b {
		b[i] = byte(g.r.IntN(256)) // not UTF-8 either: a string is bytes
	}
	return string(b)
}

func (g *gen) tick() int64 {
	if g.r.IntN(20) == 0 {
		g.at -= g.r.Int64N(1000) // clocks read out of order now and then
	} else {
		g.at += g.r.Int64N(1 << 22)
	}
	return g.at
}

func (g *gen) event() Record {
	k := reactor.Kind(1 + g.r.IntN(nKinds+3)) // a few past the last known
	if g.r.IntN(50) == 0 {
		k = reactor.Kind(200 + g.r.IntN(56))
	}
	ev := reactor.TraceEvent{Kind: k, At: g.tick(), Fd: int32(g.i64()), N: g.i64(),
		Dur: time.Duration(g.i64()), Dur2: time.Duration(g.i64()), Dur3: time.Duration(g.i64()),
		Ready: reactor.Ready(g.r.IntN(256)), Interest: reactor.Interest(g.r.IntN(256)),
		Backend: g.pick("", "epoll", "poll", "select"), Label: g.str(), Text: g.str()}
	return Record{Type: RecEvent, Event: ev}
}

func (g *gen) chain() Record {
	c := deferred.TraceEvent{Kind: deferred.EventKind(g.r.IntN(12)), ID: uint64(g.r.IntN(50)),
		Label: g.str(), Site: g.pick("", "lessons/demo.go:12"), Step: int(g.i64() % 100),
		StepKind: deferred.StepKind(g.r.IntN(7)), TrackIn: deferred.Track(g.r.IntN(3)),
		TrackOut: deferred.Track(g.r.IntN(3)), InSummary: g.str(), OutSummary: g.str(),
		Dur: time.Duration(g.i64()), WaitingOn: uint64(g.r.IntN(3)) * g.r.Uint64(), Passthru: g.r.IntN(2) == 0}
	if g.r.IntN(30) == 0 {
		c.ID = g.r.Uint64()
	}
	at := g.tick()
	return Record{Type: RecChain, Chain: c, Event: chainLine(&c, at)}
}

func (g *gen) record(prev *Sample) Record {
	switch n := g.r.IntN(20); {
	case n < 14:
		return g.event()
	case n < 17:
		return g.chain()
	case n < 18:
		lost, lc := g.r.Uint64N(1<<30), g.r.Uint64N(10)
		return Record{Type: RecGap, Lost: lost, LostChains: lc, Event: gapLine(lost, g.tick())}
	}
	s := *prev
	for _, c := range statsCounters(&s.Stats) {
		if g.r.IntN(2) == 0 {
			*c += g.r.Uint64N(1000)
		}
	}
	if g.r.IntN(3) == 0 {
		s.Stats.Watched = int(g.r.Int64N(20000))
		s.Stats.LastLag = time.Duration(g.i64())
		s.Stats.Backend = g.pick("", "epoll", "poll")
		s.Paused = g.r.IntN(2) == 0
		s.Delay = time.Duration(g.r.Int64N(int64(time.Second)))
	}
	*prev = s
	return Record{Type: RecSample, Sample: s, Event: reactor.TraceEvent{At: g.at}}
}

// records makes n random records.
func (g *gen) records(n int) []Record {
	var prev Sample
	out := make([]Record, n)
	for i := range out {
		out[i] = g.record(&prev)
	}
	return out
}

// encode writes recs as a recording.
func encode(t testing.TB, h Header, recs []Record) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := NewWriter(&b, h)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		if err := w.Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// decodeAll reads every record of data but keyframes, failing on a skip.
func decodeAll(t testing.TB, data []byte) []Record {
	t.Helper()
	r, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var out []Record
	r.Scan(func(rec *Record) error {
		switch rec.Type {
		case RecKeyframe:
		case RecSkip:
			t.Fatalf("skip at byte %d: %v", rec.Offset, rec.Err)
		default:
			out = append(out, *rec)
		}
		return nil
	})
	return out
}

// TestRoundTrip is the property: record → decode gives the same records,
// for every kind of record and every reactor kind, known or not.
func TestRoundTrip(t *testing.T) {
	for seed := range uint64(20) {
		g := &gen{r: rand.New(rand.NewPCG(seed, 1))}
		recs := g.records(1 + g.r.IntN(3*blockRecords)) // one block to several
		got := decodeAll(t, encode(t, Header{Scenario: "test"}, recs))
		if len(got) != len(recs) {
			t.Fatalf("seed %d: decoded %d records; want %d", seed, len(got), len(recs))
		}
		for i := range recs {
			want := recs[i]
			if want.Type == RecEvent && !known(want.Event.Kind) {
				want.KindName = "" // a number this build does not name comes back as that number
			}
			if !reflect.DeepEqual(got[i], want) {
				t.Fatalf("seed %d, record %d:\ngot  %+v\nwant %+v", seed, i, got[i], want)
			}
		}
	}
}

func known(k reactor.Kind) bool { return int(k) <= nKinds }

var nKinds = len(kindNames())

// TestForeignKinds reads a file whose kind table numbers kinds otherwise
// and names one this build does not have: events are mapped by name, and
// the unknown kind keeps its name and round-trips through a new file.
func TestForeignKinds(t *testing.T) {
	names := kindNames()
	foreign := append([]string{"timer-drift"}, names...) // every known kind one number up
	recs := []Record{
		{Type: RecEvent, Event: reactor.TraceEvent{Kind: 1, At: 5, N: 3}},                        // timer-drift
		{Type: RecEvent, Event: reactor.TraceEvent{Kind: 2, At: 6, N: 7}},                        // pass-start there
		{Type: RecEvent, Event: reactor.TraceEvent{Kind: reactor.Kind(len(foreign) + 1), At: 7}}, // unnamed
	}
	data := encode(t, Header{Kinds: foreign}, recs)
	got := decodeAll(t, data)
	want := []struct {
		kind reactor.Kind
		name string
	}{{0, "timer-drift"}, {reactor.KindPassStart, ""}, {reactor.Kind(len(foreign) + 1), ""}}
	for i, w := range want {
		if got[i].Event.Kind != w.kind || got[i].KindName != w.name {
			t.Errorf("record %d: kind %d %q; want %d %q", i, got[i].Event.Kind, got[i].KindName, w.kind, w.name)
		}
	}
	if s := got[0].KindString(); s != "timer-drift" {
		t.Errorf("KindString() = %q; want timer-drift", s)
	}
	again := decodeAll(t, encode(t, Header{}, got))
	if again[0].KindName != "timer-drift" || again[1].Event.Kind != reactor.KindPassStart {
		t.Errorf("written again: %q, %v; want timer-drift, pass-start", again[0].KindName, again[1].Event.Kind)
	}
}
