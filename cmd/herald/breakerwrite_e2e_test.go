package main

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
)

// metricValue returns the value of the sample line starting with series
// (name and labels, exactly as exposed), or -1 when there is none.
func metricValue(tb testing.TB, s *testServer, series string) float64 {
	tb.Helper()
	sc := bufio.NewScanner(strings.NewReader(string(s.get(tb, "/metrics").Body)))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				tb.Fatalf("metric %s: %v", series, err)
			}
			return f
		}
	}
	return -1
}

// TestWritesTripTheRedisBreaker: with Redis frozen (SIGSTOP), the
// invalidations of writes go through the circuit breaker like reads:
// their failures are counted in herald_cache_errors_total{op="invalidate"}
// and open the breaker, after which a write sends nothing to Redis (no
// invalidation reaches it: herald_cache_duration_seconds_count stands
// still) and its invalidation is owed. The failure is logged once for all
// the writes. Once Redis answers again what is owed is delivered: the
// revision of a category written only while the breaker was open moves
// on in Redis, and nothing stays pending.
//
// The cooldown (15 s) and the log's throttle (10 s) are far longer than
// the writes of the outage take (about a second: three timeouts of
// 300 ms, then writes that send nothing), so that the breaker is still
// open, and one line logged, when the test looks, on a loaded machine too.
func TestWritesTripTheRedisBreaker(t *testing.T) {
	rs := redistest.Start(t)
	const failures = 3
	s, logs := startLogged(t, baseArgs(t, "-redis.url", rs.URL(), "-redis.prefix", "tripped", "-log.format", "json",
		"-redis.timeout", "300ms", "-redis.breaker-failures", strconv.Itoa(failures), "-redis.breaker-cooldown", "15s"),
		[]string{"HERALD_API_TOKEN=" + testToken})
	ctx := context.Background()
	admin := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer admin.Close()

	// A category feed stored in Redis before the outage, whose scope
	// only writes made while the breaker is open touch.
	s.create(t, map[string]any{"title": "Late, before", "categories": []string{"Late"}, "published_at": "2026-05-01T00:00:00Z"})
	lateKey := "tripped:rev:{" + herald.Scope{Kind: herald.ScopeCategory, Slug: "late"}.Key() + "}"
	eventually(t, 10*time.Second, "the category feed stored in Redis", func() bool {
		s.get(t, "/categories/late/feed.rss")
		keys, _ := admin.Keys(ctx, "tripped:feed:{category:late}*").Result()
		return len(keys) > 0
	})
	lateRev, err := admin.Get(ctx, lateKey).Result()
	if err != nil {
		t.Fatalf("the category's revision in Redis: %v", err)
	}
	invalidations := `herald_cache_duration_seconds_count{cache="redis",op="invalidate"}`
	if n := metricValue(t, s, invalidations); n < 1 {
		t.Fatalf("%s = %v before the outage, want the first write's", invalidations, n)
	}

	s.Feeds.Wait() // no store of a rendering still on its way to Redis

	rs.Pause()
	written := 0
	write := func(title string, categories ...string) {
		t.Helper()
		written++
		s.create(t, map[string]any{"title": title, "categories": categories, "published_at": fmt.Sprintf("2026-06-01T00:00:%02dZ", written)})
	}
	for s.Breaker.State() != cache.BreakerOpen {
		if written == 10 {
			t.Fatalf("10 writes with Redis frozen left the breaker %v (herald_cache_errors_total{op=\"invalidate\"} %v): their invalidations do not count",
				s.Breaker.State(), metricValue(t, s, `herald_cache_errors_total{cache="redis",op="invalidate"}`))
		}
		write(fmt.Sprintf("Before the breaker opened %d", written), "Early")
	}
	if n := metricValue(t, s, `herald_cache_errors_total{cache="redis",op="invalidate"}`); n < failures {
		t.Fatalf(`herald_cache_errors_total{op="invalidate"} = %v after the breaker opened, want at least %d`, n, failures)
	}
	if n := metricValue(t, s, "herald_cache_breaker_state"); n != 2 {
		t.Fatalf("herald_cache_breaker_state = %v, want 2 (open)", n)
	}
	sent := metricValue(t, s, invalidations)
	const late = 10
	for i := range late {
		write(fmt.Sprintf("Late, while the breaker was open %d", i), "Late")
	}
	if n := metricValue(t, s, invalidations); n != sent {
		t.Fatalf("%d writes with the breaker open sent %v invalidations to Redis, want none", late, n-sent)
	}
	if s.Breaker.State() != cache.BreakerOpen {
		t.Fatalf("breaker %v after the writes, want still open", s.Breaker.State())
	}
	if n := metricValue(t, s, "herald_cache_invalidation_errors_total"); n != float64(written) {
		t.Fatalf("herald_cache_invalidation_errors_total = %v, want %d", n, written)
	}
	const failed = "cache invalidation failed after a committed write; retrying in the background"
	if n := strings.Count(logs.String(), failed); n != 1 {
		t.Fatalf("%d lines %q for %d writes, want 1 (at most one per 10 s)", n, failed, written)
	}

	rs.Resume()
	eventually(t, 60*time.Second, "the owed invalidations delivered", func() bool {
		s.get(t, "/categories/late/feed.rss") // reads let the breaker probe
		rev, _ := admin.Get(ctx, lateKey).Result()
		return rev != lateRev && metricValue(t, s, "herald_cache_invalidations_pending") == 0
	})
	eventually(t, 10*time.Second, "the breaker closed", func() bool {
		s.get(t, "/feed.rss")
		return s.Breaker.State() == cache.BreakerClosed
	})
	if got := s.get(t, "/categories/late/feed.rss"); !feedHas(got, fmt.Sprintf("Late, while the breaker was open %d", late-1)) {
		t.Fatalf("after recovery the category feed lacks the last write:\n%s", got.Body)
	}
}
