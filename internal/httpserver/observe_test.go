package httpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/service"
)

// panickyStore panics where the admin API lists articles; nothing else of
// it is used by the test.
type panickyStore struct{ herald.Store }

func (panickyStore) ListArticles(context.Context, int, int) ([]*herald.Article, int, error) {
	panic("store exploded in panicky_store.go:12")
}

// ArticleBySlug finds no article: the test's single-segment paths name
// no page.
func (panickyStore) ArticleBySlug(context.Context, string) (*herald.Article, error) {
	return nil, herald.Errorf(herald.ENotFound, "no article")
}

// recordingObserver keeps every observed request.
type recordingObserver struct {
	mu   sync.Mutex
	seen []string
}

func (o *recordingObserver) ObserveRequest(route, format string, status int, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seen = append(o.seen, route+" "+itoa(status))
}

// panickyServer is a server on a panickyStore, logging as text to logs.
func panickyServer(cfg Config, logs io.Writer) *Server {
	log := slog.New(slog.NewTextHandler(logs, nil))
	st := panickyStore{}
	c := cache.NewMemory(cache.MemoryOptions{})
	site := service.Site{Title: "t", BaseURL: "https://example.com", DefaultLimit: 10, MaxLimit: 100, CacheTTL: time.Minute}
	return New(cfg, service.NewFeeds(st, c, nil, site, service.FeedsOptions{}),
		service.NewArticles(st, c, site, service.ArticlesOptions{}), st, c, log)
}

// TestPanicBecomesA500: a handler that panics answers a bare JSON 500 with
// the security headers and its request id, is counted and logged with its
// stack under that id, and the server goes on answering.
func TestPanicBecomesA500(t *testing.T) {
	var logs bytes.Buffer
	obs := &recordingObserver{}
	s := panickyServer(Config{APIToken: "secret", Observer: obs}, &logs)

	for i := range 2 { // the second shows the first left nothing broken
		req := httptest.NewRequest("GET", "/api/v1/articles", nil)
		req.Header.Set("Authorization", "Bearer secret")
		res, err := s.App().Test(req, -1)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 500 {
			t.Fatalf("request %d: status %d, want 500 (body %s)", i, res.StatusCode, body)
		}
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != string(herald.EInternal) {
			t.Errorf("request %d: body %s, want a JSON error with code %q", i, body, herald.EInternal)
		}
		for _, leak := range []string{"exploded", ".go:", "goroutine", "panic"} {
			if strings.Contains(string(body), leak) {
				t.Errorf("request %d: body %s leaks %q", i, body, leak)
			}
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("request %d: headers %v lack nosniff or no-store", i, res.Header)
		}
		id := res.Header.Get("X-Request-Id")
		if id == "" {
			t.Fatalf("request %d: no X-Request-Id", i)
		}
		var line string
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, "request_id="+id) && strings.Contains(l, "status=500") {
				line = l
			}
		}
		if !strings.Contains(line, "store exploded") || !strings.Contains(line, "goroutine") {
			t.Errorf("request %d: no error line with the panic and its stack under request_id=%s in the log:\n%s", i, id, logs.String())
		}
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if want := []string{"/api/v1/articles 500", "/api/v1/articles 500"}; strings.Join(obs.seen, ",") != strings.Join(want, ",") {
		t.Errorf("observed %q, want %q", obs.seen, want)
	}
}

// TestAccessLogNamesTokensOnlyWhereUsed: every request gets an access
// line; only one that presented a token says where that token was
// configured, and no line holds the token itself.
func TestAccessLogNamesTokensOnlyWhereUsed(t *testing.T) {
	var logs bytes.Buffer
	s := panickyServer(Config{APIToken: "secret", AccessLog: true}, &logs)
	for _, authz := range []string{"", "Bearer secret"} {
		req := httptest.NewRequest("GET", "/api/v1/articles", nil)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		if _, err := s.App().Test(req, -1); err != nil {
			t.Fatal(err)
		}
	}
	var lines []string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "msg=request ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("%d access lines, want 2:\n%s", len(lines), logs.String())
	}
	if strings.Contains(lines[0], "token") || !strings.Contains(lines[0], "status=401") {
		t.Errorf("request without a token: %s, want a 401 and no token attribute", lines[0])
	}
	if !strings.Contains(lines[1], "token=") || strings.Contains(lines[1], "secret") {
		t.Errorf("request with a token: %s, want where it was configured and not the token", lines[1])
	}
}

