package classroom

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	"github.com/reactorlab/reactorlab/lessons"
	"github.com/reactorlab/reactorlab/visualizer"
)

// Server is a running classroom: an SSH listener and a lab per session.
type Server struct {
	opt     Options
	auth    *authorizer
	ssh     *ssh.Server
	ln      net.Listener
	fp      string // host key fingerprint
	lessons []visualizer.Lesson
	started time.Time
	events  eventLog
	in, out atomic.Uint64 // bytes over every SSH connection, logins included

	mu       sync.Mutex
	sessions map[*session]struct{}
	nextID   int
	students int
	teachers int
	conns    int              // open TCP connections, logged in or not
	progress map[string]bool  // students' progress dirs in use by a session
	follow   bool             // follow mode is on
	lead     visualizer.Place // the page a follower is moved to
	closing  bool
	wg       sync.WaitGroup // session handlers

	// Turned away, for the server's screen (under mu).
	refusedFull  int // the class was full
	refusedConns int // too many connections open
	failedLogins int // never logged in

	// hook, set by tests before Serve, runs first in every session's
	// Update (a test injects a panic with it).
	hook func(st *session, msg tea.Msg)
}

// New checks o, reads the keys and the host key (making one the first
// time) and listens. Serve runs it.
func New(o Options) (*Server, error) {
	if err := o.Budget.Check(); err != nil {
		return nil, err
	}
	if o.StateDir == "" {
		return nil, errors.New("no state directory for the host key and the students' progress")
	}
	if o.FrameRate <= 0 {
		o.FrameRate = DefaultFrameRate
	}
	s := &Server{opt: o, sessions: map[*session]struct{}{}, progress: map[string]bool{}, started: time.Now()}
	var err error
	if s.auth, err = newAuthorizer(o, func(line string) { s.logf("%s", line) }); err != nil {
		return nil, err
	}
	pemBytes, signer, created, err := loadHostKey(filepath.Join(o.StateDir, hostKeyFile))
	if err != nil {
		return nil, err
	}
	s.fp = fingerprint(signer.PublicKey())
	if created {
		s.logf("made a new host key in %s", filepath.Join(o.StateDir, hostKeyFile))
	}
	s.lessons = lessons.CappedLessons(lessons.Limits{MaxClients: o.Budget.Clients()})
	if err := checkKeys(s.lessons); err != nil {
		return nil, err
	}

	opts := []ssh.Option{
		wish.WithHostKeyPEM(pemBytes),
		wish.WithVersion("reactorlab-classroom"),
		wish.WithMiddleware(func(next ssh.Handler) ssh.Handler {
			return func(sess ssh.Session) { s.handle(sess); next(sess) }
		}),
	}
	if o.AuthorizedKeys != "" || len(s.auth.teachers) > 0 {
		opts = append(opts, wish.WithPublicKeyAuth(s.publicKeyAuth))
	}
	if s.auth.hashes != nil {
		opts = append(opts, wish.WithPasswordAuth(s.passwordAuth))
	}
	if s.ssh, err = wish.NewServer(opts...); err != nil {
		return nil, err
	}
	// charm.land/ssh lets everyone in when no handler is set: never here.
	if s.ssh.PublicKeyHandler == nil && s.ssh.PasswordHandler == nil {
		return nil, errors.New("no way to log in configured")
	}
	s.ssh.HandshakeTimeout = handshakeTimeout
	s.ssh.ConnCallback = s.connOpened
	s.ssh.ConnectionCloseCallback = s.connClosed
	s.ssh.ConnectionFailedCallback = s.connFailed

	if s.ln, err = net.Listen("tcp", o.Listen); err != nil {
		return nil, fmt.Errorf("listen on %s: %w", o.Listen, err)
	}
	return s, nil
}

