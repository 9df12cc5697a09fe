package main

import (
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/lessons/exercises"
)

// A bare reactorlab without a terminal prints an overview naming every
// command, and succeeds.
func TestHomeOverview(t *testing.T) {
	out, errOut, code := runArgs(t)
	if code != 0 || errOut != "" || !strings.Contains(out, "Stdout is not a terminal") {
		t.Fatalf("reactorlab with no terminal: exit %d, stderr %q; want the overview:\n%s", code, errOut, out)
	}
	for _, c := range registry {
		if !strings.Contains(out, "reactorlab "+c.name+" ") {
			t.Errorf("overview does not list %q:\n%s", c.name, out)
		}
	}
}

// The home screen gets the whole exercise catalog, with tasks and grading
// commands, converted from lessons/exercises.
func TestExercisesForHome(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir()) // no saved progress: all pending
	list := exercisesForHome()
	if len(list) != len(exercises.All) {
		t.Fatalf("exercisesForHome() lists %d exercises; want %d", len(list), len(exercises.All))
	}
	for i, ex := range list {
		want := exercises.All[i]
		if ex.Name != want.Name || ex.Lesson != want.Lesson.Slug || ex.Grade != want.GradeCommand() || ex.Task == "" || ex.Passed {
			t.Errorf("exercisesForHome()[%d] = {%q %q %q task %d bytes, passed %v}; want {%q %q %q, a task, pending}",
				i, ex.Name, ex.Lesson, ex.Grade, len(ex.Task), ex.Passed, want.Name, want.Lesson.Slug, want.GradeCommand())
		}
	}
}
