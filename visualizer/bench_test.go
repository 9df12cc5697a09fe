package visualizer

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// BenchmarkDashboardView measures one full-dashboard View() at 120×40 over
// the scripted scenario (target ≤ 5 ms).
func BenchmarkDashboardView(b *testing.B) {
	m, _ := dashboardScenario(120, 40)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkDashboardFrame measures one frame as the program runs it: drain
// 3,400 trace events (about 100k events/s at 30 frames/s), fold them into
// every pane, then View() at 120×40.
func BenchmarkDashboardFrame(b *testing.B) {
	m, live := dashboardScenario(120, 40)
	s := &synth{}
	s.register(40)
	s.passes(400, 40, "epoll", 44) // ~8.5 events per pass
	batch := s.take()
	now := t0.Add(time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		live.src.push(batch...)
		now = now.Add(frameDur)
		m.Update(tickMsg(now))
		_ = m.View()
	}
	b.ReportMetric(float64(len(batch)), "events/frame")
}

var _ tea.Model = (*App)(nil)

// BenchmarkLessonView measures View() of a lesson screen at 120×40: glamour
// prose (ANSI styled) beside two live panes.
func BenchmarkLessonView(b *testing.B) {
	lessons := twoLessons()
	m, _ := NewApp(lessons, "one", manual, WithStateDir(""))
	runCmds(m, m.Init())
	runCmds(m, m.Update2(tea.WindowSizeMsg{Width: 120, Height: 40}))
	s := &synth{}
	s.register(20)
	s.passes(200, 20, "epoll", 22)
	lessons[0].(*fakeLesson).live.src.push(s.take()...)
	m.Update(tickMsg(t0))
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}
