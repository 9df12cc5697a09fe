package lessons

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
	"golang.org/x/sys/unix"
)

// waitFor polls cond until it holds or 10 s pass. It is a deadline, not a
// delay: on a loaded machine a condition may take a while, never forever.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// openFds counts this process's open file descriptors.
func openFds(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count fds: %v", err)
	}
	return len(ents)
}

// checkNoLeaks records fds and goroutines now and, at cleanup, waits until
// both are back to that level.
func checkNoLeaks(t *testing.T) {
	t.Helper()
	// The Go runtime opens its own netpoller fds on first use of net;
	// they are not ours to release.
	if ln, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
	}
	fds, gs := openFds(t), runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(10 * time.Second)
		for openFds(t) > fds || runtime.NumGoroutine() > gs {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				buf = buf[:runtime.Stack(buf, true)]
				t.Fatalf("leak: %d fds, %d goroutines; want at most %d and %d\n%s",
					openFds(t), runtime.NumGoroutine(), fds, gs, buf)
			}
			time.Sleep(2 * time.Millisecond)
		}
	})
}

func startScenario(t *testing.T, sc Scenario) *Driver {
	t.Helper()
	if sc.Server == "" {
		sc.Server = "echo"
	}
	d, err := Start(context.Background(), sc)
	if err != nil {
		t.Fatalf("Start(%+v) error = %v", sc, err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close() = %v; want nil", err)
		}
	})
	return d
}

func TestDriverPauseAndStep(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll", ActiveClients: 2})
	waitFor(t, "some passes", func() bool { return d.Stats().Passes > 2 })

	d.Pause()
	d.sync() // everything queued after Pause ran: no pass can start now
	if !d.Paused() {
		t.Fatalf("Paused() = false after Pause; want true")
	}
	before := d.Stats().Passes
	for i := range 3 {
		d.Watched() // work on the loop goroutine without a pass
		d.sync()
		if got := d.Stats().Passes; got != before {
			t.Fatalf("paused, check %d: Passes = %d; want %d (unchanged)", i, got, before)
		}
	}
	for i := range 3 {
		d.Step()
		d.sync()
		if got, want := d.Stats().Passes, before+uint64(i)+1; got != want {
			t.Fatalf("after %d Steps: Passes = %d; want %d", i+1, got, want)
		}
	}

	d.Resume()
	after := d.Stats().Passes
	waitFor(t, "passes after Resume", func() bool { return d.Stats().Passes > after })
	d.Step() // running: a step does nothing, and must not nest a pass
	d.sync()
}

func TestDriverSlowMotion(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll"})
	d.SetDelay(time.Hour)
	if got := d.Delay(); got != time.Hour {
		t.Fatalf("Delay() = %v; want 1h", got)
	}
	// With an hour between passes the loop now rests between passes;
	// commands must still run, and Close must still return promptly.
	for range 3 {
		d.sync()
		d.Watched()
	}
	d.SetDelay(-1)
	if got := d.Delay(); got != 0 {
		t.Fatalf("SetDelay(-1); Delay() = %v; want 0", got)
	}
}

func TestDriverSwitchBackend(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "select", ActiveClients: 3})
	waitFor(t, "3 clients watched", func() bool { return d.Stats().Watched >= 4 })
	for _, name := range reactor.Backends() {
		d.SwitchBackend(name)
		d.sync()
		if got := d.Backend(); got != name {
			t.Errorf("SwitchBackend(%q); Backend() = %q", name, got)
		}
	}
	select {
	case err := <-d.Errors():
		t.Errorf("Errors() delivered %v; want nothing", err)
	default:
	}
	d.SwitchBackend("kqueue-on-linux")
	d.sync()
	if err := <-d.Errors(); !errors.Is(err, reactor.ErrUnknownBackend) {
		t.Errorf("SwitchBackend(unknown): Errors() = %v; want ErrUnknownBackend", err)
	}
}

func TestDriverClients(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll"})
	d.sync()
	base := d.Stats().Watched
	tests := []struct {
		name   string
		n      int
		active bool
	}{
		{"active", 10, true},
		{"idle", 25, false},
	}
	want := base
	for _, tt := range tests {
		d.AddClients(tt.n, tt.active)
		want += tt.n
		waitFor(t, tt.name+" clients to be watched", func() bool { return d.Stats().Watched == want })
	}
	if got := len(d.Watched()); got != want {
		t.Errorf("len(Watched()) = %d; want %d", got, want)
	}
	d.DropClients()
	waitFor(t, "dropped clients to go", func() bool { return d.Stats().Watched == base })
}

func TestDriverInjectStall(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll"})
	sub := d.Subscribe(1 << 12)
	defer sub.Close()
	const stall = 80 * time.Millisecond // over the loop's 50 ms threshold
	d.InjectStall(stall)
	var evs []reactor.TraceEvent
	var got *reactor.TraceEvent
	waitFor(t, "a stall event", func() bool {
		evs = sub.Drain(evs[:0])
		for i := range evs {
			if evs[i].Kind == reactor.KindStall {
				got = &evs[i]
				return true
			}
		}
		return false
	})
	if got.Label != stallLabel(stall) || got.Dur < stall {
		t.Errorf("stall event: Label %q, Dur %v; want %q and at least %v", got.Label, got.Dur, stallLabel(stall), stall)
	}
}

