//go:build unix && !linux

package reactor

// pollRDHUP is Linux-only; elsewhere poll(2) has no half-close event.
const pollRDHUP = 0

// pollHUPIsHangUp: macOS's poll(2) sets POLLHUP as soon as the peer has
// finished sending (it is built on kqueue's EV_EOF), while this side may
// still write. There POLLHUP is read as ReadClosed only.
const pollHUPIsHangUp = false
