package record

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
)

// TestWriteJSON writes the committed lesson recording as JSON Lines: every
// line is one tcp.JSONEvent (no field outside the headless schema), one
// per event, Deferred events and gaps included.
func TestWriteJSON(t *testing.T) {
	for _, r := range []*Recording{lesson1(t), lesson3(t)} {
		var b bytes.Buffer
		if err := WriteJSON(&b, r); err != nil {
			t.Fatal(err)
		}
		s := Summarize(r)
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if len(lines) != int(s.Events) {
			t.Errorf("%s: %d lines; want one per event (%d)", r.Header.Scenario, len(lines), s.Events)
		}
		kinds := map[string]int{}
		for i, line := range lines {
			dec := json.NewDecoder(strings.NewReader(line))
			dec.DisallowUnknownFields()
			var j tcp.JSONEvent
			if err := dec.Decode(&j); err != nil {
				t.Fatalf("line %d %q: %v", i+1, line, err)
			}
			kinds[j.Kind]++
		}
		for k, n := range s.ByKind {
			if kinds[k] != n {
				t.Errorf("%s: %d %q lines; the recording has %d", r.Header.Scenario, kinds[k], k, n)
			}
		}
	}
	var b bytes.Buffer
	WriteJSON(&b, lesson1(t))
	golden(t, "lesson1-stall.jsonl", b.String())
	for _, want := range []string{`"kind":"stall","fd":`, `"label":"blocking handler (sleeps 300ms)"`, `"kind":"action","label":"stall"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the JSON has no %s", want)
		}
	}
}

// TestJSONMatchesHeadless records a server while `serve --headless`'s
// writer traces it: replaying the recording as JSON gives the lines the
// headless trace printed, the same bytes.
func TestJSONMatchesHeadless(t *testing.T) {
	loop, err := reactor.New(reactor.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer loop.Close()
	var out bytes.Buffer
	h := tcp.NewHeadless(loop, &out)
	path := filepath.Join(t.TempDir(), "serve.rlt")
	rec, err := Create(path, loop, Options{Interval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := tcp.NewServer(loop, "127.0.0.1:0", "echo")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx, srv) }()
	for i := range 3 {
		c, err := net.Dial("tcp", srv.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "hello %d\n", i)
		if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	var replayed bytes.Buffer
	if err := WriteJSON(&replayed, readRecording(t, path)); err != nil {
		t.Fatal(err)
	}
	// The headless writer puts listen events first; the recording keeps
	// the loop's order. Otherwise: the same lines.
	want, got := strings.Split(out.String(), "\n"), strings.Split(replayed.String(), "\n")
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("replayed JSON (%d lines) differs from the headless trace (%d lines)\n--- replayed ---\n%s\n--- headless ---\n%s",
			len(got), len(want), replayed.String(), out.String())
	}
	if len(want) < 20 {
		t.Errorf("only %d lines: the test traced too little to compare", len(want))
	}
}
