package visualizer

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// A long "Try this" prompt wraps like any paragraph at every prose width:
// every line fits, and no word is left alone on a line (glamour strands
// one when it wraps a quote).
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

// The pager shows a placeholder until its document is rendered, ignores
// renders of other documents, keeps a rendered one in the cache shared by
// screens, and starts a new document at its top.
func TestPager(t *testing.T) {
	c := newCommon(newConfig(nil), nil, loadProgress(""))
	p := newPager()
	p.setSize(40, 5)
	cmd := p.show(c, "a", "# A\n\none\n\ntwo\n\nthree\n\nfour\n\nfive")
	if cmd == nil || p.has || !strings.Contains(p.vp.View(), "rendering…") {
		t.Fatalf("show before rendering: cmd %v, has %v, view %q; want a render Cmd and the placeholder", cmd != nil, p.has, p.vp.View())
	}
	if again := p.show(c, "a", "# A"); again != nil {
		t.Errorf("show while the render is on its way started another")
	}
	msg := cmd().(proseMsg)
	p.rendered(proseMsg{key: proseKey{doc: "b", width: 39, dark: true}, text: "other"})
	if p.has {
		t.Errorf("a render of another document was taken")
	}
	c.prose.put(msg)
	p.rendered(msg)
	if !p.has || !strings.Contains(ansi.Strip(p.vp.View()), "one") {
		t.Fatalf("after the render: has %v, view %q", p.has, p.vp.View())
	}
	if !p.overflows() {
		t.Errorf("overflows() = false for a 5-row pager over %d lines", p.vp.TotalLineCount())
	}
	p.vp.ScrollDown(3)
	q := newPager()
	q.setSize(40, 5)
	if cmd := q.show(c, "a", "# A"); cmd != nil || !q.has {
		t.Errorf("a second pager on a cached document: cmd %v, has %v; want it shown at once", cmd != nil, q.has)
	}
	p.show(c, "b", "# B")
	if p.vp.YOffset() != 0 {
		t.Errorf("a new document opened at line %d; want its top", p.vp.YOffset())
	}
}

// A list item wrapped in the source is reflowed like a paragraph, not
// broken where the source broke it; code blocks keep their lines.
func TestJoinListLines(t *testing.T) {
	md := "Para\nstill para.\n\n1. builds a set (select overwrites\n   the set it is given);\n2. calls it\n- lazy\ncontinued\n\n```\n- a\n  b\n```\n"
	want := "Para\nstill para.\n\n1. builds a set (select overwrites the set it is given);\n2. calls it\n- lazy continued\n\n```\n- a\n  b\n```\n"
	if got := joinListLines(md); got != want {
		t.Errorf("joinListLines() =\n%s\nwant\n%s", got, want)
	}
}
