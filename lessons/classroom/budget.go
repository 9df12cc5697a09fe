package classroom

import (
	"fmt"
	"os"
)

// The open-file budget. RLIMIT_NOFILE is one number for the whole process,
// so the server splits it: a reserve for itself, room for logins in
// progress, and one equal share per seat (students and teachers).
const (
	// ServerFiles is the server's own reserve: standard streams, the Go
	// runtime's netpoller, the SSH listener, the state files it reads and
	// writes, the server's own screen.
	ServerFiles = 64
	// LoginFiles is how many connections may be logging in at once (one
	// fd each) on top of the seats; more are closed at once, so strangers
	// knocking cannot use up the students' files.
	LoginFiles = 16
	// TeacherSeats is how many teacher sessions may be open at once (a
	// laptop and a projector, say), on top of --max-students.
	TeacherSeats = 2
	// labBaseFiles is what a session holds before any simulated client:
	// its SSH connection, the loop's poller and waker, the lab server's
	// listener and spare fd, and room for an injector's pipes.
	labBaseFiles = 16
	// MinSessionFiles is the smallest share that leaves a lab a few
	// clients.
	MinSessionFiles = 32
	// DefaultSessionFiles lets every lesson run as written: lesson 2 takes
	// a lab past fd 1024 (about 520 simulated clients, two fds each).
	DefaultSessionFiles = 1280
)

// Budget is how the process's open files are shared among the seats.
type Budget struct {
	FileLimit    uint64 // RLIMIT_NOFILE in force (0 = unknown: not checked)
	SessionFiles int    // one seat's share: its SSH connection and its lab
	MaxStudents  int    // student seats; TeacherSeats more for teachers
}

// Clients is how many simulated clients a lab's share holds.
func (b Budget) Clients() int { return max(0, (b.SessionFiles-labBaseFiles)/2) }

// Need is how many open files the whole class may take.
func (b Budget) Need() uint64 {
	return ServerFiles + LoginFiles + uint64(b.MaxStudents+TeacherSeats)*uint64(b.SessionFiles)
}

// MaxStudentsFor is how many students fit in limit open files at
// sessionFiles each (0 when not even one does).
func MaxStudentsFor(limit uint64, sessionFiles int) int {
	if sessionFiles <= 0 || limit < ServerFiles+LoginFiles {
		return 0
	}
	seats := int((limit - ServerFiles - LoginFiles) / uint64(sessionFiles))
	return max(0, seats-TeacherSeats)
}

// Check says what is wrong with the budget, and the way out.
func (b Budget) Check() error {
	switch {
	case b.SessionFiles < MinSessionFiles:
		return fmt.Errorf("a lab needs at least %d open files, not %d", MinSessionFiles, b.SessionFiles)
	case b.MaxStudents < 1:
		return fmt.Errorf("a class needs at least one student seat, not %d", b.MaxStudents)
	case b.FileLimit > 0 && b.Need() > b.FileLimit:
		fit := MaxStudentsFor(b.FileLimit, b.SessionFiles)
		return fmt.Errorf("%d students (+%d teacher seats) at %d open files each need %d, but this process may open only %d (ulimit -n): "+
			"allow at most %d students, give each lab fewer files, or raise the limit", b.MaxStudents, TeacherSeats, b.SessionFiles, b.Need(), b.FileLimit, fit)
	}
	return nil
}

// String sums the budget up in one line for the server's screen and log.
func (b Budget) String() string {
	s := fmt.Sprintf("%d students + %d teacher seats × %d open files (up to %d simulated clients per lab) + %d for the server and logins",
		b.MaxStudents, TeacherSeats, b.SessionFiles, b.Clients(), ServerFiles+LoginFiles)
	if b.FileLimit > 0 {
		s += fmt.Sprintf(" = %d of the %d this process may open", b.Need(), b.FileLimit)
	}
	return s
}

// openFiles counts the process's open file descriptors (-1 if it cannot
// tell). /dev/fd lists them on Linux and macOS alike.
func openFiles() int {
	ents, err := os.ReadDir("/dev/fd")
	if err != nil {
		return -1
	}
	return len(ents) - 1 // the directory read itself holds one
}
