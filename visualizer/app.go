package visualizer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// appState is which screen the App shows.
type appState uint8

const (
	stateHome   appState = iota // the lesson list
	stateLesson                 // one lesson: prose beside live panes
)

func (s appState) String() string {
	if s == stateLesson {
		return "lesson"
	}
	return "home"
}

// Minimum terminal size; below it the App shows a notice instead.
const (
	minWidth  = 80
	minHeight = 24
)

// App is the root tea.Model: home, lessons, help, and (NewDashboard) the
// all-panes dashboard over a single Live.
type App struct {
	cfg     *config
	ctx     context.Context
	keys    KeyMap
	help    help.Model
	lessons []Lesson
	prog    *progress

	state    appState
	showHelp bool
	cursor   int
	w, h     int
	dark     bool

	// lesson view
	cur      int // index into lessons
	gen      int // bumps on every open/leave: stale Start results are closed
	page     int
	scroll   int
	live     *liveView
	starting bool
	startErr error
	prose    map[proseKey][]string
	pending  map[proseKey]bool

	// dashboard mode
	dashboard bool
	title     string

	// Scenarios started by a Cmd but not yet handed to Update. If the
	// program ends first, Close closes them, so quitting during a slow
	// Start never leaks a running reactor.
	startMu  sync.Mutex
	started  map[Live]bool
	shutdown bool
}

// liveStartedMsg carries the result of Lesson.Start.
type liveStartedMsg struct {
	gen  int
	live Live
	err  error
}

// NewApp builds the lesson shell. start is "" for home, else a lesson slug
// or its 1-based number.
func NewApp(lessons []Lesson, start string, opts ...Option) (*App, error) {
	cfg := newConfig(opts)
	m := &App{cfg: cfg, ctx: cfg.ctx, keys: DefaultKeyMap(), help: help.New(), lessons: lessons,
		prog: loadProgress(progressPath(cfg)), dark: true,
		prose: map[proseKey][]string{}, pending: map[proseKey]bool{}}
	m.help.Styles = help.DefaultStyles(true)
	if start != "" {
		i := findLesson(lessons, start)
		if i < 0 {
			return nil, fmt.Errorf("no lesson %q: run `reactorlab lessons` for the list", start)
		}
		m.cursor = i
		m.cur = i
		m.state = stateLesson
	}
	return m, nil
}

// findLesson resolves a slug or a 1-based number.
func findLesson(lessons []Lesson, s string) int {
	for i, l := range lessons {
		if l.Slug() == s {
			return i
		}
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(lessons) {
		return n - 1
	}
	return -1
}

// NewDashboard builds the all-panes view over one running Live (used by
// `reactorlab serve`). Closing the program does not close live; the caller
// owns it.
func NewDashboard(title string, live Live, opts ...Option) *App {
	cfg := newConfig(opts)
	m := &App{cfg: cfg, ctx: cfg.ctx, keys: DefaultKeyMap(), help: help.New(), dark: true,
		prog: loadProgress(""), state: stateLesson, dashboard: true, title: title,
		prose: map[proseKey][]string{}, pending: map[proseKey]bool{}}
	m.help.Styles = help.DefaultStyles(true)
	panes := AllPanes()
	if _, ok := live.(ChainSource); !ok {
		panes = slices.DeleteFunc(panes, func(id PaneID) bool { return id == PaneChain })
	}
	m.live = newLiveView(cfg, live, panes, AllControls)
	return m
}

// Init starts the frame tick (the only tick: re-armed in Update) and, for
// a lesson given on the command line, its scenario.
func (m *App) Init() tea.Cmd {
	cmds := []tea.Cmd{m.cfg.tickCmd(), tea.RequestBackgroundColor}
	if m.state == stateLesson && !m.dashboard {
		cmds = append(cmds, m.enterLesson(m.cur))
	}
	return tea.Batch(cmds...)
}

// Update routes messages: global keys first, then the active screen.
func (m *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		m.resizeLive()
		return m, m.ensureProse()
	case tea.BackgroundColorMsg:
		m.dark = msg.IsDark()
		m.help.Styles = help.DefaultStyles(m.dark)
		return m, m.ensureProse()
	case tickMsg:
		var cmd tea.Cmd
		if m.live != nil {
			cmd = m.live.sample(time.Time(msg))
		}
		return m, tea.Batch(cmd, m.cfg.tickCmd())
	case liveStartedMsg:
		return m, m.onStarted(msg)
	case proseMsg:
		delete(m.pending, msg.key)
		if len(m.prose) >= proseCacheMax { // many resizes: start over
			clear(m.prose)
		}
		m.prose[msg.key] = strings.Split(msg.text, "\n")
		return m, nil
	case watchedMsg, cmdErrMsg:
		if m.live != nil {
			m.live.Update(msg)
		}
		return m, nil
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	}
	return m, nil
}

