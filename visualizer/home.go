package visualizer

import (
	"fmt"
	"slices"
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// homeScreen is the lab's front door: the lessons with the learner's
// progress, then the exercises with their state, so the whole course is in
// one list. enter opens the item under the cursor.
type homeScreen struct {
	c      *common
	keys   KeyMap
	cursor int // over lessons, then exercises
	top    int // first list row shown when the list is taller than the screen
	w, h   int
	note   string // an error worth a line (saving progress failed, say)
}

func newHomeScreen(c *common) *homeScreen {
	s := &homeScreen{c: c, keys: DefaultKeyMap()}
	s.keys.only(keysHome)
	s.keys.setControls(nil)
	return s
}

// exercisesMsg carries the course's exercises, read in a Cmd.
type exercisesMsg struct{ list []ExerciseInfo }

// refresh reads the exercises again (their state may have changed in
// another terminal); nil without WithExercises.
func (s *homeScreen) refresh() tea.Cmd {
	list := s.c.cfg.exercises
	if list == nil {
		return nil
	}
	return safeCmd(func() tea.Msg { return exercisesMsg{list()} })
}

func (s *homeScreen) items() int { return len(s.c.lessons) + len(s.c.exercises) }

func (s *homeScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case exercisesMsg:
		s.c.exercises = msg.list
		s.cursor = min(s.cursor, max(0, s.items()-1))
		s.scrollToCursor()
	case cmdErrMsg:
		s.note = msg.err.Error()
	case tea.KeyPressMsg:
		k := &s.keys
		switch {
		case key.Matches(msg, k.Up):
			s.cursor = max(0, s.cursor-1)
		case key.Matches(msg, k.Down):
			s.cursor = min(s.items()-1, s.cursor+1)
		case key.Matches(msg, k.Open) && s.cursor < len(s.c.lessons):
			return navCmd(openLessonMsg{s.cursor})
		case key.Matches(msg, k.Open) && s.cursor < s.items():
			return navCmd(openExerciseMsg{s.cursor - len(s.c.lessons)})
		}
		s.scrollToCursor()
	}
	return nil
}

func (s *homeScreen) setSize(w, h int) tea.Cmd {
	s.w, s.h = w, h
	s.scrollToCursor()
	return nil
}

func (s *homeScreen) keyMap() KeyMap { return s.keys }
func (s *homeScreen) title() string  { return "" }
func (s *homeScreen) leave() tea.Cmd { return nil }

// helpNotes: from home, ? is the reference for every key (homeScreen
// shows all of them enabled, see helpKeys).
func (s *homeScreen) helpNotes() []string {
	return []string{"Page, scroll and live keys work inside a lesson; each lesson offers the live",
		"controls it needs, and its own injectors (listed under ? there)."}
}

// Home's layout: two header rows, the list, a blank row and the summary.
// When the list is taller than what is left, it scrolls to keep the
// cursor in view and the summary stays on the last row.
const (
	homeHeadRows = 2
	homeFootRows = 2
)

// listRows is how many list rows fit between header and summary.
func (s *homeScreen) listRows() int { return max(1, s.h-homeHeadRows-homeFootRows) }

// cursorRow is the cursor's row within the list (section titles count).
func (s *homeScreen) cursorRow() int {
	row := 1 + s.cursor // the "Lessons" title
	if s.cursor >= len(s.c.lessons) {
		row += 2 // a blank row and the "Exercises" title
	}
	return row
}

// scrollToCursor moves the list window just enough to show the cursor
// (and the section title above the first item).
func (s *homeScreen) scrollToCursor() {
	row, n := s.cursorRow(), s.listRows()
	switch {
	case s.cursor == 0:
		s.top = 0
	case row < s.top:
		s.top = row
	case row >= s.top+n:
		s.top = row - n + 1
	}
}

func (s *homeScreen) view() string {
	lines := []string{
		styleTitle.Render("reactorlab") + " — learn event-driven I/O by watching a real reactor",
		"",
	}
	list := []string{styleHeader.Render("Lessons")}
	visited := 0
	for i, l := range s.c.lessons {
		mark := "·"
		if s.c.prog.visited[l.Slug()] {
			mark = "✓"
			visited++
		}
		row := " " + mark + " " + padLeft(strconv.Itoa(lessonNumber(s.c.lessons, l)), 2) + ". " + l.Title()
		list = append(list, s.row(i, fit(row, min(44, s.w/2))+" "+l.Summary()))
	}
	if len(s.c.lessons) == 0 {
		list = append(list, "  (no lessons)")
	}
	passed := 0
	if len(s.c.exercises) > 0 {
		list = append(list, "", styleHeader.Render("Exercises")+"  (graded with go test; enter shows the task)")
		nameW := 4
		for _, e := range s.c.exercises {
			nameW = max(nameW, width(e.Name))
		}
		for i, e := range s.c.exercises {
			state := "pending"
			if e.Passed {
				state = "passed "
				passed++
			}
			row := " " + state + "  " + fit(e.Name, nameW) + "  " + e.Title
			if n := s.c.lessonNumber(e.Lesson); n > 0 {
				row = fit(row, min(44+nameW, s.w*2/3)) + " after lesson " + strconv.Itoa(n)
			}
			list = append(list, s.row(len(s.c.lessons)+i, row))
		}
	}
	below := 0
	if n := s.listRows(); len(list) > n { // scroll, with the summary pinned at the bottom
		top := min(s.top, len(list)-n)
		below = len(list) - top - n
		list = list[top : top+n]
	}
	lines = append(lines, list...)
	// The glyphs' key goes last: a narrow screen cuts it first.
	sum := "progress: " + strconv.Itoa(visited) + " of " + strconv.Itoa(len(s.c.lessons)) + " lessons visited"
	if len(s.c.exercises) > 0 {
		sum += fmt.Sprintf(" · %d of %d exercises passed", passed, len(s.c.exercises))
	}
	sum += " (✓ visited, · not yet)"
	if below > 0 { // at 80×24 the exercises start below the fold
		sum = "↓ more below · " + sum
	}
	if s.note != "" {
		sum = styleError.Render("✗ " + s.note)
	}
	lines = append(lines, "", sum)
	return frameLines(lines, s.w, s.h)
}

// row draws list item i, highlighted under the cursor.
func (s *homeScreen) row(i int, text string) string {
	if i == s.cursor {
		return styleCursor.Render(fit("›"+text, s.w))
	}
	return " " + text
}

// lessonNumber is the 1-based number of the lesson with slug, 0 if none.
func (c *common) lessonNumber(slug string) int {
	return slices.IndexFunc(c.lessons, func(l Lesson) bool { return l.Slug() == slug }) + 1
}
