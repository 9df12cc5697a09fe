package exercises

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// screen is what the watch UI is showing.
type screen int

const (
	screenExercise     screen = iota // the current exercise and its result
	screenList                       // pick an exercise
	screenConfirmReset               // "really reset?"
	screenSolution                   // the reference solution (only after passing)
)

var (
	titleStyle = lipgloss.NewStyle().Bold(true)
	passStyle  = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("2"))
	failStyle  = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("1"))
	faintStyle = lipgloss.NewStyle().Faint(true)
)

// watchModel is the bubbletea model of `reactorlab exercises watch`.
type watchModel struct {
	ctx       context.Context
	root      string
	statePath string
	grade     Grader

	st  State
	idx int // current exercise in All

	gen     int    // bumped when the exercise changes: older messages are stale
	snap    string // last seen snapshot of the exercise's files
	grading bool
	again   bool // files changed while grading: grade once more
	res     *Result
	err     error

	hints      []string
	hintErr    error
	hintsShown int

	screen   screen
	cursor   int // list cursor
	solution string
	scroll   int // solution scroll offset
	note     string
	width    int
	height   int
}

func newWatchModel(ctx context.Context, r *Runner, st State, idx int) watchModel {
	m := watchModel{ctx: ctx, root: r.root, statePath: r.statePath, grade: r.grade, st: st, idx: idx, width: 80, height: 24}
	m.enter(idx)
	return m
}

func (m watchModel) ex() Exercise { return All[m.idx] }

// enter switches to exercise i: forget the old result and hints, take a
// snapshot, remember it as current.
func (m *watchModel) enter(i int) {
	m.idx, m.gen = i, m.gen+1
	m.res, m.err, m.grading, m.again = nil, nil, false, false
	m.hints, m.hintErr = Hints(m.root, m.ex())
	m.hintsShown = 0
	m.snap = snapshot(m.ex().Dir(m.root))
	m.st.Current = m.ex().Name
	m.note = saveProgress(m.statePath, m.st)
}

// startGrading returns the command that grades the current exercise.
func (m *watchModel) startGrading() tea.Cmd {
	if m.grading {
		m.again = true
		return nil
	}
	m.grading = true
	return gradeCmd(m.ctx, m.grade, m.root, m.ex(), m.gen)
}

func (m watchModel) Init() tea.Cmd {
	return tea.Batch(gradeCmd(m.ctx, m.grade, m.root, m.ex(), m.gen), pollCmd(m.gen, m.ex().Dir(m.root)))
}

func (m watchModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case polledMsg:
		if msg.gen != m.gen {
			return m, nil // a poll loop for an exercise we left: let it die
		}
		next := pollCmd(m.gen, m.ex().Dir(m.root))
		if msg.snap != m.snap {
			m.snap = msg.snap
			return m, tea.Batch(next, m.startGrading())
		}
		return m, next
	case gradedMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.grading = false
		res := msg.res
		m.res, m.err = &res, msg.err
		if msg.err == nil && m.st.Done[m.ex().Name] != res.Passed {
			m.st.Done[m.ex().Name] = res.Passed
			m.note = saveProgress(m.statePath, m.st)
		}
		if m.again {
			m.again = false
			return m, m.startGrading()
		}
	case tea.KeyPressMsg:
		return m.key(msg.String())
	}
	return m, nil
}

// key handles one key press.
func (m watchModel) key(k string) (tea.Model, tea.Cmd) {
	if k == "ctrl+c" {
		return m, tea.Quit
	}
	switch m.screen {
	case screenConfirmReset:
		m.screen = screenExercise
		if k != "y" && k != "Y" {
			m.note = "Reset cancelled; your code is untouched."
			return m, nil
		}
		if err := Reset(m.root, m.ex()); err != nil {
			m.note = "Reset failed: " + err.Error()
			return m, nil
		}
		m.note = "Reset " + m.ex().Name + " to its shipped stub."
		m.snap = snapshot(m.ex().Dir(m.root))
		return m, m.startGrading()
	case screenList:
		switch k {
		case "up", "k":
			m.cursor = max(0, m.cursor-1)
		case "down", "j":
			m.cursor = min(len(All)-1, m.cursor+1)
		case "enter":
			m.screen = screenExercise
			if m.cursor != m.idx {
				m.enter(m.cursor)
				return m, tea.Batch(m.startGrading(), pollCmd(m.gen, m.ex().Dir(m.root)))
			}
		case "l", "esc":
			m.screen = screenExercise
		case "q":
			return m, tea.Quit
		}
		return m, nil
	case screenSolution:
		switch k {
		case "up", "k":
			m.scroll = max(0, m.scroll-1)
		case "down", "j", "space":
			// Stop at the last line, as View does, so ↑ answers at once.
			m.scroll = min(m.scroll+1, max(0, strings.Count(m.solution, "\n")))
		case "q":
			return m, tea.Quit
		default:
			m.screen = screenExercise
		}
		return m, nil
	}
	m.note = ""
	switch k {
	case "q":
		return m, tea.Quit
	case "h":
		switch {
		case m.hintErr != nil:
			m.note = "No hints: " + m.hintErr.Error()
		case m.hintsShown < len(m.hints):
			m.hintsShown++
		default:
			m.note = "That was the last hint. The tests' messages say what they expected."
		}
	case "n":
		if m.idx+1 >= len(All) {
			m.note = "This is the last exercise. Press l to pick another one."
			return m, nil
		}
		m.enter(m.idx + 1)
		return m, tea.Batch(m.startGrading(), pollCmd(m.gen, m.ex().Dir(m.root)))
	case "l":
		m.screen, m.cursor = screenList, m.idx
	case "r":
		m.screen = screenConfirmReset
	case "s":
		if m.res == nil || !m.res.Passed {
			m.note = "The reference solution unlocks once your tests pass."
			return m, nil
		}
		sol, err := Solution(m.root, m.ex())
		if err != nil {
			m.note = "Cannot read the solution: " + err.Error()
			return m, nil
		}
		m.solution, m.scroll, m.screen = sol, 0, screenSolution
	}
	return m, nil
}

