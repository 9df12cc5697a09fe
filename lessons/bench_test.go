package lessons

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/reactorlab/reactorlab/visualizer"
)

// pumpEcho keeps conns busy: each connection has a writer that sends
// 64-byte messages and a reader that reads the echo back, with a window of
// messages in flight so the server always has work. It returns a stop func.
func pumpEcho(b *testing.B, addr string, conns int) (stop func()) {
	b.Helper()
	const msg, window = 64, 8
	var wg sync.WaitGroup
	var cs []net.Conn
	for range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		cs = append(cs, c)
		credit := make(chan struct{}, window)
		for range window {
			credit <- struct{}{}
		}
		wg.Add(2)
		go func() { // writer
			defer wg.Done()
			buf := make([]byte, msg)
			for range credit {
				if _, err := c.Write(buf); err != nil {
					return
				}
			}
		}()
		go func() { // reader: one credit back per message echoed
			defer wg.Done()
			defer close(credit)
			buf := make([]byte, 4096)
			got := 0
			for {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				for got += n; got >= msg; got -= msg {
					credit <- struct{}{}
				}
			}
		}()
	}
	return func() {
		for _, c := range cs {
			c.Close()
		}
		wg.Wait()
	}
}

// attachScreen runs the full dashboard over d, rendering to nowhere at
// 120×40, until the returned func is called.
func attachScreen(d *Driver) (detach func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		visualizer.RunDashboard(ctx, "bench", d, visualizer.WithStateDir(""),
			visualizer.WithProgramOptions(tea.WithInput(nil), tea.WithOutput(io.Discard),
				tea.WithWindowSize(120, 40), tea.WithColorProfile(colorprofile.Ascii), tea.WithoutSignals()))
	}()
	return func() { cancel(); <-done }
}

// eventsPerSecond measures how many readiness events the loop dispatches
// per second over window.
func eventsPerSecond(d *Driver, window time.Duration) float64 {
	e0, t0 := d.Stats().Events, time.Now()
	time.Sleep(window)
	return float64(d.Stats().Events-e0) / time.Since(t0).Seconds()
}

// BenchmarkScreenOverhead compares the reactor's throughput on an echo
// load with nobody watching and with the full dashboard attached (trace
// subscribed, drained at 30 Hz, every pane drawn). Windows alternate so a
// noisy neighbour hits both alike. Run with -benchtime=Nx: N pairs of
// windows.
func BenchmarkScreenOverhead(b *testing.B) {
	d, err := Start(context.Background(), Scenario{Backend: "epoll", Server: "echo"})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	stop := pumpEcho(b, d.Addr(), 32)
	defer stop()
	const window = time.Second
	eventsPerSecond(d, window/2) // warm up
	var headless, screen float64
	b.ResetTimer()
	for range b.N {
		headless += eventsPerSecond(d, window)
		detach := attachScreen(d)
		time.Sleep(200 * time.Millisecond) // let the screen start drawing
		screen += eventsPerSecond(d, window)
		detach()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(headless/n, "headless-ev/s")
	b.ReportMetric(screen/n, "screen-ev/s")
	b.ReportMetric(screen/headless, "ratio")
}
