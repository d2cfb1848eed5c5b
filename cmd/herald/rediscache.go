package main

import (
	"fmt"
	"log/slog"

	"github.com/herald-feeds/herald/config"
	"github.com/herald-feeds/herald/internal/cache"
)

// openRedisCache builds the shared cache from the redis section: a single
// server (redis.url), a Sentinel-watched master or a Cluster. It does not
// contact Redis. A long-lived process passes its logger and watch, which
// starts the check for lost writes (redis.check_interval); a one-off
// command passes neither.
func openRedisCache(cfg *config.Config, log *slog.Logger, watch bool) (*cache.Redis, error) {
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
		WaitReplicas: r.WaitReplicas, WaitTimeout: r.WaitTimeout, Logger: log}
	if watch {
		opts.GenerationCheck = r.CheckInterval
	}
	return cache.NewRedis(client, opts), nil
}