// checkKeys refuses a lesson whose injector would take a classroom key.
func checkKeys(ls []visualizer.Lesson) error {
	for _, l := range ls {
		for _, inj := range l.Injectors() {
			for _, k := range classKeys {
				if inj.Key == k {
					return fmt.Errorf("lesson %s: injector %q takes %s, which the classroom keeps for %s", l.Slug(), inj.ID, k, classKeyUse[k])
				}
			}
		}
	}
	return nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Fingerprint is the host key's SHA256 fingerprint, as ssh shows it.
func (s *Server) Fingerprint() string { return s.fp }

// Auth sums up who may log in ("24 keys from keys.txt, 1 teacher keys").
func (s *Server) Auth() string { return s.auth.summary() }

// Budget is the open-file budget the server keeps to.
func (s *Server) Budget() Budget { return s.opt.Budget }

// Serve accepts students until ctx ends, then ends every session (each
// student reads a goodbye) and closes. It returns nil after a shutdown
// asked for by ctx.
func (s *Server) Serve(ctx context.Context) error {
	s.logf("listening on %s; host key %s", s.Addr(), s.fp)
	errc := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				errc <- fmt.Errorf("ssh server crashed: %v", p)
			}
		}()
		errc <- s.ssh.Serve(s.ln)
	}()
	var err error
	select {
	case err = <-errc:
		err = fmt.Errorf("accepting connections: %w", err)
	case <-ctx.Done():
	}
	s.shutdown()
	return err
}

// shutdown stops accepting, asks every session to end with a goodbye,
// waits for them a little, then closes every connection left.
func (s *Server) shutdown() {
	s.mu.Lock()
	s.closing = true
	var all []*session
	for st := range s.sessions {
		all = append(all, st)
	}
	s.mu.Unlock()
	_ = s.ln.Close()
	if len(all) > 0 {
		s.logf("ending the class: saying goodbye to %d sessions", len(all))
	}
	for _, st := range all {
		st.end(reasonShutdown)
	}
	ended := make(chan struct{})
	go func() { s.wg.Wait(); close(ended) }()
	t := time.NewTimer(shutdownGrace)
	defer t.Stop()
	select {
	case <-ended:
	case <-t.C:
		s.logf("some sessions did not end within %v: closing their connections", shutdownGrace)
	}
	// Let the clients hang up first (ssh then says nothing), then close
	// every connection left, logged in or not.
	hangUp, cancel := context.WithTimeout(context.Background(), time.Second)
	_ = s.ssh.Shutdown(hangUp)
	cancel()
	_ = s.ssh.Close()
	t.Reset(shutdownGrace)
	select {
	case <-ended:
	case <-t.C:
	}
	s.logf("class ended")
}

// connOpened admits a TCP connection, or closes it when the seats and
// the logins in progress already hold all the connections the budget
// allows. It counts the connection's bytes.
func (s *Server) connOpened(ctx ssh.Context, c net.Conn) net.Conn {
	s.mu.Lock()
	limit := s.opt.Budget.MaxStudents + TeacherSeats + LoginFiles
	if s.closing || s.conns >= limit {
		s.refusedConns++
		closing := s.closing
		s.mu.Unlock()
		if !closing {
			s.logf("closed a connection from %s at once: %d connections are open, the most the budget allows", c.RemoteAddr(), limit)
		}
		return nil
	}
	s.conns++
	s.mu.Unlock()
	cs := &connStats{}
	ctx.SetValue(connStatsKey{}, cs)
	return &countingConn{Conn: c, stats: cs, srv: s}
}

func (s *Server) connClosed(net.Conn) {
	s.mu.Lock()
	s.conns--
	s.mu.Unlock()
}

// connFailed logs a connection that never logged in.
func (s *Server) connFailed(c net.Conn, err error) {
	s.mu.Lock()
	s.failedLogins++
	s.mu.Unlock()
	s.logf("login from %s failed: %v", c.RemoteAddr(), err)
}

// Permission extensions carrying who logged in, from the auth handlers
// to the session.
const (
	extRole = "reactorlab-role"
	extName = "reactorlab-name"
	extID   = "reactorlab-id"
)

