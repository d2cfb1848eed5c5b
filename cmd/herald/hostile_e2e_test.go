package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// dial opens a raw connection to s, closed when the test ends, whose reads
// and writes fail after guard (a guard against hanging, not a measurement).
func dial(t *testing.T, s *testServer, guard time.Duration) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(guard))
	return conn
}

// rawRequest sends req as written, bytes and all, and parses the answer;
// net/http would refuse to send most of what these tests send.
func rawRequest(t *testing.T, s *testServer, req string) (*http.Response, []byte) {
	t.Helper()
	conn := dial(t, s, 10*time.Second)
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatalf("write: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response to %q: %v", req, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// TestSQLMetacharactersAreStoredLiterally sends the classic injection
// strings through the API: they come back, and into the feed, unchanged.
func TestSQLMetacharactersAreStoredLiterally(t *testing.T) {
	s := startHerald(t, "")
	in := map[string]any{
		"title":      `Robert'); DROP TABLE articles;--`,
		"summary":    `100% of "quotes" \ and _under_scores_ ; -- /* */`,
		"categories": []string{`O'Reilly; DELETE FROM scopes`},
		"tags":       []string{`' OR '1'='1`},
		"authors":    []map[string]any{{"name": `Bobby "Tables" ' --`}},
	}
	created := s.create(t, in)
	got := s.api(t, http.MethodGet, "/api/v1/articles/"+created["id"].(string), nil)
	var a map[string]any
	mustUnmarshal(t, got.Body, &a)
	for _, k := range []string{"title", "summary"} {
		if a[k] != in[k] {
			t.Errorf("%s=%q, want %q stored literally", k, a[k], in[k])
		}
	}
	if cats := a["categories"].([]any); len(cats) != 1 || cats[0] != in["categories"].([]string)[0] {
		t.Errorf("categories=%v, want %v", cats, in["categories"])
	}
	s.create(t, map[string]any{"title": "Second article"})
	var page struct{ Total int }
	mustUnmarshal(t, s.api(t, http.MethodGet, "/api/v1/articles", nil).Body, &page)
	if page.Total != 2 {
		t.Errorf("total=%d after the injection attempts, want 2 (nothing dropped or deleted)", page.Total)
	}
	f := parseFeed(t, s.get(t, "/categories/o-reilly-delete-from-scopes/feed.atom"))
	if len(f.Items) != 1 || f.Items[0].Title != in["title"] {
		t.Errorf("category feed has %d items, want 1: the article with its title unchanged", len(f.Items))
	}
	if r := s.get(t, "/tags/or-1-1/feed.json"); r.Status != 200 || !strings.Contains(string(r.Body), `' OR '1'='1`) {
		t.Errorf("tag feed: status %d, want the tag's literal name in it", r.Status)
	}
}

// TestTraversalStaysInItsRoute: dot segments, encoded or not, never reach
// anything but a 404 from the router or a feed handler.
func TestTraversalStaysInItsRoute(t *testing.T) {
	s := startHerald(t, "")
	paths := []string{
		"/categories/..%2f..%2fetc/feed.rss",
		"/categories/..%2F..%2Fetc%2Fpasswd/feed.rss",
		"/categories/%2e%2e/feed.rss",
		"/categories/%252e%252e%252fetc/feed.rss",
		"/tags/..%5c..%5cwindows/feed.json",
		"/authors/%2e%2e%2f%2e%2e%2fetc%2fpasswd/feed",
		"/..%2f..%2fetc%2fpasswd",
		"/%2e%2e/%2e%2e/etc/passwd",
		"/feed.rss%00.txt",
		"/categories/go%00/feed.rss",
		"/api/v1/articles/..%2f..%2fetc%2fpasswd",
	}
	for _, p := range paths {
		resp, body := rawRequest(t, s, "GET "+p+" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+testToken+"\r\nConnection: close\r\n\r\n")
		if resp.StatusCode != 404 && resp.StatusCode != 400 {
			t.Errorf("GET %s: status %d, want 404 or 400", p, resp.StatusCode)
		}
		var e apiError
		if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" {
			t.Errorf("GET %s: body %q is not our JSON error", p, body)
		}
		if strings.Contains(string(body), "root:") {
			t.Errorf("GET %s: body leaks a file: %q", p, body)
		}
	}
	if r := s.api(t, http.MethodPost, "/api/v1/articles", map[string]any{"title": "x", "slug": "../../etc/passwd"}); r.Status != 422 {
		t.Errorf("slug with dot segments: status %d, want 422", r.Status)
	}
}

// TestLineBreaksNeverMakeHeaders sends CR and LF, raw and encoded, in
// every place a value could travel from a request into a header.
func TestLineBreaksNeverMakeHeaders(t *testing.T) {
	s := startHerald(t, "")
	created := s.create(t, map[string]any{"title": "Header\r\nX-Injected: body", "slug": "header-test",
		"categories": []string{"A\r\nX-Injected: cat"}})
	id := created["id"].(string)
	auth := "Authorization: Bearer " + testToken + "\r\n"
	requests := []string{
		"GET /categories/a%0d%0aX-Injected:%201/feed.rss HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /feed.rss?limit=1%0d%0aX-Injected:%201 HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /api/v1/articles/" + id + "%0d%0aX-Injected:%201 HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
		"GET /feed.rss HTTP/1.1\r\nHost: x\r\nX-Request-ID: abc%0d%0aX-Injected: 1\r\n\r\n",
		"GET /feed.rss HTTP/1.1\r\nHost: x\r\nX-Request-ID: abc\r\n X-Injected: folded\r\n\r\n",
		"GET /feed HTTP/1.1\r\nHost: x\r\nAccept: application/rss+xml\r\n\tX-Injected: folded\r\n\r\n",
		"GET /api/v1/articles/" + id + " HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
		"GET /categories/a-x-injected-cat/feed.json HTTP/1.1\r\nHost: x\r\n\r\n",
	}
	for _, req := range requests {
		resp, _ := rawRequest(t, s, req)
		for name := range resp.Header {
			if strings.EqualFold(name, "X-Injected") || strings.EqualFold(name, "Set-Cookie") {
				t.Errorf("request %q produced header %s", req, name)
			}
		}
		for name, values := range resp.Header {
			for _, v := range values {
				if strings.ContainsAny(v, "\r\n") {
					t.Errorf("request %q: header %s=%q holds a line break", req, name, v)
				}
			}
		}
	}
	post := "{\"title\":\"x\\r\\nX-Injected: 1\"}"
	resp, _ := rawRequest(t, s, fmt.Sprintf("POST /api/v1/articles HTTP/1.1\r\nHost: x\r\n%sContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", auth, len(post), post))
	if resp.StatusCode != 201 || resp.Header.Get("X-Injected") != "" || !strings.HasPrefix(resp.Header.Get("Location"), "/api/v1/articles/") {
		t.Errorf("POST with a line break in the title: status %d, Location %q, injected %q", resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("X-Injected"))
	}
}

// TestInvalidUTF8IsRejected: bodies, query values and paths that are not
// UTF-8 get a 4xx naming the problem, never a 500.
func TestInvalidUTF8IsRejected(t *testing.T) {
	s := startHerald(t, "")
	created := s.create(t, map[string]any{"title": "Valid"})
	for _, tt := range []struct {
		method, path, body string
		status             int
	}{
		{http.MethodPost, "/api/v1/articles", "{\"title\":\"\xc3\x28\"}", 400},
		{http.MethodPost, "/api/v1/articles", "{\"title\":\"ok\",\"tags\":[\"\xff\"]}", 400},
		{http.MethodPatch, "/api/v1/articles/" + created["id"].(string), "{\"summary\":\"\xed\xa0\x80\"}", 400},
		{http.MethodPut, "/api/v1/articles/" + created["id"].(string), "{\"title\":\"\xf8\x88\x80\x80\x80\"}", 400},
	} {
		r := s.api(t, tt.method, tt.path, tt.body)
		if r.Status != tt.status {
			t.Errorf("%s %s with %q: status %d, want %d", tt.method, tt.path, tt.body, r.Status, tt.status)
			continue
		}
		if e := decodeError(t, r); !strings.Contains(e.Error.Message, "UTF-8") {
			t.Errorf("%s %s: message %q should name UTF-8", tt.method, tt.path, e.Error.Message)
		}
	}
	for _, p := range []string{"/feed.rss?limit=%ff", "/categories/%ff%fe/feed.rss", "/tags/%c3%28/feed.atom"} {
		resp, _ := rawRequest(t, s, "GET "+p+" HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("GET %s: status %d, want a 4xx", p, resp.StatusCode)
		}
	}
	resp, _ := rawRequest(t, s, "GET /feed.rss HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"\xff\xfe\"\r\nIf-Modified-Since: \xff\r\n\r\n")
	if resp.StatusCode != 200 {
		t.Errorf("feed with non-UTF-8 validators: status %d, want 200 (they simply do not match)", resp.StatusCode)
	}
}

// TestRequestLimits: each limit answers with its own clear error.
func TestRequestLimits(t *testing.T) {
	s := startHerald(t, "", "-limits.tags", "2", "-limits.title-chars", "20", "-server.max-header-bytes", "2048")
	for _, q := range []string{"limit=0", "limit=-1", "limit=101", "limit=abc", "limit=99999999999999999999", "limit="} {
		r := s.get(t, "/feed.rss?"+q)
		if r.Status != 400 {
			t.Errorf("?%s: status %d, want 400", q, r.Status)
			continue
		}
		if e := decodeError(t, r); e.Error.Field != "limit" {
			t.Errorf("?%s: field %q, want limit", q, e.Error.Field)
		}
	}
	for _, tt := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"title": "x", "tags": []string{"a", "b", "c"}}, "tags"},
		{map[string]any{"title": strings.Repeat("t", 21)}, "title"},
	} {
		r := s.api(t, http.MethodPost, "/api/v1/articles", tt.body)
		if e := decodeError(t, r); r.Status != 422 || e.Error.Field != tt.field {
			t.Errorf("over the %s limit: status %d field %q, want 422 naming %s", tt.field, r.Status, e.Error.Field, tt.field)
		}
	}
	resp, body := rawRequest(t, s, "GET /feed.rss HTTP/1.1\r\nHost: x\r\nX-Padding: "+strings.Repeat("p", 4096)+"\r\n\r\n")
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("4 KiB header with a 2 KiB limit: status %d, want 431", resp.StatusCode)
	}
	var e apiError
	if err := json.Unmarshal(body, &e); err != nil || !strings.Contains(e.Error.Message, "2048") {
		t.Errorf("431 body %q should be our JSON error naming the limit", body)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("431 lacks the security headers")
	}
}

