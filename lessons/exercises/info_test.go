package exercises

import (
	"strings"
	"testing"
)

// The home screen's list is the catalog, in order, with each exercise's
// state, task and grading command.
func TestStateInfos(t *testing.T) {
	st := State{Done: map[string]bool{All[1].Name: true}}
	infos := st.Infos()
	if len(infos) != len(All) {
		t.Fatalf("len(Infos) = %d; want %d", len(infos), len(All))
	}
	for i, in := range infos {
		ex := All[i]
		if in.Name != ex.Name || in.Title != ex.Title || in.Lesson != ex.Lesson.Slug || in.Grade != ex.GradeCommand() {
			t.Errorf("Infos[%d] = {%q %q %q %q}; want {%q %q %q %q}", i, in.Name, in.Title, in.Lesson, in.Grade, ex.Name, ex.Title, ex.Lesson.Slug, ex.GradeCommand())
		}
		if in.Passed != (i == 1) {
			t.Errorf("Infos[%d].Passed = %v; want %v", i, in.Passed, i == 1)
		}
		if !strings.HasPrefix(in.Task, "# ") || !strings.Contains(in.Task, ex.Title) || strings.Contains(in.Task, "\n---\n") || !strings.Contains(in.Task, ex.GradeCommand()) {
			t.Errorf("Infos[%d].Task is not the README without front matter:\n%s", i, in.Task)
		}
	}
}

// Without any saved progress the list still shows, all pending.
func TestInfosWithoutProgress(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	for _, in := range Infos() {
		if in.Passed {
			t.Errorf("%s passed with no progress saved; want pending", in.Name)
		}
	}
}
