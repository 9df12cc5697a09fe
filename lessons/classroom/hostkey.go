package classroom

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// hostKeyFile is the host key's name in the state directory.
const hostKeyFile = "host_ed25519"

// loadHostKey reads the server's host key from path, making an ed25519 key
// there (mode 0600) the first time. A key kept across runs is what lets
// students check the fingerprint once and trust it after.
func loadHostKey(path string) (pemBytes []byte, signer gossh.Signer, created bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		data, err = newHostKey(path)
		created = true
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("host key: %w", err)
	}
	signer, err = gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, nil, false, fmt.Errorf("host key %s does not parse (%v); move it away and a new one is made, but students will then see a changed-key warning", path, err)
	}
	return data, signer, created, nil
}

// newHostKey writes a new ed25519 key in OpenSSH's format. O_EXCL: two
// servers started at once never overwrite each other's key.
func newHostKey(path string) ([]byte, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "reactorlab classroom host key")
	if err != nil {
		return nil, err
	}
	data := pem.EncodeToMemory(block)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return os.ReadFile(path) // made meanwhile by another server
	}
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return data, f.Close()
}

// fingerprint is the key's SHA256 fingerprint as ssh prints it.
func fingerprint(k gossh.PublicKey) string { return gossh.FingerprintSHA256(k) }
