package tcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// JSONEvent is one line of `serve --headless` output: a reactor.TraceEvent
// with readable names. Zero fields are omitted. The headless writer does
// not marshal it (appendEvent in jsonl.go writes the same bytes by hand);
// a field added here must be added there too, and the test comparing the
// two says so.
type JSONEvent struct {
	At       int64  `json:"at_ns"`
	Kind     string `json:"kind"`
	Fd       int32  `json:"fd,omitempty"`
	Ready    string `json:"ready,omitempty"`
	Interest string `json:"interest,omitempty"`
	N        int64  `json:"n,omitempty"`
	Dur      int64  `json:"dur_ns,omitempty"`
	Dur2     int64  `json:"dur2_ns,omitempty"`
	Dur3     int64  `json:"dur3_ns,omitempty"`
	Backend  string `json:"backend,omitempty"`
	Label    string `json:"label,omitempty"`
	Text     string `json:"text,omitempty"`
}

// ToJSONEvent converts a trace event for JSON output.
func ToJSONEvent(ev reactor.TraceEvent) JSONEvent {
	j := JSONEvent{At: ev.At, Kind: ev.Kind.String(), Fd: ev.Fd, N: ev.N, Dur: int64(ev.Dur),
		Dur2: int64(ev.Dur2), Dur3: int64(ev.Dur3), Backend: ev.Backend, Label: ev.Label, Text: ev.Text}
	if ev.Ready != 0 {
		j.Ready = ev.Ready.String()
	}
	if ev.Interest != 0 {
		j.Interest = ev.Interest.String()
	}
	return j
}

// Headless writes a loop's trace to w as JSON Lines while a server runs:
// what `reactorlab serve --headless` prints. The first line is the
// server's listen event, so a script can read the bound address from it.
//
// The loop never waits for w. Its trace goes through a ring of
// headlessRing slots that a writer goroutine drains every
// headlessInterval, or sooner when the ring passes half full (the loop
// then yields so the writer runs even with GOMAXPROCS=1). Events that
// find the ring full are dropped and counted, and a write that fails
// (nobody reads stdout any more) stops the server. When the server has
// stopped, the writer gets headlessGrace to write what is left; if w is
// still blocked then (a pipe nobody drains), Run returns anyway and
// counts the rest as dropped. Summary says how many events were written
// and how many were lost.
type Headless struct {
	sub     *reactor.Subscription
	w       io.Writer
	noTrace bool

	// Guarded by mu: the writer's tally, and whether Run stopped waiting
	// for it. The writer drains the ring only under mu, so once Run gave
	// up it can drain the rest itself to count it.
	mu        sync.Mutex
	written   uint64 // events w accepted
	inFlight  uint64 // events drained, not yet known to be written
	unwritten uint64 // events drained or left in the ring when Run gave up
	abandoned bool
}

// HeadlessOption changes what NewHeadless writes.
type HeadlessOption func(*Headless)

// WithoutTrace writes only the listen event (line one, so a script can
// still read the bound address), then detaches from the loop: no trace at
// all while the server runs, and no trace cost.
func WithoutTrace() HeadlessOption { return func(h *Headless) { h.noTrace = true } }

const (
	// headlessRing is the size of the headless writer's trace ring, in
	// 64-byte slots: 512 KiB. The writer is woken at half full, so at
	// ~5 events per echoed request this holds the trace of ~800
	// requests between two turns of the writer.
	headlessRing = 1 << 13
	// headlessInterval is how often the writer drains the ring when the
	// loop is not busy enough to fill half of it sooner.
	headlessInterval = 20 * time.Millisecond
	// headlessGrace is how long Run waits, once the server stopped, for
	// the writer to write what is left.
	headlessGrace = 500 * time.Millisecond
	// headlessChunk is how many bytes of JSON Lines the writer gathers
	// before a write.
	headlessChunk = 64 << 10
)

