package main

import (
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/lessons/exercises"
)

// The exercises commands run inside this checkout (the test's working
// directory is in it); none of these grade or reset anything.
func TestExercises(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	first := exercises.All[0]
	tests := []struct {
		args  []string
		code  int
		inOut string // stdout (or stderr when code != 0)
	}{
		{[]string{"exercises"}, 0, first.Name},
		{[]string{"exercises", "list"}, 0, "done"},
		{[]string{"exercises", "hint", "1"}, 0, "hint 1 of"},
		{[]string{"exercises", "hint", first.Name, "2"}, 0, "hint 2 of"},
		{[]string{"exercises", "frobnicate"}, 2, `unknown command "frobnicate"; want list, check, watch, hint or reset`},
		{[]string{"exercises", "--bogus"}, 2, "exercises list: unknown flag --bogus"},
		{[]string{"exercises", "list", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"exercises", "hint"}, 2, "wants an exercise"},
		{[]string{"exercises", "hint", "42"}, 2, `no exercise "42"; choose one of 1 (` + first.Name + ")"},
		{[]string{"exercises", "hint", "1", "99"}, 2, "hint tiers 1 to"},
		{[]string{"exercises", "hint", "1", "x"}, 2, `hint tier "x" is not a number`},
		{[]string{"exercises", "reset", "1"}, 2, "add --yes"},
		{[]string{"exercises", "-y", "reset", "42"}, 2, `no exercise "42"`},
		{[]string{"exercises", "watch", "1", "2"}, 2, "at most one exercise"},
		{[]string{"exercises", "watch"}, 1, "exercises watch: needs a terminal"},
		{[]string{"exercises", "watch", "--help"}, 0, "s solution"},
		{[]string{"exercises", "watch", "--help"}, 0, strings.Split(exercises.KeyHelp(), "\n")[0]},
		{[]string{"exercises", "check", "42"}, 2, `no exercise "42"`},
	}
	for _, tc := range tests {
		out, errOut, code := runArgs(t, tc.args...)
		got := out
		if tc.code != 0 {
			got = errOut
		}
		if code != tc.code || !strings.Contains(got, tc.inOut) {
			t.Errorf("reactorlab %s: exit %d, stdout %q, stderr %q; want exit %d and %q",
				strings.Join(tc.args, " "), code, out, errOut, tc.code, tc.inOut)
		}
	}
}