func (m watchModel) View() tea.View {
	v := tea.NewView(fit(m.render(), m.width, m.height))
	v.AltScreen = true
	v.WindowTitle = "reactorlab exercises"
	return v
}

// render draws the current screen as plain text with a few styles.
func (m watchModel) render() string {
	var b strings.Builder
	ex := m.ex()
	fmt.Fprintf(&b, "%s  %s\n", titleStyle.Render(fmt.Sprintf("reactorlab exercises · %s — %s", ex.Name, ex.Title)),
		faintStyle.Render(ProgressBar(m.st.DoneCount(), len(All), 10)))
	switch m.screen {
	case screenList:
		b.WriteString("\nPick an exercise (↑/↓, enter; esc to go back):\n\n")
		for i, e := range All {
			cur, status := "  ", "pending"
			if i == m.cursor {
				cur = "> "
			}
			if m.st.Done[e.Name] {
				status = "done"
			}
			fmt.Fprintf(&b, "%s%d. %-9s %-16s %s\n", cur, i+1, "["+status+"]", e.Name, e.Title)
		}
		return b.String()
	case screenSolution:
		lines := strings.Split(m.solution, "\n")
		top := min(m.scroll, max(0, len(lines)-1))
		rows := max(3, m.height-4)
		end := min(len(lines), top+rows)
		fmt.Fprintf(&b, "\nReference solution (↑/↓ scroll, any other key to go back), lines %d–%d of %d:\n\n", top+1, end, len(lines))
		b.WriteString(strings.Join(lines[top:end], "\n"))
		return b.String()
	case screenConfirmReset:
		fmt.Fprintf(&b, "\nReset %s to the stub it shipped with? Your edits will be lost.\n\n  y = yes, reset it    any other key = no, keep my code\n", filesOf(ex))
		return b.String()
	}

	fmt.Fprintf(&b, "Edit %s and save: it is graded again automatically. Follows %s.\n\n", filesOf(ex), ex.Lesson)
	switch {
	case m.err != nil:
		b.WriteString(failStyle.Render("Could not grade: ") + m.err.Error() + "\n")
	case m.res == nil:
		b.WriteString("Grading… (running " + ex.GradeCommand() + ")\n")
	case m.res.Passed:
		b.WriteString(passStyle.Render("✓ PASS  ") + ex.Name + " " + m.res.Headline() + "\n")
		b.WriteString("Well done. Press s to compare with the reference solution, n for the next exercise.\n")
	default:
		b.WriteString(failStyle.Render("✗ FAIL  ") + ex.Name + ": " + m.res.Headline() + "\n\n")
		room := max(4, m.height-14-4*m.hintsShown)
		b.WriteString(m.res.Details(room) + "\n")
	}
	if m.grading && m.res != nil {
		b.WriteString(faintStyle.Render("grading again…") + "\n")
	}
	for i := 0; i < m.hintsShown && i < len(m.hints); i++ {
		fmt.Fprintf(&b, "\n%s\n%s\n", titleStyle.Render(fmt.Sprintf("Hint %d of %d", i+1, len(m.hints))), m.hints[i])
	}
	if m.note != "" {
		b.WriteString("\n" + m.note + "\n")
	}
	keys := "h hint · n next · l list · r reset · q quit"
	if m.res != nil && m.res.Passed {
		keys = "s solution · " + keys
	}
	b.WriteString("\n" + faintStyle.Render(keys))
	return b.String()
}

// fit wraps s to width columns and, if it is taller than height, drops lines
// above the last one (the key help) so the screen never scrolls.
func fit(s string, width, height int) string {
	s = lipgloss.Wrap(s, max(20, width), " ")
	lines := strings.Split(s, "\n")
	if height > 2 && len(lines) > height {
		lines = append(lines[:height-2], "…", lines[len(lines)-1])
	}
	return strings.Join(lines, "\n")
}
