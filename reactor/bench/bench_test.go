package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// Options out of range are refused before anything is measured.
func TestOptionsRefused(t *testing.T) {
	ctx := context.Background()
	wait := func(edit func(*WaitOptions)) error {
		o := DefaultWaitOptions()
		edit(&o)
		_, err := Wait(ctx, o)
		return err
	}
	chain := func(edit func(*ChainOptions)) error {
		o := DefaultChainOptions()
		edit(&o)
		_, err := Chain(ctx, o)
		return err
	}
	tests := []struct {
		name string
		err  error
	}{
		{"wait: no N", wait(func(o *WaitOptions) { o.Ns = nil })},
		{"wait: zero N", wait(func(o *WaitOptions) { o.Ns = []int{0} })},
		{"wait: unknown backend", wait(func(o *WaitOptions) { o.Backends = []string{"kqueue"} })},
		{"wait: zero rounds", wait(func(o *WaitOptions) { o.Rounds = 0 })},
		{"wait: zero batch", wait(func(o *WaitOptions) { o.Batch = 0 })},
		{"chain: zero runs", chain(func(o *ChainOptions) { o.Runs = 0 })},
		{"chain: negative writes", chain(func(o *ChainOptions) { o.Writes = -1 })},
		{"chain: more active than pipes", chain(func(o *ChainOptions) { o.Ns, o.Active = []int{2}, 5 })},
	}
	for _, tc := range tests {
		if tc.err == nil {
			t.Errorf("%s: err = nil; want an error", tc.name)
		}
	}
}

func TestWaitTinyJSON(t *testing.T) {
	rep, err := Wait(context.Background(), WaitOptions{Ns: []int{4, 8}, Rounds: 1, Batch: time.Millisecond})
	if err != nil {
		t.Fatalf("Wait = %v; want nil", err)
	}
	b, err := json.Marshal(rep)
	if err != nil || !json.Valid(b) {
		t.Fatalf("report does not marshal as JSON: %v", err)
	}
	if want := 2 * len(reactor.BackendNames()); len(rep.Results) != want {
		t.Fatalf("results = %d; want %d", len(rep.Results), want)
	}
	for _, r := range rep.Results {
		if r.MedianNs <= 0 || r.Refused != "" {
			t.Errorf("%s N=%d: median %v refused %q; want a positive number", r.Backend, r.N, r.MedianNs, r.Refused)
		}
	}
}

func TestChainTinyText(t *testing.T) {
	o := ChainOptions{Ns: []int{4}, Active: 1, Writes: 10, Runs: 2}
	rep, err := Chain(context.Background(), o)
	if err != nil {
		t.Fatalf("Chain = %v; want nil", err)
	}
	var out bytes.Buffer
	PrintChain(&out, rep, reactor.BackendNames())
	for _, b := range reactor.BackendNames() {
		if !strings.Contains(out.String(), b) {
			t.Errorf("output has no %s column:\n%s", b, out.String())
		}
	}
}

func TestWaitCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Wait(ctx, WaitOptions{Ns: []int{4}, Rounds: 1, Batch: time.Millisecond})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("bench wait with a cancelled context = %v; want context.Canceled", err)
	}
}

func TestPrintWaitRefusal(t *testing.T) {
	rep := &WaitReport{Rounds: 1, Results: []WaitResult{
		{Backend: "select", N: 2000, Refused: "fd 1024: " + reactor.ErrFDSetSize.Error()},
		{Backend: "poll", N: 2000, MedianNs: 100000},
		{Backend: "epoll", N: 2000, MedianNs: 1000},
	}}
	var out bytes.Buffer
	PrintWait(&out, rep, []string{"select", "poll", "epoll"})
	for _, want := range []string{"refused", "FD_SETSIZE (1024)", "100.0×"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table does not contain %q:\n%s", want, out.String())
		}
	}
}
