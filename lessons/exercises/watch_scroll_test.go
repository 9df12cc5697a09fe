package exercises

import (
	"regexp"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// The solution screen stops scrolling at its last line, so ↑ after holding
// ↓ past the end moves the text at once instead of working off the extra
// presses first.
func TestWatchSolutionScrollStopsAtEnd(t *testing.T) {
	m := newTestWatch(t)
	m, _ = update(m, gradedMsg{gen: m.gen, res: Result{Exercise: "01_drain", Passed: true}})
	m, _ = press(t, m, "s")
	if m.screen != screenSolution {
		t.Fatalf("s after passing: screen %v; want the solution", m.screen)
	}
	top := func(m watchModel) string {
		got := regexp.MustCompile(`lines (\d+)–`).FindStringSubmatch(plain(m))
		if got == nil {
			t.Fatalf("solution view has no line range:\n%s", plain(m))
		}
		return got[1]
	}
	for range 5000 {
		m, _ = press(t, m, "down")
	}
	bottom := top(m)
	m, _ = update(m, tea.KeyPressMsg{Code: tea.KeyUp})
	if got := top(m); got == bottom {
		t.Errorf("↑ after scrolling past the end: first line still %s; want one line higher", got)
	}
}
