package visualizer

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Minimum terminal size; below it the App shows a notice instead.
const (
	minWidth  = 80
	minHeight = 24
)

// footerRows is the key-hint line under every screen.
const footerRows = 1

// App is the root tea.Model. It routes, in the manner of glow's ui.go: it
// handles what is global (the window size, quit, the ? screen, the
// too-small notice, the footer, moving between screens) and hands every
// other message to the one screen showing — home, a lesson, an exercise or
// (NewDashboard) the all-panes dashboard over a single Live.
type App struct {
	c        *common
	home     *homeScreen // nil for a dashboard
	active   screen
	keys     KeyMap // Quit and Help: the only keys the App takes itself
	help     help.Model
	showHelp bool
	status   string // StatusMsg: shown at the left of the footer
	w, h     int
}

// screen is one child model of the App. Its methods run on the UI
// goroutine; I/O and anything slow go in the Cmds they return.
type screen interface {
	update(msg tea.Msg) tea.Cmd
	// setSize gives the screen w×h cells (the footer is the App's); it may
	// return a Cmd, e.g. to render prose at the new width.
	setSize(w, h int) tea.Cmd
	// view draws exactly the size last set.
	view() string
	// keyMap is what works on the screen now: its ShortHelp is the
	// footer, its FullHelp the ? screen.
	keyMap() KeyMap
	// helpNotes are lines for the ? screen under the keys.
	helpNotes() []string
	// title names the screen in the window title ("" = just the lab's).
	title() string
	// leave is called when the screen is left or the program quits.
	leave() tea.Cmd
}

// common is what the App shares with its screens (glow's commonModel).
type common struct {
	cfg       *config
	lessons   []Lesson
	exercises []ExerciseInfo
	prog      *progress
	prose     proseCache
	dark      bool
	gen       int // bumped whenever a lesson opens: a Start result for an older one is closed
	starts    startTracker
}

// Navigation between screens travels as messages, as in glow.
type (
	openLessonMsg   struct{ i int }
	openExerciseMsg struct{ i int }
	goHomeMsg       struct{}
)

func navCmd(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// NewApp builds the lesson shell. start is "" for home, else a lesson slug
// or its 1-based number. It refuses lessons whose injectors could never be
// pressed (see Lesson.Injectors).
func NewApp(lessons []Lesson, start string, opts ...Option) (*App, error) {
	for _, l := range lessons {
		if err := checkInjectors("lesson "+l.Slug(), l.Injectors()); err != nil {
			return nil, err
		}
	}
	cfg := newConfig(opts)
	c := newCommon(cfg, lessons, loadProgress(progressPath(cfg)))
	m := newApp(c)
	m.home = newHomeScreen(c)
	m.active = m.home
	if start != "" {
		i := findLesson(lessons, start)
		if i < 0 {
			return nil, fmt.Errorf("no lesson %q: run `reactorlab lessons` for the list", start)
		}
		m.home.cursor = i
		m.active = newLessonScreen(c, i)
	}
	return m, nil
}

// NewDashboard builds the all-panes view over one running Live (used by
// `reactorlab serve`), with every control and the injectors given by
// WithInjectors. Closing the program does not close live; the caller owns
// it.
func NewDashboard(title string, live Live, opts ...Option) (*App, error) {
	cfg := newConfig(opts)
	if err := checkInjectors("dashboard", cfg.injectors); err != nil {
		return nil, err
	}
	m := newApp(newCommon(cfg, nil, loadProgress("")))
	m.active = newDashboardScreen(m.c, title, live)
	return m, nil
}

func newCommon(cfg *config, lessons []Lesson, prog *progress) *common {
	return &common{cfg: cfg, lessons: lessons, prog: prog, dark: true, prose: newProseCache()}
}

func newApp(c *common) *App {
	m := &App{c: c, keys: DefaultKeyMap(), help: help.New()}
	m.help.Styles = help.DefaultStyles(true)
	return m
}

// findLesson resolves a slug or a 1-based number.
func findLesson(lessons []Lesson, s string) int {
	if i := slices.IndexFunc(lessons, func(l Lesson) bool { return l.Slug() == s }); i >= 0 {
		return i
	}
	if n, err := strconv.Atoi(s); err == nil {
		return slices.IndexFunc(lessons, func(l Lesson) bool { return lessonNumber(lessons, l) == n })
	}
	return -1
}

// lessonNumber is l's number in the course: its Number() if it has one
// (a course may skip numbers while its lessons are written apart), else
// its place in lessons, from 1.
func lessonNumber(lessons []Lesson, l Lesson) int {
	if n, ok := l.(interface{ Number() int }); ok && n.Number() > 0 {
		return n.Number()
	}
	return slices.Index(lessons, l) + 1
}

// Init starts the frame tick (the only tick: re-armed in Update), asks the
// terminal's background colour, and opens the first screen.
func (m *App) Init() tea.Cmd {
	cmds := []tea.Cmd{m.c.cfg.tickCmd(), tea.RequestBackgroundColor}
	if m.home != nil {
		cmds = append(cmds, m.home.refresh())
	}
	if ls, ok := m.active.(*lessonScreen); ok {
		cmds = append(cmds, ls.open())
	}
	if ds, ok := m.active.(*demoScreen); ok {
		cmds = append(cmds, ds.open())
	}
	return tea.Batch(cmds...)
}

// Update handles what is global and routes the rest to the active screen.
func (m *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		return m, m.active.setSize(m.w, max(0, m.h-footerRows))
	case tea.BackgroundColorMsg:
		m.c.dark = msg.IsDark()
		m.help.Styles = help.DefaultStyles(m.c.dark)
		return m, m.active.setSize(m.w, max(0, m.h-footerRows)) // prose in the other style
	case tickMsg:
		return m, tea.Batch(m.active.update(msg), m.c.cfg.tickCmd())
	case proseMsg:
		m.c.prose.put(msg)
		return m, m.active.update(msg)
	case liveStartedMsg:
		return m, m.onStarted(msg)
	case openLessonMsg:
		return m, m.open(newLessonScreen(m.c, msg.i))
	case openExerciseMsg:
		if msg.i < 0 || msg.i >= len(m.c.exercises) {
			return m, nil
		}
		return m, m.open(newExerciseScreen(m.c, msg.i))
	case exercisesMsg:
		if m.home == nil {
			return m, nil
		}
		return m, m.home.update(msg) // even when it arrives while a lesson is open
	case goHomeMsg:
		if m.home == nil {
			return m, nil
		}
		return m, tea.Batch(m.open(m.home), m.home.refresh())
	case GoToMsg:
		return m, m.goTo(Place(msg))
	case StatusMsg:
		m.status = string(msg)
		return m, nil
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	}
	return m, m.active.update(msg)
}

