package selectloop_test

import (
	"testing"

	"github.com/reactorlab/reactorlab/solutions/internal/grading"
)

// The reference solution's lines the variants below change.
const (
	timeval    = "t := unix.NsecToTimeval(timeout.Nanoseconds())"
	selectCall = "n, err := unix.Select(nfds, &rset, nil, nil, tv)"
	eintr      = "\tif err == unix.EINTR {\n"
	nfdsLine   = "nfds = max(nfds, fd+1)"
	readyCheck = "\t\tif !rset.IsSet(fd) {\n\t\t\tkept = append(kept, fd)\n\t\t\tcontinue\n\t\t}\n"
	closeLine  = "\t\t\tunix.Close(fd)\n\t\t\tgone = append(gone, fd)\n"
)

// wrongs are answers to 02_select_loop that learners plausibly write, each
// applied to selectloop.go. The grader must fail every one, and its first
// failure must name the mistake.
var wrongs = []grading.Wrong{
	{
		Name:  "zero-timeout",
		Why:   "calls select with a zero timeout every time (a busy loop)",
		Edits: []grading.Edit{{Old: timeval, New: "t := unix.Timeval{}"}},
		Want:  []string{"each pass must wait for its timeout", "zero Timeval"},
	},
	{
		Name:  "whole-seconds-timeout",
		Why:   "builds the timeout from whole seconds only (500ms becomes 0: a busy loop)",
		Edits: []grading.Edit{{Old: timeval, New: "t := unix.Timeval{Sec: int64(timeout / time.Second)}"}},
		Want:  []string{"each pass must wait for its timeout", "keeps only whole seconds"},
	},
	{
		Name:  "negative-timeout-polls",
		Why:   "turns a negative timeout (wait until ready) into a zero-timeout poll",
		Edits: []grading.Edit{{Old: "\tvar tv *unix.Timeval\n", New: "\tvar tv *unix.Timeval\n\ttimeout = max(timeout, 0)\n"}},
		Want:  []string{"while no client was ready", "nil *Timeval"},
	},
	{
		Name:  "reads-every-client",
		Why:   "reads every client on every pass, ignoring what select reported",
		Edits: []grading.Edit{{Old: readyCheck, New: ""}},
		Want:  []string{"Pass read fds select did not report", "rset.IsSet(fd)"},
	},
	{
		Name:  "eintr-is-an-error",
		Why:   "returns select's EINTR as an error",
		Edits: []grading.Edit{{Old: eintr, New: "\tif false {\n"}},
		Want:  []string{"after a signal interrupted select", "Return an empty pass (0, nil)"},
	},
	{
		Name:  "onclose-before-removal",
		Why:   "calls OnClose while the fd is still in the list Clients() returns",
		Edits: []grading.Edit{{Old: closeLine, New: "\t\t\tunix.Close(fd)\n\t\t\tif s.OnClose != nil {\n\t\t\t\ts.OnClose(fd)\n\t\t\t}\n"}, {Old: "\tfor _, fd := range gone {", New: "\tfor _, fd := range gone[:0] {"}},
		Want:  []string{"ran while Clients() still listed", "Call OnClose only once the fd is closed and gone from the list"},
	},
	{
		Name: "reuses-the-fd-set",
		Why:  "fills one fd set once and reuses it, though select overwrites it",
		Edits: []grading.Edit{
			{Old: "\tclients []int", New: "\tset     unix.FdSet\n\tnfds    int\n\tbuilt   bool\n\tclients []int"},
			{Old: "\tvar rset unix.FdSet\n\tnfds := 0\n\tfor _, fd := range s.clients {\n\t\trset.Set(fd)\n", New: "\tfor _, fd := range s.clients {\n\t\tif s.built {\n\t\t\tbreak\n\t\t}\n\t\ts.set.Set(fd)\n\t\tnfds := s.nfds\n"},
			{Old: nfdsLine, New: "s.nfds = max(nfds, fd+1)"},
			{Old: "\t// Step 2: wait.", New: "\ts.built = true\n\trset, nfds := &s.set, s.nfds\n\n\t// Step 2: wait."},
			{Old: selectCall, New: "n, err := unix.Select(nfds, rset, nil, nil, tv)"},
		},
		Want: []string{`round "a different client writes (the fd set must be rebuilt)"`, "build a fresh unix.FdSet on every pass"},
	},
	{
		Name:  "nfds-is-a-count",
		Why:   "passes the number of clients as nfds",
		Edits: []grading.Edit{{Old: nfdsLine, New: "nfds = len(s.clients)"}},
		Want:  []string{"highest fd + 1"},
	},
	{
		Name:  "nfds-is-the-highest-fd",
		Why:   "passes the highest fd as nfds, not the highest fd + 1",
		Edits: []grading.Edit{{Old: nfdsLine, New: "nfds = max(nfds, fd)"}},
		Want:  []string{`round "the highest fd writes"`, "nfds is not a count", "not the highest fd itself"},
	},
	{
		Name: "skips-after-removal",
		Why:  "deletes a closed client from the slice while ranging over it by index, skipping the next",
		Edits: []grading.Edit{
			{Old: "\tkept := s.clients[:0]\n", New: ""},
			{Old: "\tfor _, fd := range s.clients {\n\t\tif !rset.IsSet(fd) {\n\t\t\tkept = append(kept, fd)\n", New: "\tfor i := 0; i < len(s.clients); i++ {\n\t\tfd := s.clients[i]\n\t\tif !rset.IsSet(fd) {\n"},
			{Old: "\t\t\t// Spurious readiness: nothing to read after all. Keep it.\n\t\t\tkept = append(kept, fd)\n", New: ""},
			{Old: closeLine, New: closeLine + "\t\t\ts.clients = append(s.clients[:i], s.clients[i+1:]...)\n"},
			{Old: "\t\tdefault:\n\t\t\tkept = append(kept, fd)\n", New: "\t\tdefault:\n"},
			{Old: "\ts.clients = kept\n", New: ""},
		},
		Want: []string{"skipped the one after it"},
	},
	{
		Name:  "spins-until-ready",
		Why:   "polls select with a zero timeout until someone is ready (spinning)",
		Edits: []grading.Edit{{Old: selectCall, New: "zero, all := unix.Timeval{}, rset\n\t_ = tv\n\tn, err := 0, error(nil)\n\tfor n <= 0 { // wait until someone is ready\n\t\trset = all\n\t\tn, err = unix.Select(nfds, &rset, nil, nil, &zero)\n\t}"}},
		Want:  []string{"did not return within 3s", "spinning", "call select once and return"},
	},
	{
		Name:  "ignores-the-timeout",
		Why:   "always passes a nil timeout, so select waits forever when nobody is ready (blocking)",
		Edits: []grading.Edit{{Old: selectCall, New: "_ = tv\n\tn, err := unix.Select(nfds, &rset, nil, nil, nil)"}},
		Want:  []string{"did not return within 3s", "blocked", "unix.Select", "it was not given the timeout"},
	},
	{
		Name: "deadlocks-on-a-lock",
		Why:  "guards the Server with a mutex that Pass holds while calling Clients (deadlock)",
		Edits: []grading.Edit{
			{Old: "\tclients []int", New: "\tmu      sync.Mutex\n\tclients []int"},
			{Old: "func (s *Server) Clients() []int {\n", New: "func (s *Server) Clients() []int {\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n"},
			{Old: "\tvar rset unix.FdSet\n", New: "\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\t_ = s.Clients()\n\tvar rset unix.FdSet\n"},
			{Old: "\t\"os\"\n", New: "\t\"os\"\n\t\"sync\"\n"},
		},
		Want: []string{"did not return within", "waiting (sync.Mutex.Lock", "deadlock", "it needs neither"},
	},
}

func TestWrongSolutionsFail(t *testing.T) {
	grading.CheckWrong(t, "02_select_loop", "selectloop.go", wrongs)
}