func (m *App) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.showHelp = !m.showHelp
		return nil
	case m.showHelp && key.Matches(msg, k.Back):
		m.showHelp = false
		return nil
	case m.showHelp:
		return nil // the help screen takes no other keys
	}
	if m.state == stateHome {
		switch {
		case key.Matches(msg, k.Up):
			m.cursor = max(0, m.cursor-1)
		case key.Matches(msg, k.Down):
			m.cursor = min(len(m.lessons)-1, m.cursor+1)
		case key.Matches(msg, k.Open):
			if len(m.lessons) > 0 {
				return m.enterLesson(m.cursor)
			}
		}
		return nil
	}
	// lesson / dashboard
	if m.live != nil {
		if ok, cmd := m.live.handleKey(msg, k); ok {
			return cmd
		}
	}
	switch {
	case key.Matches(msg, k.Back) && !m.dashboard:
		return m.leaveLesson()
	case key.Matches(msg, k.NextPage) && !m.dashboard:
		if m.page < len(m.lessons[m.cur].Pages())-1 {
			m.page++
			m.scroll = 0
		}
		return m.ensureProse()
	case key.Matches(msg, k.PrevPage) && !m.dashboard:
		if m.page > 0 {
			m.page--
			m.scroll = 0
		}
		return m.ensureProse()
	case key.Matches(msg, k.ScrollDown):
		m.scroll = m.clampScroll(m.scroll + 1)
	case key.Matches(msg, k.ScrollUp):
		m.scroll = max(0, m.clampScroll(m.scroll)-1)
	}
	return nil
}

// enterLesson opens lesson i: marks it visited, renders its first page and
// starts its scenario in a Cmd.
func (m *App) enterLesson(i int) tea.Cmd {
	m.state, m.cur, m.cursor = stateLesson, i, i
	m.page, m.scroll, m.startErr = 0, 0, nil
	m.gen++
	l := m.lessons[i]
	cmds := []tea.Cmd{m.ensureProse()}
	if data := m.prog.visit(l.Slug()); data != nil {
		prog, seq := m.prog, m.prog.seq
		cmds = append(cmds, safeCmd(func() tea.Msg {
			if err := prog.save(seq, data); err != nil {
				return cmdErrMsg{fmt.Errorf("saving progress: %w", err)}
			}
			return nil
		}))
	}
	if len(l.Panes()) > 0 {
		m.starting = true
		gen, ctx := m.gen, m.ctx
		cmds = append(cmds, safeCmd(func() tea.Msg {
			live, err := l.Start(ctx)
			if live != nil && !m.track(live) {
				_ = live.Close() // the program is gone
				return nil
			}
			return liveStartedMsg{gen: gen, live: live, err: err}
		}))
	}
	return tea.Batch(cmds...)
}

// track records a freshly started Live until Update takes it; false if
// the App is already closed.
func (m *App) track(l Live) bool {
	m.startMu.Lock()
	defer m.startMu.Unlock()
	if m.shutdown {
		return false
	}
	if m.started == nil {
		m.started = map[Live]bool{}
	}
	m.started[l] = true
	return true
}

func (m *App) untrack(l Live) {
	m.startMu.Lock()
	delete(m.started, l)
	m.startMu.Unlock()
}

func (m *App) onStarted(msg liveStartedMsg) tea.Cmd {
	if msg.live != nil {
		m.untrack(msg.live)
	}
	if msg.gen != m.gen || m.state != stateLesson {
		if msg.live != nil { // the learner already left: don't leak it
			live := msg.live
			return safeCmd(func() tea.Msg { _ = live.Close(); return nil })
		}
		return nil
	}
	m.starting = false
	if msg.err != nil || msg.live == nil {
		m.startErr = msg.err
		if m.startErr == nil {
			m.startErr = errors.New("scenario returned no Live")
		}
		return nil
	}
	l := m.lessons[m.cur]
	m.live = newLiveView(m.cfg, msg.live, l.Panes(), l.Controls())
	m.resizeLive()
	return nil
}

// leaveLesson goes home and closes the scenario.
func (m *App) leaveLesson() tea.Cmd {
	m.state = stateHome
	m.gen++
	m.starting = false
	if m.live == nil {
		return nil
	}
	cmd := m.live.close()
	m.live = nil
	return cmd
}

// quit closes the scenario (lessons only: the dashboard's caller owns its
// Live) and ends the program.
func (m *App) quit() tea.Cmd {
	if m.live != nil && !m.dashboard {
		cmd := m.live.close()
		m.live = nil
		return tea.Sequence(cmd, tea.Quit)
	}
	if m.live != nil {
		m.live.src.Close()
	}
	return tea.Quit
}

// Close releases a scenario still open (RunApp calls it after the program
// ends, whatever the reason).
func (m *App) Close() {
	m.startMu.Lock()
	m.shutdown = true
	pending := m.started
	m.started = nil
	m.startMu.Unlock()
	for l := range pending {
		_ = l.Close()
	}
	if m.live != nil && !m.dashboard {
		m.live.src.Close()
		_ = m.live.live.Close()
		m.live = nil
	}
}

// Update2 is Update without the model result, for tests and callers that
// hold *App.
func (m *App) Update2(msg tea.Msg) tea.Cmd {
	_, cmd := m.Update(msg)
	return cmd
}
