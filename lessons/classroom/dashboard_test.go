package classroom

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

// The server's screen shows how to connect, the budget and each session;
// ending its context ends the class (the student reads the goodbye) and
// RunDashboard returns once every session is gone.
func TestRunDashboard(t *testing.T) {
	c := newTestServer(t, func(o *Options) { o.Budget.FileLimit = 1 << 20 })
	scr := newVTScreen(t, 140, 40, true) // no TTY: bubbletea leaves \n to the terminal
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- RunDashboard(ctx, c.srv, tea.WithInput(nil), tea.WithOutput(scr), tea.WithWindowSize(140, 40),
			tea.WithColorProfile(colorprofile.Ascii), tea.WithoutSignals())
	}()
	scr.waitFor(t, "students connect with: ssh -p ")
	scr.waitFor(t, "host key "+c.srv.Fingerprint())
	scr.waitFor(t, "each lab up to 64 (24 simulated clients)")
	x := c.login("bob", c.student, 100, 30)
	x.waitFor(homeTitle)
	scr.waitFor(t, "bob (bob@laptop)")
	scr.waitFor(t, "seats: 1 of 25 students")
	scr.waitFor(t, "bob (bob@laptop) connected from 127.0.0.1:")
	cancel()
	if code := x.exit(); code != 0 {
		t.Errorf("student's exit status %d; want 0", code)
	}
	if !strings.Contains(x.screen(), "The class has ended") {
		t.Errorf("the student read no goodbye; screen:\n%s", x.screen())
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunDashboard = %v; want nil", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("RunDashboard did not return after its context ended")
	}
}

// q asks before ending a class with people in it; any other key takes
// the question back; q twice ends it, and the screen waits for Serve.
func TestDashboardQuitAsksFirst(t *testing.T) {
	stopped := 0
	m := &dashModel{srv: newTestServer(t, nil).srv, stop: func() { stopped++ }}
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.snap.Sessions = []SessionInfo{{Who: "bob"}}
	press := func(k tea.KeyPressMsg) tea.Cmd { _, cmd := m.Update(k); return cmd }
	q := tea.KeyPressMsg{Code: 'q', Text: "q"}
	press(q)
	if !m.confirm || stopped != 0 || !strings.Contains(m.render(), "press q again to end the class for 1 person") {
		t.Fatalf("first q: confirm %v, stopped %d; want a question and nothing ended", m.confirm, stopped)
	}
	press(tea.KeyPressMsg{Code: 'x', Text: "x"})
	if m.confirm {
		t.Fatalf("another key kept the question up")
	}
	press(q)
	if cmd := press(q); stopped != 1 || !m.stopping || cmd != nil {
		t.Fatalf("q twice: stopped %d, stopping %v, cmd %v; want the class ending and the screen still up", stopped, m.stopping, cmd)
	}
	if !strings.Contains(m.render(), "ending the class") {
		t.Errorf("the screen does not say the class is ending:\n%s", m.render())
	}
	if _, cmd := m.Update(servedMsg{}); cmd == nil {
		t.Errorf("Serve returned but the screen does not quit")
	}
}

func TestConnectHint(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:2222": "ssh -p 2222 NAME@127.0.0.1",
		"10.0.0.5:22":    "ssh NAME@10.0.0.5",
		"[::1]:2222":     "ssh -p 2222 NAME@::1",
	} {
		if got := ConnectHint(addr); got != want {
			t.Errorf("ConnectHint(%q) = %q; want %q", addr, got, want)
		}
	}
	if got := ConnectHint("0.0.0.0:2222"); strings.Contains(got, "0.0.0.0") {
		t.Errorf("ConnectHint(0.0.0.0:2222) = %q; want this machine's name, not the wildcard", got)
	}
}
