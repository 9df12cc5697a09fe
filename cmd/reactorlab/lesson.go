package main

import (
	"context"
	"errors"
	"flag"
	"strings"

	"github.com/reactorlab/reactorlab/lessons"
)

func init() {
	register(&command{
		name: "lesson", args: "N|NAME", rank: 20, files: labFiles,
		summary: "open one lesson with its live panes (needs a terminal)",
		about: `Open one lesson: its prose beside the live panes of a real reactor. N is the
lesson's number, NAME its slug ('reactorlab lessons' lists both). Inside, ?
shows every key and q quits.`,
		setup: func(*flag.FlagSet) runFunc { return runLesson },
	})
}

func runLesson(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 {
		got := "nothing"
		if len(args) > 1 {
			got = "\"" + strings.Join(args, " ") + "\""
		}
		return usagef("wants one lesson number or name, got %s; run 'reactorlab lessons' for the list", got)
	}
	i, _, err := lessons.Find(args[0])
	if err != nil {
		return usagef("%v", err)
	}
	if !isTerminal(e.stdout) {
		return errors.New("needs a terminal and stdout is not one; run 'reactorlab lessons' for the plain list")
	}
	return lessons.Open(ctx, i, labOptions()...)
}
