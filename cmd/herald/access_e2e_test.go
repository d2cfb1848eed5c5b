package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log destination that tests read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until s holds text, for at most 20 seconds.
func (s *syncBuffer) waitFor(tb testing.TB, text string) {
	tb.Helper()
	for start := time.Now(); !strings.Contains(s.String(), text); time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > 20*time.Second {
			tb.Fatalf("no %q in 20 s; so far:\n%s", text, s.String())
		}
	}
}

// startLogged starts Herald like startHeraldEnv, logging to the returned
// buffer in the configured format.
func startLogged(tb testing.TB, args, environ []string) (*testServer, *syncBuffer) {
	tb.Helper()
	logs := &syncBuffer{}
	return startHeraldLog(tb, args, environ, logs), logs
}

func baseArgs(tb testing.TB, extra ...string) []string {
	return append([]string{"-addr", "127.0.0.1:0", "-database-url", "sqlite:" + filepath.Join(tb.TempDir(), "h.db"),
		"-base-url", "https://news.example.com", "-api.rate-limit", "0"}, extra...)
}

// TestTokensAndModes configures tokens in all three places: each works,
// a read-only one may read but not write, and no token ever reaches the
// logs, whatever the request did with it.
func TestTokensAndModes(t *testing.T) {
	const (
		single = "single-token-aaaaaaaaaaaa"
		listRO = "list-reader-bbbbbbbbbbbb"
		listRW = "list-writer-cccccccccccc"
		fileRW = "file-writer-dddddddddddd"
		fileRO = "file-reader-eeeeeeeeeeee"
		wrong  = "wrong-token-ffffffffffff"
	)
	file := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(file, []byte("# mounted secret\nrw:"+fileRW+"\nro:"+fileRO+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, logs := startLogged(t, baseArgs(t, "-log.format", "json"), []string{
		"HERALD_API_TOKEN=" + single,
		"HERALD_API_TOKENS=ro:" + listRO + ",rw:" + listRW,
		"HERALD_API_TOKENS_FILE=" + file,
	})
	post := func(token string) int {
		return s.do(t, http.MethodPost, "/api/v1/articles", []byte(`{"title":"By `+token[:4]+`"}`),
			"Authorization: Bearer "+token, "Content-Type: application/json").Status
	}
	list := func(token string) int {
		return s.do(t, http.MethodGet, "/api/v1/articles", nil, "Authorization: Bearer "+token).Status
	}
	tests := []struct {
		token             string
		wantPost, wantGet int
	}{
		{single, 201, 200},
		{listRW, 201, 200},
		{fileRW, 201, 200},
		{listRO, 403, 200},
		{fileRO, 403, 200},
		{wrong, 401, 401},
	}
	for _, tt := range tests {
		if got := post(tt.token); got != tt.wantPost {
			t.Errorf("POST with %s: status %d, want %d", tt.token[:11], got, tt.wantPost)
		}
		if got := list(tt.token); got != tt.wantGet {
			t.Errorf("GET with %s: status %d, want %d", tt.token[:11], got, tt.wantGet)
		}
	}
	if r := s.do(t, http.MethodDelete, "/api/v1/articles/x", nil, "Authorization: Bearer "+listRO); r.Status != 403 {
		t.Errorf("DELETE with a read-only token: status %d, want 403", r.Status)
	} else if e := decodeError(t, r); !strings.Contains(e.Error.Message, "read-only") {
		t.Errorf("message %q should say the token is read-only", e.Error.Message)
	}
	out := logs.String()
	if !strings.Contains(out, `"msg":"request"`) || !strings.Contains(out, `"token":"api.tokens[1]"`) {
		t.Errorf("access log lacks request lines naming the token's source:\n%s", out)
	}
	for _, tok := range []string{single, listRO, listRW, fileRW, fileRO, wrong} {
		if strings.Contains(out, tok) {
			t.Errorf("a token appears in the logs: %s", tok[:11])
		}
	}
}

// TestAPIRateLimit: one client past its burst gets 429 with Retry-After;
// another client is not affected; the feeds are not limited by it.
func TestAPIRateLimit(t *testing.T) {
	s := startHerald(t, "", "-api.rate-limit", "1", "-api.rate-burst", "3",
		"-server.proxy-header", "X-Forwarded-For", "-server.trusted-proxies", "127.0.0.1")
	get := func(client string) response {
		return s.do(t, http.MethodGet, "/api/v1/articles", nil, "Authorization: Bearer "+testToken, "X-Forwarded-For: "+client)
	}
	for i := 0; i < 3; i++ {
		if r := get("203.0.113.7"); r.Status != 200 {
			t.Fatalf("request %d within the burst: status %d", i+1, r.Status)
		}
	}
	r := get("203.0.113.7")
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("request past the burst: status %d, want 429", r.Status)
	}
	if e := decodeError(t, r); e.Error.Code != "rate_limited" {
		t.Errorf("error code %q, want rate_limited", e.Error.Code)
	}
	if n, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || n < 1 {
		t.Errorf("Retry-After=%q, want a positive number of seconds", r.Header.Get("Retry-After"))
	}
	if r := get("198.51.100.9"); r.Status != 200 {
		t.Errorf("another client: status %d, want 200", r.Status)
	}
	// A proxy that appends a header line of its own (HAProxy) puts the
	// hop it vouches for on the last line: lines the client sent before it
	// cannot choose another identity.
	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/articles", nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Add("X-Forwarded-For", fmt.Sprintf("192.0.2.%d", i+1))
		req.Header.Add("X-Forwarded-For", "203.0.113.7")
		res, err := plainClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("limited client behind forged lines (%d): status %d, want 429", i+1, res.StatusCode)
		}
	}
	// Unauthenticated guesses count too: the limit runs before the token check.
	if r := s.do(t, http.MethodGet, "/api/v1/articles", nil, "Authorization: Bearer guess", "X-Forwarded-For: 203.0.113.7"); r.Status != 429 {
		t.Errorf("guess from a limited client: status %d, want 429", r.Status)
	}
	for i := 0; i < 10; i++ {
		if r := s.get(t, "/feed.rss", "X-Forwarded-For: 203.0.113.7"); r.Status != 200 {
			t.Fatalf("feed for a client limited on the API: status %d", r.Status)
		}
	}
}

