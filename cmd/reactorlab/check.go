package main

import (
	"net"
	"strings"

	"github.com/reactorlab/reactorlab/reactor"
)

// Checks of argument values that more than one command makes. Each
// returns a usage error naming the flag and what would do.

// noArgs is the check of a command that takes no positional arguments.
func noArgs(args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	return nil
}

// checkBackend refuses a backend this system does not have, naming the
// ones it has.
func checkBackend(flagName, name string) error {
	have := strings.Join(reactor.BackendNames(), ", ")
	b, ok := reactor.LookupBackend(name)
	if !ok {
		return usagef("unknown %s %q; this system has %s", flagName, name, have)
	}
	if !b.Available {
		return usagef("%s %s does not run on this system; it has %s", flagName, name, have)
	}
	return nil
}

// checkListen refuses an address that is not HOST:PORT, and one other
// machines could reach unless public says that is meant.
func checkListen(flagName, addr string, public bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("%s %q is not HOST:PORT, e.g. 127.0.0.1:7007", flagName, addr)
	}
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return usagef("%s %q: %v", flagName, addr, err)
	}
	if (host == "" || !a.IP.IsLoopback()) && !public {
		return usagef("%s %s would accept connections from other machines; add --public if you mean it, or use 127.0.0.1", flagName, addr)
	}
	return nil
}
