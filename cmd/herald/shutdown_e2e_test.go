package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/sqlite"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestSIGTERMUnderLoad runs the binary under a stream of reads and writes,
// with one write caught half sent, and sends SIGTERM: the server stops
// accepting, finishes the half-sent write (201) within the grace period,
// answers no request with a 5xx, and exits 0. Every write that got a 201
// is in the database afterwards.
func TestSIGTERMUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildHerald(t)
	db := filepath.Join(t.TempDir(), "herald.db")
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "-addr", addr, "-database-url", "sqlite:"+db, "-server.shutdown-grace", "10s",
		"-api.rate-limit", "0", "-log.access=false")
	cmd.Env = append(os.Environ(), "HERALD_API_TOKEN="+testToken)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := "http://" + addr
	waitUp(t, base)

	var (
		mu       sync.Mutex
		acked    []string
		statuses = map[int]int{}
		stopLoad = make(chan struct{})
		wg       sync.WaitGroup
	)
	client := &http.Client{Timeout: 5 * time.Second}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stopLoad:
					return
				default:
				}
				var resp *http.Response
				var err error
				if i%3 == 0 {
					body := fmt.Sprintf(`{"title":"Load %d-%d"}`, w, i)
					req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/articles", strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+testToken)
					resp, err = client.Do(req)
				} else {
					resp, err = client.Get(base + "/feed.rss")
				}
				if err != nil {
					continue // refused or reset once the server stopped accepting
				}
				var created struct{ ID string }
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mu.Lock()
				statuses[resp.StatusCode]++
				if resp.StatusCode == http.StatusCreated && json.Unmarshal(b, &created) == nil {
					acked = append(acked, created.ID)
				}
				mu.Unlock()
			}
		}(w)
	}
	// Let the load run until the server has answered some of it.
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		answered := statuses[http.StatusOK] + statuses[http.StatusCreated]
		mu.Unlock()
		if answered >= 20 {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("the load got %d answers in 10s before the signal", answered)
		}
	}

	// A write whose body is only half sent when the signal arrives.
	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	body := `{"title":"Half sent when SIGTERM came"}`
	fmt.Fprintf(slow, "POST /api/v1/articles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", testToken, len(body), body[:10])
	time.Sleep(100 * time.Millisecond)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Wait until the listener is closed: new connections are refused.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("the server still accepts connections 10s after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	io.WriteString(slow, body[10:])
	slow.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(slow), nil)
	if err != nil {
		t.Fatalf("the in-flight write got no answer after SIGTERM: %v", err)
	}
	var created struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&created)
	if resp.StatusCode != http.StatusCreated || created.ID == "" {
		t.Fatalf("in-flight write: status %d, want 201", resp.StatusCode)
	}
	// Answers during the stop say the connection ends, so that the
	// client does not send its next request on it.
	if !resp.Close {
		t.Errorf("the in-flight write's answer lacks Connection: close")
	}

	close(stopLoad)
	wg.Wait()
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		if err != nil {
			t.Fatalf("herald exited with %v, want 0\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("herald did not exit within its grace period after SIGTERM\n%s", stderr.String())
	}

	mu.Lock()
	defer mu.Unlock()
	for status, n := range statuses {
		if status >= 500 {
			t.Errorf("%d responses with status %d during the shutdown", n, status)
		}
	}
	if statuses[200] == 0 || len(acked) == 0 {
		t.Fatalf("the load got %v: it did not run", statuses)
	}
	store, err := sqlite.Open(context.Background(), db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, id := range append(acked, created.ID) {
		if _, err := store.Article(context.Background(), id); err != nil {
			t.Errorf("acknowledged article %s after shutdown: %v", id, err)
		}
	}
	t.Logf("load: %v; %d acknowledged writes, all present", statuses, len(acked)+1)
}

// TestSIGHUPStopsGracefully: a hang-up (a closed terminal, a supervisor
// that sends it) stops the server as SIGTERM does, logged and with exit
// status 0, rather than killing it mid-request.
func TestSIGHUPStopsGracefully(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildHerald(t)
	// hungUp starts the server, through wrapper when one is given, and
	// sends it SIGHUP once it answers.
	hungUp := func(stderr io.Writer, wrapper ...string) (*exec.Cmd, string) {
		t.Helper()
		addr := freeAddr(t)
		argv := append(wrapper, bin, "serve", "-addr", addr, "-database-url", "sqlite:"+filepath.Join(t.TempDir(), "h.db"))
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdout, cmd.Stderr = io.Discard, stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill() })
		waitUp(t, "http://"+addr)
		if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		return cmd, addr
	}
	var stderr bytes.Buffer
	cmd, _ := hungUp(&stderr)
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		if err != nil || !strings.Contains(stderr.String(), "stopping") || !strings.Contains(stderr.String(), "stopped") {
			t.Fatalf("after SIGHUP: exit %v, log:\n%s\nwant a logged graceful stop and exit 0", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("herald did not stop after SIGHUP\n%s", stderr.String())
	}

	// Started to ignore hang-ups (nohup), it keeps ignoring them.
	nohup, err := exec.LookPath("nohup")
	if err != nil {
		t.Log("no nohup here: the ignored-SIGHUP case is not checked")
		return
	}
	cmd, addr := hungUp(io.Discard, nohup)
	time.Sleep(500 * time.Millisecond)
	if resp, err := http.Get("http://" + addr + "/healthz"); err != nil {
		t.Errorf("under nohup, SIGHUP stopped the server: %v", err)
	} else {
		resp.Body.Close()
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
}

func waitUp(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("herald did not come up: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestStopWithAStalledClient: a client stuck in the middle of a request
// does not make a stop fail. SIGTERM waits for it server.shutdown_grace,
// then cuts it off and exits 0, saying so in the log; a second signal
// ends the process at once, without waiting out the grace.
func TestStopWithAStalledClient(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildHerald(t)
	for _, tc := range []struct {
		name   string
		grace  string
		second bool
	}{{"grace over", "1s", false}, {"second signal", "60s", true}} {
		t.Run(tc.name, func(t *testing.T) {
			addr := freeAddr(t)
			cmd := exec.Command(bin, "serve", "-addr", addr, "-database-url", "sqlite:"+filepath.Join(t.TempDir(), "h.db"),
				"-server.shutdown-grace", tc.grace, "-server.read-timeout", "120s")
			var stderr syncBuffer
			cmd.Stdout, cmd.Stderr = io.Discard, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			waitUp(t, "http://"+addr)
			stalled, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer stalled.Close()
			io.WriteString(stalled, "GET /feed.rss HTTP/1.1\r\nHost: x\r\n") // and never the end of the headers
			time.Sleep(100 * time.Millisecond)

			done := make(chan error, 1)
			cmd.Process.Signal(syscall.SIGTERM)
			go func() { done <- cmd.Wait() }()
			if tc.second {
				stderr.waitFor(t, "stopping: no new connections") // the first signal is being handled
				cmd.Process.Signal(syscall.SIGINT)
			}
			select {
			case err := <-done:
				if tc.second {
					if err == nil {
						t.Fatalf("stopped by a second signal with exit 0; stderr:\n%s", stderr.String())
					}
					return
				}
				if err != nil || !strings.Contains(stderr.String(), "shutdown grace over") {
					t.Fatalf("exit %v, want 0 and the grace's warning; stderr:\n%s", err, stderr.String())
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("still running 20 s after the signal; stderr:\n%s", stderr.String())
			}
		})
	}
}