// TestClientIdentity: a forwarded address counts only from a trusted
// proxy; from anywhere else the TCP peer is the client, so a client cannot
// escape its limit by inventing X-Forwarded-For values.
func TestClientIdentity(t *testing.T) {
	s := startHerald(t, "", "-api.rate-limit", "1", "-api.rate-burst", "1",
		"-server.proxy-header", "X-Forwarded-For", "-server.trusted-proxies", "10.0.0.0/8")
	for i, client := range []string{"203.0.113.1", "203.0.113.2"} {
		r := s.do(t, http.MethodGet, "/api/v1/articles", nil, "Authorization: Bearer "+testToken, "X-Forwarded-For: "+client)
		want := 200
		if i > 0 {
			want = 429 // same peer (127.0.0.1, not trusted), whatever the header says
		}
		if r.Status != want {
			t.Errorf("request %d claiming %s: status %d, want %d", i+1, client, r.Status, want)
		}
	}
}

// TestPolitePolling: a reader re-downloading a feed without validators, or
// with validators it was never sent, sooner than the interval gets 429;
// one sending its validators never does.
func TestPolitePolling(t *testing.T) {
	s := startHerald(t, "", "-feed.min-poll-interval", "1h")
	s.create(t, map[string]any{"title": "Polled", "published_at": "2026-01-01T00:00:00Z"})
	afterThisSecond()
	first := s.get(t, "/feed.rss")
	if first.Status != 200 {
		t.Fatalf("first poll: %d", first.Status)
	}
	// Other methods are not fetches: a write to a feed is a 405 with Allow.
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		if r := s.do(t, m, "/feed.rss", nil); r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") == "" {
			t.Errorf("%s after a GET: status %d, Allow %q; want 405 with Allow", m, r.Status, r.Header.Get("Allow"))
		}
	}
	r := s.get(t, "/feed.rss")
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("second unconditional poll: status %d, want 429", r.Status)
	}
	if n, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || n < 3500 || n > 3600 {
		t.Errorf("Retry-After=%q, want about an hour in seconds", r.Header.Get("Retry-After"))
	}
	for i := 0; i < 5; i++ {
		if r := s.get(t, "/feed.rss", "If-None-Match: "+first.Header.Get("ETag")); r.Status != http.StatusNotModified {
			t.Fatalf("conditional poll %d: status %d, want 304", i+1, r.Status)
		}
		if r := s.get(t, "/feed.rss", "If-Modified-Since: "+first.Header.Get("Last-Modified")); r.Status == http.StatusTooManyRequests {
			t.Fatalf("poll %d with If-Modified-Since was throttled", i+1)
		}
	}
	// Validators the client was never sent do not make a fetch polite:
	// each would be a 200 of the whole feed.
	for _, h := range []string{`If-None-Match: "made-up"`, `If-None-Match: W/"0"`,
		"If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT", "If-Modified-Since: yesterday"} {
		r := s.get(t, "/feed.rss", h)
		if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
			t.Errorf("poll with %s: status %d, Retry-After %q, want 429 with Retry-After", h, r.Status, r.Header.Get("Retry-After"))
		}
	}
	// The tag of any coding of the answer it was sent is its validator.
	if r := s.get(t, "/feed.rss", "If-None-Match: "+strings.TrimSuffix(first.Header.Get("ETag"), `"`)+`-gzip"`); r.Status != http.StatusNotModified {
		t.Errorf("poll with the gzip coding's tag: status %d, want 304", r.Status)
	}
	// (A miss answers identity and compresses afterwards: the codings are
	// made by a HEAD, which the rule does not count.)
	s.do(t, http.MethodHead, "/feed.rss?limit=3", nil)
	s.Feeds.Wait()
	gz := s.get(t, "/feed.rss?limit=3", "Accept-Encoding: gzip")
	if gz.Status != 200 || gz.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip fetch: status %d, Content-Encoding %q", gz.Status, gz.Header.Get("Content-Encoding"))
	}
	identity := strings.TrimSuffix(gz.Header.Get("ETag"), `-gzip"`) + `"`
	if r := s.get(t, "/feed.rss?limit=3", "If-None-Match: "+identity); r.Status != http.StatusNotModified {
		t.Errorf("poll with the identity tag of the gzip answer: status %d, want 304", r.Status)
	}
	if r := s.get(t, "/feed.atom"); r.Status != 200 {
		t.Errorf("another feed: status %d, want 200 (the rule is per feed)", r.Status)
	}
	// A client whose first request is conditional, with made-up
	// validators, gets the feed, and is held to them afterwards.
	if r := s.get(t, "/feed.json?limit=5", `If-None-Match: "made-up"`); r.Status != 200 {
		t.Errorf("first request with a made-up tag: status %d, want 200", r.Status)
	}
	if r := s.get(t, "/feed.json?limit=5", `If-None-Match: "made-up"`); r.Status != http.StatusTooManyRequests {
		t.Errorf("the same made-up tag again: status %d, want 429", r.Status)
	}
	// When the feed changes, the validators of the last answer get the new
	// feed, whose validators are then the ones that count.
	afterThisSecond()
	s.create(t, map[string]any{"title": "Changed", "published_at": "2026-01-01T12:00:00Z"})
	changed := s.get(t, "/feed.rss", "If-None-Match: "+first.Header.Get("ETag"))
	if changed.Status != 200 || changed.Header.Get("ETag") == first.Header.Get("ETag") {
		t.Fatalf("poll with the last tag after a change: status %d, ETag %s, want 200 with a new tag", changed.Status, changed.Header.Get("ETag"))
	}
	if r := s.get(t, "/feed.rss", "If-None-Match: "+changed.Header.Get("ETag")); r.Status != http.StatusNotModified {
		t.Errorf("poll with the new tag: status %d, want 304", r.Status)
	}
	if r := s.get(t, "/feed.rss", "If-None-Match: "+first.Header.Get("ETag")); r.Status != http.StatusTooManyRequests {
		t.Errorf("poll with the tag before the change, again: status %d, want 429", r.Status)
	}
	// A HEAD downloads nothing: it is not counted.
	if r := s.do(t, http.MethodHead, "/feed.json", nil); r.Status != 200 {
		t.Errorf("HEAD: status %d, want 200", r.Status)
	}
	if r := s.get(t, "/feed.json"); r.Status != 200 {
		t.Errorf("GET after a HEAD: status %d, want 200", r.Status)
	}
	// A client walking the history fetches each page once: each is a
	// document of its own.
	for i := 0; i < 3; i++ {
		s.create(t, map[string]any{"title": "Page filler " + strconv.Itoa(i), "published_at": "2026-01-0" + strconv.Itoa(i+2) + "T00:00:00Z"})
	}
	for _, p := range []string{"/feed.atom?limit=2", "/feed.atom?limit=2&page=2", "/feed.atom?limit=2&page=1"} {
		if r := s.get(t, p); r.Status != 200 {
			t.Errorf("GET %s while walking the history: status %d, want 200", p, r.Status)
		}
	}
	if r := s.get(t, "/feed.atom?limit=2&page=1"); r.Status != http.StatusTooManyRequests {
		t.Errorf("the same page again without validators: status %d, want 429", r.Status)
	}
	// /feed in each format it negotiates is a document of its own; the
	// same format again is not.
	for _, accept := range []string{"application/rss+xml", "application/feed+json", "application/atom+xml"} {
		if r := s.get(t, "/feed", "Accept: "+accept); r.Status != 200 {
			t.Errorf("GET /feed as %s: status %d, want 200", accept, r.Status)
		}
	}
	if r := s.get(t, "/feed", "Accept: application/feed+json"); r.Status != http.StatusTooManyRequests {
		t.Errorf("GET /feed as JSON again: status %d, want 429", r.Status)
	}
	// Only a feed's 200 is a fetch: a reader waiting for a category's
	// first article, or fixing a bad parameter, is not held back.
	for i := range 3 {
		if r := s.get(t, "/categories/soon/feed.rss"); r.Status != http.StatusNotFound {
			t.Fatalf("category with no article yet, request %d: status %d, want 404", i+1, r.Status)
		}
		if r := s.get(t, "/feed.rss?limit=0"); r.Status != http.StatusBadRequest {
			t.Fatalf("bad limit, request %d: status %d, want 400", i+1, r.Status)
		}
	}
	s.create(t, map[string]any{"title": "At last", "categories": []string{"Soon"}})
	if r := s.get(t, "/categories/soon/feed.rss"); r.Status != 200 {
		t.Errorf("the category once it has an article: status %d, want 200", r.Status)
	}
	if r := s.get(t, "/categories/soon/feed.rss"); r.Status != http.StatusTooManyRequests {
		t.Errorf("the category again without validators: status %d, want 429", r.Status)
	}
	// A browser's HTML view of a feed is not a fetch of the feed: a
	// person may reload it, also right after a reader fetched the feed
	// from the same address, and with the page's own validators.
	for _, path := range []string{"/categories/soon/feed.rss", "/categories/soon/feed"} {
		r := s.get(t, path, "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Errorf("HTML view of %s after the feed was fetched: status %d, Content-Type %q, want 200 HTML", path, r.Status, r.Header.Get("Content-Type"))
		}
		r = s.get(t, path, "Accept: text/html", "If-None-Match: "+r.Header.Get("ETag"))
		if r.Status != http.StatusNotModified {
			t.Errorf("HTML view of %s with its ETag: status %d, want 304", path, r.Status)
		}
	}
	for i := range 3 {
		r := s.get(t, "/categories/soon/feed.atom", "Accept: text/html,application/xhtml+xml,*/*;q=0.8")
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("HTML view, request %d: status %d, Content-Type %q, want 200 HTML", i+1, r.Status, r.Header.Get("Content-Type"))
		}
	}
}

