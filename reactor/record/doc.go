// Package record keeps what a reactor did, so it can be watched again.
//
// A live loop moves faster than anyone can read, and a stall that happened
// ten seconds ago is gone from the screen. A Recorder subscribes to a
// loop's trace like any other reader — the loop only fills a ring and never
// waits for the file — and writes every event to a file from its own
// goroutine: the reactor's events, the Deferred events of the loop's chains
// in full (ObserveDeferred), what the learner did (KindAction events,
// which the lessons' driver traces), and samples of what a screen reads
// besides the trace (the loop's counters, the pause and slow-motion state).
// If the writer falls behind, the loop drops events and counts them, and
// the file says so with a gap where it happened.
//
// The file is a compact, versioned binary format (docs/TRACE_FORMAT.md):
// a header naming the program, OS, backend, start time and scenario, then
// checksummed blocks of delta- and varint-encoded records, each block
// self-contained, with a keyframe — the registrations, the backend, the
// unfinished Deferred chains — every so often. A lesson's events take
// about 11 to 14 bytes each.
//
// Reading: Open or Parse index a file; a Cursor reads its records from
// any position; Scan reads them all. A truncated file reads up to its last
// complete block, a damaged block is skipped and named by its offset
// (Recording.Problems), a newer version or a file that is not a trace is
// refused with one line. Summarize, WriteJSON (the `serve --headless`
// schema) and WritePerfetto (the Trace Event Format of Perfetto and
// chrome://tracing) are the plain ways out; the visualizer's replay screen
// is the other.
package record
