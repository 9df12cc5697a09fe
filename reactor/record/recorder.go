package record

import (
	"bufio"
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// Options configure a Recorder. The zero value records with the defaults.
type Options struct {
	// Header describes the recording (Scenario, Title, Panes, Info,
	// Program); the recorder fills Backend and Start from the loop, and
	// OS, Arch and the kind names itself.
	Header Header
	// Ring is the trace ring's size in slots (0 = 1<<16, ~1 s of a busy
	// loop): how far the writer may fall behind before events are lost.
	Ring int
	// Interval is how often the writer drains the ring (0 = 20 ms).
	Interval time.Duration
	// FlushEvery bounds how long records wait in memory before they are
	// written out as a block (0 = 1 s): what a killed recorder loses.
	FlushEvery time.Duration
	// SampleEvery spaces the samples of a running loop (0 = 100 ms). A
	// paused one is sampled at every drain that changes what a screen
	// reads (a step), and so is a change of pause, speed or backend.
	SampleEvery time.Duration
}

// Recorder writes one loop's trace to a file as the loop runs. It reads
// the loop's trace through its own ring subscription from its own
// goroutine: the loop only fills the ring, as for any subscriber, and
// never waits for the file. When the writer falls behind and the ring
// fills, the loop drops events and counts them; the recorder writes the
// count as a gap, which a replay shows.
//
// Besides the trace it records a Sample when what it holds changed — the
// loop's counters and, if SetSampler was called, the scenario's pause and
// slow-motion state: what a live screen reads on each frame (see
// Options.SampleEvery) — and, through ObserveDeferred, every Deferred
// event in full. Actions (what a learner did) reach it as KindAction
// events in the trace itself.
type Recorder struct {
	loop    *reactor.Loop
	sub     *reactor.Subscription
	w       *Writer
	bw      *bufio.Writer
	cw      countWriter
	closer  io.Closer // the file Create opened; nil for Start
	sampler atomic.Pointer[func() (bool, time.Duration)]
	tap     chainTap

	interval, flushEvery, sampleEvery time.Duration

	mu        sync.Mutex // one drain at a time (the goroutine, Sync, Close)
	buf       []reactor.TraceEvent
	rec       Record
	last      Sample    // the last sample written
	lastSamp  time.Time // when it was written
	lastAt    int64
	lastFlush time.Time
	err       error

	closed atomic.Bool
	stop   chan struct{}
	done   chan struct{}
}

// Create creates (or truncates) the file at path and records loop into
// it; Close closes the file. See Start.
func Create(path string, loop *reactor.Loop, opts Options) (*Recorder, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	r, err := Start(f, loop, opts)
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	r.closer = f
	return r, nil
}

// Start writes the recording's opening to w and starts recording loop.
// Call it before the loop runs or on the loop goroutine: it reads the
// registrations already made, so a replay starts with them. Close stops
// it; w is not closed.
func Start(w io.Writer, loop *reactor.Loop, opts Options) (*Recorder, error) {
	if opts.Ring <= 0 {
		opts.Ring = 1 << 16
	}
	if opts.Interval <= 0 {
		opts.Interval = 20 * time.Millisecond
	}
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = time.Second
	}
	if opts.SampleEvery <= 0 {
		opts.SampleEvery = 100 * time.Millisecond
	}
	r := &Recorder{loop: loop, interval: opts.Interval, flushEvery: opts.FlushEvery, sampleEvery: opts.SampleEvery,
		stop: make(chan struct{}), done: make(chan struct{}), lastFlush: time.Now()}
	r.cw.w = w
	r.bw = bufio.NewWriterSize(&r.cw, 64<<10)
	h := opts.Header
	h.Backend = loop.Backend()
	h.Start = loop.Epoch()
	wr, err := NewWriter(r.bw, h)
	if err == nil {
		err = r.bw.Flush()
	}
	if err != nil {
		return nil, err
	}
	r.w = wr
	wr.Seed(loop.Watched())
	r.sub = loop.Subscribe(opts.Ring)
	go r.run()
	return r, nil
}

// SetSampler makes every sample also read fn: whether the scenario is
// paused and its slow-motion delay (a lesson driver's Paused and Delay).
// Safe from any goroutine.
func (r *Recorder) SetSampler(fn func() (paused bool, delay time.Duration)) {
	r.sampler.Store(&fn)
}

