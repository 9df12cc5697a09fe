package visualizer

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// TestScrollUpFromOverscroll presses ↓ far past the end of a long page and
// then ↑ once, with no View in between (keys can arrive faster than
// frames): the text must move up one line. Clamping only in View left the
// extra presses in the model, so ↑ appeared to do nothing.
func TestScrollUpFromOverscroll(t *testing.T) {
	var page strings.Builder
	page.WriteString("# Long page\n")
	for i := range 60 {
		page.WriteString("\nParagraph " + itoa(i) + ".\n")
	}
	lessons := []Lesson{&fakeLesson{slug: "long", title: "Long", pages: []string{page.String()}}}
	view := func(ups int) string {
		m, err := NewApp(lessons, "long", manual, WithStateDir(""))
		if err != nil {
			t.Fatal(err)
		}
		runCmds(m, m.Init())
		runCmds(m, m.Update2(tea.WindowSizeMsg{Width: 100, Height: 30}))
		for range 500 {
			m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
		}
		for range ups {
			m.Update(tea.KeyPressMsg{Code: tea.KeyUp})
		}
		return ansi.Strip(m.View().Content)
	}
	bottom, oneUp := view(0), view(1)
	if !strings.Contains(bottom, "Paragraph 59") {
		t.Fatalf("after many ↓ the last paragraph is not shown")
	}
	if oneUp == bottom {
		t.Errorf("↑ after scrolling past the end: view unchanged; want the text one line higher")
	}
}
