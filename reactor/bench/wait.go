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

// WaitOptions configures the wait experiment.
type WaitOptions struct {
	Ns       []int         // numbers of watched socketpairs, one row each
	Backends []string      // backends to compare; nil means every available one
	Rounds   int           // interleaved measurement rounds per cell (the median is reported)
	Batch    time.Duration // target duration of one timed batch of wait calls
}

// DefaultWaitOptions returns the defaults `reactorlab bench wait` starts from.
func DefaultWaitOptions() WaitOptions {
	return WaitOptions{Ns: []int{16, 64, 256, 1024, 4096, 10000}, Rounds: 7, Batch: 10 * time.Millisecond}
}

// Wait runs the wait experiment: for each backend and each N, register N
// socketpairs with exactly one readable and time one wait call (timeout
// 0). select refuses fds at or above 1024; the report says so in its cell.
// N is capped by the open-file limit, with a note.
func Wait(ctx context.Context, o WaitOptions) (*WaitReport, error) {
	if err := checkCommon(o.Ns, &o.Backends); err != nil {
		return nil, err
	}
	if o.Rounds < 1 || o.Batch <= 0 {
		return nil, fmt.Errorf("bench: WaitOptions.Rounds %d and Batch %s must be positive", o.Rounds, o.Batch)
	}
	return runWait(ctx, o)
}

func runWait(ctx context.Context, o WaitOptions) (*WaitReport, error) {
	rep := &WaitReport{Experiment: "wait", Machine: machine(), Limits: raiseNofile(), Rounds: o.Rounds}
	if rep.Limits.Note != "" {
		rep.Notes = append(rep.Notes, rep.Limits.Note)
	}
	for _, want := range o.Ns {
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
func measureN(ctx context.Context, n int, o WaitOptions) ([]WaitResult, error) {
	p, err := newPairs(n)
	if err != nil {
		return nil, err
	}
	defer p.close()
	// One byte, never read: the fd stays readable (level-triggered) on every call.
	if _, err := unix.Write(p.w[n/2], []byte{1}); err != nil {
		return nil, fmt.Errorf("write: %w", err)
	}
	cells := make([]WaitResult, len(o.Backends))
	pollers := make([]reactor.Poller, len(o.Backends))
	samples := make([][]float64, len(o.Backends))
	defer func() {
		for _, pl := range pollers {
			if pl != nil {
				pl.Close()
			}
		}
	}()
	for i, b := range o.Backends {
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
	batch := make([]int, len(o.Backends))
	for i, pl := range pollers {
		if pl != nil {
			batch[i] = calibrate(pl, evs, o.Batch)
		}
	}
	for r := range o.Rounds {
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

// PrintWait writes the wait report as a table, one column per backend in
// the order of backends, with the ratio of each to epoll.
func PrintWait(w io.Writer, rep *WaitReport, backends []string) {
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
