package main

import (
	"github.com/herald-feeds/herald/config"
	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/httpserver"
)

// staleBytes bounds the bodies kept for stale-if-error; feed.stale_entries
// bounds their number.
const staleBytes = 64 << 20

// articleLimits is the limits section as the domain takes it.
func articleLimits(cfg *config.Config) herald.Limits {
	l := cfg.Limits
	return herald.Limits{
		TitleLength: l.TitleChars, TextLength: l.SummaryChars, ContentLength: l.ContentBytes,
		NameLength: l.NameChars, URLLength: l.URLBytes,
		Authors: l.Authors, Categories: l.Categories, Tags: l.Tags, Enclosures: l.Enclosures,
	}
}

// reliabilityConfig is the part of the HTTP configuration about access,
// limits and observability; it reads the tokens file.
func (m *Main) reliabilityConfig() (httpserver.Config, error) {
	cfg := m.Config
	tokens, err := cfg.Tokens()
	if err != nil {
		return httpserver.Config{}, err
	}
	proxies, err := config.ParsePrefixes(cfg.Server.TrustedProxies)
	if err != nil {
		return httpserver.Config{}, err
	}
	hc := httpserver.Config{
		APIRate:         cfg.API.RateLimit,
		APIBurst:        cfg.API.RateBurst,
		MinPollInterval: cfg.Feed.MinPollInterval,
		MaxHeaderBytes:  cfg.Server.MaxHeaderBytes,
		ProxyHeader:     cfg.Server.ProxyHeader,
		TrustedProxies:  proxies,
		AccessLog:       cfg.Log.Access,
		Observer:        m.Metrics,
		Metrics:         m.Metrics.Handler(),
		MetricsPath:     cfg.Metrics.Path,
		MetricsToken:    cfg.Metrics.RequireToken,
	}
	for _, t := range tokens {
		hc.Tokens = append(hc.Tokens, httpserver.Token{Secret: t.Secret, ReadOnly: t.ReadOnly, Source: t.Source})
	}
	return hc, nil
}

// exportCounters publishes the service counters and the breaker state.
func (m *Main) exportCounters() {
	fs := m.Feeds.Stats()
	for _, c := range []struct {
		name, help string
		read       func() int64
	}{
		{"herald_feed_cache_hits_total", "Feed requests (their HTML views and article pages included) answered from the cache.", fs.Hits.Load},
		{"herald_feed_cache_misses_total", "Feed requests (their HTML views and article pages included) the cache could not answer.", fs.Misses.Load},
		{"herald_feed_cache_errors_total", "Cache calls of the read path that failed (the feed was rendered from the store).", fs.CacheErrors.Load},
		{"herald_feed_renders_total", "Feeds, feeds' HTML views and article pages this process rendered from the store.", fs.Renders.Load},
		{"herald_feed_not_modified_total", "Feed requests answered 304 Not Modified.", fs.NotModified.Load},
		{"herald_feed_shared_fills_total", "Misses answered, without rendering, with the rendering the render lock found in Redis (stored by another replica); once per feed and revision.", fs.SharedFills.Load},
		{"herald_feed_sync_stores_total", "Renderings stored in Redis before their miss was answered, because as many background stores as allowed were already under way.", fs.SyncStores.Load},
		{"herald_feed_stale_served_total", "Feed requests answered with the last good rendering because the store failed.", fs.StaleServed.Load},
		{"herald_cache_invalidation_errors_total", "Writes whose cache invalidation failed after they were stored, or was not acknowledged by redis.wait_replicas replicas in time (repeated in the background).", m.Articles.Stats().InvalidationErrors.Load},
		{"herald_cache_invalidation_retries_total", "Background invalidations that succeeded after a write's own had failed.", m.Articles.Stats().InvalidationRetries.Load},
		{"herald_cache_invalidations_recovered_total", "Scopes whose invalidation this process delivered from the database's records alone: owed by a process that stopped before delivering it (Redis unreachable, or killed right after a write), or by another replica.", m.Articles.Stats().InvalidationsRecovered.Load},
		{"herald_cache_resets_total", "Times this process found that Redis had lost writes it acknowledged (its generation went back) and dropped every feed revision.", func() int64 {
			if m.redis == nil {
				return 0
			}
			return m.redis.Resets()
		}},
		{"herald_article_cache_hits_total", "Articles of feed pages found decoded in this process's article cache.", func() int64 {
			hits, _ := m.articleCache.Stats()
			return int64(hits)
		}},
		{"herald_article_cache_misses_total", "Articles of feed pages read from the store because the article cache did not hold their version.", func() int64 {
			_, misses := m.articleCache.Stats()
			return int64(misses)
		}},
		{"herald_article_row_reads_total", "Articles the article cache lacked that were read from their rows, having no pack of their version (written before packs, or last by an older build); the packing at start gives them one.", func() int64 {
			if m.rowReads == nil {
				return 0
			}
			return int64(m.rowReads())
		}},
		{"herald_render_item_hits_total", "Items of rendered feeds whose encoding the renderer had kept from an earlier render (cache.max_item_bytes).", func() int64 {
			hits, _ := m.renderer.FragmentStats()
			return int64(hits)
		}},
		{"herald_render_item_misses_total", "Items of rendered feeds the renderer encoded, not having kept them.", func() int64 {
			_, misses := m.renderer.FragmentStats()
			return int64(misses)
		}},
	} {
		m.Metrics.CounterFunc(c.name, c.help, c.read)
	}
	if m.websub != nil {
		ws := m.websub.Stats()
		for _, c := range []struct {
			name, help string
			read       func() int64
		}{
			{"herald_websub_sent_total", "WebSub publish notifications a hub accepted (one per hub and feed URL).", ws.Sent.Load},
			{"herald_websub_retries_total", "WebSub notifications that failed and were tried again later.", ws.Retried.Load},
			{"herald_websub_failed_total", "WebSub notifications given up: refused by the hub (4xx or a redirect), failing for every attempt, or unsent when a stop ran out of time.", ws.Failed.Load},
			{"herald_websub_dropped_total", "WebSub notifications not queued because 10,000 were waiting for their hub.", ws.Dropped.Load},
		} {
			m.Metrics.CounterFunc(c.name, c.help, c.read)
		}
		m.Metrics.GaugeFunc("herald_websub_pending", "WebSub notifications waiting to be sent or under way.", func() float64 {
			return float64(m.websub.Pending())
		})
	}
	m.Metrics.GaugeFunc("herald_article_cache_bytes", "Bytes held by the article cache (as it counts them: text and lists plus half a KiB per article).", func() float64 {
		return float64(m.articleCache.Bytes())
	})
	m.Metrics.GaugeFunc("herald_cache_invalidations_pending", "Scopes whose invalidation failed after a write and waits for a background retry.", func() float64 {
		return float64(m.Articles.Stats().InvalidationsPending.Load())
	})
	m.Metrics.GaugeFunc("herald_cache_breaker_state", "State of the Redis circuit breaker: 0 closed, 1 half-open, 2 open (0 without Redis).", func() float64 {
		if m.Breaker == nil {
			return 0
		}
		return float64(m.Breaker.State())
	})
}

// logBreaker reports the breaker's transitions.
func (m *Main) logBreaker(from, to cache.BreakerState) {
	switch to {
	case cache.BreakerOpen:
		m.Log.Warn("redis circuit breaker open: serving feeds from the store without trying Redis", "from", from.String())
	case cache.BreakerClosed:
		m.Log.Info("redis circuit breaker closed: caching resumed", "from", from.String())
	default:
		m.Log.Info("redis circuit breaker half-open: probing Redis", "from", from.String())
	}
}
