package exercises

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// tempCheckout copies what watch mode reads (shipped stubs, hints, solutions)
// into a temporary checkout, so tests may reset and edit files freely.
func tempCheckout(t *testing.T) string {
	t.Helper()
	real, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	cp := func(rel string) {
		b, err := os.ReadFile(filepath.Join(real, rel))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cp("exercises/go.mod")
	for _, ex := range All {
		cp(filepath.Join("exercises", ex.Name, "HINTS.md"))
		for _, f := range ex.Files {
			cp(filepath.Join("exercises", ex.Name, f))
			cp(filepath.Join("solutions", ex.Name, f))
		}
	}
	resetAll(t, root)
	return root
}

func newTestWatch(t *testing.T) watchModel {
	t.Helper()
	root := tempCheckout(t)
	r := &Runner{root: root, statePath: filepath.Join(t.TempDir(), "state.txt"),
		grade: func(context.Context, string, Exercise) (Result, error) { return Result{}, nil }}
	st, _ := LoadState(r.statePath, r.root)
	return newWatchModel(context.Background(), r, st, 0)
}

func press(t *testing.T, m watchModel, keys ...string) (watchModel, tea.Cmd) {
	t.Helper()
	var cmd tea.Cmd
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		default:
			msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
		}
		var tm tea.Model
		tm, cmd = m.Update(msg)
		m = tm.(watchModel)
	}
	return m, cmd
}

func update(m watchModel, msg tea.Msg) (watchModel, tea.Cmd) {
	tm, cmd := m.Update(msg)
	return tm.(watchModel), cmd
}

func plain(m watchModel) string { return ansi.Strip(m.View().Content) }

var failing = Result{Exercise: "01_drain", Failures: []TestFailure{{Test: "TestDrain/x", Output: "    drain_test.go:1: want MoreLater"}}}

// Hints come one tier at a time, mildest first.
func TestWatchHintsOneTierAtATime(t *testing.T) {
	m := newTestWatch(t)
	if len(m.hints) < 2 {
		t.Fatalf("exercise has %d hint tiers; want at least 2", len(m.hints))
	}
	m, _ = update(m, gradedMsg{gen: m.gen, res: failing})
	m, _ = press(t, m, "h")
	v := plain(m)
	if !strings.Contains(v, "Hint 1 of") || strings.Contains(v, "Hint 2 of") {
		t.Fatalf("after one h: view shows %q; want hint 1 only", v)
	}
	if !strings.Contains(v, "want MoreLater") || !strings.Contains(v, "FAIL") {
		t.Errorf("view lacks the failing test's message:\n%s", v)
	}
	m, _ = press(t, m, "h")
	if v := plain(m); !strings.Contains(v, "Hint 2 of") {
		t.Errorf("after two h: view lacks hint 2:\n%s", v)
	}
}

// The solution is offered only after the tests pass; passing is saved.
func TestWatchSolutionOnlyAfterPassing(t *testing.T) {
	m := newTestWatch(t)
	m, _ = update(m, gradedMsg{gen: m.gen, res: failing})
	m, _ = press(t, m, "s")
	if m.screen == screenSolution || !strings.Contains(m.note, "unlocks once your tests pass") {
		t.Fatalf("s before passing: screen %v, note %q; want no solution and a note saying why", m.screen, m.note)
	}
	m, _ = update(m, gradedMsg{gen: m.gen, res: Result{Exercise: "01_drain", Passed: true}})
	st, _ := LoadState(m.statePath, m.root)
	if !st.Done["01_drain"] {
		t.Errorf("after a pass the state file says %v; want 01_drain done", st.Done)
	}
	m, _ = press(t, m, "s")
	if m.screen != screenSolution || !strings.Contains(plain(m), "solutions/01_drain/drain.go") {
		t.Errorf("s after passing: screen %v; want the solution:\n%s", m.screen, plain(m))
	}
}

