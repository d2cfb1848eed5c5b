package httpserver

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// TestLingeringIsBounded: a refused body's connection holds a lingering
// slot while it drains and gives it back when the client is done; with
// every slot taken, the answer still goes out and the connection closes
// at once, undrained.
func TestLingeringIsBounded(t *testing.T) {
	s := New(Config{MaxBodyBytes: 1024}, nil, nil, nil, nil, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	defer s.Shutdown(context.Background())
	refused := func() (net.Conn, *bufio.Reader) {
		t.Helper()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		// fasthttp reads the first 8 KiB of a streamed body (at most)
		// before the handler runs.
		fmt.Fprintf(c, "POST /api/v1/articles HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n%s", 1<<20, strings.Repeat("x", 8<<10))
		br := bufio.NewReader(c)
		r, err := http.ReadResponse(br, nil)
		if err != nil || r.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("answer: %v, %v; want 413", r, err)
		}
		io.Copy(io.Discard, r.Body)
		return c, br
	}
	waitFor := func(want int64) {
		t.Helper()
		for start := time.Now(); s.lingering.Load() != want; time.Sleep(5 * time.Millisecond) {
			if time.Since(start) > 3*time.Second {
				t.Fatalf("lingering slots %d, want %d", s.lingering.Load(), want)
			}
		}
	}

	c, _ := refused()
	waitFor(1) // draining what the client may still send
	c.Close()
	waitFor(0) // given back once the client is gone

	s.lingering.Store(maxLingering)
	c, br := refused()
	defer c.Close()
	start := time.Now()
	if _, err := br.ReadByte(); err == nil || time.Since(start) > lingerWait/2 {
		t.Errorf("with every slot taken: read %v after %v; want the connection closed at once", err, time.Since(start))
	}
	if s.lingering.Load() != maxLingering {
		t.Errorf("slots %d after an undrained close, want %d", s.lingering.Load(), maxLingering)
	}
}

// TestBodyMemoryFollowsWhatArrived: a request that announces a body of
// the largest size allowed but sends a few kilobytes of it costs a few
// kilobytes, not the size announced; a body no route reads (here a GET)
// is dropped as it is read.
func TestBodyMemoryFollowsWhatArrived(t *testing.T) {
	const limit = 4 << 20
	s := New(Config{MaxBodyBytes: limit}, nil, nil, nil, nil, nil)
	sent := strings.Repeat("x", 9000)
	for _, tc := range []struct {
		method, path string
		kept         bool
	}{
		{"GET", "/healthz", false},
		{"POST", "/feed.rss", false},
		{"POST", "/api/v1/articles", true},
		{"PATCH", "/api/v1/articles/x", true},
	} {
		var ctx fasthttp.RequestCtx
		ctx.Request.Header.SetMethod(tc.method)
		ctx.Request.SetRequestURI(tc.path)
		ctx.Request.SetBodyStream(strings.NewReader(sent), limit) // announces 4 MiB
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := s.readBody(&ctx)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 256<<10 {
			t.Errorf("%s %s: reading 9000 bytes of an announced 4 MiB allocated %d bytes", tc.method, tc.path, got)
		}
		if kept := string(ctx.Request.Body()) == sent; kept != tc.kept {
			t.Errorf("%s %s: body kept %v, want %v", tc.method, tc.path, kept, tc.kept)
		}
	}
}
