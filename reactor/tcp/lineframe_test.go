package tcp

import (
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
