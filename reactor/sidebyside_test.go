package reactor

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkWaitSideBySide measures the wait-cost targets in one
// run: every configuration is timed in short alternating chunks, and each
// ratio is taken within a round (so load on a shared machine hits both
// sides alike), then the median over rounds is reported.
//
//	epoll10000/epoll16   want ≤ 1.2
//	poll/epoll@1000      want ≥ 30
//	poll/epoll@10000     want ≥ 300
func BenchmarkWaitSideBySide(b *testing.B) {
	type cfg struct {
		backend string
		n       int
	}
	cfgs := []cfg{{"epoll", 16}, {"epoll", 1000}, {"poll", 1000}, {"select", 1000}, {"epoll", 10000}, {"poll", 10000}}
	if DefaultBackend() != "epoll" {
		b.Skip("needs epoll")
	}
	sets := map[int][]int{}
	for _, n := range []int{1000, 16, 10000} { // 1000 first: below fd 1024 for select
		sets[n], _ = idleFds(b, n)
	}
	pollers := make([]Poller, len(cfgs))
	for i, c := range cfgs {
		p, err := NewPoller(c.backend)
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		for _, fd := range sets[c.n] {
			if err := p.Register(fd, MakeToken(fd, 1), Readable); err != nil {
				b.Fatalf("%s n=%d: %v", c.backend, c.n, err)
			}
		}
		pollers[i] = p
	}
	evs := make([]Event, 128)
	// chunk sizes: about 1ms each
	chunk := make([]int, len(cfgs))
	for i, p := range pollers {
		chunk[i] = calibrateChunk(p, evs, time.Millisecond)
	}
	perCall := make([][]float64, len(cfgs))
	b.ResetTimer()
	round := 0
	for b.Loop() {
		round++
		for k := range pollers {
			i := (k + round) % len(pollers) // rotate: no config always follows the same one
			p := pollers[i]
			t0 := time.Now()
			for range chunk[i] {
				p.Wait(evs, 0)
			}
			perCall[i] = append(perCall[i], float64(time.Since(t0))/float64(chunk[i]))
		}
	}
	ratio := func(num, den int) float64 {
		var r []float64
		for k := range perCall[num] {
			r = append(r, perCall[num][k]/perCall[den][k])
		}
		slices.Sort(r)
		return r[len(r)/2]
	}
	median := func(i int) float64 {
		s := slices.Clone(perCall[i])
		slices.Sort(s)
		return s[len(s)/2]
	}
	b.ReportMetric(median(0), "ns/epoll@16")
	b.ReportMetric(median(4), "ns/epoll@10000")
	b.ReportMetric(median(2), "ns/poll@1000")
	b.ReportMetric(median(5), "ns/poll@10000")
	b.ReportMetric(ratio(4, 0), "epoll10000/epoll16")
	b.ReportMetric(ratio(2, 1), "poll/epoll@1000")
	b.ReportMetric(ratio(3, 1), "select/epoll@1000")
	b.ReportMetric(ratio(5, 4), "poll/epoll@10000")
	b.ReportMetric(0, "ns/op")
}

func calibrateChunk(p Poller, evs []Event, target time.Duration) int {
	k := 1
	for {
		t0 := time.Now()
		for range k {
			p.Wait(evs, 0)
		}
		if d := time.Since(t0); d >= target/2 || k >= 1<<16 {
			return max(1, int(int64(k)*int64(target)/max(int64(d), 1)))
		}
		k *= 2
	}
}
