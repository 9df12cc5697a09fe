package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

// ChainResult is one (backend, N) cell of the chain experiment.
type ChainResult struct {
	Backend    string  `json:"backend"`
	N          int     `json:"n"`
	RequestedN int     `json:"requested_n"`
	Active     int     `json:"active"`
	Writes     int     `json:"writes"`
	Events     int     `json:"events_per_run"`
	MedianUs   float64 `json:"median_us,omitempty"`
	MinUs      float64 `json:"min_us,omitempty"`
	MaxUs      float64 `json:"max_us,omitempty"`
	Refused    string  `json:"refused,omitempty"`
}

// ChainReport is the whole chain experiment, as printed by --json.
type ChainReport struct {
	Experiment string        `json:"experiment"`
	Machine    Machine       `json:"machine"`
	Limits     Limits        `json:"rlimit_nofile"`
	Runs       int           `json:"runs"`
	Notes      []string      `json:"notes,omitempty"`
	Results    []ChainResult `json:"results"`
}

// ChainOptions configures the chain experiment (libevent's test/bench.c).
type ChainOptions struct {
	Ns       []int    // numbers of socketpairs, one row each (bench.c -n)
	Active   int      // pipes made readable at the start of each run (bench.c -a)
	Writes   int      // one-byte writes passed along from pipe to pipe per run (bench.c -w)
	Runs     int      // runs per cell (the median is reported)
	Backends []string // backends to compare; nil means every available one
}

// DefaultChainOptions returns the defaults `reactorlab bench chain` starts from.
func DefaultChainOptions() ChainOptions {
	return ChainOptions{Ns: []int{100}, Active: 1, Writes: 100, Runs: 25}
}

// Chain runs the chain experiment: N socketpairs, Active made readable,
// and Writes one-byte writes passed along by the read handlers; it reports
// the time per run. N is capped by the open-file limit, with a note.
func Chain(ctx context.Context, o ChainOptions) (*ChainReport, error) {
	if err := checkCommon(o.Ns, &o.Backends); err != nil {
		return nil, err
	}
	if o.Active < 1 || o.Writes < 0 || o.Runs < 1 {
		return nil, fmt.Errorf("bench: ChainOptions.Active %d and Runs %d must be at least 1, Writes %d at least 0", o.Active, o.Runs, o.Writes)
	}
	for _, n := range o.Ns {
		if o.Active > n {
			return nil, fmt.Errorf("bench: ChainOptions.Active %d is more than N %d; want at most one active per pipe", o.Active, n)
		}
	}
	return runChain(ctx, o)
}

func runChain(ctx context.Context, o ChainOptions) (*ChainReport, error) {
	rep := &ChainReport{Experiment: "chain", Machine: machine(), Limits: raiseNofile(), Runs: o.Runs}
	if rep.Limits.Note != "" {
		rep.Notes = append(rep.Notes, rep.Limits.Note)
	}
	for _, want := range o.Ns {
		// each socketpair is 2 fds; each loop adds a poller and a waker.
		n, note := capPairs(rep.Limits, want)
		if note != "" {
			rep.Notes = append(rep.Notes, note)
		}
		cells, err := chainN(ctx, n, min(o.Active, n), o)
		if err != nil {
			return nil, err
		}
		for _, c := range cells {
			c.RequestedN = want
			rep.Results = append(rep.Results, c)
		}
	}
	return rep, nil
}

// chainRig is one loop with every pipe registered, as bench.c sets up.
type chainRig struct {
	l                     *reactor.Loop
	count, fired, writesN int
}

