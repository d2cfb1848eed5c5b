package httpserver

import (
	"context"
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"net"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

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
	// A key is a limitKey, whose size is fixed.
	s.pollLimiter.mu.Lock()
	defer s.pollLimiter.mu.Unlock()
	if n := len(s.pollLimiter.keys); n != 1 {
		t.Errorf("%d keys in the table, want 1", n)
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

// key is a limiter key named by the test.
func key(name string) limitKey {
	sum := sha256.Sum256([]byte(name))
	return limitKey(sum[:len(limitKey{})])
}

// TestLimiterSweepsExpiredKeys: keys whose allowance is whole again are
// dropped as time passes, not only once the table is full.
func TestLimiterSweepsExpiredKeys(t *testing.T) {
	l := newLimiter(time.Minute, 1, 1000)
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 100 {
		l.allow(key("old "+strconv.Itoa(i)), t0)
	}
	l.allow(key("new"), t0.Add(3*time.Minute))
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
	old := map[limitKey]bool{}
	for i := range n {
		k := key("old " + strconv.Itoa(i))
		old[k] = true
		l.allow(k, t0)
	}
	later := t0.Add(3 * time.Minute)
	l.allow(key("new 0"), later)
	if left := len(l.keys); left < n+1-sweepBatch {
		t.Fatalf("one request swept the table down to %d keys, more than %d at once", left, sweepBatch)
	}
	i := 1
	for ; !l.nextSweep.After(later) && i < 200; i++ {
		l.allow(key("new "+strconv.Itoa(i)), later)
	}
	spent := func() (n int) {
		for k := range l.keys {
			if old[k] {
				n++
			}
		}
		return n
	}
	if left := spent(); left > n/100 {
		t.Errorf("%d of %d spent keys left once the sweep ended (%d requests)", left, n, i)
	}
	l.allow(key("next period"), l.nextSweep)
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
		l.allow(key("held "+strconv.Itoa(i)), t0)
	}
	due := t0.Add(l.sweepEvery())
	for i := range 2 {
		l.allow(key("newcomer "+strconv.Itoa(i)), due)
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
	first := map[limitKey]bool{}
	for i := range 10 {
		k := key("client " + strconv.Itoa(i))
		first[k] = true
		l.allow(k, t0.Add(time.Duration(i)*time.Second))
	}
	for i := range 5 {
		if ok, _ := l.allow(key("newcomer "+strconv.Itoa(i)), t0.Add(time.Minute)); !ok {
			t.Fatalf("newcomer %d refused", i)
		}
	}
	if n := len(l.keys); n != 10 {
		t.Errorf("%d keys, want the table full at 10", n)
	}
	kept := 0
	for k := range l.keys {
		if first[k] {
			kept++
		}
	}
	if kept != 5 {
		t.Errorf("%d of the first 10 clients kept after 5 newcomers, want 5 (one dropped for each)", kept)
	}
}

// oldClient and oldLimitedClient are the client and its rate-limit key as
// they were found before either was made without strings: the header's
// lines joined and split, read from the right, and the key the address
// or /64 written out. The tests below hold clientAddr and limitedClient to
// them.
func oldClient(s *Server, c *fiber.Ctx) string {
	addr, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	addr = addr.Unmap()
	if s.cfg.ProxyHeader != "" && s.trusted(addr) {
		hops := strings.Split(headerList(c, s.cfg.ProxyHeader), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			addr = hop.Unmap()
			if !s.trusted(addr) {
				break
			}
		}
	}
	return addr.String()
}

func oldLimitedClient(id string) string {
	addr, err := netip.ParseAddr(id)
	if err != nil || !addr.Is6() {
		return id
	}
	p, _ := addr.Prefix(64)
	return p.String()
}

// TestClientAddrAsBefore: reading the proxy header's hops left to right
// without joining or splitting it finds the client reading them from the
// right found, over every kind of hop (trusted, untrusted, malformed,
// empty, IPv4 written as IPv6, zoned) in every order and spread over any
// number of header lines; and two requests have the same rate-limit key
// exactly when their keys written out were the same (IPv4 addresses,
// IPv6 /64s, no address at all).
func TestClientAddrAsBefore(t *testing.T) {
	s := New(Config{ProxyHeader: "x-forwarded-for", TrustedProxies: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48"),
		netip.MustParsePrefix("::ffff:192.168.0.0/112"), // never matches: hops are unmapped
	}}, nil, nil, nil, nil, nil)
	hops := []string{
		"203.0.113.5", "203.0.113.6", " 198.51.100.1 ", "10.0.0.2", "10.1.2.3", "::ffff:10.0.0.9",
		"::ffff:203.0.113.5", "192.168.0.1", "2001:db8:1:2::5", "2001:db8:1:2::6", "2001:db8:1:3::5",
		"2001:db8:ffff::1", "2001:db8:ffff:1::2", "fe80::1%eth0", "::", "0.0.0.0",
		"", " ", "garbage", "203.0.113.5:80", "[2001:db8::1]", "unknown",
	}
	peers := []net.Addr{
		&net.TCPAddr{IP: net.ParseIP("10.0.0.1")}, &net.TCPAddr{IP: net.ParseIP("2001:db8:ffff::9")},
		&net.TCPAddr{IP: net.ParseIP("192.0.2.1")}, &net.TCPAddr{IP: net.ParseIP("::ffff:10.0.0.1")},
		&net.UnixAddr{Name: "/run/herald.sock"}, // 0.0.0.0 to fasthttp
		&net.TCPAddr{},                          // no IP address at all
	}
	rng := rand.New(rand.NewPCG(1, 2))
	type seen struct{ old, oldKey string }
	keys := map[limitKey]seen{}
	byOldKey := map[string]limitKey{}
	for i := range 5000 {
		var rc fasthttp.RequestCtx
		rc.SetRemoteAddr(peers[rng.IntN(len(peers))])
		name := []string{"X-Forwarded-For", "x-forwarded-for", "X-Real-IP"}[rng.IntN(3)]
		lines := []string{}
		for range rng.IntN(4) {
			line := []string{}
			for range rng.IntN(4) {
				line = append(line, hops[rng.IntN(len(hops))])
			}
			lines = append(lines, strings.Join(line, []string{",", ", ", " ,"}[rng.IntN(3)]))
		}
		for _, l := range lines {
			rc.Request.Header.Add(name, l)
		}
		c := s.app.AcquireCtx(&rc)
		want, got := oldClient(s, c), s.clientAddr(c).String()
		if got != want {
			t.Errorf("case %d: peer %v, %s: %q: client %s, want %s", i, rc.RemoteAddr(), name, lines, got, want)
		}
		if id := s.client(c); id != want {
			t.Errorf("case %d: client(c) = %s, want %s", i, id, want)
		}
		oldKey, key := oldLimitedClient(want), s.limitedClient(c)
		if k, ok := byOldKey[oldKey]; ok && k != key {
			t.Errorf("client %s: key %x, and %x for another client of key %s", want, key, k, oldKey)
		}
		if prev, ok := keys[key]; ok && prev.oldKey != oldKey {
			t.Errorf("clients %s and %s share key %x; their keys were %s and %s", prev.old, want, key, prev.oldKey, oldKey)
		}
		byOldKey[oldKey], keys[key] = key, seen{want, oldKey}
		s.app.ReleaseCtx(c)
	}
	if len(keys) < 15 {
		t.Errorf("only %d distinct clients made: the cases do not cover the hops", len(keys))
	}
}

// TestIdentityTagAsBefore: appendIdentityTag takes the coding's suffix off
// a tag exactly when the string-building version did.
func TestIdentityTagAsBefore(t *testing.T) {
	old := func(tag, coding []byte) string {
		if suffix := "-" + string(coding) + `"`; len(coding) > 0 && strings.HasSuffix(string(tag), suffix) {
			return string(tag[:len(tag)-len(suffix)]) + `"`
		}
		return string(tag)
	}
	for _, tt := range [][2]string{
		{`"abc-gzip"`, "gzip"}, {`"abc-br"`, "br"}, {`"abc"`, ""}, {`"abc-gzip"`, ""}, {`"abc-gzip"`, "br"},
		{`"abc-zstd"`, "zstd"}, {`W/"abc-gzip"`, "gzip"}, {`-gzip"`, "gzip"}, {`gzip"`, "gzip"}, {`"-gzip`, "gzip"},
		{`"abcgzip"`, "gzip"}, {``, "gzip"}, {`""`, ""}, {`"a-gzip-gzip"`, "gzip"}, {`"abc-gzip"`, "gzip, br"},
	} {
		tag, coding := []byte(tt[0]), []byte(tt[1])
		if got, want := string(appendIdentityTag(nil, tag, coding)), old(tag, coding); got != want {
			t.Errorf("appendIdentityTag(%s, %q) = %s, want %s", tag, coding, got, want)
		}
	}
}

// TestLimiterCopiesBorrowedTags: record is handed the response's tag in a
// buffer that is reused; the table keeps a tag of its own, made again
// only when the tag changes.
func TestLimiterCopiesBorrowedTags(t *testing.T) {
	l := newLimiter(time.Minute, 1, 10)
	t0 := time.Unix(1_700_000_000, 0)
	k := key("client")
	buf := []byte(`"v1"`)
	l.record(k, t0, false, buf, t0)
	copy(buf, `"v2"`)
	if e := l.keys[k]; e.etag != `"v1"` {
		t.Fatalf("the kept tag is %s after its buffer was reused, want \"v1\"", e.etag)
	}
	kept := l.keys[k].etag
	l.record(k, t0.Add(time.Minute), false, []byte(`"v1"`), t0)
	if e := l.keys[k]; unsafe.StringData(e.etag) != unsafe.StringData(kept) {
		t.Error("the same tag recorded again was copied again")
	}
	l.record(k, t0.Add(2*time.Minute), false, buf, t0)
	if e := l.keys[k]; e.etag != `"v2"` {
		t.Errorf("tag %s after a new one was recorded, want \"v2\"", e.etag)
	}
}

// TestPolitePollingReadsEveryValidatorLine: a reader whose If-None-Match
// comes on two lines, the tag of its last answer on the second, is
// answered 304 like the feed itself would, not refused as if it had sent
// no validator it was given.
func TestPolitePollingReadsEveryValidatorLine(t *testing.T) {
	s := limitedServer(t, Config{MinPollInterval: time.Hour})
	const client = "192.0.2.9"
	get := func(inm ...string) (int, string) {
		t.Helper()
		req := httptest.NewRequest("GET", "/feed.rss", nil)
		req.Header.Set("X-Forwarded-For", client)
		for _, v := range inm {
			req.Header.Add("If-None-Match", v)
		}
		res, err := s.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, res.Header.Get("ETag")
	}
	status, etag := get()
	if status != 200 || etag == "" {
		t.Fatalf("first fetch: status %d, ETag %q; want 200 with a tag", status, etag)
	}
	if status, _ := get(`"not-sent"`, etag); status != 304 {
		t.Errorf("the tag sent on the second line of If-None-Match: status %d, want 304", status)
	}
	if status, _ := get(`"not-sent"`, `"nor-this"`); status != 429 {
		t.Errorf("two lines naming no answer sent: status %d, want 429", status)
	}
}
