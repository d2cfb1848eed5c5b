// Package redistest starts throwaway redis-server processes for tests that
// need a real Redis.
//
// Each server listens on a free loopback port, keeps its files in the test's
// temporary directory, persists nothing, and is killed when the test ends.
// When redis-server is not installed the test is skipped with a visible
// message, unless HERALD_REQUIRE_REDIS=1 is set (as CI does), in which case
// the test fails: CI must never pass by skipping.
//
// The package speaks just enough of the Redis protocol to wait for PING, so
// it imports no Redis client.
package redistest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// RequireEnv is the environment variable that turns a missing redis-server
// into a test failure instead of a skip.
const RequireEnv = "HERALD_REQUIRE_REDIS"

// startupWait bounds how long a fresh server may take to answer PING. It is
// a guard against hanging forever, not an assertion about speed.
const startupWait = 15 * time.Second

// Server is one running (or stopped) redis-server owned by a test.
type Server struct {
	tb   testing.TB
	bin  string
	dir  string
	port int
	// extra are further redis-server arguments (cluster mode); conf, when
	// set, is a config file given first (sentinel mode).
	extra []string
	conf  string
	tls   *TLS // serves TLS only when set

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	runs int           // how many times the process was started, names its log
}

// Start launches a redis-server for tb and returns once it answers PING.
// The server is stopped in tb.Cleanup. If redis-server is not on PATH, the
// test is skipped, or fails when HERALD_REQUIRE_REDIS=1.
func Start(tb testing.TB) *Server { tb.Helper(); return start(tb, nil) }

// StartTLS is Start for a server that accepts TLS connections only, with
// t's certificate.
func StartTLS(tb testing.TB, t *TLS) *Server { tb.Helper(); return start(tb, t) }

// StartWith is Start with further redis-server arguments, which override
// the defaults (for example "--save", "60 1" to turn snapshots back on).
func StartWith(tb testing.TB, args ...string) *Server {
	tb.Helper()
	return start(tb, nil, args...)
}

// StartReplica starts a redis-server replicating master (replicaof), and
// returns once it answers PING; the initial sync may still be under way, so
// a test that needs it waits for the master to report the replica online.
func StartReplica(tb testing.TB, master *Server) *Server {
	tb.Helper()
	return start(tb, master.tls, "--replicaof", "127.0.0.1", strconv.Itoa(master.port))
}

func start(tb testing.TB, t *TLS, extra ...string) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			tb.Fatalf("redis-server not found on PATH and %s=1: %v", RequireEnv, err)
		}
		tb.Skipf("redis-server not found on PATH; skipping Redis-backed test (set %s=1 to make this fatal)", RequireEnv)
	}
	s := &Server{tb: tb, bin: bin, dir: tb.TempDir(), tls: t, extra: extra}
	tb.Cleanup(s.Stop)

	// A port found free may be taken by someone else before redis-server
	// binds it, so a failed start is retried on a new port a few times.
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			tb.Fatalf("redistest: find a free port: %v", err)
		}
		s.port = port
		if lastErr = s.start(); lastErr == nil {
			return s
		}
	}
	tb.Fatalf("redistest: start redis-server: %v", lastErr)
	return nil
}

// Addr returns the server's host:port.
func (s *Server) Addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// URL returns a redis:// URL for database 0 of the server (rediss:// for a
// TLS server).
func (s *Server) URL() string {
	if s.tls != nil {
		return "rediss://" + s.Addr() + "/0"
	}
	return "redis://" + s.Addr() + "/0"
}

// Stop kills the server process and waits for it to exit, so that tests can
// prove what happens when Redis dies. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd, s.done = nil, nil
}

// Pause freezes the server process (SIGSTOP): connections stay open and
// its data stays, but nothing is answered until Resume, as with a server
// that hangs or a network that drops every packet. Stop (and so the test's
// cleanup) kills it paused or not.
func (s *Server) Pause() {
	s.tb.Helper()
	s.signal(syscall.SIGSTOP)
}

// Resume lets a paused server run again.
func (s *Server) Resume() {
	s.tb.Helper()
	s.signal(syscall.SIGCONT)
}

func (s *Server) signal(sig syscall.Signal) {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		s.tb.Fatalf("redistest: %v to a stopped server", sig)
	}
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.tb.Fatalf("redistest: %v: %v", sig, err)
	}
}

// Restart starts the server again on the same port, stopping it first if it
// is running. Its data is gone: nothing was persisted.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		s.tb.Fatalf("redistest: restart redis-server on %s: %v", s.Addr(), err)
	}
}

// start launches the process on s.port and waits until it answers PING or
// exits.
func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runs++
	logPath := filepath.Join(s.dir, fmt.Sprintf("redis-%d.log", s.runs))
	logFile, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("create log: %w", err)
	}
	defer logFile.Close() // the child keeps its own descriptor

	args := []string{"--port", strconv.Itoa(s.port)}
	if s.tls != nil {
		args = s.tls.serverArgs(strconv.Itoa(s.port))
	}
	args = append(args,
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", s.dir,
		"--daemonize", "no",
	)
	if s.conf != "" {
		args = append([]string{s.conf}, args...)
	}
	cmd := exec.Command(s.bin, append(args, s.extra...)...)
	cmd.Dir = s.dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", s.bin, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()

	deadline := time.Now().Add(startupWait)
	for {
		if ping(s.Addr(), s.tls) == nil {
			s.cmd, s.done = cmd, done
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("redis-server exited early: %s", readTail(logPath))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			return fmt.Errorf("no PING answer within %v: %s", startupWait, readTail(logPath))
		}
	}
}

// ping sends one inline PING and expects +PONG, over TLS when t is set.
func ping(addr string, t *TLS) error {
	var conn net.Conn
	var err error
	if t != nil {
		conn, err = tls.DialWithDialer(&net.Dialer{Timeout: time.Second}, "tcp", addr, t.ClientConfig())
	} else {
		conn, err = net.DialTimeout("tcp", addr, time.Second)
	}
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("unexpected PING answer %q", line)
	}
	return nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// readTail returns the end of a server log, for failure messages.
func readTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	const max = 2000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(bytes.TrimSpace(b))
}
