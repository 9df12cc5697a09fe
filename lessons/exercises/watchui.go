package exercises

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// screen is what the watch UI is showing.
type screen int

const (
	screenExercise     screen = iota // the current exercise and its result
	screenList                       // pick an exercise; what check-all found
	screenConfirmReset               // "really reset?"
	screenSolution                   // the reference solution (only after passing)
	screenAllDone                    // every exercise passes
)

var (
	titleStyle = lipgloss.NewStyle().Bold(true)
	passStyle  = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("2"))
	failStyle  = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("1"))
	busyStyle  = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("3"))
	faintStyle = lipgloss.NewStyle().Faint(true)
)

// slot is the grading of one exercise: its latest run and latest result.
// A new run replaces (cancels) the one in progress, so a result always
// belongs to the files as last saved.
type slot struct {
	id      int                // the latest run; results of older ones are stale
	running bool               // that run has not reported yet
	cancel  context.CancelFunc // stops it
	res     *Result            // the latest result, nil before the first
	err     error              // the latest run could not grade
}

// watchModel is the bubbletea model of `reactorlab exercises watch`.
type watchModel struct {
	ctx       context.Context // ends when watch mode does: every run is cancelled
	runs      *inflight
	root      string
	statePath string
	grade     Grader

	st  State
	idx int // current exercise in All

	gen  int    // bumped when the exercise changes: polls for another one are stale
	snap string // last seen snapshot of the exercise's files

	// Grading state per exercise. The map and the slots are shared by every
	// copy of the model; only Update touches them.
	slots  map[string]*slot
	lastID *int

	checkQueue []string // exercises check-all has yet to grade; the first is being graded
	checkID    int      // the run check-all waits for

	hints      []string
	hintErr    error
	hintsShown int

	screen  screen
	cursor  int  // list cursor
	full    bool // the body shows go test's whole output, not the failures
	body    viewport.Model
	bodyKey string // what body holds; it is rebuilt only when this changes
	note    string
	width   int
	height  int
	dark    bool

	keys watchKeys
	help help.Model
	init tea.Cmd
}

func newWatchModel(ctx context.Context, r *Runner, st State, idx int, runs *inflight) watchModel {
	body := viewport.New()
	body.KeyMap = viewport.KeyMap{} // watchKeys drive it
	body.SoftWrap = true
	body.MouseWheelEnabled = false
	m := watchModel{ctx: ctx, runs: runs, root: r.root, statePath: r.statePath, grade: r.grade,
		st: st, idx: max(0, idx), slots: map[string]*slot{}, lastID: new(int),
		width: 80, height: 24, dark: true, body: body, keys: newWatchKeys(), help: help.New()}
	m.help.SetWidth(m.width)
	m.init = tea.Batch(m.enter(m.idx), tea.RequestBackgroundColor)
	m.refresh()
	return m
}

func (m watchModel) ex() Exercise { return All[m.idx] }

// cur is the current exercise's grading.
func (m watchModel) cur() *slot { return m.slot(m.ex().Name) }

func (m watchModel) slot(name string) *slot {
	s := m.slots[name]
	if s == nil {
		s = &slot{}
		m.slots[name] = s
	}
	return s
}

// enter switches to exercise i: its hints, a snapshot of its files, saved
// as current; it is graded unless a run is already under way, and polled.
func (m *watchModel) enter(i int) tea.Cmd {
	m.idx, m.gen = i, m.gen+1
	m.hints, m.hintErr = Hints(m.root, m.ex())
	m.hintsShown, m.full, m.screen = 0, false, screenExercise
	m.snap = snapshot(m.ex().Dir(m.root))
	m.st.Current = m.ex().Name
	m.note = saveProgress(m.statePath, m.st)
	m.body.GotoTop()
	cmds := []tea.Cmd{pollCmd(m.gen, m.ex().Dir(m.root))}
	if !m.cur().running {
		cmds = append(cmds, m.startGrading(m.ex()))
	}
	return tea.Batch(cmds...)
}

// startGrading grades ex, replacing a run of it in progress.
func (m *watchModel) startGrading(ex Exercise) tea.Cmd {
	s := m.slot(ex.Name)
	if s.cancel != nil {
		s.cancel()
	}
	*m.lastID++
	ctx, cancel := context.WithCancel(m.ctx)
	s.id, s.running, s.cancel = *m.lastID, true, cancel
	return gradeCmd(ctx, m.runs, m.grade, m.root, ex, s.id)
}

