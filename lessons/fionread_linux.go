package lessons

import "golang.org/x/sys/unix"

// fionread asks a socket how many bytes wait in its receive queue
// (FIONREAD, which Linux also calls SIOCINQ).
const fionread = unix.SIOCINQ
