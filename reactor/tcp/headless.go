package tcp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// JSONEvent is one line of `serve --headless` output: a reactor.TraceEvent
// with readable names. Zero fields are omitted.
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
type Headless struct {
	sub *reactor.Subscription
	w   io.Writer
}

// headlessRing is the size of the headless writer's trace ring.
const headlessRing = 1 << 16

// headlessInterval is how often the headless writer drains the trace ring.
const headlessInterval = 20 * time.Millisecond

// NewHeadless subscribes to loop's trace now: call it before NewServer so
// the server's listen event is kept. Run (or Close) ends the subscription.
func NewHeadless(loop *reactor.Loop, w io.Writer) *Headless {
	return &Headless{sub: loop.Subscribe(headlessRing), w: w}
}

// Run runs srv's loop until ctx ends, writing the trace as it goes; then
// it stops srv gracefully (Server.Run), writes what is left and ends the
// subscription. It returns the server's error joined with the writer's.
func (h *Headless) Run(ctx context.Context, srv *Server) error {
	defer h.Close()
	stop := make(chan struct{})
	written := make(chan error, 1)
	go func() { written <- writeTrace(h.sub, h.w, stop) }()
	err := srv.Run(ctx)
	close(stop)
	return errors.Join(err, <-written)
}

// Close ends the subscription without running anything (for when the
// server could not be made). Safe to call more than once.
func (h *Headless) Close() { h.sub.Close() }

// writeTrace drains sub to w as JSON Lines until stop is closed, then
// drains once more and returns. Listen events found in the first batch are
// written first, so a script can read the bound address from line one.
func writeTrace(sub *reactor.Subscription, w io.Writer, stop <-chan struct{}) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	var batch []reactor.TraceEvent
	first := true
	tick := time.NewTicker(headlessInterval)
	defer tick.Stop()
	for {
		stopping := false
		select {
		case <-stop:
			stopping = true
		case <-tick.C:
		}
		batch = sub.Drain(batch[:0])
		if first && len(batch) > 0 {
			first = false
			listenFirst(batch)
		}
		for _, ev := range batch {
			if err := enc.Encode(ToJSONEvent(ev)); err != nil {
				return err
			}
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		if stopping {
			return nil
		}
	}
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
