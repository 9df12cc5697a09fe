package exercises

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

var update_ = flag.Bool("update", false, "rewrite the golden files in testdata/")

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

// fakeGrader passes the exercises in pass and fails the others.
func fakeGrader(pass ...string) Grader {
	return func(_ context.Context, _ string, ex Exercise) (Result, error) {
		for _, p := range pass {
			if p == ex.Name {
				return Result{Exercise: ex.Name, Passed: true, Log: "--- PASS: TestX\nok"}, nil
			}
		}
		return Result{Exercise: ex.Name, Failures: []TestFailure{{Test: "TestX", Output: "    x_test.go:1: expected this, got that"}}, Log: "--- FAIL: TestX\nFAIL"}, nil
	}
}

// newTestWatch opens the watch model on exercise idx of a temp checkout at
// 100×30. Its first grading run is under way (finish it with finish).
func newTestWatch(t *testing.T, idx int, grade Grader) watchModel {
	t.Helper()
	root := tempCheckout(t)
	r := &Runner{root: root, statePath: filepath.Join(t.TempDir(), "state.txt"), grade: grade}
	st, _ := LoadState(r.statePath, r.root)
	m := newWatchModel(context.Background(), r, st, idx, newInflight())
	m, _ = update(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	return m
}

// finish delivers res as the result of the current exercise's latest run.
func finish(m watchModel, res Result) watchModel {
	res.Exercise = m.ex().Name
	m, _ = update(m, gradedMsg{name: m.ex().Name, id: m.cur().id, res: res})
	return m
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
		case "up":
			msg = tea.KeyPressMsg{Code: tea.KeyUp}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		default:
			msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
		}
		m, cmd = update(m, msg)
	}
	return m, cmd
}

func update(m watchModel, msg tea.Msg) (watchModel, tea.Cmd) {
	tm, cmd := m.Update(msg)
	return tm.(watchModel), cmd
}

func plain(m watchModel) string { return ansi.Strip(m.View().Content) }

// footer is the key help, the screen's last line.
func footer(m watchModel) string {
	lines := strings.Split(plain(m), "\n")
	return lines[len(lines)-1]
}

var failing = Result{Failures: []TestFailure{{Test: "TestDrain/x", Output: "    drain_test.go:1: want MoreLater"}}, Log: "=== RUN TestDrain\n--- FAIL: TestDrain/x\nFAIL"}

// Hints come one tier at a time, mildest first, rendered as Markdown: no
// raw backticks.
func TestWatchHintsOneTierAtATime(t *testing.T) {
	m := newTestWatch(t, 0, fakeGrader())
	if len(m.hints) < 2 || !strings.Contains(m.hints[0], "`") {
		t.Fatalf("exercise has %d hint tiers; want at least 2, the first with `code`", len(m.hints))
	}
	m = finish(m, failing)
	m, _ = press(t, m, "h")
	v := plain(m)
	if !strings.Contains(v, "Hint 1 of") || strings.Contains(v, "Hint 2 of") {
		t.Fatalf("after one h: view shows %q; want hint 1 only", v)
	}
	if strings.Contains(v, "`") {
		t.Errorf("hint shows raw Markdown backticks:\n%s", v)
	}
	if !strings.Contains(v, "want MoreLater") || !strings.Contains(v, "FAIL") {
		t.Errorf("view lacks the failing test's message:\n%s", v)
	}
	m, _ = press(t, m, "h")
	if v := plain(m); !strings.Contains(v, "Hint 2 of") {
		t.Errorf("after two h: view lacks hint 2:\n%s", v)
	}
}

// The solution is offered only after the tests pass (its key is disabled,
// and not in the footer, before); passing is saved.
func TestWatchSolutionOnlyAfterPassing(t *testing.T) {
	m := newTestWatch(t, 0, fakeGrader())
	m = finish(m, failing)
	if strings.Contains(footer(m), "solution") {
		t.Errorf("footer offers the solution before the tests pass: %q", footer(m))
	}
	m, _ = press(t, m, "s")
	if m.screen == screenSolution {
		t.Fatal("s before passing opened the solution")
	}
	m = finish(m, Result{Passed: true})
	st, _ := LoadState(m.statePath, m.root)
	if !st.Done["01_drain"] {
		t.Errorf("after a pass the state file says %v; want 01_drain done", st.Done)
	}
	if !strings.Contains(footer(m), "s solution") {
		t.Errorf("footer after passing lacks the solution key: %q", footer(m))
	}
	m, _ = press(t, m, "s")
	if m.screen != screenSolution || !strings.Contains(plain(m), "solutions/01_drain/drain.go") {
		t.Errorf("s after passing: screen %v; want the solution:\n%s", m.screen, plain(m))
	}
}

