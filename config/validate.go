package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/herald-feeds/herald/internal/herald"
)

// Validate checks every value and reports all problems at once, one line
// each, in the form `config: KEY: what is wrong, got VALUE`.
func (c *Config) Validate() error {
	v := &validator{}

	v.check("addr", validAddr(c.Addr), "must be host:port with a numeric port, got %q", c.Addr)
	v.checkErr("base_url", validBaseURL(c.BaseURL))
	driver, dsn := c.DatabaseDriver()
	switch {
	case driver == "":
		v.fail("database_url", "must be sqlite:PATH, postgres:// or postgresql://, got %q", maskURL(c.DatabaseURL))
	case driver == DriverSQLite && dsn == "":
		v.fail("database_url", "sqlite: needs a file path, as in sqlite:data/herald.db")
	case driver == DriverPostgres:
		if _, err := url.Parse(dsn); err != nil {
			v.fail("database_url", "must be a valid URL, got %q", maskURL(dsn))
		} else if maskedURL(dsn) {
			v.fail("database_url", "%s", maskedURLError(dsn))
		} else {
			v.checkErr("database_url", postgresURLError(dsn))
		}
	}

	if c.Redis.URL != "" {
		v.checkErr("redis.url", validRedisURL(c.Redis.URL))
	}
	// Braces would change the Cluster hash slot of Herald's keys.
	v.check("redis.prefix", c.Redis.Prefix != "" && !strings.ContainsAny(c.Redis.Prefix, " \t\r\n{}"),
		"must be non-empty without spaces or braces, got %q", c.Redis.Prefix)
	validateRedisModes(v, c.Redis)
	positive(v, "redis.timeout", c.Redis.Timeout)
	positive(v, "redis.lock_ttl", c.Redis.LockTTL)
	v.check("redis.wait_replicas", c.Redis.WaitReplicas >= 0, "must be zero (do not wait) or more, got %d", c.Redis.WaitReplicas)
	positive(v, "redis.wait_timeout", c.Redis.WaitTimeout)
	v.check("redis.check_interval", c.Redis.CheckInterval >= 0, "must be zero (off) or more, got %s", c.Redis.CheckInterval)
	positive(v, "redis.local_ttl", c.Redis.LocalTTL)

	// A stray space or newline from a secrets file would make every
	// request fail authentication for no visible reason.
	v.check("api.token", !strings.ContainsAny(c.API.Token, " \t\r\n"), "must not contain whitespace")
	positive(v, "api.max_body_bytes", c.API.MaxBodyBytes)
	positive(v, "api.default_page_size", c.API.DefaultPageSize)
	positive(v, "api.max_page_size", c.API.MaxPageSize)
	v.atMost("api.default_page_size", c.API.DefaultPageSize, "api.max_page_size", c.API.MaxPageSize)

	v.check("site.title", strings.TrimSpace(c.Site.Title) != "", "must not be empty")
	// Every feed and page carries these: a character feeds cannot carry
	// would be dropped from some documents and shown raw in others.
	for _, f := range []struct{ key, val string }{
		{"site.title", c.Site.Title}, {"site.description", c.Site.Description}, {"site.author.name", c.Site.Author.Name},
	} {
		v.checkErr(f.key, feedText(f.val))
	}
	// The feeds publish these where they publish an article's own, so
	// the write API's rules apply: a valid BCP 47 tag, a bare ASCII
	// addr-spec.
	v.check("site.language", herald.ValidLanguage(c.Site.Language),
		"must be a language tag such as en or pt-BR, got %q", c.Site.Language)
	if c.Site.Author.Email != "" {
		v.check("site.author.email", herald.ValidEmail(c.Site.Author.Email),
			"must be a bare email address such as editor@example.com, got %q", c.Site.Author.Email)
	}

	positive(v, "feed.default_limit", c.Feed.DefaultLimit)
	positive(v, "feed.max_limit", c.Feed.MaxLimit)
	v.atMost("feed.default_limit", c.Feed.DefaultLimit, "feed.max_limit", c.Feed.MaxLimit)
	// max-age is sent in whole seconds; 0 is meaningful (always revalidate).
	v.check("feed.max_age", c.Feed.MaxAge >= 0 && c.Feed.MaxAge%time.Second == 0,
		"must be zero or a whole number of seconds, got %s", c.Feed.MaxAge)
	positive(v, "feed.cache_ttl", c.Feed.CacheTTL)
	positive(v, "feed.ttl_minutes", c.Feed.TTLMinutes)
	v.check("feed.archive_max_age", c.Feed.ArchiveMaxAge > 0 && c.Feed.ArchiveMaxAge%time.Second == 0,
		"must be a positive whole number of seconds, got %s", c.Feed.ArchiveMaxAge)
	positive(v, "cache.max_entries", c.Cache.MaxEntries)
	v.check("cache.max_articles", c.Cache.MaxArticles >= 0, "must be zero (off) or more, got %d", c.Cache.MaxArticles)
	positive(v, "cache.max_article_bytes", c.Cache.MaxArticleBytes)
	v.check("cache.max_item_bytes", c.Cache.MaxItemBytes >= 0, "must be zero (off) or more, got %d", c.Cache.MaxItemBytes)
	v.check("cache.store_poll", c.Cache.StorePoll >= 0, "must be zero (off) or positive, got %s", c.Cache.StorePoll)

	positive(v, "server.read_timeout", c.Server.ReadTimeout)
	positive(v, "server.write_timeout", c.Server.WriteTimeout)
	positive(v, "server.idle_timeout", c.Server.IdleTimeout)
	positive(v, "server.shutdown_grace", c.Server.ShutdownGrace)
	positive(v, "server.request_timeout", c.Server.RequestTimeout)
	v.check("server.write_buffer_size", c.Server.WriteBufferSize >= 1024 && c.Server.WriteBufferSize <= 16<<20,
		"must be between 1024 and 16777216 bytes, got %d", c.Server.WriteBufferSize)

	v.check("log.level", oneOf(c.Log.Level, "debug", "info", "warn", "error"),
		"must be debug, info, warn or error, got %q", c.Log.Level)
	v.check("log.format", oneOf(c.Log.Format, "text", "json"),
		"must be text or json, got %q", c.Log.Format)

	if c.Podcast.ShowsFile != "" {
		if _, err := LoadShows(c.Podcast.ShowsFile, c.BaseURL); err != nil {
			v.errs = append(v.errs, err)
		}
	}

	for _, hub := range c.WebSub.HubList() {
		v.checkErr("websub.hubs", validHubURL(hub))
	}
	v.check("websub.delay", c.WebSub.Delay >= 0, "must be zero or positive, got %s", c.WebSub.Delay)
	positive(v, "websub.timeout", c.WebSub.Timeout)

	c.validateReliability(v)
	return errors.Join(v.errs...)
}

