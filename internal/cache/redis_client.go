package cache

import (
	"crypto/tls"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisClientOptions says how to reach Redis, in one of three ways: one
// server by URL, a master found through Sentinel (and followed across
// failovers), or a Cluster from a few seed nodes. Exactly one of URL,
// SentinelMaster and ClusterAddrs is set.
type RedisClientOptions struct {
	// URL is a redis://, rediss:// or unix:// URL of a single server,
	// credentials, database and TLS included.
	URL string

	// SentinelMaster is the name the Sentinels know the master by, and
	// SentinelAddrs their host:port addresses.
	SentinelMaster   string
	SentinelAddrs    []string
	SentinelPassword string

	// ClusterAddrs are host:port addresses of some Cluster nodes; the
	// client discovers the rest.
	ClusterAddrs []string

	// Username and Password authenticate to the Redis servers of a
	// Sentinel or Cluster deployment (a single server's are in URL).
	Username, Password string

	// PoolSize caps the connections to each server (0: go-redis's default,
	// 10 per CPU); MinIdleConns keeps some open for bursts.
	PoolSize, MinIdleConns int
	// DialTimeout bounds opening a connection (0: go-redis's default, 5s).
	DialTimeout time.Duration

	// TLS, when set, is the client side of TLS to every Sentinel and
	// Cluster node (each verified against the address it was reached at,
	// unless ServerName is set). A single server's URL turns TLS on by its
	// rediss:// scheme; TLS then only supplies the roots it trusts, and
	// with a redis:// URL it is an error.
	TLS *tls.Config
}

// NewRedisClient builds the go-redis client for o: a plain client, a
// failover client or a cluster client, each as a redis.UniversalClient and
// each with context deadlines enabled, so that RedisOptions.Timeout bounds
// every call, a stalled server's included.
//
// Every operation of Redis works on all three: the keys one script or
// command touches share the scope's hash tag and so one Cluster slot, and
// Invalidate's pipeline is split by slot by the cluster client.
func NewRedisClient(o RedisClientOptions) (redis.UniversalClient, error) {
	switch {
	case o.URL != "" && (o.SentinelMaster != "" || len(o.ClusterAddrs) > 0),
		o.SentinelMaster != "" && len(o.ClusterAddrs) > 0:
		return nil, errors.New("redis cache: set only one of a URL, a Sentinel master and Cluster addresses")
	case o.URL != "":
		opts, err := ParseRedisURL(o.URL)
		if err != nil {
			return nil, err
		}
		if o.TLS != nil {
			if opts.TLSConfig == nil {
				return nil, errors.New("redis cache: TLS settings need a rediss:// URL")
			}
			opts.TLSConfig.RootCAs = o.TLS.RootCAs
		}
		if o.PoolSize > 0 {
			opts.PoolSize = o.PoolSize
		}
		if o.MinIdleConns > 0 {
			opts.MinIdleConns = o.MinIdleConns
		}
		if o.DialTimeout > 0 {
			opts.DialTimeout = o.DialTimeout
		}
		return redis.NewClient(opts), nil
	case o.SentinelMaster != "":
		if len(o.SentinelAddrs) == 0 {
			return nil, errors.New("redis cache: Sentinel needs the Sentinels' addresses")
		}
		return redis.NewUniversalClient(o.universal(o.SentinelAddrs)), nil
	case len(o.ClusterAddrs) > 0:
		u := o.universal(o.ClusterAddrs)
		u.IsClusterMode = true // even with a single seed address
		return redis.NewUniversalClient(u), nil
	}
	return nil, errors.New("redis cache: no URL, Sentinel master or Cluster addresses")
}

// universal fills the options shared by the Sentinel and Cluster modes.
func (o RedisClientOptions) universal(addrs []string) *redis.UniversalOptions {
	return &redis.UniversalOptions{
		Addrs:                 addrs,
		MasterName:            o.SentinelMaster,
		SentinelPassword:      o.SentinelPassword,
		Username:              o.Username,
		Password:              o.Password,
		PoolSize:              o.PoolSize,
		MinIdleConns:          o.MinIdleConns,
		DialTimeout:           o.DialTimeout,
		ContextTimeoutEnabled: true,
		TLSConfig:             o.TLS.Clone(), // nil stays nil
	}
}