func (s *Server) publicKeyAuth(ctx ssh.Context, key ssh.PublicKey) bool {
	k, ok := s.auth.key(key)
	if !ok {
		return false
	}
	role := "student"
	if k.teacher {
		role = "teacher"
	}
	sum := sha256.Sum256(key.Marshal())
	setExtensions(ctx, role, k.comment, "key-"+hex.EncodeToString(sum[:8]))
	return true
}

func (s *Server) passwordAuth(ctx ssh.Context, password string) bool {
	if !s.auth.password(password) {
		return false
	}
	setExtensions(ctx, "student", "", "user-"+safeName(ctx.User()))
	return true
}

func setExtensions(ctx ssh.Context, role, name, id string) {
	p := ctx.Permissions()
	if p.Extensions == nil {
		p.Extensions = map[string]string{}
	}
	p.Extensions[extRole] = role
	p.Extensions[extName] = name
	p.Extensions[extID] = id
}

// identity is who a session belongs to.
type identity struct {
	user    string // as typed: ssh USER@host
	comment string // the key's comment, if any
	teacher bool
	id      string // names the student's progress directory
}

// name is how the roster and the log call them: the user, and the key's
// comment when it says more.
func (w identity) name() string {
	if w.comment == "" || w.comment == w.user {
		return w.user
	}
	return w.user + " (" + w.comment + ")"
}

func identify(sess ssh.Session) identity {
	ext := sess.Permissions().Extensions
	return identity{
		user:    printable(sess.User(), 32),
		comment: printable(ext[extName], 32),
		teacher: ext[extRole] == "teacher",
		id:      ext[extID],
	}
}

// printable drops control characters (a user name is chosen by whoever
// connects, and ends up on the teacher's screen) and cuts s to n runes.
func printable(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		if n == 0 {
			b.WriteString("…")
			break
		}
		if r >= 0x20 && r != 0x7f && (r < 0x80 || r >= 0xa0) {
			b.WriteRune(r)
			n--
		}
	}
	return b.String()
}

// safeName keeps a user name usable as a directory name.
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	if len(b) > 64 {
		b = b[:64]
	}
	if len(b) == 0 || b[0] == '.' {
		b = append([]byte("u"), b...)
	}
	return string(b)
}

// handle is one SSH session, from admission to goodbye.
func (s *Server) handle(sess ssh.Session) {
	who := identify(sess)
	defer func() {
		if p := recover(); p != nil {
			s.crashed(nil, who, "the session handler", p, debug.Stack())
			_ = sess.Exit(1)
		}
	}()
	if len(sess.Command()) > 0 {
		s.refuse(sess, who, "asked to run a command", "reactorlab classroom runs the lab, not commands: connect with plain 'ssh' and no command.")
		return
	}
	pty, winch, ok := sess.Pty()
	if !ok {
		s.refuse(sess, who, "has no terminal", "reactorlab classroom needs a terminal: connect with 'ssh -t' (or from a terminal, not a script).")
		return
	}
	st, full := s.admit(who, sess)
	if st == nil {
		s.refuse(sess, who, "found no seat", full)
		return
	}
	defer s.leave(st) // if runLab panics
	s.logf("%s connected from %s (%s)", st.name(), st.remote, s.seats())
	code := s.runLab(sess, st, pty, winch)
	s.leave(st) // the seat is free before the student sees the session end
	_ = sess.Exit(code)
}

// refuse tells whoever connected why they cannot have a lab, and ends the
// session.
func (s *Server) refuse(sess ssh.Session, who identity, why, msg string) {
	s.logf("refused %s from %s: %s", who.name(), sess.RemoteAddr(), why)
	fmt.Fprintf(sess, "\n%s\n\n", msg)
	_ = sess.Exit(1)
}

