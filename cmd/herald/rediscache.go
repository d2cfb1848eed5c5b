package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/herald-feeds/herald/config"
	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/service"
)

// redisUse is what a process adds to the redis section: a long-lived one
// passes its logger, watch (which starts the check for lost writes,
// redis.check_interval) and the variant of its renderings; a one-off
// command (copy) passes none.
type redisUse struct {
	log     *slog.Logger
	watch   bool
	variant string
}

// openRedisCache builds the shared cache from the redis section: a single
// server (redis.url), a Sentinel-watched master or a Cluster. It does not
// contact Redis.
func openRedisCache(cfg *config.Config, use redisUse) (*cache.Redis, error) {
	r := cfg.Redis
	tc, err := r.TLSConfig()
	if err != nil {
		return nil, err
	}
	client, err := cache.NewRedisClient(cache.RedisClientOptions{
		URL:              r.URL,
		SentinelMaster:   r.Sentinel.Master,
		SentinelAddrs:    config.SplitAddrs(r.Sentinel.Addrs),
		SentinelPassword: r.Sentinel.Password,
		ClusterAddrs:     config.SplitAddrs(r.Cluster.Addrs),
		Username:         r.Username,
		Password:         r.Password,
		PoolSize:         r.PoolSize,
		MinIdleConns:     r.MinIdleConns,
		DialTimeout:      r.DialTimeout,
		TLS:              tc,
	})
	if err != nil {
		return nil, fmt.Errorf("open redis cache: %w", err)
	}
	opts := cache.RedisOptions{Prefix: r.Prefix, Timeout: r.Timeout, LockTTL: r.LockTTL,
		WaitReplicas: r.WaitReplicas, WaitTimeout: r.WaitTimeout, Logger: use.log, Variant: use.variant}
	if use.watch {
		opts.GenerationCheck = r.CheckInterval
	}
	return cache.NewRedis(client, opts), nil
}

// renderingVariant names what shapes this process's feed documents besides
// the articles: the build and the site settings the renderer is given
// (title, URLs, language, author, limits, podcast shows). Processes whose
// variants differ (a rolling upgrade, a changed title) keep their
// renderings apart in Redis, where they would otherwise serve one
// another's until feed.cache_ttl; they still share revisions, and so every
// invalidation.
func renderingVariant(site service.Site) string {
	b, err := json.Marshal(site)
	if err != nil { // a Site is plain data; this cannot fail
		b = []byte(fmt.Sprintf("%#v", site))
	}
	sum := sha256.Sum256(append([]byte(version+"\n"), b...))
	return hex.EncodeToString(sum[:6])
}
