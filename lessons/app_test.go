package lessons

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
	"github.com/reactorlab/reactorlab/visualizer"
	"golang.org/x/sys/unix"
)

// TestServerDriver is the `reactorlab serve` path: the caller owns the
// server and its loop, the driver only iterates it while the screen is up.
func TestServerDriver(t *testing.T) {
	checkNoLeaks(t)
	loop, err := reactor.New(reactor.Config{Backend: "poll"})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := tcp.NewServer(loop, "127.0.0.1:0", "echo")
	if err != nil {
		loop.Close()
		t.Fatal(err)
	}
	d := serverDriver(srv)
	if want := fmt.Sprintf("nc 127.0.0.1 %d", srv.Addr().(*net.TCPAddr).Port); !strings.Contains(d.Info(), want) {
		t.Errorf("Info() = %q; want it to show %q", d.Info(), want)
	}
	d.sync()
	base := d.Stats().Watched
	d.AddClients(5, true)
	waitFor(t, "5 clients on the caller's server", func() bool { return d.Stats().Watched == base+5 })
	if err := d.Close(); err != nil {
		t.Errorf("Close() = %v; want nil", err)
	}
	// The loop is still the caller's: it can run a pass and be closed.
	if err := loop.Iterate(0); err != nil {
		t.Errorf("loop.Iterate after the driver closed = %v; want nil", err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("srv.Close() = %v; want nil", err)
	}
	if err := loop.Close(); err != nil {
		t.Errorf("loop.Close() = %v; want nil", err)
	}
}

// pumpEcho keeps the echo server busy from workers goroutines, each with
// conns blocking sockets: write 64 bytes to every socket, then read every
// echo back, and again. Raw syscalls keep the load generator cheap (it
// shares the machine's cores with the server it measures), and each round
// hands the server a batch of ready fds at once. It returns a stop func.
func pumpEcho(b *testing.B, addr string, workers, conns int) (stop func()) {
	b.Helper()
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	sa := &unix.SockaddrInet4{Port: ta.Port}
	copy(sa.Addr[:], ta.IP.To4())
	var quit atomic.Bool
	var wg sync.WaitGroup
	var all []int
	for range workers {
		var fds []int
		for range conns {
			fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
			if err == nil {
				err = unix.Connect(fd, sa)
			}
			if err != nil {
				b.Fatal(err)
			}
			fds = append(fds, fd)
		}
		all = append(all, fds...)
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg, buf := make([]byte, 64), make([]byte, 64)
			for !quit.Load() {
				for _, fd := range fds {
					if _, err := unix.Write(fd, msg); err != nil {
						return
					}
				}
				for _, fd := range fds {
					for got := 0; got < len(msg); {
						n, err := unix.Read(fd, buf[got:])
						if err != nil || n == 0 {
							return
						}
						got += n
					}
				}
			}
		}()
	}
	return func() {
		quit.Store(true)
		for _, fd := range all {
			unix.Shutdown(fd, unix.SHUT_RDWR) // unblocks a worker stuck in read
		}
		wg.Wait()
		for _, fd := range all {
			unix.Close(fd)
		}
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

// attachTrace only drains the trace at 30 Hz, as the screen does, without
// drawing: it separates the cost of tracing from the cost of the panes.
func attachTrace(d *Driver) (detach func()) {
	src := d.Subscribe(1 << 14)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Second / 30)
		defer t.Stop()
		var evs []reactor.TraceEvent
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				evs = src.Drain(evs[:0])
			}
		}
	}()
	return func() { close(quit); <-done; src.Close() }
}

// loopCPU reads the CPU time of the loop's own thread (the driver locks
// its goroutine to one).
func loopCPU(b *testing.B, d *Driver) time.Duration {
	var ts unix.Timespec
	var err error
	done := make(chan struct{})
	d.post(func() {
		err = unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
		close(done)
	})
	<-done
	if err != nil {
		b.Fatal(err)
	}
	return time.Duration(ts.Nano())
}

// measure reports the loop's events per second over window and the CPU
// its thread spent per event.
func measure(b *testing.B, d *Driver, window time.Duration) (evps, cpuPerEv float64) {
	e0, c0, t0 := d.Stats().Events, loopCPU(b, d), time.Now()
	time.Sleep(window)
	e1, c1 := d.Stats().Events, loopCPU(b, d)
	ev := float64(e1 - e0)
	return ev / time.Since(t0).Seconds(), float64(c1-c0) / float64(time.Microsecond) / ev
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
	stop := pumpEcho(b, d.addr, 2, 32)
	defer stop()
	const window = time.Second
	measure(b, d, window/2) // warm up
	var headless, traced, screen, cpuHeadless, cpuScreen float64
	b.ResetTimer()
	for range b.N {
		ev, cpu := measure(b, d, window)
		headless, cpuHeadless = headless+ev, cpuHeadless+cpu
		detach := attachTrace(d)
		ev, _ = measure(b, d, window)
		traced += ev
		detach()
		detach = attachScreen(d)
		time.Sleep(200 * time.Millisecond) // let the screen start drawing
		ev, cpu = measure(b, d, window)
		screen, cpuScreen = screen+ev, cpuScreen+cpu
		detach()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(headless/n, "headless-ev/s")
	b.ReportMetric(traced/n, "traced-ev/s")
	b.ReportMetric(screen/n, "screen-ev/s")
	b.ReportMetric(cpuHeadless/n, "headless-loop-µs/ev")
	b.ReportMetric(cpuScreen/n, "screen-loop-µs/ev")
	b.ReportMetric(screen/headless, "ratio")
}
