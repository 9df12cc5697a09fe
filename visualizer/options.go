package visualizer

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Option adjusts RunApp, RunDashboard, NewApp and NewDashboard.
type Option func(*config)

type config struct {
	ctx       context.Context // passed to Lesson.Start
	stateDir  string          // where home progress is kept ("" = XDG_STATE_HOME/reactorlab)
	noState   bool            // keep progress in memory only
	frame     time.Duration   // sampler period (default ~33 ms)
	subCap    int             // trace subscription capacity
	progOpts  []tea.ProgramOption
	injectors []Injector            // the dashboard's injectors (a lesson declares its own)
	exercises func() []ExerciseInfo // the course's exercises for home; nil = none
	noTick    bool                  // tests: drive frames by hand
}

// WithStateDir keeps lesson progress ("visited") in dir/progress instead of
// $XDG_STATE_HOME/reactorlab/progress. An empty dir keeps it in memory only.
func WithStateDir(dir string) Option {
	return func(c *config) { c.stateDir = dir; c.noState = dir == "" }
}

// WithProgramOptions passes options to tea.NewProgram (tests use WithInput,
// WithOutput, WithWindowSize and WithColorProfile).
func WithProgramOptions(opts ...tea.ProgramOption) Option {
	return func(c *config) { c.progOpts = append(c.progOpts, opts...) }
}

// WithInjectors declares the injectors of a dashboard's Live (see
// [Injector]); the Live must implement [Injectable]. A lesson declares its
// own with Lesson.Injectors, so the lesson shell ignores this option.
func WithInjectors(injs ...Injector) Option {
	return func(c *config) { c.injectors = append(c.injectors, injs...) }
}

// WithExercises lists the course's exercises on the home screen, below the
// lessons, each with its state and, on enter, its task and how to grade it.
// list is called from a tea.Cmd (it may read files) when home opens and
// each time the learner comes back to it, so a grade made meanwhile in
// another terminal shows up.
func WithExercises(list func() []ExerciseInfo) Option {
	return func(c *config) { c.exercises = list }
}

// WithFrameRate samples the scenario and redraws fps times a second
// instead of about 30. A server drawing many labs at once (the classroom)
// lowers it to share its CPU; fps < 1 keeps the default.
func WithFrameRate(fps int) Option {
	return func(c *config) {
		if fps >= 1 {
			c.frame = time.Second / time.Duration(fps)
		}
	}
}

// withContext hands ctx to Lesson.Start.
func withContext(ctx context.Context) Option {
	return func(c *config) { c.ctx = ctx }
}

func newConfig(opts []Option) *config {
	c := &config{ctx: context.Background(), frame: time.Second / 30, subCap: 1 << 14}
	for _, o := range opts {
		o(c)
	}
	return c
}
