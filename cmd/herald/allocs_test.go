//go:build !race

// The race detector makes sync.Pool drop items on purpose, so allocation
// counts mean nothing under it; .ci/run runs this file without -race.

package main

import (
	"testing"

	"github.com/valyala/fasthttp"
)

// TestCachedHitsDoNotAllocate pins the hit path's allocations at zero: a
// cached feed answered 304 or 200 (identity, gzip, and a gzip client
// revalidating with its variant's tag), through the whole handler, with
// the in-process cache and with Redis behind the local tier, and with
// polite polling on (feed.min_poll_interval), when every poll also goes
// through its limiter. One stray allocation per poll (a variable a
// closure captured, say) is what this catches: it costs a tenth of a
// served 304 and shows in no other test.
func TestCachedHitsDoNotAllocate(t *testing.T) {
	for _, setup := range []struct {
		name  string
		flags func(testing.TB) []string
	}{
		{"memory", func(testing.TB) []string { return nil }},
		{"redis+local", func(tb testing.TB) []string { return redisFlags(tb, true) }},
	} {
		t.Run(setup.name, func(t *testing.T) {
			s := benchServer(t, setup.flags(t)...)
			etag := etagOf(t, s)
			gzTag := s.get(t, benchPath, "Accept-Encoding: gzip").Header.Get("ETag")
			for _, c := range []struct {
				name    string
				status  int
				coding  string
				headers []string
			}{
				{"304", 304, "", []string{"If-None-Match", etag}},
				{"304 gzip tag", 304, "", []string{"Accept-Encoding", "gzip", "If-None-Match", gzTag}},
				{"200 gzip", 200, "gzip", []string{"Accept-Encoding", "gzip, deflate"}},
				{"200 identity", 200, "", nil},
				// Readers send Accept: parsing it allocates nothing either.
				{"304 Accept */*", 304, "", []string{"Accept", "*/*", "If-None-Match", etag}},
				{"304 Accept RSS", 304, "", []string{"Accept", "application/rss+xml, application/xml;q=0.9, */*;q=0.5", "If-None-Match", etag}},
				{"304 Accept SimplePie", 304, "", []string{"Accept", "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, text/html;q=0.7, unknown/unknown;q=0.1, application/unknown;q=0.1, */*;q=0.1", "If-None-Match", etag}},
				// /feed picks the format by Accept: the same document.
				{"304 /feed Accept RSS", 304, "", []string{":path", "/feed?limit=100", "Accept", "application/rss+xml, application/xml;q=0.9, */*;q=0.5", "If-None-Match", etag}},
			} {
				if n := hitAllocs(t, s, c.name, c.status, c.coding, c.headers...); n != 0 {
					t.Errorf("%s: %.2f allocations per request, want 0", c.name, n)
				}
			}
		})
	}

	// Polite polling on, as readers meet it: each client below first
	// fetched the feed (a counted 200, whose validators the limiter keeps),
	// then polls with what it was sent, which the limiter lets through
	// however soon; a poll without validators sooner than the interval is
	// the 429, which may allocate (its error and JSON body) and is only
	// reported. The server trusts the in-process peer (0.0.0.0) as a proxy,
	// so clients are also named by X-Forwarded-For: an IPv4 one, and an
	// IPv6 one (counted by its /64) after a hop it wrote itself.
	t.Run("polite polling", func(t *testing.T) {
		s := benchServer(t, "-feed.min-poll-interval", "1h",
			"-server.proxy-header", "X-Forwarded-For", "-server.trusted-proxies", "0.0.0.0/32")
		afterThisSecond() // so that the feed's 200 carries Last-Modified
		const v4, v6 = "198.51.100.7", "203.0.113.9, 2001:db8:7:8::42"
		etag, lastModified := politeFetch(t, s)
		if lastModified == "" {
			t.Fatal("the feed's 200 has no Last-Modified")
		}
		gzTag, _ := politeFetch(t, s, "X-Forwarded-For", v4, "Accept-Encoding", "gzip")
		v6Tag, _ := politeFetch(t, s, "X-Forwarded-For", v6)
		for _, c := range []struct {
			name    string
			headers []string
		}{
			{"304", []string{"If-None-Match", etag}},
			{"304 If-Modified-Since", []string{"If-Modified-Since", lastModified}},
			{"304 Accept RSS", []string{"Accept", "application/rss+xml, application/xml;q=0.9, */*;q=0.5", "If-None-Match", etag}},
			{"304 gzip tag, IPv4 behind the proxy", []string{"X-Forwarded-For", v4, "Accept-Encoding", "gzip", "If-None-Match", gzTag}},
			{"304 IPv6 behind the proxy", []string{"X-Forwarded-For", v6, "If-None-Match", v6Tag}},
			// Another address of the same /64 holds the same validators.
			{"304 IPv6, same /64", []string{"X-Forwarded-For", "2001:db8:7:8::99", "If-None-Match", v6Tag}},
		} {
			if n := hitAllocs(t, s, c.name, 304, "", c.headers...); n != 0 {
				t.Errorf("%s: %.2f allocations per request, want 0", c.name, n)
			}
		}
		t.Logf("429 (no validators, within the interval): %.0f allocations per request", hitAllocs(t, s, "429", 429, ""))
		t.Logf("429 IPv6 behind the proxy: %.0f allocations per request", hitAllocs(t, s, "429 IPv6", 429, "", "X-Forwarded-For", v6))
	})

	// A poller without validators whose allowance is whole again at each
	// poll: every poll is a counted fetch of the whole feed (allowance
	// spent, validators recorded). The interval is a nanosecond, so that
	// each request, coming later than that after the one before, finds
	// its allowance back; nothing here waits for it.
	t.Run("polite polling, allowance back", func(t *testing.T) {
		s := benchServer(t, "-feed.min-poll-interval", "1ns",
			"-server.proxy-header", "X-Forwarded-For", "-server.trusted-proxies", "0.0.0.0/32")
		for _, c := range []struct {
			name    string
			coding  string
			headers []string
		}{
			{"200 identity", "", nil},
			{"200 gzip", "gzip", []string{"Accept-Encoding", "gzip, deflate"}},
			{"200 IPv6 behind the proxy", "", []string{"X-Forwarded-For", "2001:db8:7:8::42"}},
		} {
			if n := hitAllocs(t, s, c.name, 200, c.coding, c.headers...); n != 0 {
				t.Errorf("%s: %.2f allocations per request, want 0", c.name, n)
			}
		}
	})
}

// hitAllocs is the allocations per request of the bench feed requested
// through the handler with headers, each answered status with coding.
func hitAllocs(t *testing.T, s *testServer, name string, status int, coding string, headers ...string) float64 {
	t.Helper()
	h := s.Server.App().Handler()
	var rc fasthttp.RequestCtx
	serve := func() {
		feedRequest(&rc, headers...)
		h(&rc)
	}
	check := func() {
		if rc.Response.StatusCode() != status || string(rc.Response.Header.Peek("Content-Encoding")) != coding {
			t.Fatalf("%s: status %d coding %q, want %d %q", name, rc.Response.StatusCode(), rc.Response.Header.Peek("Content-Encoding"), status, coding)
		}
	}
	serve() // the first request on rc grows its buffers
	check()
	n := testing.AllocsPerRun(200, serve)
	check() // the last request too: none of them was refused
	return n
}
