package reactor

// A binary min-heap of timers ordered by (when, seq). Written out rather
// than through container/heap so the hot path has no interface calls.

func (l *Loop) less(i, j int) bool {
	a, b := l.timers[i], l.timers[j]
	if a.when != b.when {
		return a.when < b.when
	}
	return a.seq < b.seq
}

func (l *Loop) swap(i, j int) {
	h := l.timers
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (l *Loop) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !l.less(i, p) {
			return
		}
		l.swap(i, p)
		i = p
	}
}

func (l *Loop) down(i int) bool {
	i0 := i
	n := len(l.timers)
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && l.less(r, c) {
			c = r
		}
		if !l.less(c, i) {
			break
		}
		l.swap(i, c)
		i = c
	}
	return i > i0
}

func (l *Loop) push(t *Timer) {
	t.index = len(l.timers)
	l.timers = append(l.timers, t)
	l.up(t.index)
}

// pop removes the top of the heap.
func (l *Loop) pop() *Timer {
	n := len(l.timers) - 1
	l.swap(0, n)
	t := l.timers[n]
	l.timers[n] = nil
	l.timers = l.timers[:n]
	if n > 0 {
		l.down(0)
	}
	t.index = -1
	return t
}

func (l *Loop) fix(i int) {
	if !l.down(i) {
		l.up(i)
	}
}
