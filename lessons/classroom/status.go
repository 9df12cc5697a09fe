package classroom

import (
	"cmp"
	"slices"
	"time"

	"github.com/reactorlab/reactorlab/visualizer"
)

// Status is a snapshot of the class, for the teacher's roster and the
// server's own screen.
type Status struct {
	Addr        string
	Fingerprint string
	Auth        string
	Budget      Budget
	Up          time.Duration
	OpenFiles   int // the process's open fds now (-1 = unknown)

	Students, Teachers int
	Follow             bool   // follow mode is on
	Lead               string // where followers are sent

	RefusedFull  int // students turned away: the class was full
	RefusedConns int // connections closed at once: too many open
	FailedLogins int // connections that never logged in

	BytesIn, BytesOut uint64 // every SSH connection's, since the start

	Sessions []SessionInfo // teachers first, then in order of arrival
}

// SessionInfo is one session on the roster.
type SessionInfo struct {
	ID        int
	Who       string
	Teacher   bool
	Remote    string
	Place     visualizer.Place
	Where     string // "home", "2. Select and the 1024 wall · page 3/5"
	Following bool
	Idle      time.Duration
	Connected time.Duration
	In, Out   uint64 // bytes over its SSH connection
}

// Status takes a snapshot. Safe from any goroutine.
func (s *Server) Status() Status {
	now := time.Now()
	s.mu.Lock()
	st := Status{
		Addr: s.Addr().String(), Fingerprint: s.fp, Auth: s.auth.summary(), Budget: s.opt.Budget,
		Up: now.Sub(s.started), Students: s.students, Teachers: s.teachers, Follow: s.follow,
		RefusedFull: s.refusedFull, RefusedConns: s.refusedConns, FailedLogins: s.failedLogins,
	}
	lead := s.lead
	var all []*session
	for o := range s.sessions {
		all = append(all, o)
	}
	s.mu.Unlock()
	if st.Follow {
		st.Lead = s.where(lead)
	}
	st.BytesIn, st.BytesOut = s.in.Load(), s.out.Load()
	st.OpenFiles = openFiles()
	for _, o := range all {
		p := o.getPlace()
		info := SessionInfo{ID: o.id, Who: o.name(), Teacher: o.who.teacher, Remote: o.remote,
			Place: p, Where: s.where(p), Following: st.Follow && !o.who.teacher && o.following.Load(),
			Idle: o.idle(now), Connected: now.Sub(o.started)}
		if o.stats != nil {
			info.In, info.Out = o.stats.in.Load(), o.stats.out.Load()
		}
		st.Sessions = append(st.Sessions, info)
	}
	slices.SortFunc(st.Sessions, func(a, b SessionInfo) int {
		if a.Teacher != b.Teacher {
			if a.Teacher {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return st
}

// Events returns up to n recent events, oldest first, each as
// "15:04:05 text".
func (s *Server) Events(n int) []string { return s.events.last(n) }
