package record

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

// busyLoop is a loop with k socket pairs whose read ends stay readable:
// every pass dispatches k events. With echo, each handler reads its byte
// and writes it back through the peer, so it is readable again.
func busyLoop(t testing.TB, k int, echo bool) *reactor.Loop {
	t.Helper()
	l, err := reactor.New(reactor.Config{Heartbeat: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	buf := make([]byte, 1)
	for range k {
		p, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
		if err != nil {
			t.Fatal(err)
		}
		a, w := p[0], p[1]
		unix.SetNonblock(a, true)
		unix.SetNonblock(w, true)
		t.Cleanup(func() { unix.Close(w) })
		unix.Write(w, []byte("x"))
		h := func(int, reactor.Ready) {}
		if echo {
			h = func(fd int, _ reactor.Ready) {
				unix.Read(fd, buf)
				unix.Write(w, buf)
			}
		}
		if _, err := l.Register(a, reactor.Readable, "pair", h); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// recordTo starts a recorder on l writing to a file in a temp dir, with
// the writer's own tick too slow to matter: the test syncs by hand.
func recordTo(t testing.TB, l *reactor.Loop, opts Options) (*Recorder, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trace.rlt")
	if opts.Interval == 0 {
		opts.Interval = time.Hour
	}
	rec, err := Create(path, l, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rec, path
}

func readRecording(t testing.TB, path string) *Recording {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRecorderKeepsEveryEvent records a real loop beside a plain
// subscriber: the file holds exactly the events the subscriber saw, in
// order, every kind included (user events of each kind, one this build
// does not name), and the registrations made before it started.
func TestRecorderKeepsEveryEvent(t *testing.T) {
	l := busyLoop(t, 4, true)
	sub := l.Subscribe(1 << 14)
	defer sub.Close()
	rec, path := recordTo(t, l, Options{Header: Header{Scenario: "test"}})
	for k := 1; k <= nKinds+2; k++ {
		l.Trace(reactor.TraceEvent{Kind: reactor.Kind(k), Fd: int32(k), N: int64(k * 7), Label: "user", Text: "kind test"})
	}
	l.Trace(reactor.TraceEvent{Kind: reactor.KindAction, Label: "add-idle", Text: "100"})
	for range 50 {
		if err := l.Iterate(0); err != nil {
			t.Fatal(err)
		}
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	want := sub.Drain(nil)
	r := readRecording(t, path)
	var got []reactor.TraceEvent
	var first *State
	r.Scan(func(rc *Record) error {
		switch rc.Type {
		case RecEvent:
			got = append(got, rc.Event)
		case RecKeyframe:
			if first == nil {
				first = rc.State
			}
		case RecGap, RecSkip:
			t.Errorf("unexpected %v record", rc.Type)
		}
		return nil
	})
	if len(got) != len(want) {
		t.Fatalf("recorded %d events; the subscriber saw %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d: recorded %+v; want %+v", i, got[i], want[i])
		}
	}
	if !r.Complete || len(r.Problems) > 0 {
		t.Errorf("Complete %v, problems %v; want a complete file", r.Complete, r.Problems)
	}
	if first == nil || len(first.Regs) != 4 {
		t.Fatalf("first keyframe %+v; want the 4 registrations made before recording", first)
	}
	if r.Header.Backend != l.Backend() || !r.Header.Start.Equal(l.Epoch()) || r.Header.Scenario != "test" {
		t.Errorf("header %+v; want backend %s, start %v, scenario test", r.Header, l.Backend(), l.Epoch())
	}
}

// TestRecorderDeferred records Deferred events in full and in their place
// among the loop's events.
func TestRecorderDeferred(t *testing.T) {
	l := busyLoop(t, 0, false)
	rec, path := recordTo(t, l, Options{})
	var seen []deferred.TraceEvent
	stopSeen := deferred.Observe(func(ev deferred.TraceEvent) { seen = append(seen, ev) })
	stopRec := deferred.Observe(rec.ObserveDeferred)
	d := deferred.New(nil).SetLabel("fetch")
	d.AddCallback(func(v any) (any, error) { return v.(int) + 1, nil })
	l.Trace(reactor.TraceEvent{Kind: reactor.KindAction, Label: "between"})
	d.Callback(41)
	stopSeen()
	stopRec()
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	r := readRecording(t, path)
	var got []deferred.TraceEvent
	var order []string
	r.Scan(func(rc *Record) error {
		switch rc.Type {
		case RecChain:
			got = append(got, rc.Chain)
			order = append(order, rc.Chain.Kind.String())
			if rc.Event.Kind != reactor.KindDeferred || rc.Event.Text != rc.Chain.String() {
				t.Errorf("chain record's line %+v; want its KindDeferred line", rc.Event)
			}
		case RecEvent:
			order = append(order, rc.Event.Kind.String())
		}
		return nil
	})
	if !reflect.DeepEqual(got, seen) {
		t.Errorf("recorded Deferred events\n%v\nwant\n%v", got, seen)
	}
	// created, labelled, step-added, then the action, then fired, step-run.
	i := slices.Index(order, "action")
	if i < 0 || !slices.Contains(order[:i], "step-added") || !slices.Contains(order[i:], "fired") {
		t.Errorf("order %v; want the action between the step being added and the fire", order)
	}
}

// TestRecorderGap fills a small ring between drains: the loss is written
// as a gap that counts exactly what the ring dropped.
func TestRecorderGap(t *testing.T) {
	l := busyLoop(t, 8, true)
	rec, path := recordTo(t, l, Options{Ring: 64})
	for range 40 {
		l.Iterate(0)
	}
	rec.Sync()
	for range 5 {
		l.Iterate(0)
	}
	dropped := rec.sub.Dropped()
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if dropped == 0 {
		t.Fatal("the ring dropped nothing: the test does not test a gap")
	}
	var lost uint64
	readRecording(t, path).Scan(func(rc *Record) error {
		if rc.Type == RecGap {
			lost += rc.Lost
		}
		return nil
	})
	if lost != dropped {
		t.Errorf("gaps count %d lost events; the ring dropped %d", lost, dropped)
	}
}

// TestRecorderSamples writes a sample when what a screen reads changed,
// and only then.
func TestRecorderSamples(t *testing.T) {
	l := busyLoop(t, 1, true)
	rec, path := recordTo(t, l, Options{})
	var paused atomic.Bool
	rec.SetSampler(func() (bool, time.Duration) { return paused.Load(), 50 * time.Millisecond })
	l.Iterate(0)
	rec.Sync()
	rec.Sync() // nothing changed: no sample
	paused.Store(true)
	rec.Sync()
	rec.Close()
	var samples []Sample
	readRecording(t, path).Scan(func(rc *Record) error {
		if rc.Type == RecSample {
			samples = append(samples, rc.Sample)
		}
		return nil
	})
	if len(samples) != 2 {
		t.Fatalf("%d samples; want 2 (after the pass, after the pause)", len(samples))
	}
	if s := samples[0]; s.Stats.Passes != 1 || s.Paused || s.Delay != 50*time.Millisecond || s.Stats.Backend != l.Backend() {
		t.Errorf("first sample %+v; want 1 pass, running, 50ms delay", s)
	}
	if !samples[1].Paused {
		t.Errorf("second sample not paused")
	}
}

// stuckWriter takes the first write (the file's opening) and blocks every
// later one until released.
type stuckWriter struct {
	mu      sync.Mutex
	writes  int
	release chan struct{}
	buf     bytes.Buffer
}

func (w *stuckWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.writes++
	n := w.writes
	w.mu.Unlock()
	if n > 1 {
		<-w.release
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// TestRecorderNeverBlocksTheLoop stops the file dead: the loop keeps
// running (this test would hang otherwise), the ring drops and counts,
// and once the file moves again the loss is in it as a gap.
func TestRecorderNeverBlocksTheLoop(t *testing.T) {
	l := busyLoop(t, 8, true)
	w := &stuckWriter{release: make(chan struct{})}
	rec, err := Start(w, l, Options{Ring: 256, Interval: time.Hour, FlushEvery: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	l.Iterate(0)
	go rec.Sync() // flushes, and sticks in the write
	for range 2000 {
		if err := l.Iterate(0); err != nil {
			t.Fatal(err)
		}
	}
	if l.Stats().Dropped == 0 {
		t.Error("the loop dropped nothing while the file was stuck")
	}
	close(w.release)
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Parse(w.buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	gaps := 0
	r.Scan(func(rc *Record) error {
		if rc.Type == RecGap {
			gaps++
		}
		return nil
	})
	if gaps == 0 {
		t.Error("no gap in the file")
	}
}

// TestCreateError names the path it could not create.
func TestCreateError(t *testing.T) {
	l := busyLoop(t, 0, false)
	_, err := Create(filepath.Join(t.TempDir(), "no", "such", "dir", "x.rlt"), l, Options{})
	if err == nil || !os.IsNotExist(err) {
		t.Errorf("Create in a missing directory = %v; want a not-exist error", err)
	}
}

// BenchmarkRecordOverhead runs two identical busy loops side by side, in
// alternating chunks (and alternating which goes first) so machine noise
// hits them alike: one traced by a
// plain subscriber that another goroutine drains every 5 ms, one traced
// by a Recorder that drains as often, encodes and writes to a file (both
// rings big enough that neither loses events: a lost event is one the
// loop did not pay to hand over). The
// ratio per round, then the median: what recording costs the loop on top
// of a ring subscriber alone. handler=read+write does a real read and
// write per event; handler=empty is the worst case.
func BenchmarkRecordOverhead(b *testing.B) {
	b.Run("handler=read+write", func(b *testing.B) { benchRecord(b, true) })
	b.Run("handler=empty", func(b *testing.B) { benchRecord(b, false) })
}

func benchRecord(b *testing.B, echo bool) {
	const fds, chunk, ring = 8, 100, 1 << 17
	const every = 5 * time.Millisecond
	plain := busyLoop(b, fds, echo)
	recd := busyLoop(b, fds, echo)
	sub := plain.Subscribe(ring)
	defer sub.Close()
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]reactor.TraceEvent, 0, 1<<16)
		tk := time.NewTicker(every)
		defer tk.Stop()
		for !stop.Load() {
			<-tk.C
			buf = sub.Drain(buf[:0])
		}
	}()
	rec, path := recordTo(b, recd, Options{Interval: every, Ring: ring})
	timeChunk := func(l *reactor.Loop) float64 {
		e0 := l.Stats().Events
		t0 := time.Now()
		for range chunk {
			l.Iterate(0)
		}
		return float64(time.Since(t0)) / float64(l.Stats().Events-e0)
	}
	var ratio, base []float64
	for i := 0; i < b.N; i += 2 * chunk {
		var p, r float64
		if len(ratio)%2 == 0 { // which goes first alternates too
			p, r = timeChunk(plain), timeChunk(recd)
		} else {
			r, p = timeChunk(recd), timeChunk(plain)
		}
		base = append(base, p)
		ratio = append(ratio, r/p)
	}
	stop.Store(true)
	<-done
	if err := rec.Close(); err != nil {
		b.Fatal(err)
	}
	med := func(s []float64) float64 { slices.Sort(s); return s[len(s)/2] }
	b.ReportMetric(med(base), "ns/event-subscriber")
	b.ReportMetric(100*(med(ratio)-1), "%overhead-record")
	t := rec.Totals()
	b.ReportMetric(float64(t.Bytes)/float64(max(1, t.Events)), "bytes/event")
	b.ReportMetric(float64(t.Lost)/float64(max(1, t.Events)), "lost/event")
	b.ReportMetric(float64(sub.Dropped())/float64(max(1, plain.Stats().Events)), "lost/event-subscriber")
	if fi, err := os.Stat(path); err == nil && fi.Size() != t.Bytes {
		b.Errorf("file is %d bytes; the recorder counted %d", fi.Size(), t.Bytes)
	}
}

var _ io.Writer = (*stuckWriter)(nil)
