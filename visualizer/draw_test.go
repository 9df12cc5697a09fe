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

func TestShortLabel(t *testing.T) {
	tests := []struct {
		s    string
		w    int
		want string
	}{
		{"echo 127.0.0.1:41988", 14, "echo 12…:41988"},
		{"echo 127.0.0.1:41988", 30, "echo 127.0.0.1:41988"},
		{"echo listen 127.0.0.1:33517", 14, "echo li…:33517"},
		{"blocking handler (sleeps 300ms)", 14, "blockin…300ms)"},
		{"listener", 5, "list…"},
		{"verylongownername 1.2.3.4:56789", 10, "ver…:56789"},
		{"owner 1.2.3.4:56789", 8, "o…:56789"},
		{"echo 127.0.0.1:41988", 7, "…:41988"},
		{"echo 127.0.0.1:41988", 6, "echo …"},
	}
	for _, tt := range tests {
		if got := shortLabel(tt.s, tt.w); got != tt.want {
			t.Errorf("shortLabel(%q, %d) = %q; want %q", tt.s, tt.w, got, tt.want)
		}
	}
}
