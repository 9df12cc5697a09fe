package lessons

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/visualizer"
)

// Start builds a scenario and starts it: a loop on sc.Backend, sc.Server
// listening on 127.0.0.1 at a port the kernel picks, the driver goroutine,
// and the scenario's first simulated clients. Cancelling ctx closes it, as
// does Close.
func Start(ctx context.Context, sc Scenario) (*Driver, error) { return start(ctx, sc, Limits{}, nil) }

// start is Start with the scenario held to lim; attach, if not nil, runs
// once the server is up and before the loop runs or any client connects (a
// recorder starts there).
func start(ctx context.Context, sc Scenario, lim Limits, attach func(*Driver) error) (*Driver, error) {
	raiseFileLimit() // best effort: if it fails the wall is the rlimit, not 1024
	loop, err := reactor.New(reactor.Config{Backend: sc.Backend})
	if errors.Is(err, reactor.ErrLinuxOnly) {
		return nil, fmt.Errorf("this lesson's scenario runs on %s, which only Linux has (this system has %s): the pages still read, the live part needs Linux",
			sc.Backend, strings.Join(reactor.BackendNames(), ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("start %s scenario: %w", sc.Server, err)
	}
	loop.SetGhostRebuild(!sc.KeepGhosts)
	srv, err := startServer(loop, sc.Server, "127.0.0.1:0")
	if err != nil {
		loop.Close()
		return nil, fmt.Errorf("start %s scenario: %w", sc.Server, err)
	}
	d := newDriver(loop, srv.addr, true, srv.close)
	d.info = infoLine(string(sc.Server), srv.addr)
	d.probeEvery = probesFor(sc.Panes)
	d.chains = srv.chains
	d.injectors = sc.Injectors
	d.srv, d.lab = srv.tcp, srv.lab
	d.rebuild.Store(!sc.KeepGhosts)
	d.sampleFDs = slices.Contains(sc.Panes, visualizer.PaneFDs)
	d.clients.line = srv.line
	d.clients.session = srv.session
	d.clients.max = lim.MaxClients
	d.ext = srv.ext
	if srv.attach != nil {
		srv.attach(d)
	}
	d.pool, d.work, d.profile = srv.pool, srv.work, srv.profile
	if srv.timed {
		d.timeClients()
	}
	if attach != nil {
		if err := attach(d); err != nil {
			srv.close()
			loop.Close()
			return nil, err
		}
	}
	d.start()
	d.clients.add(sc.ActiveClients, true)
	d.clients.add(sc.IdleClients, false)
	for _, g := range sc.Clients {
		d.clients.addGroup(g)
	}
	go func() {
		defer func() {
			if p := recover(); p != nil { // never take the terminal down with us
				d.report(fmt.Errorf("closing the scenario: %v", p))
			}
		}()
		select {
		case <-ctx.Done():
			d.Close()
		case <-d.done:
		}
	}()
	return d, nil
}

// infoLine is the line above the panes. It is often cut to fit the panes'
// width, so the command to type comes first after the server's name.
func infoLine(protocol, addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return protocol + " server on " + addr
	}
	line := fmt.Sprintf("%s server · try: nc %s %s", protocol, connectHost(addr), port)
	if host != connectHost(addr) {
		line += " (listening on " + addr + ")"
	}
	return line
}

// connectHost is the host a learner should give nc: the bound one, or
// 127.0.0.1 when the server listens on every address.
func connectHost(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" || host == "0.0.0.0" || host == "::" {
		return "127.0.0.1"
	}
	return host
}
