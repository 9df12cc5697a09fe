package lessons

import (
	"context"
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/reactor"
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

// A scenario on a backend this system lacks (epoll outside Linux) says
// so, and what still works, rather than passing on the reactor's advice.
func TestStartWithoutItsBackend(t *testing.T) {
	defer reactor.RegisterBackend(reactor.Backend{Name: "epoll-elsewhere", Wait: "epoll_wait", Glyph: 'x', Rank: 99,
		New: func() (reactor.Poller, error) { return nil, reactor.ErrLinuxOnly }})()
	_, err := Start(context.Background(), Scenario{Backend: "epoll-elsewhere", Server: RawEcho})
	if err == nil || !strings.Contains(err.Error(), "which only Linux has") || !strings.Contains(err.Error(), "the pages still read") {
		t.Errorf("Start on a backend this system lacks = %v; want it to say Linux is needed and the pages still read", err)
	}
}
