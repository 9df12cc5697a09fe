package exercises

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"
)

// testRunner returns a runner over the real checkout with a fake grader that
// passes the exercises named in pass, and a state file in a temp dir.
func testRunner(t *testing.T, pass ...string) (*runner, *bytes.Buffer) {
	t.Helper()
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r := &runner{
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
	st := State{Done: map[string]bool{All[0].Name: true}}
	if err := st.Save(r.statePath); err != nil {
		t.Fatal(err)
	}
	if err := r.list(); err != nil {
		t.Fatalf("list: %v", err)
	}
	got := out.String()
	for _, want := range []string{
		"[done]    " + All[0].Name,
		"> 2. [pending] " + All[1].Name,
		ProgressBar(1, len(All), 30),
		All[1].GradeCommand(),
	} {
		if !strings.Contains(got, want) {
			t.Errorf("list output lacks %q:\n%s", want, got)
		}
	}
}

// check grades everything, records progress and fails when one exercise fails.
func TestCheckSummary(t *testing.T) {
	r, out := testRunner(t, All[0].Name)
	err := r.check(context.Background(), All)
	if !errors.Is(err, ErrNotAllPass) {
		t.Fatalf("check with a failing exercise: err = %v; want ErrNotAllPass", err)
	}
	got := out.String()
	if !strings.Contains(got, "PASS  "+All[0].Name) || !strings.Contains(got, "FAIL  "+All[1].Name) || !strings.Contains(got, "expected this, got that") {
		t.Errorf("check output lacks PASS/FAIL lines or the failure message:\n%s", got)
	}
	st, _ := LoadState(r.statePath)
	if !st.Done[All[0].Name] || st.Done[All[1].Name] {
		t.Errorf("state after check = %v; want only %s done", st.Done, All[0].Name)
	}

	var names []string
	for _, ex := range All {
		names = append(names, ex.Name)
	}
	r2, out2 := testRunner(t, names...)
	if err := r2.check(context.Background(), All); err != nil {
		t.Errorf("check with every exercise passing: err = %v; want nil\n%s", err, out2)
	}
}

// Usage mistakes exit with status 2 and say what to do; --help is not an error.
func TestCommandUsage(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	type exitCoder interface{ ExitCode() int }
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, "unknown exercises command"},
		{[]string{"--bogus"}, "flag provided but not defined"},
		{[]string{"hint", "42"}, "no exercise \"42\""},
		{[]string{"reset", "1"}, "add --yes"},
		{[]string{"watch", "1", "2"}, "at most one exercise"},
	}
	for _, tc := range tests {
		var out bytes.Buffer
		err := Command(context.Background(), tc.args, &out, &out)
		var ec exitCoder
		if !errors.As(err, &ec) || ec.ExitCode() != 2 || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Command(%q) = %v; want a usage error (exit 2) mentioning %q", tc.args, err, tc.want)
		}
	}
	var out bytes.Buffer
	if err := Command(context.Background(), []string{"--help"}, &out, &out); !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "exercises check") {
		t.Errorf("Command(--help) = %v with %q; want flag.ErrHelp and the usage text", err, out.String())
	}
}

func TestCommandHint(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	var out bytes.Buffer
	if err := Command(context.Background(), []string{"hint", "1"}, &out, &out); err != nil {
		t.Fatalf("hint 1: %v", err)
	}
	if !strings.Contains(out.String(), "hint 1 of") || !strings.Contains(out.String(), "hint 1 2") {
		t.Errorf("hint output = %q; want the first tier and how to get the next", out.String())
	}
}
