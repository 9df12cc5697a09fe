package classroom

import "time"

// Options configure a classroom server. The command line fills them in
// (cmd/reactorlab/classroom.go); New checks them.
type Options struct {
	// Listen is HOST:PORT (port 0 picks a free one; Addr tells which).
	Listen string
	// AuthorizedKeys is a file of public keys allowed in, in OpenSSH's
	// authorized_keys format; the option "teacher" before a key marks a
	// teacher's (see TeacherOption). Re-read when it changes. "" = none.
	AuthorizedKeys string
	// Teachers are more teacher keys, each an authorized_keys line (the
	// contents of a .pub file).
	Teachers []string
	// PasswordFile holds bcrypt hashes, one a line (HashPassword makes
	// one); whoever knows the password logs in as a student. "" = none.
	PasswordFile string
	// StateDir keeps the host key and each student's progress. Required.
	StateDir string
	// Budget shares the process's open files among the seats.
	Budget Budget
	// IdleTimeout ends a student's session after this long without a key
	// press (or a move by follow mode). 0 = never. Teachers are exempt.
	IdleTimeout time.Duration
	// FrameRate is how often each lab samples its reactor and redraws;
	// 0 = DefaultFrameRate.
	FrameRate int
	// Log receives each event as it happens, one line without a newline
	// (nil = kept only for Status and Events).
	Log func(line string)
}

// Defaults.
const (
	DefaultIdleTimeout = 30 * time.Minute
	// DefaultFrameRate is a third of the lab's own 30: a class of thirty
	// labs then redraws 300 times a second, not 900.
	DefaultFrameRate = 10
	// shutdownGrace is how long shutdown waits for programs to quit and
	// goodbyes to be written before it closes the connections.
	shutdownGrace = 5 * time.Second
	// handshakeTimeout bounds a login that never finishes.
	handshakeTimeout = 30 * time.Second
)
