package classroom

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
	gossh "golang.org/x/crypto/ssh"
)

// TeacherOption is the authorized-keys option that marks a teacher's key:
//
//	teacher ssh-ed25519 AAAAC3Nz... ada@laptop
//
// It stands where OpenSSH's options (from="...", no-pty) stand, before the
// key type. No other option is accepted: a copied file's from="..." would
// otherwise look enforced when it is not.
const TeacherOption = "teacher"

// authKey is one key that may log in.
type authKey struct {
	key     gossh.PublicKey
	comment string // the text after the key, often user@host
	teacher bool
}

// parseAuthorizedKeys reads OpenSSH's authorized_keys format: one key a
// line, blank lines and # comments skipped, the option "teacher" allowed
// before the key. name labels errors ("keys.txt line 3: ...").
func parseAuthorizedKeys(name string, data []byte) ([]authKey, error) {
	var keys []authKey
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		key, comment, opts, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: not a public key (want a line such as 'ssh-ed25519 AAAA... name', as in ~/.ssh/id_ed25519.pub): %v", name, i+1, err)
		}
		k := authKey{key: key, comment: comment}
		for _, o := range opts {
			if o != TeacherOption {
				return nil, fmt.Errorf("%s line %d: option %q is not understood here; the only option is %q (before the key, to mark a teacher)", name, i+1, o, TeacherOption)
			}
			k.teacher = true
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// parseTeacherKey reads one teacher key given on the command line: an
// authorized_keys line (a .pub file's contents).
func parseTeacherKey(n int, s string) (authKey, error) {
	key, comment, _, _, err := gossh.ParseAuthorizedKey([]byte(strings.TrimSpace(s)))
	if err != nil {
		return authKey{}, fmt.Errorf("teacher key %d: not a public key (want the contents of a .pub file): %v", n, err)
	}
	return authKey{key: key, comment: comment, teacher: true}, nil
}

// parsePasswordFile reads bcrypt hashes, one a line (blank lines and #
// comments skipped). Any of them lets a student in.
func parsePasswordFile(name string, data []byte) ([][]byte, error) {
	var hashes [][]byte
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if _, err := bcrypt.Cost(line); err != nil {
			return nil, fmt.Errorf("%s line %d: not a bcrypt hash; make the file with 'reactorlab classroom password > %s'", name, i+1, name)
		}
		hashes = append(hashes, bytes.Clone(line))
	}
	if len(hashes) == 0 {
		return nil, fmt.Errorf("%s holds no password hash; make it with 'reactorlab classroom password > %s'", name, name)
	}
	return hashes, nil
}

// Password lengths HashPassword accepts. bcrypt reads at most 72 bytes.
const (
	MinPasswordLen = 8
	maxPasswordLen = 72
)

// HashPassword returns the line a password file holds for password: its
// bcrypt hash (the default cost, about 50 ms to check).
func HashPassword(password string) (string, error) {
	switch {
	case len(password) < MinPasswordLen:
		return "", fmt.Errorf("a class password needs at least %d characters", MinPasswordLen)
	case len(password) > maxPasswordLen:
		return "", fmt.Errorf("bcrypt reads at most %d bytes of a password; choose a shorter one", maxPasswordLen)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(h), err
}

// authorizer decides who logs in. The keys file is read again when it
// changes, so a teacher can add a late student's key without restarting
// the class; a file that no longer parses keeps the keys read before.
type authorizer struct {
	keysPath string
	teachers []authKey // from the command line: fixed
	hashes   [][]byte  // password file; nil = no password logins
	log      func(string)

	mu      sync.Mutex
	keys    []authKey
	modTime time.Time
	size    int64
}

// newAuthorizer reads every source of logins and refuses a server nobody
// could log into (charm.land/ssh would otherwise let everyone in).
func newAuthorizer(o Options, log func(string)) (*authorizer, error) {
	a := &authorizer{keysPath: o.AuthorizedKeys, log: log}
	for i, s := range o.Teachers {
		k, err := parseTeacherKey(i+1, s)
		if err != nil {
			return nil, err
		}
		a.teachers = append(a.teachers, k)
	}
	if o.PasswordFile != "" {
		data, err := os.ReadFile(o.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("password file: %w", err)
		}
		if a.hashes, err = parsePasswordFile(o.PasswordFile, data); err != nil {
			return nil, err
		}
	}
	if a.keysPath != "" {
		if err := a.reload(); err != nil {
			return nil, err
		}
		if len(a.keys) == 0 && len(a.teachers) == 0 && a.hashes == nil {
			return nil, fmt.Errorf("%s holds no keys, so nobody could log in; add your students' public keys, one a line", a.keysPath)
		}
	}
	if a.keysPath == "" && len(a.teachers) == 0 && a.hashes == nil {
		return nil, errors.New("no way to log in: give an authorized keys file, a teacher key or a password file (an SSH server without one would let anyone in)")
	}
	return a, nil
}

// reload reads the keys file if it changed since the last read.
func (a *authorizer) reload() error {
	fi, err := os.Stat(a.keysPath)
	if err != nil {
		return fmt.Errorf("authorized keys: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if fi.ModTime().Equal(a.modTime) && fi.Size() == a.size && a.keys != nil {
		return nil
	}
	data, err := os.ReadFile(a.keysPath)
	if err != nil {
		return fmt.Errorf("authorized keys: %w", err)
	}
	keys, err := parseAuthorizedKeys(a.keysPath, data)
	if err != nil {
		return err
	}
	if keys == nil {
		keys = []authKey{}
	}
	a.keys, a.modTime, a.size = keys, fi.ModTime(), fi.Size()
	return nil
}

// key finds k among the teacher keys and the keys file (teacher first, so
// a key given with --teacher is a teacher's even if the file lists it
// plainly).
func (a *authorizer) key(k gossh.PublicKey) (authKey, bool) {
	want := k.Marshal()
	for _, t := range a.teachers {
		if bytes.Equal(t.key.Marshal(), want) {
			return t, true
		}
	}
	if a.keysPath == "" {
		return authKey{}, false
	}
	if err := a.reload(); err != nil {
		a.log("authorized keys not reloaded, the keys read before still apply: " + err.Error())
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, ak := range a.keys {
		if bytes.Equal(ak.key.Marshal(), want) {
			return ak, true
		}
	}
	return authKey{}, false
}

// password reports whether password matches a hash of the password file.
func (a *authorizer) password(password string) bool {
	for _, h := range a.hashes {
		if bcrypt.CompareHashAndPassword(h, []byte(password)) == nil {
			return true
		}
	}
	return false
}

// summary says who may log in, for the start-up lines and the server's
// screen: "12 keys from class.keys (1 teacher), 1 more teacher key, a
// class password".
func (a *authorizer) summary() string {
	a.mu.Lock()
	keys, teachers := len(a.keys), 0
	for _, k := range a.keys {
		if k.teacher {
			teachers++
		}
	}
	a.mu.Unlock()
	var parts []string
	if a.keysPath != "" {
		parts = append(parts, fmt.Sprintf("%s from %s (%s)", count(keys, "key"), a.keysPath, count(teachers, "teacher")))
	}
	if n := len(a.teachers); n > 0 {
		parts = append(parts, count(n, "more teacher key"))
	}
	if a.hashes != nil {
		parts = append(parts, "a class password")
	}
	return strings.Join(parts, ", ")
}

// count is "no keys", "1 key", "3 keys".
func count(n int, what string) string {
	switch n {
	case 0:
		return "no " + what + "s"
	case 1:
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
