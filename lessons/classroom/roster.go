package classroom

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"charm.land/lipgloss/v2/table"
	"github.com/charmbracelet/x/ansi"
)

var (
	styleBold  = lipgloss.NewStyle().Bold(true)
	styleFaint = lipgloss.NewStyle().Faint(true)
)

// rosterCols are the roster's columns and their widths (0 = the rest of
// the line). Who is there first, where they are last: it is the longest.
var rosterCols = []struct {
	head  string
	width int
}{{"who", 22}, {"role", 7}, {"follows", 7}, {"idle", 6}, {"on for", 6}, {"in", 6}, {"out", 6}, {"where", 0}}

// rosterLines draws sessions as a table at most rows lines high (header
// included) and w cells wide; what does not fit is counted on the last
// line.
func rosterLines(sessions []SessionInfo, w, rows int) []string {
	if rows < 2 {
		return nil
	}
	n := len(sessions)
	if n > rows-1 {
		n = rows - 2 // a line for the count
	}
	heads := make([]string, len(rosterCols))
	for i, c := range rosterCols {
		heads[i] = c.head
	}
	t := table.New().Headers(heads...).
		BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
		BorderHeader(false).BorderColumn(false).StyleFunc(rosterStyle)
	for _, s := range sessions[:n] {
		role, follows := "student", "no"
		switch {
		case s.Teacher:
			role, follows = "teacher", "-"
		case s.Following:
			follows = "yes"
		}
		t.Row(ansi.Truncate(s.Who, rosterCols[0].width, "…"), role, follows, fmtDur(s.Idle), fmtDur(s.Connected),
			fmtBytes(s.In), fmtBytes(s.Out), s.Where)
	}
	lines := strings.Split(t.String(), "\n")
	for i, l := range lines {
		lines[i] = fitLine(strings.TrimRight(l, " "), w)
	}
	if len(sessions) == 0 {
		lines = append(lines, styleFaint.Render("  (nobody connected yet)"))
	}
	if n < len(sessions) {
		lines = append(lines, fmt.Sprintf("… %d more (%d in all)", len(sessions)-n, len(sessions)))
	}
	return lines
}

func rosterStyle(row, col int) lipgloss.Style {
	s := lipgloss.NewStyle().PaddingRight(1)
	if w := rosterCols[col].width; w > 0 {
		s = s.Width(w + 1)
	}
	if row == table.HeaderRow {
		s = s.Bold(true)
	}
	return s
}

// rosterView is the teacher's roster screen, w×h.
func rosterView(st Status, w, h int) string {
	follow := "follow me: off"
	if st.Follow {
		n := 0
		for _, s := range st.Sessions {
			if s.Following {
				n++
			}
		}
		follow = fmt.Sprintf("follow me: ON, %d following, to %s", n, st.Lead)
	}
	lines := []string{
		styleBold.Render("Class roster") + fmt.Sprintf(" — students: %d of %d · teachers: %d · %s",
			st.Students, st.Budget.MaxStudents, st.Teachers, follow),
		"",
	}
	lines = append(lines, rosterLines(st.Sessions, w, max(2, h-4))...)
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	lines = append(lines[:max(0, h-1)], styleFaint.Render("ctrl+f follow me on/off · esc or ctrl+r back to the lab · q quit"))
	return frame(lines, w, h)
}

// frame pads or cuts lines to exactly h rows of w cells.
func frame(lines []string, w, h int) string {
	var b strings.Builder
	for y := 0; y < h; y++ {
		if y > 0 {
			b.WriteByte('\n')
		}
		if y < len(lines) {
			b.WriteString(fitLine(lines[y], w))
		} else {
			b.WriteString(strings.Repeat(" ", max(0, w)))
		}
	}
	return b.String()
}

// fitLine cuts s to w cells or pads it to them.
func fitLine(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if n := lipgloss.Width(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}