// TestSecurityHeadersAndCORS checks the headers of every kind of response.
func TestSecurityHeadersAndCORS(t *testing.T) {
	s := startHerald(t, "")
	s.create(t, map[string]any{"title": "Headers", "categories": []string{"Go"}})
	common := func(name string, r response) {
		t.Helper()
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if got := r.Header.Get(h); got != want {
				t.Errorf("%s: %s=%q, want %q", name, h, got, want)
			}
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy=%q, want frame-ancestors 'none'", name, csp)
		}
		if sv := r.Header.Get("Server"); sv != "" {
			t.Errorf("%s: Server header %q reveals the server", name, sv)
		}
		if id := r.Header.Get("X-Request-ID"); id == "" {
			t.Errorf("%s: no X-Request-ID", name)
		}
	}
	html := s.get(t, "/")
	common("index", html)
	if csp := html.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("index CSP %q should allow no script", csp)
	}
	afterThisSecond()
	feed := s.get(t, "/categories/go/feed.atom", "Origin: https://reader.example")
	common("feed", feed)
	if feed.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(feed.Header.Get("Access-Control-Expose-Headers"), "ETag") {
		t.Errorf("feed CORS: allow-origin %q expose %q", feed.Header.Get("Access-Control-Allow-Origin"), feed.Header.Get("Access-Control-Expose-Headers"))
	}
	// A 304 repeats what a client needs to update its stored response and
	// to pass CORS, and leaves out the headers that protect a body it does
	// not have: the stored 200's stay in force (RFC 9111, section 4.3.4).
	notMod := s.get(t, "/categories/go/feed.atom", "Origin: https://reader.example", "If-None-Match: "+feed.Header.Get("ETag"))
	if notMod.Status != http.StatusNotModified {
		t.Fatalf("conditional feed request: status %d, want 304", notMod.Status)
	}
	for _, h := range []string{"ETag", "Last-Modified", "Cache-Control", "Vary", "Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "X-Request-ID"} {
		if notMod.Header.Get(h) != feed.Header.Get(h) && h != "X-Request-ID" || notMod.Header.Get(h) == "" {
			t.Errorf("304: %s=%q, want the 200's %q", h, notMod.Header.Get(h), feed.Header.Get(h))
		}
	}
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Content-Type"} {
		if v := notMod.Header.Get(h); v != "" {
			t.Errorf("304: %s=%q, want none", h, v)
		}
	}
	pre := s.do(t, http.MethodOptions, "/feed.json", nil, "Origin: https://reader.example",
		"Access-Control-Request-Method: GET", "Access-Control-Request-Headers: if-none-match")
	if pre.Status != 204 || !strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), "If-None-Match") {
		t.Errorf("feed preflight: status %d allow-headers %q", pre.Status, pre.Header.Get("Access-Control-Allow-Headers"))
	}
	// Every precondition a feed honours, and a Cache-Control a page may
	// set, pass the preflight; the hubs' Link header is readable.
	for _, h := range []string{"If-Match", "If-Unmodified-Since", "If-Modified-Since", "Cache-Control"} {
		if !strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), h) {
			t.Errorf("feed preflight: allow-headers %q lack %s", pre.Header.Get("Access-Control-Allow-Headers"), h)
		}
	}
	if !strings.Contains(feed.Header.Get("Access-Control-Expose-Headers"), "Link") {
		t.Errorf("feed CORS: expose %q, want Link (the hubs of WebSub)", feed.Header.Get("Access-Control-Expose-Headers"))
	}
	// The subscription list is for readers in a browser too: readable from
	// any origin, preflight included; the index page is not.
	opml := s.get(t, "/feeds.opml", "Origin: https://reader.example")
	if opml.Status != 200 || opml.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(opml.Header.Get("Access-Control-Expose-Headers"), "ETag") {
		t.Errorf("OPML CORS: %d allow-origin %q expose %q", opml.Status, opml.Header.Get("Access-Control-Allow-Origin"), opml.Header.Get("Access-Control-Expose-Headers"))
	}
	opmlPre := s.do(t, http.MethodOptions, "/feeds.opml", nil, "Origin: https://reader.example",
		"Access-Control-Request-Method: GET", "Access-Control-Request-Headers: if-none-match")
	if opmlPre.Status != 204 || opmlPre.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(opmlPre.Header.Get("Access-Control-Allow-Headers"), "If-None-Match") {
		t.Errorf("OPML preflight: %d allow-origin %q allow-headers %q", opmlPre.Status, opmlPre.Header.Get("Access-Control-Allow-Origin"), opmlPre.Header.Get("Access-Control-Allow-Headers"))
	}
	if r := s.do(t, http.MethodPost, "/feeds.opml", nil); r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Errorf("POST /feeds.opml: %d Allow %q, want 405 with GET, HEAD, OPTIONS", r.Status, r.Header.Get("Allow"))
	}
	if v := html.Header.Get("Access-Control-Allow-Origin"); v != "" {
		t.Errorf("index: Access-Control-Allow-Origin %q, want none", v)
	}
	api := s.api(t, http.MethodGet, "/api/v1/articles", nil)
	common("api", api)
	apiPre := s.do(t, http.MethodOptions, "/api/v1/articles", nil, "Origin: https://evil.example", "Access-Control-Request-Method: POST")
	for name, r := range map[string]response{"api": api, "api preflight": apiPre} {
		if v := r.Header.Get("Access-Control-Allow-Origin"); v != "" {
			t.Errorf("%s: Access-Control-Allow-Origin=%q, want none", name, v)
		}
	}
	notFound := s.get(t, "/nowhere")
	common("404", notFound)
}

