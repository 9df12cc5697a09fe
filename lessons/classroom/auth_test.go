package classroom

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestParseAuthorizedKeys(t *testing.T) {
	teacher, student := newTestKey(t, "ada@laptop"), newTestKey(t, "bob@laptop")
	keys, err := parseAuthorizedKeys("keys", []byte("# class of 2026\n\nteacher "+teacher.line+"\n  "+student.line+"  \n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || !keys[0].teacher || keys[0].comment != "ada@laptop" || keys[1].teacher || keys[1].comment != "bob@laptop" {
		t.Fatalf("parsed %+v; want ada as teacher, then bob as student", keys)
	}
	for _, tc := range []struct{ name, file, want string }{
		{"an OpenSSH option", "# x\n" + `from="10.0.0.0/8" ` + student.line, `keys line 2: option "from=\"10.0.0.0/8\"" is not understood here`},
		{"not a key", student.line + "\nhello world\n", "keys line 2: not a public key"},
		{"a private key", "-----BEGIN OPENSSH PRIVATE KEY-----\n", "keys line 1: not a public key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := parseAuthorizedKeys("keys", []byte(tc.file)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v; want one containing %q", err, tc.want)
			}
		})
	}
}

func TestParsePasswordFile(t *testing.T) {
	h, err := bcrypt.GenerateFromPassword([]byte("reactor-2026"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parsePasswordFile("pw", []byte("# class\n"+string(h)+"\n"))
	if err != nil || len(got) != 1 {
		t.Fatalf("parsePasswordFile = %q, %v; want one hash", got, err)
	}
	for _, tc := range []struct{ name, file, want string }{
		{"plain text", "# pw\nreactor-2026\n", "pw line 2: not a bcrypt hash; make the file with 'reactorlab classroom password > pw'"},
		{"empty", "# nothing\n", "pw holds no password hash"},
	} {
		if _, err := parsePasswordFile("pw", []byte(tc.file)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error = %v; want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestHashPassword(t *testing.T) {
	h, err := HashPassword("reactor-2026")
	if err != nil {
		t.Fatal(err)
	}
	a := &authorizer{hashes: [][]byte{[]byte(h)}}
	if !a.password("reactor-2026") || a.password("reactor-2027") {
		t.Errorf("the hash of reactor-2026 accepts it %v, rejects reactor-2027 %v; want both", a.password("reactor-2026"), !a.password("reactor-2027"))
	}
	if c, _ := bcrypt.Cost([]byte(h)); c != bcrypt.DefaultCost {
		t.Errorf("cost %d; want bcrypt's default %d", c, bcrypt.DefaultCost)
	}
	for _, pw := range []string{"short", strings.Repeat("x", 73)} {
		if _, err := HashPassword(pw); err == nil {
			t.Errorf("HashPassword(%d bytes) = nil error; want refused", len(pw))
		}
	}
}

// The keys file is read again when it changes: a late student's key works
// without a restart, and a broken edit keeps the keys read before.
func TestAuthorizerReloads(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys")
	first, late := newTestKey(t, "first"), newTestKey(t, "late")
	if err := os.WriteFile(path, []byte(first.line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var logged []string
	a, err := newAuthorizer(Options{AuthorizedKeys: path}, func(s string) { logged = append(logged, s) })
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := a.key(late.signer.PublicKey()); ok {
		t.Fatalf("a key not in the file got in")
	}
	if err := os.WriteFile(path, []byte(first.line+"\n"+late.line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if k, ok := a.key(late.signer.PublicKey()); !ok || k.comment != "late" {
		t.Fatalf("the key added to the file: found %v (%+v); want it let in", ok, k)
	}
	if err := os.WriteFile(path, []byte("garbage that is not a key, and longer than before\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.key(first.signer.PublicKey()); !ok {
		t.Errorf("a broken edit locked out the keys read before")
	}
	if len(logged) == 0 || !strings.Contains(logged[0], "the keys read before still apply") {
		t.Errorf("logged %q; want the broken file reported", logged)
	}
}

// A server nobody could log into is refused before it listens: charm's
// ssh package would let everyone in.
func TestNoWayIn(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "keys")
	if err := os.WriteFile(empty, []byte("# no students yet\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"nothing", Options{}, "no way to log in"},
		{"an empty keys file", Options{AuthorizedKeys: empty}, "holds no keys, so nobody could log in"},
		{"a missing keys file", Options{AuthorizedKeys: filepath.Join(dir, "nope")}, "authorized keys: stat"},
		{"a bad teacher key", Options{Teachers: []string{"not a key"}}, "teacher key 1: not a public key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := newAuthorizer(tc.o, func(string) {}); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v; want one containing %q", err, tc.want)
			}
		})
	}
	// A teacher key alone is a way in.
	if _, err := newAuthorizer(Options{AuthorizedKeys: empty, Teachers: []string{newTestKey(t, "ada").line}}, func(string) {}); err != nil {
		t.Errorf("an empty file plus a teacher key: %v; want accepted", err)
	}
}

func TestAuthSummary(t *testing.T) {
	a := &authorizer{keysPath: "class.keys", keys: []authKey{{teacher: true}, {}, {}}, teachers: []authKey{{}}, hashes: [][]byte{nil}}
	if got, want := a.summary(), "3 keys from class.keys (1 teacher), 1 more teacher key, a class password"; got != want {
		t.Errorf("summary() = %q; want %q", got, want)
	}
	a = &authorizer{hashes: [][]byte{nil}}
	if got, want := a.summary(), "a class password"; got != want {
		t.Errorf("summary() = %q; want %q", got, want)
	}
}
