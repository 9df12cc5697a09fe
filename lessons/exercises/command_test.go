package exercises

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// testRunner returns a runner over the real checkout with a fake grader that
// passes the exercises named in pass, and a state file in a temp dir.
func testRunner(t *testing.T, pass ...string) (*Runner, *bytes.Buffer) {
	t.Helper()
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r := &Runner{
		root:      root,
		statePath: filepath.Join(t.TempDir(), "exercises.txt"),
		stdout:    &out,
		stderr:    &out,
		grade: func(_ context.Context, _ string, ex Exercise) (Result, error) {
			for _, p := range pass {
				if p == ex.Name {
					return Result{Exercise: ex.Name, Passed: true}, nil
				}
			}
			return Result{Exercise: ex.Name, Failures: []TestFailure{{Test: "TestX", Output: "expected this, got that"}}}, nil
		},
	}
	return r, &out
}

func TestListShowsStatusAndProgress(t *testing.T) {
	r, out := testRunner(t)
	st := State{Root: r.root, Done: map[string]bool{All[0].Name: true}}
	if err := st.Save(r.statePath); err != nil {
		t.Fatal(err)
	}
	if err := r.List(); err != nil {
		t.Fatalf("list: %v", err)
	}
	got := out.String()
	for _, want := range []string{
		"[done]    " + All[0].Name,
		">  2. [pending] " + All[1].Name,
		ProgressBar(1, len(All), 30),
		All[1].GradeCommand(),
	} {
		if !strings.Contains(got, want) {
			t.Errorf("list output lacks %q:\n%s", want, got)
		}
	}
	// The columns line up past exercise 9 and around the longest name.
	statusAt, titleAt := map[int]bool{}, map[int]bool{}
	for i, ex := range All {
		line := regexp.MustCompile(`(?m)^.*` + ex.Name + ` .*$`).FindString(got)
		statusAt[strings.Index(line, "[")] = true
		titleAt[strings.Index(line, ex.Title)] = true
		if len(statusAt) != 1 || len(titleAt) != 1 {
			t.Fatalf("exercise %d's row is out of line: %q\n%s", i+1, line, got)
		}
	}
}

// check grades everything, records progress and fails when one exercise fails.
func TestCheckSummary(t *testing.T) {
	r, out := testRunner(t, All[0].Name)
	err := r.Check(context.Background(), All)
	if !errors.Is(err, ErrNotAllPass) {
		t.Fatalf("check with a failing exercise: err = %v; want ErrNotAllPass", err)
	}
	got := out.String()
	if !strings.Contains(got, "PASS  "+All[0].Name) || !strings.Contains(got, "FAIL  "+All[1].Name) || !strings.Contains(got, "expected this, got that") {
		t.Errorf("check output lacks PASS/FAIL lines or the failure message:\n%s", got)
	}
	st, _ := LoadState(r.statePath, r.root)
	if !st.Done[All[0].Name] || st.Done[All[1].Name] {
		t.Errorf("state after check = %v; want only %s done", st.Done, All[0].Name)
	}

	var names []string
	for _, ex := range All {
		names = append(names, ex.Name)
	}
	r2, out2 := testRunner(t, names...)
	if err := r2.Check(context.Background(), All); err != nil {
		t.Errorf("check with every exercise passing: err = %v; want nil\n%s", err, out2)
	}
}

// Hint prints the asked tier and how to get the next; a tier the
// exercise lacks is ErrNoHintTier.
func TestHint(t *testing.T) {
	r, out := testRunner(t)
	if err := r.Hint(All[0], 1); err != nil {
		t.Fatalf("Hint(%s, 1) = %v; want nil", All[0].Name, err)
	}
	if !strings.Contains(out.String(), "hint 1 of") || !strings.Contains(out.String(), "hint 1 2") {
		t.Errorf("Hint output = %q; want the first tier and how to get the next", out.String())
	}
	for _, tier := range []int{0, 99} {
		if err := r.Hint(All[0], tier); !errors.Is(err, ErrNoHintTier) {
			t.Errorf("Hint(%s, %d) = %v; want ErrNoHintTier", All[0].Name, tier, err)
		}
	}
}

// Without a state file (no HOME, no XDG_STATE_HOME) the runner still
// works: progress lasts for the run only and nothing is written.
func TestRunnerWithoutStateFile(t *testing.T) {
	r, out := testRunner(t, All[0].Name)
	r.statePath = ""
	err := r.Check(context.Background(), All[:1])
	if err != nil {
		t.Fatalf("Check without a state file = %v; want nil\n%s", err, out)
	}
	out.Reset()
	if err := r.List(); err != nil {
		t.Fatalf("List without a state file = %v; want nil", err)
	}
	if strings.Contains(out.String(), "warning") {
		t.Errorf("List without a state file warned:\n%s", out)
	}
}

// One exercise that hangs never stops the others from being graded, and the
// summary says that checks were skipped after the hang.
func TestCheckGoesOnAfterAHang(t *testing.T) {
	r, out := testRunner(t, All[1].Name)
	r.grade = func(_ context.Context, _ string, ex Exercise) (Result, error) {
		if ex.Name == All[0].Name {
			return Result{Exercise: ex.Name, Failures: []TestFailure{{Test: "TestDrain/x", Output: "Drain(fd, nil) did not return within 3s: it is spinning"}},
				Skipped: []TestFailure{{Test: "TestLater", Output: "not run: Drain(fd, nil) never returned in an earlier test"}}}, nil
		}
		if ex.Name == All[1].Name {
			return Result{Exercise: ex.Name, Passed: true}, nil
		}
		return Result{Exercise: ex.Name, Stopped: "the tests had not finished 25s after they started"}, nil
	}
	err := r.Check(context.Background(), All)
	if !errors.Is(err, ErrNotAllPass) {
		t.Fatalf("Check = %v; want ErrNotAllPass", err)
	}
	got := out.String()
	for _, want := range []string{
		"FAIL  " + All[0].Name, "it is spinning", "1 more was skipped",
		"PASS  " + All[1].Name,
		"FAIL  " + All[2].Name, "did not finish", "The runner stopped this run",
		"Checks were skipped in " + All[0].Name + " (1)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("check output lacks %q:\n%s", want, got)
		}
	}
}

// Ctrl-C during check stops at once and says how many were not graded.
func TestCheckInterrupted(t *testing.T) {
	r, out := testRunner(t)
	ctx, cancel := context.WithCancel(context.Background())
	r.grade = func(ctx context.Context, _ string, ex Exercise) (Result, error) {
		cancel() // the learner pressed Ctrl-C while the first one ran
		return Result{Exercise: ex.Name}, ctx.Err()
	}
	err := r.Check(ctx, All)
	if err == nil || !strings.Contains(err.Error(), "interrupted") || !strings.Contains(err.Error(), fmt.Sprintf("%d of %d", len(All), len(All))) {
		t.Errorf("Check after Ctrl-C = %v; want it to say grading was interrupted and how many were not graded", err)
	}
	if strings.Contains(out.String(), "PASS") || strings.Contains(out.String(), All[1].Name) {
		t.Errorf("check went on after Ctrl-C:\n%s", out)
	}
}
