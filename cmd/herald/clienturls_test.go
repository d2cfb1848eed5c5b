package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClientURLsCheckedAtStart checks that a redis.url or a PostgreSQL
// database_url that its client library cannot parse stops serve and
// config naming the key, before the store is created or migrated.
func TestClientURLsCheckedAtStart(t *testing.T) {
	const secret = "s3cret-pw"
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"serve, redis", []string{"serve", "-addr", "127.0.0.1:0", "-redis.url", "redis://127.0.0.1:6379/0?dial_timeout=abc"},
			"config: redis.url: invalid dial_timeout duration"},
		{"config, redis", []string{"config", "-redis.url", "redis://127.0.0.1:6379/0?dial_timeout=abc"},
			"config: redis.url: invalid dial_timeout duration"},
		{"config, postgres pool", []string{"config", "-database-url", "postgres://herald:" + secret + "@127.0.0.1:1/herald?pool_max_conns=abc"},
			"config: database_url: cannot parse pool_max_conns"},
		{"serve, postgres sslmode", []string{"serve", "-addr", "127.0.0.1:0", "-database-url", "postgres://herald:" + secret + "@127.0.0.1:1/herald?sslmode=bogus"},
			"config: database_url: failed to configure TLS (sslmode is invalid)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "h.db")
			args := c.args
			if !strings.Contains(strings.Join(args, " "), "-database-url") {
				args = append(args, "-database-url", "sqlite:"+db)
			}
			code, out, errOut := runCLI(t, nil, args...)
			if code == 0 || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d, stderr %q; want a failure containing %q\nstdout:\n%s", code, errOut, c.want, out)
			}
			if strings.Contains(errOut+out, secret) {
				t.Fatalf("the output shows the password:\n%s%s", out, errOut)
			}
			if _, err := os.Stat(db); !os.IsNotExist(err) {
				t.Fatalf("the store %s was created (stat: %v) before the configuration was refused", db, err)
			}
		})
	}
}
