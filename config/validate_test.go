package config

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// validConfig is the default configuration, loaded the way herald does.
func validConfig(tb testing.TB) *Config {
	tb.Helper()
	return mustLoad(tb, nil, nil)
}

func TestValidateRejects(t *testing.T) {
	cases := []struct {
		key    string
		mutate func(*Config)
		want   string // rest of the message after "config: KEY: "
	}{
		{"addr", func(c *Config) { c.Addr = "8080" }, `must be host:port with a numeric port, got "8080"`},
		{"addr", func(c *Config) { c.Addr = ":http" }, "must be host:port"},
		{"addr", func(c *Config) { c.Addr = ":70000" }, "must be host:port"},
		{"base_url", func(c *Config) { c.BaseURL = "foo" }, `must be an absolute http(s) URL, got "foo"`},
		{"base_url", func(c *Config) { c.BaseURL = "ftp://example.org" }, "must be an absolute http(s) URL"},
		{"base_url", func(c *Config) { c.BaseURL = "https://example.org/?x=1" }, "must not carry"},
		{"base_url", func(c *Config) { c.BaseURL = "https://exämple.org/blog" }, `must be an ASCII URI: write it as "https://xn--exmple-cua.org/blog"`},
		{"base_url", func(c *Config) { c.BaseURL = "https://example.org/café" }, `must be an ASCII URI: write it as "https://example.org/caf%C3%A9"`},
		{"database_url", func(c *Config) { c.DatabaseURL = "mysql://db/herald" }, "must be sqlite:PATH, postgres:// or postgresql://"},
		{"database_url", func(c *Config) { c.DatabaseURL = "sqlite:" }, "sqlite: needs a file path"},
		{"database_url", func(c *Config) { c.DatabaseURL = "data/herald.db" }, "must be sqlite:PATH"},
		{"websub.hubs", func(c *Config) { c.WebSub.Hubs = "pubsubhubbub.appspot.com" }, `must list absolute http(s) URLs, got "pubsubhubbub.appspot.com"`},
		{"websub.hubs", func(c *Config) { c.WebSub.Hubs = "https://hub.example.com/, ftp://hub.example.net/" }, `must list absolute http(s) URLs, got "ftp://hub.example.net/"`},
		{"websub.hubs", func(c *Config) { c.WebSub.Hubs = "https://user:pw@hub.example.com/" }, "must not carry a user name or password"},
		{"websub.hubs", func(c *Config) { c.WebSub.Hubs = "https://hub.example.com/#x" }, "must hold no fragment"},
		{"websub.hubs", func(c *Config) { c.WebSub.Hubs = "https://hüb.example.com/" }, "must be an ASCII URI"},
		{"websub.delay", func(c *Config) { c.WebSub.Delay = -time.Second }, "must be zero or positive"},
		{"websub.timeout", func(c *Config) { c.WebSub.Timeout = 0 }, "must be positive"},
		{"redis.url", func(c *Config) { c.Redis.URL = "localhost:6379" }, "must be a redis://, rediss:// or unix:// URL"},
		{"redis.url", func(c *Config) { c.Redis.URL = "http://localhost:6379" }, "must be a redis://"},
		{"redis.url", func(c *Config) { c.Redis.URL = "redis://" }, "needs a host"},
		{"redis.url", func(c *Config) { c.Redis.URL = "unix://" }, "needs a socket path"},
		// What `herald config` prints in place of a password, copied back.
		{"redis.url", func(c *Config) { c.Redis.URL = "redis://:****@cache:6379/0" }, "its password is the mask `herald config` prints in place of a secret"},
		{"redis.url", func(c *Config) { c.Redis.URL = "rediss://default:****@cache:6380/0" }, "its password is the mask"},
		{"database_url", func(c *Config) { c.DatabaseURL = "postgres://herald:****@db:5432/herald" }, "its password is the mask `herald config` prints in place of a secret"},
		{"database_url", func(c *Config) { c.DatabaseURL = "postgresql://db/herald?user=herald&password=****" }, "its password is the mask"},
		{"redis.prefix", func(c *Config) { c.Redis.Prefix = "" }, "must be non-empty"},
		{"redis.timeout", func(c *Config) { c.Redis.Timeout = 0 }, "must be positive, got 0s"},
		{"redis.lock_ttl", func(c *Config) { c.Redis.LockTTL = -time.Second }, "must be positive"},
		{"redis.wait_replicas", func(c *Config) { c.Redis.WaitReplicas = -1 }, "must be zero (do not wait) or more"},
		{"redis.wait_timeout", func(c *Config) { c.Redis.WaitTimeout = 0 }, "must be positive"},
		{"redis.check_interval", func(c *Config) { c.Redis.CheckInterval = -time.Second }, "must be zero (off) or more"},
		{"api.token", func(c *Config) { c.API.Token = "abc def" }, "must not contain whitespace"},
		{"api.max_body_bytes", func(c *Config) { c.API.MaxBodyBytes = 0 }, "must be positive, got 0"},
		{"api.default_page_size", func(c *Config) { c.API.DefaultPageSize = 0 }, "must be positive"},
		{"api.max_page_size", func(c *Config) { c.API.MaxPageSize = -1 }, "must be positive"},
		{"api.default_page_size", func(c *Config) { c.API.DefaultPageSize = 101 }, "must not exceed api.max_page_size (100), got 101"},
		{"site.title", func(c *Config) { c.Site.Title = " " }, "must not be empty"},
		{"site.title", func(c *Config) { c.Site.Title = "Ctl\vTitle" }, "contains the character U+000B"},
		{"site.description", func(c *Config) { c.Site.Description = "bad \u0085 break" }, "contains the character U+0085"},
		{"site.author.name", func(c *Config) { c.Site.Author.Name = "Ed\x02itor" }, "contains the character U+0002"},
		{"site.author.name", func(c *Config) { c.Site.Author.Name = "Ed\xffitor" }, "must be UTF-8 text"},
		{"site.title", func(c *Config) { c.Site.Title = "Mojibake \uFFFD" }, "contains the character U+FFFD"},
		{"site.language", func(c *Config) { c.Site.Language = "English" }, "must be a language tag"},
		{"site.language", func(c *Config) { c.Site.Language = "" }, "must be a language tag"},
		{"site.author.email", func(c *Config) { c.Site.Author.Email = "nobody" }, "must be a bare email address"},
		{"site.author.email", func(c *Config) { c.Site.Author.Email = "Ed <ed@example.org>" }, "must be a bare email address"},
		{"site.language", func(c *Config) { c.Site.Language = "en-x" }, `must be a language tag such as en or pt-BR, got "en-x"`},
		{"site.language", func(c *Config) { c.Site.Language = "zz-zz-zz-zz" }, "must be a language tag"},
		{"site.language", func(c *Config) { c.Site.Language = "en_US" }, "must be a language tag"},
		{"site.author.email", func(c *Config) { c.Site.Author.Email = "x@@example.org" }, "must be a bare email address"},
		{"site.author.email", func(c *Config) { c.Site.Author.Email = "ünï@exämple.org" }, "must be a bare email address"},
		{"site.author.email", func(c *Config) { c.Site.Author.Email = "ed@localhost" }, "must be a bare email address"},
		{"feed.default_limit", func(c *Config) { c.Feed.DefaultLimit = 0 }, "must be positive"},
		{"feed.max_limit", func(c *Config) { c.Feed.MaxLimit = 0 }, "must be positive"},
		{"feed.default_limit", func(c *Config) { c.Feed.DefaultLimit = 500 }, "must not exceed feed.max_limit (100), got 500"},
		{"feed.max_age", func(c *Config) { c.Feed.MaxAge = -time.Second }, "must be zero or a whole number of seconds"},
		{"feed.max_age", func(c *Config) { c.Feed.MaxAge = 1500 * time.Millisecond }, "must be zero or a whole number of seconds, got 1.5s"},
		{"feed.cache_ttl", func(c *Config) { c.Feed.CacheTTL = 0 }, "must be positive"},
		{"feed.ttl_minutes", func(c *Config) { c.Feed.TTLMinutes = 0 }, "must be positive"},
		{"cache.max_entries", func(c *Config) { c.Cache.MaxEntries = 0 }, "must be positive"},
		{"cache.max_articles", func(c *Config) { c.Cache.MaxArticles = -1 }, "must be zero (off) or more"},
		{"cache.store_poll", func(c *Config) { c.Cache.StorePoll = -time.Second }, "must be zero (off) or positive"},
		{"cache.max_article_bytes", func(c *Config) { c.Cache.MaxArticleBytes = 0 }, "must be positive"},
		{"server.read_timeout", func(c *Config) { c.Server.ReadTimeout = 0 }, "must be positive"},
		{"server.write_timeout", func(c *Config) { c.Server.WriteTimeout = 0 }, "must be positive"},
		{"server.idle_timeout", func(c *Config) { c.Server.IdleTimeout = 0 }, "must be positive"},
		{"server.shutdown_grace", func(c *Config) { c.Server.ShutdownGrace = 0 }, "must be positive"},
		{"server.request_timeout", func(c *Config) { c.Server.RequestTimeout = 0 }, "must be positive"},
		{"log.level", func(c *Config) { c.Log.Level = "verbose" }, `must be debug, info, warn or error, got "verbose"`},
		{"log.level", func(c *Config) { c.Log.Level = "INFO" }, "must be debug, info, warn or error"},
		{"log.format", func(c *Config) { c.Log.Format = "xml" }, `must be text or json, got "xml"`},
	}
	for _, c := range cases {
		t.Run(c.key, func(t *testing.T) {
			cfg := validConfig(t)
			c.mutate(cfg)
			err := cfg.Validate()
			if err == nil {
				t.Fatalf("Validate accepted a bad %s", c.key)
			}
			want := "config: " + c.key + ": " + c.want
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("error=%q, want it to contain %q", err, want)
			}
			// One bad key, one line: the other keys stay valid.
			if n := strings.Count(err.Error(), "\n"); n != 0 {
				t.Fatalf("error has %d extra lines, want only the %s problem: %q", n, c.key, err)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
	}{
		{"defaults", func(*Config) {}},
		{"host and port", func(c *Config) { c.Addr = "127.0.0.1:0" }},
		{"ipv6", func(c *Config) { c.Addr = "[::1]:8080" }},
		{"https base with path", func(c *Config) { c.BaseURL = "https://example.org/blog" }},
		{"sqlite absolute URL form", func(c *Config) { c.DatabaseURL = "sqlite:///var/lib/herald/herald.db" }},
		{"postgres", func(c *Config) { c.DatabaseURL = "postgres://herald:pw@db:5432/herald?sslmode=disable" }},
		{"postgresql", func(c *Config) { c.DatabaseURL = "postgresql:///herald" }},
		{"redis", func(c *Config) { c.Redis.URL = "redis://:pw@localhost:6379/0" }},
		{"rediss", func(c *Config) { c.Redis.URL = "rediss://user:pw@cache.example.org:6380" }},
		{"unix socket", func(c *Config) { c.Redis.URL = "unix:///run/redis/redis.sock" }},
		{"max-age zero", func(c *Config) { c.Feed.MaxAge = 0 }},
		{"default equals max", func(c *Config) { c.Feed.DefaultLimit = c.Feed.MaxLimit }},
		{"language with region", func(c *Config) { c.Site.Language = "pt-BR" }},
		{"language with script and region", func(c *Config) { c.Site.Language = "zh-Hant-TW" }},
		{"language in lower case", func(c *Config) { c.Site.Language = "en-us" }},
		{"author email", func(c *Config) { c.Site.Author.Email = "desk@example.org" }},
		{"json debug", func(c *Config) { c.Log.Format, c.Log.Level = "json", "debug" }},
		{"websub hubs", func(c *Config) {
			c.WebSub.Hubs = " https://pubsubhubbub.appspot.com/ ,http://hub.internal:8080/publish?site=news,"
			c.WebSub.Delay = 0
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := validConfig(t)
			c.mutate(cfg)
			if err := cfg.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

// TestValidateReportsAll checks that several problems are reported together.
func TestValidateReportsAll(t *testing.T) {
	cfg := validConfig(t)
	cfg.Addr, cfg.Log.Format, cfg.Cache.MaxEntries = "nope", "xml", 0
	err := cfg.Validate()
	if err == nil {
		t.Fatal("Validate accepted three bad keys")
	}
	for _, key := range []string{"addr", "log.format", "cache.max_entries"} {
		if !strings.Contains(err.Error(), "config: "+key+": ") {
			t.Errorf("error %q does not name %s", err, key)
		}
	}
}

// TestValidateMetricsPath checks that metrics.path cannot take a path
// Herald serves: the metrics would replace a feed, the index or the OPML
// list, or be hidden behind /healthz, with nothing said at start-up.
func TestValidateMetricsPath(t *testing.T) {
	cases := []struct {
		path string
		want string // "" when the path is free for the metrics
	}{
		{"/metrics", ""},
		{"/prometheus", ""},
		{"/internal/metrics", ""},
		{"/feeds", ""},
		{"/categories", ""},
		{"/api", ""},
		{"", ""}, // off
		{"/", "would hide the index page"},
		{"/feed", "would hide the site's feeds"},
		{"/feed/", "would hide the site's feeds"},
		{"/feed.rss", "would hide the site's feeds"},
		{"/feed.atom", "would hide the site's feeds"},
		{"/feed.json", "would hide the site's feeds"},
		{"/feed.xml", "would hide the site's feeds"},
		{"/feeds.opml", "would hide the OPML list of feeds"},
		{"/healthz", "would hide the health check"},
		{"/readyz/", "would hide the readiness check"},
		{"/categories/", "would hide the category feeds"},
		{"/categories/news/feed.rss", "would hide the category feeds"},
		{"/tags/go", "would hide the tag feeds"},
		{"/authors/ann/feed", "would hide the author feeds"},
		{"/api/", "would hide the write API"},
		{"/api/v1/metrics", "would hide the write API"},
		{"metrics", "must be empty or a path such as /metrics"},
		{"/metrics?x=1", "must be empty or a path such as /metrics"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			cfg := validConfig(t)
			cfg.Metrics.Path = c.path
			err := cfg.Validate()
			if c.want == "" {
				if err != nil {
					t.Fatalf("Validate=%v, want nil for metrics.path %q", err, c.path)
				}
				return
			}
			want := "config: metrics.path: " + c.want
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), strconv.Quote(c.path)) {
				t.Fatalf("Validate=%v, want an error containing %q and the path", err, want)
			}
		})
	}
}

func TestWebSubWarnings(t *testing.T) {
	cfg := validConfig(t)
	if w := cfg.WebSubWarnings(); len(w) != 0 {
		t.Errorf("no hubs: warnings %q", w)
	}
	cfg.WebSub.Hubs = "https://hub.example.com/"
	if w := cfg.WebSubWarnings(); len(w) != 0 {
		t.Errorf("defaults with a hub: warnings %q", w)
	}
	cfg.WebSub.Delay = 0
	if w := cfg.WebSubWarnings(); len(w) != 1 || !strings.Contains(w[0], "cache.store_poll") {
		t.Errorf("no delay, no Redis: warnings %q, want one naming cache.store_poll", w)
	}
	cfg.Redis.URL = "redis://127.0.0.1:6379/0"
	cfg.Redis.LocalCache = true
	if w := cfg.WebSubWarnings(); len(w) != 1 || !strings.Contains(w[0], "redis.local_ttl") {
		t.Errorf("no delay, Redis with a local tier: warnings %q, want one naming redis.local_ttl", w)
	}
	cfg.Redis.LocalCache = false
	if w := cfg.WebSubWarnings(); len(w) != 0 {
		t.Errorf("Redis without a local tier: warnings %q", w)
	}
}