// TestSlowClientIsCutOff: a client that never finishes its request is
// disconnected after the read timeout instead of holding a connection.
func TestSlowClientIsCutOff(t *testing.T) {
	s := startHerald(t, "", "-server.read-timeout", "300ms")
	conn := dial(t, s, 15*time.Second)
	io.WriteString(conn, "GET /feed.rss HTTP/1.1\r\nHost: x\r\n") // and never the blank line
	b, err := io.ReadAll(conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server kept a stalled request open past 15s")
	}
	if len(b) > 0 && !strings.HasPrefix(string(b), "HTTP/1.1 408") {
		t.Errorf("answer to a stalled request: %q, want a 408 or a closed connection", b)
	}
}

// TestIdleConnectionIsClosed: a keep-alive connection that sends nothing
// after its answer is closed once the idle timeout has passed, not before.
func TestIdleConnectionIsClosed(t *testing.T) {
	s := startHerald(t, "", "-server.idle-timeout", "300ms")
	conn := dial(t, s, 15*time.Second)
	br := bufio.NewReader(conn)
	// The server's idle time starts once it has written the answer, which
	// is after the request was sent and before the client has read it all:
	// measured from the sending, a close that waited the idle timeout
	// always shows at least that long (from the reading it can show a
	// little less, the answer's time on the way).
	sent := time.Now()
	io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("request: %v %v", resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("idle connection: read %v, want the server to close it (EOF)", err)
	}
	if idle := time.Since(sent); idle < 300*time.Millisecond {
		t.Errorf("closed %s after the request was sent, before the 300ms idle timeout", idle)
	}
}

