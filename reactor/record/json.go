package record

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
)

// WriteJSON writes the recording's events as JSON Lines in the schema of
// `reactorlab serve --headless` (tcp.JSONEvent), so one set of tools reads
// both: one line per reactor event, per Deferred event (its KindDeferred
// line, as deferred.TraceTo writes it) and per gap (an "overflow" line,
// dated where the gap is). Samples and keyframes are not trace events and
// are left out; so are blocks that could not be read (Problems says
// where).
func WriteJSON(w io.Writer, r *Recording) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	err := r.Scan(func(rec *Record) error {
		switch rec.Type {
		case RecEvent, RecChain, RecGap:
			return writeJSONLine(bw, &rec.Event, rec.KindString())
		}
		return nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// writeJSONLine writes one event as one line of the headless schema, with
// kind as its kind's name. It is the one place this package writes JSON
// Lines: reactor/tcp owns the schema (and may grow a faster encoder).
func writeJSONLine(w *bufio.Writer, ev *reactor.TraceEvent, kind string) error {
	j := tcp.ToJSONEvent(*ev)
	j.Kind = kind
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	w.Write(b)
	return w.WriteByte('\n')
}
