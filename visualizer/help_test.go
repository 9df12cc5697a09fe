package visualizer

import (
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestHelpToggle(t *testing.T) {
	m, _ := NewApp(twoLessons(), "", manual, WithStateDir(""))
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(press("?"))
	got := screenOf(m)
	if !strings.Contains(got, "I in (readable)") || !strings.Contains(got, "pause/resume") {
		t.Errorf("? did not show full help:\n%s", got)
	}
	m.Update(press("down"))
	if m.home.cursor != 0 {
		t.Errorf("down moved the hidden list while help was open")
	}
	m.Update(press("esc"))
	if m.showHelp {
		t.Errorf("esc did not close help")
	}
	m.Update(press("?"))
	m.Update(press("?"))
	if m.showHelp {
		t.Errorf("? did not close help")
	}
}

// The help screen opened in a lesson or the dashboard lists only keys that
// do something there: the dashboard has no pages, no prose and nowhere to
// go back to; a lesson has no list to move through or open. From home it
// is the reference for every key.
func TestHelpListsOnlyWorkingKeys(t *testing.T) {
	helpOf := func(m *App) string {
		m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
		m.Update(press("?"))
		return screenOf(m)
	}
	dash := newDashboard(t, newFakeLive())
	lesson := openLesson(t, twoLessons(), "one", 100, 30)
	home, _ := NewApp(twoLessons(), "", manual, WithStateDir(""))
	tests := []struct {
		name       string
		m          *App
		has, hasnt []string
	}{
		{"dashboard", dash, []string{"pause/resume", "quit"}, []string{"next page", "prev page", "scroll", "back", "open"}},
		{"lesson", lesson, []string{"next page", "back", "+10 active"}, []string{"open", "prev page", "next backend"}},
		{"home", home, []string{"open", "down", "next page", "scroll down", "pause/resume", "next backend"}, nil},
	}
	for _, tt := range tests {
		got := helpOf(tt.m)
		for _, s := range tt.has {
			if !strings.Contains(got, s) {
				t.Errorf("%s help lacks %q:\n%s", tt.name, s, got)
			}
		}
		for _, s := range tt.hasnt {
			if regexp.MustCompile(`\b` + s + `\b`).MatchString(got) {
				t.Errorf("%s help lists %q, a key that does nothing there:\n%s", tt.name, s, got)
			}
		}
	}
}

// Every help screen fits 80×24 whole: the keys, a lesson's injectors and
// the legend: every pane's from home, the lesson's own panes' in a lesson.
func TestHelpFits80x24(t *testing.T) {
	lessons := twoLessons()
	lessons[0].(*fakeLesson).injectors = testInjectors
	lessons[0].(*fakeLesson).controls = AllControls()
	home, _ := NewApp(lessons, "", manual, WithStateDir(""))
	lesson := openLesson(t, lessons, "one", 80, 24)
	for name, m := range map[string]*App{"home": home, "lesson": lesson} {
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		m.Update(press("?"))
		got := screenOf(m)
		checkSize(t, got, 80, 24)
		for _, want := range []string{"pause/resume", "drop clients", "Readiness   I in"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s help at 80×24 lacks %q:\n%s", name, want, got)
			}
		}
		// The lesson shows readiness and counters: no chain pane.
		if hasChain := strings.Contains(got, "Chain       ✓ ran"); hasChain != (name == "home") {
			t.Errorf("%s help at 80×24 explains the chain pane: %v; want %v:\n%s", name, hasChain, name == "home", got)
		}
		if name == "lesson" && !strings.Contains(got, "k  stall: a handler sleeps 300 ms") {
			t.Errorf("lesson help lacks its injector:\n%s", got)
		}
	}
}

// The legend's cost-plot glyphs come from reactor.Backends: a backend
// registered in a test is listed with its glyph.
func TestHelpLegendListsBackends(t *testing.T) {
	defer registerTestBackend()()
	m, _ := NewApp(twoLessons(), "", manual, WithStateDir(""))
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(press("?"))
	if got := screenOf(m); !strings.Contains(got, "t testpoll  * several") {
		t.Errorf("legend lacks the registered backend:\n%s", got)
	}
}
