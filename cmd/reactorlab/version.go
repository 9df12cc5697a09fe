package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

func init() {
	register(&command{
		name: "version", rank: 90,
		summary: "print the reactorlab and Go versions",
		setup:   func(*flag.FlagSet) runFunc { return runVersion },
	})
}

func runVersion(_ context.Context, e *env, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	version := "(devel)"
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		version = info.Main.Version
	}
	_, err := fmt.Fprintf(e.stdout, "reactorlab %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}
