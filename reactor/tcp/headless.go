package tcp

import (
	"bufio"
	"encoding/json"
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

// headlessInterval is how often the headless writer drains the trace ring.
const headlessInterval = 20 * time.Millisecond

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
