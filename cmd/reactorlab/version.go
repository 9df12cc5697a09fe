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
	_, err := fmt.Fprintf(e.stdout, "reactorlab %s (%s, %s/%s)\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}

// buildVersion is the module version this binary was built from.
func buildVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

// programVersion names this program in a recording's header.
func programVersion() string {
	return "reactorlab " + buildVersion() + " (" + runtime.Version() + ")"
}
