package tcp

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// feedChunks feeds s in chunks of size n and collects the lines.
func feedChunks(f *LineFramer, s string, n int) ([]string, error) {
	var got []string
	for len(s) > 0 {
		k := min(n, len(s))
		err := f.Feed([]byte(s[:k]), func(l []byte) bool { got = append(got, string(l)); return true })
		if err != nil {
			return got, err
		}
		s = s[k:]
	}
	return got, nil
}

func TestLineFramer(t *testing.T) {
	tests := []struct {
		name    string
		max     int
		in      string
		want    []string
		wantErr error
	}{
		{"one line", 0, "hello\n", []string{"hello"}, nil},
		{"crlf", 0, "a\r\nb\r\n", []string{"a", "b"}, nil},
		{"partial kept", 0, "a\nbc", []string{"a"}, nil},
		{"empty lines", 0, "\n\n", []string{"", ""}, nil},
		{"exactly max", 5, "12345\n", []string{"12345"}, nil},
		{"max with cr", 5, "12345\r\n", []string{"12345"}, nil},
		{"too long complete", 5, "ok\n123456\nnever\n", []string{"ok"}, ErrLineTooLong},
		{"too long partial", 5, "123456", nil, ErrLineTooLong},
	}
	for _, tc := range tests {
		for _, chunk := range []int{1, 2, 3, 1000} {
			f := LineFramer{Max: tc.max}
			got, err := feedChunks(&f, tc.in, chunk)
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("%s (chunks of %d): err = %v; want %v", tc.name, chunk, err, tc.wantErr)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s (chunks of %d): lines = %q; want %q", tc.name, chunk, got, tc.want)
			}
		}
	}
}

func TestLineFramerStopsWhenAsked(t *testing.T) {
	var f LineFramer
	var got []string
	err := f.Feed([]byte("a\nb\nc\n"), func(l []byte) bool { got = append(got, string(l)); return len(got) < 2 })
	if err != nil || !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("Feed stopping after 2 = %q, %v; want [a b], nil", got, err)
	}
}

func TestLineFramerFailedStaysFailed(t *testing.T) {
	f := LineFramer{Max: 3}
	if err := f.Feed([]byte("toolong"), func([]byte) bool { return true }); !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("Feed(toolong) = %v; want ErrLineTooLong", err)
	}
	called := false
	if err := f.Feed([]byte("ok\n"), func([]byte) bool { called = true; return true }); !errors.Is(err, ErrLineTooLong) || called {
		t.Errorf("Feed after failure = %v (called %v); want ErrLineTooLong and no lines", err, called)
	}
}

func TestLineFramerDefaultMax(t *testing.T) {
	var f LineFramer
	long := strings.Repeat("x", DefaultMaxLineLength)
	got, err := feedChunks(&f, long+"\n", 4096)
	if err != nil || len(got) != 1 || len(got[0]) != DefaultMaxLineLength {
		t.Errorf("a line of exactly %d bytes: %d lines, err %v; want 1 line, nil", DefaultMaxLineLength, len(got), err)
	}
	_, err = feedChunks(&f, long+"x", 4096)
	if !errors.Is(err, ErrLineTooLong) {
		t.Errorf("a line of %d bytes: err %v; want ErrLineTooLong", DefaultMaxLineLength+1, err)
	}
}

// frameRef is the line framing rule written the plain way, for the fuzzer
// to hold LineFramer to: complete lines lose their "\n" and one "\r"
// before it; a line longer than max, or an unfinished one that can no
// longer fit (more than max bytes, not counting a last "\r" that a "\n"
// may follow), is an error, and no line after it counts.
func frameRef(data []byte, max int) (lines [][]byte, tail []byte, tooLong bool) {
	segs := bytes.Split(data, []byte{'\n'})
	for _, s := range segs[:len(segs)-1] {
		s = bytes.TrimSuffix(s, []byte{'\r'})
		if len(s) > max {
			return lines, nil, true
		}
		lines = append(lines, s)
	}
	tail = segs[len(segs)-1]
	if len(tail) > max+1 || len(tail) == max+1 && tail[max] != '\r' {
		return lines, nil, true
	}
	return lines, tail, false
}

// FuzzLineFramer feeds any bytes, cut into chunks of any size, through a
// LineFramer with a small limit. Whatever the bytes and the cuts, it must
// not panic, must hold at most one line's worth, and the lines it emits
// plus what it still holds must reassemble the input (less the "\r" of
// each "\r\n"), with the error, if any, exactly where the rule puts it.
func FuzzLineFramer(f *testing.F) {
	f.Add([]byte("hello\nworld\r\n"), uint8(5), uint8(1))
	f.Add([]byte("12345\r\n123456\n"), uint8(5), uint8(3))
	f.Add([]byte("abcde\r"), uint8(5), uint8(2))
	f.Add([]byte("abcde\r\r\n"), uint8(5), uint8(7))
	f.Add([]byte("\n\n\r\n\r\r\n"), uint8(0), uint8(1))
	f.Add(bytes.Repeat([]byte("x"), 300), uint8(200), uint8(64))
	f.Fuzz(func(t *testing.T, data []byte, maxLen, chunk uint8) {
		max := int(maxLen)%64 + 1 // 1..64: small enough to cross often
		size := int(chunk)%32 + 1
		wantLines, wantTail, wantErr := frameRef(data, max)

		fr := LineFramer{Max: max}
		var got [][]byte
		var err error
		for rest := data; len(rest) > 0 && err == nil; {
			n := min(size, len(rest))
			err = fr.Feed(rest[:n], func(l []byte) bool {
				got = append(got, bytes.Clone(l))
				return true
			})
			rest = rest[n:]
			if fr.Buffered() > max+1 {
				t.Fatalf("holding %d bytes with Max %d; want at most %d", fr.Buffered(), max, max+1)
			}
		}
		if (err != nil) != wantErr || err != nil && !errors.Is(err, ErrLineTooLong) {
			t.Fatalf("Feed(%q) in chunks of %d with Max %d: err = %v; want too long: %v", data, size, max, err, wantErr)
		}
		if len(got) != len(wantLines) {
			t.Fatalf("Feed(%q) in chunks of %d with Max %d: %d lines %q; want %d %q", data, size, max, len(got), got, len(wantLines), wantLines)
		}
		for i := range got {
			if !bytes.Equal(got[i], wantLines[i]) {
				t.Fatalf("line %d = %q; want %q", i, got[i], wantLines[i])
			}
		}
		if err == nil && !bytes.Equal(fr.partial, wantTail) {
			t.Fatalf("holding %q after the last newline; want %q", fr.partial, wantTail)
		}
	})
}
