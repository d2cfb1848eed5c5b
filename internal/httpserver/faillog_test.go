package httpserver

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/service"
)

// downStore is a store that cannot be reached: listing and pinging fail
// as an unreachable database does.
type downStore struct{ herald.Store }

func (downStore) ListArticles(context.Context, int, int) ([]*herald.Article, int, error) {
	return nil, 0, herald.Errorf(herald.EUnavailable, "store unreachable")
}

func (downStore) Ping(context.Context) error {
	return herald.Errorf(herald.EUnavailable, "store unreachable")
}

func (downStore) ArticleBySlug(context.Context, string) (*herald.Article, error) {
	return nil, herald.Errorf(herald.EUnavailable, "store unreachable")
}

// TestUnroutedMethodOnAPageWithTheStoreDown: whether /{slug} is a page
// (405) or nothing (404) is the store's to say; when it cannot, the answer
// is its 503, not a 404.
func TestUnroutedMethodOnAPageWithTheStoreDown(t *testing.T) {
	st := downStore{}
	c := cache.NewMemory(cache.MemoryOptions{})
	site := service.Site{Title: "t", BaseURL: "https://example.com", DefaultLimit: 10, MaxLimit: 100, CacheTTL: time.Minute}
	s := New(Config{}, service.NewFeeds(st, c, nil, site, service.FeedsOptions{}), service.NewArticles(st, c, site, service.ArticlesOptions{}), st, c, nil)
	res, err := s.App().Test(httptest.NewRequest("POST", "/some-article", nil), -1)
	if err != nil || res.StatusCode != 503 {
		t.Errorf("POST /some-article with the store down: %v, %v; want 503", res.StatusCode, err)
	}
}

// TestOutageLogsAreThrottled: while the store is down every request fails
// alike; the log gets one line per kind every 10 seconds, the next one
// saying how many were held back, not a line per request.
func TestOutageLogsAreThrottled(t *testing.T) {
	var logs bytes.Buffer
	st := downStore{}
	c := cache.NewMemory(cache.MemoryOptions{})
	site := service.Site{Title: "t", BaseURL: "https://example.com", DefaultLimit: 10, MaxLimit: 100, CacheTTL: time.Minute}
	s := New(Config{APIToken: "secret"}, service.NewFeeds(st, c, nil, site, service.FeedsOptions{}),
		service.NewArticles(st, c, site, service.ArticlesOptions{}), st, c, slog.New(slog.NewTextHandler(&logs, nil)))
	now := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	send := func(path string, want int) {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer secret")
		res, err := s.App().Test(req, -1)
		if err != nil || res.StatusCode != want {
			t.Fatalf("GET %s: %v, %v; want %d", path, res.StatusCode, err, want)
		}
	}
	count := func(msg string) (lines int, last string) {
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, msg) {
				lines, last = lines+1, l
			}
		}
		return lines, last
	}
	for range 5 {
		send("/api/v1/articles", 503)
		send("/readyz", 503)
	}
	if n, _ := count(`msg="request failed"`); n != 1 {
		t.Errorf("5 failed requests logged %d lines, want 1:\n%s", n, logs.String())
	}
	if n, _ := count("readiness: store unreachable"); n != 1 {
		t.Errorf("5 failed readiness checks logged %d lines, want 1:\n%s", n, logs.String())
	}
	now = now.Add(11 * time.Second)
	send("/api/v1/articles", 503)
	send("/readyz", 503)
	for _, msg := range []string{`msg="request failed"`, "readiness: store unreachable"} {
		if n, last := count(msg); n != 2 || !strings.Contains(last, "suppressed=4") {
			t.Errorf("after 10 s: %d lines of %q, the last %q; want 2, the last saying suppressed=4", n, msg, last)
		}
	}
}
