package httpserver

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// sweptPair returns both ends of a loopback TCP connection, the server's
// accepted through a sweptListener ticking every tick.
func sweptPair(t *testing.T, tick time.Duration) (*sweptListener, net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newSweptListener(ln, tick)
	t.Cleanup(func() { l.Close() })
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	server, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	return l, server, client
}

// readResult reads one byte from c in the background.
func readResult(c net.Conn) <-chan error {
	done := make(chan error, 1)
	go func() {
		var b [1]byte
		_, err := c.Read(b[:])
		done <- err
	}()
	return done
}

// wait returns what ch delivers, failing the test if nothing comes within
// guard (a guard against hanging, not a measurement).
func wait(t *testing.T, ch <-chan error, guard time.Duration, what string) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(guard):
		t.Fatalf("%s: nothing after %s", what, guard)
		return nil
	}
}

func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// TestSweptReadDeadline: a far read deadline left to the sweeper still
// ends a blocked read with the timeout error, and never before it.
func TestSweptReadDeadline(t *testing.T) {
	_, server, _ := sweptPair(t, 20*time.Millisecond)
	start := time.Now()
	deadline := start.Add(300 * time.Millisecond)
	if err := server.SetReadDeadline(deadline); err != nil {
		t.Fatal(err)
	}
	err := wait(t, readResult(server), 10*time.Second, "read past its deadline")
	if !isTimeout(err) {
		t.Fatalf("read: %v, want a deadline error", err)
	}
	if now := time.Now(); now.Before(deadline) {
		t.Errorf("read failed %s before its deadline", deadline.Sub(now))
	}
}

// TestSweptDeadlineExtended: a deadline moved later before it passes keeps
// the connection; data arriving after the first deadline is read.
func TestSweptDeadlineExtended(t *testing.T) {
	_, server, client := sweptPair(t, 20*time.Millisecond)
	first := time.Now().Add(200 * time.Millisecond)
	server.SetReadDeadline(first)
	res := readResult(server)
	time.Sleep(100 * time.Millisecond)
	server.SetReadDeadline(time.Now().Add(time.Hour))
	for time.Now().Before(first.Add(100 * time.Millisecond)) { // past the first deadline, and more than a tick
		time.Sleep(20 * time.Millisecond)
	}
	client.Write([]byte("x"))
	if err := wait(t, res, 10*time.Second, "read after extension"); err != nil {
		t.Fatalf("read after the deadline was extended: %v", err)
	}
}

// TestSweptDeadlineAfterEnforcement: once the sweeper has handed a passed
// deadline to the socket, a new far deadline makes the connection usable
// again, as with a plain socket; clearing it (zero) does too.
func TestSweptDeadlineAfterEnforcement(t *testing.T) {
	for _, next := range []time.Duration{time.Hour, 0} {
		_, server, client := sweptPair(t, 20*time.Millisecond)
		server.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if err := wait(t, readResult(server), 10*time.Second, "first read"); !isTimeout(err) {
			t.Fatalf("first read: %v, want a deadline error", err)
		}
		var d time.Time
		if next > 0 {
			d = time.Now().Add(next)
		}
		server.SetReadDeadline(d)
		client.Write([]byte("x"))
		if err := wait(t, readResult(server), 10*time.Second, "second read"); err != nil {
			t.Fatalf("read after a new deadline (%v): %v", next, err)
		}
	}
}

// TestSweptNearDeadlineIsExact: a deadline that is already near goes to
// the socket at once, not at the next sweep (here an hour away), so a
// reader woken by a deadline of now is woken now.
func TestSweptNearDeadlineIsExact(t *testing.T) {
	_, server, _ := sweptPair(t, time.Hour)
	res := readResult(server)
	time.Sleep(20 * time.Millisecond) // the read is blocked
	server.SetReadDeadline(time.Now())
	if err := wait(t, res, 10*time.Second, "read woken by a deadline of now"); !isTimeout(err) {
		t.Fatalf("read: %v, want a deadline error", err)
	}
}

// TestSweptWriteDeadline: a client that stops reading fails the server's
// blocked write at its write deadline.
func TestSweptWriteDeadline(t *testing.T) {
	_, server, _ := sweptPair(t, 20*time.Millisecond)
	server.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
	done := make(chan error, 1)
	go func() {
		chunk := make([]byte, 1<<20)
		for {
			if _, err := server.Write(chunk); err != nil {
				done <- err
				return
			}
		}
	}()
	if err := wait(t, done, 10*time.Second, "write to a client that does not read"); !isTimeout(err) {
		t.Fatalf("write: %v, want a deadline error", err)
	}
}

// TestSweeperEnds: after the listener closes, the sweeper runs until the
// last connection is closed, then ends; connections are forgotten on
// Close, twice or not.
func TestSweeperEnds(t *testing.T) {
	l, server, _ := sweptPair(t, 20*time.Millisecond)
	l.Close()
	select {
	case <-l.done:
		t.Fatal("the sweeper ended with a connection still open")
	case <-time.After(100 * time.Millisecond):
	}
	server.Close()
	server.Close()
	select {
	case <-l.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the sweeper still runs after the listener and its connections closed")
	}
	if n := len(l.conns); n != 0 {
		t.Errorf("%d connections still tracked", n)
	}
}

func TestSweepTick(t *testing.T) {
	for _, c := range []struct {
		in   []time.Duration
		want time.Duration
	}{
		{[]time.Duration{10 * time.Second, 30 * time.Second, 120 * time.Second}, 500 * time.Millisecond},
		{[]time.Duration{4 * time.Second, 0}, 200 * time.Millisecond},
		{[]time.Duration{300 * time.Millisecond}, 50 * time.Millisecond},
		{nil, 500 * time.Millisecond},
	} {
		if got := sweepTick(c.in...); got != c.want {
			t.Errorf("sweepTick(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