// TestKeepAliveOutlivesTheTimeouts: a connection that keeps sending
// requests stays open well past its read and idle timeouts, since every
// request starts them again.
func TestKeepAliveOutlivesTheTimeouts(t *testing.T) {
	s := startHerald(t, "", "-server.read-timeout", "300ms", "-server.idle-timeout", "300ms")
	conn := dial(t, s, 15*time.Second)
	br := bufio.NewReader(conn)
	for start := time.Now(); time.Since(start) < 1200*time.Millisecond; time.Sleep(100 * time.Millisecond) {
		io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("after %s on one connection: %v", time.Since(start).Round(time.Millisecond), err)
		}
		io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// TestHeaderNamesAnyCase: header names are case-insensitive (RFC 9110,
// section 5.1), including those the feed path reads in one pass; the
// first of repeated If-None-Match lines counts, as for any lookup.
func TestHeaderNamesAnyCase(t *testing.T) {
	s := startHerald(t, "")
	s.create(t, map[string]any{"title": "Cases"})
	etag := s.get(t, "/feed.atom").Header.Get("ETag")
	s.Feeds.Wait() // the compressed variants are stored
	for _, c := range []struct {
		name, headers string
		status        int
		coding        string
	}{
		{"lower-case condition", "if-none-match: " + etag + "\r\n", http.StatusNotModified, ""},
		{"upper-case condition", "IF-NONE-MATCH: " + etag + "\r\n", http.StatusNotModified, ""},
		{"first of two conditions", "If-None-Match: " + etag + "\r\nIf-None-Match: \"other\"\r\n", http.StatusNotModified, ""},
		{"lower-case coding", "accept-encoding: gzip\r\n", http.StatusOK, "gzip"},
		{"odd-case accept prefers HTML", "aCCept: text/html\r\n", http.StatusOK, ""},
	} {
		resp, _ := rawRequest(t, s, "GET /feed.atom HTTP/1.1\r\nHost: x\r\n"+c.headers+"Connection: close\r\n\r\n")
		if resp.StatusCode != c.status || resp.Header.Get("Content-Encoding") != c.coding {
			t.Errorf("%s: status %d coding %q, want %d %q", c.name, resp.StatusCode, resp.Header.Get("Content-Encoding"), c.status, c.coding)
		}
		if c.name == "odd-case accept prefers HTML" && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: Content-Type %q, want text/html", c.name, resp.Header.Get("Content-Type"))
		}
	}
}

