package config

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strings"
)

// validateRedisModes checks the Sentinel and Cluster keys: at most one of
// the three ways to reach Redis, each complete, every address host:port,
// and sane pool settings.
func validateRedisModes(v *validator, r RedisConfig) {
	modes := 0
	for _, set := range []bool{r.URL != "", r.Sentinel.Master != "" || r.Sentinel.Addrs != "", r.Cluster.Addrs != ""} {
		if set {
			modes++
		}
	}
	if modes > 1 {
		v.fail("redis", "set only one of redis.url, redis.sentinel.* and redis.cluster.addrs")
	}
	if r.Sentinel.Master != "" || r.Sentinel.Addrs != "" {
		v.check("redis.sentinel.master", r.Sentinel.Master != "", "must name the master when redis.sentinel.addrs is set")
		v.check("redis.sentinel.addrs", len(SplitAddrs(r.Sentinel.Addrs)) > 0, "must list the Sentinels as host:port,… when redis.sentinel.master is set")
		checkAddrs(v, "redis.sentinel.addrs", r.Sentinel.Addrs)
	}
	checkAddrs(v, "redis.cluster.addrs", r.Cluster.Addrs)
	if r.URL != "" {
		v.check("redis.username", r.Username == "", "applies to Sentinel and Cluster only; put a single server's user in redis.url")
		v.check("redis.password", r.Password == "", "applies to Sentinel and Cluster only; put a single server's password in redis.url")
	} else {
		notMasked(v, "redis.password", r.Password)
	}
	notMasked(v, "redis.sentinel.password", r.Sentinel.Password)
	if r.URL != "" {
		v.check("redis.tls.enabled", !r.TLS.Enabled, "applies to Sentinel and Cluster only; a single server uses TLS with a rediss:// URL")
	}
	if r.TLS.CAFile != "" {
		v.check("redis.tls.ca_file", r.TLS.Enabled || strings.HasPrefix(r.URL, "rediss://"),
			"needs TLS: redis.tls.enabled with Sentinel or Cluster, or a rediss:// redis.url")
	}
	v.check("redis.pool_size", r.PoolSize >= 0, "must be zero (the client's default) or positive, got %d", r.PoolSize)
	v.check("redis.min_idle_conns", r.MinIdleConns >= 0, "must be zero or positive, got %d", r.MinIdleConns)
	if r.PoolSize > 0 {
		v.atMost("redis.min_idle_conns", r.MinIdleConns, "redis.pool_size", r.PoolSize)
	}
	positive(v, "redis.dial_timeout", r.DialTimeout)
}

// checkAddrs fails key unless every entry of the list is host:port.
func checkAddrs(v *validator, key, list string) {
	for _, a := range SplitAddrs(list) {
		if host, _, err := net.SplitHostPort(a); err != nil || host == "" || !validAddr(a) {
			v.fail(key, "every address must be host:port, got %q", a)
			return
		}
	}
}

// TLSConfig is the client side of TLS that the redis.tls keys ask for, or
// nil when they ask for nothing (plain TCP to Sentinel and Cluster nodes,
// and the system's roots for a rediss:// URL). The CA file is read here.
func (r RedisConfig) TLSConfig() (*tls.Config, error) {
	if !r.TLS.Enabled && r.TLS.CAFile == "" {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if r.TLS.CAFile != "" {
		data, err := os.ReadFile(r.TLS.CAFile)
		if err != nil {
			return nil, fmt.Errorf("config: redis.tls.ca_file: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(data) {
			return nil, fmt.Errorf("config: redis.tls.ca_file: %s holds no PEM certificate", r.TLS.CAFile)
		}
	}
	return c, nil
}
