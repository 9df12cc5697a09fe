package classroom

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/vt"
	"github.com/reactorlab/reactorlab/lessons"
	"github.com/reactorlab/reactorlab/visualizer"
	"golang.org/x/crypto/bcrypt"
	gossh "golang.org/x/crypto/ssh"
)

// A test class: a server on a kernel-chosen loopback port, keys for a
// teacher and some students, and helpers to log in as each with the Go
// SSH client.

// testKey is a key pair a test logs in with.
type testKey struct {
	signer gossh.Signer
	line   string // its authorized_keys line, with comment
}

func newTestKey(t *testing.T, comment string) testKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey()))) + " " + comment
	return testKey{signer: s, line: line}
}

type testClass struct {
	t       *testing.T
	srv     *Server
	teacher testKey
	student testKey
	stop    func() // ends Serve and waits for it
}

// newTestClass starts a class whose keys file lets in one teacher key
// and one student key. edit may change the options before New.
func newTestClass(t *testing.T, edit func(*Options)) *testClass {
	t.Helper()
	c := newTestServer(t, edit)
	c.start()
	return c
}

// newTestServer is newTestClass without Serve.
func newTestServer(t *testing.T, edit func(*Options)) *testClass {
	t.Helper()
	dir := t.TempDir()
	c := &testClass{t: t, teacher: newTestKey(t, "ada@laptop"), student: newTestKey(t, "bob@laptop")}
	keys := filepath.Join(dir, "keys")
	data := TeacherOption + " " + c.teacher.line + "\n# a comment\n\n" + c.student.line + "\n"
	if err := os.WriteFile(keys, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	o := Options{
		Listen:         "127.0.0.1:0",
		AuthorizedKeys: keys,
		StateDir:       filepath.Join(dir, "state"),
		Budget:         Budget{SessionFiles: 64, MaxStudents: 25},
		FrameRate:      5, // many labs on a small CI machine
	}
	if edit != nil {
		edit(&o)
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	c.srv = srv
	t.Cleanup(func() { srv.ln.Close() }) // when Serve never ran
	return c
}

// start runs Serve until the test ends (or stop is called).
func (c *testClass) start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.srv.Serve(ctx) }()
	var once sync.Once
	c.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				c.t.Errorf("Serve() = %v; want nil after a shutdown", err)
			}
		})
	}
	c.t.Cleanup(c.stop)
}

// config logs in as user with auth, checking the host key against the
// fingerprint the server reports.
func (c *testClass) config(user string, auth ...gossh.AuthMethod) *gossh.ClientConfig {
	return &gossh.ClientConfig{
		User: user,
		Auth: auth,
		HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error {
			if got := gossh.FingerprintSHA256(k); got != c.srv.Fingerprint() {
				return fmt.Errorf("host key %s; the server says %s", got, c.srv.Fingerprint())
			}
			return nil
		},
		Timeout: 20 * time.Second,
	}
}

func (c *testClass) dial(user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", c.srv.Addr().String(), c.config(user, auth...))
}

// vtScreen is a virtual terminal a test reads. The emulator answers
// terminal queries into its input pipe, which nobody reads here: a
// goroutine drains it until the test ends.
type vtScreen struct {
	mu   sync.Mutex
	emu  *vt.Emulator
	crlf bool // turn \n into \r\n, as a terminal's line discipline would
}

func newVTScreen(t *testing.T, w, h int, crlf bool) *vtScreen {
	s := &vtScreen{emu: vt.NewEmulator(w, h), crlf: crlf}
	go func() { _, _ = io.Copy(io.Discard, s.emu) }()
	t.Cleanup(func() { _ = s.emu.InputPipe().(io.Closer).Close() })
	return s
}

func (s *vtScreen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.crlf {
		_, err := s.emu.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n")))
		return len(p), err
	}
	return s.emu.Write(p)
}

func (s *vtScreen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emu.String()
}

func (s *vtScreen) resize(w, h int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emu.Resize(w, h)
}

