package lessons

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/record"
	"github.com/reactorlab/reactorlab/reactor/tcp"
	"github.com/reactorlab/reactorlab/visualizer"
)

// TestStartRecorded records lesson 3 while a learner pauses, steps and
// adds clients: the file names the lesson and its panes, holds the
// Deferred chains in full, the actions in the trace before what they
// caused, and the pause in its samples; closing the scenario completes it
// and leaks nothing.
func TestStartRecorded(t *testing.T) {
	checkNoLeaks(t)
	_, l, err := Find("deferreds-two-tracks")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "l3.rlt")
	live, rec, err := l.StartRecorded(context.Background(), path, "reactorlab (test)")
	if err != nil {
		t.Fatal(err)
	}
	d := live.(chainLive).Driver
	if _, ok := live.(visualizer.ActionTracer); !ok {
		t.Fatal("a recorded lesson's Live does not trace actions")
	}
	waitFor(t, "a Deferred chain recorded", func() bool {
		rec.Sync()
		return rec.Totals().Chains > 0
	})
	d.TraceAction(visualizer.Action{ID: "pause"})
	d.Pause()
	d.sync()
	rec.Sync() // a screen samples now: paused
	d.TraceAction(visualizer.Action{ID: "step"})
	d.Step()
	d.sync()
	d.TraceAction(visualizer.Action{ID: "add-active", Arg: "2"})
	d.AddClients(2, true)
	d.Resume()
	d.sync()
	if err := live.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := record.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if h := r.Header; h.Scenario != "lesson deferreds-two-tracks" || h.Title != l.Title() ||
		!slices.Equal(h.Panes, []string{"chain", "stalls"}) || h.Info != d.Info() || h.Program != "reactorlab (test)" {
		t.Errorf("header %+v; want the lesson, its panes and its info line", h)
	}
	if !r.Complete {
		t.Error("the file has no end block after the scenario closed")
	}
	var actions []string
	chains, pausedSamples := 0, 0
	r.Scan(func(rc *record.Record) error {
		switch {
		case rc.Type == record.RecChain:
			chains++
		case rc.Type == record.RecSample && rc.Sample.Paused:
			pausedSamples++
		case rc.Type == record.RecEvent && rc.Event.Kind == reactor.KindAction:
			actions = append(actions, visualizer.Action{ID: rc.Event.Label, Arg: rc.Event.Text}.String())
		}
		return nil
	})
	if want := []string{"pause", "step", "add-active 2"}; !slices.Equal(actions, want) {
		t.Errorf("actions %q; want %q", actions, want)
	}
	if chains == 0 || pausedSamples == 0 {
		t.Errorf("%d Deferred events, %d paused samples; want both", chains, pausedSamples)
	}
}

// TestRecordServer records `serve`'s dashboard: the header names the
// server and the dashboard's panes, the samples its pause.
func TestRecordServer(t *testing.T) {
	checkNoLeaks(t)
	loop, err := reactor.New(reactor.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer loop.Close()
	srv, err := tcp.NewServer(loop, "127.0.0.1:0", "echo")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "serve.rlt")
	rec, err := RecordServer(srv, path, "reactorlab (test)")
	if err != nil {
		t.Fatal(err)
	}
	d := serverDriver(srv)
	WithRecorder(rec)(d)
	d.TraceAction(visualizer.Action{ID: "pause"})
	d.Pause()
	d.sync()
	rec.Sync()
	d.Close()
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := record.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if h := r.Header; h.Scenario != "serve echo" || slices.Contains(h.Panes, "chain") || !slices.Contains(h.Panes, "cost") {
		t.Errorf("header %+v; want serve echo with the dashboard's panes (no chain pane)", h)
	}
	paused := false
	r.Scan(func(rc *record.Record) error {
		paused = paused || rc.Type == record.RecSample && rc.Sample.Paused
		return nil
	})
	if !paused {
		t.Error("no sample says the dashboard paused the loop")
	}
}

// BenchmarkRecordedLessonSize records lessons as a learner would use them
// and reports the file's bytes per event: lesson 1 with ten more clients
// and one stall injected, lesson 3 (Deferred chains, whose events carry
// their values) as it runs; 10 s each, in turn. Run with -benchtime 1x
// -count 5 for five rounds.
func BenchmarkRecordedLessonSize(b *testing.B) {
	const window = 10 * time.Second
	for _, slug := range []string{"one-process-many-connections", "deferreds-two-tracks"} {
		b.Run(slug, func(b *testing.B) {
			_, l, err := Find(slug)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				path := filepath.Join(b.TempDir(), "lesson.rlt")
				live, rec, err := l.StartRecorded(context.Background(), path, "bench")
				if err != nil {
					b.Fatal(err)
				}
				if inj, ok := live.(visualizer.Injectable); ok && slug == "one-process-many-connections" {
					live.AddClients(10, true)
					inj.Inject(injStall, true)
				}
				time.Sleep(window) // the recording's length: what is measured
				live.Close()
				t := rec.Totals()
				b.ReportMetric(float64(t.Bytes)/float64(t.Events), "bytes/event")
				b.ReportMetric(float64(t.Events), "events")
				b.ReportMetric(float64(t.Chains), "deferred-events")
			}
		})
	}
}
