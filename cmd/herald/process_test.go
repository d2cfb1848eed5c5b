package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildHerald compiles this command into the test's temporary directory,
// so end-to-end tests run the real binary as separate processes.
func buildHerald(tb testing.TB) string {
	tb.Helper()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	bin := filepath.Join(tb.TempDir(), "herald")
	out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// replica is one herald process started by a test.
type replica struct {
	*testServer
	cmd  *exec.Cmd
	logs *logLines
}

// logLines collects a process's JSON log lines as they are written.
type logLines struct {
	mu    sync.Mutex
	lines []map[string]any
	raw   []string
}

func (l *logLines) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		_ = json.Unmarshal(sc.Bytes(), &m)
		l.mu.Lock()
		l.lines = append(l.lines, m)
		l.raw = append(l.raw, sc.Text())
		l.mu.Unlock()
	}
}

// count returns how many lines have msg and every given attribute.
func (l *logLines) count(msg string, attrs map[string]any) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
next:
	for _, m := range l.lines {
		if m == nil || m["msg"] != msg {
			continue
		}
		for k, v := range attrs {
			if m[k] != v {
				continue next
			}
		}
		n++
	}
	return n
}

// first returns attribute attr of the first line with msg, or "".
func (l *logLines) first(msg, attr string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.lines {
		if m != nil && m["msg"] == msg {
			s, _ := m[attr].(string)
			return s
		}
	}
	return ""
}

// tail returns the last lines, for failure messages.
func (l *logLines) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	from := max(0, len(l.raw)-20)
	return strings.Join(l.raw[from:], "\n")
}

// startReplica runs `herald serve` with args and environ (added to the
// test's own), waits until it prints its address and answers /readyz, and
// stops it with SIGTERM when the test ends.
func startReplica(tb testing.TB, bin string, args, environ []string) *replica {
	tb.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "-addr", "127.0.0.1:0", "-log.format", "json"}, args...)...)
	cmd.Env = append(os.Environ(), environ...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	go io.Copy(io.Discard, stdout)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start herald: %v", err)
	}
	r := &replica{cmd: cmd, logs: &logLines{}}
	go r.logs.read(stderr)
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
			tb.Errorf("herald did not stop within 20s of SIGTERM")
		}
	})

	// With log.format json the server announces itself in its log: a
	// "serving" line with its address.
	for start := time.Now(); r.testServer == nil; time.Sleep(20 * time.Millisecond) {
		if a := r.logs.first("serving", "addr"); a != "" {
			r.testServer = &testServer{URL: "http://" + a}
			break
		}
		if cmd.ProcessState != nil || time.Since(start) > 60*time.Second {
			tb.Fatalf("herald logged no address within 60s; log:\n%s", r.logs.tail())
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(r.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return r
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("herald at %s not ready within 30s (%v); log:\n%s", r.URL, err, r.logs.tail())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// eventually polls cond until it holds or the deadline passes. The
// deadline is a generous correctness bound, not a speed claim.
func eventually(tb testing.TB, deadline time.Duration, what string, cond func() bool) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			tb.Fatalf("%s: not so within %v", what, deadline)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// feedHas reports whether a feed body mentions title.
func feedHas(r response, title string) bool {
	return r.Status == http.StatusOK && bytes.Contains(r.Body, []byte(title))
}

// TestJSONLogsAreAllJSON: with log.format json every line the server
// writes, its announcement and configuration warnings included, is a
// JSON object (a collector reading
// the merged output of a container gets nothing else), and the
// announcement carries the address.
func TestJSONLogsAreAllJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildHerald(t)
	cmd := exec.Command(bin, "serve", "-addr", "127.0.0.1:0", "-log.format", "json",
		"-database-url", "sqlite:"+filepath.Join(t.TempDir(), "h.db"))
	// A setting it does not know: its warning is a log line too.
	cmd.Env = append(os.Environ(), "HERALD_NOT_A_SETTING=1")
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	out.waitFor(t, `"msg":"serving"`)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	serving := false
	for line := range strings.SplitSeq(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("a line that is not JSON: %q", line)
			continue
		}
		if m["msg"] == "serving" {
			addr, _ := m["addr"].(string)
			serving = strings.HasPrefix(addr, "127.0.0.1:")
		}
	}
	if !serving {
		t.Errorf("no serving line with the address:\n%s", out.String())
	}
}
