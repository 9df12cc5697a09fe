//go:build !linux

package reactor

// epoll is listed everywhere, so the screen and the errors can name it, but
// it runs only on Linux.
func init() {
	RegisterBackend(Backend{Name: "epoll", Wait: "epoll_wait", Ctl: "epoll_ctl", Glyph: 'e', Rank: 30, Available: false,
		New: func() (Poller, error) { return nil, ErrLinuxOnly }})
}
