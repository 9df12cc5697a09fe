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
	st, _ := LoadState(r.statePath, r.root)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	scr := &vtScreen{emu: vt.NewEmulator(100, 30)}
	go io.Copy(io.Discard, scr.emu) // answers to terminal queries: drain them
	p := tea.NewProgram(newWatchModel(ctx, r, st, 0),
		tea.WithContext(ctx), tea.WithInput(nil), tea.WithOutput(scr),
		tea.WithWindowSize(100, 30), tea.WithColorProfile(colorprofile.Ascii), tea.WithoutSignals())
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()

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
	p.Send(tea.KeyPressMsg{Code: 's', Text: "s"})
	waitFor(t, scr, "Reference solution", 10*time.Second)
	p.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("program ended with %v; want nil after q", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("program did not quit within 10s of q")
	}
	if st, _ := LoadState(r.statePath, r.root); !st.Done[ex.Name] {
		t.Errorf("state after passing = %v; want %s done", st.Done, ex.Name)
	}
}
