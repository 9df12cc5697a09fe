package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/reactor/record"
	"github.com/reactorlab/reactorlab/reactor/tcp"
)

// recorded is the committed recording of lesson 1 with a stall, and its
// golden report and JSON, in reactor/record/testdata.
var recorded = filepath.Join("..", "..", "reactor", "record", "testdata", "lesson1-stall")

func TestReplay(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("hello\n"), 0o644)
	newer := filepath.Join(dir, "newer.rlt")
	os.WriteFile(newer, binary.AppendUvarint([]byte(record.Magic), record.Version+1), 0o644)
	tests := []struct {
		args []string
		code int
		want string // in stderr
	}{
		{[]string{"replay"}, 2, "replay: wants one recording FILE, got 0 arguments"},
		{[]string{"replay", "a", "b"}, 2, "got 2 arguments"},
		{[]string{"replay", recorded + ".rlt", "--summary", "--json"}, 2, "pick one"},
		{[]string{"replay", filepath.Join(dir, "nope.rlt"), "--summary"}, 1, "nope.rlt: no such file; make one with 'reactorlab lesson N --record "},
		{[]string{"replay", text, "--summary"}, 1, "notes.txt: not a reactorlab trace: it does not start with the trace signature"},
		{[]string{"replay", newer, "--json"}, 1, "trace format version 2 is newer than this reactorlab reads (version 1)"},
		{[]string{"replay", recorded + ".rlt"}, 1, "replaying needs a terminal and stdout is not one; add --summary"},
	}
	for _, tc := range tests {
		_, errOut, code := runArgs(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("reactorlab %s: exit %d, stderr %q; want exit %d and %q", strings.Join(tc.args, " "), code, errOut, tc.code, tc.want)
		}
		if strings.Count(errOut, "\n") > 2 {
			t.Errorf("reactorlab %s: stderr %q; want one line (and a hint)", strings.Join(tc.args, " "), errOut)
		}
	}
}

// TestReplaySummaryAndJSON runs the two plain outputs on the committed
// recording: the report and the JSON Lines are its golden files.
func TestReplaySummaryAndJSON(t *testing.T) {
	for _, tc := range []struct {
		flag, golden, prefix string
	}{
		{"--summary", ".summary", "trace " + recorded + ".rlt\n\n"},
		{"--json", ".jsonl", ""},
	} {
		out, errOut, code := runArgs(t, "replay", recorded+".rlt", tc.flag)
		want, err := os.ReadFile(recorded + tc.golden)
		if err != nil {
			t.Fatal(err)
		}
		if code != 0 || errOut != "" || out != tc.prefix+string(want) {
			t.Errorf("replay %s: exit %d, stderr %q, stdout\n%s\nwant exit 0 and\n%s%s", tc.flag, code, errOut, out, tc.prefix, want)
		}
	}
}

// TestReplayPerfetto writes the Trace Event Format to a file and says how
// to open it.
func TestReplayPerfetto(t *testing.T) {
	out := filepath.Join(t.TempDir(), "trace.json")
	_, errOut, code := runArgs(t, "replay", recorded+".rlt", "--perfetto", out)
	if code != 0 || !strings.Contains(errOut, "wrote "+out+": open it in https://ui.perfetto.dev") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ TraceEvents []map[string]any }
	if err := json.Unmarshal(data, &f); err != nil || len(f.TraceEvents) < 100 {
		t.Errorf("%s: %d events, %v; want a Trace Event Format file", out, len(f.TraceEvents), err)
	}
}

// TestReplayDamaged replays a cut file: what can be read is, and stderr
// says where the file ends.
func TestReplayDamaged(t *testing.T) {
	data, err := os.ReadFile(recorded + ".rlt")
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.rlt")
	os.WriteFile(cut, data[:len(data)/2], 0o644)
	out, errOut, code := runArgs(t, "replay", cut, "--summary")
	if code != 0 || !strings.Contains(errOut, "replay: "+cut+": the recording ends at byte") || !strings.Contains(out, "incomplete") {
		t.Errorf("exit %d, stderr %q, stdout %q; want the report with the end named on stderr", code, errOut, out)
	}
}

func TestRecordFlag(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"lesson", "1", "--record", dir}, "--record " + dir + " is a directory"},
		{[]string{"lesson", "1", "--record", filepath.Join(dir, "no", "x.rlt")}, "no directory"},
		{[]string{"serve", "--record", filepath.Join(dir, "no", "x.rlt")}, "no directory"},
	} {
		_, errOut, code := runArgs(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("reactorlab %s: exit %d, stderr %q; want a usage error with %q", strings.Join(tc.args, " "), code, errOut, tc.want)
		}
	}
}

// TestServeHeadlessRecord records `serve --headless --record`: the file
// replays as the same JSON the headless trace printed (bar the listen
// line, which comes before the recorder starts), and stderr says what
// was recorded.
func TestServeHeadlessRecord(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(t.TempDir(), "serve.rlt")
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: pw, stderr: &stderr,
		fileLimit: func() (uint64, uint64, error) { return 1 << 20, 1 << 20, nil }}
	done := make(chan int, 1)
	go func() {
		code := exitCode(run(ctx, []string{"serve", "--headless", "--listen", "127.0.0.1:0", "--record", path}, e), &stderr)
		pw.Close()
		done <- code
	}()
	lines := bufio.NewScanner(pr)
	lines.Scan()
	var first tcp.JSONEvent
	if err := json.Unmarshal(lines.Bytes(), &first); err != nil || first.Kind != "listen" {
		t.Fatalf("first line %q (%v); want a listen event", lines.Text(), err)
	}
	c, err := net.Dial("tcp", first.Text)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("ping"))
	io.ReadFull(c, make([]byte, 4))
	c.Close()
	var headless []string
	got := make(chan struct{})
	go func() {
		for lines.Scan() {
			headless = append(headless, lines.Text())
		}
		close(got)
	}()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	<-got
	if !strings.Contains(stderr.String(), "recorded ") || !strings.Contains(stderr.String(), "replay it with: reactorlab replay "+path) {
		t.Errorf("stderr %q; want what was recorded and how to replay it", stderr.String())
	}
	out, _, code := runArgs(t, "replay", path, "--json")
	if code != 0 {
		t.Fatalf("replay --json: exit %d", code)
	}
	replayed := strings.Split(strings.TrimSpace(out), "\n")
	joined := "\n" + strings.Join(headless, "\n") + "\n"
	for _, l := range replayed {
		if !strings.Contains(joined, "\n"+l+"\n") {
			t.Errorf("replayed line %s is not in the headless trace", l)
		}
	}
	if !strings.Contains(out, `"kind":"accepted"`) || !strings.Contains(out, `"kind":"bytes-in"`) {
		t.Errorf("the recording lacks the client's accept and bytes:\n%s", out)
	}
}