// TestDriverFDSetSizeRefusal fills this process's fd table up to 1023 so
// the next connection the server accepts lands on fd 1024: on select the
// server must refuse it with an error that names FD_SETSIZE, and after a
// live switch to poll the same thing must work.
func TestDriverFDSetSizeRefusal(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "select"})
	sub := d.Subscribe(1 << 12)
	defer sub.Close()
	d.sync()
	base := d.Stats().Watched

	null, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(os.NewSyscallError("open", err))
	}
	var filler []int
	defer func() {
		for _, fd := range filler {
			unix.Close(fd)
		}
	}()
	filler = append(filler, null)
	for {
		fd, err := unix.Dup(null)
		if err != nil {
			t.Skipf("cannot fill the fd table to 1024: %v", os.NewSyscallError("dup", err))
		}
		filler = append(filler, fd)
		if fd >= 1020 {
			break
		}
	}
	d.AddClients(4, false) // client ends take 1021-1023; the server's end gets ≥ 1024

	var evs []reactor.TraceEvent
	var refusal error
	waitFor(t, "the select refusal on Errors()", func() bool {
		evs = sub.Drain(evs[:0]) // draining is what copies refusals to Errors
		select {
		case refusal = <-d.Errors():
			return true
		default:
			return false
		}
	})
	if !strings.Contains(refusal.Error(), "FD_SETSIZE") {
		t.Errorf("refusal = %q; want it to name FD_SETSIZE", refusal)
	}

	d.DropClients()
	d.SwitchBackend("poll")
	d.sync()
	if got := d.Backend(); got != "poll" {
		t.Fatalf("Backend() = %q after switching; want poll", got)
	}
	waitFor(t, "dropped clients to go", func() bool { return d.Stats().Watched == base })
	d.AddClients(4, false)
	waitFor(t, "clients past fd 1023 watched on poll", func() bool {
		sub.Drain(evs[:0])
		return d.Stats().Watched == base+4
	})
	high := 0
	for _, w := range d.Watched() {
		high = max(high, w.Fd)
	}
	if high < 1024 {
		t.Errorf("highest watched fd = %d; want ≥ 1024", high)
	}

	// Back to select is refused while those fds are open.
	d.SwitchBackend("select")
	d.sync()
	var refused error
	waitFor(t, "the switch refusal on Errors()", func() bool {
		select {
		case err := <-d.Errors():
			if strings.HasPrefix(err.Error(), "FD_SETSIZE: select cannot take over") {
				refused = err
			}
		default:
		}
		return refused != nil
	})
	if !errors.Is(refused, reactor.ErrFDSetSize) || d.Backend() != "poll" {
		t.Errorf("switch back to select: err %v, Backend() %q; want ErrFDSetSize and still poll", refused, d.Backend())
	}
}

func TestInfoLine(t *testing.T) {
	tests := []struct{ protocol, addr, want string }{
		{"echo", "127.0.0.1:4000", "echo server · try: nc 127.0.0.1 4000"},
		{"chat", "0.0.0.0:7000", "chat server · try: nc 127.0.0.1 7000 (listening on 0.0.0.0:7000)"},
		{"echo", "[::1]:80", "echo server · try: nc ::1 80"},
		{"echo", "nonsense", "echo server on nonsense"},
	}
	for _, tt := range tests {
		if got := infoLine(tt.protocol, tt.addr); got != tt.want {
			t.Errorf("infoLine(%q, %q) = %q; want %q", tt.protocol, tt.addr, got, tt.want)
		}
	}
}

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
	d := ServerDriver(srv)
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

// TestLessonScenarios starts every lesson's own scenario the way the
// shell does and checks it comes up as the lesson promises.
func TestLessonScenarios(t *testing.T) {
	checkNoLeaks(t)
	for _, l := range Lessons() {
		t.Run(l.Slug(), func(t *testing.T) {
			live, err := l.Start(context.Background())
			if err != nil {
				t.Fatalf("Start() error = %v", err)
			}
			defer live.Close()
			sc := l.Scenario()
			if want := sc.Backend; want != "" && live.Backend() != want {
				t.Errorf("Backend() = %q; want %q", live.Backend(), want)
			}
			d := live.(*Driver)
			if _, port, _ := net.SplitHostPort(d.Addr()); !strings.Contains(live.Info(), "nc 127.0.0.1 "+port) {
				t.Errorf("Info() = %q; want the nc command for port %s", live.Info(), port)
			}
			want := 1 + sc.ActiveClients + sc.IdleClients // the listener and one fd per client
			waitFor(t, "the scenario's clients", func() bool { return live.Stats().Watched == want })
		})
	}
}

func TestStartContextCancel(t *testing.T) {
	checkNoLeaks(t)
	ctx, cancel := context.WithCancel(context.Background())
	d, err := Start(ctx, Scenario{Backend: "poll", Server: "echo", ActiveClients: 2, IdleClients: 2})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	<-d.done // the scenario closes itself; the leak check sees it all released
	if err := d.Close(); err != nil {
		t.Errorf("Close() after cancel = %v; want nil", err)
	}
}

func TestStartUnknown(t *testing.T) {
	checkNoLeaks(t)
	tests := []Scenario{
		{Backend: "kqueue", Server: "echo"},
		{Backend: "poll", Server: "gopher"},
	}
	for _, sc := range tests {
		if d, err := Start(context.Background(), sc); err == nil {
			d.Close()
			t.Errorf("Start(%+v) error = nil; want one", sc)
		}
	}
}
