package postgres

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/pgtest"
)

// TestClearUndeliveredLocksInKeyOrder: clearing records locks the scopes'
// rows in key order, as writes bump them, so a clear waiting on one scope
// holds none after it: here a writer holds the first scope, and the
// later one stays free until the clear gets the first.
func TestClearUndeliveredLocksInKeyOrder(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := mustOpenURL(t, pgtest.NewDatabase(t), Options{Now: func() time.Time { return now }, FoldEvery: -1})
	for _, c := range []string{"Alpha", "Beta"} {
		if err := s.CreateArticle(ctx, countArticle(t, now.Add(-time.Hour), now, c)); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.Undelivered(ctx, 10)
	if err != nil || len(list) != 3 {
		t.Fatalf("Undelivered = %v, %v; want the records of two categories and the site", list, err)
	}
	slices.Reverse(list) // site, beta, alpha: against key order

	writer, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Rollback(ctx)
	if _, err := writer.Exec(ctx, "SELECT 1 FROM scopes WHERE key = 'category:alpha' FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	cleared := make(chan error, 1)
	go func() { cleared <- s.ClearUndelivered(ctx, list) }()
	// Wait until the clear waits on the writer's lock.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var waiting int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("after 10 s the clear does not wait on the scope the writer holds")
		}
	}
	for _, key := range []string{"category:beta", "site"} {
		probe, err := s.pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = probe.Exec(ctx, "SELECT 1 FROM scopes WHERE key = $1 FOR UPDATE NOWAIT", key)
		probe.Rollback(ctx)
		if err != nil {
			t.Errorf("%s is locked while the clear waits on category:alpha (%v): a writer holding it and waiting on category:alpha would deadlock with it", key, err)
		}
	}
	if err := writer.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-cleared; err != nil {
		t.Fatalf("ClearUndelivered: %v", err)
	}
	if left, err := s.Undelivered(ctx, 10); err != nil || len(left) != 0 {
		t.Fatalf("after the clear: %v, %v; want no record", left, err)
	}
}
