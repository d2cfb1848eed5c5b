package main

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/herald-feeds/herald/internal/redistest"
)

// TestMetricsAreDocumented: every herald_* metric a server with Redis
// and WebSub hubs exports is named in the README's metrics table, and the table names
// none that no longer exists, so the operators' reference cannot drift
// from the code.
func TestMetricsAreDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	hub := newTestHub(t) // the WebSub metrics exist with hubs configured
	s := startHerald(t, "", "-redis.url", redistest.Start(t).URL(), "-redis.prefix", "metricsdoc", "-websub.hubs", hub.URL)
	// Vectors appear once a series has a value: a feed rendered, then
	// served from the cache, touches the request, render, store and
	// Redis series.
	s.get(t, "/feed.rss")
	s.get(t, "/feed.rss")
	m := s.get(t, "/metrics")
	if m.Status != 200 {
		t.Fatalf("/metrics: status %d", m.Status)
	}
	exported := map[string]bool{}
	for _, line := range strings.Split(string(m.Body), "\n") {
		if name, ok := strings.CutPrefix(line, "# HELP "); ok && strings.HasPrefix(name, "herald_") {
			name, _, _ = strings.Cut(name, " ")
			exported[name] = true
		}
	}
	if len(exported) < 10 {
		t.Fatalf("only %d herald_ metrics exported: %v", len(exported), exported)
	}
	documented := map[string]bool{}
	for _, name := range regexp.MustCompile("`(herald_[a-z_]+)[`{]").FindAllStringSubmatch(string(readme), -1) {
		documented[name[1]] = true
	}
	var missing, stale []string
	for name := range exported {
		if !documented[name] {
			missing = append(missing, name)
		}
	}
	for name := range documented {
		if !exported[name] {
			stale = append(stale, name)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("exported but not in README.md: %v", missing)
	}
	if len(stale) > 0 {
		t.Errorf("named in README.md but not exported: %v", stale)
	}
}
