package load

import (
	"testing"
	"time"
)

func TestBucketRoundTrip(t *testing.T) {
	for _, v := range []int64{0, 1, 127, 128, 129, 1000, 12345, 999_999, 1 << 40} {
		b := bucketOf(v)
		hi := bucketValue(b)
		if hi < v {
			t.Errorf("bucketValue(bucketOf(%d)) = %d; want >= %d", v, hi, v)
		}
		if v > 0 && float64(hi-v)/float64(v) > 0.01 {
			t.Errorf("bucketValue(bucketOf(%d)) = %d; want within 1%%", v, hi)
		}
	}
}

func TestQuantiles(t *testing.T) {
	var h histogram
	for i := 1; i <= 1000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	tests := []struct {
		q    float64
		want time.Duration
	}{
		{0.5, 500 * time.Microsecond},
		{0.99, 990 * time.Microsecond},
		{0.999, 999 * time.Microsecond},
		{1, 1000 * time.Microsecond},
	}
	for _, tc := range tests {
		got := h.quantile(tc.q)
		if got < tc.want || float64(got-tc.want) > 0.01*float64(tc.want) {
			t.Errorf("quantile(%g) = %v; want %v (within 1%%, never below)", tc.q, got, tc.want)
		}
	}
	var empty histogram
	if got := empty.quantile(0.5); got != 0 {
		t.Errorf("empty quantile(0.5) = %v; want 0", got)
	}
}