// The solution view shows code as code: gofmt's tabs become indentation
// that survives (golden file), on a sample solution so that the golden does
// not change when the real one does.
func TestWatchSolutionKeepsIndentation(t *testing.T) {
	m := newTestWatch(t, 0, fakeGrader())
	sample, err := os.ReadFile("testdata/solution_sample.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	ex := m.ex()
	if err := os.WriteFile(filepath.Join(m.root, "solutions", ex.Name, ex.Files[0]), sample, 0o644); err != nil {
		t.Fatal(err)
	}
	m = finish(m, Result{Passed: true})
	m, _ = update(m, tea.WindowSizeMsg{Width: 80, Height: 40})
	m, _ = press(t, m, "s")
	got := plain(m)
	golden := "testdata/solution_view.golden"
	if *update_ {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestWatchSolutionKeepsIndentation -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("solution view differs from %s (rerun with -update if the change is meant):\ngot:\n%s\nwant:\n%s", golden, got, want)
	}
	for _, line := range []string{"        if n == 0 {", "            return dst, PeerClosed, nil"} {
		if !strings.Contains(got, line) {
			t.Errorf("solution view lacks the indented line %q", line)
		}
	}
}

// A change seen by the poller starts grading: the old PASS gives way to
// "grading…" at once, and a failing re-grade takes the exercise off the
// progress. A second change replaces the run in progress, whose result is
// then ignored, as is a result for an exercise the learner left.
func TestWatchRegradesOnChange(t *testing.T) {
	m := newTestWatch(t, 0, fakeGrader())
	m = finish(m, Result{Passed: true})
	if v := plain(m); !strings.Contains(v, "PASS") {
		t.Fatalf("after a pass the view lacks PASS:\n%s", v)
	}
	m, cmd := update(m, polledMsg{gen: m.gen, snap: m.snap})
	if m.cur().running || cmd == nil {
		t.Fatalf("unchanged snapshot: running = %v, cmd = %v; want no grading and the poll re-armed", m.cur().running, cmd)
	}
	m, _ = update(m, polledMsg{gen: m.gen, snap: "changed"})
	if !m.cur().running {
		t.Fatal("changed snapshot did not start grading")
	}
	if v := plain(m); strings.Contains(v, "PASS") || !strings.Contains(v, "grading…") {
		t.Errorf("while re-grading the view still claims the old result or lacks grading…:\n%s", v)
	}
	if strings.Contains(footer(m), "solution") {
		t.Errorf("while re-grading the footer offers the solution: %q", footer(m))
	}
	first := m.cur().id
	m, _ = update(m, polledMsg{gen: m.gen, snap: "changed again"})
	if m.cur().id == first || !m.cur().running {
		t.Fatal("a change during grading did not start a new run")
	}
	m, _ = update(m, gradedMsg{name: m.ex().Name, id: first, res: Result{Passed: true}})
	if !m.cur().running {
		t.Error("the replaced run's result was taken as the latest")
	}
	m = finish(m, failing)
	st, _ := LoadState(m.statePath, m.root)
	if st.Done["01_drain"] || m.st.Done["01_drain"] {
		t.Errorf("after a failing re-grade 01_drain still counts as done (file %v, screen %v)", st.Done, m.st.Done)
	}
	if v := plain(m); !strings.Contains(v, fmt.Sprintf("0/%d done", len(All))) {
		t.Errorf("progress after a failing re-grade is not corrected:\n%s", v)
	}

	m, _ = press(t, m, "n")
	if m.idx != 1 {
		t.Fatalf("n: idx = %d; want 1", m.idx)
	}
	m, _ = update(m, gradedMsg{name: All[0].Name, id: 999, res: Result{Passed: true}})
	if m.st.Done[All[0].Name] {
		t.Errorf("a stale result for the previous exercise was recorded")
	}
}

// A run that could not grade says why, and progress is left alone.
func TestWatchGradingError(t *testing.T) {
	m := newTestWatch(t, 0, fakeGrader())
	m, _ = update(m, gradedMsg{name: m.ex().Name, id: m.cur().id, err: os.ErrNotExist})
	if v := plain(m); !strings.Contains(v, "Could not grade") {
		t.Errorf("view lacks the grading error:\n%s", v)
	}
}

// Reset asks first; only y overwrites the learner's file.
func TestWatchResetConfirms(t *testing.T) {
	m := newTestWatch(t, 0, fakeGrader())
	path := filepath.Join(m.ex().Dir(m.root), m.ex().Files[0])
	mine := []byte("package drain // my attempt\n")
	os.WriteFile(path, mine, 0o644)
	m, _ = press(t, m, "r")
	if m.screen != screenConfirmReset || !strings.Contains(plain(m), "Your edits will") || !strings.Contains(footer(m), "y yes, reset it") {
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
	if !m.cur().running {
		t.Error("a reset did not grade the stub again")
	}
}

// The list picks an exercise; q quits.
func TestWatchListAndQuit(t *testing.T) {
	m := newTestWatch(t, 0, fakeGrader())
	m, _ = press(t, m, "l")
	if m.screen != screenList || !strings.Contains(plain(m), All[1].Name) || !strings.Contains(footer(m), "enter open") {
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

// There is no next exercise after the last: n is off, and passing it when
// every other one passes shows the all-done screen.
func TestWatchAllDone(t *testing.T) {
	var names []string
	for _, ex := range All {
		names = append(names, ex.Name)
	}
	m := newTestWatch(t, len(All)-1, fakeGrader(names...))
	if strings.Contains(footer(m), "next") {
		t.Errorf("the last exercise's footer offers a next one: %q", footer(m))
	}
	if m, _ = press(t, m, "n"); m.idx != len(All)-1 {
		t.Errorf("n on the last exercise moved to %d", m.idx)
	}
	for _, ex := range All[:len(All)-1] {
		m.st.Record(ex, Result{Passed: true})
	}
	m = finish(m, Result{Passed: true})
	v := plain(m)
	if m.screen != screenAllDone || !strings.Contains(v, "All done") || strings.Contains(v, "next exercise") {
		t.Errorf("after the last exercise passed with all the others: screen %v; want all done:\n%s", m.screen, v)
	}
}

// run executes cmd the way bubbletea would, feeding gradedMsgs back.
func run(m watchModel, cmd tea.Cmd) watchModel {
	for cmd != nil {
		msg, ok := cmd().(gradedMsg)
		if !ok {
			return m
		}
		m, cmd = update(m, msg)
	}
	return m
}

// c checks every exercise from inside watch mode, one after another, shows
// what each did on the list, and records the progress.
func TestWatchCheckAll(t *testing.T) {
	m := newTestWatch(t, 0, fakeGrader(All[1].Name))
	m, cmd := press(t, m, "c")
	if m.screen != screenList || !strings.Contains(plain(m), "Checking every exercise") {
		t.Fatalf("c did not show the check in progress:\n%s", plain(m))
	}
	if cmd != nil {
		t.Fatal("c started a second run of the exercise already being graded")
	}
	m, cmd = update(m, gradedMsg{name: m.ex().Name, id: m.cur().id, res: failing})
	m = run(m, cmd)
	if len(m.checkQueue) != 0 {
		t.Fatalf("check-all left %v ungraded", m.checkQueue)
	}
	v := plain(m)
	for _, want := range []string{"✗ 1 check fails", "✓ done", fmt.Sprintf("Checked every exercise: 1 of %d pass", len(All))} {
		if !strings.Contains(v, want) {
			t.Errorf("list after check-all lacks %q:\n%s", want, v)
		}
	}
	if st, _ := LoadState(m.statePath, m.root); !st.Done[All[1].Name] || st.Done[All[2].Name] {
		t.Errorf("progress after check-all = %v; want only %s", st.Done, All[1].Name)
	}
}

// A long failure scrolls in the body, and o switches to everything go test
// printed.
func TestWatchScrollsTheOutput(t *testing.T) {
	m := newTestWatch(t, 0, fakeGrader())
	var long strings.Builder
	for i := range 100 {
		long.WriteString("    drain_test.go:1: line " + strings.Repeat("x", i%7) + "\n")
	}
	m = finish(m, Result{Failures: []TestFailure{{Test: "TestDrain", Output: long.String()}}, Log: "=== RUN TestDrain\nthe whole log\n--- FAIL: TestDrain"})
	if !strings.Contains(footer(m), "scroll") {
		t.Fatalf("a long failure: footer lacks the scroll keys: %q", footer(m))
	}
	before := m.body.YOffset()
	m, _ = press(t, m, "down", "down")
	if m.body.YOffset() != before+2 {
		t.Errorf("↓↓: offset %d; want %d", m.body.YOffset(), before+2)
	}
	for range 500 {
		m, _ = press(t, m, "down")
	}
	bottom := m.body.YOffset()
	m, _ = press(t, m, "up")
	if m.body.YOffset() != bottom-1 {
		t.Errorf("↑ after scrolling past the end: offset %d; want %d", m.body.YOffset(), bottom-1)
	}
	m, _ = press(t, m, "o")
	if v := plain(m); !strings.Contains(v, "the whole log") || !strings.Contains(footer(m), "o the failures") {
		t.Errorf("o did not show the full output:\n%s", v)
	}
}

// The screen fits the terminal: cut to its height with the key help kept.
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
