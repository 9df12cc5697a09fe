package classroom

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The host key is made once, kept private, and read back the same, so
// the fingerprint students checked stays true.
func TestHostKeyKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", hostKeyFile)
	_, s1, created, err := loadHostKey(path)
	if err != nil || !created {
		t.Fatalf("first load: created %v, err %v; want a new key", created, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("host key mode %v; want 0600", perm)
	}
	_, s2, created, err := loadHostKey(path)
	if err != nil || created {
		t.Fatalf("second load: created %v, err %v; want the same key read back", created, err)
	}
	if a, b := fingerprint(s1.PublicKey()), fingerprint(s2.PublicKey()); a != b || !strings.HasPrefix(a, "SHA256:") {
		t.Errorf("fingerprints %s then %s; want one SHA256 fingerprint twice", a, b)
	}
	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := loadHostKey(path); err == nil || !strings.Contains(err.Error(), "changed-key warning") {
		t.Errorf("a corrupt key: %v; want an error that says what moving it away costs", err)
	}
}