// match polls the screen until re matches it (a deadline, not a delay)
// and returns the match.
func (s *vtScreen) match(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := re.FindStringSubmatch(s.String()); m != nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("screen never matched %s; screen:\n%s", re, s.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitFor polls the screen until it shows want.
func (s *vtScreen) waitFor(t *testing.T, want string) {
	t.Helper()
	s.match(t, regexp.MustCompile(regexp.QuoteMeta(want)))
}

// term is one SSH session with a PTY, its output drawn on a virtual
// terminal (the server's PTY emulation already writes \r\n).
type term struct {
	t      *testing.T
	client *gossh.Client
	sess   *gossh.Session
	stdin  io.Writer
	scr    *vtScreen
	out    chan struct{} // closed when the server's output ends
}

// login opens a session as user with key, on a w×h terminal.
func (c *testClass) login(user string, key testKey, w, h int) *term {
	c.t.Helper()
	cl, err := c.dial(user, gossh.PublicKeys(key.signer))
	if err != nil {
		c.t.Fatalf("login as %s: %v", user, err)
	}
	return c.open(cl, w, h)
}

func (c *testClass) open(cl *gossh.Client, w, h int) *term {
	c.t.Helper()
	x := &term{t: c.t, client: cl, scr: newVTScreen(c.t, w, h, false), out: make(chan struct{})}
	c.t.Cleanup(func() { cl.Close() })
	s, err := cl.NewSession()
	if err != nil {
		c.t.Fatal(err)
	}
	x.sess = s
	if err := s.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		c.t.Fatal(err)
	}
	if x.stdin, err = s.StdinPipe(); err != nil {
		c.t.Fatal(err)
	}
	stdout, err := s.StdoutPipe()
	if err != nil {
		c.t.Fatal(err)
	}
	go func() {
		defer close(x.out)
		_, _ = io.Copy(x.scr, stdout)
	}()
	if err := s.Shell(); err != nil {
		c.t.Fatal(err)
	}
	return x
}

func (x *term) screen() string                   { return x.scr.String() }
func (x *term) waitFor(want string)              { x.t.Helper(); x.scr.waitFor(x.t, want) }
func (x *term) match(re *regexp.Regexp) []string { x.t.Helper(); return x.scr.match(x.t, re) }

// Keys as a terminal sends them.
const (
	keyEnter  = "\r"
	keyDown   = "\x1b[B"
	keyRight  = "\x1b[C"
	keyCtrlF  = "\x06"
	keyCtrlR  = "\x12"
	keyQ      = "q"
	homeTitle = "learn event-driven I/O"
)

func (x *term) press(keys ...string) {
	x.t.Helper()
	for _, k := range keys {
		if _, err := io.WriteString(x.stdin, k); err != nil {
			x.t.Fatalf("typing %q: %v", k, err)
		}
	}
}

// resize changes the window, as a terminal does when it is dragged.
func (x *term) resize(w, h int) {
	x.t.Helper()
	x.scr.resize(w, h)
	if err := x.sess.WindowChange(h, w); err != nil {
		x.t.Fatal(err)
	}
}

// exit waits for the session to end and returns its exit status.
func (x *term) exit() int {
	x.t.Helper()
	done := make(chan error, 1)
	go func() { done <- x.sess.Wait() }()
	select {
	case err := <-done:
		<-x.out
		var ee *gossh.ExitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &ee):
			return ee.ExitStatus()
		}
		x.t.Fatalf("session ended without a status: %v", err)
	case <-time.After(30 * time.Second):
		x.t.Fatalf("session did not end; screen:\n%s", x.screen())
	}
	return -1
}

// session finds the server's record of the session of user.
func (c *testClass) session(user string) *session {
	c.t.Helper()
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	for st := range c.srv.sessions {
		if st.who.user == user {
			return st
		}
	}
	c.t.Fatalf("no session of %s on the server", user)
	return nil
}

// A student's key lets them in; the home screen draws in their terminal,
// and q ends the session with a goodbye and status 0.
func TestKeyLoginShowsHome(t *testing.T) {
	c := newTestClass(t, nil)
	x := c.login("bob", c.student, 100, 30)
	x.waitFor(homeTitle)
	x.waitFor("One process, many connections")
	if st := c.srv.Status(); st.Students != 1 || len(st.Sessions) != 1 || st.Sessions[0].Who != "bob (bob@laptop)" {
		t.Errorf("status: %d students, sessions %+v; want bob (bob@laptop) alone", st.Students, st.Sessions)
	}
	x.press(keyQ)
	if code := x.exit(); code != 0 {
		t.Errorf("exit status after q = %d; want 0", code)
	}
	if s := x.screen(); !strings.Contains(s, "Goodbye from the reactorlab classroom") {
		t.Errorf("no goodbye after q; screen:\n%s", s)
	}
}

