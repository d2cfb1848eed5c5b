package config

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/postgres"
)

// The client libraries read more of a URL than its shape: query
// parameters such as dial_timeout, pool_max_conns and sslmode. Their own
// parsers check it here, through the adapters that import them (the cache
// is go-redis's only importer, the PostgreSQL store pgx's), so that a bad parameter stops the start naming
// its key, before the store is created or migrated, rather than when the
// client is opened later.

// redisURLError reports why the cache cannot open redis.url s, or nil.
func redisURLError(s string) error {
	if err := cache.CheckRedisURL(s); err != nil {
		return fmt.Errorf("%s, got %q", hidePasswords(err.Error(), s), maskURL(s))
	}
	return nil
}

// postgresURLError reports why the PostgreSQL store cannot open s, or nil.
func postgresURLError(s string) error {
	if err := postgres.CheckURL(s); err != nil {
		return fmt.Errorf("%s, got %q", hidePasswords(err.Error(), s), maskURL(s))
	}
	return nil
}

// hidePasswords replaces in msg every password that the URL s holds (in
// its user info, as written and decoded, and in password parameters): a
// client library's message may quote them.
func hidePasswords(msg, s string) string {
	var secrets []string
	if i := strings.Index(s, "://"); i >= 0 {
		rest := s[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if colon := strings.Index(rest[:at], ":"); colon >= 0 {
				secrets = append(secrets, rest[colon+1:at])
			}
		}
	}
	if u, err := url.Parse(s); err == nil {
		if pw, ok := u.User.Password(); ok {
			secrets = append(secrets, pw)
		}
	}
	for _, m := range passwordParam.FindAllStringSubmatch(s, -1) {
		secrets = append(secrets, m[2])
		if v, err := url.QueryUnescape(m[2]); err == nil {
			secrets = append(secrets, v)
		}
	}
	for _, pw := range secrets {
		if pw != "" {
			msg = strings.ReplaceAll(msg, pw, mask)
		}
	}
	return msg
}
