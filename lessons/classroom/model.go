package classroom

import (
	"fmt"
	"runtime/debug"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/visualizer"
)

// The classroom's own keys, taken before the lab sees a key. Control keys,
// so they never clash with a lesson's letters (New checks the injectors).
var (
	keyFollow = key.NewBinding(key.WithKeys("ctrl+f"), key.WithHelp("ctrl+f", "follow"))
	keyRoster = key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "roster"))
	keyBack   = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the lab"))
	keyQuit   = key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit"))

	classKeys   = []string{"ctrl+f", "ctrl+r"}
	classKeyUse = map[string]string{"ctrl+f": "follow mode", "ctrl+r": "the teacher's roster"}
)

// mailMsg tells a session's model it has mail: a move from follow mode,
// or a status line to redraw.
type mailMsg struct{}

// classTickMsg is the session's once-a-second clock: idle time, the
// roster, the status line.
type classTickMsg time.Time

func classTick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return classTickMsg(t) })
}

// sessionModel is one SSH session's tea.Model: the lab (a visualizer.App)
// with the classroom around it — follow mode, the teacher's roster, the
// idle clock — and a recover, so a panic ends this session with a goodbye
// and nothing else.
type sessionModel struct {
	srv    *Server
	st     *session
	app    *visualizer.App
	roster bool   // the teacher is looking at the roster
	snap   Status // what the roster shows, refreshed every second
	status string // the footer's status line, as last sent
	last   visualizer.Place
	w, h   int
}

func newSessionModel(srv *Server, st *session, app *visualizer.App) *sessionModel {
	return &sessionModel{srv: srv, st: st, app: app}
}

func (m *sessionModel) Init() tea.Cmd {
	m.refreshStatus()
	return tea.Batch(m.app.Init(), classTick())
}

func (m *sessionModel) Update(msg tea.Msg) (model tea.Model, cmd tea.Cmd) {
	defer func() {
		if p := recover(); p != nil {
			m.srv.crashed(m.st, m.st.who, "its screen (Update)", p, debug.Stack())
			model, cmd = m, tea.Quit
		}
	}()
	if h := m.srv.hook; h != nil {
		h(m.st, msg)
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		m.st.touch()
		if cmd, done := m.onKey(msg); done {
			m.after()
			return m, cmd
		}
	case tea.PasteMsg, tea.MouseClickMsg, tea.MouseWheelMsg:
		m.st.touch()
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
	case classTickMsg:
		return m, m.tick(time.Time(msg))
	case mailMsg:
		if p, ok := m.st.take(); ok && m.st.following.Load() {
			m.st.touch() // a student moved by the teacher is not idle
			m.st.gotos.Add(1)
			cmd = m.lab(visualizer.GoToMsg(p))
		}
		m.refreshStatus()
		return m, cmd
	}
	return m, m.lab(msg)
}

// lab hands msg to the lab and reports where the student is now.
func (m *sessionModel) lab(msg tea.Msg) tea.Cmd {
	_, cmd := m.app.Update(msg)
	m.after()
	return cmd
}

// after tells the server when the student has moved (the roster, and
// follow mode when it is the teacher).
func (m *sessionModel) after() {
	if p := m.app.Place(); p != m.last {
		m.last = p
		m.srv.moved(m.st, p)
	}
}

// onKey takes the classroom's keys; done is false for a key the lab
// should have.
func (m *sessionModel) onKey(msg tea.KeyPressMsg) (cmd tea.Cmd, done bool) {
	teacher := m.st.who.teacher
	switch {
	case key.Matches(msg, keyFollow) && teacher:
		on, _, _ := m.srv.followState()
		m.srv.setFollow(m.st, !on)
		m.refreshStatus()
		return nil, true
	case key.Matches(msg, keyFollow):
		if m.st.following.Load() {
			m.st.following.Store(false)
		} else if p, ok := m.srv.rejoin(m.st); ok {
			cmd = m.lab(visualizer.GoToMsg(p))
		}
		m.refreshStatus()
		return cmd, true
	case key.Matches(msg, keyRoster) && teacher:
		m.roster = !m.roster
		m.snap = m.srv.Status()
		return nil, true
	case m.roster && key.Matches(msg, keyBack):
		m.roster = false
		return nil, true
	case m.roster && !key.Matches(msg, keyQuit):
		return nil, true // the roster takes no other key
	}
	return nil, false
}

// tick is the once-a-second work: end an idle session, refresh the roster
// and the status line.
func (m *sessionModel) tick(now time.Time) tea.Cmd {
	if t := m.srv.opt.IdleTimeout; t > 0 && !m.st.who.teacher && m.st.idle(now) >= t {
		m.st.end(reasonIdle)
		return tea.Quit
	}
	if m.st.crashedNow.Load() { // View panicked: nothing sensible left to draw
		return tea.Quit
	}
	if m.roster {
		m.snap = m.srv.Status()
	}
	m.refreshStatus()
	return classTick()
}

// refreshStatus puts the classroom's line in the lab's footer when it
// changed: for a teacher the keys and follow mode, for a student whether
// they follow.
func (m *sessionModel) refreshStatus() {
	on, following, students := m.srv.followState()
	var s string
	switch {
	case m.st.who.teacher && on:
		s = fmt.Sprintf("teacher · follow me ON (%d of %d follow) · ctrl+f off · ctrl+r roster", following, students)
	case m.st.who.teacher:
		s = "teacher · ctrl+r roster · ctrl+f follow me"
	case !on:
	case m.st.following.Load():
		s = "following the teacher · ctrl+f leaves"
	default:
		s = "the teacher leads · ctrl+f follows"
	}
	if s != m.status {
		m.status = s
		m.app.Update(visualizer.StatusMsg(s))
	}
}

func (m *sessionModel) View() (v tea.View) {
	defer func() {
		if p := recover(); p != nil {
			m.srv.crashed(m.st, m.st.who, "its screen (View)", p, debug.Stack())
			v = tea.NewView("Your lab crashed; this session is ending.")
		}
	}()
	v = m.app.View()
	if m.roster {
		v.Content = rosterView(m.snap, m.w, m.h)
	}
	return v
}
