package lessons

import (
	"crypto/sha256"
	"errors"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Lesson 8's four ways to block the loop. Each is a real blocking call,
// bounded so the lab comes back by itself: the CPU really spins, the
// thread really sleeps in the kernel, read(2) really waits on a blocking
// pipe, the lock really is held by another goroutine. Run inside a
// handler on the loop (injectHandler), each freezes every client for
// blockFor, and the stalls pane names the handler.

// blockFor is how long each of lesson 8's handlers holds the loop: long
// enough to feel, short enough to try again and again.
const blockFor = 500 * time.Millisecond

// burnCPU hashes until d has passed: a handler with too much to compute.
func burnCPU(d time.Duration) error {
	sum := sha256.Sum256(nil)
	for deadline := time.Now().Add(d); time.Now().Before(deadline); {
		for range 64 {
			sum = sha256.Sum256(sum[:])
		}
	}
	return nil
}

// blockingRead calls read(2) on the read end of a pipe left in blocking
// mode, and has another goroutine write one byte after d: what a handler
// does when it reads a slow disk, an NFS file or waits for a DNS answer.
// The thread sleeps in the kernel, and the loop with it.
func blockingRead(d time.Duration) error {
	r, w, err := pipe()
	if err != nil {
		return err
	}
	answered := make(chan struct{})
	time.AfterFunc(d, func() { // the slow disk, answering
		defer close(answered)
		unix.Write(w, []byte{'x'})
		unix.Close(w)
	})
	var b [1]byte
	for {
		_, err = unix.Read(r, b[:]) // blocks: the fd is not O_NONBLOCK
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	<-answered // w is closed before r: no write ever meets a closed pipe
	unix.Close(r)
	return os.NewSyscallError("read", err)
}

// waitForLock reads a value guarded by a mutex that another goroutine
// holds for d — a cache being refreshed in the background, say — and so
// waits, on the loop, for as long as that goroutine keeps it.
func waitForLock(d time.Duration) error {
	var cache struct {
		sync.Mutex
		rows int
	}
	cache.Lock() // taken on the refresher's behalf, so it surely holds it first
	go func() {
		time.Sleep(d) // the refresher's long work
		cache.rows = 42
		cache.Unlock()
	}()
	cache.Lock() // the handler's mistake: it waits
	rows := cache.rows
	cache.Unlock()
	if rows != 42 {
		return errors.New("lock-wait: read the cache before its refresh")
	}
	return nil
}