func chainN(ctx context.Context, n, active int, o ChainOptions) ([]ChainResult, error) {
	cells := make([]ChainResult, len(o.Backends))
	rigs := make([]*chainRig, len(o.Backends))
	var p *pairs
	defer func() { // the loops (and their registrations) go before the fds
		for _, r := range rigs {
			if r != nil {
				r.l.Close()
			}
		}
		if p != nil {
			p.close()
		}
	}()
	// Loops first, so their poller and waker fds take low numbers and the
	// select backend is refused by a pipe, not by its own waker.
	for i, b := range o.Backends {
		cells[i] = ChainResult{Backend: b, N: n, Active: active, Writes: o.Writes, Events: active + o.Writes}
		l, err := reactor.New(reactor.Config{Backend: b, Heartbeat: -1})
		if err != nil {
			return nil, err
		}
		rigs[i] = &chainRig{l: l}
	}
	p, err := newPairs(n)
	if err != nil {
		return nil, err
	}
	for i, rig := range rigs {
		err := rig.register(p)
		if errors.Is(err, reactor.ErrFDSetSize) {
			cells[i].Refused = err.Error()
			rig.l.Close()
			rigs[i] = nil
			continue
		}
		if err != nil {
			return nil, err
		}
	}
	samples := make([][]float64, len(o.Backends))
	space := n / active
	for r := range o.Runs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for k := range rigs {
			i := (k + r) % len(rigs)
			rig := rigs[i]
			if rig == nil {
				continue
			}
			d, err := rig.run(p, active, space, o.Writes)
			if err != nil {
				return nil, err
			}
			samples[i] = append(samples[i], float64(d.Nanoseconds())/1e3)
		}
	}
	for i := range cells {
		if s := samples[i]; len(s) > 0 {
			slices.Sort(s)
			cells[i].MedianUs, cells[i].MinUs, cells[i].MaxUs = s[len(s)/2], s[0], s[len(s)-1]
		}
	}
	return cells, nil
}

// register watches every read end, as bench.c's run_once does.
func (rig *chainRig) register(p *pairs) error {
	l := rig.l
	n := len(p.r)
	buf := make([]byte, 1)
	one := []byte{'e'}
	for i, fd := range p.r {
		next := p.w[(i+1)%n]
		_, err := l.Register(fd, reactor.Readable, "", func(fd int, _ reactor.Ready) {
			// bench.c read_cb: read one byte, pass one along while writes remain.
			if k, err := unix.Read(fd, buf); err == nil {
				rig.count += k
			}
			if rig.writesN > 0 {
				unix.Write(next, one)
				rig.writesN--
				rig.fired++
			}
		})
		if err != nil {
			return err
		}
	}
	return l.Iterate(0)
}

// run is bench.c's run_once: make A pipes active, then run passes until
// every byte written has been read.
func (rig *chainRig) run(p *pairs, active, space, writes int) (time.Duration, error) {
	rig.fired, rig.count, rig.writesN = 0, 0, writes
	for i := range active {
		unix.Write(p.w[i*space], []byte{'e'})
		rig.fired++
	}
	t0 := time.Now()
	for rig.count != rig.fired {
		if err := rig.l.Iterate(0); err != nil {
			return 0, err
		}
	}
	return time.Since(t0), nil
}

// PrintChain writes the chain report as a table, one column per backend
// in the order of backends.
func PrintChain(w io.Writer, rep *ChainReport, backends []string) {
	fmt.Fprintf(w, "reactorlab bench chain (libevent bench.c): time per run, median of %d runs\n", rep.Runs)
	fmt.Fprintf(w, "machine: %s\n", rep.Machine)
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if len(rep.Results) > 0 {
		r := rep.Results[0]
		fmt.Fprintf(w, "active %d, writes %d (%d events per run)\n", r.Active, r.Writes, r.Events)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%7s", "pipes")
	for _, b := range backends {
		fmt.Fprintf(w, "  %-22s", b)
	}
	fmt.Fprintf(w, "  %s\n", "per event (best backend)")
	var refusal string
	for i := 0; i < len(rep.Results); i += len(backends) {
		row := rep.Results[i : i+len(backends)]
		fmt.Fprintf(w, "%7d", row[0].N)
		best := 0.0
		for _, c := range row {
			if c.Refused != "" {
				fmt.Fprintf(w, "  %-22s", "refused (fd >= 1024)")
				refusal = c.Refused
				continue
			}
			fmt.Fprintf(w, "  %-22s", fmtNs(c.MedianUs*1e3))
			if best == 0 || c.MedianUs < best {
				best = c.MedianUs
			}
		}
		fmt.Fprintf(w, "  %s\n", fmtNs(best*1e3/float64(max(row[0].Events, 1))))
	}
	if refusal != "" {
		fmt.Fprintf(w, "\nselect refused: %s\n", refusal)
	}
}