// Place is where the learner is in the shell: which lesson, which page.
// The classroom's roster shows it and its follow mode moves students to
// the teacher's.
type Place struct {
	Lesson string // slug of the open lesson; "" when none is (home, an exercise)
	Page   int    // 0-based page of that lesson
}

// Place reports where the learner is now. Like Update it belongs to the
// program's goroutine: a model that wraps the App calls it from its own
// Update.
func (m *App) Place() Place {
	if ls, ok := m.active.(*lessonScreen); ok {
		return Place{Lesson: ls.l.Slug(), Page: ls.page}
	}
	return Place{}
}

// GoToMsg moves the shell to a place as the learner's own keys would:
// the lesson opens (its scenario starts) unless it is open already, and
// shows the page (clamped to the lesson's). An empty Lesson goes home; an
// unknown one does nothing. The classroom sends it to follow the teacher.
type GoToMsg Place

// StatusMsg sets a short line shown at the left of the footer, before the
// key hints ("" clears it). A program embedding the App uses it for its
// own state, as the classroom does for "following the teacher".
type StatusMsg string

// goTo is GoToMsg's work.
func (m *App) goTo(p Place) tea.Cmd {
	if p.Lesson == "" {
		if m.home == nil {
			return nil
		}
		if _, ok := m.active.(*homeScreen); ok {
			return nil
		}
		return tea.Batch(m.open(m.home), m.home.refresh())
	}
	i := findLesson(m.c.lessons, p.Lesson)
	if i < 0 {
		return nil
	}
	m.showHelp = false
	if ls, ok := m.active.(*lessonScreen); ok && ls.i == i {
		if ls.page == p.Page {
			return nil
		}
		ls.page = p.Page
		cmd := ls.showPage()
		ls.updateKeys()
		return cmd
	}
	if m.home != nil {
		m.home.cursor = i // esc comes back to it
		m.home.scrollToCursor()
	}
	ls := newLessonScreen(m.c, i)
	ls.page = p.Page // clamped by showPage when open sizes it
	return m.open(ls)
}

// open makes s the active screen, leaving the one before.
func (m *App) open(s screen) tea.Cmd {
	cmds := []tea.Cmd{m.active.leave()}
	m.active = s
	m.showHelp = false
	cmds = append(cmds, s.setSize(m.w, max(0, m.h-footerRows)))
	if ls, ok := s.(*lessonScreen); ok {
		cmds = append(cmds, ls.open())
	}
	return tea.Batch(cmds...)
}

// onStarted hands a started scenario to the lesson that asked for it, or
// closes it when the learner has already left that lesson.
func (m *App) onStarted(msg liveStartedMsg) tea.Cmd {
	if msg.live != nil {
		m.c.starts.untrack(msg.live)
	}
	if ls, ok := m.active.(*lessonScreen); ok && ls.gen == msg.gen {
		return ls.started(msg)
	}
	if msg.live != nil {
		live := msg.live
		return safeCmd(func() tea.Msg { _ = live.Close(); return nil })
	}
	return nil
}

func (m *App) onKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Quit):
		return tea.Sequence(m.active.leave(), tea.Quit)
	case key.Matches(msg, m.keys.Help):
		m.showHelp = !m.showHelp
		return nil
	case m.showHelp:
		if msg.String() == "esc" {
			m.showHelp = false
		}
		return nil // the help screen takes no other keys
	}
	return m.active.update(msg)
}

