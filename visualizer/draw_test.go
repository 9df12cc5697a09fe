package visualizer

import (
	"testing"
	"time"
)

func TestFmtDur(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0"}, {-1, "∞"}, {850, "850ns"}, {1500, "1.5µs"}, {12 * time.Microsecond, "12µs"},
		{3400 * time.Microsecond, "3.4ms"}, {300 * time.Millisecond, "300ms"}, {1200 * time.Millisecond, "1.20s"},
	} {
		if got := fmtDur(tc.d); got != tc.want {
			t.Errorf("fmtDur(%d) = %q; want %q", tc.d, got, tc.want)
		}
	}
}

func TestFitWidth(t *testing.T) {
	for _, tc := range []struct {
		s    string
		w    int
		want string
	}{
		{"abc", 5, "abc  "}, {"abcdef", 4, "abc…"}, {"µs→x", 3, "µs…"}, {"µs", 4, "µs  "}, {"x", 0, ""},
	} {
		if got := fit(tc.s, tc.w); got != tc.want {
			t.Errorf("fit(%q, %d) = %q; want %q", tc.s, tc.w, got, tc.want)
		}
	}
}
