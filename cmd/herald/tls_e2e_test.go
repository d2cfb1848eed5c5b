package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/herald-feeds/herald/internal/redistest"
)

// TestRedisClusterOverTLS: configured with redis.tls (a private authority
// in redis.tls.ca_file), Herald caches its feeds in a Redis Cluster that
// accepts TLS connections only.
func TestRedisClusterOverTLS(t *testing.T) {
	ca := redistest.NewTLS(t)
	cl := redistest.StartClusterTLS(t, 3, ca)
	s := startHerald(t, "", "-redis.cluster.addrs", strings.Join(cl.Addrs(), ","),
		"-redis.tls.enabled", "-redis.tls.ca-file", ca.CAFile)
	s.create(t, map[string]any{"title": "Sent over TLS"})
	first := s.get(t, "/feed.atom")
	if first.Status != http.StatusOK || !strings.Contains(string(first.Body), "Sent over TLS") {
		t.Fatalf("feed: status %d", first.Status)
	}
	if r := s.get(t, "/feed.atom", "If-None-Match: "+first.Header.Get("ETag")); r.Status != http.StatusNotModified {
		t.Fatalf("conditional GET: status %d, want 304", r.Status)
	}
	var ready struct {
		Cache struct{ Kind, State string }
	}
	r := s.get(t, "/readyz")
	if err := json.Unmarshal(r.Body, &ready); err != nil {
		t.Fatalf("readyz: %v", err)
	}
	if !strings.Contains(ready.Cache.Kind, "redis") || ready.Cache.State != "ok" {
		t.Fatalf("readyz cache %+v, want Redis answering", ready.Cache)
	}
	// The miss stored its rendering in the cluster, over TLS, after it
	// answered; no call to Redis failed.
	eventually(t, staleBound, "the rendering stored in Redis", func() bool {
		return strings.Contains(string(s.get(t, "/metrics").Body), `herald_cache_duration_seconds_count{cache="redis",op="put"}`)
	})
	body := string(s.get(t, "/metrics").Body)
	for _, op := range []string{"lock", "put"} {
		if want := `herald_cache_errors_total{cache="redis",op="` + op + `"} 0`; !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
