package postgres

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/pgtest"
)

func TestMigrationsRecordedOnce(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(t)
	first := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)

	// A status-only open sees nothing applied and creates nothing.
	s, err := Open(ctx, dbURL, Options{SkipMigrate: true})
	if err != nil {
		t.Fatalf("Open(SkipMigrate): %v", err)
	}
	if got, err := s.MigrationStatus(ctx); err != nil || len(got) != 0 {
		t.Fatalf("MigrationStatus before migrating=%v, %v; want none", got, err)
	}
	s.Close()

	// Replicas starting together on a fresh database: every step is applied
	// by exactly one of them, and none fails.
	const openers = 6
	applied := make([][]string, openers)
	errs := make([]error, openers)
	var wg sync.WaitGroup
	for i := range openers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := Open(ctx, dbURL, Options{Now: func() time.Time { return first }, SkipMigrate: true})
			if err != nil {
				errs[i] = err
				return
			}
			defer st.Close()
			applied[i], errs[i] = st.Migrate(ctx)
		}()
	}
	wg.Wait()
	var all []string
	for i := range openers {
		if errs[i] != nil {
			t.Fatalf("opener %d: %v", i, errs[i])
		}
		all = append(all, applied[i]...)
	}
	// Openers may interleave (one applies 0001, another 0002), so the
	// versions are compared as a set in which each appears once.
	sort.Strings(all)
	if want := KnownMigrations(); !reflect.DeepEqual(all, want) || len(want) == 0 || want[0] != "0001_init" {
		t.Fatalf("steps applied across %d openers=%v, want each of %v once", openers, all, want)
	}

	var want []Migration
	for _, v := range KnownMigrations() {
		want = append(want, Migration{Version: v, AppliedAt: first.Truncate(time.Second)})
	}
	s, err = Open(ctx, dbURL, Options{Now: func() time.Time { return first.Add(24 * time.Hour) }})
	if err != nil {
		t.Fatalf("re-Open: %v", err)
	}
	defer s.Close()
	got, err := s.MigrationStatus(ctx)
	if err != nil {
		t.Fatalf("MigrationStatus: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("MigrationStatus=%v, want %v", got, want)
	}
	if again, err := s.Migrate(ctx); err != nil || len(again) != 0 {
		t.Fatalf("Migrate on a current schema applied %v, %v; want nothing", again, err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(t)
	s, err := Open(ctx, dbURL, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := s.pool.Exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES ('9999_future', now())"); err != nil {
		t.Fatalf("insert: %v", err)
	}
	s.Close()
	s, err = Open(ctx, dbURL, Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open of a database with an unknown migration succeeded, want an error")
	}
	if !strings.Contains(err.Error(), "9999_future") {
		t.Fatalf("err=%v, want it to name 9999_future", err)
	}
}

func TestOpenErrorHidesPassword(t *testing.T) {
	_, err := Open(context.Background(), "postgres://herald:s3cret-pw@127.0.0.1:1/none?connect_timeout=1", Options{})
	if err == nil {
		t.Fatal("Open of an unreachable server succeeded")
	}
	if strings.Contains(err.Error(), "s3cret-pw") {
		t.Fatalf("error %q repeats the password", err)
	}
}
