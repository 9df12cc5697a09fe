// Package classroom is `reactorlab classroom`: an SSH server, in the same
// binary, that gives every student who connects a lab of their own — the
// same shell as `reactorlab` on a terminal (home, lessons, live panes),
// over its own reactor, scenario and progress — and gives the teacher a
// roster and a "follow me" mode.
//
// # One process, many labs
//
// Each SSH session runs one bubbletea program (a [visualizer.App] inside
// this package's session model) with its own lessons.Driver when a lesson
// is open: its own reactor.Loop on its own goroutine, its own listener on
// a kernel-chosen loopback port and its own simulated clients. Nothing is
// shared between two labs but the process, and what the process has only
// once is budgeted:
//
//   - Panics. Bubbletea recovers a panic in Update, View or a Cmd and ends
//     that program only; the session model recovers its own Update and
//     View first, so the server logs the panic (and keeps its stack in the
//     state directory) and the student sees a goodbye that says what
//     happened. Every goroutine this package starts recovers too, as do
//     the driver's and the simulated clients' in lessons.
//   - Stalls. A lab's loop runs on its own locked OS thread: a student who
//     blocks their loop (the stall injector) blocks nobody else's.
//   - Open files. RLIMIT_NOFILE is per process, so it is split: a reserve
//     for the server itself, room for logins in progress, and one equal
//     share per seat ([Budget]). Each lab is capped (lessons.Limits) to
//     the simulated clients its share holds, and --max-students defaults
//     to the number of shares the limit allows. A student past the last
//     seat gets a message saying the class is full, not a lab that fails
//     later. (File descriptor numbers are still per process: select's
//     1024 wall is reached by the class together, sooner than one lab
//     alone would reach it.)
//   - CPU. Labs redraw about 10 times a second instead of 30, and a
//     student who presses no key for --idle-timeout is sent home so the
//     seat is free again.
//
// # Logging in
//
// Charm's ssh server lets everyone in when no auth handler is set; this
// server always sets one and refuses to start without a way in: an
// authorized keys file (OpenSSH's format; the option `teacher` before a
// key marks a teacher), teacher keys given on the command line, and/or a
// password file of bcrypt hashes (HashPassword makes one). The host key
// is made once (ed25519) and kept in the state directory, so students see
// the same fingerprint every time.
//
// # Teacher and follow mode
//
// A teacher's session is a lab like the others plus two keys: ctrl+r
// shows the roster (who, which lesson and page, idle time, traffic), and
// ctrl+f turns "follow me" on or off. While it is on, every student who
// follows is moved to the page the teacher is on, each time the teacher
// moves (visualizer.GoToMsg); a student leaves, or rejoins, with ctrl+f.
// Moves travel through a one-slot mailbox per session, so a slow student
// never holds the teacher up and only the latest page is delivered.
//
// # Ending
//
// A session ends when the student quits (q), after --idle-timeout without
// a key, when the lab crashes, or when the server shuts down; each time
// the program leaves the alternate screen, the student reads a goodbye
// saying why, and the SSH session exits. Shutdown quits every program,
// waits a few seconds for the goodbyes, then closes what is left.
//
// The server's own screen ([RunDashboard]) shows the sessions, traffic,
// the fd budget and recent events; without a terminal the same events go
// to a plain log.
package classroom
