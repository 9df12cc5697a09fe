package visualizer

import (
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// The help screen opened in a lesson or the dashboard lists only keys that
// do something there: the dashboard has no pages, no prose and nowhere to
// go back to; a lesson has no list to move through or open. From home it
// is the reference for every key.
func TestHelpListsOnlyWorkingKeys(t *testing.T) {
	helpOf := func(m *App) string {
		m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
		m.Update(press("?"))
		return ansi.Strip(m.View().Content)
	}
	dash := NewDashboard("d", newFakeLive(), manual, WithStateDir(""))
	lesson, _ := NewApp(twoLessons(), "one", manual, WithStateDir(""))
	runCmds(lesson, lesson.Init())
	home, _ := NewApp(twoLessons(), "", manual, WithStateDir(""))
	tests := []struct {
		name       string
		m          *App
		has, hasnt []string
	}{
		{"dashboard", dash, []string{"pause/resume", "quit"}, []string{"next page", "prev page", "scroll text", "back", "open"}},
		{"lesson", lesson, []string{"next page", "scroll text", "back", "+10 active"}, []string{"open"}},
		{"home", home, []string{"open", "down", "next page", "pause/resume"}, nil},
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
