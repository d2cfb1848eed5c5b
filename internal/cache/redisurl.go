package cache

import (
	"errors"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
)

// CheckRedisURL reports why the cache could not open a client with the
// URL s (go-redis's redis.ParseURL, as NewRedis does: query parameters
// such as dial_timeout included), or nil. The error does not repeat the
// URL, but may quote its password: a caller printing it hides that.
func CheckRedisURL(s string) error {
	_, err := redis.ParseURL(s)
	if err == nil {
		return nil
	}
	// A *url.Error repeats the URL, password included.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return errors.New(strings.TrimPrefix(err.Error(), "redis: "))
}
