package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Progress is a snapshot passed to the live progress callback.
type Progress struct {
	Elapsed  time.Duration // since measuring started (negative during warm-up)
	Requests uint64        // completed echo round trips (echo) or messages sent (stream)
	BytesIn  uint64
	Errors   uint64
}

// run holds the shared state of one load run.
type run struct {
	opts     Options
	hist     histogram
	base     time.Time    // when the load started
	startNs  atomic.Int64 // measuring starts this long after base, once the warm-up is over; MaxInt64 until then
	endNs    atomic.Int64 // and ends this long after base; MaxInt64 until then
	reqs     atomic.Uint64
	sent     atomic.Uint64 // bytes written in the measured window
	recv     atomic.Uint64 // bytes read in the measured window
	errs     atomic.Uint64
	lost     atomic.Uint64 // requests still unanswered at the end
	mu       sync.Mutex
	firstErr []string
	ctx      context.Context // the measuring context; errors after it ends are ours
}

// maxErrorSamples bounds how many distinct error messages a report keeps.
const maxErrorSamples = 5

func (r *run) fail(err error) {
	if r.ctx != nil && r.ctx.Err() != nil {
		return // errors caused by our own shutdown are not the server's fault
	}
	r.errs.Add(1)
	r.mu.Lock()
	if len(r.firstErr) < maxErrorSamples {
		r.firstErr = append(r.firstErr, err.Error())
	}
	r.mu.Unlock()
}

// measuring reports whether something that happened (or was due) at t
// falls in the measured window, between the two reads of the server's CPU
// clock.
func (r *run) measuring(t time.Time) bool {
	at := int64(t.Sub(r.base))
	return at >= r.startNs.Load() && at < r.endNs.Load()
}

// elapsed is the time since measuring started; during the warm-up it is
// negative, counting down to planned.
func (r *run) elapsed(planned time.Time) time.Duration {
	if s := r.startNs.Load(); s != math.MaxInt64 {
		return time.Since(r.base.Add(time.Duration(s)))
	}
	return time.Since(planned)
}

// Run connects, drives load for opts.Warmup+opts.Duration (or until ctx is
// done) and returns the report. progress, if not nil, is called about twice
// a second from a separate goroutine.
func Run(ctx context.Context, opts Options, progress func(Progress)) (*Report, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	r := &run{opts: opts}

	active, err := dialAll(ctx, opts, opts.Conns, r)
	if len(active) == 0 {
		if err == nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("could not connect to %s: %w", opts.Addr, err)
	}
	idle, _ := dialAll(ctx, opts, opts.Idle, r)
	defer closeAll(idle)
	defer closeAll(active)

	r.base = time.Now()
	r.startNs.Store(math.MaxInt64)
	r.endNs.Store(math.MaxInt64)
	planned := r.base.Add(opts.Warmup)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.ctx = runCtx

	done := make(chan struct{})
	var progressWG sync.WaitGroup
	if progress != nil {
		progressWG.Go(func() {
			t := time.NewTicker(500 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					progress(Progress{Elapsed: r.elapsed(planned), Requests: r.reqs.Load(),
						BytesIn: r.recv.Load(), Errors: r.errs.Load()})
				}
			}
		})
	}

	var wg sync.WaitGroup
	for i, c := range active {
		wg.Go(func() { r.conn(runCtx, i, c) })
	}
	// The measured window starts when the server's CPU clock is read, not
	// at a planned instant: a timer that fires late on a loaded machine
	// would otherwise leave requests counted whose CPU was not (and CPU
	// read before the warm-up charged the warm-up's CPU to the measured
	// requests, 1.2-1.25x too much per request).
	sleep(runCtx, opts.Warmup)
	cpu0, cpuErr := serverCPUTime(opts.ServerPID)
	start := time.Now()
	r.startNs.Store(int64(start.Sub(r.base)))
	sleep(runCtx, opts.Duration)
	end := time.Now()
	r.endNs.Store(int64(end.Sub(r.base)))
	cpu1, cpuErr2 := serverCPUTime(opts.ServerPID)
	cancel()
	wg.Wait()
	close(done)
	progressWG.Wait()

	elapsed := end.Sub(start)
	if elapsed <= 0 {
		elapsed = time.Nanosecond
	}
	rep := r.report(elapsed, len(active), len(idle))
	if opts.ServerPID > 0 {
		if err := errors.Join(cpuErr, cpuErr2); err != nil {
			rep.Errors = append(rep.Errors, err.Error())
		} else if rep.Requests > 0 {
			rep.ServerCPUSeconds = (cpu1 - cpu0).Seconds()
			rep.ServerCPUPerRequestUs = float64((cpu1 - cpu0).Microseconds()) / float64(rep.Requests)
		}
	}
	return rep, nil
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// dialAll opens n connections with bounded concurrency. It returns the ones
// that succeeded and the first error.
func dialAll(ctx context.Context, opts Options, n int, r *run) ([]net.Conn, error) {
	conns := make([]net.Conn, n)
	var first error
	var mu sync.Mutex
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	d := net.Dialer{Timeout: opts.DialTimeout}
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c, err := d.DialContext(ctx, "tcp", opts.Addr)
			if err != nil {
				r.fail(err)
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
				return
			}
			conns[i] = c
		})
	}
	wg.Wait()
	ok := conns[:0]
	for _, c := range conns {
		if c != nil {
			ok = append(ok, c)
		}
	}
	return ok, first
}

