package exercises

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/vt"
)

// vtScreen is a virtual terminal the program draws on. Without a TTY,
// Bubble Tea expects the terminal to turn \n into \r\n, so Write does it.
type vtScreen struct {
	mu  sync.Mutex
	emu *vt.Emulator
}

func (s *vtScreen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.emu.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n")))
	return len(p), err
}

func (s *vtScreen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emu.String()
}

// waitFor polls the screen until it shows want (no fixed sleeps).
func waitFor(t *testing.T, s *vtScreen, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(s.text(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("screen never showed %q within %v; it shows:\n%s", want, within, s.text())
		}
		time.Sleep(20 * time.Millisecond) // polling interval, not synchronisation
	}
}

// fullCheckout copies the exercises module and the solutions into a temp
// dir, pointing the module's replace directive back at this checkout, and
// resets every stub to its shipped copy, so exercises a learner solved in
// this checkout still start out failing.
func fullCheckout(t *testing.T) string {
	t.Helper()
	real, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, top := range []string{"exercises", "solutions"} {
		src := filepath.Join(real, top)
		err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(real, path)
			if d.IsDir() {
				return os.MkdirAll(filepath.Join(root, rel), 0o755)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(root, rel), b, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	gomod := filepath.Join(root, "exercises", "go.mod")
	b, _ := os.ReadFile(gomod)
	b = bytes.Replace(b, []byte("=> ../\n"), []byte("=> "+real+"\n"), 1)
	if err := os.WriteFile(gomod, b, 0o644); err != nil {
		t.Fatal(err)
	}
	resetAll(t, root)
	return root
}

// resetAll puts every exercise's shipped stubs into the checkout at root.
func resetAll(t *testing.T, root string) {
	t.Helper()
	for _, ex := range All {
		if err := Reset(root, ex); err != nil {
			t.Fatal(err)
		}
	}
}

// program runs the watch screen of r as the real program does (Runner.watch)
// on a 100×30 virtual terminal, with keys typed into its input. It returns
// the screen, a function that types, and a channel that delivers watch's
// result once it has returned (every run it started has ended by then).
func program(t *testing.T, ctx context.Context, r *Runner) (*vtScreen, func(string), <-chan error) {
	t.Helper()
	scr := &vtScreen{emu: vt.NewEmulator(100, 30)}
	go io.Copy(io.Discard, scr.emu) // answers to terminal queries: drain them
	in, typing := io.Pipe()
	t.Cleanup(func() { typing.Close() })
	done := make(chan error, 1)
	go func() {
		done <- r.watch(ctx, Exercise{}, tea.WithInput(in), tea.WithOutput(scr),
			tea.WithWindowSize(100, 30), tea.WithColorProfile(colorprofile.Ascii), tea.WithoutSignals())
	}()
	return scr, func(keys string) { io.WriteString(typing, keys) }, done
}

// quit types q and waits for watch mode to return.
func quit(t *testing.T, typeKeys func(string), done <-chan error) {
	t.Helper()
	typeKeys("q")
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("watch ended with %v; want nil after q", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("watch did not return within 30s of q")
	}
}

// The real program on a virtual terminal: the shipped stub is graded as
// failing, saving the solution over it is noticed by polling and graded as
// passing, the solution unlocks, and q quits with progress saved.
func TestWatchProgramEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real program and go test subprocesses")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not in PATH")
	}
	root := fullCheckout(t)
	r := &Runner{root: root, statePath: filepath.Join(t.TempDir(), "state.txt"), grade: Grade, stdout: io.Discard, stderr: io.Discard}
	scr, typeKeys, done := program(t, context.Background(), r)

	waitFor(t, scr, "FAIL", 2*time.Minute)
	ex := All[0]
	sol, err := os.ReadFile(filepath.Join(root, "solutions", ex.Name, ex.Files[0]))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ex.Dir(root), ex.Files[0]), sol, 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, scr, "PASS", 2*time.Minute)
	typeKeys("s")
	waitFor(t, scr, "Reference solution", 10*time.Second)
	quit(t, typeKeys, done)
	if st, _ := LoadState(r.statePath, r.root); !st.Done[ex.Name] {
		t.Errorf("state after passing = %v; want %s done", st.Done, ex.Name)
	}
}

// A Drain that spins, one that blocks and one that deadlocks each show the
// guard's message within seconds, never a PASS; quitting while a run is in
// progress returns only once its processes are gone.
func TestWatchProgramHangingSolutions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real program and go test subprocesses")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not in PATH")
	}
	ex := All[0]
	for _, tc := range []struct{ name, edit, want string }{
		{"spinning", "case err == unix.EAGAIN:\n", "it is spinning"},
		{"blocking", "chunk := make([]byte, ChunkSize)\n", "blocked in a system call"},
		{"deadlocking", "chunk := make([]byte, ChunkSize)\n", "a deadlock"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := fullCheckout(t)
			src, err := os.ReadFile(filepath.Join(root, "solutions", ex.Name, ex.Files[0]))
			if err != nil {
				t.Fatal(err)
			}
			var wrong string
			switch tc.name {
			case "spinning": // retry at EAGAIN instead of returning
				wrong = strings.Replace(string(src), tc.edit, tc.edit+"\t\t\tcontinue\n", 1)
			case "blocking": // make the caller's fd blocking
				wrong = strings.Replace(string(src), tc.edit, tc.edit+"\tunix.SetNonblock(fd, false)\n", 1)
			case "deadlocking": // wait for a channel nothing sends on
				wrong = strings.Replace(string(src), tc.edit, tc.edit+"\t<-make(chan struct{})\n", 1)
			}
			if wrong == string(src) {
				t.Fatalf("the solution no longer contains %q: update the variant", tc.edit)
			}
			if err := os.WriteFile(filepath.Join(ex.Dir(root), ex.Files[0]), []byte(wrong), 0o644); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var groups []int // every grading run's process group
			running := 0     // runs that have not returned
			grade := func(ctx context.Context, root string, ex Exercise) (Result, error) {
				mu.Lock()
				running++
				mu.Unlock()
				res, err := TestRun{Dir: filepath.Join(root, "exercises"), Pkg: "./" + ex.Name + "/",
					started: func(pgid int) { mu.Lock(); groups = append(groups, pgid); mu.Unlock() }}.Run(ctx)
				res.Exercise = ex.Name
				mu.Lock()
				running--
				mu.Unlock()
				return res, err
			}
			r := &Runner{root: root, statePath: filepath.Join(t.TempDir(), "state.txt"), grade: grade, stdout: io.Discard, stderr: io.Discard}
			scr, typeKeys, done := program(t, context.Background(), r)
			waitFor(t, scr, tc.want, 2*time.Minute)
			if strings.Contains(scr.text(), "PASS") {
				t.Errorf("the screen claims a pass:\n%s", scr.text())
			}
			// Save again and quit while that run is in progress.
			now := time.Now().Add(time.Second)
			os.Chtimes(filepath.Join(ex.Dir(root), ex.Files[0]), now, now)
			waitFor(t, scr, "grading…", 30*time.Second)
			quit(t, typeKeys, done)
			mu.Lock()
			defer mu.Unlock()
			if running != 0 {
				t.Errorf("watch returned with %d grading run(s) still in progress", running)
			}
			for _, pgid := range groups {
				assertGroupGone(t, pgid)
			}
		})
	}
}
