package lessons

import (
	"context"
	"fmt"

	"github.com/reactorlab/reactorlab/reactor/tcp"
	"github.com/reactorlab/reactorlab/visualizer"
)

// runApp opens the shell on the terminal: home when i < 0, else lesson i.
// opts reach the visualizer (the CLI passes visualizer.WithExercises, so
// home lists the exercises).
func runApp(ctx context.Context, i int, opts ...visualizer.Option) error {
	start := ""
	if ls := load(); i >= 0 && i < len(ls) {
		start = ls[i].slug
	}
	return visualizer.RunApp(ctx, VisualizerLessons(), start, opts...)
}

// Dashboard shows every pane over a server that is not running yet (what
// `reactorlab serve` opens on a terminal). It drives srv's loop on its own
// goroutine while the screen is up — the caller must not run the loop
// itself — and the add-clients controls connect to srv's address. When the
// learner quits (or ctx ends) the loop stops iterating; srv and its loop
// stay open for the caller to close. opts adjust it (WithRecorder).
func Dashboard(ctx context.Context, srv *tcp.Server, opts ...DashboardOption) error {
	d := serverDriver(srv)
	defer d.Close()
	for _, o := range opts {
		o(d)
	}
	title := fmt.Sprintf("reactorlab serve — %s on %s", srv.Protocol(), srv.Addr())
	return visualizer.RunDashboard(ctx, title, d, visualizer.WithInjectors(declare(d.injectors)...))
}

// serverDriver drives srv's loop on its own goroutine for Dashboard.
// Closing the driver stops iterating and drops its simulated clients but
// leaves srv and its loop open.
func serverDriver(srv *tcp.Server) *Driver {
	raiseFileLimit() // best effort, as in Start
	addr := srv.Addr().String()
	d := newDriver(srv.Loop(), addr, false, nil)
	d.info = infoLine(srv.Protocol(), addr)
	d.probeEvery = probeEvery // the dashboard shows every pane, the cost pane too
	d.injectors = []string{injStall}
	if answersEveryLine(Protocol(srv.Protocol())) {
		d.timeClients() // the latency pane times the clients c adds
	}
	d.srv = srv
	d.rebuild.Store(true)
	d.sampleFDs = true // and the fds pane
	d.start()
	return d
}
