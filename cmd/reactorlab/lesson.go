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
		name: "lesson", args: "N|NAME [flags]", rank: 20, files: labFiles,
		summary: "open one lesson with its live panes (needs a terminal); --record keeps its trace to replay",
		about: `Open one lesson: its prose beside the live panes of a real reactor. N is the
lesson's number, NAME its slug ('reactorlab lessons' lists both). Inside, ?
shows every key and q quits.

With --record FILE the lesson's whole trace (what the loop did, its Deferred
chains, and what you did) goes to FILE while it runs, until you leave the
lesson; 'reactorlab replay FILE' shows it again pass by pass, backwards too.

Example:
  reactorlab lesson 1 --record stall.rlt     press k to stall the loop, then q`,
		setup: func(fs *flag.FlagSet) runFunc {
			var path string
			fs.StringVar(&path, "record", "", "record the lesson's trace to `FILE` (replay it with 'reactorlab replay FILE')")
			return func(ctx context.Context, e *env, args []string) error { return runLesson(ctx, e, args, path) }
		},
	})
}

func runLesson(ctx context.Context, e *env, args []string, recordTo string) error {
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
	if recordTo != "" {
		if err := checkRecordPath(recordTo); err != nil {
			return err
		}
	}
	if !isTerminal(e.stdout) {
		return errors.New("needs a terminal and stdout is not one; run 'reactorlab lessons' for the plain list")
	}
	if recordTo == "" {
		return lessons.Open(ctx, i, labOptions()...)
	}
	t, err := lessons.OpenRecorded(ctx, i, recordTo, programVersion(), labOptions()...)
	reportRecording(e, recordTo, t)
	return err
}
