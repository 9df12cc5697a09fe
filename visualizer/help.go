package visualizer

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// helpView is the ? screen: the keys that work on the active screen (from
// home, every key, as a reference), the screen's notes (a lesson's
// injectors), then what the panes' glyphs mean.
func (m *App) helpView() string {
	k := m.active.keyMap()
	if _, home := m.active.(*homeScreen); home {
		k = DefaultKeyMap()
	}
	lines := []string{styleTitle.Render("Help") + " — press ? or esc to close", ""}
	lines = append(lines, m.keyColumns(k.FullHelp())...)
	if notes := m.active.helpNotes(); len(notes) > 0 {
		lines = append(lines, "")
		lines = append(lines, notes...)
	}
	var panes []PaneID // nil: every pane's legend
	if s, ok := m.active.(interface{ legendPanes() []PaneID }); ok {
		panes = s.legendPanes()
	}
	if l := legend(panes); len(l) > 0 {
		lines = append(lines, "")
		lines = append(lines, l...)
	}
	return frameLines(lines, m.w, max(0, m.h-footerRows))
}

// keyColumns lays the help groups out as bubbles' help does, one column
// per group, starting a new row of columns when the next would not fit
// (help.FullHelpView alone cuts it off with "…").
func (m *App) keyColumns(groups [][]key.Binding) []string {
	var out []string
	var row [][]key.Binding
	flush := func() {
		if len(row) > 0 {
			if len(out) > 0 {
				out = append(out, "")
			}
			out = append(out, strings.Split(m.help.FullHelpView(row), "\n")...)
			row = nil
		}
	}
	for _, g := range groups {
		if !anyEnabled(g) {
			continue
		}
		if len(row) > 0 && lipgloss.Width(m.help.FullHelpView(append(row, g))) > m.w {
			flush()
		}
		row = append(row, g)
	}
	flush()
	return out
}

func anyEnabled(g []key.Binding) bool {
	for _, b := range g {
		if b.Enabled() {
			return true
		}
	}
	return false
}

// legend explains the glyphs of panes (nil: of every pane), so a
// lesson's ? at 80×24 has room for its own panes. The cost plot's glyphs
// come from reactor.Backends, so a new backend shows up here by itself.
func legend(panes []PaneID) []string {
	rows := []struct {
		pane  PaneID
		lines []string
	}{
		{PaneReadiness, []string{
			"Readiness   I in (readable)  O out (writable)  B both  H hang-up  E error",
			"            N nval (fd closed)  ! stale (unwatched fd)  ✗ ended  . nothing"}},
		{PaneLoop, []string{"Loop        bars = share of each frame's time; S = stalled; cpu = of one core"}},
		{PaneCost, []string{
			"Cost plot   " + costLegend() + " in one cell;",
			"            median cost of recent non-blocking waits, per fds watched"}},
		{PaneChain, []string{
			"Chain       ✓ ran  ▶ paused here  · not run yet",
			"            [cb]/[eb] a function on that track  -- passthru"}},
		{PaneLatency, []string{
			"Latency     p50/p99 of replies in the last 5 s; strip: p99 (or the",
			"            longest wait) each second on a log scale, · = none"}},
		{PanePool, []string{"Pool        ■ busy worker  □ idle; queue strip: jobs waiting, per frame"}},
	}
	var out []string
	for _, r := range rows {
		if panes == nil || slices.Contains(panes, r.pane) {
			out = append(out, r.lines...)
		}
	}
	return out
}

// injectorNotes are the ? lines for a live view's injectors.
func injectorNotes(v *liveView) []string {
	if v == nil || len(v.injectors) == 0 {
		return nil
	}
	out := []string{styleHeader.Render("Injectors") + " (faults and fixes to try)"}
	for _, inj := range v.injectors {
		kind := ""
		if inj.Switch {
			kind = " [off]"
			if i, ok := v.live.(Injectable); ok && i.InjectorOn(inj.ID) {
				kind = " [ON]"
			}
		}
		out = append(out, "  "+padLeft(inj.Key, 5)+"  "+inj.ID+kind+": "+inj.Doc)
	}
	return out
}
