package exercises

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
)

// PollInterval is how often watch mode looks at the exercise's files. It
// polls modification times rather than relying on change notification,
// which fails on some filesystems (WSL2 mounts, containers, network drives).
const PollInterval = 500 * time.Millisecond

// Watch opens the watch-mode screen on the runner's stdout, which must be
// a terminal, on ex, or on the current exercise when ex is the zero
// Exercise. It returns when the learner quits or ctx ends.
func (r *Runner) Watch(ctx context.Context, ex Exercise) error {
	if err := r.needRoot(); err != nil {
		return err
	}
	st := r.loadState()
	if ex.Name == "" {
		ex = st.CurrentExercise()
	}
	m := newWatchModel(ctx, r, st, index(ex.Name))
	p := tea.NewProgram(m, tea.WithOutput(r.stdout))
	// When ctx ends (a signal) quit as q does; a program killed through
	// tea.WithContext races its own input reader (bubbletea#1599).
	defer context.AfterFunc(ctx, p.Quit)()
	_, err := p.Run()
	return err
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
	// gradedMsg carries a finished grading run. gen tells stale results
	// (for an exercise the learner already left) from current ones.
	gradedMsg struct {
		gen int
		res Result
		err error
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

// gradeCmd grades ex in a goroutine.
func gradeCmd(ctx context.Context, grade Grader, root string, ex Exercise, gen int) tea.Cmd {
	return func() tea.Msg {
		res, err := grade(ctx, root, ex)
		return gradedMsg{gen: gen, res: res, err: err}
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
