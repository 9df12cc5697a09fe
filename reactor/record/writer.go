package record

import (
	"encoding/binary"
	"io"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// Block and keyframe spacing. A block is the unit a truncated or
// corrupted file loses; a keyframe lets a reader pick the state up again.
const (
	blockRecords    = 4096     // records per block at most
	blockBytes      = 64 << 10 // payload bytes per block, roughly
	keyframeRecords = 32768    // records between two keyframes, at least
)

// Writer writes a recording: the signature and version, the header, then
// records in blocks, a keyframe before the first block and then every
// keyframeRecords records, and an end block on Close. It does no I/O
// between Write calls except when a block fills; Flush ends the block in
// progress. A Writer is not safe for concurrent use.
type Writer struct {
	w      io.Writer
	enc    *blockEnc
	state  *State
	out    []byte // framing scratch
	seq    uint64 // records written
	events uint64 // reactor and Deferred events among them
	chains uint64 // Deferred events among those
	since  uint64 // records since the last keyframe
	keyed  bool   // a keyframe precedes the current block
	err    error
}

// NewWriter writes the file's opening and h (completed with this build's
// OS, architecture and kind names) to w.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	h.fill()
	if h.Start.IsZero() {
		h.Start = time.Now()
	}
	out := binary.AppendUvarint([]byte(Magic), Version)
	out = appendBlock(out, blockHeader, h.encode())
	if _, err := w.Write(out); err != nil {
		return nil, err
	}
	wr := &Writer{w: w, enc: newBlockEnc(len(h.Kinds)), state: NewState()}
	wr.state.Backend = h.Backend
	return wr, nil
}

// Seed adds registrations made before the recording started to the state
// the first keyframe holds.
func (w *Writer) Seed(watched []reactor.WatchInfo) { w.state.Seed(watched) }

// State is the state after the last record written. Do not change it.
func (w *Writer) State() *State { return w.state }

// Write adds one record. A reader's notes (RecSkip, RecKeyframe) are ignored.
func (w *Writer) Write(rec *Record) error {
	if w.err != nil {
		return w.err
	}
	if rec.Type == RecSkip || rec.Type == RecKeyframe || rec.Type == 0 {
		return nil
	}
	if w.enc.n == 0 {
		if !w.keyed || w.since >= keyframeRecords {
			w.keyframe()
		}
		w.enc.reset(w.seq)
	}
	w.enc.add(rec)
	w.state.Apply(rec)
	w.seq++
	if rec.Type == RecEvent || rec.Type == RecChain {
		w.events++
	}
	if rec.Type == RecChain {
		w.chains++
	}
	w.since++
	if w.enc.n >= blockRecords || len(w.enc.b) >= blockBytes {
		return w.Flush()
	}
	return w.err
}

// keyframe writes the state as it is now.
func (w *Writer) keyframe() {
	w.write(blockKeyframe, w.state.encode())
	w.keyed, w.since = true, 0
}

func (w *Writer) write(typ byte, payload []byte) {
	if w.err != nil {
		return
	}
	w.out = appendBlock(w.out[:0], typ, payload)
	_, w.err = w.w.Write(w.out)
}

// Flush writes the block in progress, if any.
func (w *Writer) Flush() error {
	if w.enc.n > 0 {
		w.write(blockEvents, w.enc.payload(nil))
		w.enc.n = 0
	}
	return w.err
}

// Records is how many records were written.
func (w *Writer) Records() uint64 { return w.seq }

// Events is how many of them were reactor or Deferred events.
func (w *Writer) Events() uint64 { return w.events }

// Chains is how many of those were Deferred events.
func (w *Writer) Chains() uint64 { return w.chains }

// Close writes the block in progress and the end block, which says the
// file is complete: its records, passes and lost events. It does not
// close the underlying writer.
func (w *Writer) Close() error {
	w.Flush()
	var b buf
	b.uvarint(w.seq)
	b.uvarint(w.state.Passes)
	b.uvarint(w.state.Lost)
	b.varint(w.state.At)
	w.write(blockEnd, b)
	return w.err
}