// Nobody gets in without a key the file lists, or with no credentials;
// a password works only where a password file was given.
func TestLoginRefused(t *testing.T) {
	c := newTestClass(t, nil)
	stranger := newTestKey(t, "eve@elsewhere")
	for _, tc := range []struct {
		name string
		auth []gossh.AuthMethod
	}{
		{"unknown key", []gossh.AuthMethod{gossh.PublicKeys(stranger.signer)}},
		{"no credentials", nil},
		{"password without a password file", []gossh.AuthMethod{gossh.Password("letmein123")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl, err := c.dial("eve", tc.auth...)
			if err == nil {
				cl.Close()
				t.Fatalf("login with %s succeeded; want it refused", tc.name)
			}
			if !strings.Contains(err.Error(), "unable to authenticate") {
				t.Errorf("login with %s: %v; want unable to authenticate", tc.name, err)
			}
		})
	}
	// The server counts a failed login once the client has hung up.
	deadline := time.Now().Add(30 * time.Second)
	for st := c.srv.Status(); st.FailedLogins < 3 || len(st.Sessions) != 0; st = c.srv.Status() {
		if time.Now().After(deadline) {
			t.Fatalf("after 3 refused logins: failed %d, sessions %d; want 3 and 0", st.FailedLogins, len(st.Sessions))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A class password, stored as a bcrypt hash, lets students in by name.
func TestPasswordLogin(t *testing.T) {
	// The cheapest cost keeps the test quick; HashPassword's own cost is
	// checked in auth_test.go.
	hash, err := bcrypt.GenerateFromPassword([]byte("reactor-2026"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(t.TempDir(), "class.pass")
	if err := os.WriteFile(pw, []byte("# made by reactorlab classroom password\n"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newTestClass(t, func(o *Options) { o.AuthorizedKeys = ""; o.PasswordFile = pw })
	if cl, err := c.dial("carol", gossh.Password("wrong-password")); err == nil {
		cl.Close()
		t.Fatalf("a wrong password got in")
	}
	cl, err := c.dial("carol", gossh.Password("reactor-2026"))
	if err != nil {
		t.Fatalf("the class password was refused: %v", err)
	}
	x := c.open(cl, 100, 30)
	x.waitFor(homeTitle)
	if st := c.session("carol"); st.who.teacher || st.who.id != "user-carol" {
		t.Errorf("carol logged in as teacher=%v id=%q; want a student with id user-carol", st.who.teacher, st.who.id)
	}
}

// The lab follows the student's window: too small says so, larger draws
// the lab again.
func TestWindowChangeResizes(t *testing.T) {
	c := newTestClass(t, nil)
	x := c.login("bob", c.student, 100, 30)
	x.waitFor(homeTitle)
	x.resize(70, 20)
	x.waitFor("terminal too small (need 80×24)")
	x.waitFor("now 70×20")
	x.resize(120, 40)
	x.waitFor(homeTitle)
}

// infoPort finds the port of the lab's own server in its info line.
var infoPort = regexp.MustCompile(`try: nc 127\.0\.0\.1 (\d+)`)

// Twenty students at once, each in lesson 1: each lab runs its own
// reactor and server (its own port), and all of them end cleanly.
func TestTwentyLabs(t *testing.T) {
	c := newTestClass(t, nil)
	const n = 20
	terms := make([]*term, n)
	var wg sync.WaitGroup
	for i := range terms {
		key := newTestKey(t, fmt.Sprintf("student%d@lab", i))
		appendKey(t, c, key)
		terms[i] = c.login(fmt.Sprintf("s%02d", i), key, 100, 30)
	}
	ports := map[string]int{}
	var mu sync.Mutex
	for i, x := range terms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x.waitFor(homeTitle)
			x.press(keyEnter) // lesson 1
			port := x.match(infoPort)[1]
			mu.Lock()
			ports[port] = i
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(ports) != n {
		t.Errorf("%d sessions ran labs on %d distinct ports; want %d (one reactor and server each)", n, len(ports), n)
	}
	if st := c.srv.Status(); st.Students != n {
		t.Errorf("status says %d students; want %d", st.Students, n)
	}
	for _, x := range terms {
		x.press(keyQ)
	}
	for i, x := range terms {
		if code := x.exit(); code != 0 {
			t.Errorf("session %d exit status %d; want 0", i, code)
		}
	}
}

// appendKey adds a student's key to the class's keys file; the server
// reads the file again when it changes.
func appendKey(t *testing.T, c *testClass, k testKey) {
	t.Helper()
	f, err := os.OpenFile(c.srv.opt.AuthorizedKeys, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := fmt.Fprintln(f, k.line); err != nil {
		t.Fatal(err)
	}
}

// A panic in one student's session ends that session with a goodbye; the
// other students' labs keep running and new students still get in.
func TestPanicStaysInItsSession(t *testing.T) {
	c := newTestClass(t, nil)
	c.srv.hook = func(st *session, msg tea.Msg) {
		if k, ok := msg.(tea.KeyPressMsg); ok && st.who.user == "crash" && k.Text == "P" {
			panic("injected by the test")
		}
	}
	other := c.login("bob", c.student, 100, 30)
	other.waitFor(homeTitle)
	other.press(keyEnter)
	other.match(infoPort)

	crash := c.login("crash", c.student, 100, 30)
	crash.waitFor(homeTitle)
	crash.press("P")
	if code := crash.exit(); code != 1 {
		t.Errorf("crashed session exit status %d; want 1", code)
	}
	if s := crash.screen(); !strings.Contains(s, "Your lab crashed") {
		t.Errorf("the crashed session shows no goodbye; screen:\n%s", s)
	}
	stacks, _ := filepath.Glob(filepath.Join(c.srv.opt.StateDir, "crashes", "*-crash.txt"))
	if len(stacks) != 1 {
		t.Errorf("crash stacks kept: %q; want one", stacks)
	}

	other.press(" ") // pause bob's lab: it still answers
	other.waitFor("PAUSED")
	late := c.login("late", c.student, 100, 30)
	late.waitFor(homeTitle)
	if st := c.srv.Status(); st.Students != 2 {
		t.Errorf("after the crash: %d students; want bob and late", st.Students)
	}
}

// Follow mode: the teacher turns it on, and a student is moved to every
// page the teacher opens; ctrl+f takes the student out (the teacher's
// next move leaves them be) and back in (to the teacher's page).
func TestFollowMovesStudents(t *testing.T) {
	c := newTestClass(t, nil)
	teacher := c.login("ada", c.teacher, 100, 30)
	teacher.waitFor("teacher · ctrl+r roster · ctrl+f follow me")
	student := c.login("bob", c.student, 100, 30)
	student.waitFor(homeTitle)

	teacher.press(keyCtrlF)
	teacher.waitFor("follow me ON (1 of 1 follow)")
	student.waitFor("following the teacher · ctrl+f leaves")
	teacher.press(keyDown, keyEnter) // lesson 2
	teacher.waitFor("page 1/5")
	teacher.press(keyRight) // its page 2
	teacher.waitFor("page 2/5")
	student.waitFor("2. select(): fd sets and the 1024 wall")
	student.waitFor("page 2/5")

	student.press(keyCtrlF)
	student.waitFor("the teacher leads · ctrl+f follows")
	st := c.session("bob")
	before := st.gotos.Load()
	teacher.press(keyRight)
	teacher.waitFor("page 3/5") // the teacher's move has been handed out by now
	if got := st.gotos.Load(); got != before {
		t.Errorf("a student out of follow mode was sent %d moves; want none", got-before)
	}
	if got := st.getPlace(); got.Page != 1 {
		t.Errorf("the student who left follow mode is on page %d; want 2 still", got.Page+1)
	}
	student.press(keyCtrlF)
	student.waitFor("page 3/5")
	student.waitFor("following the teacher")
}

// The teacher's roster lists who is connected and where they are.
func TestTeacherRoster(t *testing.T) {
	c := newTestClass(t, nil)
	student := c.login("bob", c.student, 100, 30)
	student.waitFor(homeTitle)
	student.press(keyEnter)
	student.waitFor("page 1/5")
	teacher := c.login("ada", c.teacher, 120, 30)
	teacher.waitFor(homeTitle)
	teacher.press(keyCtrlR)
	teacher.waitFor("Class roster")
	teacher.match(regexp.MustCompile(`bob \(bob@laptop\)\s+student\s+no\s+\d+s.*1\. One process, many connections · page 1/5`))
	teacher.match(regexp.MustCompile(`ada \(ada@laptop\)\s+teacher\s+-`))
	teacher.press(keyCtrlR)
	teacher.waitFor(homeTitle)
	// A student's ctrl+r does nothing of the teacher's.
	student.press(keyCtrlR)
	student.press(keyRight)
	student.waitFor("page 2/5")
	if strings.Contains(student.screen(), "Class roster") {
		t.Errorf("a student opened the roster")
	}
}

// Past the last seat a student reads that the class is full, and gets a
// seat again once someone leaves. Teachers have seats of their own.
func TestClassFull(t *testing.T) {
	c := newTestClass(t, func(o *Options) { o.Budget.MaxStudents = 2 })
	a := c.login("a", c.student, 100, 30)
	a.waitFor(homeTitle)
	b := c.login("b", c.student, 100, 30)
	b.waitFor(homeTitle)
	third := c.login("c", c.student, 100, 30)
	third.waitFor("The class is full: all 2 student seats are taken.")
	if code := third.exit(); code != 1 {
		t.Errorf("refused session exit status %d; want 1", code)
	}
	teacher := c.login("ada", c.teacher, 100, 30)
	teacher.waitFor(homeTitle)
	a.press(keyQ)
	a.exit()
	again := c.login("c", c.student, 100, 30)
	again.waitFor(homeTitle)
	if st := c.srv.Status(); st.RefusedFull != 1 || st.Students != 2 || st.Teachers != 1 {
		t.Errorf("status: refused %d, students %d, teachers %d; want 1, 2, 1", st.RefusedFull, st.Students, st.Teachers)
	}
}

// Stopping the server says goodbye to every student and ends their
// sessions; nothing hangs.
func TestShutdownSaysGoodbye(t *testing.T) {
	c := newTestClass(t, nil)
	before := openFiles()
	x := c.login("bob", c.student, 100, 30)
	x.waitFor(homeTitle)
	x.press(keyEnter)
	x.match(infoPort)
	c.stop()
	if code := x.exit(); code != 0 {
		t.Errorf("exit status at shutdown %d; want 0", code)
	}
	if s := x.screen(); !strings.Contains(s, "The class has ended") {
		t.Errorf("no goodbye at shutdown; screen:\n%s", s)
	}
	// Every lab's fds are gone: its loop, listener and clients, and the
	// SSH connection (the client's end too, once closed here).
	x.client.Close()
	deadline := time.Now().Add(30 * time.Second)
	for n := openFiles(); n > before-1; n = openFiles() { // -1: the server's listener is closed too
		if time.Now().After(deadline) {
			t.Fatalf("after shutdown %d fds are open; want at most %d", n, before-1)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A student who presses nothing for the idle timeout is sent home with
// a goodbye that says why; the teacher is not.
func TestIdleTimeout(t *testing.T) {
	c := newTestClass(t, func(o *Options) { o.IdleTimeout = time.Nanosecond })
	teacher := c.login("ada", c.teacher, 100, 30)
	teacher.waitFor(homeTitle)
	x := c.login("bob", c.student, 100, 30)
	if code := x.exit(); code != 0 {
		t.Errorf("exit status after the idle timeout %d; want 0", code)
	}
	if s := x.screen(); !strings.Contains(s, "No key pressed for") {
		t.Errorf("no idle goodbye; screen:\n%s", s)
	}
	teacher.press(keyDown) // still there
	if st := c.srv.Status(); st.Teachers != 1 {
		t.Errorf("the idle timeout ended the teacher's session too")
	}
}

// A session without a terminal, or asking to run a command, is told how
// to connect instead.
func TestNeedsATerminal(t *testing.T) {
	c := newTestClass(t, nil)
	for _, tc := range []struct {
		name, cmd, want string
	}{
		{"no pty", "", "needs a terminal"},
		{"a command", "ls", "runs the lab, not commands"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl, err := c.dial("bob", gossh.PublicKeys(c.student.signer))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			s, err := cl.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			s.Stdout = &out
			if tc.cmd == "" {
				err = s.Shell()
				if err == nil {
					err = s.Wait()
				}
			} else {
				err = s.Run(tc.cmd)
			}
			var ee *gossh.ExitError
			if !errors.As(err, &ee) || ee.ExitStatus() != 1 || !strings.Contains(out.String(), tc.want) {
				t.Errorf("%s: err %v, output %q; want exit 1 and %q", tc.name, err, out.String(), tc.want)
			}
		})
	}
}

// keyLesson is a lesson that only has injectors.
type keyLesson struct {
	visualizer.Lesson
	injs []visualizer.Injector
}

func (keyLesson) Slug() string                       { return "keys" }
func (l keyLesson) Injectors() []visualizer.Injector { return l.injs }

// A lesson whose injector would take a classroom key is refused at start,
// not discovered by a teacher whose ctrl+f injects a fault.
func TestCheckKeys(t *testing.T) {
	if err := checkKeys(lessons.CappedLessons(lessons.Limits{})); err != nil {
		t.Errorf("the curriculum: %v; want no clash", err)
	}
	bad := keyLesson{injs: []visualizer.Injector{{ID: "edge-triggered", Key: "ctrl+f"}}}
	if err := checkKeys([]visualizer.Lesson{bad}); err == nil || !strings.Contains(err.Error(), `injector "edge-triggered" takes ctrl+f, which the classroom keeps for follow mode`) {
		t.Errorf("checkKeys = %v; want the clash named", err)
	}
}