// Close releases whatever is still open (RunApp and RunDashboard call it
// after the program ends, whatever the reason): a scenario whose Start had
// not returned yet, the open lesson's, the dashboard's trace subscription.
func (m *App) Close() {
	m.c.starts.shutdown()
	switch s := m.active.(type) {
	case *lessonScreen:
		s.closeNow()
	case *dashboardScreen:
		s.leave() // the Live is the caller's
	case *demoScreen:
		s.closeNow()
	}
}

// View draws the active screen (or ?, or the too-small notice) and the
// footer.
func (m *App) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "reactorlab"
	if t := m.active.title(); t != "" {
		v.WindowTitle += " — " + t
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
		return m.helpView() + "\n" + m.footer()
	}
	return m.active.view() + "\n" + m.footer()
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

// footerer is a screen that writes its own footer: the demo player
// shows one key hint, not the lab's list.
type footerer interface {
	footer(h help.Model, w int) string
}

// closeHelp is the footer's hint on the ? screen.
var closeHelp = key.NewBinding(key.WithKeys("esc", "?"), key.WithHelp("esc/?", "close help"))

// footer is the key hints of the active screen. "? help" and "q quit" are
// pinned at the right, so a narrow terminal cuts the screen's keys (all
// listed under ?) rather than the way to find them or to leave.
func (m *App) footer() string {
	if m.showHelp {
		return fit(m.help.ShortHelpView([]key.Binding{closeHelp, m.keys.Quit}), m.w)
	}
	if f, ok := m.active.(footerer); ok {
		return f.footer(m.help, m.w)
	}
	right := m.help.ShortHelpView([]key.Binding{m.keys.Help, m.keys.Quit})
	sep := m.help.ShortSeparator
	status := ""
	if m.status != "" { // at most half the line: the keys still show
		status = styleTitle.Render(fit(m.status, min(width(m.status), m.w/2))) + m.help.Styles.ShortSeparator.Render(sep)
	}
	room := max(0, m.w-lipgloss.Width(status)-lipgloss.Width(right)-lipgloss.Width(sep))
	km := m.active.keyMap()
	hints := m.hintsIn(km.ShortHelp(), room)
	if _, asked, _ := km.shortHelpParts(); !showsAll(hints, asked) {
		// The keys the page asks for did not all fit with their help:
		// show them by name only, in one item, rather than cut one.
		hints = m.hintsIn(km.shortHelpCompact(), room)
	}
	if hints == "" {
		return fit(status+right, m.w)
	}
	return fit(status+hints+m.help.Styles.ShortSeparator.Render(sep)+right, m.w)
}

// hintsIn renders bindings as footer hints in at most room cells.
func (m *App) hintsIn(bindings []key.Binding, room int) string {
	h := m.help
	h.SetWidth(room)
	hints := h.ShortHelpView(bindings)
	// bubbles' help adds an item that does not fit when its "…" would
	// not fit either, overflowing the width (and pushing "? help" off):
	// ask again with a little less room until it fits.
	for w := room - 1; lipgloss.Width(hints) > room && w > 0; w-- {
		h.SetWidth(w)
		hints = h.ShortHelpView(bindings)
	}
	return hints
}

// showsAll reports whether every binding's help key stands in the
// rendered hints as a word of its own.
func showsAll(hints string, bindings []key.Binding) bool {
	words := strings.Fields(ansi.Strip(hints))
	for _, b := range bindings {
		if !slices.Contains(words, b.Help().Key) {
			return false
		}
	}
	return true
}

// frameLines pads lines (cut to w×h) into exactly h rows of w cells.
func frameLines(lines []string, w, h int) string {
	var b strings.Builder
	for y := 0; y < h; y++ {
		if y > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(fit(lineAt(lines, y), w))
	}
	return b.String()
}

// lineAt is lines[y], or "" past the end.
func lineAt(lines []string, y int) string {
	if y < len(lines) {
		return lines[y]
	}
	return ""
}

// startTracker remembers scenarios started by a Cmd but not yet handed to
// Update. If the program ends first, shutdown closes them, so quitting
// during a slow Start never leaks a running reactor.
type startTracker struct {
	mu      sync.Mutex
	started map[Live]bool
	closed  bool
}

// track records l until Update takes it; false if the program is gone.
func (t *startTracker) track(l Live) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	if t.started == nil {
		t.started = map[Live]bool{}
	}
	t.started[l] = true
	return true
}

func (t *startTracker) untrack(l Live) {
	t.mu.Lock()
	delete(t.started, l)
	t.mu.Unlock()
}

// shutdown closes every scenario still in flight and refuses new ones.
func (t *startTracker) shutdown() {
	t.mu.Lock()
	t.closed = true
	pending := t.started
	t.started = nil
	t.mu.Unlock()
	for l := range pending {
		_ = l.Close()
	}
}
