package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/config"
	"github.com/herald-feeds/herald/internal/pgtest"
)

const testToken = "test-token-0123456789"

// testServer is a Herald process started in the test on a free port.
type testServer struct {
	*Main
	URL string
}

// startHerald starts Herald on 127.0.0.1:0 with a fresh SQLite file (or
// the one in dbPath when given) and the extra flags, and stops it when the
// test ends.
func startHerald(tb testing.TB, dbPath string, flags ...string) *testServer {
	tb.Helper()
	if dbPath == "" {
		dbPath = filepath.Join(tb.TempDir(), "herald.db")
	}
	args := append([]string{
		"-addr", "127.0.0.1:0",
		"-database-url", "sqlite:" + dbPath,
		"-base-url", "https://news.example.com",
		// Suites send bursts of API calls from one address; the rate limit
		// has its own tests.
		"-api.rate-limit", "0",
	}, flags...)
	return startHeraldEnv(tb, args, []string{"HERALD_API_TOKEN=" + testToken})
}

// startHeraldEnv starts Herald with exactly these flags and environment.
func startHeraldEnv(tb testing.TB, args, environ []string) *testServer {
	tb.Helper()
	return startHeraldLog(tb, args, environ, nil)
}

// startHeraldLog starts Herald with exactly these flags and environment,
// logging in the configured format to logs (nowhere when nil).
func startHeraldLog(tb testing.TB, args, environ []string, logs io.Writer) *testServer {
	tb.Helper()
	cfg, rest, _, err := config.LoadArgs(args, environ)
	if err != nil || len(rest) != 0 {
		tb.Fatalf("config.LoadArgs(%q) = %v, rest %q", args, err, rest)
	}
	var log *slog.Logger
	if logs != nil {
		log = cfg.Logger(logs)
	}
	m := NewMain(cfg, log)
	if err := m.Open(context.Background()); err != nil {
		tb.Fatalf("open: %v", err)
	}
	if err := m.Listen(); err != nil {
		tb.Fatalf("listen: %v", err)
	}
	go m.Serve()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := m.Close(ctx); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return &testServer{Main: m, URL: "http://" + m.Addr()}
}

// response is a fully read HTTP response.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends a request with optional headers ("Name: value" pairs) and body.
func (s *testServer) do(tb testing.TB, method, path string, body []byte, headers ...string) response {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		tb.Fatalf("new request: %v", err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	resp, err := plainClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// get fetches path with optional headers.
func (s *testServer) get(tb testing.TB, path string, headers ...string) response {
	tb.Helper()
	return s.do(tb, http.MethodGet, path, nil, headers...)
}

// api calls the admin API with the test token and a JSON body.
func (s *testServer) api(tb testing.TB, method, path string, v any) response {
	tb.Helper()
	var body []byte
	switch b := v.(type) {
	case nil:
	case string:
		body = []byte(b)
	case []byte:
		body = b
	default:
		var err error
		if body, err = json.Marshal(v); err != nil {
			tb.Fatalf("marshal: %v", err)
		}
	}
	return s.do(tb, method, path, body, "Authorization: Bearer "+testToken, "Content-Type: application/json")
}

// create posts an article and returns the stored one, failing on any
// status but 201.
func (s *testServer) create(tb testing.TB, article map[string]any) map[string]any {
	tb.Helper()
	r := s.api(tb, http.MethodPost, "/api/v1/articles", article)
	if r.Status != http.StatusCreated {
		tb.Fatalf("create %v: status %d, body %s", article["title"], r.Status, r.Body)
	}
	var out map[string]any
	if err := json.Unmarshal(r.Body, &out); err != nil {
		tb.Fatalf("decode created article: %v", err)
	}
	return out
}

// apiError is the JSON error body.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

func decodeError(tb testing.TB, r response) apiError {
	tb.Helper()
	var e apiError
	if err := json.Unmarshal(r.Body, &e); err != nil {
		tb.Fatalf("error body %q is not JSON: %v", r.Body, err)
	}
	if e.Error.Code == "" || e.Error.Message == "" {
		tb.Fatalf("error body %s lacks code or message", r.Body)
	}
	return e
}

func mustUnmarshal(tb testing.TB, b []byte, v any) {
	tb.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("unmarshal %s: %v", b, err)
	}
}

func writeFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// plainClient sends no Accept-Encoding of its own (Go's default client asks
// for gzip and unpacks it silently), so tests see exactly the coding their
// headers ask for: identity unless they send Accept-Encoding.
var plainClient = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// afterThisSecond waits until the wall clock's current second is over, so
// that feeds last changed in it carry their Last-Modified: one changed in
// the current second has none yet (serveFeed).
func afterThisSecond() {
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 10*time.Millisecond)))
}

// onEachStore runs test as subtests on an in-process Herald (startHerald)
// over a fresh SQLite file and over a fresh PostgreSQL database.
func onEachStore(t *testing.T, test func(t *testing.T, s *testServer)) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			if store == "postgres" {
				test(t, startHerald(t, "", "-database-url", pgtest.NewDatabase(t)))
				return
			}
			test(t, startHerald(t, ""))
		})
	}
}
