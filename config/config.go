package config

import (
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Config is Herald's effective configuration. The koanf tags are the key
// names of defaults.yaml; every key there has exactly one field here.
type Config struct {
	Addr        string        `koanf:"addr"`
	BaseURL     string        `koanf:"base_url"`
	DatabaseURL string        `koanf:"database_url"`
	Redis       RedisConfig   `koanf:"redis"`
	API         APIConfig     `koanf:"api"`
	Site        SiteConfig    `koanf:"site"`
	Feed        FeedConfig    `koanf:"feed"`
	Cache       CacheConfig   `koanf:"cache"`
	Server      ServerConfig  `koanf:"server"`
	Log         LogConfig     `koanf:"log"`
	Podcast     PodcastConfig `koanf:"podcast"`
	Import      ImportConfig  `koanf:"import"`
	Limits      LimitsConfig  `koanf:"limits"`
	Metrics     MetricsConfig `koanf:"metrics"`
	WebSub      WebSubConfig  `koanf:"websub"`
}

// RedisConfig is the optional shared feed cache.
type RedisConfig struct {
	URL     string        `koanf:"url"`
	Prefix  string        `koanf:"prefix"`
	Timeout time.Duration `koanf:"timeout"`
	LockTTL time.Duration `koanf:"lock_ttl"`
	// WaitReplicas replicas must hold a write's new revisions
	// (cache.RedisOptions.WaitReplicas), waited for up to WaitTimeout.
	WaitReplicas int           `koanf:"wait_replicas"`
	WaitTimeout  time.Duration `koanf:"wait_timeout"`
	// CheckInterval is how often a process checks that Redis has not
	// lost acknowledged invalidations (cache.RedisOptions.GenerationCheck).
	CheckInterval time.Duration `koanf:"check_interval"`

	Username        string              `koanf:"username"`
	Password        string              `koanf:"password"`
	PoolSize        int                 `koanf:"pool_size"`
	MinIdleConns    int                 `koanf:"min_idle_conns"`
	DialTimeout     time.Duration       `koanf:"dial_timeout"`
	BreakerFailures int                 `koanf:"breaker_failures"`
	BreakerCooldown time.Duration       `koanf:"breaker_cooldown"`
	Sentinel        RedisSentinelConfig `koanf:"sentinel"`
	Cluster         RedisClusterConfig  `koanf:"cluster"`
	TLS             RedisTLSConfig      `koanf:"tls"`

	// LocalCache puts an in-process tier in front of Redis (cache.Tiered).
	LocalCache bool          `koanf:"local_cache"`
	LocalTTL   time.Duration `koanf:"local_ttl"`
}

// RedisSentinelConfig is a Redis deployment found through Sentinel.
type RedisSentinelConfig struct {
	Master   string `koanf:"master"`
	Addrs    string `koanf:"addrs"`
	Password string `koanf:"password"`
}

// RedisClusterConfig is a Redis Cluster deployment.
type RedisClusterConfig struct {
	Addrs string `koanf:"addrs"`
}

// RedisTLSConfig is TLS to the Redis servers beyond what a URL says.
type RedisTLSConfig struct {
	Enabled bool   `koanf:"enabled"`
	CAFile  string `koanf:"ca_file"`
}

// Enabled reports whether a shared Redis cache is configured in any mode.
func (r RedisConfig) Enabled() bool {
	return r.URL != "" || r.Sentinel.Master != "" || r.Cluster.Addrs != ""
}

// SplitAddrs splits a comma-separated address list, dropping blanks.
func SplitAddrs(list string) []string {
	var out []string
	for _, a := range strings.Split(list, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// APIConfig is the write API.
type APIConfig struct {
	Token           string `koanf:"token"`
	MaxBodyBytes    int64  `koanf:"max_body_bytes"`
	DefaultPageSize int    `koanf:"default_page_size"`
	MaxPageSize     int    `koanf:"max_page_size"`
	Tokens          string `koanf:"tokens"`
	TokensFile      string `koanf:"tokens_file"`
	RateLimit       int    `koanf:"rate_limit"`
	RateBurst       int    `koanf:"rate_burst"`
}

// SiteConfig is the channel metadata every feed carries.
type SiteConfig struct {
	Title       string       `koanf:"title"`
	Description string       `koanf:"description"`
	Language    string       `koanf:"language"`
	Author      AuthorConfig `koanf:"author"`
}

// AuthorConfig is the site's default author.
type AuthorConfig struct {
	Name  string `koanf:"name"`
	Email string `koanf:"email"`
}

// FeedConfig is how feeds are paged and cached.
type FeedConfig struct {
	DefaultLimit  int           `koanf:"default_limit"`
	MaxLimit      int           `koanf:"max_limit"`
	MaxAge        time.Duration `koanf:"max_age"`
	CacheTTL      time.Duration `koanf:"cache_ttl"`
	TTLMinutes    int           `koanf:"ttl_minutes"`
	ArchiveMaxAge time.Duration `koanf:"archive_max_age"`

	MaxStale        time.Duration `koanf:"max_stale"`
	StaleEntries    int           `koanf:"stale_entries"`
	MinPollInterval time.Duration `koanf:"min_poll_interval"`
}

// PodcastConfig points at the podcast shows file (see LoadShows).
type PodcastConfig struct {
	ShowsFile string `koanf:"shows_file"`
}

// CacheConfig bounds the in-process cache.
type CacheConfig struct {
	MaxEntries int `koanf:"max_entries"`
	// MaxArticles bounds the stores' cache of decoded articles; 0 is off.
	MaxArticles int `koanf:"max_articles"`
	// MaxArticleBytes bounds the same cache by the bytes its articles hold.
	MaxArticleBytes int `koanf:"max_article_bytes"`
	// MaxItemBytes bounds the encoded feed items the renderer keeps for
	// later renders; 0 is off.
	MaxItemBytes int `koanf:"max_item_bytes"`
	// StorePoll is how often a server with the in-process cache checks
	// the database for other processes' writes; 0 is off.
	StorePoll time.Duration `koanf:"store_poll"`
}

// ServerConfig is the HTTP server's timeouts.
type ServerConfig struct {
	ReadTimeout    time.Duration `koanf:"read_timeout"`
	WriteTimeout   time.Duration `koanf:"write_timeout"`
	IdleTimeout    time.Duration `koanf:"idle_timeout"`
	ShutdownGrace  time.Duration `koanf:"shutdown_grace"`
	RequestTimeout time.Duration `koanf:"request_timeout"`

	MaxHeaderBytes int    `koanf:"max_header_bytes"`
	ProxyHeader    string `koanf:"proxy_header"`
	TrustedProxies string `koanf:"trusted_proxies"`

	WriteBufferSize int `koanf:"write_buffer_size"`
}

// WebSubConfig names the WebSub hubs Herald's feeds point subscribers to
// and notifies when a feed changes (package websub).
type WebSubConfig struct {
	// Hubs is a comma-separated list of hub URLs; empty turns WebSub off.
	Hubs    string        `koanf:"hubs"`
	Delay   time.Duration `koanf:"delay"`
	Timeout time.Duration `koanf:"timeout"`
}

// HubList is Hubs as a list, without empty entries and repeats.
func (w WebSubConfig) HubList() []string {
	var out []string
	for _, h := range strings.Split(w.Hubs, ",") {
		if h = strings.TrimSpace(h); h != "" && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// LogConfig is the structured logger's level and format.
type LogConfig struct {
	Level  string `koanf:"level"`
	Format string `koanf:"format"`
	Access bool   `koanf:"access"`
}

// ImportConfig is the start-up import of a folder into an empty store.
type ImportConfig struct {
	OnEmptyStore string `koanf:"on_empty_store"`
}

// Driver names returned by DatabaseDriver.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// DatabaseDriver splits database_url into the store to open and what to
// open it with: ("sqlite", PATH) for "sqlite:PATH" (and "sqlite://PATH"),
// ("postgres", the whole URL) for postgres:// and postgresql:// URLs. It
// returns ("", "") for anything else, which Validate rejects.
func (c *Config) DatabaseDriver() (driver, dsn string) {
	u := c.DatabaseURL
	switch {
	case strings.HasPrefix(u, "sqlite:"):
		path := strings.TrimPrefix(u, "sqlite:")
		// sqlite:///abs/path is the URL spelling of an absolute path.
		path = strings.TrimPrefix(path, "//")
		return DriverSQLite, path
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return DriverPostgres, u
	}
	return "", ""
}

// LogLevel is log.level as a slog level; Validate admits only the four
// names, so anything else (an unvalidated Config) falls back to info.
func (c *Config) LogLevel() slog.Level {
	switch c.Log.Level {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// Logger returns a logger writing to w in log.format at log.level.
func (c *Config) Logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel()}
	if c.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// LimitsConfig bounds each article the write API or an import accepts.
type LimitsConfig struct {
	TitleChars   int `koanf:"title_chars"`
	SummaryChars int `koanf:"summary_chars"`
	ContentBytes int `koanf:"content_bytes"`
	NameChars    int `koanf:"name_chars"`
	URLBytes     int `koanf:"url_bytes"`
	Authors      int `koanf:"authors"`
	Categories   int `koanf:"categories"`
	Tags         int `koanf:"tags"`
	Enclosures   int `koanf:"enclosures"`
}

// MetricsConfig is the Prometheus endpoint.
type MetricsConfig struct {
	Path         string `koanf:"path"`
	RequireToken bool   `koanf:"require_token"`
}
