package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
	gossh "golang.org/x/crypto/ssh"
)

// writePublicKey writes a new public key in authorized_keys form to dir
// and returns its path.
func writePublicKey(t *testing.T, dir, name string) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, gossh.MarshalAuthorizedKey(k), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Every classroom flag is checked before anything listens; a server
// nobody could log into is refused.
func TestClassroomFlags(t *testing.T) {
	dir := t.TempDir()
	keys := writePublicKey(t, dir, "keys")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no way to log in", nil, "needs a way for students to log in: --authorized-keys FILE"},
		{"public needs the flag", []string{"--authorized-keys", keys, "--listen", "0.0.0.0:0"}, "--public"},
		{"session too small", []string{"--authorized-keys", keys, "--session-fds", "10"}, "--session-fds 10: a lab needs at least 32"},
		{"negative seats", []string{"--authorized-keys", keys, "--max-students", "-3"}, "--max-students -3"},
		{"more seats than files", []string{"--authorized-keys", keys, "--max-students", "100000"}, "allow at most 817 students"},
		{"negative idle", []string{"--authorized-keys", keys, "--idle-timeout", "-1m"}, "--idle-timeout -1m0s"},
		{"bad teacher", []string{"--teacher", filepath.Join(dir, "nope.pub")}, "--teacher " + filepath.Join(dir, "nope.pub") + ": neither a public key nor a file"},
		{"password with flags", []string{"password", "--max-students", "3"}, "password takes no flags (got --max-students)"},
		{"stray word", []string{"--authorized-keys", keys, "start"}, `unexpected "start"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := runArgs(t, append([]string{"classroom"}, tc.args...)...)
			if code != 2 || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "Run 'reactorlab classroom --help'") {
				t.Errorf("classroom %q: exit %d, %q; want a usage error containing %q", tc.args, code, errOut, tc.want)
			}
		})
	}
}

// A file limit too small for one lab is said in words, with the way out.
func TestClassroomFileLimit(t *testing.T) {
	keys := writePublicKey(t, t.TempDir(), "keys")
	e, _, errOut := testEnv()
	e.fileLimit = func() (uint64, uint64, error) { return 1024, 1024, nil }
	err := run(context.Background(), []string{"classroom", "--authorized-keys", keys}, e)
	if code := exitCode(err, errOut); code != 1 || !strings.Contains(errOut.String(), "may open 1024 files (ulimit -n), not enough for one lab of 1280") {
		t.Errorf("exit %d, %q; want exit 1 naming the limit and the share", code, errOut)
	}
}

// Without a terminal the server prints how to connect and the host key,
// logs plainly, and a cancelled context (Ctrl-C) ends it with status 0.
func TestClassroomPlain(t *testing.T) {
	dir := t.TempDir()
	keys := writePublicKey(t, dir, "keys")
	teacher := writePublicKey(t, dir, "ada.pub")
	e, out, errOut := testEnv()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // serve, then end the class at once
	err := run(ctx, []string{"classroom", "--listen", "127.0.0.1:0", "--authorized-keys", keys, "--teacher", teacher,
		"--state-dir", filepath.Join(dir, "state"), "--max-students", "3"}, e)
	if code := exitCode(err, errOut); code != 0 {
		t.Fatalf("exit %d, stderr %q; want 0", code, errOut)
	}
	for _, want := range []string{"reactorlab classroom listening on 127.0.0.1:", "host key SHA256:", "logins: 1 key from " + keys + " (no teachers), 1 more teacher key",
		"open files: 3 students + 2 teacher seats × 1280", "students connect with: ssh -p "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut.String(), "made a new host key in "+filepath.Join(dir, "state")) || !strings.Contains(errOut.String(), "class ended") {
		t.Errorf("stderr log = %q; want the new host key and the end of the class", errOut)
	}
}

// `classroom password` turns a password on stdin into the file's line.
func TestClassroomPassword(t *testing.T) {
	e, out, errOut := testEnv()
	e.stdin = strings.NewReader("reactor-2026\n")
	if code := exitCode(run(context.Background(), []string{"classroom", "password"}, e), errOut); code != 0 {
		t.Fatalf("exit %d, %q; want 0", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	hash := lines[len(lines)-1]
	if !strings.HasPrefix(lines[0], "#") || bcrypt.CompareHashAndPassword([]byte(hash), []byte("reactor-2026")) != nil {
		t.Errorf("output %q; want a comment, then a bcrypt hash of the password", out)
	}
	e, _, errOut = testEnv()
	e.stdin = strings.NewReader("short\n")
	if code := exitCode(run(context.Background(), []string{"classroom", "password"}, e), errOut); code != 1 || !bytes.Contains(errOut.Bytes(), []byte("at least 8 characters")) {
		t.Errorf("a short password: exit %d, %q; want 1 and the minimum length", code, errOut)
	}
}
