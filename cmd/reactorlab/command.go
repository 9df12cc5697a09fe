package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
)

// A command is one reactorlab subcommand ("serve"), or one subcommand of
// a command ("bench wait"). Each top-level command lives in its own file
// and adds itself to the registry from init; parsing, usage errors, the
// open-file check and help are done here and in parse.go and help.go, the
// same way for every command. Adding a command is adding one file.
type command struct {
	name    string // the word that selects it: "serve"; for a subcommand its own word: "wait"
	args    string // what follows the name in help: "N|NAME", "[flags]"
	summary string // one line in the command list
	about   string // help text printed between the usage line and the flags
	rank    int    // place in the command list, lower first (top-level commands only)

	// files is how many open files (RLIMIT_NOFILE) the command needs at
	// least; when the limit is lower it fails with a message saying so
	// before it opens anything. 0: no check.
	files uint64

	// setup declares the command's flags on fs and returns the function
	// that runs it once they are parsed. It must do nothing else: help
	// calls it to list the flags. Commands with subs leave it nil.
	setup func(fs *flag.FlagSet) runFunc

	// subs are the command's own subcommands; the first positional
	// argument picks one, or deflt when there is none ("" makes one
	// required).
	subs  []*command
	deflt string

	parent *command // set by register
}

// runFunc runs a command with its positional arguments (flags parsed).
// Return usagef(...) for a mistake on the command line.
type runFunc func(ctx context.Context, e *env, args []string) error

// registry holds the top-level commands, sorted by rank.
var registry []*command

// register adds a top-level command. Each command's file calls it from init.
func register(c *command) {
	link(c)
	registry = append(registry, c)
	slices.SortStableFunc(registry, func(a, b *command) int { return cmp.Compare(a.rank, b.rank) })
}

func link(c *command) {
	for _, s := range c.subs {
		s.parent = c
		link(s)
	}
}

// lookup finds a top-level command by name.
func lookup(name string) *command {
	for _, c := range registry {
		if c.name == name {
			return c
		}
	}
	return nil
}

// sub finds one of c's subcommands by name.
func (c *command) sub(name string) *command {
	for _, s := range c.subs {
		if s.name == name {
			return s
		}
	}
	return nil
}

// path is the command as typed after "reactorlab": "bench wait".
func (c *command) path() string {
	if c.parent == nil {
		return c.name
	}
	return c.parent.path() + " " + c.name
}

// subNames lists c's subcommands as "wait or chain".
func (c *command) subNames() string {
	var names []string
	for _, s := range c.subs {
		names = append(names, s.name)
	}
	return orList(names)
}

// run parses the top level of the command line and hands over to a
// command. A bare reactorlab opens the lab (home.go).
func run(ctx context.Context, args []string, e *env) error {
	if len(args) == 0 {
		return runHome(ctx, e)
	}
	switch first := args[0]; {
	case isHelpFlag(first):
		return runHelp(ctx, e, args[1:])
	case first == "--version" || first == "-version":
		return lookup("version").execute(ctx, e, args[1:])
	case isFlag(first):
		return usagef("unknown flag %s", first)
	}
	c := lookup(args[0])
	if c == nil {
		return unknownCommand(args[0])
	}
	return c.execute(ctx, e, args[1:])
}

func unknownCommand(name string) error {
	var names []string
	for _, c := range registry {
		names = append(names, c.name)
	}
	return usagef("unknown command %q; the commands are %s", name, strings.Join(names, ", "))
}

// execute runs c with the arguments that follow its name: it picks a
// subcommand, or parses flags, checks the open-file limit and runs it.
// Errors come back prefixed with the command's path ("serve: ...").
func (c *command) execute(ctx context.Context, e *env, args []string) error {
	if len(c.subs) > 0 {
		return c.dispatch(ctx, e, args)
	}
	fs := flag.NewFlagSet(c.path(), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	runf := c.setup(fs)
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return writeHelp(e.stdout, c)
	}
	if err == nil && c.files > 0 {
		err = e.needFiles(c.files)
	}
	if err == nil {
		err = runf(ctx, e, pos)
	}
	return c.annotate(err)
}

// dispatch picks the subcommand named by the first positional argument
// (flags may come before it: "exercises -y reset 1").
func (c *command) dispatch(ctx context.Context, e *env, args []string) error {
	for i, a := range args {
		if a == "--" {
			break // what follows "--" is not a subcommand name
		}
		if isHelpFlag(a) || a == "help" {
			return writeHelp(e.stdout, c)
		}
		if isFlag(a) {
			continue
		}
		s := c.sub(a)
		if s == nil {
			return c.annotate(usagef("unknown command %q; want %s", a, c.subNames()))
		}
		rest := append(slices.Clone(args[:i]), args[i+1:]...)
		return s.execute(ctx, e, rest)
	}
	if c.deflt == "" {
		return c.annotate(usagef("missing command; want %s", c.subNames()))
	}
	return c.sub(c.deflt).execute(ctx, e, args)
}

// annotate names the command an error came from, once: a usage error
// records it (main prints the hint to the command's help), any other error
// is prefixed with the command's path.
func (c *command) annotate(err error) error {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	var ue *usageError
	if errors.As(err, &ue) {
		if ue.cmd == "" {
			ue.cmd = c.path()
		}
		return err
	}
	var ce *commandError
	if errors.As(err, &ce) {
		return err // already named by a subcommand
	}
	return &commandError{cmd: c.path(), err: err}
}

// commandError is a command's failure, named by the command's path.
type commandError struct {
	cmd string
	err error
}

func (e *commandError) Error() string { return e.cmd + ": " + e.err.Error() }
func (e *commandError) Unwrap() error { return e.err }

// orList joins words as "a, b or c".
func orList(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
