package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// The file's framing; docs/TRACE_FORMAT.md is the reference.

// Magic opens every trace file. Like PNG's signature it starts with a
// non-ASCII byte and holds a CR LF and a ^Z, so a file mangled by a text
// transfer or read as text is caught at the first bytes.
const Magic = "\x89RLTR\r\n\x1a"

// Version is the format version this build writes and the newest it reads.
const Version = 1

// Block types.
const (
	blockHeader   = 'H' // key/value pairs: program, OS, backend, start time, scenario, kind names
	blockKeyframe = 'K' // the trace state at this point (state.go)
	blockEvents   = 'E' // a batch of records (encode.go)
	blockEnd      = 'Z' // totals; its presence says the recorder closed the file
)

// blockSync is the two bytes before every block's type: after a corrupted
// length the reader scans for them to find the next block.
const blockSync = "\xb1\x0c"

// maxBlock bounds a block's payload: a corrupted length must not make the
// reader allocate or skip gigabytes.
const maxBlock = 16 << 20

// crcTable is CRC-32C (Castagnoli), which has hardware support on amd64
// and arm64.
var crcTable = crc32.MakeTable(crc32.Castagnoli)

// appendBlock frames payload as one block: sync, type, uvarint length,
// payload, then the CRC-32C of type, length and payload (little endian).
func appendBlock(dst []byte, typ byte, payload []byte) []byte {
	dst = append(dst, blockSync...)
	start := len(dst)
	dst = append(dst, typ)
	dst = binary.AppendUvarint(dst, uint64(len(payload)))
	dst = append(dst, payload...)
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(dst[start:], crcTable))
}

// Reasons a block does not read; the reader names the offset with them.
var (
	errTruncated = errors.New("the file ends inside this block")
	errChecksum  = errors.New("checksum mismatch")
	errNoSync    = errors.New("no block starts here")
	errLength    = errors.New("impossible block length")
)

// readBlock reads the block at data[off:]. It returns the block's type,
// payload and the offset just past it.
func readBlock(data []byte, off int) (typ byte, payload []byte, next int, err error) {
	rest := data[off:]
	if len(rest) < len(blockSync)+1 {
		return 0, nil, 0, errTruncated
	}
	if string(rest[:len(blockSync)]) != blockSync {
		return 0, nil, 0, errNoSync
	}
	body := rest[len(blockSync):]
	typ = body[0]
	n, k := binary.Uvarint(body[1:])
	switch {
	case k == 0:
		return 0, nil, 0, errTruncated
	case k < 0 || n > maxBlock:
		return 0, nil, 0, errLength
	}
	end := 1 + k + int(n)
	if len(body) < end+4 {
		return 0, nil, 0, errTruncated
	}
	if crc32.Checksum(body[:end], crcTable) != binary.LittleEndian.Uint32(body[end:]) {
		return typ, nil, 0, errChecksum
	}
	return typ, body[1+k : end], off + len(blockSync) + end + 4, nil
}

// buf is a payload being built: append helpers for varints and strings.
type buf []byte

func (b *buf) uvarint(v uint64) { *b = binary.AppendUvarint(*b, v) }
func (b *buf) varint(v int64)   { *b = binary.AppendVarint(*b, v) }
func (b *buf) byte1(v byte)     { *b = append(*b, v) }
func (b *buf) str(s string) {
	b.uvarint(uint64(len(s)))
	*b = append(*b, s...)
}

// reader decodes a payload. The first error sticks: every later read
// returns zero, so decoders check err once at the end of a record.
type reader struct {
	p   []byte
	err error
}

// errShort and errVarint are a payload's own faults (the block's checksum
// passed, so the writer wrote them: a bug, or a file made by hand).
var (
	errShort  = errors.New("payload ends early")
	errVarint = errors.New("bad varint")
)

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.p = nil
}

func (r *reader) uvarint() uint64 {
	v, k := binary.Uvarint(r.p)
	if !r.took(k) {
		return 0
	}
	return v
}

func (r *reader) varint() int64 {
	v, k := binary.Varint(r.p)
	if !r.took(k) {
		return 0
	}
	return v
}

// took moves past a varint of k bytes, as binary.Uvarint reports it (0:
// the payload ends inside it, < 0: it overflows 64 bits).
func (r *reader) took(k int) bool {
	switch {
	case k == 0:
		r.fail(errShort)
	case k < 0:
		r.fail(errVarint)
	default:
		r.p = r.p[k:]
		return true
	}
	return false
}

func (r *reader) byte1() byte {
	if len(r.p) == 0 {
		r.fail(errShort)
		return 0
	}
	v := r.p[0]
	r.p = r.p[1:]
	return v
}

// count reads a length or a count that must fit in what is left of the
// payload, each item taking at least min bytes: a corrupt count must not
// make the decoder allocate for items that cannot be there.
func (r *reader) count(min int) int {
	n := r.uvarint()
	if n > uint64(len(r.p)/max(1, min)) {
		r.fail(fmt.Errorf("count %d exceeds the payload", n))
		return 0
	}
	return int(n)
}

func (r *reader) str() string {
	n := r.count(1)
	s := string(r.p[:n])
	r.p = r.p[n:]
	return s
}