func closeAll(cs []net.Conn) {
	for _, c := range cs {
		c.Close()
	}
}

// conn drives one active connection until ctx is done.
func (r *run) conn(ctx context.Context, id int, c net.Conn) {
	openLoop := r.opts.Mode == ModeEcho && r.opts.Rate > 0
	stop := context.AfterFunc(ctx, func() {
		// Unblock any Read or Write in progress so the workers notice ctx
		// and return. The open-loop reader gets a grace period to collect
		// replies to requests already sent.
		c.SetWriteDeadline(time.Now())
		if openLoop {
			c.SetReadDeadline(time.Now().Add(graceAfterStop))
		} else {
			c.SetReadDeadline(time.Now())
		}
	})
	defer stop()
	switch {
	case r.opts.Mode == ModeStream:
		r.stream(ctx, id, c)
	case openLoop:
		r.openLoop(ctx, id, c)
	default:
		r.closedLoop(ctx, id, c)
	}
}

// closedLoop sends a request, waits for the echo, repeats.
func (r *run) closedLoop(ctx context.Context, id int, c net.Conn) {
	msg := make([]byte, r.opts.Size)
	reply := make([]byte, r.opts.Size)
	for seq := 0; ctx.Err() == nil; seq++ {
		fill(msg, id, seq)
		t0 := time.Now()
		if _, err := c.Write(msg); err != nil {
			r.fail(fmt.Errorf("conn %d: write: %w", id, err))
			return
		}
		if _, err := io.ReadFull(c, reply); err != nil {
			r.fail(fmt.Errorf("conn %d: read: %w", id, err))
			return
		}
		if !r.check(id, seq, msg, reply) {
			return
		}
		if r.measuring(t0) {
			r.hist.record(time.Since(t0))
			r.reqs.Add(1)
			r.sent.Add(uint64(len(msg)))
			r.recv.Add(uint64(len(reply)))
		}
	}
}

// check verifies an echoed message when --verify is on.
func (r *run) check(id, seq int, want, got []byte) bool {
	if !r.opts.Verify {
		return true
	}
	if i := firstMismatch(got, want); i >= 0 {
		r.fail(fmt.Errorf("conn %d: verify: message %d byte %d = %#02x; want %#02x", id, seq, i, got[i], want[i]))
		return false
	}
	return true
}
