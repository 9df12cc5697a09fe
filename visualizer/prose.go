package visualizer

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/glamour/v2"
	"charm.land/glamour/v2/styles"
)

// proseKey identifies one rendered page.
type proseKey struct {
	slug  string
	page  int
	width int
	dark  bool
}

// proseCacheMax bounds the rendered-page cache (pages × widths).
const proseCacheMax = 64

// proseMsg delivers a rendered page from the render Cmd.
type proseMsg struct {
	key  proseKey
	text string
}

// renderProseCmd renders one Markdown page with glamour off the Update
// path (about 6 ms a page); the result is cached by (page, width, style).
func renderProseCmd(k proseKey, md string) tea.Cmd {
	return safeCmd(func() tea.Msg { return proseMsg{key: k, text: renderProse(md, k.width, k.dark)} })
}

// renderProse renders md wrapped to width; on failure it falls back to the
// raw Markdown so the learner always gets the text.
func renderProse(md string, width int, dark bool) string {
	style := styles.DarkStyle
	if !dark {
		style = styles.LightStyle
	}
	width = max(20, width)
	r, err := glamour.NewTermRenderer(glamour.WithStandardStyle(style), glamour.WithWordWrap(width))
	if err == nil {
		if out, err := r.Render(unquote(md)); err == nil {
			return strings.Trim(out, "\n")
		}
	}
	return md
}

// unquote turns each blockquote line ("> ...", the lessons' "Try this"
// prompts) into a plain paragraph that starts with "▶ ". glamour wraps a
// quote's text to the full width and only then adds its "│ " bar, so a
// line that just fits spills a lone word outside the quote; a plain
// paragraph wraps cleanly at every width.
func unquote(md string) string {
	lines := strings.Split(md, "\n")
	for i, line := range lines {
		if text, ok := strings.CutPrefix(line, "> "); ok {
			lines[i] = "▶ " + text
		}
	}
	return strings.Join(lines, "\n")
}