// admit takes a seat for who, or returns nil and the words that say why
// there is none.
func (s *Server) admit(who identity, sess ssh.Session) (*session, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.opt.Budget
	switch {
	case s.closing:
		return nil, "The class is ending: the server is shutting down."
	case who.teacher && s.teachers >= TeacherSeats:
		return nil, fmt.Sprintf("%d teacher sessions are open already, the most there can be: close one first.", TeacherSeats)
	case !who.teacher && s.students >= b.MaxStudents:
		s.refusedFull++
		return nil, fmt.Sprintf("The class is full: all %d student seats are taken.\n"+
			"Each lab gets %d of the open files this server may have, so it takes no one more.\n"+
			"Try again when someone leaves, or ask your teacher to make room (--max-students, --session-fds).",
			b.MaxStudents, b.SessionFiles)
	}
	if who.teacher {
		s.teachers++
	} else {
		s.students++
	}
	s.nextID++
	st := newSession(s.nextID, who, sess)
	if !who.teacher && s.follow {
		st.following.Store(true)
		st.post(s.lead)
	}
	if who.id != "" && !s.progress[who.id] {
		s.progress[who.id] = true
		st.progressDir = filepath.Join(s.opt.StateDir, "students", who.id)
	}
	s.sessions[st] = struct{}{}
	s.wg.Add(1)
	return st, ""
}

// leave frees st's seat (its lab is closed already). Only the first call
// counts.
func (s *Server) leave(st *session) {
	if !st.left.CompareAndSwap(false, true) {
		return
	}
	s.mu.Lock()
	delete(s.sessions, st)
	if st.who.teacher {
		s.teachers--
	} else {
		s.students--
	}
	if st.progressDir != "" {
		delete(s.progress, st.who.id)
	}
	seats := s.seatsLocked()
	s.mu.Unlock()
	s.logf("%s left after %s: %s (%s)", st.name(), fmtDur(time.Since(st.started)), st.reason().log(), seats)
	s.wg.Done()
}

func (s *Server) seats() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seatsLocked()
}

func (s *Server) seatsLocked() string {
	return fmt.Sprintf("%d of %d students, %d of %d teachers", s.students, s.opt.Budget.MaxStudents, s.teachers, TeacherSeats)
}

// runLab runs st's lab on the session until it ends, then says goodbye.
// It returns the session's exit status.
func (s *Server) runLab(sess ssh.Session, st *session, pty ssh.Pty, winch <-chan ssh.Window) int {
	app, err := visualizer.NewApp(s.lessons, "", visualizer.WithStateDir(st.progressDir), visualizer.WithFrameRate(s.opt.FrameRate))
	if err != nil {
		s.crashed(st, st.who, "opening the lab", err, nil)
		fmt.Fprintf(sess, "\nThe lab could not open: %v\n\n", err)
		return 1
	}
	defer app.Close() // the open lesson's scenario, whatever ended the session
	m := newSessionModel(s, st, app)
	opts := append(bm.MakeOptions(sess), tea.WithoutSignalHandler(), tea.WithWindowSize(pty.Window.Width, pty.Window.Height))
	p := tea.NewProgram(m, opts...)
	done := make(chan struct{})
	go s.pump(sess, st, p, winch, done)
	_, err = p.Run()
	close(done)
	if err != nil {
		st.end(reasonCrash)
		if !st.crashedNow.Load() { // not already logged by the model
			s.crashed(st, st.who, "the program", err, nil)
		}
	}
	st.end(reasonQuit) // no-op unless nothing else ended it
	r := st.reason()
	if msg := r.goodbye(st, s.opt.IdleTimeout); msg != "" {
		fmt.Fprintf(sess, "\n%s\n\n", msg)
	}
	if r == reasonCrash {
		return 1
	}
	return 0
}

// pump is the session's one goroutine besides the program's own: it hands
// the program window changes, follow-mode mail and the order to quit.
func (s *Server) pump(sess ssh.Session, st *session, p *tea.Program, winch <-chan ssh.Window, done <-chan struct{}) {
	defer func() {
		if r := recover(); r != nil {
			s.crashed(st, st.who, "the session's pump", r, debug.Stack())
			p.Kill()
		}
	}()
	for {
		select {
		case <-done:
			return
		case <-sess.Context().Done():
			st.end(reasonGone)
			p.Quit()
			return
		case <-st.quit:
			p.Quit()
			return
		case w, ok := <-winch:
			if !ok {
				winch = nil // the client is going: its context ends next
				continue
			}
			p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
		case <-st.mail:
			p.Send(mailMsg{})
		}
	}
}

