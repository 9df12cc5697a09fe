package visualizer

import (
	"context"

	tea "charm.land/bubbletea/v2"
)

// RunApp runs the lesson shell on the real terminal until the learner
// quits or ctx is cancelled. start is "" for home, or a lesson slug or
// 1-based number. The scenario of an open lesson is closed on the way out,
// whatever the reason.
func RunApp(ctx context.Context, lessons []Lesson, start string, opts ...Option) error {
	opts = append(opts, withContext(ctx))
	m, err := NewApp(lessons, start, opts...)
	if err != nil {
		return err
	}
	defer m.Close()
	return run(ctx, m)
}

// RunDashboard shows every pane over one Live until the user quits or ctx
// is cancelled. It does not close live.
func RunDashboard(ctx context.Context, title string, live Live, opts ...Option) error {
	opts = append(opts, withContext(ctx))
	m, err := NewDashboard(title, live, opts...)
	if err != nil {
		return err
	}
	defer m.Close()
	return run(ctx, m)
}

func run(ctx context.Context, m *App) error {
	p := tea.NewProgram(m, m.c.cfg.progOpts...)
	// When ctx ends (a signal: SIGINT, SIGTERM, SIGHUP) quit as the q key
	// does. Not tea.WithContext: a program killed by its context closes its
	// input reader while the reader goroutine may still use it (a data race
	// in bubbletea v2.1.1, charmbracelet/bubbletea#1599).
	defer context.AfterFunc(ctx, p.Quit)()
	_, err := p.Run()
	return err
}
