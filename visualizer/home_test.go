package visualizer

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// fixtureExercises is what the exercises package would supply.
func fixtureExercises() []ExerciseInfo {
	return []ExerciseInfo{
		{Name: "01_drain", Title: "Drain until EAGAIN", Lesson: "one", Passed: true,
			Task:  "# Drain until EAGAIN\n\nRead until the kernel says **EAGAIN**.\n\n## Done when\n\nThe tests pass.",
			Grade: "cd exercises && go test ./01_drain/"},
		{Name: "02_fdset", Title: "Build an fd set", Lesson: "two",
			Task: "# Build an fd set\n\nSet the bits.", Grade: "cd exercises && go test ./02_fdset/"},
		{Name: "03_chain", Title: "A chain that recovers", Lesson: "elsewhere",
			Task: "# A chain\n\nRecover.", Grade: "cd exercises && go test ./03_chain/"},
	}
}

// homeWith opens home over lessons and the fixture exercises at w×h.
func homeWith(t *testing.T, lessons []Lesson, list func() []ExerciseInfo, w, h int) *App {
	t.Helper()
	m, err := NewApp(lessons, "", manual, WithStateDir(""), WithExercises(list))
	if err != nil {
		t.Fatal(err)
	}
	runCmds(m, m.Init())
	do(m, tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// Home lists the whole course: the lessons, then the exercises with their
// state and the lesson each follows.
func TestHomeView(t *testing.T) {
	m := homeWith(t, twoLessons(), fixtureExercises, 100, 30)
	got := m.View().Content
	checkSize(t, got, 100, 30)
	golden(t, got)
}

// Without WithExercises, home is the lesson list alone.
func TestHomeWithoutExercises(t *testing.T) {
	m, _ := NewApp(twoLessons(), "", manual, WithStateDir(""))
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if got := screenOf(m); strings.Contains(got, "Exercises") || strings.Contains(got, "exercises passed") {
		t.Errorf("home without exercises mentions them:\n%s", got)
	}
}

// The cursor runs on from the last lesson into the exercises; enter on an
// exercise shows its task, rendered, and the command that grades it; esc
// goes home again, where the list is read afresh.
func TestHomeOpenExercise(t *testing.T) {
	reads := 0
	list := func() []ExerciseInfo {
		reads++
		ex := fixtureExercises()
		ex[1].Passed = reads > 1 // graded in another terminal meanwhile
		return ex
	}
	m := homeWith(t, twoLessons(), list, 100, 30)
	for range 3 {
		do(m, press("down"))
	}
	do(m, press("enter"))
	if _, ok := m.active.(*exerciseScreen); !ok {
		t.Fatalf("enter on the second exercise opened %T; want the exercise screen", m.active)
	}
	got := screenOf(m)
	for _, want := range []string{"Exercise 02_fdset — Build an fd set", "(2 of 3)", "state: pending",
		"after lesson 2: select(): fd sets", "grade it: cd exercises && go test ./02_fdset/", "Set the bits."} {
		if !strings.Contains(got, want) {
			t.Errorf("exercise screen lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "# Build") {
		t.Errorf("task shown as raw Markdown, not rendered:\n%s", got)
	}
	do(m, press("?"))
	if got := screenOf(m); !strings.Contains(got, "esc back") || strings.Contains(got, "Readiness") {
		t.Errorf("an exercise's ? should list its keys and no pane legend (it has no panes):\n%s", got)
	}
	do(m, press("?"))
	do(m, press("esc"))
	if _, ok := m.active.(*homeScreen); !ok {
		t.Fatalf("esc from an exercise: active %T; want home", m.active)
	}
	if got := screenOf(m); !strings.Contains(got, "2 of 3 exercises passed") {
		t.Errorf("home did not reread the exercises on return:\n%s", got)
	}
}

// A long task scrolls in its viewport.
func TestExerciseTaskScrolls(t *testing.T) {
	long := fixtureExercises()[:1]
	var b strings.Builder
	b.WriteString("# Long\n")
	for i := range 50 {
		b.WriteString("\nStep " + itoa(i) + ".\n")
	}
	long[0].Task = b.String()
	m := homeWith(t, twoLessons(), func() []ExerciseInfo { return long }, 100, 30)
	do(m, openExerciseMsg{0})
	if got := screenOf(m); strings.Contains(got, "Step 49") {
		t.Fatalf("the whole task fits; want it taller than the screen")
	}
	for range 200 {
		m.Update(press("down"))
	}
	if got := screenOf(m); !strings.Contains(got, "Step 49") {
		t.Errorf("after ↓ the end of the task is not shown:\n%s", got)
	}
}

// With more items than rows, the list scrolls to keep the cursor in view,
// and the header and the progress line stay put; while rows are hidden
// below, the progress line says so.
func TestHomeListScrolls(t *testing.T) {
	var lessons []Lesson
	for i := range 15 {
		lessons = append(lessons, &fakeLesson{slug: "l" + itoa(i), title: "Lesson " + itoa(i+1), pages: []string{"# p"}})
	}
	var ex []ExerciseInfo
	for i := range 12 {
		ex = append(ex, ExerciseInfo{Name: "e" + itoa(i), Title: "Exercise " + itoa(i+1), Lesson: "l" + itoa(i)})
	}
	m := homeWith(t, lessons, func() []ExerciseInfo { return ex }, 80, 24)
	if got := screenOf(m); !strings.Contains(got, "↓ more below · progress:") {
		t.Errorf("at the top of a list taller than the screen, home does not say more is below:\n%s", got)
	}
	for range 26 { // to the last exercise
		m.Update(press("down"))
	}
	got := screenOf(m)
	checkSize(t, got, 80, 24)
	for _, want := range []string{"reactorlab — learn", "›", "Exercise 12", "0 of 12 exercises passed"} {
		if !strings.Contains(got, want) {
			t.Errorf("scrolled home lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "more below") {
		t.Errorf("at the end of the list, home says more is below:\n%s", got)
	}
	for range 26 {
		m.Update(press("up"))
	}
	if got := screenOf(m); !strings.Contains(got, "Lessons") || !strings.Contains(got, "› ·  1. Lesson 1") {
		t.Errorf("back at the top, home does not show the first lesson under the cursor:\n%s", got)
	}
}

// Opened straight on a lesson, the lab still learns the exercises (the
// list arrives while the lesson is showing), so enter on one works after
// esc even before home reads them again.
func TestExercisesArriveDuringLesson(t *testing.T) {
	m, err := NewApp(twoLessons(), "one", manual, WithStateDir(""), WithExercises(fixtureExercises))
	if err != nil {
		t.Fatal(err)
	}
	runCmds(m, m.Init())
	if got := len(m.c.exercises); got != 3 {
		t.Fatalf("after Init on a lesson: %d exercises known; want 3", got)
	}
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(goHomeMsg{})
	if got := screenOf(m); !strings.Contains(got, "01_drain") {
		t.Errorf("home lacks the exercises:\n%s", got)
	}
}
