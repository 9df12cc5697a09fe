package visualizer

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// b steps through the available backends in reactor.Backends order and
// wraps round; a backend registered in a test joins the cycle.
func TestNextBackend(t *testing.T) {
	for _, tc := range []struct{ cur, want string }{{"select", "poll"}, {"poll", "epoll"}, {"epoll", "select"}, {"", "select"}} {
		if got := nextBackend(tc.cur); got != tc.want {
			t.Errorf("nextBackend(%q) = %q; want %q", tc.cur, got, tc.want)
		}
	}
	defer registerTestBackend()()
	for _, tc := range []struct{ cur, want string }{{"epoll", "testpoll"}, {"testpoll", "select"}} {
		if got := nextBackend(tc.cur); got != tc.want {
			t.Errorf("with testpoll registered: nextBackend(%q) = %q; want %q", tc.cur, got, tc.want)
		}
	}
}

func TestStepDelay(t *testing.T) {
	for _, tc := range []struct {
		cur  time.Duration
		dir  int
		want time.Duration
	}{
		{0, +1, 10 * time.Millisecond},
		{0, -1, 0},
		{time.Second, +1, time.Second},
		{50 * time.Millisecond, -1, 10 * time.Millisecond},
		{30 * time.Millisecond, -1, 10 * time.Millisecond},
		{30 * time.Millisecond, +1, 200 * time.Millisecond},
	} {
		if got := stepDelay(tc.cur, tc.dir); got != tc.want {
			t.Errorf("stepDelay(%v, %d) = %v; want %v", tc.cur, tc.dir, got, tc.want)
		}
	}
}