// crashed records a panic or failure that ended a session: the log gets
// one line, the state directory the stack. st may be nil (no seat yet).
func (s *Server) crashed(st *session, who identity, where string, p any, stack []byte) {
	if st != nil {
		st.crashedNow.Store(true)
		st.end(reasonCrash)
	}
	line := fmt.Sprintf("%s's lab crashed in %s: %v", who.name(), where, p)
	if stack != nil {
		dir := filepath.Join(s.opt.StateDir, "crashes")
		name := filepath.Join(dir, time.Now().UTC().Format("20060102T150405.000000000Z")+"-"+safeName(who.user)+".txt")
		body := fmt.Sprintf("%s\n\n%s", line, stack)
		if err := os.MkdirAll(dir, 0o700); err == nil && os.WriteFile(name, []byte(body), 0o600) == nil {
			line += "; stack in " + name
		}
	}
	s.logf("%s; the other sessions go on", line)
}

// moved records where st is now. When follow mode is on, a teacher's
// move leads: every student who follows is sent the new place.
func (s *Server) moved(st *session, p visualizer.Place) {
	st.setPlace(p)
	if !st.who.teacher {
		return
	}
	s.mu.Lock()
	if !s.follow {
		s.mu.Unlock()
		return
	}
	s.lead = p
	var to []*session
	for o := range s.sessions {
		if !o.who.teacher && o.following.Load() {
			to = append(to, o)
		}
	}
	s.mu.Unlock()
	for _, o := range to {
		o.post(p)
	}
}

// setFollow turns follow mode on or off for the class. Turning it on
// makes every student follow again, from the teacher's page.
func (s *Server) setFollow(by *session, on bool) {
	s.mu.Lock()
	s.follow = on
	if on {
		s.lead = by.getPlace()
	}
	lead := s.lead
	var all []*session
	for o := range s.sessions {
		all = append(all, o)
	}
	s.mu.Unlock()
	for _, o := range all {
		switch {
		case on && !o.who.teacher:
			o.following.Store(true)
			o.post(lead)
		default:
			o.nudge() // its status line changes
		}
	}
	state := "off"
	if on {
		state = "on, from " + s.where(lead)
	}
	s.logf("%s turned follow me %s", by.name(), state)
}

// rejoin makes st follow again; it returns the page to move to, or false
// when follow mode is off.
func (s *Server) rejoin(st *session) (visualizer.Place, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.follow {
		return visualizer.Place{}, false
	}
	st.following.Store(true)
	return s.lead, true
}

// followState is follow mode as a status line needs it.
func (s *Server) followState() (on bool, following, students int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for o := range s.sessions {
		if !o.who.teacher {
			students++
			if o.following.Load() {
				following++
			}
		}
	}
	return s.follow, following, students
}

// where names a place for people: "home", "2. Select and the 1024 wall · page 3/5".
func (s *Server) where(p visualizer.Place) string {
	if p.Lesson == "" {
		return "home"
	}
	for i, l := range s.lessons {
		if l.Slug() == p.Lesson {
			return fmt.Sprintf("%d. %s · page %d/%d", i+1, l.Title(), p.Page+1, max(1, len(l.Pages())))
		}
	}
	return p.Lesson
}

// logf records an event: in the ring the server's screen shows, and on
// Options.Log.
func (s *Server) logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	s.events.add(time.Now(), line)
	if s.opt.Log != nil {
		s.opt.Log(line)
	}
}

// connStats counts one connection's bytes.
type connStats struct{ in, out atomic.Uint64 }

// connStatsKey finds a connection's connStats in its ssh.Context.
type connStatsKey struct{}

// countingConn counts what crosses a connection, for the session and the
// whole server.
type countingConn struct {
	net.Conn
	stats *connStats
	srv   *Server
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.stats.in.Add(uint64(n))
	c.srv.in.Add(uint64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.stats.out.Add(uint64(n))
	c.srv.out.Add(uint64(n))
	return n, err
}