func (r *Recorder) run() {
	defer close(r.done)
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			r.Sync()
		}
	}
}

// Sync drains the ring into the file's current block now and samples the
// loop, as the writer goroutine does on every tick. A test that drives the
// loop pass by pass calls it after each pass to record exactly what a
// screen sampling then would read.
func (r *Recorder) Sync() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.drain()
}

// drain moves what the ring holds into the writer. r.mu held.
func (r *Recorder) drain() {
	r.buf = r.sub.Drain(r.buf[:0])
	rec := &r.rec
	for i := range r.buf {
		ev := &r.buf[i]
		*rec = Record{Type: RecEvent, Event: *ev}
		switch {
		case ev.Kind == reactor.KindOverflow && i == 0: // Drain's report of what the ring dropped
			rec.Type, rec.Lost, rec.LostChains = RecGap, uint64(ev.N), r.tap.takeLost()
			if rec.Event.At == 0 {
				rec.Event.At = r.lastAt // undated: it belongs after what came before
			}
		case ev.Kind == reactor.KindDeferred:
			if c, ok := r.tap.pop(); ok {
				rec.Type, rec.Chain = RecChain, c
			}
		}
		r.lastAt = rec.Event.At
		r.write(rec)
	}
	if n := r.tap.takeLost(); n > 0 {
		r.write(&Record{Type: RecGap, LostChains: n, Event: gapLine(0, r.lastAt)})
	}
	r.sample(false)
	if time.Since(r.lastFlush) >= r.flushEvery {
		r.flush()
	}
}

// sample writes what a screen reads besides the trace, if it changed and
// is due: always when forced, paused, or the pause, speed or backend
// changed; else at most every sampleEvery. r.mu held.
func (r *Recorder) sample(force bool) {
	s := Sample{Stats: r.loop.Stats()}
	if fn := r.sampler.Load(); fn != nil {
		s.Paused, s.Delay = (*fn)()
	}
	if s == r.last {
		return
	}
	now := time.Now()
	due := force || s.Paused || s.Paused != r.last.Paused || s.Delay != r.last.Delay ||
		s.Stats.Backend != r.last.Stats.Backend || now.Sub(r.lastSamp) >= r.sampleEvery
	if due {
		r.last, r.lastSamp = s, now
		r.write(&Record{Type: RecSample, Sample: s, Event: reactor.TraceEvent{At: r.lastAt}})
	}
}

func (r *Recorder) write(rec *Record) {
	if r.err == nil {
		r.err = r.w.Write(rec)
	}
}

// flush writes the block in progress to the file. r.mu held.
func (r *Recorder) flush() {
	r.lastFlush = time.Now()
	if r.err == nil {
		r.err = r.w.Flush()
	}
	if r.err == nil {
		r.err = r.bw.Flush()
	}
}

// Err is the first write error, if any: from then on nothing more is
// written (the loop is not affected).
func (r *Recorder) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Close stops recording: it drains the ring one last time, writes the end
// block, ends the subscription and, for Create, closes the file. It
// returns the first write error. Safe to call more than once.
func (r *Recorder) Close() error {
	if r.closed.Swap(true) {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.err
	}
	close(r.stop)
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	r.drain()
	r.sample(true)
	r.sub.Close()
	if r.err == nil {
		r.err = r.w.Close()
	}
	if r.err == nil {
		r.err = r.bw.Flush()
	}
	if r.closer != nil {
		r.err = errors.Join(r.err, r.closer.Close())
	}
	return r.err
}

// RecorderTotals counts what a Recorder wrote.
type RecorderTotals struct {
	Records uint64 // records written (events, Deferred events, gaps, samples)
	Events  uint64 // trace events among them (reactor and Deferred)
	Chains  uint64 // Deferred events among those
	Passes  uint64 // loop passes
	Lost    uint64 // reactor events lost to a full ring
	Bytes   int64  // bytes written to the file
}

// Totals reports what was recorded so far.
func (r *Recorder) Totals() RecorderTotals {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.w.State()
	return RecorderTotals{Records: r.w.Records(), Events: r.w.Events(), Chains: r.w.Chains(), Passes: st.Passes, Lost: st.Lost,
		Bytes: r.cw.n + int64(r.bw.Buffered())}
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
