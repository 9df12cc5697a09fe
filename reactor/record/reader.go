package record

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// ErrNotTrace is the error for a file that is not a reactorlab trace.
var ErrNotTrace = errors.New("not a reactorlab trace")

// VersionError is the error for a file written in a newer format version
// than this build reads.
type VersionError struct{ File, Reads int }

func (e *VersionError) Error() string {
	return fmt.Sprintf("trace format version %d is newer than this reactorlab reads (version %d): replay it with a newer reactorlab", e.File, e.Reads)
}

// Problem is a part of a file the reader could not read. Reading goes on
// past a corrupted block (the next block starts afresh); a truncated file
// ends at its last complete block.
type Problem struct {
	Offset    int64 // where the unreadable part starts, in bytes from the file's start
	Skipped   int64 // how many bytes were skipped
	Err       error
	Truncated bool // the file ends inside this block
}

func (p Problem) String() string {
	if p.Truncated {
		return fmt.Sprintf("the recording ends at byte %d inside a block it never finished (the recorder was stopped before closing the file?): replaying up to the last complete block, which ends at byte %d",
			p.Offset+p.Skipped, p.Offset)
	}
	return fmt.Sprintf("corrupted block at byte %d (%v): skipped %d bytes", p.Offset, p.Err, p.Skipped)
}

// Recording is a trace file read into memory and indexed by block. Its
// records are read with a Cursor, or all of them with Scan.
type Recording struct {
	Header   Header
	Version  int
	Size     int64
	Problems []Problem
	// Complete says the file has its end block: the recorder closed it.
	Complete bool
	// Totals are the end block's counts (zero when not Complete).
	Totals Totals

	segs    []segment
	records int // in events segments
	kinds   kindTable
}

// Records is how many records the readable blocks hold.
func (r *Recording) Records() int { return r.records }

// RecordsBefore is how many records of events blocks come before p.
func (r *Recording) RecordsBefore(p Pos) int {
	if p.Seg >= len(r.segs) {
		return r.records
	}
	return r.segs[p.Seg].before + p.Rec
}

// Totals is what the end block counts.
type Totals struct {
	Records, Passes, Lost uint64
	At                    int64 // loop clock of the last record
}

// segment is one indexed part of the file: an events block, a keyframe,
// or a skipped stretch.
type segment struct {
	off     int64
	typ     byte // blockEvents, blockKeyframe, or 0 for a skipped stretch
	payload []byte
	first   uint64 // events: sequence number of the first record
	count   int    // events: records
	before  int    // records in the events segments before this one
	err     error  // skipped: why
}

