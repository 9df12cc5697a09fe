package tcp

import "bytes"

// DefaultMaxLineLength is the longest line a LineFramer accepts by default.
const DefaultMaxLineLength = 64 << 10

// LineFramer splits a byte stream into lines, however the bytes were
// chunked on the way. A line ends with "\n"; a "\r" before it is dropped.
// It is pure code with no I/O, so it is easy to test one byte at a time.
//
// The zero value is ready to use with DefaultMaxLineLength.
type LineFramer struct {
	Max     int    // longest line accepted, excluding the newline; 0 = DefaultMaxLineLength
	partial []byte // bytes of an unfinished line
	failed  bool
}

// Feed adds data and calls line for every complete line, in order, without
// its line ending. The slice is only valid during the call. If line returns
// false Feed stops and discards the rest of data (the caller is closing).
// A line longer than Max makes Feed return ErrLineTooLong; after that the
// framer ignores further data.
func (f *LineFramer) Feed(data []byte, line func([]byte) bool) error {
	if f.failed {
		return ErrLineTooLong
	}
	max := f.Max
	if max <= 0 {
		max = DefaultMaxLineLength
	}
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			// One byte over max is fine if it is a "\r" that a "\n" may follow.
			n := len(f.partial) + len(data)
			if n > max+1 || n == max+1 && data[len(data)-1] != '\r' {
				return f.fail()
			}
			f.partial = append(f.partial, data...)
			return nil
		}
		l := data[:i]
		data = data[i+1:]
		if len(f.partial) > 0 {
			f.partial = append(f.partial, l...)
			l = f.partial
		}
		l = bytes.TrimSuffix(l, []byte{'\r'})
		if len(l) > max {
			return f.fail()
		}
		ok := line(l)
		f.partial = f.partial[:0]
		if !ok {
			return nil
		}
	}
	if cap(f.partial) > 4096 && len(f.partial) == 0 {
		f.partial = nil // don't keep a big buffer for an idle connection
	}
	return nil
}

// Buffered returns the length of the unfinished line held so far.
func (f *LineFramer) Buffered() int { return len(f.partial) }

func (f *LineFramer) fail() error {
	f.failed = true
	f.partial = nil
	return ErrLineTooLong
}
