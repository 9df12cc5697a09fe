// Command lessonmain is a test-only stand-in for reactorlab's lesson
// commands, used by the lessons end-to-end test when cmd/reactorlab does not
// offer them yet. Usage: lessonmain lesson N|NAME, lessonmain lessons, or
// lessonmain serve [flags] (the dashboard over tcp.ServeCommand).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/reactorlab/reactorlab/lessons"
	"github.com/reactorlab/reactorlab/reactor/tcp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch {
	case len(os.Args) > 1 && os.Args[1] == "lesson":
		err = lessons.LessonCommand(ctx, os.Args[2:], os.Stdout, os.Stderr)
	case len(os.Args) > 1 && os.Args[1] == "lessons":
		err = lessons.ListCommand(ctx, os.Args[2:], os.Stdout, os.Stderr)
	case len(os.Args) > 1 && os.Args[1] == "serve":
		err = tcp.ServeCommand(ctx, os.Args[2:], os.Stdout, os.Stderr, lessons.Dashboard)
	default:
		err = lessons.Home(ctx, os.Stdout, os.Stderr)
	}
	var coded interface{ ExitCode() int }
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
	case errors.As(err, &coded):
		fmt.Fprintln(os.Stderr, "lessonmain:", err)
		os.Exit(coded.ExitCode())
	default:
		fmt.Fprintln(os.Stderr, "lessonmain:", err)
		os.Exit(1)
	}
}
