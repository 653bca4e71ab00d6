package httplimit

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Listener caps the connections open at once. At the cap it makes room by
// closing the connection that has waited longest without a request in
// flight (new and still sending its headers, or idle between keep-alive
// requests), so a flood of idle connections cannot lock out /healthz or
// Slack. A connection is safe for Grace after it opened or its last
// request ended, long enough for a real client's request to arrive and be
// read; while every connection is busy or that young, Accept waits. Set
// the server's ConnState to the Listener's.
type Listener struct {
	net.Listener
	max   int
	Grace time.Duration
	// Evicted, if set, counts the connections closed to make room.
	Evicted func()

	mu     sync.Mutex
	freed  *sync.Cond // a connection closed or went idle
	conns  map[*conn]struct{}
	closed bool
}

// NewListener caps ln at max connections open at once.
func NewListener(ln net.Listener, max int) *Listener {
	l := &Listener{Listener: ln, max: max, conns: map[*conn]struct{}{}}
	l.freed = sync.NewCond(&l.mu)
	return l
}

// conn is an accepted connection and what the server last said of it.
type conn struct {
	net.Conn
	l *Listener
	// waiting: no request in flight since `since` (guarded by l.mu).
	waiting bool
	since   time.Time
}

// Accept accepts, then makes room under the cap for the newcomer.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.conns) >= l.max && !l.closed {
		v := l.longestWaitingLocked()
		if v == nil {
			l.freed.Wait()
			continue
		}
		if wait := l.Grace - time.Since(v.since); wait > 0 {
			// Wake when v's grace ends, or sooner if a slot frees.
			t := time.AfterFunc(wait, func() {
				l.mu.Lock()
				l.freed.Broadcast()
				l.mu.Unlock()
			})
			l.freed.Wait()
			t.Stop()
			continue
		}
		delete(l.conns, v)
		// The server's goroutine for v sees the read fail and ends.
		_ = v.Conn.Close()
		if l.Evicted != nil {
			l.Evicted()
		}
	}
	if l.closed {
		c.Close()
		return nil, net.ErrClosed
	}
	wc := &conn{Conn: c, l: l, waiting: true, since: time.Now()}
	l.conns[wc] = struct{}{}
	return wc, nil
}

func (l *Listener) longestWaitingLocked() *conn {
	var v *conn
	for c := range l.conns {
		if c.waiting && (v == nil || c.since.Before(v.since)) {
			v = c
		}
	}
	return v
}

// Close stops accepting, also when Accept is waiting for room.
func (l *Listener) Close() error {
	l.mu.Lock()
	l.closed = true
	l.freed.Broadcast()
	l.mu.Unlock()
	return l.Listener.Close()
}

// Open is the number of connections open.
func (l *Listener) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

// ConnState follows the server's view of each connection: whether a
// request is in flight on it.
func (l *Listener) ConnState(c net.Conn, state http.ConnState) {
	wc, ok := c.(*conn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch state {
	case http.StateActive:
		wc.waiting = false
	case http.StateIdle:
		wc.waiting, wc.since = true, time.Now()
		l.freed.Signal()
	case http.StateClosed, http.StateHijacked:
		l.dropLocked(wc)
	}
}

func (l *Listener) dropLocked(c *conn) {
	if _, ok := l.conns[c]; ok {
		delete(l.conns, c)
		l.freed.Signal()
	}
}

// CloseWrite lets the server half-close before it closes, as it does on
// a bare TCP connection.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *conn) Close() error {
	c.l.mu.Lock()
	c.l.dropLocked(c)
	c.l.mu.Unlock()
	return c.Conn.Close()
}
