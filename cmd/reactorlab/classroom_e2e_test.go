package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// A student's day with the real OpenSSH client: the class server runs as
// the real program (no terminal: plain log), ssh -tt connects from a tmux
// pane, the home screen shows, a lesson opens with its own reactor, q
// quits with a goodbye and ssh exits 0 with the terminal restored; Ctrl-C
// ends the server with status 0.
func TestClassroomWithOpenSSH(t *testing.T) {
	exe := needTmux(t)
	sshPath, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("ssh (openssh-client) not installed (.ci/run installs it)")
	}
	dir := t.TempDir()
	key, keys := writeClientKey(t, dir)

	srv := exec.Command(exe, "classroom", "--listen", "127.0.0.1:0", "--authorized-keys", keys, "--state-dir", filepath.Join(dir, "state"))
	srv.Env = append(os.Environ(), "REACTORLAB_TEST_MAIN=1")
	var log bytes.Buffer
	srv.Stderr = &log
	out, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	port := ""
	sc := bufio.NewScanner(out)
	for port == "" && sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "reactorlab classroom listening on "); ok {
			_, port, _ = net.SplitHostPort(addr)
		}
	}
	if port == "" {
		t.Fatalf("the server never said where it listens; stderr:\n%s", log.String())
	}
	go func() {
		for sc.Scan() { // drain the rest of the start-up lines
		}
	}()

	x := newTmuxLab(t, fmt.Sprintf("env TERM=xterm-256color NO_COLOR=1 sh -c '%s -tt -F /dev/null -i %s -p %s "+
		"-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o BatchMode=yes -o LogLevel=ERROR "+
		"student@127.0.0.1; echo EXIT=$?'", sshPath, key, port))
	x.run("set-option", "-t", "lab", "remain-on-exit", "on")
	x.waitScreen("learn event-driven I/O")
	x.run("send-keys", "-t", "lab", "Enter") // lesson 1
	x.waitScreen("try: nc 127.0.0.1 ")
	x.waitScreen("page 1/")
	x.run("send-keys", "-t", "lab", "q")
	s := x.waitScreen("EXIT=")
	if !strings.Contains(s, "EXIT=0") || !strings.Contains(s, "Goodbye from the reactorlab classroom") {
		t.Errorf("after q: want a goodbye and EXIT=0; screen:\n%s", s)
	}
	if alt := x.format("#{alternate_on}"); alt != "0" {
		t.Errorf("alternate screen still on after ssh exited (alternate_on=%s)", alt)
	}

	if err := srv.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("server after SIGINT: %v; want exit 0\n%s", err, log.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("server still runs 30 s after SIGINT\n%s", log.String())
	}
	if l := log.String(); !strings.Contains(l, "student connected from 127.0.0.1:") || !strings.Contains(l, "student left after") {
		t.Errorf("server log lacks the student's arrival and departure:\n%s", l)
	}
}

// writeClientKey writes an ed25519 key pair as OpenSSH wants it: the
// private key (mode 0600) and an authorized keys file with its public
// half. It returns both paths.
func writeClientKey(t *testing.T, dir string) (key, keys string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "student@test")
	if err != nil {
		t.Fatal(err)
	}
	key = filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(key, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	pk, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	keys = filepath.Join(dir, "class.keys")
	if err := os.WriteFile(keys, gossh.MarshalAuthorizedKey(pk), 0o600); err != nil {
		t.Fatal(err)
	}
	return key, keys
}
