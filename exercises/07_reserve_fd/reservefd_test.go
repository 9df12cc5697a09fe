package reservefd

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/exercises/internal/guard"
)

// Each test runs its scenario in a child process (helpers_test.go) with a
// real TCP listener on 127.0.0.1, port 0, real clients, and — where it says
// so — the fd table filled by lowering RLIMIT_NOFILE in that child. The
// child runs the loop a server would: poll the listener, call AcceptAll
// when it is readable, until it goes idle. Spinning is measured in passes
// of that loop, not in time.

// With room in the table, one call accepts every waiting client, and the
// reserve is left alone.
func TestAcceptAllAcceptsEveryone(t *testing.T) {
	rep := runChild(t, "room")
	ph := rep.Phases[0]
	prefix := "3 clients waiting in the listen queue, room in the fd table"
	judgeStuck(t, prefix, ph)
	switch {
	case len(ph.Calls) == 0:
		t.Fatalf("%s: the listener never became readable for AcceptAll.%s", prefix, revisit)
	case ph.Calls[0].Err != "":
		t.Fatalf("%s: AcceptAll returned error %s; want nil.%s", prefix, ph.Calls[0].Err, revisit)
	case ph.Calls[0].Accepted != 3:
		t.Fatalf("%s: the first AcceptAll accepted %d of them; want all 3.\n\tOne readiness report can stand for many queued connections: accept in a loop until accept says EAGAIN.%s", prefix, ph.Calls[0].Accepted, revisit)
	case ph.Calls[0].Refused != 0:
		t.Fatalf("%s: AcceptAll refused %d; want none: only EMFILE (or ENFILE) calls for the reserve.%s", prefix, ph.Calls[0].Refused, revisit)
	case ph.Blocking > 0:
		t.Fatalf("%s: %d accepted fds are in blocking mode; want every one non-blocking (acceptOne does it).%s", prefix, ph.Blocking, revisit)
	case ph.Reserve != "open":
		t.Fatalf("%s: after AcceptAll, the reserve (a.reserve = %d) is %s; with room in the table it must be left alone, open.%s", prefix, ph.ReserveFd, ph.Reserve, revisit)
	case !ph.Idle:
		t.Fatalf("%s: after %d passes the listener was still readable.%s", prefix, len(ph.Calls), revisit)
	}
}

// A full table: accept fails with EMFILE and the clients stay queued, so
// the listener stays readable. With the reserve, every waiting client is
// refused (its connection closed) and the loop goes idle; once fds come
// free, clients are accepted again.
func TestAcceptAllRefusesWhenFull(t *testing.T) {
	rep := runChild(t, "full")
	ph := rep.Phases[0]
	prefix := fmt.Sprintf("in a child process whose fd table is full (RLIMIT_NOFILE lowered to %d, every fd below it in use), %d clients waiting in the listen queue", rep.Limit, ph.Queued)
	judgeStuck(t, prefix, ph)
	judgeReserve(t, prefix, ph)
	if ph.Spun {
		t.Fatalf("%s: the listener was still readable after %d passes of the loop, and each AcceptAll call accepted and refused nothing (%s): the accept loop spins.\n\tThis is the EMFILE spin: accept fails, the client stays queued, the listener stays readable, and the next wait returns at once — forever, at full CPU, serving nobody. Spend the reserve: close it (one slot frees), accept (the client takes that slot), close the connection (the client is refused, not left hanging), and open the reserve again.%s",
			prefix, passLimit, summary(ph), revisit)
	}
	for _, c := range ph.Calls {
		if c.EMFILE {
			t.Fatalf("%s: AcceptAll returned %q with its reserve fd in hand.\n\tThat is what the reserve is for: close it, accept, close the connection, open the reserve again — the client is refused politely and the queue drains. Return EMFILE only when there is no reserve to spend.%s", prefix, c.Err, revisit)
		}
		if c.Err != "" {
			t.Fatalf("%s: AcceptAll returned error %s; want nil.%s", prefix, c.Err, revisit)
		}
	}
	if ph.Refused != ph.Queued || ph.Accepted != 0 {
		t.Fatalf("%s: %d of them were refused (the server closed their connection) and %d accepted; want all %d refused: %s.\n\tOn EMFILE, spend the reserve for each waiting client, until accept says EAGAIN.%s", prefix, ph.Refused, ph.Accepted, ph.Queued, summary(ph), revisit)
	}
	if !ph.Idle {
		t.Fatalf("%s: after %d passes the listener was still readable: %s.%s", prefix, len(ph.Calls), summary(ph), revisit)
	}

	ph = rep.Phases[1]
	prefix = fmt.Sprintf("then two fds came free and %d more clients arrived", ph.Queued)
	judgeStuck(t, prefix, ph)
	judgeReserve(t, prefix, ph)
	if ph.Accepted != 2 || ph.Refused != 1 {
		t.Fatalf("%s: AcceptAll accepted %d and refused %d (%s); want 2 accepted, then 1 refused.\n\tAccept while accept works; only EMFILE calls for the reserve, and after spending it, open it again.%s", prefix, ph.Accepted, ph.Refused, summary(ph), revisit)
	}
	if !ph.Idle {
		t.Fatalf("%s: after %d passes the listener was still readable: %s.%s", prefix, len(ph.Calls), summary(ph), revisit)
	}
}

