package config

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestPrintMasksSecrets(t *testing.T) {
	const (
		token   = "tok-5f2a9c1e"
		dbPass  = "db-pa55-7d3e"
		rdsPass = "rds-pa55-91ab"
	)
	environ := []string{
		"HERALD_API_TOKEN=" + token,
		"HERALD_DATABASE_URL=postgres://herald:" + dbPass + "@db.internal:5432/herald?sslmode=require",
		"HERALD_REDIS_URL=rediss://default:" + rdsPass + "@cache.internal:6380/0",
	}
	cfg := mustLoad(t, nil, environ)
	var buf bytes.Buffer
	if err := cfg.Print(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, secret := range []string{token, dbPass, rdsPass} {
		if strings.Contains(out, secret) {
			t.Errorf("printout contains secret %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{
		`token: "****"`,
		`database_url: "postgres://herald:****@db.internal:5432/herald?sslmode=require"`,
		`url: "rediss://default:****@cache.internal:6380/0"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("printout lacks %s:\n%s", want, out)
		}
	}
}

func TestMaskURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"sqlite:data/herald.db", "sqlite:data/herald.db"},
		{"postgres://herald@db/herald", "postgres://herald@db/herald"},
		{"postgres://herald:pw@db/herald", "postgres://herald:****@db/herald"},
		{"redis://:pw@localhost:6379", "redis://:****@localhost:6379"},
		// Unescaped @ and / inside a password: the whole password still goes.
		{"postgres://u:p@ss/w0rd@db:5432/x", "postgres://u:****@db:5432/x"},
		{"postgres://db/herald?user=u&password=pw&sslmode=disable", "postgres://db/herald?user=u&password=****&sslmode=disable"},
		{"host=db password=pw dbname=herald", "host=db password=**** dbname=herald"},
		{"unix:///run/redis.sock", "unix:///run/redis.sock"},
		{"", ""},
	}
	for _, c := range cases {
		if got := maskURL(c.in); got != c.want {
			t.Errorf("maskURL(%q)=%q, want %q", c.in, got, c.want)
		}
	}
}

// TestPrintRoundTrip checks that the printout is itself a config file that
// loads back to the same configuration.
func TestPrintRoundTrip(t *testing.T) {
	args := []string{
		"-addr", "127.0.0.1:9000",
		"-site.title", "true", // a string that YAML would read as a bool unquoted
		"-site.author.name", `Ann "A." O'Neil`,
		"-feed.max-age", "90s",
		"-feed.cache-ttl", "2h30m",
		"-api.max-body-bytes", "65536",
		"-redis.url", "redis://localhost:6379/1",
	}
	want := mustLoad(t, args, nil)
	got, buf := reloadPrinted(t, want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("reloaded %+v\nwant %+v\nprintout:\n%s", got, want, buf.String())
	}
	if !strings.Contains(buf.String(), `cache_ttl: "2h30m"`) || !strings.Contains(buf.String(), `max_age: "1m30s"`) {
		t.Errorf("durations not printed in short form:\n%s", buf.String())
	}
	// The doc comments come along, so the printout explains itself.
	if !strings.Contains(buf.String(), "# Address the HTTP server listens on") {
		t.Errorf("printout lacks the doc comments:\n%s", buf.String())
	}
}

func TestFormatDuration(t *testing.T) {
	cases := []struct{ in, want string }{
		{"200ms", "200ms"}, {"5m", "5m"}, {"1h", "1h"}, {"2h30m", "2h30m"},
		{"90s", "1m30s"}, {"0s", "0s"}, {"1h0m1s", "1h0m1s"},
	}
	for _, c := range cases {
		d, err := time.ParseDuration(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := formatDuration(d); got != c.want {
			t.Errorf("formatDuration(%s)=%q, want %q", c.in, got, c.want)
		}
	}
}

// TestPrintedMaskIsNoToken: a printed configuration fed back as it is
// holds "****" where the token was; that must stop the start rather than
// become a token anyone can send.
func TestPrintedMaskIsNoToken(t *testing.T) {
	cfg, _ := reloadPrinted(t, mustLoad(t, nil, []string{"HERALD_API_TOKEN=real-token-1"}))
	if cfg.API.Token != mask {
		t.Fatalf("reloaded api.token %q, want the mask", cfg.API.Token)
	}
	if _, err := cfg.Tokens(); err == nil || !strings.Contains(err.Error(), "api.token") {
		t.Fatalf("Tokens() = %v, want an error naming api.token", err)
	}
	cfg.API.Token = ""
	cfg.API.TokensFile = filepath.Join(t.TempDir(), "tokens")
	writeTokens(t, cfg.API.TokensFile, "ro:reader-token\nrw:***\n")
	if _, err := cfg.Tokens(); err == nil || !strings.Contains(err.Error(), ":2") {
		t.Fatalf("Tokens() = %v, want an error naming line 2 of the file", err)
	}
}

// reloadPrinted prints cfg, loads the printout as a config file and
// returns what it loaded and the printout.
func reloadPrinted(t *testing.T, cfg *Config) (*Config, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	if err := cfg.Print(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "printed.yaml")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return mustLoad(t, []string{"-config", path}, nil), &buf
}

// TestPrintedSecretsAreRefused feeds `herald config` output back as a
// config file: every masked secret must stop the start, naming its key,
// rather than run with a password of asterisks (Redis then refuses it,
// and the server runs without its shared cache).
func TestPrintedSecretsAreRefused(t *testing.T) {
	cases := []struct {
		name    string
		environ []string
		keys    []string
	}{
		{"single server", []string{
			"HERALD_DATABASE_URL=postgres://herald:db-pw@db.internal:5432/herald?sslmode=require",
			"HERALD_REDIS_URL=redis://:rds-pw@cache.internal:6379/0",
		}, []string{"database_url", "redis.url"}},
		{"password parameter", []string{
			"HERALD_DATABASE_URL=postgresql://db.internal/herald?user=herald&password=db-pw",
		}, []string{"database_url"}},
		{"sentinel", []string{
			"HERALD_REDIS_SENTINEL_MASTER=mymaster", "HERALD_REDIS_SENTINEL_ADDRS=10.0.0.1:26379",
			"HERALD_REDIS_PASSWORD=rds-pw", "HERALD_REDIS_SENTINEL_PASSWORD=sen-pw",
		}, []string{"redis.password", "redis.sentinel.password"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := mustLoad(t, nil, c.environ).Print(&buf); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "printed.yaml")
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			_, _, err := Load([]string{"-config", path}, nil)
			if err == nil {
				t.Fatalf("Load of the printed configuration succeeded; want its masked secrets refused:\n%s", buf.String())
			}
			for _, key := range c.keys {
				want := "config: " + key + ": "
				if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "the mask `herald config` prints") {
					t.Errorf("error=%q, want one line starting %q that names the mask", err, want)
				}
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != len(c.keys) {
				t.Errorf("error has %d lines, want one for each of %q: %q", n, c.keys, err)
			}
		})
	}
}
