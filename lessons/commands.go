package lessons

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/reactorlab/reactorlab/visualizer"
)

// The entry points below are what the reactorlab command calls (its
// `lessons`, `lesson` and bare `reactorlab` commands in cmd/reactorlab). They
// take no flags and check no terminal: that is the command line's job.

// WriteList writes the numbered lesson list as plain text.
func WriteList(w io.Writer) error {
	var b strings.Builder
	b.WriteString("reactorlab lessons\n\n")
	for _, l := range load() {
		fmt.Fprintf(&b, "  %d. %s\n     %s\n     reactorlab lesson %s   (%d pages)\n\n",
			l.number, l.Title(), l.Summary(), l.Slug(), len(l.Pages()))
	}
	b.WriteString("Open a lesson in a terminal with 'reactorlab lesson N' or 'reactorlab lesson NAME'.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Home opens the lab's shell on the home screen, on the terminal, until
// the learner quits or ctx ends. opts go to the visualizer (for example
// the exercises the home screen lists).
func Home(ctx context.Context, opts ...visualizer.Option) error {
	return runApp(ctx, -1, opts...)
}

// Open opens the shell on lesson i (the index Find returns).
func Open(ctx context.Context, i int, opts ...visualizer.Option) error {
	return runApp(ctx, i, opts...)
}
