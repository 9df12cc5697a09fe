package main

import (
	"os"

	"github.com/reactorlab/reactorlab/lessons"
)

// Lesson 13 runs its two echo servers as child processes of the lab: this
// same executable, started again with lessons.ChildEnv naming the server.
// Such a process is a server, not the command line, so it is caught here,
// before main parses anything.
func init() {
	if status, ok := lessons.RunChild(); ok {
		os.Exit(status)
	}
}