// checkAll grades every exercise, one after another.
func (m *watchModel) checkAll() tea.Cmd {
	m.screen, m.cursor = screenList, m.idx
	if len(m.checkQueue) > 0 {
		m.note = "Already checking every exercise."
		return nil
	}
	for _, ex := range All {
		m.checkQueue = append(m.checkQueue, ex.Name)
	}
	m.note = ""
	return m.checkNext()
}

// checkNext grades the first exercise check-all still has to, or, when
// none is left, says how it went.
func (m *watchModel) checkNext() tea.Cmd {
	if len(m.checkQueue) == 0 {
		m.note = fmt.Sprintf("Checked every exercise: %d of %d pass.", m.st.DoneCount(), len(All))
		if m.st.DoneCount() == len(All) {
			m.screen = screenAllDone
		}
		return nil
	}
	ex := All[index(m.checkQueue[0])]
	if s := m.slot(ex.Name); s.running { // the watched exercise, already under way
		m.checkID = s.id
		return nil
	}
	cmd := m.startGrading(ex)
	m.checkID = m.slot(ex.Name).id
	return cmd
}

func (m watchModel) Init() tea.Cmd { return m.init }

func (m watchModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
	case tea.BackgroundColorMsg:
		m.dark = msg.IsDark()
		m.help.Styles = help.DefaultStyles(m.dark)
	case polledMsg:
		if msg.gen != m.gen {
			return m, nil // a poll loop for an exercise we left: let it die
		}
		cmd = pollCmd(m.gen, m.ex().Dir(m.root))
		if msg.snap != m.snap {
			m.snap = msg.snap
			cmd = tea.Batch(cmd, m.startGrading(m.ex()))
		}
	case gradedMsg:
		cmd = m.graded(msg)
	case tea.KeyPressMsg:
		cmd = m.key(msg)
	}
	m.refresh()
	return m, cmd
}

// graded takes a finished run.
func (m *watchModel) graded(msg gradedMsg) tea.Cmd {
	var cmd tea.Cmd
	if s := m.slots[msg.name]; s != nil && s.id == msg.id {
		s.running, s.cancel = false, nil
		switch {
		case msg.err != nil && errors.Is(msg.err, context.Canceled):
			// watch mode is ending
		case msg.err != nil:
			s.res, s.err = nil, msg.err
		default:
			res := msg.res
			s.res, s.err = &res, nil
			allDone := m.st.DoneCount() == len(All)
			m.st.Record(All[index(msg.name)], res)
			if note := saveProgress(m.statePath, m.st); note != "" {
				m.note = note
			}
			if !allDone && m.st.DoneCount() == len(All) && len(m.checkQueue) == 0 && m.screen != screenSolution {
				m.screen = screenAllDone
			}
		}
	}
	if len(m.checkQueue) > 0 && m.checkQueue[0] == msg.name && msg.id == m.checkID {
		m.checkQueue = m.checkQueue[1:]
		cmd = m.checkNext()
	}
	return cmd
}