// TestRefusedMethodsAreObserved: a request refused before routing (a
// method Herald does not implement) still gets its request id, is counted
// as unmatched and gets its access log line.
func TestRefusedMethodsAreObserved(t *testing.T) {
	var logs bytes.Buffer
	obs := &recordingObserver{}
	s := panickyServer(Config{APIToken: "secret", Observer: obs, AccessLog: true}, &logs)
	res, err := s.App().Test(httptest.NewRequest("FOO", "/feed.rss", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Header.Get("X-Request-Id")
	if res.StatusCode != 501 || id == "" {
		t.Fatalf("FOO /feed.rss: status %d, X-Request-Id %q; want 501 with an id", res.StatusCode, id)
	}
	var line string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "msg=request ") {
			line = l
		}
	}
	for _, want := range []string{"request_id=" + id, "method=FOO", "uri=/feed.rss", "route=unmatched", "status=501"} {
		if !strings.Contains(line, want) {
			t.Errorf("access line %q lacks %s", line, want)
		}
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if want := "unmatched 501"; strings.Join(obs.seen, ",") != want {
		t.Errorf("observed %q, want %q", obs.seen, want)
	}
}

// TestEveryAnswerIsObserved: answers that no route handler gives (a CORS
// preflight, a 405, a 404) and those fasthttp gives before any handler
// runs (a body or header block over its limit) get a request id, an
// access log line and their count, under the pattern of the resource the
// path names or, where no route serves the path, "unmatched".
func TestEveryAnswerIsObserved(t *testing.T) {
	var logs lockedBuffer // the server writes it from its own goroutines
	obs := &recordingObserver{}
	s := panickyServer(Config{APIToken: "secret", Observer: obs, AccessLog: true, MaxBodyBytes: 1024, MaxHeaderBytes: 4096}, &logs)
	// On a socket: App().Test hands fasthttp's own refusals back as
	// errors instead of answering them.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	defer s.Shutdown(context.Background())
	base := "http://" + ln.Addr().String()
	for _, tc := range []struct {
		method, path string
		body         string
		header       string
		status       int
	}{
		{"OPTIONS", "/feed.rss", "", "", 204},
		{"POST", "/categories/news/feed.atom", "", "", 405},
		{"GET", "/nothing/here", "", "", 404},
		{"GET", "/nothing", "", "", 404}, // no article page either
		{"POST", "/api/v1/articles", strings.Repeat("x", 2048), "", 413},
		{"GET", "/feed.rss", "", strings.Repeat("y", 8192), 431},
		// Refused by the write API's token check, a group's middleware:
		// reported under the route the path names, not the group's prefix.
		{"GET", "/api/v1/articles", "", "", 401},
		{"DELETE", "/api/v1/articles/abc", "", "", 401},
	} {
		req, err := http.NewRequest(tc.method, base+tc.path, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer secret")
		if tc.status == 401 {
			req.Header.Set("Authorization", "Bearer wrong")
		}
		if tc.header != "" {
			req.Header.Set("X-Padding", tc.header)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		res.Body.Close()
		if res.StatusCode != tc.status || res.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s %s: status %d, X-Request-Id %q; want %d with an id", tc.method, tc.path, res.StatusCode, res.Header.Get("X-Request-Id"), tc.status)
		}
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	want := []string{"/:file 204", "/categories/:slug/:file 405", "unmatched 404", "unmatched 404", "unmatched 413", "unmatched 431",
		"/api/v1/articles 401", "/api/v1/articles/:id 401"}
	if strings.Join(obs.seen, ",") != strings.Join(want, ",") {
		t.Errorf("observed %q, want %q", obs.seen, want)
	}
	if n := strings.Count(logs.String(), "msg=request "); n != len(want) {
		t.Errorf("%d access log lines, want %d:\n%s", n, len(want), logs.String())
	}
	// fasthttp could not read the 431's head: its method and path are
	// unknown, not fasthttp's defaults (GET /).
	for line := range strings.SplitSeq(logs.String(), "\n") {
		if strings.Contains(line, "status=431") && !strings.Contains(line, "method=- uri=-") {
			t.Errorf("the 431's access line: %s", line)
		}
		if strings.Contains(line, "status=413") && !strings.Contains(line, "method=POST uri=/api/v1/articles") {
			t.Errorf("the 413's access line: %s", line)
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for a server to write while a test
// reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
