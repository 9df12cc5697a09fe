package visualizer

import (
	"regexp"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/glamour/v2"
	"charm.land/glamour/v2/styles"
)

// proseKey identifies one rendered Markdown document: which one (a
// lesson page, an exercise's task), at what width, in which style.
type proseKey struct {
	doc   string
	width int
	dark  bool
}

// proseCacheMax bounds the rendered-document cache (documents × widths).
const proseCacheMax = 64

// proseMsg delivers a rendered document from the render Cmd.
type proseMsg struct {
	key  proseKey
	text string
}

// proseCache keeps rendered documents across screens (reopening a lesson
// is instant) and remembers which are on their way. UI goroutine only.
type proseCache struct {
	done    map[proseKey]string
	pending map[proseKey]bool
}

func newProseCache() proseCache {
	return proseCache{done: map[proseKey]string{}, pending: map[proseKey]bool{}}
}

func (c *proseCache) put(msg proseMsg) {
	delete(c.pending, msg.key)
	if len(c.done) >= proseCacheMax { // many resizes: start over
		clear(c.done)
	}
	c.done[msg.key] = msg.text
}

// request returns the Cmd that renders md for k, unless it is cached or
// already on its way.
func (c *proseCache) request(k proseKey, md string) tea.Cmd {
	if _, ok := c.done[k]; ok || c.pending[k] {
		return nil
	}
	c.pending[k] = true
	return safeCmd(func() tea.Msg { return proseMsg{key: k, text: renderProse(md, k.width, k.dark)} })
}

// pager shows one rendered document in a bubbles viewport, as glow's
// pager does: the render (glamour, about 6 ms a page) runs in a Cmd and
// is cached by width and style; until it arrives the pager says so.
type pager struct {
	vp   viewport.Model
	want proseKey // the document it should show
	has  bool     // vp holds want's rendering
}

func newPager() pager {
	vp := viewport.New()
	vp.KeyMap = viewport.KeyMap{} // our KeyMap drives it: space, b and ←/→ mean other things here
	vp.MouseWheelEnabled = false
	return pager{vp: vp}
}

// show asks for document doc (Markdown md) at the pager's width in the
// current style; the Cmd renders it when it is not cached. A new document
// starts at its top; the same one at a new width keeps its place.
func (p *pager) show(c *common, doc, md string) tea.Cmd {
	k := proseKey{doc: doc, width: max(0, p.vp.Width()-1), dark: c.dark}
	if k == p.want && p.has {
		return nil
	}
	if k.doc != p.want.doc {
		p.vp.GotoTop()
	}
	p.want, p.has = k, false
	if text, ok := c.prose.done[k]; ok {
		p.vp.SetContent(text)
		p.has = true
		return nil
	}
	p.vp.SetContent("rendering…")
	return c.prose.request(k, md)
}

// rendered takes a render that arrived; other documents are ignored.
func (p *pager) rendered(msg proseMsg) {
	if msg.key == p.want {
		p.vp.SetContent(msg.text)
		p.has = true
	}
}

func (p *pager) setSize(w, h int) {
	p.vp.SetWidth(w)
	p.vp.SetHeight(h)
}

// overflows reports whether the document is taller than the pager, so
// the scroll keys have something to do.
func (p *pager) overflows() bool { return p.has && p.vp.TotalLineCount() > p.vp.Height() }

// more says where the rest of a document that overflows is (for a
// header), so a learner on a short terminal knows to scroll.
func (p *pager) more() string {
	switch {
	case !p.overflows():
		return ""
	case !p.vp.AtBottom():
		return "  ↓ more below (↓/pgdn)"
	}
	return "  ↑ more above"
}

// scroll moves the text by the scroll binding that matched.
func (p *pager) scroll(k *KeyMap, msg tea.KeyPressMsg) bool {
	switch {
	case key.Matches(msg, k.ScrollUp):
		p.vp.ScrollUp(1)
	case key.Matches(msg, k.ScrollDown):
		p.vp.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		p.vp.PageUp()
	case key.Matches(msg, k.PageDown):
		p.vp.PageDown()
	default:
		return false
	}
	return true
}

// lines is the visible part, one string per row.
func (p *pager) lines() []string { return strings.Split(p.vp.View(), "\n") }

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
		if out, err := r.Render(joinListLines(unquote(md))); err == nil {
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

// listItem matches the start of a Markdown list item: "- ", "* ", "+ ",
// "1. " or "1) ", possibly indented.
var listItem = regexp.MustCompile(`^\s*([-*+]|\d+[.)])\s`)

// joinListLines joins the source lines of each list item into one line.
// glamour keeps a list item's soft line breaks as hard ones, so an item
// wrapped in the source at 100 columns came out ragged at 60 (a paragraph
// is reflowed; a list item is not). Fenced code is left alone.
func joinListLines(md string) string {
	lines := strings.Split(md, "\n")
	out := lines[:0]
	inItem, inCode := false, false
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```"):
			inCode = !inCode
			inItem = false
		case inCode:
		case trimmed == "":
			inItem = false
		case listItem.MatchString(line):
			inItem = true
		case inItem && !strings.HasPrefix(trimmed, "#") && !strings.HasPrefix(trimmed, ">"):
			out[len(out)-1] += " " + trimmed
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