// TestMalformedRequestIsNotEchoed: a request fasthttp cannot parse gets
// our JSON 400, which never quotes the request back: its headers may carry
// a token or a session cookie.
func TestMalformedRequestIsNotEchoed(t *testing.T) {
	s := startHerald(t, "")
	const secret = "s3cr3t-cookie-value"
	for _, req := range []string{
		"GET  /feed.rss HTTP/1.1\r\nHost: x\r\nCookie: session=" + secret + "\r\n\r\n", // two spaces: no version
		"GET /feed.rss HTTP/1.1\r\nCookie: session=" + secret + "\r\n\r\n",             // no Host
		"POST /api/v1/articles HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nAuthorization: Bearer " + secret + "\r\n\r\n",
	} {
		resp, body := rawRequest(t, s, req)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%q: status %d, want 400", req, resp.StatusCode)
		}
		var e apiError
		if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != "bad_request" || e.Error.Message == "" {
			t.Errorf("%q: body %q is not our JSON error", req, body)
		}
		if strings.Contains(string(body), secret) || strings.Contains(string(body), "contents") {
			t.Errorf("%q: the error quotes the request: %s", req, body)
		}
	}
}

// TestHTTPVersions: HTTP/1.0 and 1.1 are served, a later 1.x as 1.1
// (RFC 9112, 2.3), and another major version gets 505 with a JSON error
// (RFC 9110, 15.6.6) instead of being served as 1.1.
func TestHTTPVersions(t *testing.T) {
	s := startHerald(t, "")
	for _, tc := range []struct {
		version string
		status  int
	}{{"HTTP/1.1", 200}, {"HTTP/1.0", 200}, {"HTTP/1.9", 200}, {"HTTP/9.9", 505}, {"HTTP/2.0", 505}, {"HTTP/0.9", 505}} {
		resp, body := rawRequest(t, s, "GET /feed.rss "+tc.version+"\r\nHost: localhost\r\nConnection: close\r\n\r\n")
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.version, resp.StatusCode, tc.status)
			continue
		}
		if tc.status == 505 && !strings.Contains(string(body), `"http_version_not_supported"`) {
			t.Errorf("%s: body %s, want the JSON error http_version_not_supported", tc.version, body)
		}
	}
}