// NewHeadless subscribes to loop's trace now: call it before NewServer so
// the server's listen event is kept. Run (or Close) ends the subscription.
func NewHeadless(loop *reactor.Loop, w io.Writer, opts ...HeadlessOption) *Headless {
	h := &Headless{sub: loop.Subscribe(headlessRing), w: w}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Run runs srv's loop until ctx ends, writing the trace as it goes; then
// it stops srv gracefully (Server.Run), writes what is left and ends the
// subscription. A failed write also stops the server: the error (EPIPE
// when the reader of a pipe has gone) is returned, joined with the
// server's.
func (h *Headless) Run(ctx context.Context, srv *Server) error {
	defer h.Close()
	if h.noTrace {
		err := h.writeListen()
		h.sub.Close()
		if err != nil {
			return err
		}
		return srv.Run(ctx)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := make(chan struct{})
	written := make(chan error, 1)
	go func() {
		err := h.write(stop)
		if err != nil {
			cancel() // nobody reads the trace: stop the server
		}
		written <- err
	}()
	err := srv.Run(runCtx)
	close(stop)
	grace := time.NewTimer(headlessGrace)
	defer grace.Stop()
	select {
	case werr := <-written:
		if werr != nil {
			h.abandon() // what the writer held and the ring kept is lost
			werr = fmt.Errorf("writing the trace: %w", werr)
		}
		return errors.Join(err, werr)
	case <-grace.C:
		h.abandon()
		return err
	}
}

// Close ends the subscription without running anything (for when the
// server could not be made). Safe to call more than once.
func (h *Headless) Close() { h.sub.Close() }

// Summary says what became of the trace, for the final counters:
// "trace: 1234 events written, 0 dropped".
func (h *Headless) Summary() string {
	if h.noTrace {
		return "trace: off"
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	full := h.sub.Dropped()
	s := fmt.Sprintf("trace: %d events written, %d dropped", h.written, full+h.unwritten)
	switch {
	case full > 0 && h.unwritten > 0:
		s += fmt.Sprintf(" (%d to a full ring, %d unwritten when the server stopped: the trace's reader was not reading)", full, h.unwritten)
	case full > 0:
		s += " (to a full ring: the trace's reader fell behind)"
	case h.unwritten > 0:
		s += " (unwritten when the server stopped: the trace's reader was not reading)"
	}
	return s
}

// write drains the ring to w as JSON Lines until stop is closed, then
// drains once more and returns. Listen events found in the first batch
// are written first, so a script can read the bound address from line
// one.
func (h *Headless) write(stop <-chan struct{}) error {
	var batch []reactor.TraceEvent
	buf := make([]byte, 0, headlessChunk+4<<10)
	first := true
	tick := time.NewTicker(headlessInterval)
	defer tick.Stop()
	halfFull := h.sub.HalfFull()
	for {
		stopping := false
		select {
		case <-stop:
			stopping = true
		case <-tick.C:
		case <-halfFull:
		}
		var ok bool
		if batch, ok = h.drain(batch[:0]); !ok {
			return nil
		}
		if first && len(batch) > 0 {
			first = false
			listenFirst(batch)
		}
		pending := 0 // events in buf, not counting Drain's overflow notes
		for i := range batch {
			buf = appendEvent(buf, &batch[i])
			if batch[i].Kind != reactor.KindOverflow {
				pending++
			}
			if len(buf) >= headlessChunk || i == len(batch)-1 {
				if err := h.flush(buf, pending); err != nil {
					return err
				}
				buf, pending = buf[:0], 0
			}
		}
		if stopping {
			return nil
		}
	}
}

// drain takes what the ring holds, unless Run has given up on the writer.
func (h *Headless) drain(batch []reactor.TraceEvent) ([]reactor.TraceEvent, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.abandoned {
		return batch, false
	}
	batch = h.sub.Drain(batch)
	for i := range batch {
		if batch[i].Kind != reactor.KindOverflow { // Drain's note of what was lost: counted in Dropped
			h.inFlight++
		}
	}
	return batch, true
}

// flush writes buf, which holds the next n drained events.
func (h *Headless) flush(buf []byte, n int) error {
	_, err := h.w.Write(buf)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil && !h.abandoned {
		h.written += uint64(n)
		h.inFlight -= uint64(n)
	}
	return err
}

// abandon stops waiting for a writer stuck in a write: the events it
// holds and those still in the ring count as dropped.
func (h *Headless) abandon() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.abandoned = true
	h.unwritten = h.inFlight
	for _, ev := range h.sub.Drain(nil) {
		if ev.Kind != reactor.KindOverflow {
			h.unwritten++
		}
	}
}

// writeListen writes the listen events the ring holds (the server just
// bound) and nothing else.
func (h *Headless) writeListen() error {
	var buf []byte
	for _, ev := range h.sub.Drain(nil) {
		if ev.Kind == reactor.KindListen {
			buf = appendEvent(buf, &ev)
			h.written++
		}
	}
	_, err := h.w.Write(buf)
	return err
}

// listenFirst moves listen events to the front, keeping the order of the rest.
func listenFirst(evs []reactor.TraceEvent) {
	j := 0
	for i := range evs {
		if evs[i].Kind == reactor.KindListen {
			ev := evs[i]
			copy(evs[j+1:i+1], evs[j:i])
			evs[j] = ev
			j++
		}
	}
}
