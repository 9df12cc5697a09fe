package visualizer

import (
	"testing"
	"time"
)

func TestWithFrameRate(t *testing.T) {
	for _, tc := range []struct {
		fps  int
		want time.Duration
	}{
		{10, 100 * time.Millisecond},
		{1, time.Second},
		{0, time.Second / 30}, // the default stays
		{-5, time.Second / 30},
	} {
		if got := newConfig([]Option{WithFrameRate(tc.fps)}).frame; got != tc.want {
			t.Errorf("WithFrameRate(%d): frame = %v; want %v", tc.fps, got, tc.want)
		}
	}
}
