package visualizer

import (
	"context"
	"errors"

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
	popts := append([]tea.ProgramOption{tea.WithContext(ctx)}, m.c.cfg.progOpts...)
	_, err := tea.NewProgram(m, popts...).Run()
	if err != nil && ctx.Err() != nil && errors.Is(err, tea.ErrProgramKilled) {
		return nil // cancelled from outside (e.g. SIGTERM handled by the caller)
	}
	return err
}