// key handles one key press: only the bindings updateKeys enabled for this
// screen match.
func (m *watchModel) key(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	if key.Matches(msg, k.Quit) {
		return tea.Quit
	}
	if m.screen == screenConfirmReset {
		m.screen = screenExercise
		if !key.Matches(msg, k.Yes) {
			m.note = "Reset cancelled; your code is untouched."
			return nil
		}
		if err := Reset(m.root, m.ex()); err != nil {
			m.note = "Reset failed: " + err.Error()
			return nil
		}
		m.note = "Reset " + m.ex().Name + " to its shipped stub."
		m.hintsShown = 0
		m.snap = snapshot(m.ex().Dir(m.root))
		m.st.Forget(m.ex())
		if note := saveProgress(m.statePath, m.st); note != "" {
			m.note = note
		}
		return m.startGrading(m.ex())
	}
	if m.screen == screenExercise {
		m.note = ""
	}
	switch {
	case m.screen == screenList && key.Matches(msg, k.Up):
		m.cursor = max(0, m.cursor-1)
	case m.screen == screenList && key.Matches(msg, k.Down):
		m.cursor = min(len(All)-1, m.cursor+1)
	case key.Matches(msg, k.Up):
		m.body.ScrollUp(1)
	case key.Matches(msg, k.Down):
		m.body.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		m.body.PageUp()
	case key.Matches(msg, k.PageDown):
		m.body.PageDown()
	case key.Matches(msg, k.Open):
		if m.cursor != m.idx {
			return m.enter(m.cursor)
		}
		m.screen = screenExercise
	case key.Matches(msg, k.Back):
		m.screen = screenExercise
	case key.Matches(msg, k.List):
		m.screen, m.cursor = screenList, m.idx
	case key.Matches(msg, k.Hint):
		switch {
		case m.hintErr != nil:
			m.note = "No hints: " + m.hintErr.Error()
		case m.hintsShown < len(m.hints):
			before := m.body.TotalLineCount()
			m.hintsShown++
			m.refresh()
			m.body.SetYOffset(before) // the new hint at the top

		default:
			m.note = "That was the last hint. The tests' messages say what they expected."
		}
	case key.Matches(msg, k.Next):
		return m.enter(m.idx + 1)
	case key.Matches(msg, k.Reset):
		m.screen = screenConfirmReset
	case key.Matches(msg, k.Solution):
		m.screen = screenSolution
		m.body.GotoTop()
	case key.Matches(msg, k.Check):
		return m.checkAll()
	case key.Matches(msg, k.Output):
		m.full = !m.full
		m.bodyKey = ""
		m.refresh()
		m.body.GotoTop()
	}
	return nil
}

// passed reports whether the current exercise's latest result passes and
// no newer run is under way.
func (m watchModel) passed() bool {
	s := m.cur()
	return !s.running && s.err == nil && s.res != nil && s.res.Passed
}

// updateKeys enables the bindings that do something on the screen shown:
// the solution only once the exercise passes, next not on the last
// exercise, the list's keys only on the list, scrolling only when the text
// overflows.
func (m *watchModel) updateKeys() {
	k := &m.keys
	for _, b := range k.all() {
		b.SetEnabled(false)
	}
	k.Quit.SetEnabled(true)
	showBody := m.screen == screenExercise || m.screen == screenSolution
	scroll := showBody && m.body.TotalLineCount() > m.body.Height()
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown} {
		b.SetEnabled(scroll)
	}
	switch m.screen {
	case screenExercise:
		s := m.cur()
		k.Hint.SetEnabled(true)
		k.Next.SetEnabled(m.idx+1 < len(All))
		k.List.SetEnabled(true)
		k.Reset.SetEnabled(true)
		k.Check.SetEnabled(true)
		k.Solution.SetEnabled(m.passed())
		k.Output.SetEnabled(s.res != nil && s.res.Log != "")
	case screenList:
		k.Up.SetEnabled(true)
		k.Down.SetEnabled(true)
		k.PageUp.SetEnabled(false)
		k.PageDown.SetEnabled(false)
		k.Open.SetEnabled(true)
		k.Check.SetEnabled(true)
		k.Back.SetEnabled(true)
	case screenConfirmReset:
		k.Yes.SetEnabled(true)
		k.Back.SetEnabled(true)
	case screenSolution:
		k.Back.SetEnabled(true)
	case screenAllDone:
		k.List.SetEnabled(true)
		k.Check.SetEnabled(true)
		k.Solution.SetEnabled(m.passed())
		k.Back.SetEnabled(true)
	}
	k.Up.SetHelp("↑/↓", "scroll")
	if m.screen == screenList {
		k.Up.SetHelp("↑/↓", "move")
	}
	k.Open.SetHelp("enter", "open")
	k.Back.SetHelp("esc", "back")
	k.List.SetHelp("l", "list")
	k.Solution.SetHelp("s", "solution")
	if m.screen == screenConfirmReset {
		k.Back.SetHelp("esc", "no, keep my code")
	}
	if m.full {
		k.Output.SetHelp("o", "the failures")
	} else {
		k.Output.SetHelp("o", "full output")
	}
}