func TestParseAction(t *testing.T) {
	tests := []struct {
		in      string
		want    Action
		wantErr bool
	}{
		{"pause", Action{ID: "pause"}, false},
		{"  add-idle   100 ", Action{ID: "add-idle", Arg: "100"}, false},
		{"partial-read off", Action{ID: "partial-read", Arg: "off"}, false},
		{"", Action{}, true},
		{"add idle 100", Action{}, true},
		{"Add-Idle", Action{}, true},
		{"-x", Action{}, true},
	}
	for _, tc := range tests {
		got, err := ParseAction(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseAction(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
		if err == nil {
			if back, _ := ParseAction(got.String()); back != got {
				t.Errorf("ParseAction(%q).String() = %q does not read back", tc.in, got.String())
			}
		}
	}
}

// Every action, from a key or a script, goes through liveView.act: each
// control with its default and with an argument, the injectors, and the
// refusals (not enabled here, a bad argument, an unknown ID).
func TestAct(t *testing.T) {
	tests := []struct {
		action  string
		want    []string
		wantErr string
	}{
		{"pause", []string{"pause"}, ""},
		{"pause off", []string{"resume"}, ""},
		{"pause maybe", nil, "want on or off"},
		{"step 3", []string{"step", "step", "step"}, ""},
		{"slower 2", []string{"delay 50ms"}, ""},
		{"faster", []string{"delay 0s"}, ""},
		{"backend", []string{"switch select"}, ""},
		{"backend poll", []string{"switch poll"}, ""},
		{"backend kqueue", nil, "want one of select, poll, epoll"},
		{"add-active", []string{"add active 10"}, ""},
		{"add-idle 250", []string{"add idle 250"}, ""},
		{"add-idle 0", nil, "want a count from 1"},
		{"add-idle 99999999", nil, "want a count from 1"},
		{"drop", []string{"drop"}, ""},
		{"drop 3", nil, "takes no argument"},
		{"stall", []string{"inject stall"}, ""},
		{"stall 2", []string{"inject stall", "inject stall"}, ""},
		{"partial-read", []string{"inject partial-read true"}, ""},
		{"partial-read off", []string{"inject partial-read false"}, ""},
		{"stall 101", nil, "want a count from 1 to 100"},
		{"frobnicate", nil, "not offered here"},
	}
	for _, tc := range tests {
		live := newFakeLive()
		v := newLiveView(newConfig(nil), live, nil, AllControls(), testInjectors)
		a, err := ParseAction(tc.action)
		if err != nil {
			t.Fatal(err)
		}
		err = v.act(a)
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("act(%q) error = %v; want %q", tc.action, err, tc.wantErr)
		}
		if got := live.Calls(); !slices.Equal(got, tc.want) {
			t.Errorf("act(%q): calls = %q; want %q", tc.action, got, tc.want)
		}
	}
}

// A control or injector the lesson does not offer is refused, even from a
// script.
func TestActNotEnabled(t *testing.T) {
	live := newFakeLive()
	v := newLiveView(newConfig(nil), live, nil, []ControlID{CtlPause}, nil)
	for _, a := range []Action{{ID: "drop"}, {ID: "stall"}} {
		if err := v.act(a); !errors.Is(err, errNotHere) {
			t.Errorf("act(%s) = %v; want errNotHere", a, err)
		}
	}
	if got := live.Calls(); len(got) != 0 {
		t.Errorf("calls = %q; want none", got)
	}
}

// Every control has one row: an ID, its keys and their help, and what it
// does; no two rows share an ID or a key.
func TestControlTable(t *testing.T) {
	ids, keys := map[ControlID]bool{}, map[string]ControlID{}
	for _, c := range controlTable {
		if !validID(string(c.id)) || ids[c.id] {
			t.Errorf("control %q: ID invalid or repeated", c.id)
		}
		ids[c.id] = true
		if c.bind.Help().Key == "" || c.bind.Help().Desc == "" || c.run == nil {
			t.Errorf("control %q: incomplete row %+v", c.id, c.bind.Help())
		}
		for _, k := range c.bind.Keys() {
			if other, ok := keys[k]; ok {
				t.Errorf("key %q bound to both %s and %s", k, other, c.id)
			}
			keys[k] = c.id
		}
	}
}

// CheckAction refuses what a script gets wrong, in the words a key press
// would be refused with, and runs nothing.
func TestCheckAction(t *testing.T) {
	defer reactor.RegisterBackend(reactor.Backend{Name: "testq", Wait: "testq_wait", Glyph: 'q', Rank: 1 << 21,
		New: func() (reactor.Poller, error) { return nil, errors.New("no") }})() // known, not available
	tests := []struct {
		action  string
		wantErr string // "" = fine
	}{
		{"add-idle 100", ""},
		{"add-active", ""},
		{"backend poll", ""},
		{"backend", ""},
		{"pause on", ""},
		{"step 3", ""},
		{"stall 2", ""},
		{"partial-read off", ""},
		{"add-idle lots", `add-idle: want a count from 1 to 10000, got "lots"`},
		{"add-idle 10001", "want a count from 1 to 10000"},
		{"step 0", "want a count from 1"},
		{"pause maybe", `pause: want on or off, got "maybe"`},
		{"backend kqueue", `backend: no backend "kqueue"; want one of select, poll`},
		{"backend testq", "backend: backend testq is not available on this system"},
		{"drop 3", `drop: takes no argument, got "3"`},
		{"partial-read 2", `partial-read: want on or off, got "2"`},
		{"stall 101", "stall: want a count from 1 to 100"},
		{"add-idel 5", `no action "add-idel": the controls are pause, step, slower, faster, backend, add-active, add-idle, drop; this scenario's injectors: stall, partial-read`},
	}
	for _, tc := range tests {
		a, err := ParseAction(tc.action)
		if err != nil {
			t.Fatal(err)
		}
		err = CheckAction(a, testInjectors)
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("CheckAction(%q) = %v; want %q", tc.action, err, tc.wantErr)
		}
	}
	if err := CheckAction(Action{ID: "stall"}, nil); err == nil || !strings.Contains(err.Error(), "injectors: none") {
		t.Errorf("CheckAction(stall) with no injectors = %v; want it refused, saying there are none", err)
	}
	if err := CheckAction(Action{ID: "backend", Arg: "testq"}, nil); !errors.Is(err, ErrBackendUnavailable) {
		t.Errorf("CheckAction(backend testq) = %v; want ErrBackendUnavailable", err)
	}
}

// ActionClients tells what an action does to the clients by running its
// control, so the defaults live in the control table alone.
func TestActionClients(t *testing.T) {
	for _, tc := range []struct {
		action string
		added  int
		drops  bool
	}{
		{"add-idle 500", 500, false},
		{"add-idle", 100, false},
		{"add-active", 10, false},
		{"drop", 0, true},
		{"backend epoll", 0, false},
		{"add-idle lots", 0, false},
		{"stall", 0, false},
	} {
		a, _ := ParseAction(tc.action)
		if added, drops := ActionClients(a); added != tc.added || drops != tc.drops {
			t.Errorf("ActionClients(%q) = %d, %v; want %d, %v", tc.action, added, drops, tc.added, tc.drops)
		}
	}
}
