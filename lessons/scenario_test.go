package lessons

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
	"github.com/reactorlab/reactorlab/visualizer"
)

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
			d := driverOf(t, live)
			if _, ok := live.(visualizer.ChainSource); ok != slices.Contains(sc.Panes, visualizer.PaneChain) {
				t.Errorf("Live is a ChainSource: %v; want %v (it shows the chain pane)", ok, !ok)
			}
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
