package visualizer

import (
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// ExerciseInfo is one exercise of the course as home lists it. The
// exercises package supplies the list (WithExercises); the visualizer only
// shows it.
type ExerciseInfo struct {
	Name   string // "01_drain"
	Title  string // "Drain until EAGAIN"
	Lesson string // slug of the lesson it follows
	Passed bool   // graded as passing in this checkout
	Task   string // the README body (Markdown, front matter removed)
	Grade  string // exact grading command: "cd exercises && go test ./01_drain/"
}

// exerciseScreen shows one exercise's task, rendered like lesson prose in
// a pager, under the command that grades it.
type exerciseScreen struct {
	c     *common
	i     int // index into c.exercises
	ex    ExerciseInfo
	keys  KeyMap
	pager pager
	w, h  int
}

// exerciseHeadRows: title, state, grading command, a blank row.
const exerciseHeadRows = 4

func newExerciseScreen(c *common, i int) *exerciseScreen {
	s := &exerciseScreen{c: c, i: i, ex: c.exercises[i], keys: DefaultKeyMap(), pager: newPager()}
	s.updateKeys()
	return s
}

func (s *exerciseScreen) updateKeys() {
	s.keys.only(keysScroll | keysBack)
	s.keys.setControls(nil)
	for _, b := range []*key.Binding{&s.keys.ScrollUp, &s.keys.ScrollDown, &s.keys.PageUp, &s.keys.PageDown} {
		b.SetEnabled(s.pager.overflows())
	}
}

func (s *exerciseScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case proseMsg:
		s.pager.rendered(msg)
	case tea.KeyPressMsg:
		if key.Matches(msg, s.keys.Back) {
			return navCmd(goHomeMsg{})
		}
		s.pager.scroll(&s.keys, msg)
	}
	s.updateKeys()
	return nil
}

func (s *exerciseScreen) setSize(w, h int) tea.Cmd {
	s.w, s.h = w, h
	if w <= 0 || h <= 0 {
		return nil
	}
	s.pager.setSize(min(w, 100), max(0, h-exerciseHeadRows))
	task := s.ex.Task
	if task == "" {
		task = "(this exercise has no task text: see its README)"
	}
	cmd := s.pager.show(s.c, "exercise:"+s.ex.Name, task)
	s.updateKeys()
	return cmd
}

func (s *exerciseScreen) keyMap() KeyMap      { return s.keys }
func (s *exerciseScreen) title() string       { return s.ex.Name }
func (s *exerciseScreen) helpNotes() []string { return nil }
func (s *exerciseScreen) leave() tea.Cmd      { return nil }

// legendPanes: an exercise's task has no panes for ? to explain.
func (s *exerciseScreen) legendPanes() []PaneID { return []PaneID{} }

func (s *exerciseScreen) view() string {
	state := "pending: its tests do not pass yet"
	if s.ex.Passed {
		state = "passed ✓"
	}
	follows := ""
	if n := s.c.lessonNumber(s.ex.Lesson); n > 0 {
		follows = " · after lesson " + strconv.Itoa(n) + ": " + s.c.lessons[n-1].Title()
	}
	lines := []string{
		styleTitle.Render("Exercise "+s.ex.Name+" — "+s.ex.Title) + "  (" + strconv.Itoa(s.i+1) + " of " +
			strconv.Itoa(len(s.c.exercises)) + ")" + s.pager.more(),
		"state: " + state + follows,
		"grade it: " + styleHeader.Render(s.ex.Grade),
		"",
	}
	lines = append(lines, s.pager.lines()...)
	return frameLines(lines, s.w, s.h)
}
