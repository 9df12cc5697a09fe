package visualizer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestHomeOpenLessonAndBack(t *testing.T) {
	dir := t.TempDir()
	lessons := twoLessons()
	m, err := NewApp(lessons, "", manual, WithStateDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	runCmds(m, m.Init())
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if _, ok := m.active.(*homeScreen); !ok {
		t.Fatalf("active screen = %T; want home", m.active)
	}
	do(m, press("enter"))
	ls, ok := m.active.(*lessonScreen)
	if !ok || ls.i != 0 {
		t.Fatalf("after enter: active screen %T; want lesson 0", m.active)
	}
	if ls.live == nil {
		t.Fatalf("after enter: no live view; start error %v", ls.startErr)
	}
	live := lessons[0].(*fakeLesson).live
	do(m, press("c"))
	do(m, press("b")) // not enabled in this lesson
	if got, want := live.Calls(), []string{"add active 10"}; !slices.Equal(got, want) {
		t.Errorf("calls = %q; want %q", got, want)
	}
	do(m, press("esc"))
	if _, ok := m.active.(*homeScreen); !ok {
		t.Errorf("after esc: active screen %T; want home", m.active)
	}
	if !live.closed || !live.src.closed {
		t.Errorf("after esc: live closed %v, subscription closed %v; want both", live.closed, live.src.closed)
	}
	b, err := os.ReadFile(filepath.Join(dir, "progress"))
	if err != nil || string(b) != "one\n" {
		t.Errorf("progress file = %q, %v; want %q", b, err, "one\n")
	}
	m2, _ := NewApp(lessons, "", manual, WithStateDir(dir))
	m2.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if got := screenOf(m2); !strings.Contains(got, "✓  1. One process") || !strings.Contains(got, "1 of 2 lessons visited") {
		t.Errorf("home after reload does not show lesson 1 visited:\n%s", got)
	}
}

func TestQuitClosesLive(t *testing.T) {
	lessons := twoLessons()
	m, _ := NewApp(lessons, "one", manual, WithStateDir(""))
	runCmds(m, m.Init())
	live := lessons[0].(*fakeLesson).live
	if quit := do(m, press("q")); !quit {
		t.Errorf("q did not quit")
	}
	if !live.closed {
		t.Errorf("q left the scenario running")
	}
}

func TestUnknownStartLesson(t *testing.T) {
	if _, err := NewApp(twoLessons(), "nope"); err == nil || !strings.Contains(err.Error(), "reactorlab lessons") {
		t.Errorf("NewApp(start=nope) error = %v; want one naming `reactorlab lessons`", err)
	}
	m, err := NewApp(twoLessons(), "2", manual, WithStateDir(""))
	if err != nil {
		t.Fatal(err)
	}
	if ls, ok := m.active.(*lessonScreen); !ok || ls.i != 1 {
		t.Errorf("NewApp(start=2) opens %T; want lesson index 1", m.active)
	}
}

// A lesson whose injector could never be pressed is refused up front.
func TestNewAppChecksInjectors(t *testing.T) {
	lessons := twoLessons()
	lessons[0].(*fakeLesson).injectors = []Injector{{ID: "oops", Key: "c", Help: "h", Doc: "d"}}
	if _, err := NewApp(lessons, ""); err == nil || !strings.Contains(err.Error(), `key "c" is already`) {
		t.Errorf("NewApp with an injector on c: error = %v; want the key clash named", err)
	}
}

// A scenario whose Start finishes after the program ended is closed, not
// leaked.
func TestStartAfterCloseIsClosed(t *testing.T) {
	lessons := twoLessons()
	live := newFakeLive()
	lessons[0].(*fakeLesson).live = live
	m, _ := NewApp(lessons, "one", manual, WithStateDir(""))
	cmd := m.Init()
	m.Close() // the program ended before the Start Cmd ran
	runCmds(m, cmd)
	if !live.closed {
		t.Errorf("Live started after Close was left running")
	}
	if ls := m.active.(*lessonScreen); ls.live != nil {
		t.Errorf("closed App adopted a Live")
	}
}

// Leaving a lesson before its scenario is up closes the scenario when it
// arrives, even if the learner has opened the same lesson again.
func TestStartForALessonLeftIsClosed(t *testing.T) {
	lessons := twoLessons()
	first := newFakeLive()
	lessons[0].(*fakeLesson).live = first
	m, _ := NewApp(lessons, "one", manual, WithStateDir(""))
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	late := collect(m.Init()) // the first visit's Start ran; its result is held back
	do(m, press("esc"))
	lessons[0].(*fakeLesson).live = newFakeLive()
	do(m, press("enter")) // open it again: its own scenario starts
	for _, msg := range late {
		do(m, msg) // the first Start's result arrives only now
	}
	if !first.closed {
		t.Errorf("the scenario of the lesson left was adopted or leaked; want it closed")
	}
	if ls := m.active.(*lessonScreen); ls.live == nil || ls.live.live == first {
		t.Errorf("the reopened lesson shows %v; want its own scenario", ls.live)
	}
}

// The footer names each key once: "? help • q quit" pinned at the right,
// never doubled (home used to print it twice).
func TestFooterNamesEachKeyOnce(t *testing.T) {
	home, _ := NewApp(twoLessons(), "", manual, WithStateDir(""))
	home.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	lesson := openLesson(t, twoLessons(), "one", 100, 30)
	dash := newDashboard(t, newFakeLive())
	dash.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	helpOpen := openLesson(t, twoLessons(), "one", 100, 30)
	helpOpen.Update(press("?"))
	for name, m := range map[string]*App{"home": home, "lesson": lesson, "dashboard": dash, "help": helpOpen} {
		foot := footerOf(m)
		for _, k := range []string{"q quit", "help"} {
			if n := strings.Count(foot, k); n != 1 {
				t.Errorf("%s footer %q names %q %d times; want once", name, foot, k, n)
			}
		}
	}
	if foot := footerOf(home); !strings.HasPrefix(foot, "↑ up • ↓ down • enter open • ? help • q quit") {
		t.Errorf("home footer = %q; want the list keys then ? and q", foot)
	}
}

// Below 80×24 every screen says so instead of drawing a broken layout, and
// comes back when the terminal grows.
func TestTooSmallEveryScreen(t *testing.T) {
	home, _ := NewApp(twoLessons(), "", manual, WithStateDir(""))
	lesson := openLesson(t, twoLessons(), "one", 100, 30)
	for name, m := range map[string]*App{"home": home, "lesson": lesson} {
		m.Update(tea.WindowSizeMsg{Width: 70, Height: 20})
		if got := screenOf(m); !strings.Contains(got, "now 70×20") {
			t.Errorf("%s at 70×20 = %q; want the too-small notice", name, got)
		}
		do(m, tea.WindowSizeMsg{Width: 80, Height: 24})
		got := screenOf(m)
		checkSize(t, got, 80, 24)
		if strings.Contains(got, "too small") {
			t.Errorf("%s at 80×24 still too small", name)
		}
	}
}

// GoToMsg moves the shell the way follow mode needs: into a lesson at a
// page, to another page of the open lesson (same scenario), and home;
// Place reports each.
func TestGoToAndPlace(t *testing.T) {
	lessons := twoLessons()
	m, err := NewApp(lessons, "", manual, WithStateDir(""))
	if err != nil {
		t.Fatal(err)
	}
	runCmds(m, m.Init())
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if got := m.Place(); got != (Place{}) {
		t.Errorf("Place() at home = %+v; want the zero Place", got)
	}
	do(m, GoToMsg{Lesson: "one", Page: 1})
	if got, want := m.Place(), (Place{Lesson: "one", Page: 1}); got != want {
		t.Fatalf("after GoTo one/1: Place() = %+v; want %+v", got, want)
	}
	if got := screenOf(m); !strings.Contains(got, "page 2/2") || !strings.Contains(got, "Second page") {
		t.Errorf("after GoTo one/1 the screen does not show page 2:\n%s", got)
	}
	live := lessons[0].(*fakeLesson).live
	do(m, GoToMsg{Lesson: "one", Page: 0})
	if got := screenOf(m); !strings.Contains(got, "page 1/2") {
		t.Errorf("after GoTo one/0 the screen does not show page 1:\n%s", got)
	}
	if live.closed {
		t.Errorf("a page move inside the open lesson restarted its scenario")
	}
	do(m, GoToMsg{Lesson: "two", Page: 7}) // past the end: clamped
	if got, want := m.Place(), (Place{Lesson: "two", Page: 0}); got != want {
		t.Errorf("after GoTo two/7: Place() = %+v; want %+v", got, want)
	}
	if !live.closed {
		t.Errorf("moving to another lesson left lesson one's scenario running")
	}
	do(m, GoToMsg{Lesson: "nope"})
	if got, want := m.Place(), (Place{Lesson: "two", Page: 0}); got != want {
		t.Errorf("after GoTo to an unknown lesson: Place() = %+v; want %+v (unchanged)", got, want)
	}
	do(m, press("esc"))
	cursorOn := ""
	for _, line := range strings.Split(screenOf(m), "\n") {
		if strings.Contains(line, "›") {
			cursorOn = line
		}
	}
	if !strings.Contains(cursorOn, "2. select()") {
		t.Errorf("esc after GoTo: cursor row %q; want lesson 2's", cursorOn)
	}
	do(m, GoToMsg{Lesson: "one"})
	do(m, GoToMsg{})
	if _, ok := m.active.(*homeScreen); !ok {
		t.Errorf("GoTo the zero Place: active screen %T; want home", m.active)
	}
}

// StatusMsg puts a line at the left of the footer, before the keys, and
// never pushes out "? help" and "q quit".
func TestStatusInFooter(t *testing.T) {
	m, _ := NewApp(twoLessons(), "", manual, WithStateDir(""))
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(StatusMsg("following the teacher · ctrl+f leaves " + strings.Repeat("x", 80)))
	lines := strings.Split(screenOf(m), "\n")
	foot := lines[len(lines)-1]
	if !strings.HasPrefix(foot, "following the teacher · ctrl+f leaves") || !strings.Contains(foot, "? help") || !strings.Contains(foot, "q quit") {
		t.Errorf("footer = %q; want the status first and ? help, q quit kept", foot)
	}
	m.Update(StatusMsg(""))
	lines = strings.Split(screenOf(m), "\n")
	if foot := lines[len(lines)-1]; strings.Contains(foot, "following") {
		t.Errorf("footer after StatusMsg(\"\") = %q; want the status gone", foot)
	}
}

// A lesson with a Number of its own is shown and found by it: a course
// may skip numbers while its lessons are written apart.
func TestLessonNumbers(t *testing.T) {
	lessons := twoLessons()
	lessons[1] = numberedLesson{lessons[1].(*fakeLesson), 8}
	m, err := NewApp(lessons, "8", manual, WithStateDir(""))
	if err != nil {
		t.Fatalf("NewApp(start 8) = %v; want lesson 8 found by its number", err)
	}
	runCmds(m, m.Init())
	do(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	if got := screenOf(m); !strings.Contains(got, "8. select(): fd sets") {
		t.Errorf("lesson header lacks its own number 8:\n%s", got)
	}
	if _, err := NewApp(lessons, "2", manual, WithStateDir("")); err == nil {
		t.Errorf("NewApp(start 2) = nil error; want none: lesson 2 is numbered 8")
	}
}

type numberedLesson struct {
	*fakeLesson
	n int
}

func (l numberedLesson) Number() int { return l.n }

// However the hints fall, the footer keeps "? help • q quit" at the right
// (bubbles' help overflows its width when neither the next item nor its
// "…" fits).
func TestFooterKeepsHelpAtEveryWidth(t *testing.T) {
	lessons := twoLessons()
	lessons[0].(*fakeLesson).injectors = testInjectors
	lessons[0].(*fakeLesson).controls = AllControls()
	m := openLesson(t, lessons, "one", 100, 30)
	for w := 80; w <= 140; w++ {
		m.Update(tea.WindowSizeMsg{Width: w, Height: 30})
		if foot := strings.TrimRight(footerOf(m), " "); !strings.HasSuffix(foot, "? help • q quit") {
			t.Errorf("footer at width %d = %q; want it to end with ? help • q quit", w, foot)
		}
	}
}

// When the keys a page asks for do not all fit the footer with their
// help, they are shown by name in one item rather than one of them cut;
// where they fit, each keeps its help.
func TestFooterShowsEveryAskedKey(t *testing.T) {
	long := []Injector{
		{ID: "cpu-bound", Key: "H", Help: "a cpu-bound handler that hashes", Doc: "d"},
		{ID: "sleep", Key: "S", Help: "a handler that sleeps in time.Sleep", Doc: "d"},
		{ID: "blocking-read", Key: "R", Help: "a handler blocked in read(2)", Doc: "d"},
		{ID: "lock-wait", Key: "M", Help: "a handler waiting for a mutex", Doc: "d"},
	}
	lesson := &fakeLesson{slug: "one", title: "Blocking",
		pages:     []string{"# Four ways\n\nTry: press `R`, then `M`, then `space`."},
		panes:     []PaneID{PaneStalls},
		controls:  []ControlID{CtlPause, CtlStep, CtlAddActive},
		injectors: long}
	for _, tc := range []struct {
		w       int
		compact bool
	}{{80, true}, {200, false}} {
		m := openLesson(t, []Lesson{lesson}, "one", tc.w, 30)
		foot := footerOf(m)
		if !strings.HasSuffix(strings.TrimRight(foot, " "), "? help • q quit") {
			t.Errorf("width %d: footer %q does not end with ? help • q quit", tc.w, foot)
		}
		words := strings.Fields(foot)
		for _, k := range []string{"R", "M", "space"} {
			if !slices.Contains(words, k) {
				t.Errorf("width %d: footer %q lacks %s, a key the page asks for", tc.w, foot, k)
			}
		}
		if got := strings.Contains(foot, "R M space as the text says"); got != tc.compact {
			t.Errorf("width %d: footer %q; want the asked keys in one item = %v", tc.w, foot, tc.compact)
		}
	}
}
