package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/reactorlab/reactorlab/lessons"
	"github.com/reactorlab/reactorlab/lessons/exercises"
	"github.com/reactorlab/reactorlab/visualizer"
)

// runHome is a bare `reactorlab`: the lab's home screen on a terminal, an
// overview of the commands anywhere else.
func runHome(ctx context.Context, e *env) error {
	if !isTerminal(e.stdout) {
		return writeOverview(e.stdout)
	}
	if err := e.needFiles(labFiles); err != nil {
		return err
	}
	return lessons.Home(ctx, labOptions()...)
}

// labOptions are the options the lab's shell opens with, from home and
// from `reactorlab lesson` alike (a lesson's esc leads home). This is the
// one place where the home screen learns the course's exercises (issue 10
// item 9, contract in plan/CONTRACTS.md).
func labOptions() []visualizer.Option {
	return []visualizer.Option{visualizer.WithExercises(exercisesForHome)}
}

// exercisesForHome is the course's catalog with this checkout's grading
// state. exercises.Info has visualizer.ExerciseInfo's fields one for one,
// so each converts directly.
func exercisesForHome() []visualizer.ExerciseInfo {
	infos := exercises.Infos()
	list := make([]visualizer.ExerciseInfo, len(infos))
	for i, info := range infos {
		list[i] = visualizer.ExerciseInfo(info)
	}
	return list
}

// writeOverview is what a bare reactorlab prints when stdout is not a
// terminal.
func writeOverview(w io.Writer) error {
	var b strings.Builder
	b.WriteString(`reactorlab is a terminal lab for event-driven I/O. One process, no threads,
one select/poll/epoll loop: lessons let you watch its readiness events,
callback chains and stalls as they happen, break them and fix them.

Stdout is not a terminal, so the lab did not open. Run 'reactorlab' in a
terminal to open it, or use one of these commands:

`)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, c := range registry {
		fmt.Fprintf(tw, "  reactorlab %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	b.WriteString("\nRun 'reactorlab --help' for details.\n")
	_, err := io.WriteString(w, b.String())
	return err
}
