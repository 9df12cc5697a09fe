package exercises

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
)

// PollInterval is how often watch mode looks at the exercise's files. It
// polls modification times rather than relying on change notification,
// which fails on some filesystems (WSL2 mounts, containers, network drives).
const PollInterval = 500 * time.Millisecond

// Watch opens the watch-mode screen on the runner's stdout, which must be
// a terminal, on ex, or on the current exercise when ex is the zero
// Exercise. It returns when the learner quits or ctx ends, and not before
// every grading run it started has been stopped (their processes killed).
func (r *Runner) Watch(ctx context.Context, ex Exercise) error {
	return r.watch(ctx, ex, tea.WithOutput(r.stdout))
}

// watch runs the watch screen as a program with opts (tests draw it on a
// virtual terminal).
func (r *Runner) watch(ctx context.Context, ex Exercise, opts ...tea.ProgramOption) error {
	if err := r.needRoot(); err != nil {
		return err
	}
	st := r.loadState()
	if ex.Name == "" {
		ex = st.CurrentExercise()
	}
	ctx, cancel := context.WithCancel(ctx)
	runs := newInflight()
	// Deferred in this order, cancel runs first (killing every run in
	// progress) and stopAndWait then waits for them to end.
	defer runs.stopAndWait()
	defer cancel()
	p := tea.NewProgram(newWatchModel(ctx, r, st, index(ex.Name), runs), opts...)
	// When ctx ends (a signal) quit as q does; a program killed through
	// tea.WithContext races its own input reader (bubbletea#1599).
	defer context.AfterFunc(ctx, p.Quit)()
	_, err := p.Run()
	return err
}

// inflight counts the grading runs in progress, so that Watch returns only
// once each has ended: a run's context is cancelled when the learner quits,
// which kills its process group, and inflight waits for that to finish.
// Once stopped it admits no new run (a command bubbletea starts late).
type inflight struct {
	mu      sync.Mutex
	n       int
	stopped bool
	idle    sync.Cond
}

func newInflight() *inflight {
	f := &inflight{}
	f.idle.L = &f.mu
	return f
}

// begin admits one run; false means watch mode is ending: do not start.
func (f *inflight) begin() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped {
		return false
	}
	f.n++
	return true
}

// end marks an admitted run as over.
func (f *inflight) end() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n--
	if f.n == 0 {
		f.idle.Broadcast()
	}
}

// stopAndWait admits no more runs and waits for those in progress.
func (f *inflight) stopAndWait() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopped = true
	for f.n > 0 {
		f.idle.Wait()
	}
}

// snapshot identifies the state of an exercise's files: name, size and
// modification time of every file in its directory. Two different snapshots
// mean something was saved.
func snapshot(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "error: " + err.Error()
	}
	var parts []string
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d %d", e.Name(), info.Size(), info.ModTime().UnixNano()))
	}
	sort.Strings(parts)
	return strings.Join(parts, "\n")
}

// Messages of the watch screen.
type (
	// gradedMsg carries a finished grading run of one exercise. id tells
	// the latest run of that exercise from older ones it replaced.
	gradedMsg struct {
		name string
		id   int
		res  Result
		err  error
	}
	// polledMsg carries the exercise directory's snapshot for gen.
	polledMsg struct {
		gen  int
		snap string
	}
)

// pollCmd looks at the files after PollInterval; the stat calls run in the
// command's goroutine, not in Update.
func pollCmd(gen int, dir string) tea.Cmd {
	return tea.Tick(PollInterval, func(time.Time) tea.Msg {
		return polledMsg{gen: gen, snap: snapshot(dir)}
	})
}

// gradeCmd grades ex in a goroutine, unless watch mode is ending.
func gradeCmd(ctx context.Context, runs *inflight, grade Grader, root string, ex Exercise, id int) tea.Cmd {
	return func() tea.Msg {
		if !runs.begin() {
			return nil
		}
		defer runs.end()
		res, err := grade(ctx, root, ex)
		return gradedMsg{name: ex.Name, id: id, res: res, err: err}
	}
}

// saveProgress writes st, reporting a failure as the screen's note.
func saveProgress(path string, st State) string {
	if path == "" {
		return ""
	}
	if err := st.Save(path); err != nil {
		return "could not save progress: " + err.Error()
	}
	return ""
}

// filesOf names an exercise's stub files for the screen.
func filesOf(ex Exercise) string {
	var fs []string
	for _, f := range ex.Files {
		fs = append(fs, filepath.Join("exercises", ex.Name, f))
	}
	return strings.Join(fs, ", ")
}