// The reserve is gone: something else got its slot while it was spent.
// With the table full there is no way to refuse anyone, and retrying cannot
// help: AcceptAll must say so with an error wrapping EMFILE (the loop then
// stops watching the listener until an fd is closed). When an fd comes
// free, AcceptAll takes the reserve back first, then refuses the waiting
// clients.
func TestAcceptAllWithoutReserve(t *testing.T) {
	rep := runChild(t, "gone")
	ph := rep.Phases[0]
	prefix := fmt.Sprintf("in a child process whose fd table is full (RLIMIT_NOFILE lowered to %d) and whose reserve is gone (a.reserve = -1, its slot taken), %d clients waiting", rep.Limit, ph.Queued)
	judgeStuck(t, prefix, ph)
	last := call{}
	if len(ph.Calls) > 0 {
		last = ph.Calls[len(ph.Calls)-1]
	}
	switch {
	case ph.Spun:
		t.Fatalf("%s: AcceptAll returned without an error on each of %d passes while the clients stayed queued (%s): the loop spins.\n\tWith no reserve to spend, say so: return the error, wrapping EMFILE (os.NewSyscallError(\"accept\", err)), so that the loop can stop watching the listener until an fd is closed.%s", prefix, passLimit, summary(ph), revisit)
	case !last.EMFILE:
		t.Fatalf("%s: AcceptAll returned %d, %d, %q; want an error wrapping EMFILE (errors.Is(err, unix.EMFILE)).%s", prefix, last.Accepted, last.Refused, last.Err, revisit)
	}

	ph = rep.Phases[1]
	prefix = "then the fd that had taken the reserve's slot was closed"
	judgeStuck(t, prefix, ph)
	if ph.Reserve != "open" {
		t.Fatalf("%s: AcceptAll ran (%s) and a.reserve is still %s.\n\tWhen the reserve is spent (-1), try to open it again at the START of AcceptAll, before accepting anyone: a freed fd should become the reserve first, or the next full table finds you without one.%s", prefix, summary(ph), ph.Reserve, revisit)
	}
	if ph.Refused != ph.Queued {
		t.Fatalf("%s: %d of the %d waiting clients were refused (%s); want all of them, with the reserve taken back.%s", prefix, ph.Refused, ph.Queued, summary(ph), revisit)
	}
}