// A change seen by the poller starts grading; a change during grading
// grades once more afterwards; results for an exercise we left are ignored.
func TestWatchRegradesOnChange(t *testing.T) {
	m := newTestWatch(t)
	m, _ = update(m, gradedMsg{gen: m.gen, res: failing})
	m, cmd := update(m, polledMsg{gen: m.gen, snap: m.snap})
	if m.grading || cmd == nil {
		t.Fatalf("unchanged snapshot: grading = %v, cmd = %v; want no grading and the poll re-armed", m.grading, cmd)
	}
	m, _ = update(m, polledMsg{gen: m.gen, snap: "changed"})
	if !m.grading {
		t.Fatal("changed snapshot did not start grading")
	}
	m, _ = update(m, polledMsg{gen: m.gen, snap: "changed again"})
	if !m.again {
		t.Fatal("a change during grading was not remembered")
	}
	m, cmd = update(m, gradedMsg{gen: m.gen, res: failing})
	if !m.grading || cmd == nil {
		t.Errorf("after the first result: grading = %v; want a second run for the change made meanwhile", m.grading)
	}
	old := m.gen
	m, _ = press(t, m, "n")
	if m.idx != 1 {
		t.Fatalf("n: idx = %d; want 1", m.idx)
	}
	m, _ = update(m, gradedMsg{gen: old, res: Result{Passed: true}})
	if m.res != nil && m.res.Passed {
		t.Errorf("a stale result for the previous exercise was shown")
	}
}

// Reset asks first; only y overwrites the learner's file.
func TestWatchResetConfirms(t *testing.T) {
	m := newTestWatch(t)
	path := filepath.Join(m.ex().Dir(m.root), m.ex().Files[0])
	mine := []byte("package drain // my attempt\n")
	os.WriteFile(path, mine, 0o644)
	m, _ = press(t, m, "r")
	if m.screen != screenConfirmReset || !strings.Contains(plain(m), "Your edits will") {
		t.Fatalf("r did not ask for confirmation:\n%s", plain(m))
	}
	m, _ = press(t, m, "x")
	if got, _ := os.ReadFile(path); !bytes.Equal(got, mine) {
		t.Fatal("reset happened although the learner said no")
	}
	m, _ = press(t, m, "r", "y")
	want, _ := Pristine(m.ex(), m.ex().Files[0])
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Errorf("after r y the file is %q; want the shipped stub", got)
	}
}

// The list picks an exercise; q quits.
func TestWatchListAndQuit(t *testing.T) {
	m := newTestWatch(t)
	m, _ = press(t, m, "l")
	if m.screen != screenList || !strings.Contains(plain(m), All[1].Name) {
		t.Fatalf("l did not show the list:\n%s", plain(m))
	}
	m, _ = press(t, m, "down", "enter")
	if m.idx != 1 || m.screen != screenExercise {
		t.Errorf("down, enter: idx = %d, screen = %v; want 1, exercise", m.idx, m.screen)
	}
	st, _ := LoadState(m.statePath, m.root)
	if st.Current != All[1].Name {
		t.Errorf("current exercise saved as %q; want %q", st.Current, All[1].Name)
	}
	_, cmd := press(t, m, "q")
	if cmd == nil {
		t.Fatal("q returned no command; want tea.Quit")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Errorf("q: command produced %T; want tea.QuitMsg", cmd())
	}
}

func TestSnapshotChangesOnSave(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.go")
	os.WriteFile(p, []byte("a"), 0o644)
	before := snapshot(dir)
	os.WriteFile(p, []byte("ab"), 0o644)
	if after := snapshot(dir); after == before {
		t.Errorf("snapshot did not change after a save that changed the size")
	}
}

// The screen fits the terminal: wrapped to its width, cut to its height with
// the key help kept.
func TestFit(t *testing.T) {
	s := strings.Repeat("word ", 40) + "\n" + strings.Repeat("line\n", 30) + "keys"
	got := fit(s, 40, 10)
	lines := strings.Split(got, "\n")
	if len(lines) != 10 || lines[len(lines)-1] != "keys" {
		t.Errorf("fit gave %d lines ending %q; want 10 ending with the key help", len(lines), lines[len(lines)-1])
	}
	for _, l := range lines {
		if w := len(l); w > 40 {
			t.Errorf("line %q is %d wide; want ≤ 40", l, w)
		}
	}
}
