package load

import (
	"errors"
	"fmt"
	"math"
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

// DefaultOptions returns the defaults `reactorlab load` starts from.
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

// MaxSize bounds Options.Size, so a typo cannot allocate gigabytes per
// connection.
const MaxSize = 16 << 20

// Validate reports the first option that is out of range, or nil. Run
// calls it; so can a caller that wants to check options before it starts.
func (o Options) Validate() error {
	switch {
	case o.Addr == "":
		return errors.New("invalid Options: Addr is empty")
	case o.Conns < 1:
		return fmt.Errorf("invalid Options: Conns %d; want at least 1", o.Conns)
	case o.Idle < 0:
		return fmt.Errorf("invalid Options: Idle %d; want 0 or more", o.Idle)
	case o.Size < 1 || o.Size > MaxSize:
		return fmt.Errorf("invalid Options: Size %d; want 1 to %d bytes", o.Size, MaxSize)
	case o.Rate < 0 || math.IsNaN(o.Rate) || math.IsInf(o.Rate, 0):
		return fmt.Errorf("invalid Options: Rate %g; want a finite rate, 0 (closed loop) or more", o.Rate)
	case o.Duration <= 0:
		return fmt.Errorf("invalid Options: Duration %s; want a positive one", o.Duration)
	case o.Warmup < 0:
		return fmt.Errorf("invalid Options: Warmup %s; want 0 or more", o.Warmup)
	case o.Mode != ModeEcho && o.Mode != ModeStream:
		return fmt.Errorf("invalid Options: Mode %q; want %q or %q", o.Mode, ModeEcho, ModeStream)
	case o.ServerPID < 0:
		return fmt.Errorf("invalid Options: ServerPID %d; want a process id, or 0 for none", o.ServerPID)
	}
	if _, _, err := net.SplitHostPort(o.Addr); err != nil {
		return fmt.Errorf("invalid Options: Addr %q is not host:port (%v)", o.Addr, err)
	}
	return nil
}
