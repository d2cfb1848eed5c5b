package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// writeConfigFile writes a YAML config file into a temporary folder.
func writeConfigFile(tb testing.TB, text string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "herald.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// mustLoad loads or fails the test.
func mustLoad(tb testing.TB, args, environ []string) *Config {
	tb.Helper()
	cfg, _, err := Load(args, environ)
	if err != nil {
		tb.Fatalf("Load(%q, %q): %v", args, environ, err)
	}
	return cfg
}

func TestLoadDefaults(t *testing.T) {
	cfg := mustLoad(t, nil, nil)
	checks := []struct {
		name      string
		got, want any
	}{
		{"addr", cfg.Addr, ":8080"},
		{"base_url", cfg.BaseURL, "http://localhost:8080"},
		{"database_url", cfg.DatabaseURL, "sqlite:data/herald.db"},
		{"redis.url", cfg.Redis.URL, ""},
		{"redis.prefix", cfg.Redis.Prefix, "herald"},
		{"redis.timeout", cfg.Redis.Timeout, 200 * time.Millisecond},
		{"api.token", cfg.API.Token, ""},
		{"api.max_body_bytes", cfg.API.MaxBodyBytes, int64(4194304)},
		{"api.default_page_size", cfg.API.DefaultPageSize, 20},
		{"api.max_page_size", cfg.API.MaxPageSize, 100},
		{"site.title", cfg.Site.Title, "Herald Field Notes"},
		{"site.language", cfg.Site.Language, "en"},
		{"site.author.email", cfg.Site.Author.Email, ""},
		{"feed.default_limit", cfg.Feed.DefaultLimit, 20},
		{"feed.max_limit", cfg.Feed.MaxLimit, 100},
		{"feed.max_age", cfg.Feed.MaxAge, 5 * time.Minute},
		{"feed.cache_ttl", cfg.Feed.CacheTTL, time.Hour},
		{"feed.ttl_minutes", cfg.Feed.TTLMinutes, 30},
		{"cache.max_entries", cfg.Cache.MaxEntries, 1000},
		{"cache.max_articles", cfg.Cache.MaxArticles, 10000},
		{"cache.max_article_bytes", cfg.Cache.MaxArticleBytes, 64 << 20},
		{"server.read_timeout", cfg.Server.ReadTimeout, 10 * time.Second},
		{"server.write_timeout", cfg.Server.WriteTimeout, 30 * time.Second},
		{"server.idle_timeout", cfg.Server.IdleTimeout, 120 * time.Second},
		{"server.shutdown_grace", cfg.Server.ShutdownGrace, 15 * time.Second},
		{"server.request_timeout", cfg.Server.RequestTimeout, 10 * time.Second},
		{"log.level", cfg.Log.Level, "info"},
		{"log.format", cfg.Log.Format, "text"},
		{"import.on_empty_store", cfg.Import.OnEmptyStore, ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s=%#v, want %#v", c.name, c.got, c.want)
		}
	}
	if cfg.Site.Description == "" || cfg.Site.Author.Name == "" {
		t.Errorf("site.description=%q site.author.name=%q, want both set by defaults.yaml",
			cfg.Site.Description, cfg.Site.Author.Name)
	}
}

// TestPrecedence sets each key in a growing number of layers and checks
// that the highest layer wins: defaults < file < environment < flags.
func TestPrecedence(t *testing.T) {
	type layer struct{ file, env, flag string } // "" leaves the layer unset
	keys := []struct {
		key      string // dotted key
		fileYAML func(string) string
		get      func(*Config) string
		values   layer
	}{
		{
			key:      "addr",
			fileYAML: func(v string) string { return "addr: " + quote(v) },
			get:      func(c *Config) string { return c.Addr },
			values:   layer{":7001", ":7002", ":7003"},
		},
		{
			key:      "site.author.name",
			fileYAML: func(v string) string { return "site:\n  author:\n    name: " + quote(v) },
			get:      func(c *Config) string { return c.Site.Author.Name },
			values:   layer{"File Author", "Env Author", "Flag Author"},
		},
		{
			key:      "feed.max_age",
			fileYAML: func(v string) string { return "feed:\n  max_age: " + v },
			get:      func(c *Config) string { return c.Feed.MaxAge.String() },
			values:   layer{"1m0s", "2m0s", "3m0s"},
		},
		{
			key:      "feed.max_limit",
			fileYAML: func(v string) string { return "feed:\n  max_limit: " + v },
			get:      func(c *Config) string { return strconv.Itoa(c.Feed.MaxLimit) },
			values:   layer{"200", "300", "400"},
		},
		{
			key:      "base_url",
			fileYAML: func(v string) string { return "base_url: " + quote(v) },
			get:      func(c *Config) string { return c.BaseURL },
			values:   layer{"https://file.example", "https://env.example", "https://flag.example"},
		},
	}
	defaults := mustLoad(t, nil, nil)

	for _, k := range keys {
		cases := []struct {
			name             string
			file, env, flags bool
			want             string
		}{
			{"defaults", false, false, false, k.get(defaults)},
			{"file", true, false, false, k.values.file},
			{"env", false, true, false, k.values.env},
			{"flag", false, false, true, k.values.flag},
			{"file+env", true, true, false, k.values.env},
			{"file+flag", true, false, true, k.values.flag},
			{"env+flag", false, true, true, k.values.flag},
			{"file+env+flag", true, true, true, k.values.flag},
		}
		for _, c := range cases {
			t.Run(k.key+"/"+c.name, func(t *testing.T) {
				var args, environ []string
				if c.file {
					environ = append(environ, "HERALD_CONFIG="+writeConfigFile(t, k.fileYAML(k.values.file)+"\n"))
				}
				if c.env {
					environ = append(environ, envName(k.key)+"="+k.values.env)
				}
				if c.flags {
					args = append(args, "-"+flagName(k.key), k.values.flag)
				}
				if got := k.get(mustLoad(t, args, environ)); got != c.want {
					t.Fatalf("%s=%q, want %q (args %q, env %q)", k.key, got, c.want, args, environ)
				}
			})
		}
	}
}

func quote(s string) string { return `"` + s + `"` }

func TestConfigFlagBeatsConfigEnv(t *testing.T) {
	envFile := writeConfigFile(t, "addr: \":7001\"\n")
	flagFile := writeConfigFile(t, "addr: \":7002\"\n")
	cfg := mustLoad(t, []string{"-config", flagFile}, []string{"HERALD_CONFIG=" + envFile})
	if cfg.Addr != ":7002" {
		t.Fatalf("addr=%q, want %q from the -config file", cfg.Addr, ":7002")
	}
}

func TestFileFullyNested(t *testing.T) {
	path := writeConfigFile(t, `
# An operator's file: a subset of the keys, comments, and an emptied section.
base_url: https://news.example.org/
redis:
  url: redis://cache.internal:6379/2
  timeout: 50ms
site:
  title: Example News
  author:
    email: desk@example.org
log:
`)
	cfg := mustLoad(t, []string{"-config", path}, nil)
	if cfg.BaseURL != "https://news.example.org" {
		t.Errorf("base_url=%q, want the trailing slash dropped", cfg.BaseURL)
	}
	if cfg.Redis.URL != "redis://cache.internal:6379/2" || cfg.Redis.Timeout != 50*time.Millisecond {
		t.Errorf("redis=%+v, want url and timeout from the file", cfg.Redis)
	}
	if cfg.Redis.Prefix != "herald" {
		t.Errorf("redis.prefix=%q, want the default kept beside file keys of the same section", cfg.Redis.Prefix)
	}
	if cfg.Site.Title != "Example News" || cfg.Site.Author.Email != "desk@example.org" {
		t.Errorf("site=%+v, want title and author.email from the file", cfg.Site)
	}
	if cfg.Log.Level != "info" {
		t.Errorf("log.level=%q, want the default when the file's section is empty", cfg.Log.Level)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name    string
		file    string // config file text; "" for none
		args    []string
		environ []string
		want    []string // substrings of the error
	}{
		{
			name: "unknown file key",
			file: "feed:\n  max_limt: 10\n",
			want: []string{`unknown key "feed.max_limt"`, `did you mean "feed.max_limit"`},
		},
		{
			name: "unknown top-level file key",
			file: "listen: \":80\"\n",
			want: []string{`unknown key "listen"`},
		},
		{
			name: "value where a section belongs",
			file: "redis: redis://localhost\n",
			want: []string{`"redis" is a section, not a value`, "redis.…"},
		},
		{
			name: "section where a value belongs",
			file: "addr:\n  port: 80\n",
			want: []string{`unknown key "addr.port"`},
		},
		{
			name: "file value of the wrong type",
			file: "feed:\n  max_age: 300\n",
			want: []string{"feed.max_age (from config file", "must be a duration"},
		},
		{
			name:    "env value of the wrong type",
			environ: []string{"HERALD_FEED_MAX_LIMIT=lots"},
			want:    []string{"feed.max_limit (from HERALD_FEED_MAX_LIMIT)", `must be an integer, got "lots"`},
		},
		{
			name:    "env duration without unit",
			environ: []string{"HERALD_SERVER_READ_TIMEOUT=5"},
			want:    []string{"server.read_timeout (from HERALD_SERVER_READ_TIMEOUT)", "must be a duration"},
		},
		{
			name: "flag value of the wrong type",
			args: []string{"-api.max-page-size", "many"},
			want: []string{"-api.max-page-size"},
		},
		{
			name: "unknown flag",
			args: []string{"-adress", ":80"},
			want: []string{"-adress"},
		},
		{
			name:    "missing config file",
			environ: []string{"HERALD_CONFIG=/nonexistent/herald.yaml"},
			want:    []string{"config file /nonexistent/herald.yaml"},
		},
		{
			name: "malformed config file",
			file: "addr: [unclosed\n",
			want: []string{"config file"},
		},
		{
			name: "invalid after merging",
			args: []string{"-log.level", "loud"},
			want: []string{`config: log.level: must be debug, info, warn or error, got "loud"`},
		},
		{
			name: "positional argument",
			args: []string{"-addr", ":80", "extra"},
			want: []string{`unexpected argument "extra"`},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := c.args
			if c.file != "" {
				args = append([]string{"-config", writeConfigFile(t, c.file)}, args...)
			}
			cfg, _, err := Load(args, c.environ)
			if err == nil {
				t.Fatalf("Load succeeded with %+v, want an error", cfg)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadHelp(t *testing.T) {
	_, _, err := Load([]string{"-h"}, nil)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("Load(-h) error=%v, want one wrapping flag.ErrHelp", err)
	}
}

func TestLoadArgsReturnsRest(t *testing.T) {
	cfg, rest, _, err := LoadArgs([]string{"-site.title", "Imported", "examples", "more"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Site.Title != "Imported" {
		t.Errorf("site.title=%q, want %q", cfg.Site.Title, "Imported")
	}
	if want := []string{"examples", "more"}; !slices.Equal(rest, want) {
		t.Errorf("rest=%q, want %q", rest, want)
	}
}

func TestUnknownEnvWarns(t *testing.T) {
	environ := []string{
		"HERALD_ADR=:9000",       // typo of HERALD_ADDR
		"HERALD_NOT_A_SETTING=1", // nothing close
		"HERALD_SITE_TITLE=Kept", // known: no warning
		"HERALD_CONFIG=",         // selects no file: no warning
		"OTHER_APP_ADDR=:1",      // not ours: no warning
		"herald_addr=:2",         // wrong case: not ours
		"PATH=/usr/bin:/bin",     // unrelated
	}
	cfg, warnings, err := Load(nil, environ)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":8080" || cfg.Site.Title != "Kept" {
		t.Errorf("addr=%q site.title=%q, want the typo ignored and the known variable applied", cfg.Addr, cfg.Site.Title)
	}
	want := []string{
		"config: ignoring unknown environment variable HERALD_ADR (did you mean HERALD_ADDR?)",
		"config: ignoring unknown environment variable HERALD_NOT_A_SETTING",
	}
	if !slices.Equal(warnings, want) {
		t.Fatalf("warnings=%q, want %q", warnings, want)
	}
}

func TestSecretFlagWarns(t *testing.T) {
	cfg, warnings, err := Load([]string{"-api.token", "s3cret-token"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.API.Token != "s3cret-token" {
		t.Errorf("api.token=%q, want the flag's value", cfg.API.Token)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "HERALD_API_TOKEN") {
		t.Errorf("warnings=%q, want one pointing to HERALD_API_TOKEN", warnings)
	}
}

// TestEnvEmptyOverrides checks that a variable set to "" clears a value
// the file set, so an operator can switch Redis off for one process.
func TestEnvEmptyOverrides(t *testing.T) {
	path := writeConfigFile(t, "redis:\n  url: redis://localhost:6379\n")
	cfg := mustLoad(t, nil, []string{"HERALD_CONFIG=" + path, "HERALD_REDIS_URL="})
	if cfg.Redis.URL != "" {
		t.Fatalf("redis.url=%q, want it cleared by HERALD_REDIS_URL=", cfg.Redis.URL)
	}
}

// TestLoadIsPure checks that Load reads nothing from the process
// environment: a variable set with t.Setenv has no effect.
func TestLoadIsPure(t *testing.T) {
	t.Setenv("HERALD_ADDR", ":6553")
	if cfg := mustLoad(t, nil, nil); cfg.Addr != ":8080" {
		t.Fatalf("addr=%q, want the default; Load must read only its environ argument", cfg.Addr)
	}
}

// TestDurationFlagErrorSaysWhatADurationIs: a flag given a bare number
// explains the format, as the file and the environment do.
func TestDurationFlagErrorSaysWhatADurationIs(t *testing.T) {
	_, _, _, err := LoadArgs([]string{"-feed.max-age=10"}, nil)
	if err == nil || !strings.Contains(err.Error(), "feed.max-age") || !strings.Contains(err.Error(), "must be a duration such as") {
		t.Fatalf("LoadArgs(-feed.max-age=10) = %v, want an error naming the flag and the format", err)
	}
	cfg, _, _, err := LoadArgs([]string{"-feed.max-age=90s"}, nil)
	if err != nil || cfg.Feed.MaxAge != 90*time.Second {
		t.Fatalf("LoadArgs(-feed.max-age=90s) = %v, %v", cfg, err)
	}
}

// TestLoadWarnsOfSecretFlags checks the warning that a flag shows its
// value to every user who can list processes: a secret key, or a URL
// holding a password.
func TestLoadWarnsOfSecretFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string // "" when no warning is due
	}{
		{[]string{"-api.token", "tok"}, "config: -api.token is visible to other users in the process list; prefer HERALD_API_TOKEN"},
		{[]string{"-database-url", "postgres://herald:pw@db:5432/herald"},
			"config: -database-url holds a password, visible to other users in the process list; prefer HERALD_DATABASE_URL"},
		{[]string{"-database-url", "postgres://db/herald?user=herald&password=pw"}, "-database-url holds a password"},
		{[]string{"-redis.url", "redis://:pw@127.0.0.1:6379/0"},
			"config: -redis.url holds a password, visible to other users in the process list; prefer HERALD_REDIS_URL"},
		{[]string{"-redis.url", "rediss://default:pw@cache:6380/0"}, "-redis.url holds a password"},
		{[]string{"-database-url", "postgres://herald@db:5432/herald"}, ""},
		{[]string{"-database-url", "sqlite:data/herald.db"}, ""},
		{[]string{"-redis.url", "redis://127.0.0.1:6379/0"}, ""},
		{[]string{"-redis.url", "redis://user@127.0.0.1:6379/0"}, ""},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			_, warnings, err := Load(c.args, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(warnings, "\n")
			switch {
			case c.want == "" && got != "":
				t.Fatalf("warnings=%q, want none", warnings)
			case !strings.Contains(got, c.want):
				t.Fatalf("warnings=%q, want one containing %q", warnings, c.want)
			case strings.Contains(got, "pw@") || strings.Contains(got, "=pw"):
				t.Fatalf("warnings=%q show the password", warnings)
			}
		})
	}
}

// TestBaseURLFollowsAddrUnlessSet: without base_url the links lead back
// to this machine at the port the server listens on; a base_url set
// anywhere is used as it is.
func TestBaseURLFollowsAddrUnlessSet(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "http://localhost:8080"},
		{[]string{"-addr", ":9090"}, "http://localhost:9090"},
		{[]string{"-addr", "0.0.0.0:9091"}, "http://localhost:9091"},
		{[]string{"-addr", "127.0.0.1:9000"}, "http://127.0.0.1:9000"},
		{[]string{"-addr", "[::1]:9000"}, "http://[::1]:9000"},
		{[]string{"-addr", "127.0.0.1:0"}, "http://localhost:8080"},
		{[]string{"-addr", ":9090", "-base-url", "https://news.example.com/"}, "https://news.example.com"},
	} {
		cfg, _, err := Load(tc.args, nil)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if cfg.BaseURL != tc.want {
			t.Errorf("%v: base_url %q, want %q", tc.args, cfg.BaseURL, tc.want)
		}
	}
}
