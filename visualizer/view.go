package visualizer

import (
	"charm.land/lipgloss/v2"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// geometry of the lesson screen
const (
	headerRows = 1
	footerRows = 1
)

// proseWidth is the prose column's width (0 = no prose: dashboard).
func (m *App) proseWidth() int {
	if m.dashboard {
		return 0
	}
	if m.state == stateLesson && len(m.lessons[m.cur].Panes()) == 0 {
		return m.w
	}
	return max(36, min(72, m.w*2/5))
}

// resizeLive gives the live panes what the prose leaves.
func (m *App) resizeLive() {
	if m.live == nil {
		return
	}
	pw := m.proseWidth()
	if pw > 0 {
		pw++ // separator
	}
	m.live.SetSize(max(0, m.w-pw), max(0, m.h-headerRows-footerRows))
}

// ensureProse requests a render of the current page at the current width
// unless it is cached or already on its way.
func (m *App) ensureProse() tea.Cmd {
	if m.state != stateLesson || m.dashboard || m.w == 0 {
		return nil
	}
	pages := m.lessons[m.cur].Pages()
	if len(pages) == 0 {
		return nil
	}
	m.page = min(m.page, len(pages)-1)
	k := proseKey{slug: m.lessons[m.cur].Slug(), page: m.page, width: m.proseWidth() - 1, dark: m.dark}
	if _, ok := m.prose[k]; ok || m.pending[k] {
		return nil
	}
	m.pending[k] = true
	return renderProseCmd(k, pages[m.page])
}

// View draws the active screen, or the too-small notice.
func (m *App) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "reactorlab"
	if m.state == stateLesson && !m.dashboard {
		v.WindowTitle = "reactorlab — " + m.lessons[m.cur].Title()
	}
	return v
}

func (m *App) render() string {
	switch {
	case m.w == 0 || m.h == 0:
		return ""
	case m.w < minWidth || m.h < minHeight:
		return tooSmall(m.w, m.h)
	case m.showHelp:
		return m.helpView()
	case m.state == stateHome:
		return m.homeView()
	}
	return m.lessonView()
}

func tooSmall(w, h int) string {
	msg := []string{
		"terminal too small (need 80×24)",
		"now " + strconv.Itoa(w) + "×" + strconv.Itoa(h) + " — enlarge the window, or press q to quit",
	}
	var b strings.Builder
	for y := 0; y < h; y++ {
		if y > 0 {
			b.WriteByte('\n')
		}
		if i := y - h/2 + 1; i >= 0 && i < len(msg) {
			b.WriteString(fit(msg[i], w))
		}
	}
	return b.String()
}

// footer is the key hints for the current screen.
func (m *App) footer() string {
	k := &m.keys
	var bs []key.Binding
	switch {
	case m.showHelp:
		bs = []key.Binding{k.Help, k.Quit}
	case m.state == stateHome:
		bs = []key.Binding{k.Up, k.Down, k.Open, k.Help, k.Quit}
	default:
		if !m.dashboard {
			bs = append(bs, k.PrevPage, k.NextPage, k.Back)
		}
		if m.live != nil {
			bs = append(bs, k.liveBindings(m.live.controls)...)
		}
	}
	// "? help" and "q quit" are pinned at the right so a narrow terminal
	// cuts the live controls (all listed under ?) rather than the way to
	// find them or to leave.
	right := m.help.ShortHelpView([]key.Binding{k.Help, k.Quit})
	if len(bs) == 0 {
		return fit(right, m.w)
	}
	sep := m.help.ShortSeparator
	left := m.help
	left.SetWidth(max(0, m.w-lipgloss.Width(right)-lipgloss.Width(sep)))
	return fit(left.ShortHelpView(bs)+m.help.Styles.ShortSeparator.Render(sep)+right, m.w)
}

func (m *App) homeView() string {
	lines := []string{
		styleTitle.Render("reactorlab") + " — learn event-driven I/O by watching a real reactor",
		"",
	}
	visited := 0
	for i, l := range m.lessons {
		mark := "·"
		if m.prog.visited[l.Slug()] {
			mark = "✓"
			visited++
		}
		row := " " + mark + " " + padLeft(strconv.Itoa(i+1), 2) + ". " + l.Title()
		row = fit(row, min(44, m.w/2)) + " " + l.Summary()
		if i == m.cursor {
			lines = append(lines, styleCursor.Render(fit("›"+row, m.w)))
		} else {
			lines = append(lines, fit(" "+row, m.w))
		}
	}
	if len(m.lessons) == 0 {
		lines = append(lines, "  (no lessons)")
	}
	lines = append(lines, "", "progress: "+strconv.Itoa(visited)+" of "+strconv.Itoa(len(m.lessons))+
		" lessons visited (✓ visited, · not yet)")
	return m.frameScreen(lines)
}

