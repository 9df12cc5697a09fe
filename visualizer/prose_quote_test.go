package visualizer

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestProseTryPromptsWrapCleanly checks that a long "Try this" prompt
// wraps like any paragraph at every prose width: every line fits, and no
// word is left alone on a line (glamour strands one when it wraps a quote).
func TestProseTryPromptsWrapCleanly(t *testing.T) {
	md := "## Page\n\n> **Try this:** press `c` to add 10 clients that connect over loopback TCP and type a line every second or so. Watch rows appear.\n"
	for width := 30; width <= 100; width++ {
		out := ansi.Strip(renderProse(md, width, true))
		if !strings.Contains(out, "▶ Try this:") {
			t.Fatalf("width %d: prompt not rendered as \"▶ Try this:\"; output:\n%s", width, out)
		}
		lines := strings.Split(out, "\n")
		for i, line := range lines {
			if w := ansi.StringWidth(line); w > width {
				t.Fatalf("width %d: line %q is %d wide", width, line, w)
			}
			words := strings.Fields(line)
			if len(words) == 1 && i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
				t.Fatalf("width %d: %q stranded on a line of its own; output:\n%s", width, words[0], out)
			}
		}
	}
}
