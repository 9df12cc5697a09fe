package demos

import (
	"context"
	"errors"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/visualizer"
)

// pending lists embedded demos that cannot run on this branch yet, with
// the reason (a lesson they need is on a branch not merged yet). Empty:
// every demo runs.
var pending = map[string]string{}

// Every embedded demo is named NN-name.demo, numbered 01, 02, ... with
// no gap, reads without error and is listed.
func TestEmbeddedDemos(t *testing.T) {
	es, err := entries()
	if err != nil {
		t.Fatal(err)
	}
	if len(es) < 6-len(pending) {
		t.Errorf("%d embedded demos; want at least 6, one per claim", len(es))
	}
	for i, e := range es {
		if e.number != i+1 {
			t.Errorf("%s: number %d; want %02d", e.file, e.number, i+1)
		}
		if _, err := readEmbedded(e); err != nil && pending[e.name] == "" {
			t.Errorf("%s: %v", e.file, err)
		}
	}
	infos, err := List()
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range infos {
		if in.Title == "" || in.Lesson == "" || (in.Steps == 0 && in.Unavailable == "") {
			t.Errorf("List: %+v; want a title, a lesson and its steps (or why it is unavailable)", in)
		}
	}
}

func TestLoad(t *testing.T) {
	for _, arg := range []string{"2", "select-wall", " 2 "} {
		d, err := Load(arg, Options{})
		if err != nil || d.Name != "select-wall" || d.Source != "02-select-wall.demo" || d.Start == nil {
			t.Errorf("Load(%q) = %+v, %v; want demo 2 ready to play", arg, d, err)
		}
	}
	for _, arg := range []string{"0", "99", "nope", ""} {
		if _, err := Load(arg, Options{}); !errors.Is(err, ErrNoDemo) || !strings.Contains(err.Error(), "1 (one-process)") {
			t.Errorf("Load(%q) = %v; want ErrNoDemo listing the demos", arg, err)
		}
	}
}

// raceEnabled reports whether the test runs under the race detector,
// which allows 8128 goroutines: one simulated client is one goroutine.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// testOptions caps the clients under the race detector; otherwise the
// demos run with what the open-file limit allows.
func testOptions() Options {
	if raceEnabled() {
		return Options{MaxClients: 2000}
	}
	return Options{}
}

// headless are the program options of a demo run with no terminal.
func headless(in io.Reader) visualizer.Option {
	return visualizer.WithProgramOptions(tea.WithInput(in), tea.WithOutput(io.Discard),
		tea.WithWindowSize(100, 30), tea.WithoutSignals())
}

// Every embedded demo plays to its end unattended against the real
// reactor, fast: its waits are met (none times out), its actions are
// accepted, and the program ends after the last step.
func TestDemosPlayToTheEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("plays every demo on a real reactor: skipped with -short")
	}
	es, err := entries()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		t.Run(e.name, func(t *testing.T) {
			if why := pending[e.name]; why != "" {
				t.Skip(why)
			}
			d, err := Load(e.name, testOptions())
			if errors.Is(err, visualizer.ErrBackendUnavailable) {
				t.Skip(err)
			}
			if err != nil {
				t.Fatal(err)
			}
			// A bound, not a timing: a demo whose waits all give up takes
			// about this long; one that hangs would never end.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			r, err := visualizer.RunDemo(ctx, d, visualizer.DemoPlay{Auto: true, Speed: 1000}, headless(nil))
			if err != nil {
				t.Fatal(err)
			}
			if !r.Finished || r.Reached != r.Steps || len(r.Problems) > 0 {
				t.Errorf("played %d of %d steps, finished %v; problems:\n  %s", r.Reached, r.Steps, r.Finished,
					strings.Join(r.Problems, "\n  "))
			}
		})
	}
}

// recorder wraps a demo's Start to keep every scenario it starts, so the
// test can read their state (Backend and ConnectedClients are safe from
// any goroutine).
type recorder struct {
	mu    sync.Mutex
	lives []visualizer.Live
}

func (r *recorder) wrap(start func(context.Context) (visualizer.Live, error)) func(context.Context) (visualizer.Live, error) {
	return func(ctx context.Context) (visualizer.Live, error) {
		l, err := start(ctx)
		if l != nil {
			r.mu.Lock()
			r.lives = append(r.lives, l)
			r.mu.Unlock()
		}
		return l, err
	}
}

// state is what the test compares: the backend and the clients.
type state struct {
	n       int
	backend string
	clients int
}

// waitFor polls until the newest scenario (the n-th started) is in want.
func (r *recorder) waitFor(t *testing.T, want state) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var got state
	for time.Now().Before(deadline) {
		r.mu.Lock()
		if n := len(r.lives); n > 0 {
			l := r.lives[n-1]
			got = state{n, l.Backend(), l.(visualizer.ClientCounter).Clients().Connected}
		}
		r.mu.Unlock()
		if got == want {
			return
		}
		time.Sleep(10 * time.Millisecond) // polling the scenario, not waiting in its place
	}
	t.Fatalf("scenario state %+v; want %+v", got, want)
}

// ← on the real reactor: the step is rebuilt on a fresh scenario, with
// the backend and the clients that going forward reached.
func TestRebuildOnTheRealReactor(t *testing.T) {
	if testing.Short() {
		t.Skip("real reactor: skipped with -short")
	}
	src := `title Back and forth
lesson 2
caption Fifty idle clients on select.
add-idle 50
wait clients 53
caption poll, and twenty more.
backend poll
wait backend poll
add-idle 20
wait clients 73
caption Dropped, on select again.
drop
backend select
wait backend select
`
	d, err := Parse("back.demo", src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	d.Start = rec.wrap(d.Start)
	in, keys := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := visualizer.RunDemo(context.Background(), d, visualizer.DemoPlay{}, headless(in))
		done <- err
	}()
	press := func(k string) {
		if _, err := io.WriteString(keys, k); err != nil {
			t.Fatal(err)
		}
	}
	const right, left = "\x1b[C", "\x1b[D"
	rec.waitFor(t, state{1, "select", 53})
	press(right)
	rec.waitFor(t, state{1, "poll", 73})
	press(right)
	rec.waitFor(t, state{1, "select", 0})
	press(left) // step 2, rebuilt
	rec.waitFor(t, state{2, "poll", 73})
	press(left) // step 1, rebuilt
	rec.waitFor(t, state{3, "select", 53})
	press("r")
	rec.waitFor(t, state{4, "select", 53})
	press("q")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for i, l := range rec.lives { // each closed by the player: its clients gone
		if n := l.(visualizer.ClientCounter).Clients().Connected; n != 0 {
			t.Errorf("scenario %d still has %d clients after the demo ended", i+1, n)
		}
	}
}
