package config

import (
	"net/netip"
	"strings"
)

// validateReliability checks the keys of limits, rate limits, tokens,
// proxies and metrics.
func (c *Config) validateReliability(v *validator) {
	positive(v, "redis.breaker_failures", c.Redis.BreakerFailures)
	positive(v, "redis.breaker_cooldown", c.Redis.BreakerCooldown)
	if _, err := parseTokenList(c.API.Tokens); err != nil {
		v.errs = append(v.errs, err)
	}
	v.check("api.rate_limit", c.API.RateLimit >= 0, "must be zero (off) or positive, got %d", c.API.RateLimit)
	if c.API.RateLimit > 0 {
		positive(v, "api.rate_burst", c.API.RateBurst)
	}
	v.check("feed.max_stale", c.Feed.MaxStale >= 0, "must be zero (off) or positive, got %s", c.Feed.MaxStale)
	positive(v, "feed.stale_entries", c.Feed.StaleEntries)
	v.check("feed.min_poll_interval", c.Feed.MinPollInterval >= 0, "must be zero (off) or positive, got %s", c.Feed.MinPollInterval)

	// Below about 1 KiB ordinary browsers' requests would not fit.
	v.check("server.max_header_bytes", c.Server.MaxHeaderBytes >= 1024, "must be at least 1024, got %d", c.Server.MaxHeaderBytes)
	v.check("server.proxy_header", !strings.ContainsAny(c.Server.ProxyHeader, " \t\r\n:"),
		"must be a header name such as X-Forwarded-For, got %q", c.Server.ProxyHeader)
	if _, err := ParsePrefixes(c.Server.TrustedProxies); err != nil {
		v.fail("server.trusted_proxies", "%s", err.Error())
	}
	if c.Server.ProxyHeader != "" && strings.TrimSpace(c.Server.TrustedProxies) == "" {
		v.fail("server.trusted_proxies", "must name the proxies whose %s is believed when server.proxy_header is set", c.Server.ProxyHeader)
	}

	for _, l := range [...]struct {
		key string
		n   int
	}{
		{"limits.title_chars", c.Limits.TitleChars}, {"limits.summary_chars", c.Limits.SummaryChars},
		{"limits.content_bytes", c.Limits.ContentBytes}, {"limits.name_chars", c.Limits.NameChars},
		{"limits.url_bytes", c.Limits.URLBytes}, {"limits.authors", c.Limits.Authors},
		{"limits.categories", c.Limits.Categories}, {"limits.tags", c.Limits.Tags},
		{"limits.enclosures", c.Limits.Enclosures},
	} {
		positive(v, l.key, l.n)
	}
	if p := c.Metrics.Path; p != "" {
		switch {
		case !strings.HasPrefix(p, "/") || strings.ContainsAny(p, " ?#"):
			v.fail("metrics.path", "must be empty or a path such as /metrics, got %q", p)
		case servedPath(p) != "":
			v.fail("metrics.path", "would hide %s, which Herald serves there: choose a path of its own such as /metrics, got %q", servedPath(p), p)
		}
	}
}

// servedPath names what Herald itself serves at p, or returns "" when
// p is free for the metrics. The metrics route is registered before the
// others, so a path they share would silently serve the metrics in their
// place (or lose to /healthz). Routing ignores a trailing slash.
func servedPath(p string) string {
	for _, s := range [...]struct{ prefix, what string }{
		{"/categories/", "the category feeds"}, {"/tags/", "the tag feeds"},
		{"/authors/", "the author feeds"}, {"/api/", "the write API"},
	} {
		if strings.HasPrefix(p, s.prefix) {
			return s.what
		}
	}
	p = strings.TrimRight(p, "/")
	switch {
	case p == "":
		return "the index page"
	case p == "/feed" || strings.HasPrefix(p, "/feed."):
		return "the site's feeds"
	case p == "/feeds.opml":
		return "the OPML list of feeds"
	case p == "/healthz":
		return "the health check"
	case p == "/readyz":
		return "the readiness check"
	}
	return ""
}

// ParsePrefixes reads a comma-separated list of IP addresses and CIDR
// ranges; a bare address is a range of one.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if strings.Contains(item, "/") {
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return nil, &prefixError{item}
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, &prefixError{item}
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

type prefixError struct{ item string }

func (e *prefixError) Error() string {
	return "must be IP addresses or CIDR ranges separated by commas, got " + `"` + e.item + `"`
}
