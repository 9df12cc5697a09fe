package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

// WaitResult is one cell of the wait experiment.
type WaitResult struct {
	Backend    string  `json:"backend"`
	N          int     `json:"n"`
	RequestedN int     `json:"requested_n"`
	MedianNs   float64 `json:"median_ns,omitempty"`
	MinNs      float64 `json:"min_ns,omitempty"`
	MaxNs      float64 `json:"max_ns,omitempty"`
	Refused    string  `json:"refused,omitempty"`
}

// WaitReport is the whole wait experiment, as printed by --json.
type WaitReport struct {
	Experiment string       `json:"experiment"`
	Machine    Machine      `json:"machine"`
	Limits     Limits       `json:"rlimit_nofile"`
	Rounds     int          `json:"rounds"`
	Notes      []string     `json:"notes,omitempty"`
	Results    []WaitResult `json:"results"`
}

type waitOpts struct {
	ns       []int
	backends []string
	rounds   int
	batch    time.Duration
	json     bool
}

func waitCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wait", flag.ContinueOnError)
	fs.SetOutput(stderr)
	nList := fs.String("n", "16,64,256,1024,4096,10000", "comma-separated numbers of watched socketpairs")
	backends := fs.String("backends", "all", "comma-separated backends to compare ("+strings.Join(reactor.BackendNames(), ",")+")")
	rounds := fs.Int("rounds", 7, "interleaved measurement rounds per cell (the median is reported)")
	batch := fs.Duration("batch", 10*time.Millisecond, "target duration of one timed batch of wait calls")
	asJSON := fs.Bool("json", false, "print machine-readable JSON instead of a table")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: reactorlab bench wait [flags]\n\n"+
			"For each backend and each N, register N socketpairs with exactly one readable\n"+
			"and report the median cost of one wait call (timeout 0). select refuses fds >= 1024.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	o := waitOpts{rounds: *rounds, batch: *batch, json: *asJSON}
	var err error
	if o.ns, err = parseInts("n", *nList); err != nil {
		return err
	}
	if o.backends, err = parseBackends(*backends); err != nil {
		return err
	}
	if o.rounds < 1 || o.batch <= 0 {
		return usagef("bench wait: --rounds and --batch must be positive")
	}
	rep, err := runWait(ctx, o)
	if err != nil {
		return err
	}
	return report(stdout, o.json, rep, func() { printWait(stdout, rep, o.backends) })
}

func runWait(ctx context.Context, o waitOpts) (*WaitReport, error) {
	rep := &WaitReport{Experiment: "wait", Machine: machine(), Limits: raiseNofile(), Rounds: o.rounds}
	if rep.Limits.Note != "" {
		rep.Notes = append(rep.Notes, rep.Limits.Note)
	}
	for _, want := range o.ns {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, note := capPairs(rep.Limits, want)
		if note != "" {
			rep.Notes = append(rep.Notes, note)
		}
		cells, err := measureN(ctx, n, o)
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

// measureN registers n socketpairs (one readable) on every backend and
// times wait calls, interleaving backends round by round so drift on a
// shared machine hits them all alike.
func measureN(ctx context.Context, n int, o waitOpts) ([]WaitResult, error) {
	p, err := newPairs(n)
	if err != nil {
		return nil, err
	}
	defer p.close()
	// One byte, never read: the fd stays readable (level-triggered) on every call.
	if _, err := unix.Write(p.w[n/2], []byte{1}); err != nil {
		return nil, fmt.Errorf("write: %w", err)
	}
	cells := make([]WaitResult, len(o.backends))
	pollers := make([]reactor.Poller, len(o.backends))
	samples := make([][]float64, len(o.backends))
	defer func() {
		for _, pl := range pollers {
			if pl != nil {
				pl.Close()
			}
		}
	}()
	for i, b := range o.backends {
		cells[i] = WaitResult{Backend: b, N: n}
		pl, err := reactor.NewPoller(b)
		if err != nil {
			return nil, err
		}
		pollers[i] = pl
		for _, fd := range p.r {
			if err := pl.Register(fd, reactor.MakeToken(fd, 1), reactor.Readable); err != nil {
				if !errors.Is(err, reactor.ErrFDSetSize) {
					return nil, err
				}
				cells[i].Refused = err.Error()
				pl.Close()
				pollers[i] = nil
				break
			}
		}
	}
	evs := make([]reactor.Event, 128)
	batch := make([]int, len(o.backends))
	for i, pl := range pollers {
		if pl != nil {
			batch[i] = calibrate(pl, evs, o.batch)
		}
	}
	for r := range o.rounds {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for k := range pollers {
			i := (k + r) % len(pollers) // rotate the order each round
			pl := pollers[i]
			if pl == nil {
				continue
			}
			t0 := time.Now()
			for range batch[i] {
				if got, err := pl.Wait(evs, 0); err != nil || got != 1 {
					return nil, fmt.Errorf("%s wait: %d ready, %v; want 1", pl.Name(), got, err)
				}
			}
			samples[i] = append(samples[i], float64(time.Since(t0).Nanoseconds())/float64(batch[i]))
		}
	}
	for i := range cells {
		if s := samples[i]; len(s) > 0 {
			slices.Sort(s)
			cells[i].MedianNs, cells[i].MinNs, cells[i].MaxNs = s[len(s)/2], s[0], s[len(s)-1]
		}
	}
	return cells, nil
}

// calibrate picks how many calls make one batch of about target.
func calibrate(pl reactor.Poller, evs []reactor.Event, target time.Duration) int {
	k := 1
	for {
		t0 := time.Now()
		for range k {
			pl.Wait(evs, 0)
		}
		d := time.Since(t0)
		if d >= target/4 || k >= 1<<20 {
			return max(1, int(int64(k)*int64(target)/max(int64(d), 1)))
		}
		k *= 4
	}
}

func printWait(w io.Writer, rep *WaitReport, backends []string) {
	fmt.Fprintf(w, "reactorlab bench wait: median cost of one wait call, 1 of N fds ready, timeout 0 (%d rounds)\n", rep.Rounds)
	fmt.Fprintf(w, "machine: %s\n", rep.Machine)
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintln(w)
	hasEpoll := slices.Contains(backends, "epoll")
	fmt.Fprintf(w, "%7s", "N")
	for _, b := range backends {
		fmt.Fprintf(w, "  %-22s", b)
	}
	if hasEpoll {
		for _, b := range backends {
			if b != "epoll" {
				fmt.Fprintf(w, "  %12s", b+"/epoll")
			}
		}
	}
	fmt.Fprintln(w)
	var refusal string
	for i := 0; i < len(rep.Results); i += len(backends) {
		row := rep.Results[i : i+len(backends)]
		fmt.Fprintf(w, "%7d", row[0].N)
		var epoll float64
		for _, c := range row {
			if c.Backend == "epoll" {
				epoll = c.MedianNs
			}
			if c.Refused != "" {
				fmt.Fprintf(w, "  %-22s", "refused (fd >= 1024)")
				refusal = c.Refused
				continue
			}
			fmt.Fprintf(w, "  %-22s", fmtNs(c.MedianNs))
		}
		if hasEpoll {
			for _, c := range row {
				if c.Backend == "epoll" {
					continue
				}
				if c.Refused != "" || epoll == 0 {
					fmt.Fprintf(w, "  %12s", "-")
				} else {
					fmt.Fprintf(w, "  %11.1f×", c.MedianNs/epoll)
				}
			}
		}
		fmt.Fprintln(w)
	}
	if refusal != "" {
		fmt.Fprintf(w, "\nselect refused: %s\n", refusal)
	}
}

func fmtNs(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}