// validator collects one error per bad key.
type validator struct {
	errs []error
}

func (v *validator) fail(key, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, args...)))
}

func (v *validator) check(key string, ok bool, format string, args ...any) {
	if !ok {
		v.fail(key, format, args...)
	}
}

func (v *validator) checkErr(key string, err error) {
	if err != nil {
		v.fail(key, "%s", err.Error())
	}
}

// positive fails key unless n > 0; n is a count or a duration.
func positive[N ~int | ~int64](v *validator, key string, n N) {
	if n <= 0 {
		v.fail(key, "must be positive, got %v", n)
	}
}

func (v *validator) atMost(key string, n int, maxKey string, max int) {
	if n > 0 && max > 0 && n > max {
		v.fail(key, "must not exceed %s (%d), got %d", maxKey, max, n)
	}
}

func oneOf(s string, allowed ...string) bool {
	for _, a := range allowed {
		if s == a {
			return true
		}
	}
	return false
}

// validAddr accepts host:port and :port with a port from 0 to 65535.
func validAddr(addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}

func validBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("must be an absolute http(s) URL, got %q", s)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("must not carry user info, a query or a fragment, got %q", maskURL(s))
	}
	// Every feed's links start with it, and feeds carry ASCII URIs only
	// (article URLs are made so when written): one spelled otherwise is
	// refused with its ASCII spelling rather than published as given.
	if ascii := herald.PublishedURL(s); ascii != s {
		return fmt.Errorf("must be an ASCII URI: write it as %q, got %q", ascii, s)
	}
	return nil
}

func validRedisURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("must be a redis://, rediss:// or unix:// URL, got %q", maskURL(s))
	}
	switch u.Scheme {
	case "redis", "rediss":
		if u.Host == "" {
			return fmt.Errorf("needs a host, as in redis://localhost:6379/0, got %q", maskURL(s))
		}
	case "unix":
		if u.Path == "" {
			return fmt.Errorf("needs a socket path, as in unix:///run/redis.sock, got %q", maskURL(s))
		}
	default:
		return fmt.Errorf("must be a redis://, rediss:// or unix:// URL, got %q", maskURL(s))
	}
	if maskedURL(s) {
		return maskedURLError(s)
	}
	return redisURLError(s)
}

// maskedURLError refuses a URL whose password is the mask, as Tokens
// refuses a masked token: the server would otherwise start and fail to
// authenticate (with Redis, run without its shared cache).
func maskedURLError(s string) error {
	return fmt.Errorf("its password is the mask `herald config` prints in place of a secret: set the real password, got %q", maskURL(s))
}

// notMasked fails key when its secret value is the mask.
func notMasked(v *validator, key, secret string) {
	v.check(key, !masked(secret), "is %s, the mask `herald config` prints in place of a secret: set the real password", secret)
}

// feedText reports why s cannot be written in a feed: it is not UTF-8, or
// holds a character feeds do not carry (herald.Unfit: a control character
// other than tab and line breaks, U+FFFD, U+FFFE, U+FFFF).
func feedText(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("must be UTF-8 text")
	}
	for _, r := range s {
		if herald.Unfit(r) {
			return fmt.Errorf("contains the character U+%04X, which feeds cannot carry", r)
		}
	}
	return nil
}

// validHubURL checks one WebSub hub: an absolute http or https URL with a
// host, which Herald posts its notifications to and feeds name as is.
func validHubURL(hub string) error {
	u, err := url.Parse(hub)
	switch {
	case err != nil:
		return fmt.Errorf("must list absolute http(s) URLs, got %q", hub)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Opaque != "":
		return fmt.Errorf("must list absolute http(s) URLs, got %q", hub)
	case u.Fragment != "" || strings.ContainsAny(hub, " \t\r\n\"<>"):
		return fmt.Errorf("must hold no fragment, space or quote, got %q", hub)
	case !isASCII(hub):
		// Feeds and the Link header carry it as it is: an ASCII URI.
		return fmt.Errorf("must be an ASCII URI (Punycode host, percent-encoded path), got %q", hub)
	case u.User != nil:
		return fmt.Errorf("must not carry a user name or password (feeds publish hub URLs), got %q", hub)
	}
	return nil
}

// WebSubWarnings are the settings that would have hubs fetch a feed
// before every process serves its new version: websub.delay shorter than
// redis.local_ttl (a replica's own copy), or without Redis than
// cache.store_poll (another process's writes to a shared database). Empty
// without hubs.
func (c *Config) WebSubWarnings() []string {
	if len(c.WebSub.HubList()) == 0 {
		return nil
	}
	switch {
	case c.Redis.Enabled() && c.Redis.LocalCache && c.WebSub.Delay < c.Redis.LocalTTL:
		return []string{fmt.Sprintf("config: websub.delay (%s) is shorter than redis.local_ttl (%s): a hub told of a change may fetch the feed from a replica still serving its old copy", c.WebSub.Delay, c.Redis.LocalTTL)}
	case !c.Redis.Enabled() && c.WebSub.Delay < c.Cache.StorePoll:
		return []string{fmt.Sprintf("config: websub.delay (%s) is shorter than cache.store_poll (%s): a hub told of a change made by another process (herald import) may fetch the old feed", c.WebSub.Delay, c.Cache.StorePoll)}
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
