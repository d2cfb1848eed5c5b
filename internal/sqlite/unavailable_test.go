package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/herald-feeds/herald/internal/herald"
)

// TestLockedDatabaseIsUnavailable holds the write lock from a second
// connection pool, as another process would: a write that cannot get it
// in time fails as EUnavailable (a 503, not a 500), writes nothing, and
// goes through once the lock is released. Reads carry on meanwhile (WAL).
func TestLockedDatabaseIsUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	ctx := context.Background()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()

	other, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatalf("open second pool: %v", err)
	}
	defer other.Close()
	lock, err := other.BeginTx(ctx, nil) // IMMEDIATE: takes the write lock now
	if err != nil {
		t.Fatalf("take the write lock: %v", err)
	}
	if _, err := lock.Exec("UPDATE scopes SET revision = revision WHERE 0"); err != nil {
		t.Fatalf("write under the lock: %v", err)
	}

	a := newLockedArticle(t)
	wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	err = s.CreateArticle(wctx, a)
	cancel()
	if code := herald.ErrorCode(err); code != herald.EUnavailable {
		t.Fatalf("CreateArticle under another writer's lock: err=%v code=%q, want %q", err, code, herald.EUnavailable)
	}
	if _, err := s.Feed(ctx, herald.FeedQuery{Scope: herald.SiteScope, Now: time.Now(), Limit: 10}); err != nil {
		t.Fatalf("Feed while the write lock is held: %v, want reads to carry on", err)
	}
	if _, err := s.Article(ctx, a.ID); !herald.IsNotFound(err) {
		t.Fatalf("article after the failed write: err=%v, want not found", err)
	}

	if err := lock.Rollback(); err != nil {
		t.Fatalf("release: %v", err)
	}
	if err := s.CreateArticle(ctx, a); err != nil {
		t.Fatalf("CreateArticle after the lock is released: %v", err)
	}
}

// TestClosedStoreIsUnavailable: a store whose pool is gone answers
// EUnavailable too.
func TestClosedStoreIsUnavailable(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "herald.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.Close()
	_, err = s.Feed(context.Background(), herald.FeedQuery{Scope: herald.SiteScope, Now: time.Now(), Limit: 10})
	if code := herald.ErrorCode(err); code != herald.EUnavailable {
		t.Fatalf("Feed on a closed store: err=%v code=%q, want %q", err, code, herald.EUnavailable)
	}
}

func newLockedArticle(t *testing.T) *herald.Article {
	t.Helper()
	a := &herald.Article{ID: uuid.NewString(), Title: "Waiting for the lock"}
	if err := a.Prepare("https://example.com", time.Now(), herald.Limits{}); err != nil {
		t.Fatal(err)
	}
	return a
}
