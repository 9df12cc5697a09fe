package main

import (
	"context"
	"flag"

	"github.com/reactorlab/reactorlab/lessons"
)

func init() {
	register(&command{
		name: "lessons", rank: 10,
		summary: "list the lessons as plain text (no terminal needed)",
		about:   "List the lessons in order, with how to open each one.",
		setup:   func(*flag.FlagSet) runFunc { return runLessons },
	})
}

func runLessons(_ context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usagef("takes no arguments, got %q; to open a lesson run 'reactorlab lesson %s'", args[0], args[0])
	}
	return lessons.WriteList(e.stdout)
}
