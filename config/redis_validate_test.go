package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-feeds/herald/internal/redistest"
)

func TestValidateRedisModes(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
		want   string // "" when the configuration is valid
	}{
		{"single server", func(c *Config) { c.Redis.URL = "redis://127.0.0.1:6379/0" }, ""},
		{"sentinel", func(c *Config) {
			c.Redis.Sentinel.Master, c.Redis.Sentinel.Addrs = "mymaster", "10.0.0.1:26379, 10.0.0.2:26379"
			c.Redis.Password = "pw"
		}, ""},
		{"cluster", func(c *Config) { c.Redis.Cluster.Addrs = "10.0.0.1:7000,10.0.0.2:7000"; c.Redis.PoolSize = 20 }, ""},
		{"url and cluster", func(c *Config) {
			c.Redis.URL = "redis://127.0.0.1:6379/0"
			c.Redis.Cluster.Addrs = "10.0.0.1:7000"
		}, "config: redis: set only one of"},
		{"sentinel without master", func(c *Config) { c.Redis.Sentinel.Addrs = "10.0.0.1:26379" }, "config: redis.sentinel.master: must name the master"},
		{"sentinel without addrs", func(c *Config) { c.Redis.Sentinel.Master = "mymaster" }, "config: redis.sentinel.addrs: must list the Sentinels"},
		{"bad sentinel addr", func(c *Config) {
			c.Redis.Sentinel.Master, c.Redis.Sentinel.Addrs = "m", "10.0.0.1"
		}, `config: redis.sentinel.addrs: every address must be host:port, got "10.0.0.1"`},
		{"bad cluster addr", func(c *Config) { c.Redis.Cluster.Addrs = "a:1,:7000" }, `config: redis.cluster.addrs: every address must be host:port, got ":7000"`},
		{"password with url", func(c *Config) {
			c.Redis.URL = "redis://127.0.0.1:6379/0"
			c.Redis.Password = "pw"
		}, "config: redis.password: applies to Sentinel and Cluster only"},
		{"masked password", func(c *Config) {
			c.Redis.Sentinel.Master, c.Redis.Sentinel.Addrs = "mymaster", "10.0.0.1:26379"
			c.Redis.Password = "****"
		}, "config: redis.password: is ****, the mask `herald config` prints in place of a secret"},
		{"masked cluster password", func(c *Config) {
			c.Redis.Cluster.Addrs, c.Redis.Password = "10.0.0.1:7000", "****"
		}, "config: redis.password: is ****, the mask"},
		{"masked sentinel password", func(c *Config) {
			c.Redis.Sentinel.Master, c.Redis.Sentinel.Addrs = "mymaster", "10.0.0.1:26379"
			c.Redis.Sentinel.Password = "****"
		}, "config: redis.sentinel.password: is ****, the mask `herald config` prints in place of a secret"},
		{"password of asterisks in a url", func(c *Config) { c.Redis.URL = "redis://:**@127.0.0.1:6379/0" }, "config: redis.url: its password is the mask"},
		{"negative pool", func(c *Config) { c.Redis.PoolSize = -1 }, "config: redis.pool_size: must be zero"},
		{"idle over pool", func(c *Config) { c.Redis.PoolSize, c.Redis.MinIdleConns = 5, 6 }, "config: redis.min_idle_conns: must not exceed redis.pool_size (5), got 6"},
		{"dial timeout", func(c *Config) { c.Redis.DialTimeout = 0 }, "config: redis.dial_timeout: must be positive"},
		{"prefix with braces", func(c *Config) { c.Redis.Prefix = "{site}" }, "config: redis.prefix: must be non-empty without spaces or braces"},
		{"cluster over tls", func(c *Config) {
			c.Redis.Cluster.Addrs = "10.0.0.1:7000"
			c.Redis.TLS.Enabled, c.Redis.TLS.CAFile = true, "/etc/ssl/redis-ca.pem"
		}, ""},
		{"rediss with a ca file", func(c *Config) {
			c.Redis.URL, c.Redis.TLS.CAFile = "rediss://cache.internal:6380/0", "/etc/ssl/redis-ca.pem"
		}, ""},
		{"tls with url", func(c *Config) {
			c.Redis.URL, c.Redis.TLS.Enabled = "rediss://cache.internal:6380/0", true
		}, "config: redis.tls.enabled: applies to Sentinel and Cluster only"},
		{"ca file without tls", func(c *Config) {
			c.Redis.Cluster.Addrs, c.Redis.TLS.CAFile = "10.0.0.1:7000", "/etc/ssl/redis-ca.pem"
		}, "config: redis.tls.ca_file: needs TLS"},
		{"ca file with redis://", func(c *Config) {
			c.Redis.URL, c.Redis.TLS.CAFile = "redis://127.0.0.1:6379/0", "/etc/ssl/redis-ca.pem"
		}, "config: redis.tls.ca_file: needs TLS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := validConfig(t)
			c.mutate(cfg)
			err := cfg.Validate()
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("Validate=%v, want nil", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("Validate=%v, want an error containing %q", err, c.want)
			}
			if c.want == "" && !cfg.Redis.Enabled() {
				t.Fatalf("Redis.Enabled()=false for a valid %s configuration", c.name)
			}
		})
	}
}

func TestSplitAddrs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a:1", []string{"a:1"}},
		{" a:1 , ,b:2,", []string{"a:1", "b:2"}},
	}
	for _, tc := range tests {
		if got := SplitAddrs(tc.in); strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Fatalf("SplitAddrs(%q)=%q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRedisTLSConfig(t *testing.T) {
	var r RedisConfig
	if tc, err := r.TLSConfig(); tc != nil || err != nil {
		t.Fatalf("TLSConfig without redis.tls: %v, %v; want nil, nil", tc, err)
	}
	r.TLS.Enabled = true
	if tc, err := r.TLSConfig(); err != nil || tc == nil || tc.RootCAs != nil {
		t.Fatalf("TLSConfig with TLS on and no CA file: %+v, %v; want the system roots", tc, err)
	}
	dir := t.TempDir()
	r.TLS.CAFile = filepath.Join(dir, "missing.pem")
	if _, err := r.TLSConfig(); err == nil || !strings.Contains(err.Error(), "redis.tls.ca_file") {
		t.Fatalf("TLSConfig with a missing CA file: %v, want an error naming redis.tls.ca_file", err)
	}
	r.TLS.CAFile = filepath.Join(dir, "not.pem")
	if err := os.WriteFile(r.TLS.CAFile, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := r.TLSConfig(); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("TLSConfig with a file that is not PEM: %v", err)
	}
	r.TLS.CAFile = redistest.NewTLS(t).CAFile
	if tc, err := r.TLSConfig(); err != nil || tc.RootCAs == nil {
		t.Fatalf("TLSConfig with a CA file: %v, %v; want its pool", tc, err)
	}
}
