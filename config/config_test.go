package config

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestDatabaseDriver(t *testing.T) {
	cases := []struct {
		url, driver, dsn string
	}{
		{"sqlite:data/herald.db", DriverSQLite, "data/herald.db"},
		{"sqlite:///var/lib/herald.db", DriverSQLite, "/var/lib/herald.db"},
		{"sqlite::memory:", DriverSQLite, ":memory:"},
		{"postgres://u:p@db:5432/herald?sslmode=disable", DriverPostgres, "postgres://u:p@db:5432/herald?sslmode=disable"},
		{"postgresql:///herald", DriverPostgres, "postgresql:///herald"},
		{"mysql://db/herald", "", ""},
		{"", "", ""},
	}
	for _, c := range cases {
		cfg := &Config{DatabaseURL: c.url}
		driver, dsn := cfg.DatabaseDriver()
		if driver != c.driver || dsn != c.dsn {
			t.Errorf("DatabaseDriver(%q)=(%q, %q), want (%q, %q)", c.url, driver, dsn, c.driver, c.dsn)
		}
	}
}

func TestLogger(t *testing.T) {
	cfg := mustLoad(t, []string{"-log.format", "json", "-log.level", "warn"}, nil)
	if got := cfg.LogLevel(); got != slog.LevelWarn {
		t.Fatalf("LogLevel()=%v, want %v", got, slog.LevelWarn)
	}
	var buf bytes.Buffer
	log := cfg.Logger(&buf)
	log.Info("dropped")
	log.Warn("kept", "key", "value")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("logged %d lines, want only the warning:\n%s", len(lines), buf.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatalf("log line is not JSON: %v: %s", err, lines[0])
	}
	if rec["msg"] != "kept" || rec["key"] != "value" {
		t.Fatalf("log record=%v, want msg=kept key=value", rec)
	}
}
