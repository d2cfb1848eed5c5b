package httpserver

import (
	"context"
	"io"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/render"
	"github.com/herald-feeds/herald/internal/service"
	"github.com/herald-feeds/herald/internal/sqlite"
)

// limitedServer is a server on an SQLite store with cfg, whose clients
// are named by X-Forwarded-For (the test's connections all come from
// 0.0.0.0, the one trusted proxy), and one article to serve.
func limitedServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "l.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := cache.NewMemory(cache.MemoryOptions{})
	site := service.Site{Title: "t", BaseURL: "https://example.com", DefaultLimit: 10, MaxLimit: 100, CacheTTL: time.Minute}
	articles := service.NewArticles(st, c, site, service.ArticlesOptions{})
	t.Cleanup(articles.Close)
	cfg.APIToken, cfg.MaxBodyBytes = "secret", 1<<20
	cfg.ProxyHeader, cfg.TrustedProxies = "X-Forwarded-For", []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32")}
	s := New(cfg, service.NewFeeds(st, c, render.New(), site, service.FeedsOptions{}), articles, st, c, nil)
	if cfg.APIRate == 0 {
		postArticle(t, s, `{"title":"Polled","published_at":"2026-01-01T00:00:00Z"}`)
	}
	return s
}

// getFrom sends GET target from client and returns the status.
func getFrom(t *testing.T, s *Server, client, target string) int {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	req.Header.Set("X-Forwarded-For", client)
	res, err := s.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// TestPolitePollingCountsDocumentsNotURLs: a query parameter the feed does
// not read, or another spelling of the same path, limit or page, fetches
// the same document again and is refused like it; only limit and page
// make another document.
func TestPolitePollingCountsDocumentsNotURLs(t *testing.T) {
	s := limitedServer(t, Config{MinPollInterval: time.Hour})
	const client = "192.0.2.7"
	for _, tt := range []struct {
		target string
		want   int
	}{
		{"/feed.rss", 200},
		{"/feed.rss", 429},
		{"/feed.rss?x=1", 429},
		{"/feed.rss?x=2&utm_source=reader", 429},
		{"/feed%2Erss", 429},
		{"/feed.rss?limit=10", 429}, // the default limit: the same document
		{"/feed.rss?limit=5", 200},
		{"/feed.rss?limit=05&x=3", 429},
		{"/feed.rss?page=1", 200},
		{"/feed.rss?page=01&limit=10", 429},
		{"/feed.rss?limit=0", 400}, // no fetch, and no key
		{"/feed.atom", 200},
	} {
		if got := getFrom(t, s, client, tt.target); got != tt.want {
			t.Errorf("GET %s: status %d, want %d", tt.target, got, tt.want)
		}
	}
}

// TestPollingKeysAreBounded: a client sending long, ever different query
// strings or paths adds nothing to the table but the one key of each
// document it fetched; a key's size does not follow the request's.
func TestPollingKeysAreBounded(t *testing.T) {
	s := limitedServer(t, Config{MinPollInterval: time.Hour, MaxHeaderBytes: 16 << 10})
	junk := strings.Repeat("z", 7000)
	for i := range 50 {
		want := 429
		if i == 0 {
			want = 200
		}
		if got := getFrom(t, s, "192.0.2.8", "/feed.rss?z="+junk+"-"+strconv.Itoa(i)); got != want {
			t.Fatalf("request %d with a long query: status %d, want %d", i, got, want)
		}
		// A slug no feed has: a 404, which is no fetch.
		if got := getFrom(t, s, "192.0.2.8", "/tags/"+junk[:5000]+strconv.Itoa(i)+"/feed.rss"); got != 404 {
			t.Fatalf("request %d for a long unknown slug: status %d, want 404", i, got)
		}
	}
	s.pollLimiter.mu.Lock()
	defer s.pollLimiter.mu.Unlock()
	if n := len(s.pollLimiter.keys); n != 1 {
		t.Errorf("%d keys in the table, want 1", n)
	}
	for k := range s.pollLimiter.keys {
		if len(k) > 100 {
			t.Errorf("a key of %d bytes", len(k))
		}
	}
}

// TestLimitsCountIPv6By64: an IPv6 client is its /64, which one subscriber
// usually holds whole, so rotating addresses within it escapes neither
// limit; an IPv4 client is its address.
func TestLimitsCountIPv6By64(t *testing.T) {
	api := limitedServer(t, Config{APIRate: 1, APIBurst: 1})
	for _, tt := range []struct {
		client string
		want   int
	}{
		{"2001:db8:1:2::1", 401}, // through the limit, to the token check
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", 429},
		{"2001:db8:1:3::1", 401},
		{"192.0.2.1", 401},
		{"192.0.2.2", 401},
		{"192.0.2.1", 429},
		{"::ffff:192.0.2.2", 429}, // an IPv4 address, written as IPv6
	} {
		if got := getFrom(t, api, tt.client, "/api/v1/articles"); got != tt.want {
			t.Errorf("write API from %s: status %d, want %d", tt.client, got, tt.want)
		}
	}

	feeds := limitedServer(t, Config{MinPollInterval: time.Hour})
	for _, tt := range []struct {
		client string
		want   int
	}{
		{"2001:db8:1:2::1", 200},
		{"2001:db8:1:2::2", 429},
		{"2001:db8:1:3::1", 200},
	} {
		if got := getFrom(t, feeds, tt.client, "/feed.rss"); got != tt.want {
			t.Errorf("feed from %s: status %d, want %d", tt.client, got, tt.want)
		}
	}
}

// TestLimiterSweepsExpiredKeys: keys whose allowance is whole again are
// dropped as time passes, not only once the table is full.
func TestLimiterSweepsExpiredKeys(t *testing.T) {
	l := newLimiter(time.Minute, 1, 1000)
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 100 {
		l.allow("old "+strconv.Itoa(i), t0)
	}
	l.allow("new", t0.Add(3*time.Minute))
	if n := len(l.keys); n != 1 {
		t.Errorf("%d keys after the others' allowance came back, want 1", n)
	}
}

// TestLimiterSweepsInBatches: a sweep of a large table looks at no more
// than sweepBatch keys a request, and the requests that follow go on with
// it until it has looked at as many keys as the table held; the few spent
// keys its random starting places missed go at the next sweep.
func TestLimiterSweepsInBatches(t *testing.T) {
	l := newLimiter(time.Minute, 1, 100_000)
	t0 := time.Unix(1_700_000_000, 0)
	const n = 5 * sweepBatch
	for i := range n {
		l.allow("old "+strconv.Itoa(i), t0)
	}
	later := t0.Add(3 * time.Minute)
	l.allow("new 0", later)
	if left := len(l.keys); left < n+1-sweepBatch {
		t.Fatalf("one request swept the table down to %d keys, more than %d at once", left, sweepBatch)
	}
	i := 1
	for ; !l.nextSweep.After(later) && i < 200; i++ {
		l.allow("new "+strconv.Itoa(i), later)
	}
	spent := func() (n int) {
		for k := range l.keys {
			if strings.HasPrefix(k, "old ") {
				n++
			}
		}
		return n
	}
	if left := spent(); left > n/100 {
		t.Errorf("%d of %d spent keys left once the sweep ended (%d requests)", left, n, i)
	}
	l.allow("next period", l.nextSweep)
	if left := spent(); left != 0 {
		t.Errorf("%d spent keys left after the next period's sweep", left)
	}
}

// TestLimiterSweepEndsWithLiveKeys: a table of clients all still held back
// is swept once per period like any other: the sweep ends once it has
// looked at as many keys as the table held, not when it finds one empty.
func TestLimiterSweepEndsWithLiveKeys(t *testing.T) {
	l := newLimiter(time.Hour, 1, 100_000)
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 2 * sweepBatch {
		l.allow("held "+strconv.Itoa(i), t0)
	}
	due := t0.Add(l.sweepEvery())
	for i := range 2 {
		l.allow("newcomer "+strconv.Itoa(i), due)
	}
	if !l.nextSweep.After(due) {
		t.Fatalf("after two requests of a sweep over %d live keys, the next sweep is still due (%v)", 2*sweepBatch, l.nextSweep)
	}
}

// TestFullLimiterKeepsOthersState: when the table is full of clients still
// held back, a new key makes room by dropping one key, the one whose
// allowance comes back first among those looked at, not everyone's.
func TestFullLimiterKeepsOthersState(t *testing.T) {
	l := newLimiter(time.Hour, 1, 10)
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 10 {
		l.allow("client "+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Second))
	}
	for i := range 5 {
		if ok, _ := l.allow("newcomer "+strconv.Itoa(i), t0.Add(time.Minute)); !ok {
			t.Fatalf("newcomer %d refused", i)
		}
	}
	if n := len(l.keys); n != 10 {
		t.Errorf("%d keys, want the table full at 10", n)
	}
	kept := 0
	for k := range l.keys {
		if strings.HasPrefix(k, "client ") {
			kept++
		}
	}
	if kept != 5 {
		t.Errorf("%d of the first 10 clients kept after 5 newcomers, want 5 (one dropped for each)", kept)
	}
}
