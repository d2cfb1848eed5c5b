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
// the in-process cache and with Redis behind the local tier. One stray
// allocation per poll (a variable a closure captured, say) is what this
// catches: it costs a tenth of a served 304 and shows in no other test.
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
			} {
				h := s.Server.App().Handler()
				var rc fasthttp.RequestCtx
				serve := func() {
					feedRequest(&rc, c.headers...)
					h(&rc)
				}
				serve() // the first request on rc grows its buffers
				if rc.Response.StatusCode() != c.status || string(rc.Response.Header.Peek("Content-Encoding")) != c.coding {
					t.Fatalf("%s: status %d coding %q, want %d %q", c.name, rc.Response.StatusCode(), rc.Response.Header.Peek("Content-Encoding"), c.status, c.coding)
				}
				if n := testing.AllocsPerRun(200, serve); n != 0 {
					t.Errorf("%s: %.2f allocations per request, want 0", c.name, n)
				}
			}
		})
	}
}
