package record

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// Header is what a recording says about itself: which program made it
// where, on which backend, when, and of what. It is stored as key/value
// pairs, so a later version can add keys an older one keeps but ignores.
type Header struct {
	Program  string // the program that recorded: "reactorlab v1.2.0 (go1.26.8)"
	OS, Arch string // runtime.GOOS, runtime.GOARCH of the recording machine
	Backend  string // the loop's backend when recording started
	// Start is the wall time of the loop clock's zero (Loop.Epoch): an
	// event happened at Start + At.
	Start time.Time
	// Scenario names what ran: "lesson one-process-many-connections",
	// "serve echo", "demo NAME".
	Scenario string
	Title    string   // a human title: the lesson's, or the server's line
	Panes    []string // the panes the screen showed, by name ("readiness", "loop"), in order
	Info     string   // the line above the panes ("echo server · try: nc 127.0.0.1 7007")
	// Kinds names the trace kinds by number from 1, as the recording
	// build numbered them: a reader maps events by name, so a build that
	// numbers kinds differently, or does not know some, still reads it.
	Kinds []string
	// Extra holds the keys this version does not know, kept as read.
	Extra map[string]string
}

// header keys, in the order they are written.
const (
	keyProgram  = "program"
	keyOS       = "os"
	keyArch     = "arch"
	keyBackend  = "backend"
	keyStart    = "start"
	keyScenario = "scenario"
	keyTitle    = "title"
	keyPanes    = "panes"
	keyInfo     = "info"
	keyKinds    = "kinds"
)

// kindNames lists this build's trace kinds by number from 1: every Kind
// whose String is a name, up to the last one.
func kindNames() []string {
	var names []string
	last := 0
	for k := 1; k < 256; k++ {
		s := reactor.Kind(k).String()
		names = append(names, s)
		if !strings.HasPrefix(s, "kind(") {
			last = k
		}
	}
	return names[:last]
}

// fill completes h with what the recorder knows itself.
func (h *Header) fill() {
	if h.OS == "" {
		h.OS, h.Arch = runtime.GOOS, runtime.GOARCH
	}
	if h.Kinds == nil {
		h.Kinds = kindNames()
	}
	if h.Program == "" {
		h.Program = "reactorlab (" + runtime.Version() + ")"
	}
}

func (h *Header) encode() []byte {
	kv := [][2]string{
		{keyProgram, h.Program}, {keyOS, h.OS}, {keyArch, h.Arch}, {keyBackend, h.Backend},
		{keyStart, h.Start.UTC().Format(time.RFC3339Nano)},
		{keyScenario, h.Scenario}, {keyTitle, h.Title}, {keyPanes, strings.Join(h.Panes, ",")},
		{keyInfo, h.Info}, {keyKinds, strings.Join(h.Kinds, ",")},
	}
	keys := make([]string, 0, len(h.Extra))
	for k := range h.Extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		kv = append(kv, [2]string{k, h.Extra[k]})
	}
	var b buf
	b.uvarint(uint64(len(kv)))
	for _, p := range kv {
		b.str(p[0])
		b.str(p[1])
	}
	return b
}

func decodeHeader(p []byte) (Header, error) {
	r := reader{p: p}
	var h Header
	n := r.count(2)
	for range n {
		k, v := r.str(), r.str()
		switch k {
		case keyProgram:
			h.Program = v
		case keyOS:
			h.OS = v
		case keyArch:
			h.Arch = v
		case keyBackend:
			h.Backend = v
		case keyStart:
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return h, fmt.Errorf("header: start time %q: %w", v, err)
			}
			h.Start = t
		case keyScenario:
			h.Scenario = v
		case keyTitle:
			h.Title = v
		case keyPanes:
			h.Panes = splitList(v)
		case keyInfo:
			h.Info = v
		case keyKinds:
			h.Kinds = splitList(v)
		default:
			if h.Extra == nil {
				h.Extra = map[string]string{}
			}
			h.Extra[k] = v
		}
	}
	if r.err != nil {
		return h, fmt.Errorf("header: %w", r.err)
	}
	return h, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