// refresh brings the body's text, its size and the keys up to date.
func (m *watchModel) refresh() {
	showBody := m.screen == screenExercise || m.screen == screenSolution
	top, bottom := m.top(), m.bottom()
	h := 0
	if showBody {
		h = max(1, m.height-lipgloss.Height(top)-lipgloss.Height(bottom))
	}
	m.body.SetWidth(max(20, m.width))
	m.body.SetHeight(h)
	if showBody {
		if k := m.contentKey(); k != m.bodyKey {
			m.bodyKey = k
			m.body.SetContent(m.content())
		}
	}
	m.updateKeys()
	// The footer depends on the keys: measure again with them set.
	if showBody {
		m.body.SetHeight(max(1, m.height-lipgloss.Height(m.top())-lipgloss.Height(m.bottom())))
	}
}

// contentKey names what the body should hold.
func (m watchModel) contentKey() string {
	s := m.cur()
	return fmt.Sprintf("%d %d %d %p %v %v %d %v %d", m.screen, m.idx, s.id, s.res, s.running, s.err, m.hintsShown, m.full, m.width) +
		fmt.Sprint(m.dark)
}

// mdStyle is the glamour style for the terminal's background.
func (m watchModel) mdStyle() string {
	if m.dark {
		return styleDark
	}
	return styleLight
}

// content is the body's text: the solution, or the exercise's result and
// the hints shown so far.
func (m watchModel) content() string {
	if m.screen == screenSolution {
		sol, err := renderSolution(m.root, m.ex(), m.mdStyle())
		if err != nil {
			return "Cannot read the solution: " + err.Error()
		}
		return "\n" + sol
	}
	var b strings.Builder
	s := m.cur()
	if res := s.res; res != nil && (!res.Passed || m.full) && s.err == nil {
		if s.running {
			b.WriteString(faintStyle.Render("The previous run said (grading your change now):") + "\n\n")
		}
		if m.full {
			b.WriteString(faintStyle.Render("Everything go test printed (o for just the failures):") + "\n\n")
			b.WriteString(strings.Trim(res.Log, "\n"))
		} else {
			b.WriteString(res.Details(0))
			for _, f := range res.Failures[min(1, len(res.Failures)):] {
				fmt.Fprintf(&b, "\n\n%s\n%s", titleStyle.Render("── "+f.Test), strings.TrimSpace(dedent(f.Output)))
			}
		}
		b.WriteString("\n")
	}
	for i := 0; i < m.hintsShown && i < len(m.hints); i++ {
		fmt.Fprintf(&b, "\n%s\n%s\n", titleStyle.Render(fmt.Sprintf("Hint %d of %d", i+1, len(m.hints))),
			renderMarkdown(m.hints[i], max(20, m.width-2), m.mdStyle()))
	}
	// Tabs expanded and words wrapped here: the viewport would cut a word
	// in two, and a raw tab is as wide as the terminal decides.
	return lipgloss.Wrap(expandTabs(strings.TrimRight(b.String(), "\n")), max(20, m.width), " ")
}

// top is what the screen shows above the body.
func (m watchModel) top() string {
	var b strings.Builder
	ex := m.ex()
	fmt.Fprintf(&b, "%s  %s\n", titleStyle.Render(fmt.Sprintf("reactorlab exercises · %s — %s", ex.Name, ex.Title)),
		faintStyle.Render(ProgressBar(m.st.DoneCount(), len(All), 10)))
	switch m.screen {
	case screenList:
		b.WriteString("\nPick an exercise:\n\n")
		for i, e := range All {
			cur := "  "
			if i == m.cursor {
				cur = "> "
			}
			row := fmt.Sprintf("%s%d. %-16s %-28s %s", cur, i+1, e.Name, e.Title, m.listStatus(e))
			b.WriteString(ansi.Truncate(row, max(20, m.width), "…") + "\n") // one line each: enter shows the rest
		}
		if n := len(m.checkQueue); n > 0 {
			fmt.Fprintf(&b, "\n%s\n", busyStyle.Render(fmt.Sprintf("Checking every exercise: %d of %d to go…", n, len(All))))
		}
	case screenConfirmReset:
		fmt.Fprintf(&b, "\nReset %s to the stub it shipped with? Your edits will be lost.\n", filesOf(ex))
	case screenSolution:
		fmt.Fprintf(&b, "\nReference solution of %s: compare it with yours.\n", ex.Name)
	case screenAllDone:
		b.WriteString("\n" + passStyle.Render("All done: every exercise passes in this checkout.") + "\n\n")
		for i, e := range All {
			fmt.Fprintf(&b, "  ✓ %d. %-16s %s\n", i+1, e.Name, e.Title)
		}
		b.WriteString("\nCompare your code with the reference solutions (s for this one; all are in\n" +
			"solutions/), revisit a lesson with 'reactorlab lesson N', or press c to check\n" +
			"every exercise again.\n")
	default:
		fmt.Fprintf(&b, "Edit %s and save: it is graded again automatically. Follows %s.\n\n", filesOf(ex), ex.Lesson)
		b.WriteString(m.status() + "\n")
	}
	top := lipgloss.Wrap(strings.TrimRight(b.String(), "\n"), max(20, m.width), " ")
	if m.screen == screenExercise {
		top += "\n" // a blank line between the status and the text below
	}
	return top
}

