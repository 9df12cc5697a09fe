package visualizer

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/vt"
	"github.com/reactorlab/reactorlab/reactor"
)

// vtScreen is a virtual terminal for program tests. Without a TTY
// bubbletea assumes the terminal turns \n into \r\n, so Write does it; the
// emulator's String is not locked, so the mutex guards it.
type vtScreen struct {
	mu  sync.Mutex
	emu *vt.Emulator
}

func newVTScreen(t *testing.T, w, h int) *vtScreen {
	s := &vtScreen{emu: vt.NewEmulator(w, h)}
	// Drain the emulator's replies to terminal queries so its Write never
	// blocks on the input pipe.
	go func() { _, _ = io.Copy(io.Discard, s.emu) }()
	// Closing the input pipe's writer ends that goroutine. (Emulator.Close
	// would race with Read on an unguarded field.)
	t.Cleanup(func() { _ = s.emu.InputPipe().(io.Closer).Close() })
	return s
}

func (s *vtScreen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.emu.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n")))
	return len(p), err
}

func (s *vtScreen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emu.String()
}

// waitFor polls the screen until want appears or a generous deadline
// passes (polling, not sleeping, is the synchronisation).
func (s *vtScreen) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("screen never showed %q; screen:\n%s", want, s.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func vtOptions(scr *vtScreen, in io.Reader, w, h int) Option {
	return WithProgramOptions(tea.WithInput(in), tea.WithOutput(scr), tea.WithWindowSize(w, h),
		tea.WithColorProfile(colorprofile.Ascii), tea.WithoutSignals())
}

// A real program on a virtual terminal: home, open a lesson, watch the
// panes fill from the trace, pause, quit; the scenario is closed.
func TestProgramLessonOnVT(t *testing.T) {
	scr := newVTScreen(t, 100, 30)
	lessons := twoLessons()
	live := newFakeLive()
	lessons[0].(*fakeLesson).live = live
	m, err := NewApp(lessons, "", WithStateDir(""), vtOptions(scr, nil, 100, 30))
	if err != nil {
		t.Fatal(err)
	}
	p := tea.NewProgram(m, m.c.cfg.progOpts...)
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()

	scr.waitFor(t, "learn event-driven I/O")
	scr.waitFor(t, "One process, many connections")
	p.Send(press("enter"))
	scr.waitFor(t, "Readiness (fd × pass)")
	scr.waitFor(t, "Every connection is an fd")

	s := &synth{}
	s.register(3)
	s.passes(10, 3, "epoll", 5)
	live.src.push(s.take()...)
	scr.waitFor(t, "client 9")

	p.Send(press("space"))
	scr.waitFor(t, "PAUSED")

	p.Send(tea.WindowSizeMsg{Width: 70, Height: 20}) // the window shrinks
	scr.waitFor(t, "terminal too small (need 80×24)")
	p.Send(tea.WindowSizeMsg{Width: 100, Height: 30}) // and grows back
	scr.waitFor(t, "Readiness (fd × pass)")
	p.Send(press("q"))
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run() = %v; want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("program did not quit after q")
	}
	live.mu.Lock()
	closed := live.closed
	live.mu.Unlock()
	if !closed {
		t.Errorf("quitting left the scenario open")
	}
	if got, want := live.Calls(), []string{"pause"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("calls = %q; want %q", got, want)
	}
}

// RunDashboard shows a refusal error from the Live, and returns nil when
// its context is cancelled.
func TestRunDashboardOnVT(t *testing.T) {
	scr := newVTScreen(t, 120, 40)
	live := newFakeLive()
	live.watched = []reactor.WatchInfo{{Fd: 3, Label: "listener", Interest: reactor.Readable}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	inR, inW := io.Pipe()
	defer inW.Close()
	go func() { done <- RunDashboard(ctx, "dashboard test", live, vtOptions(scr, inR, 120, 40)) }()
	scr.waitFor(t, "dashboard test")
	scr.waitFor(t, "3 listener")                      // from the Watched snapshot
	if _, err := inW.Write([]byte("b")); err != nil { // keys typed into the program's input
		t.Fatal(err)
	}
	scr.waitFor(t, "✗ ERROR: reactor: fd 1024 >= FD_SETSIZE")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("RunDashboard after cancel = %v; want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunDashboard did not return after cancel")
	}
}
