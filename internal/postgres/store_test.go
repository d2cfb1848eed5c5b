package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/pgtest"
	"github.com/herald-feeds/herald/internal/storetest"
)

// mustOpen opens a store on a fresh database and closes it at the end of
// the test.
func mustOpen(tb testing.TB, now func() time.Time) *Store {
	tb.Helper()
	s, err := Open(context.Background(), pgtest.NewDatabase(tb), Options{Now: now})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) herald.Store {
		return mustOpen(t, now)
	})
}