// TestDocumentPreconditions: the index page, the OPML file and a feed's
// HTML view have the conditional semantics of a feed: 412 to an If-Match
// that names none of their tags, 304 to an If-None-Match that names one,
// and a 304 without the headers that protect a body.
func TestDocumentPreconditions(t *testing.T) {
	s := startHerald(t, "")
	s.create(t, map[string]any{"title": "Documents", "categories": []string{"Go"}})
	html := "Accept: text/html"
	for _, d := range []struct {
		path    string
		headers []string
	}{{"/", nil}, {"/feeds.opml", nil}, {"/categories/go/feed.atom", []string{html}}} {
		ok := s.get(t, d.path, d.headers...)
		tag := ok.Header.Get("ETag")
		if ok.Status != 200 || tag == "" {
			t.Fatalf("GET %s: %d, ETag %q", d.path, ok.Status, tag)
		}
		with := func(h ...string) response { return s.get(t, d.path, append(append([]string{}, d.headers...), h...)...) }
		for _, im := range []string{`"zzz"`, "W/" + tag} {
			if r := with("If-Match: " + im); r.Status != http.StatusPreconditionFailed || decodeError(t, r).Error.Code != "precondition_failed" {
				t.Errorf("GET %s If-Match %s: %d, want 412", d.path, im, r.Status)
			}
		}
		for _, im := range []string{tag, "*", `"zzz", ` + tag} {
			if r := with("If-Match: " + im); r.Status != 200 {
				t.Errorf("GET %s If-Match %s: %d, want 200", d.path, im, r.Status)
			}
		}
		notMod := with("If-None-Match: " + tag)
		if notMod.Status != http.StatusNotModified || notMod.Header.Get("ETag") != tag {
			t.Fatalf("GET %s If-None-Match: %d, ETag %q; want 304 with %q", d.path, notMod.Status, notMod.Header.Get("ETag"), tag)
		}
		// A client holding the identity tag and now asking for gzip gets
		// its own tag back, as from a feed: the response it holds is fresh.
		if r := with("Accept-Encoding: gzip", "If-None-Match: "+tag); r.Status != http.StatusNotModified || r.Header.Get("ETag") != tag {
			t.Errorf("GET %s in gzip with the identity tag: %d, ETag %q; want 304 with %q", d.path, r.Status, r.Header.Get("ETag"), tag)
		}
		for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options", "Content-Type"} {
			if v := notMod.Header.Get(h); v != "" {
				t.Errorf("GET %s 304: %s=%q, want none", d.path, h, v)
			}
		}
	}
}

