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
// is go-redis's only importer, the PostgreSQL store pgx's), so that a bad
// parameter stops the start naming its key, before the store is created or
// migrated, rather than when the client is opened later.

// redisURLError reports why the cache cannot open redis.url s, or nil.
func redisURLError(s string) error { return clientURLError(cache.CheckRedisURL(s), s) }

// postgresURLError reports why the PostgreSQL store cannot open s, or nil.
func postgresURLError(s string) error { return clientURLError(postgres.CheckURL(s), s) }

// clientURLError is err, a client library's refusal of the URL s, with
// every password of s hidden and s given once, masked; nil when err is.
func clientURLError(err error, s string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s, got %q", hidePasswords(err.Error(), s), maskURL(s))
}

// hidePasswords replaces in msg every password that the URL s holds (in
// its user info and in password parameters, as written and decoded): a
// client library's message may quote them.
func hidePasswords(msg, s string) string {
	secrets := urlPasswords(s)
	if u, err := url.Parse(s); err == nil {
		if pw, ok := u.User.Password(); ok {
			secrets = append(secrets, pw)
		}
	}
	for _, m := range passwordParam.FindAllStringSubmatch(s, -1) {
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