// TestOptionsForTheServer: OPTIONS with the target "*" asks about the
// server as a whole (RFC 9110, 9.3.7): 204, with every method some path
// answers in Allow; the request is counted under the route "*".
func TestOptionsForTheServer(t *testing.T) {
	s := startHerald(t, "")
	resp, body := rawRequest(t, s, "OPTIONS * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
	if resp.StatusCode != http.StatusNoContent || len(body) != 0 {
		t.Fatalf("OPTIONS *: status %d, body %q; want 204 and no body", resp.StatusCode, body)
	}
	if got, want := resp.Header.Get("Allow"), "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"; got != want {
		t.Errorf("OPTIONS *: Allow %q, want %q", got, want)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("OPTIONS *: no X-Request-Id")
	}
	if m := s.get(t, "/metrics"); !strings.Contains(string(m.Body), `herald_http_requests_total{format="",route="*",status="204"} 1`) {
		t.Errorf("OPTIONS * is not counted under the route *:\n%s", m.Body)
	}
}

// TestContentLimitHoldsOnceSanitised: content within limits.content_bytes
// as sent but over it once its relative URLs are made absolute against a
// long article URL is refused, naming content_html, and nothing is
// stored; it used to be stored at about 136 times the limit.
func TestContentLimitHoldsOnceSanitised(t *testing.T) {
	s := startHerald(t, "", "-limits.content-bytes", "65536")
	long := "https://example.com/" + strings.Repeat("a", 2000) + "/"
	content := strings.Repeat(`<a href=b>x</a>`, 1000) // 15,000 bytes sent, ~2 MB resolved
	r := s.api(t, http.MethodPost, "/api/v1/articles", map[string]any{"title": "Expands", "url": long, "content_html": content})
	if e := decodeError(t, r); r.Status != 422 || e.Error.Field != "content_html" || !strings.Contains(e.Error.Message, "65536") {
		t.Fatalf("expanding content: status %d, error %+v; want 422 naming content_html and the limit", r.Status, e.Error)
	}
	if r := s.api(t, http.MethodGet, "/api/v1/articles", nil); r.Status != 200 || strings.Contains(string(r.Body), "Expands") {
		t.Errorf("the refused article was stored: listing answered %d %.300s", r.Status, r.Body)
	}
	// The same content against a short URL fits and is stored resolved.
	r = s.api(t, http.MethodPost, "/api/v1/articles", map[string]any{"title": "Fits", "url": "https://example.com/p/", "content_html": strings.Repeat(`<a href=b>x</a>`, 100)})
	if r.Status != 201 || !strings.Contains(string(r.Body), `https://example.com/p/b`) {
		t.Errorf("content within the limit once resolved: status %d, body %.200s", r.Status, r.Body)
	}
}

// TestMalformedArticleIDsAreNotFound: an id in the URL that is not UTF-8
// or holds a NUL names no article: 404 on both stores (PostgreSQL refused
// such text with an error, answered 500).
func TestMalformedArticleIDsAreNotFound(t *testing.T) {
	onEachStore(t, func(t *testing.T, s *testServer) {
		for _, id := range []string{"%FF", "%00", "a%C3"} {
			for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete} {
				var body []byte
				if method == http.MethodPut || method == http.MethodPatch {
					body = []byte(`{"title":"x"}`)
				}
				r := s.do(t, method, "/api/v1/articles/"+id, body, "Authorization: Bearer "+testToken, "Content-Type: application/json")
				if r.Status != 404 {
					t.Errorf("%s /api/v1/articles/%s: status %d, want 404: %s", method, id, r.Status, r.Body)
				}
			}
		}
	})
}