// TestRequestID: a sane incoming id is kept, anything else replaced.
func TestRequestID(t *testing.T) {
	s := startHerald(t, "")
	if got := s.get(t, "/healthz", "X-Request-ID: trace-42.a_b:c").Header.Get("X-Request-ID"); got != "trace-42.a_b:c" {
		t.Errorf("sane id came back as %q", got)
	}
	for _, bad := range []string{"<script>", "a b", strings.Repeat("x", 200)} {
		got := s.get(t, "/healthz", "X-Request-ID: "+bad).Header.Get("X-Request-ID")
		if got == bad || got == "" || !saneForTest(got) {
			t.Errorf("id %q came back as %q, want a fresh one", bad, got)
		}
	}
	// Fresh ids differ between requests on one keep-alive connection and
	// between connections.
	seen := map[string]bool{}
	fresh := func(id string) {
		if id == "" || !saneForTest(id) || seen[id] {
			t.Errorf("generated id %q: empty, insane or seen before (%d ids so far)", id, len(seen))
		}
		seen[id] = true
	}
	for range 20 {
		fresh(s.get(t, "/healthz").Header.Get("X-Request-ID"))
	}
	for range 5 {
		conn := dial(t, s, 10*time.Second)
		br := bufio.NewReader(conn)
		for range 3 {
			io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			fresh(resp.Header.Get("X-Request-ID"))
		}
		conn.Close()
	}
}

func saneForTest(id string) bool {
	return len(id) > 0 && len(id) <= 128 && strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") == ""
}
