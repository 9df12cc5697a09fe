package load

import (
	"errors"
	"fmt"
	"net"
	"time"
)

// Options configures one load run. The zero value is not valid; use
// DefaultOptions and change what you need.
type Options struct {
	Addr        string        // server address, host:port
	Conns       int           // active connections
	Idle        int           // extra connections that never send
	Size        int           // message size in bytes
	Rate        float64       // total requests (messages) per second; 0 = closed loop / as fast as possible
	Duration    time.Duration // measured period
	Warmup      time.Duration // run before measuring (samples discarded)
	Mode        string        // "echo" or "stream"
	Verify      bool          // check every echoed byte
	DialTimeout time.Duration // per connection
	ServerPID   int           // if > 0, read the server's CPU time from /proc (Linux)
}

// DefaultOptions returns the defaults used by `reactorlab load`.
func DefaultOptions() Options {
	return Options{
		Addr:        "127.0.0.1:7007",
		Conns:       50,
		Size:        64,
		Duration:    5 * time.Second,
		Mode:        ModeEcho,
		DialTimeout: 5 * time.Second,
	}
}

// The load modes.
const (
	ModeEcho   = "echo"
	ModeStream = "stream"
)

// maxSize bounds --size so a typo cannot allocate gigabytes per connection.
const maxSize = 16 << 20

// validate checks the options and returns a usage error naming the bad one.
func (o Options) validate() error {
	switch {
	case o.Addr == "":
		return usagef("--addr is empty; pass HOST:PORT, e.g. --addr 127.0.0.1:7007")
	case o.Conns < 1:
		return usagef("--conns %d is too small; use at least 1 active connection", o.Conns)
	case o.Idle < 0:
		return usagef("--idle %d is negative; use 0 or more idle connections", o.Idle)
	case o.Size < 1 || o.Size > maxSize:
		return usagef("--size %d is out of range; use 1 to %d bytes", o.Size, maxSize)
	case o.Rate < 0:
		return usagef("--rate %g is negative; use 0 (as fast as possible) or a positive rate", o.Rate)
	case o.Duration <= 0:
		return usagef("--duration %s must be positive, e.g. --duration 5s", o.Duration)
	case o.Warmup < 0:
		return usagef("--warmup %s is negative", o.Warmup)
	case o.Mode != ModeEcho && o.Mode != ModeStream:
		return usagef("--mode %q is unknown; use echo or stream", o.Mode)
	}
	if _, _, err := net.SplitHostPort(o.Addr); err != nil {
		return usagef("--addr %q is not HOST:PORT (%v)", o.Addr, err)
	}
	return nil
}

// UsageError reports a command-line mistake. Its exit code is 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// ExitCode returns 2, the conventional exit status for usage mistakes.
func (e *UsageError) ExitCode() int { return 2 }

func usagef(format string, args ...any) error {
	return &UsageError{Msg: "load: " + fmt.Sprintf(format, args...)}
}

// IsUsage reports whether err is a usage mistake.
func IsUsage(err error) bool {
	var u *UsageError
	return errors.As(err, &u)
}
