package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

// The client libraries read more of a URL than its shape: query
// parameters such as dial_timeout, pool_max_conns and sslmode. Their own
// parsers check it here, so that a bad parameter stops the start naming
// its key, before the store is created or migrated, rather than when the
// client is opened later.

// redisURLError reports why go-redis (redis.ParseURL, which the cache
// opens redis.url with) cannot use s, or nil.
func redisURLError(s string) error {
	_, err := redis.ParseURL(s)
	if err == nil {
		return nil
	}
	// A *url.Error repeats the URL, password included.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("%s, got %q", hidePasswords(strings.TrimPrefix(err.Error(), "redis: "), s), maskURL(s))
}

// postgresURLError reports why pgx (pgxpool.ParseConfig, which the
// PostgreSQL store opens database_url with) cannot use s, or nil.
func postgresURLError(s string) error {
	_, err := pgxpool.ParseConfig(s)
	if err == nil {
		return nil
	}
	msg := err.Error()
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		// "cannot parse `URL`: what (why)": the URL, with the password
		// pgx's way, is given once below, masked as everywhere in config.
		if rest, ok := strings.CutPrefix(msg, "cannot parse `"); ok {
			if i := strings.Index(rest, "`: "); i >= 0 {
				msg = rest[i+len("`: "):]
			}
		}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = strings.ReplaceAll(msg, ue.Error(), ue.Err.Error())
	}
	return fmt.Errorf("%s, got %q", hidePasswords(msg, s), maskURL(s))
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
