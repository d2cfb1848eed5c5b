package httpserver

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Swept deadlines. fasthttp sets three socket deadlines per keep-alive
// request (idle, read, write), each of which the Go runtime turns into a
// timer: a clock read, a lock and a timer-heap update per call, and a heap
// the scheduler keeps checking. On a cached 304 that was about a twentieth
// of the request (docs/PERFORMANCE.md). The server's timeouts are seconds
// long and bound slow or idle clients; they need no nanosecond precision.
//
// sweptListener's connections therefore only record a far deadline, and
// one sweeper per listener, every tick, hands each deadline that has
// passed to the socket (in the past, so the blocked read or write fails at
// once with the usual timeout error). A deadline is enforced at most one
// tick late. A deadline that is already near (within two ticks) or past,
// such as a shutdown waking a reader, goes to the socket at once, exactly
// as without the wrapper.

// sweptListener wraps the server's listener; see above.
type sweptListener struct {
	net.Listener
	tick time.Duration
	now  atomic.Int64 // the sweeper's clock, unix nanoseconds

	mu     sync.Mutex
	conns  map[*sweptConn]struct{}
	closed bool // the listener is closed: the sweeper ends with the last connection
	done   chan struct{}
}

// sweepTick derives the sweeper's period from the server's timeouts: a
// twentieth of the shortest, between 50 ms and 500 ms.
func sweepTick(timeouts ...time.Duration) time.Duration {
	tick := 500 * time.Millisecond
	for _, t := range timeouts {
		if t > 0 && t/20 < tick {
			tick = t / 20
		}
	}
	return max(tick, 50*time.Millisecond)
}

func newSweptListener(ln net.Listener, tick time.Duration) *sweptListener {
	l := &sweptListener{Listener: ln, tick: tick, conns: make(map[*sweptConn]struct{}), done: make(chan struct{})}
	l.now.Store(time.Now().UnixNano())
	go l.sweep()
	return l
}

func (l *sweptListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	sc := &sweptConn{Conn: c, l: l}
	l.mu.Lock()
	l.conns[sc] = struct{}{}
	l.mu.Unlock()
	return sc, nil
}

// Close closes the listener. The sweeper goes on while connections remain
// (a shutdown waits for them, and their deadlines still bound it).
func (l *sweptListener) Close() error {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	return l.Listener.Close()
}

func (l *sweptListener) forget(c *sweptConn) {
	l.mu.Lock()
	delete(l.conns, c)
	l.mu.Unlock()
}

// sweep runs until the listener is closed and its last connection gone.
func (l *sweptListener) sweep() {
	defer close(l.done)
	t := time.NewTicker(l.tick)
	defer t.Stop()
	for now := range t.C {
		l.now.Store(now.UnixNano())
		l.mu.Lock()
		for c := range l.conns {
			c.enforce(now)
		}
		over := l.closed && len(l.conns) == 0
		l.mu.Unlock()
		if over {
			return
		}
	}
}

// sweptConn is a connection whose far deadlines the sweeper enforces.
type sweptConn struct {
	net.Conn
	l *sweptListener

	mu          sync.Mutex
	read, write time.Time // the deadlines asked for; zero: none
	// readOn and writeOn say the socket itself holds that deadline
	// (near, or passed and handed over by the sweeper).
	readOn, writeOn bool
	closed          bool
}

func (c *sweptConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

func (c *sweptConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.set(t, &c.read, &c.readOn, c.Conn.SetReadDeadline)
}

func (c *sweptConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.set(t, &c.write, &c.writeOn, c.Conn.SetWriteDeadline)
}

// set records deadline t; c.mu is held. A near or past deadline goes to
// the socket now; a far one is left to the sweeper, after clearing the
// socket's own if it held one.
func (c *sweptConn) set(t time.Time, at *time.Time, on *bool, socket func(time.Time) error) error {
	*at = t
	if !t.IsZero() && t.UnixNano() < c.l.now.Load()+2*int64(c.l.tick) {
		*on = true
		return socket(t)
	}
	if *on {
		*on = false
		return socket(time.Time{})
	}
	return nil
}

// enforce hands the deadlines that have passed to the socket; l.mu is held.
func (c *sweptConn) enforce(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if !c.readOn && !c.read.IsZero() && !c.read.After(now) {
		c.readOn = true
		_ = c.Conn.SetReadDeadline(c.read) // fails only on a closed socket
	}
	if !c.writeOn && !c.write.IsZero() && !c.write.After(now) {
		c.writeOn = true
		_ = c.Conn.SetWriteDeadline(c.write)
	}
}

func (c *sweptConn) Close() error {
	c.mu.Lock()
	first := !c.closed
	c.closed = true
	c.mu.Unlock()
	if first {
		c.l.forget(c)
	}
	return c.Conn.Close()
}
