//go:build !linux

package syscount

import "os"

// Counter is a traced child process; elsewhere than Linux there is none.
type Counter struct{}

// Start reports ErrUnsupported: counting needs Linux's ptrace.
func Start(argv, env []string, files []*os.File) (*Counter, error) { return nil, ErrUnsupported }

// Pid is the child's process id.
func (c *Counter) Pid() int { return 0 }

// Done is closed once the child has exited.
func (c *Counter) Done() <-chan struct{} { ch := make(chan struct{}); close(ch); return ch }

// Err says how the child ended.
func (c *Counter) Err() error { return ErrUnsupported }

// Kill ends the child.
func (c *Counter) Kill() {}

// Counts is a snapshot of what the child has called.
func (c *Counter) Counts() Counts { return nil }
