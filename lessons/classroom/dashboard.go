package classroom

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// RunDashboard serves the class and shows the server's own screen on the
// terminal: how to connect, the host key, the seats and the open-file
// budget, traffic, every session and the recent events. q ends the class
// (asking first while anyone is connected); so does ctx ending (a signal).
// The screen stays up while the students read their goodbyes, and it
// returns once Serve has.
func RunDashboard(ctx context.Context, srv *Server, opts ...tea.ProgramOption) error {
	serveCtx, stop := context.WithCancel(ctx)
	defer stop()
	m := &dashModel{srv: srv, stop: stop}
	p := tea.NewProgram(m, opts...)
	served := make(chan error, 1)
	go func() {
		var err error
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("classroom server crashed: %v", r)
			}
			served <- err
			p.Send(servedMsg{}) // a no-op once the screen is gone
		}()
		err = srv.Serve(serveCtx)
	}()
	defer context.AfterFunc(ctx, func() { p.Send(stopMsg{}) })()
	_, err := p.Run()
	stop() // the screen was closed by force: end the class all the same
	return errors.Join(err, <-served)
}

// Dashboard messages.
type (
	dashTickMsg time.Time
	stopMsg     struct{} // end the class
	servedMsg   struct{} // Serve has returned: every session has ended
)

func dashTick() tea.Cmd {
	return tea.Tick(500*time.Millisecond, func(t time.Time) tea.Msg { return dashTickMsg(t) })
}

var (
	keyStop  = key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "end the class"))
	keyForce = key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "end now"))
)

// dashModel is the server's own screen.
type dashModel struct {
	srv      *Server
	stop     func() // ends Serve
	snap     Status
	events   []string
	w, h     int
	confirm  bool // q was pressed once while people are connected
	stopping bool
}

func (m *dashModel) Init() tea.Cmd {
	m.refresh()
	return dashTick()
}

func (m *dashModel) refresh() {
	m.snap = m.srv.Status()
	m.events = m.srv.Events(eventsShown)
}

// eventsShown is how many recent events the screen keeps.
const eventsShown = 12

func (m *dashModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
	case dashTickMsg:
		m.refresh()
		return m, dashTick()
	case stopMsg:
		m.end()
	case servedMsg:
		return m, tea.Quit
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, keyForce) && m.stopping:
			return m, tea.Quit // Serve still finishes; RunDashboard waits for it
		case key.Matches(msg, keyForce):
			m.end()
		case key.Matches(msg, keyStop) && (m.confirm || len(m.snap.Sessions) == 0):
			m.end()
		case key.Matches(msg, keyStop):
			m.confirm = true
		default:
			m.confirm = false
		}
	}
	return m, nil
}

// end starts the shutdown: every session gets its goodbye.
func (m *dashModel) end() {
	if !m.stopping {
		m.stopping = true
		m.confirm = false
		m.stop()
	}
}

func (m *dashModel) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "reactorlab classroom"
	return v
}

func (m *dashModel) render() string {
	if m.w == 0 || m.h == 0 {
		return ""
	}
	s := m.snap
	follow := "off"
	if s.Follow {
		follow = "ON, to " + s.Lead
	}
	files := "?"
	if s.OpenFiles >= 0 {
		files = fmt.Sprint(s.OpenFiles)
	}
	limit := "an unknown limit"
	if s.Budget.FileLimit > 0 {
		limit = fmt.Sprintf("%d budgeted of %d", s.Budget.Need(), s.Budget.FileLimit)
	}
	head := []string{
		styleBold.Render("reactorlab classroom") + " — students connect with: " + ConnectHint(s.Addr),
		"host key " + s.Fingerprint + " (ssh shows it the first time: students can check it)",
		"logins: " + s.Auth,
		fmt.Sprintf("seats: %d of %d students, %d of %d teachers · follow me: %s", s.Students, s.Budget.MaxStudents, s.Teachers, TeacherSeats, follow),
		fmt.Sprintf("open files: %s now, %s · each lab up to %d (%d simulated clients)", files, limit, s.Budget.SessionFiles, s.Budget.Clients()),
		fmt.Sprintf("traffic: in %s, out %s · turned away: %d (class full), %d (too many connections) · failed logins: %d · up %s",
			fmtBytes(s.BytesIn), fmtBytes(s.BytesOut), s.RefusedFull, s.RefusedConns, s.FailedLogins, fmtDur(s.Up)),
		"",
	}
	evRows := min(len(m.events), max(2, (m.h-len(head))/3))
	rosterRows := max(2, m.h-len(head)-evRows-3)
	lines := append(head, rosterLines(s.Sessions, m.w, rosterRows)...)
	lines = append(lines, "", styleBold.Render("Recent events"))
	lines = append(lines, m.events[len(m.events)-evRows:]...)
	foot := styleFaint.Render("q end the class (every student reads a goodbye) · ctrl+c end now")
	switch {
	case m.stopping:
		foot = styleBold.Render(fmt.Sprintf("ending the class: %d sessions still saying goodbye… (ctrl+c again: stop waiting for the screen)", len(s.Sessions)))
	case m.confirm:
		foot = styleBold.Render("press q again to end the class for " + people(len(s.Sessions)) + "; any other key keeps it going")
	}
	if len(lines) > m.h-1 {
		lines = lines[:max(0, m.h-1)]
	}
	for len(lines) < m.h-1 {
		lines = append(lines, "")
	}
	return frame(append(lines, foot), m.w, m.h)
}

// people counts people: "1 person", "3 people".
func people(n int) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d people", n)
}

// ConnectHint is the command students type to reach a server listening on
// addr: "ssh -p 2222 NAME@127.0.0.1"; a wildcard address is named by this
// machine's host name.
func ConnectHint(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "ssh NAME@" + addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		if h, err := os.Hostname(); err == nil && h != "" {
			host = h
		} else {
			host = "THIS-MACHINE"
		}
	}
	if port == "22" {
		return "ssh NAME@" + host
	}
	return "ssh -p " + port + " NAME@" + host
}
