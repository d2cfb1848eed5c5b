package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/storetest"
)

// mustOpen opens a store in a fresh directory and closes it at the end of
// the test.
func mustOpen(tb testing.TB, now func() time.Time) *Store {
	tb.Helper()
	s, err := Open(context.Background(), filepath.Join(tb.TempDir(), "data", "herald.db"), Options{Now: now})
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
