package load

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// histogram is a log-linear latency histogram safe for concurrent use.
//
// A value v (in nanoseconds) falls into a bucket chosen by its highest set
// bit (the "exponent") and the next subBits bits below it (the "mantissa"),
// so every bucket is at most 1/2^subBits (under 1%) wide relative to its
// value. That keeps memory fixed (64 KiB) however many samples arrive, which
// matters for long open-loop runs.
type histogram struct {
	counts [64 << subBits]atomic.Uint64
	total  atomic.Uint64
	max    atomic.Int64
}

const subBits = 7

// bucketOf maps a value to its bucket index.
func bucketOf(v int64) int {
	if v < 1<<subBits {
		if v < 0 {
			v = 0
		}
		return int(v)
	}
	exp := bits.Len64(uint64(v)) - 1 // >= subBits
	shift := exp - subBits
	mant := int(uint64(v)>>shift) & (1<<subBits - 1)
	return (shift+1)<<subBits | mant
}

// bucketValue returns the upper bound of a bucket (the value reported for
// percentiles, so percentiles never flatter the server).
func bucketValue(b int) int64 {
	if b < 1<<subBits {
		return int64(b)
	}
	shift := b>>subBits - 1
	mant := int64(b & (1<<subBits - 1))
	lo := (1<<subBits | mant) << shift
	return lo + (1 << shift) - 1
}

func (h *histogram) record(d time.Duration) {
	v := int64(d)
	h.counts[bucketOf(v)].Add(1)
	h.total.Add(1)
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			return
		}
	}
}

// count returns the number of samples recorded so far.
func (h *histogram) count() uint64 { return h.total.Load() }

// quantile returns the value at quantile q (0 < q <= 1), or 0 when empty.
func (h *histogram) quantile(q float64) time.Duration {
	n := h.total.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.5)
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for b := range h.counts {
		seen += h.counts[b].Load()
		if seen >= rank {
			v := bucketValue(b)
			if m := h.max.Load(); v > m {
				v = m // the top bucket is never above the real maximum
			}
			return time.Duration(v)
		}
	}
	return time.Duration(h.max.Load())
}