// frameScreen pads body lines to the screen and adds the footer.
func (m *App) frameScreen(lines []string) string {
	var b strings.Builder
	body := m.h - footerRows
	for y := 0; y < body; y++ {
		if y < len(lines) {
			b.WriteString(fit(lines[y], m.w))
		}
		b.WriteByte('\n')
	}
	b.WriteString(m.footer())
	return b.String()
}

func (m *App) helpView() string {
	k := &m.keys
	ctl := AllControls
	if m.live != nil {
		ctl = m.live.controls
	}
	// From home: every key, as a reference. In a lesson or the dashboard:
	// only the keys that work there.
	var groups [][]key.Binding
	switch {
	case m.state == stateHome:
		groups = append(groups, []key.Binding{k.Up, k.Down, k.Open, k.Back},
			[]key.Binding{k.PrevPage, k.NextPage, k.ScrollUp, k.ScrollDown})
	case !m.dashboard:
		groups = append(groups, []key.Binding{k.PrevPage, k.NextPage, k.Back},
			[]key.Binding{k.ScrollUp, k.ScrollDown})
	}
	groups = append(groups, k.liveBindings(ctl), []key.Binding{k.Help, k.Quit})
	lines := []string{styleTitle.Render("Help") + " — press ? or esc to close", ""}
	lines = append(lines, strings.Split(m.help.FullHelpView(groups), "\n")...)
	lines = append(lines, "",
		"Live controls appear only in lessons that enable them.",
		"",
		"Readiness   I in (readable)  O out (writable)  B both  H hang-up",
		"            E error  . watched, nothing reported",
		"Loop        bar height = share of each frame's time; S = loop stalled",
		"Cost plot   s select  p poll  e epoll  * several in one cell;",
		"            median cost of recent non-blocking waits, per fds watched",
		"Chain       ✓ ran  ▶ paused here  · not run yet",
		"            [cb]/[eb] a function on that track  -- passthru",
	)
	return m.frameScreen(lines)
}

func (m *App) lessonView() string {
	bodyH := m.h - headerRows - footerRows
	var header string
	if m.dashboard {
		header = styleTitle.Render(m.title)
	} else {
		l := m.lessons[m.cur]
		header = styleTitle.Render(strconv.Itoa(m.cur+1)+". "+l.Title()) +
			"  page " + strconv.Itoa(m.page+1) + "/" + strconv.Itoa(max(1, len(l.Pages())))
	}
	pw := m.proseWidth()
	var left []string
	if pw > 0 {
		left = m.proseLines(pw, bodyH)
	}
	var right []string
	switch {
	case pw >= m.w:
	case m.live != nil:
		right = strings.Split(m.live.View(), "\n")
	case m.startErr != nil:
		right = []string{styleError.Render("✗ could not start the scenario:"), m.startErr.Error()}
	case m.starting:
		right = []string{"starting the scenario…"}
	}
	var b strings.Builder
	b.WriteString(fit(header, m.w))
	b.WriteByte('\n')
	rw := m.w - pw
	if pw > 0 {
		rw--
	}
	for y := 0; y < bodyH; y++ {
		if pw > 0 {
			if y < len(left) {
				b.WriteString(fit(left[y], pw))
			} else {
				b.WriteString(strings.Repeat(" ", pw))
			}
			if rw > 0 {
				b.WriteString("│")
			}
		}
		if rw > 0 {
			if y < len(right) {
				b.WriteString(fit(right[y], rw))
			} else {
				b.WriteString(strings.Repeat(" ", rw))
			}
		}
		b.WriteByte('\n')
	}
	b.WriteString(m.footer())
	return b.String()
}

// clampScroll limits scroll to the last position that still fills the
// prose column with the current page as rendered at the current width
// (unchanged while the page is not rendered yet). Update clamps; View only
// reads, so keys that arrive faster than frames cannot scroll past the end.
func (m *App) clampScroll(scroll int) int {
	pw := m.proseWidth()
	if m.state != stateLesson || m.dashboard || pw <= 0 {
		return scroll
	}
	l := m.lessons[m.cur]
	lines, ok := m.prose[proseKey{slug: l.Slug(), page: m.page, width: pw - 1, dark: m.dark}]
	if !ok {
		return scroll
	}
	return min(scroll, max(0, len(lines)-(m.h-headerRows-footerRows)))
}

// proseLines is the visible slice of the rendered page.
func (m *App) proseLines(pw, h int) []string {
	l := m.lessons[m.cur]
	if len(l.Pages()) == 0 {
		return []string{"(this lesson has no text)"}
	}
	k := proseKey{slug: l.Slug(), page: m.page, width: pw - 1, dark: m.dark}
	lines, ok := m.prose[k]
	if !ok {
		return []string{"rendering…"}
	}
	lines = lines[min(m.scroll, max(0, len(lines)-h)):]
	if len(lines) > h {
		lines = lines[:h]
	}
	return lines
}
