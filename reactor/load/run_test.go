package load

import (
	"context"
	"math"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// The server's CPU time is read over the measured window only, the window
// in which requests are counted: reading it before the warm-up charged the
// warm-up's CPU to the measured requests (every µs/request in
// docs/BENCHMARKS.md was 1.2–1.25× too high). A fake CPU clock that
// charges exactly 1 ms per echoed message must come out at 1 ms per
// request, however long the warm-up.
func TestRunServerCPUCoversTheMeasuredWindowOnly(t *testing.T) {
	const size = 64
	var echoed atomic.Int64 // bytes the server echoed, all connections
	addr := startServer(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				if _, werr := c.Write(buf[:n]); werr != nil {
					return
				}
				echoed.Add(int64(n))
			}
			if err != nil {
				return
			}
		}
	})
	saved := serverCPUTime
	serverCPUTime = func(int) (time.Duration, error) {
		return time.Duration(echoed.Load()/size) * time.Millisecond, nil
	}
	defer func() { serverCPUTime = saved }()

	o := quick(addr)
	o.Conns, o.Size = 1, size
	o.Warmup, o.Duration = 200*time.Millisecond, 200*time.Millisecond
	o.ServerPID = 1 // any pid: the fake clock above answers
	rep, err := Run(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requests < 20 {
		t.Skipf("only %d requests in the window: too few to check the accounting", rep.Requests)
	}
	// One request may be in flight at each edge of the window.
	tolerance := 1000 * (2/float64(rep.Requests) + 0.02)
	if got := rep.ServerCPUPerRequestUs; math.Abs(got-1000) > tolerance {
		t.Errorf("server CPU per request = %.1f µs over %d requests; want 1000 ± %.0f (the fake server costs 1 ms per request)",
			got, rep.Requests, tolerance)
	}
}
