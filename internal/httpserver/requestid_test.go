package httpserver

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/service"
	"github.com/herald-feeds/herald/internal/sqlite"
)

// unreachableCache cannot be told of writes, as a Redis that went away.
type unreachableCache struct{ herald.Cache }

func (unreachableCache) Invalidate(context.Context, []herald.Scope) error {
	return errors.New("cache unreachable")
}

// TestWriteLogsNameTheRequest: the log line of a write whose cache
// invalidation failed, written by the service below the HTTP layer, names
// the request by the id its response and access log carry.
func TestWriteLogsNameTheRequest(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := unreachableCache{cache.NewMemory(cache.MemoryOptions{})}
	site := service.Site{Title: "t", BaseURL: "https://example.com", DefaultLimit: 10, MaxLimit: 100, CacheTTL: time.Minute}
	articles := service.NewArticles(st, c, site, service.ArticlesOptions{Logger: log})
	t.Cleanup(articles.Close)
	s := New(Config{APIToken: "secret", MaxBodyBytes: 1 << 20}, service.NewFeeds(st, c, nil, site, service.FeedsOptions{}), articles, st, c, log)

	// The write stands without the cache: 201.
	id := postArticle(t, s, `{"title":"Logged"}`).Header.Get("X-Request-Id")
	var line string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "cache invalidation failed") {
			line = l
		}
	}
	if id == "" || !strings.Contains(line, "request_id="+id) {
		t.Fatalf("invalidation failure line %q does not name the request %q", line, id)
	}
}