// status is the current exercise's line: grading, pass or fail.
func (m watchModel) status() string {
	ex, s := m.ex(), m.cur()
	switch {
	case s.running:
		return busyStyle.Render("⟳ grading…  ") + faintStyle.Render(ex.GradeCommand())
	case s.err != nil:
		return failStyle.Render("Could not grade: ") + s.err.Error()
	case s.res == nil:
		return "Not graded yet."
	case s.res.Passed:
		next := "Press s to compare with the reference solution, n for the next exercise."
		if m.idx+1 >= len(All) {
			left := len(All) - m.st.DoneCount()
			next = fmt.Sprintf("This is the last exercise; %d still to do: press l to pick one.", left)
			if left == 0 {
				next = "Every exercise passes."
			}
		}
		return passStyle.Render("✓ PASS  ") + ex.Name + " " + s.res.Headline() + "\n" + next
	}
	return failStyle.Render("✗ FAIL  ") + ex.Name + ": " + s.res.Headline()
}

// listStatus is an exercise's state in the list.
func (m watchModel) listStatus(ex Exercise) string {
	s := m.slots[ex.Name]
	switch {
	case s != nil && s.running:
		return busyStyle.Render("grading…")
	case len(m.checkQueue) > 0 && contains(m.checkQueue, ex.Name):
		return faintStyle.Render("waiting")
	case s != nil && s.err != nil:
		return failStyle.Render("could not grade")
	case s != nil && s.res != nil && !s.res.Passed:
		return failStyle.Render("✗ ") + s.res.Headline()
	case m.st.Done[ex.Name]:
		return passStyle.Render("✓ done")
	}
	return "pending"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// bottom is the note and the footer: the keys that work here, cut to fit,
// with quit pinned at the right.
func (m watchModel) bottom() string {
	quit := m.help.ShortHelpView([]key.Binding{m.keys.Quit})
	sep := m.help.Styles.ShortSeparator.Render(m.help.ShortSeparator)
	left := m.help
	left.SetWidth(max(1, m.width-lipgloss.Width(quit)-lipgloss.Width(sep)))
	footer := quit
	if keys := left.ShortHelpView(m.keys.ShortHelp()); keys != "" {
		footer = keys + sep + quit
	}
	// help stops at the width only when its "…" fits too: cut what is left.
	footer = ansi.Truncate(footer, max(20, m.width), "")
	if m.note == "" {
		return footer
	}
	return lipgloss.Wrap(m.note, max(20, m.width), " ") + "\n" + footer
}

func (m watchModel) View() tea.View {
	top, bottom := m.top(), m.bottom()
	middle := m.body.View()
	if m.screen != screenExercise && m.screen != screenSolution {
		// Blank lines keep the footer at the bottom, where it always is.
		middle = strings.Repeat("\n", max(0, m.height-lipgloss.Height(top)-lipgloss.Height(bottom)-1))
	}
	parts := []string{top, middle, bottom}
	v := tea.NewView(fit(strings.Join(parts, "\n"), m.width, m.height))
	v.AltScreen = true
	v.WindowTitle = "reactorlab exercises"
	return v
}

// fit cuts s to height lines, keeping the last (the key help), so a screen
// too small for it never scrolls.
func fit(s string, width, height int) string {
	s = lipgloss.Wrap(s, max(20, width), " ")
	lines := strings.Split(s, "\n")
	if height > 2 && len(lines) > height {
		lines = append(lines[:height-2], "…", lines[len(lines)-1])
	}
	return strings.Join(lines, "\n")
}
