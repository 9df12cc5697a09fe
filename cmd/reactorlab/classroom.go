package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/reactorlab/reactorlab/lessons/classroom"
	"golang.org/x/term"
)

func init() {
	register(&command{
		name: "classroom", args: "[flags] | password", rank: 45, files: labFiles,
		summary: "an SSH server that gives every student a live lab of their own; the teacher gets a roster and follow me",
		about: `Serve the lab over SSH: every student who connects gets their own lab (its own
reactor, scenario and progress) in their own terminal. It refuses to start
without a way to log in, and listens only on loopback unless --public.

  --authorized-keys FILE  students' public keys, one a line (OpenSSH's format).
                          Mark a teacher by writing the word teacher before the
                          key:   teacher ssh-ed25519 AAAAC3Nz... ada@laptop
                          The file is read again when it changes.
  --password-file FILE    a class password, for classes without keys; make the
                          file with:   reactorlab classroom password > FILE
  --teacher KEY           a teacher's public key (a .pub file or its text).

In a teacher's session ctrl+r shows the roster (who, lesson and page, idle
time) and ctrl+f turns follow me on or off: every student who follows is moved
to the teacher's page; a student leaves or rejoins with ctrl+f. The host key is made once in
the state directory; its fingerprint is printed at start for students to
check. On a terminal the server shows its own screen (sessions, traffic, the
open-file budget); otherwise it logs events to stderr. Ctrl-C ends the
class: every student reads a goodbye.

Examples:
  reactorlab classroom --authorized-keys class.keys
  reactorlab classroom password > class.pass
  reactorlab classroom --password-file class.pass --teacher ~/.ssh/id_ed25519.pub
  reactorlab classroom --listen 0.0.0.0:2222 --public --authorized-keys class.keys`,
		setup: func(fs *flag.FlagSet) runFunc {
			o := &classroomFlags{}
			fs.StringVar(&o.listen, "listen", "127.0.0.1:2222", "`HOST:PORT` to listen on (port 0 picks a free one)")
			fs.BoolVar(&o.public, "public", false, "allow listening on a non-loopback address (reachable from other machines)")
			fs.StringVar(&o.keys, "authorized-keys", "", "`FILE` of public keys allowed in; 'teacher' before a key marks a teacher")
			fs.StringVar(&o.password, "password-file", "", "`FILE` holding a bcrypt hash of the class password (see 'reactorlab classroom password')")
			fs.Var(&o.teachers, "teacher", "a teacher's public `KEY`: a .pub file or its text (repeatable)")
			fs.IntVar(&o.maxStudents, "max-students", 0, "student `SEATS` (default: as many as the open-file limit holds at --session-fds each)")
			fs.IntVar(&o.sessionFDs, "session-fds", classroom.DefaultSessionFiles, "open `FILES` one session may hold, its lab's simulated clients included (lesson 2's 1024 wall needs about 1100)")
			fs.DurationVar(&o.idle, "idle-timeout", classroom.DefaultIdleTimeout, "end a student's session after this `DURATION` without a key press; 0 = never")
			fs.StringVar(&o.stateDir, "state-dir", "", "`DIR` for the host key and students' progress (default $XDG_STATE_HOME/reactorlab/classroom)")
			return func(ctx context.Context, e *env, args []string) error { return o.run(ctx, e, args, fs) }
		},
	})
}

// classroomFlags are the flags of `reactorlab classroom`.
type classroomFlags struct {
	listen, keys, password, stateDir string
	public                           bool
	teachers                         stringList
	maxStudents, sessionFDs          int
	idle                             time.Duration
}

// stringList is a flag that may be given more than once.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ", ") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

func (o *classroomFlags) run(ctx context.Context, e *env, args []string, fs *flag.FlagSet) error {
	if len(args) == 1 && args[0] == "password" {
		var set []string
		fs.Visit(func(f *flag.Flag) { set = append(set, dashed(f.Name)) })
		if len(set) > 0 {
			return usagef("password takes no flags (got %s): it only prints a hash for --password-file", strings.Join(set, ", "))
		}
		return writePasswordHash(e)
	}
	if len(args) > 0 {
		return usagef("unexpected %q: the only word classroom takes is password", strings.Join(args, " "))
	}
	opts, err := o.options(e)
	if err != nil {
		return err
	}
	if !isTerminal(e.stdout) { // on a terminal the server's screen lists the events
		opts.Log = func(line string) { fmt.Fprintf(e.stderr, "%s %s\n", time.Now().Format("15:04:05"), line) }
	}
	srv, err := classroom.New(opts)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%w; is another classroom running there? pick another port, or --listen 127.0.0.1:0 for a free one", err)
	}
	if err != nil {
		return err
	}
	if isTerminal(e.stdout) {
		err = classroom.RunDashboard(ctx, srv)
		st := srv.Status()
		fmt.Fprintf(e.stderr, "classroom: class ended after %s; traffic in %d bytes, out %d bytes\n", st.Up.Round(time.Second), st.BytesIn, st.BytesOut)
		return err
	}
	b := srv.Budget()
	fmt.Fprintf(e.stdout, `reactorlab classroom listening on %s
host key %s — students: ssh shows this fingerprint the first time; check it
logins: %s
open files: %s
students connect with: %s
Ctrl-C ends the class (every student reads a goodbye).
`, srv.Addr(), srv.Fingerprint(), srv.Auth(), b, classroom.ConnectHint(srv.Addr().String()))
	return srv.Serve(ctx)
}