// judgeStuck fails the test if AcceptAll did not return in phase ph.
func judgeStuck(t *testing.T, prefix string, ph phase) {
	t.Helper()
	if ph.Stuck == nil {
		return
	}
	t.Fatalf("%s: %s.\n\tExpected: AcceptAll accepts (or refuses) until accept says EAGAIN, then returns.\n\t%s%s", prefix, ph.Stuck.Text, whyStuck(ph.Stuck), revisit)
}

// judgeReserve fails the test if the reserve is not back in hand after a
// phase in which the table had a slot for it.
func judgeReserve(t *testing.T, prefix string, ph phase) {
	t.Helper()
	switch ph.Reserve {
	case "open":
	case "spent":
		t.Fatalf("%s: after AcceptAll (%s), a.reserve is -1: the reserve was spent and never taken back.\n\tRight after closing the refused connection, open the reserve again (openSpare): the slot is free at that moment, and the next EMFILE needs it.%s", prefix, summary(ph), revisit)
	default:
		t.Fatalf("%s: after AcceptAll (%s), a.reserve = %d, and that number is %s: the reserve was closed and never opened again.\n\tAfter spending it — close it, accept, close the connection — open it again at once (openSpare) and keep the new number. Closing the old number again later closes whatever has it now: a client's connection.%s", prefix, summary(ph), ph.ReserveFd, ph.Reserve, revisit)
	}
}

// whyStuck explains an AcceptAll that did not return.
func whyStuck(s *stuck) string {
	switch {
	case s.Kind == guard.Spinning:
		return "AcceptAll goes round and round on EMFILE: the table stays full until something closes an fd, and nothing will while the loop spins. Spend the reserve (close it, accept, close the connection, open it again); with no reserve to spend, return the error. And a full table says EMFILE even when nobody is waiting (accept takes a slot before it looks at the queue): when the accept made with the reserve's slot says EAGAIN, the queue is empty — return."
	case s.Kind == guard.Blocked && strings.Contains(s.Where, "Accept"):
		return "accept(2) is waiting: the listener is in blocking mode. Leave it non-blocking: EAGAIN is how AcceptAll learns that the queue is empty."
	case s.Kind == guard.Blocked:
		return fmt.Sprintf("AcceptAll is waiting in %s, for more clients or for room. At EAGAIN the queue is empty: return. Waiting for the next client is the loop's job, for every fd at once.", orElse(s.Where, "a system call"))
	case s.Kind == guard.Waiting:
		return "AcceptAll waits for a lock or a channel that nothing will release — for example a mutex locked in AcceptAll and again in a helper it calls. AcceptAll runs on the loop's goroutine: it needs no lock."
	case s.Kind == guard.Sleeping:
		return "AcceptAll sleeps, waiting for room? Nothing frees an fd while the loop sleeps. Spend the reserve, or return the error."
	}
	return "AcceptAll must return once accept says EAGAIN, or with an error when there is no way to accept."
}

// summary lists what each AcceptAll call of a phase returned.
func summary(ph phase) string {
	if len(ph.Calls) == 0 {
		return "AcceptAll was not called"
	}
	var parts []string
	for i, c := range ph.Calls {
		if i == 3 && len(ph.Calls) > 4 {
			parts = append(parts, fmt.Sprintf("… %d calls in all", len(ph.Calls)))
			break
		}
		err := "nil"
		if c.Err != "" {
			err = fmt.Sprintf("%q", c.Err)
		}
		parts = append(parts, fmt.Sprintf("AcceptAll() = %d, %d, %s", c.Accepted, c.Refused, err))
	}
	return strings.Join(parts, "; ")
}

func orElse(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// TestAcceptAllInChild is not a test of its own: it plays the scenario the
// other tests start it for, in a child process (see helpers_test.go).
func TestAcceptAllInChild(t *testing.T) {
	scenario := os.Getenv(childEnv)
	if scenario == "" {
		t.Skip("runs only in the child processes the other tests start")
	}
	play(t, scenario)
}
