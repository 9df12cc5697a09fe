package lessons

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/record"
	"github.com/reactorlab/reactorlab/reactor/tcp"
	"github.com/reactorlab/reactorlab/visualizer"
)

// Recording a scenario: the whole trace of its loop goes to a file
// (reactor/record) from before its first client connects until it closes —
// reactor events, its Deferreds' events in full, what the learner did
// (KindAction, through TraceAction), and on every drain the counters and
// the pause and slow-motion state a screen reads. `reactorlab replay` shows
// it again with the same panes.

// TraceAction puts a into the loop's trace as a KindAction event
// (visualizer.ActionTracer): the learner's action lands before what it
// causes, whether the loop runs or is paused.
func (d *Driver) TraceAction(a visualizer.Action) {
	if !d.loop.Tracing() {
		return
	}
	d.post(func() {
		d.loop.Trace(reactor.TraceEvent{Kind: reactor.KindAction, Label: a.ID, Text: a.Arg})
	})
}

var _ visualizer.ActionTracer = (*Driver)(nil)

// attachRecorder returns the start hook that records d's loop into path:
// the recorder starts before the loop runs (so the first keyframe holds
// the server's registrations) and stops, the file complete, when the
// driver closes its server.
func attachRecorder(path string, h record.Header, out **record.Recorder) func(*Driver) error {
	return func(d *Driver) error {
		h.Info = d.info
		rec, err := record.Create(path, d.loop, record.Options{Header: h})
		if err != nil {
			return fmt.Errorf("record to %s: %w", path, err)
		}
		rec.SetSampler(func() (bool, time.Duration) { return d.Paused(), d.Delay() })
		stopChains := func() {}
		if d.chains != nil {
			stopChains = deferred.Observe(rec.ObserveDeferred)
		}
		closeSrv := d.closeFn
		d.closeFn = func() error {
			err := closeSrv()
			stopChains()
			return errors.Join(err, rec.Close())
		}
		*out = rec
		return nil
	}
}

// paneNames names panes for a recording's header.
func paneNames(ids []visualizer.PaneID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

// StartRecorded builds and starts the lesson's scenario as Start does,
// recording its whole trace into the file at path; program names the
// recording program in the file's header. Closing the Live stops the
// recording and completes the file; the Recorder reports what it wrote
// (its Close may be called again, harmlessly, to wait for the file).
func (l *Lesson) StartRecorded(ctx context.Context, path, program string) (visualizer.Live, *record.Recorder, error) {
	h := record.Header{Program: program, Scenario: "lesson " + l.slug, Title: l.title, Panes: paneNames(l.scenario.Panes)}
	var rec *record.Recorder
	d, err := start(ctx, l.scenario, l.limits, attachRecorder(path, h, &rec))
	if err != nil {
		return nil, nil, err
	}
	return l.live(d), rec, nil
}

// OpenRecorded opens the shell on lesson i as Open does, recording the
// lesson's scenario into the file at path from its start until the learner
// leaves the lesson (a lesson opened afterwards from home is not
// recorded). It returns what was recorded; nothing if the scenario never
// started.
func OpenRecorded(ctx context.Context, i int, path, program string, opts ...visualizer.Option) (record.RecorderTotals, error) {
	ls := VisualizerLessons()
	rl := &recordedLesson{Lesson: load()[i], path: path, program: program}
	ls[i] = rl
	err := visualizer.RunApp(ctx, ls, strconv.Itoa(i+1), opts...)
	return rl.finish(err)
}

// recordedLesson is a lesson whose first start is recorded.
type recordedLesson struct {
	*Lesson
	path, program string

	mu  sync.Mutex
	rec *record.Recorder // nil until the first start
	err error            // the first start's error
}

// Start records the first start and only that one.
func (r *recordedLesson) Start(ctx context.Context) (visualizer.Live, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rec != nil || r.err != nil {
		return r.Lesson.Start(ctx)
	}
	live, rec, err := r.Lesson.StartRecorded(ctx, r.path, r.program)
	r.rec, r.err = rec, err
	return live, err
}

// finish waits for the recording to be complete and reports it.
func (r *recordedLesson) finish(runErr error) (record.RecorderTotals, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rec == nil {
		return record.RecorderTotals{}, errors.Join(runErr, r.err)
	}
	err := r.rec.Close() // the lesson closed it already; this waits for the file if not
	return r.rec.Totals(), errors.Join(runErr, err)
}

// RecordServer starts recording srv's loop into the file at path, for
// `reactorlab serve --record`: call it before the loop runs (after
// NewServer, before Dashboard or Headless.Run), and Close the recorder once
// the server is done. The header names the panes the dashboard shows, so
// a replay shows the same.
func RecordServer(srv *tcp.Server, path, program string) (*record.Recorder, error) {
	addr := srv.Addr().String()
	h := record.Header{Program: program, Scenario: "serve " + srv.Protocol(),
		Title: srv.Protocol() + " server on " + addr, Info: infoLine(srv.Protocol(), addr),
		Panes: paneNames(slices.DeleteFunc(visualizer.AllPanes(), func(id visualizer.PaneID) bool { return id == visualizer.PaneChain }))}
	rec, err := record.Create(path, srv.Loop(), record.Options{Header: h})
	if err != nil {
		return nil, fmt.Errorf("record to %s: %w", path, err)
	}
	return rec, nil
}

// DashboardOption adjusts Dashboard.
type DashboardOption func(*Driver)

// WithRecorder tells Dashboard that rec records the server's loop: the
// recording's samples then carry the dashboard's pause and slow-motion
// state too (its actions reach the trace in any case).
func WithRecorder(rec *record.Recorder) DashboardOption {
	return func(d *Driver) {
		rec.SetSampler(func() (bool, time.Duration) { return d.Paused(), d.Delay() })
	}
}