// options checks the flags and builds the server's options, with the
// open-file budget from this process's limit.
func (o *classroomFlags) options(e *env) (classroom.Options, error) {
	var opts classroom.Options
	if err := checkListen("--listen", o.listen, o.public); err != nil {
		return opts, err
	}
	if o.keys == "" && o.password == "" && len(o.teachers) == 0 {
		return opts, usagef("needs a way for students to log in: --authorized-keys FILE (their public keys, one a line) or --password-file FILE (make one with 'reactorlab classroom password > FILE')")
	}
	switch {
	case o.sessionFDs < classroom.MinSessionFiles:
		return opts, usagef("--session-fds %d: a lab needs at least %d (default %d)", o.sessionFDs, classroom.MinSessionFiles, classroom.DefaultSessionFiles)
	case o.maxStudents < 0:
		return opts, usagef("--max-students %d: use a positive number, or leave it out to size the class from the open-file limit", o.maxStudents)
	case o.idle < 0:
		return opts, usagef("--idle-timeout %s: use a positive duration such as 30m, or 0 for never", o.idle)
	}
	for i, t := range o.teachers {
		key, err := teacherKey(t)
		if err != nil {
			return opts, usagef("--teacher %s: %v", t, err)
		}
		o.teachers[i] = key
	}
	b, err := o.budget(e)
	if err != nil {
		return opts, err
	}
	dir := o.stateDir
	if dir == "" {
		if dir, err = defaultStateDir(); err != nil {
			return opts, err
		}
	}
	return classroom.Options{
		Listen: o.listen, AuthorizedKeys: o.keys, PasswordFile: o.password, Teachers: o.teachers,
		StateDir: dir, Budget: b, IdleTimeout: o.idle,
	}, nil
}

// budget shares the open-file limit among the seats: --max-students of
// them, or as many as fit.
func (o *classroomFlags) budget(e *env) (classroom.Budget, error) {
	b := classroom.Budget{SessionFiles: o.sessionFDs, MaxStudents: o.maxStudents}
	soft, _, err := e.fileLimit()
	if err == nil {
		b.FileLimit = soft
	}
	if b.MaxStudents == 0 {
		if b.FileLimit == 0 {
			return b, errors.New("cannot read the open-file limit to size the class: give --max-students")
		}
		if b.MaxStudents = classroom.MaxStudentsFor(b.FileLimit, b.SessionFiles); b.MaxStudents < 1 {
			return b, fmt.Errorf("this process may open %d files (ulimit -n), not enough for one lab of %d plus the server's %d: raise the limit, or give each lab fewer with --session-fds",
				b.FileLimit, b.SessionFiles, classroom.ServerFiles+classroom.LoginFiles)
		}
	}
	if err := b.Check(); err != nil {
		return b, usagef("--max-students %d: %v", b.MaxStudents, err)
	}
	return b, nil
}

// teacherKey reads a --teacher value: a public key's text, or a file
// holding one (a .pub file).
func teacherKey(v string) (string, error) {
	if f := strings.Fields(v); len(f) >= 2 && (strings.HasPrefix(f[0], "ssh-") || strings.HasPrefix(f[0], "ecdsa-") || strings.HasPrefix(f[0], "sk-")) {
		return v, nil
	}
	data, err := os.ReadFile(v)
	if err != nil {
		return "", fmt.Errorf("neither a public key nor a file holding one: %w", err)
	}
	return strings.TrimSpace(string(data)), nil
}

// defaultStateDir is $XDG_STATE_HOME/reactorlab/classroom (default
// ~/.local/state/reactorlab/classroom).
func defaultStateDir() (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", errors.New("no place for the host key: set XDG_STATE_HOME or HOME, or give --state-dir")
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "reactorlab", "classroom"), nil
}

// writePasswordHash reads a class password and prints the line a password
// file holds: typed twice without echo on a terminal, else the first line
// of standard input.
func writePasswordHash(e *env) error {
	var pw string
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		read := func(prompt string) (string, error) {
			fmt.Fprint(e.stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(e.stderr)
			return string(b), err
		}
		first, err := read("Class password: ")
		if err != nil {
			return err
		}
		again, err := read("Again: ")
		if err != nil {
			return err
		}
		if first != again {
			return errors.New("the two passwords differ; nothing written")
		}
		pw = first
	} else {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	hash, err := classroom.HashPassword(pw)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "# reactorlab classroom password (bcrypt); use: reactorlab classroom --password-file FILE\n%s\n", hash)
	return err
}