// Open reads the trace file at path.
func Open(path string) (*Recording, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// Parse reads a trace held in data (which it keeps: do not change it). It
// fails only when nothing can be read: not a trace, a newer version, or a
// damaged header; damage further on becomes a Problem and a skip.
func Parse(data []byte) (*Recording, error) {
	if len(data) < len(Magic) || string(data[:len(Magic)]) != Magic {
		if len(data) > 0 && bytes.HasPrefix([]byte(Magic), data) {
			return nil, fmt.Errorf("%w: the file ends inside the trace signature (%d bytes)", ErrNotTrace, len(data))
		}
		return nil, fmt.Errorf("%w: it does not start with the trace signature", ErrNotTrace)
	}
	v, k := binary.Uvarint(data[len(Magic):])
	switch {
	case k <= 0:
		return nil, fmt.Errorf("%w: the file ends before its format version", ErrNotTrace)
	case v > Version:
		return nil, &VersionError{File: int(min(v, 1<<30)), Reads: Version}
	case v == 0:
		return nil, fmt.Errorf("%w: format version 0", ErrNotTrace)
	}
	off := len(Magic) + k
	typ, payload, next, err := readBlock(data, off)
	if err == nil && typ != blockHeader {
		err = fmt.Errorf("block type %q where the header should be", typ)
	}
	if err != nil {
		return nil, fmt.Errorf("the header block at byte %d is damaged (%v): nothing can be read", off, err)
	}
	h, err := decodeHeader(payload)
	if err != nil {
		return nil, err
	}
	r := &Recording{Header: h, Version: int(v), Size: int64(len(data)), kinds: newKindTable(h.Kinds)}
	r.index(data, next)
	return r, nil
}

// index reads the blocks from off on.
func (r *Recording) index(data []byte, off int) {
	for off < len(data) {
		typ, payload, next, err := readBlock(data, off)
		if errors.Is(err, errTruncated) {
			r.Problems = append(r.Problems, Problem{Offset: int64(off), Skipped: int64(len(data) - off), Err: err, Truncated: true})
			return
		}
		if err != nil {
			next = resync(data, off+1)
			r.skip(off, next, err)
			off = next
			continue
		}
		switch typ {
		case blockEvents:
			var d blockDec
			if err := d.start(payload, &r.kinds); err != nil {
				r.skip(off, next, err)
				break
			}
			r.segs = append(r.segs, segment{off: int64(off), typ: typ, payload: payload, first: d.first, count: d.n, before: r.records})
			r.records += d.n
		case blockKeyframe:
			r.segs = append(r.segs, segment{off: int64(off), typ: typ, payload: payload})
		case blockEnd:
			rd := reader{p: payload}
			t := Totals{Records: rd.uvarint(), Passes: rd.uvarint(), Lost: rd.uvarint(), At: rd.varint()}
			if rd.err == nil {
				r.Complete, r.Totals = true, t
			}
		}
		// Other types (a later version's) are skipped: their length is known.
		off = next
	}
}

// skip notes an unreadable stretch [off, next).
func (r *Recording) skip(off, next int, err error) {
	r.Problems = append(r.Problems, Problem{Offset: int64(off), Skipped: int64(next - off), Err: err})
	r.segs = append(r.segs, segment{off: int64(off), err: err})
}

// resync finds the next block that reads whole at or after off, or the
// end of data.
func resync(data []byte, off int) int {
	for off < len(data) {
		i := bytes.Index(data[off:], []byte(blockSync))
		if i < 0 {
			return len(data)
		}
		off += i
		if _, _, _, err := readBlock(data, off); err == nil {
			return off
		}
		off++
	}
	return len(data)
}

// Pos is a place in a recording: a segment and a record in it.
type Pos struct{ Seg, Rec int }

// Cursor reads a recording's records in order from any Pos.
type Cursor struct {
	r   *Recording
	pos Pos
	dec blockDec
	on  bool // dec is reading segment pos.Seg
}

// Cursor returns a cursor at the recording's start.
func (r *Recording) Cursor() *Cursor { return &Cursor{r: r} }

// Pos is the position of the record the next Next returns: positions
// compare in file order (Seg, then Rec).
func (c *Cursor) Pos() Pos { return c.pos }

// Seek moves the cursor to p (a Pos it returned). Seeking where it is
// costs nothing; elsewhere in a block, reading that block up to p.
func (c *Cursor) Seek(p Pos) {
	if p == c.pos {
		return
	}
	c.pos, c.on = Pos{Seg: p.Seg}, false
	var skip Record
	for c.pos.Seg == p.Seg && c.pos.Rec < p.Rec && c.Next(&skip) {
	}
}

// Next reads the next record into rec; false at the end. A segment that
// cannot be read yields one RecSkip record; a keyframe yields a record of
// type RecKeyframe whose State is filled.
func (c *Cursor) Next(rec *Record) bool {
	for c.pos.Seg < len(c.r.segs) {
		s := &c.r.segs[c.pos.Seg]
		switch {
		case s.typ == blockEvents:
			if !c.on {
				if err := c.dec.start(s.payload, &c.r.kinds); err != nil {
					c.advance()
					continue
				}
				c.on = true
			}
			if c.dec.next(rec) {
				c.pos.Rec++
				if c.dec.n == 0 {
					c.advance() // Pos is then the next record's, not past this block's end
				}
				return true
			}
			err := c.dec.r.err
			c.advance()
			if err != nil { // a block whose checksum holds but whose records do not parse
				*rec = Record{Type: RecSkip, Offset: s.off, Err: err}
				return true
			}
		case s.typ == blockKeyframe:
			c.advance()
			st, err := decodeState(s.payload)
			if err != nil {
				*rec = Record{Type: RecSkip, Offset: s.off, Err: fmt.Errorf("keyframe: %w", err)}
				return true
			}
			*rec = Record{Type: RecKeyframe, State: st, Offset: s.off}
			return true
		default:
			c.advance()
			*rec = Record{Type: RecSkip, Offset: s.off, Err: s.err}
			return true
		}
	}
	return false
}

func (c *Cursor) advance() {
	c.pos = Pos{Seg: c.pos.Seg + 1}
	c.on = false
}

// Scan calls fn with every record in order; fn's error stops it.
func (r *Recording) Scan(fn func(rec *Record) error) error {
	c := r.Cursor()
	var rec Record
	for c.Next(&rec) {
		if err := fn(&rec); err != nil {
			return err
		}
	}
	return nil
}
