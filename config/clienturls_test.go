package config

import (
	"strings"
	"testing"
)

// TestValidateClientURLs checks redis.url and a PostgreSQL database_url
// with the parsers of go-redis and pgx, which open them later: a bad
// parameter must fail validation naming the key, with the password masked.
func TestValidateClientURLs(t *testing.T) {
	const secret = "s3cret-pw"
	cases := []struct {
		key, url string
		want     string // "" when the URL is valid
	}{
		{"redis.url", "redis://127.0.0.1:6379/0?dial_timeout=abc", `invalid dial_timeout duration: time: invalid duration "abc", got "redis://127.0.0.1:6379/0?dial_timeout=abc"`},
		{"redis.url", "redis://:" + secret + "@127.0.0.1:6379/x", `invalid database number: "x", got "redis://:****@127.0.0.1:6379/x"`},
		{"redis.url", "rediss://cache:6380/0?pool_size=many", "invalid pool_size number"},
		{"redis.url", "redis://cache:6379/0?timeout=1s", "unexpected option: timeout"},
		{"redis.url", "unix:///run/redis.sock?db=x", "invalid database number"},
		{"redis.url", "redis://:" + secret + "@127.0.0.1:6379/0?dial_timeout=3s&pool_size=5&client_name=herald", ""},
		{"redis.url", "unix:///run/redis.sock?db=2", ""},
		{"database_url", "postgres://herald:" + secret + "@db:5432/herald?pool_max_conns=abc",
			`cannot parse pool_max_conns (strconv.ParseInt: parsing "abc": invalid syntax), got "postgres://herald:****@db:5432/herald?pool_max_conns=abc"`},
		{"database_url", "postgres://herald:" + secret + "@db:5432/herald?sslmode=bogus", "failed to configure TLS (sslmode is invalid)"},
		{"database_url", "postgresql://db/herald?user=herald&password=" + secret + "&connect_timeout=soon",
			`invalid connect_timeout (strconv.ParseInt: parsing "soon": invalid syntax), got "postgresql://db/herald?user=herald&password=****&connect_timeout=soon"`},
		{"database_url", "postgres://herald:" + secret + "@db:99999/herald", "invalid port"},
		{"database_url", "postgres://herald:" + secret + "@db:5432/herald?sslmode=require&pool_max_conns=10&pool_max_conn_lifetime=1h", ""},
		{"database_url", "postgresql:///herald", ""},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			cfg := validConfig(t)
			if c.key == "redis.url" {
				cfg.Redis.URL = c.url
			} else {
				cfg.DatabaseURL = c.url
			}
			err := cfg.Validate()
			if c.want == "" {
				if err != nil {
					t.Fatalf("Validate=%v, want nil", err)
				}
				return
			}
			want := "config: " + c.key + ": " + c.want
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("Validate=%v, want an error containing %q", err, want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error shows the password: %q", err)
			}
			if n := strings.Count(err.Error(), "\n"); n != 0 {
				t.Fatalf("error has %d extra lines, want only the %s problem: %q", n, c.key, err)
			}
		})
	}
}

func TestHidePasswords(t *testing.T) {
	cases := []struct{ msg, url, want string }{
		{`parse "redis://:pw@h": bad`, "redis://:pw@h", `parse "redis://:****@h": bad`},
		{"user p%40ss and p@ss", "postgres://u:p%40ss@h/db", "user **** and ****"},
		{"password=x&y", "postgres://h/db?password=x", "password=****&y"},
		{"nothing secret", "postgres://u@h/db", "nothing secret"},
	}
	for _, c := range cases {
		if got := hidePasswords(c.msg, c.url); got != c.want {
			t.Errorf("hidePasswords(%q, %q)=%q, want %q", c.msg, c.url, got, c.want)
		}
	}
}
