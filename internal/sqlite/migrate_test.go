package sqlite

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/schema"
)

func TestMigrationsRecordedOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	first := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	s, err := Open(ctx, path, Options{Now: func() time.Time { return first }})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	steps, err := loadMigrations()
	if err != nil {
		t.Fatalf("loadMigrations: %v", err)
	}
	if len(steps) == 0 || steps[0].Version != "0001_init" {
		t.Fatalf("embedded migrations=%v, want 0001_init first", steps)
	}
	var want []Migration
	for _, m := range steps {
		want = append(want, Migration{Version: m.Version, AppliedAt: first.Truncate(time.Second)})
	}
	got, err := s.MigrationStatus(ctx)
	if err != nil {
		t.Fatalf("MigrationStatus: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("MigrationStatus=%v, want %v", got, want)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// Re-opening applies nothing: the records keep the first time, and the
	// tables were not created again (which would fail without IF NOT EXISTS).
	later := first.Add(24 * time.Hour)
	s, err = Open(ctx, path, Options{Now: func() time.Time { return later }})
	if err != nil {
		t.Fatalf("re-Open: %v", err)
	}
	defer s.Close()
	got, err = s.MigrationStatus(ctx)
	if err != nil {
		t.Fatalf("MigrationStatus after re-open: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("MigrationStatus after re-open=%v, want %v", got, want)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := s.db.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES ('9999_future', 0)"); err != nil {
		t.Fatalf("insert: %v", err)
	}
	s.Close()
	s, err = Open(ctx, path, Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open of a database with an unknown migration succeeded, want an error")
	}
	if !strings.Contains(err.Error(), "9999_future") {
		t.Fatalf("err=%v, want it to name 9999_future", err)
	}
}

func TestMigrationNames(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"0001_init.up.sql", true},
		{"0002_add_shows.up.sql", true},
		{"1_init.up.sql", false},
		{"0001_init.down.sql", false},
		{"0001-init.up.sql", false},
	}
	for _, tc := range tests {
		if got := schema.ValidName(tc.name); got != tc.ok {
			t.Fatalf("migrationName(%q)=%v, want %v", tc.name, got, tc.ok)
		}
	}
}
