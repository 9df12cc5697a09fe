package lessons

import (
	"context"
	"errors"
	"net"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
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
	for _, name := range reactor.BackendNames() {
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
