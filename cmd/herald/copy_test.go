package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/pgtest"
	"github.com/herald-feeds/herald/internal/postgres"
	"github.com/herald-feeds/herald/internal/sqlite"
	"github.com/herald-feeds/herald/internal/storecopy"
)

func TestMigrateCommand(t *testing.T) {
	stores := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "m.db")
			writeFile(t, path, "") // an empty file is an empty SQLite database
			return "sqlite:" + path
		}},
		{"postgres", func(t *testing.T) string { return pgtest.NewDatabase(t) }},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			db := st.url(t)
			code, out, errOut := runCLI(t, nil, "migrate", "status", "-database-url", db)
			if code != 0 || !strings.Contains(out, "0001_init") || !strings.Contains(out, "pending") || !strings.Contains(out, "0 applied") {
				t.Fatalf("status of a fresh database: exit %d\n%s%s", code, out, errOut)
			}
			code, out, errOut = runCLI(t, nil, "migrate", "up", "-database-url", db)
			if code != 0 || !strings.Contains(out, "applied 0001_init") {
				t.Fatalf("up: exit %d\n%s%s", code, out, errOut)
			}
			code, out, _ = runCLI(t, nil, "migrate", "status", "-database-url", db)
			if code != 0 || regexp.MustCompile(`(?m)^  \S+ +pending$`).MatchString(out) || !strings.Contains(out, " 0 pending") || !strings.Contains(out, "0001_init") || !strings.Contains(out, " applied 20") {
				t.Fatalf("status after up: exit %d\n%s", code, out)
			}
			code, out, _ = runCLI(t, nil, "migrate", "up", "-database-url", db)
			if code != 0 || !strings.Contains(out, "up to date") {
				t.Fatalf("second up: exit %d\n%s", code, out)
			}
			// A migration a newer build applied: serve refuses the
			// database, and status says so and fails.
			recordMigration(t, db, "9999_from_a_newer_build")
			code, out, errOut = runCLI(t, nil, "migrate", "status", "-database-url", db)
			if code == 0 || !regexp.MustCompile(`(?m)^  9999_from_a_newer_build +applied \S+, unknown to this build$`).MatchString(out) ||
				!strings.Contains(errOut, "does not know (9999_from_a_newer_build)") {
				t.Fatalf("status with a newer build's migration: exit %d\n%s%s", code, out, errOut)
			}
		})
	}
	// Reading the status of a file that is not there is a mistake, not a
	// new database; so is copying from one.
	missing := filepath.Join(t.TempDir(), "typo.db")
	if code, _, errOut := runCLI(t, nil, "migrate", "status", "-database-url", "sqlite:"+missing); code == 0 || !strings.Contains(errOut, "no such file") {
		t.Fatalf("status of a missing file: exit %d stderr %q, want a failure naming it", code, errOut)
	}
	if code, _, errOut := runCLI(t, nil, "copy", "--from", "sqlite:"+missing, "--to", "sqlite:"+filepath.Join(t.TempDir(), "to.db")); code == 0 || !strings.Contains(errOut, "no such file") {
		t.Fatalf("copy from a missing file: exit %d stderr %q, want a failure naming it", code, errOut)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatalf("%s was created", missing)
	}
	if code, _, errOut := runCLI(t, nil, "migrate", "sideways"); code != 1 || !strings.Contains(errOut, "up|status") {
		t.Fatalf("migrate sideways: exit %d stderr %q, want 1 and the usage", code, errOut)
	}
}

// seedSQLite fills an SQLite store with n articles over a few categories,
// tags and authors, each updated at its own time, and deletes one so that
// the site's last change is a deletion.
func seedSQLite(t *testing.T, path string, n int) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	s, err := sqlite.Open(ctx, path, sqlite.Options{Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range n {
		at = at.Add(time.Hour)
		a := &herald.Article{
			ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Title: fmt.Sprintf("Article %d — ünïcödé", i),
			Categories: []string{fmt.Sprintf("Cat %d", i%3)}, Tags: []string{"All", fmt.Sprintf("t%d", i%5)},
			Authors:     []herald.Author{{Name: fmt.Sprintf("Writer %d", i%2), Email: "w@example.com"}},
			Enclosures:  []herald.Enclosure{{URL: "https://cdn.example.com/a.mp3", Type: "audio/mpeg", Length: int64(i)}},
			PublishedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i%40) * 24 * time.Hour),
		}
		if i == n-1 {
			a.PublishedAt = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) // scheduled
		}
		if err := a.Prepare("https://example.com", at, herald.Limits{}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	at = at.Add(time.Hour)
	if _, err := s.DeleteArticle(ctx, fmt.Sprintf("00000000-0000-4000-8000-%012d", 0)); err != nil {
		t.Fatal(err)
	}
}

func allArticles(t *testing.T, s herald.Store) []*herald.Article {
	t.Helper()
	arts, _, err := s.ListArticles(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return arts
}

func TestCopyCommandSQLiteToPostgres(t *testing.T) {
	ctx := context.Background()
	srcPath := filepath.Join(t.TempDir(), "src.db")
	const n = 151
	seedSQLite(t, srcPath, n)
	from, to := "sqlite:"+srcPath, pgtest.NewDatabase(t)
	copyStart := time.Now().Add(-time.Second)

	code, out, errOut := runCLI(t, nil, "copy", "--from", from, "--to", to)
	if code != 0 {
		t.Fatalf("copy: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"copying sqlite:", "copied 100/150 articles", "150 articles read: 150 created, 0 updated, 0 unchanged, 0 failed"} {
		if !strings.Contains(out, want) {
			t.Fatalf("copy output lacks %q:\n%s", want, out)
		}
	}

	src, err := sqlite.Open(ctx, srcPath, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, to, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	want, got := allArticles(t, src), allArticles(t, dst)
	if len(got) != len(want) {
		t.Fatalf("target holds %d articles, want %d", len(got), len(want))
	}
	for i := range want {
		if !storecopy.Same(got[i], want[i]) {
			t.Fatalf("article %d differs after the copy:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}

	// The target's feeds are right: same pages as the source's, and the
	// scopes' bookkeeping says they changed at the copy.
	now := time.Now()
	scopes := []herald.Scope{herald.SiteScope, {Kind: herald.ScopeCategory, Slug: "cat-1"}, {Kind: herald.ScopeTag, Slug: "t3"}, {Kind: herald.ScopeAuthor, Slug: "writer-0"}}
	revs := map[herald.Scope]int64{}
	for _, sc := range scopes {
		q := herald.FeedQuery{Scope: sc, Now: now, Limit: 1000}
		sp, err := src.Feed(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		dp, err := dst.Feed(ctx, q)
		if err != nil {
			t.Fatalf("target Feed(%s): %v", sc, err)
		}
		if !reflect.DeepEqual(ids(dp.Articles), ids(sp.Articles)) || dp.Total != sp.Total || !dp.NextPublish.Equal(sp.NextPublish) || dp.Name != sp.Name {
			t.Fatalf("target feed %s: %d articles (total %d, next %v, name %q), want the source's %d (total %d, next %v, name %q)",
				sc, len(dp.Articles), dp.Total, dp.NextPublish, dp.Name, len(sp.Articles), sp.Total, sp.NextPublish, sp.Name)
		}
		if dp.Revision < 1 || dp.ChangedAt.Before(copyStart.Truncate(time.Second)) {
			t.Fatalf("target scope %s: revision %d changed %v, want bumped at the copy (after %v)", sc, dp.Revision, dp.ChangedAt, copyStart)
		}
		if dp.LastModified().Before(sp.LastModified()) {
			t.Fatalf("target %s Last-Modified %v is older than the source's %v", sc, dp.LastModified(), sp.LastModified())
		}
		revs[sc] = dp.Revision
	}

	// Running it again changes nothing and duplicates nothing.
	code, out, _ = runCLI(t, nil, "copy", "-from="+from, "-to="+to)
	if code != 0 || !strings.Contains(out, "150 articles read: 0 created, 0 updated, 150 unchanged, 0 failed") {
		t.Fatalf("second copy: exit %d\n%s", code, out)
	}
	if got := allArticles(t, dst); len(got) != len(want) {
		t.Fatalf("target holds %d articles after a second copy, want %d", len(got), len(want))
	}
	for _, sc := range scopes {
		if p, _ := dst.Feed(ctx, herald.FeedQuery{Scope: sc, Now: now, Limit: 1}); p.Revision != revs[sc] {
			t.Fatalf("a copy that changed nothing bumped %s from %d to %d", sc, revs[sc], p.Revision)
		}
	}

	// An edit at the source is carried over by the next run; an article
	// whose slug another article holds in the target is reported.
	edited := want[3].Clone()
	edited.Title = "Edited at the source"
	edited.Categories = []string{"Moved"}
	if _, err := src.ReplaceArticle(ctx, edited); err != nil {
		t.Fatal(err)
	}
	squatter := &herald.Article{ID: "ffffffff-0000-4000-8000-000000000000", Title: "Squatter", Slug: want[7].Slug, PublishedAt: now}
	if err := squatter.Prepare("https://example.com", now, herald.Limits{}); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.DeleteArticle(ctx, want[7].ID); err != nil {
		t.Fatal(err)
	}
	if err := dst.CreateArticle(ctx, squatter); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, nil, "copy", "--from", from, "--to", to)
	if code == 0 || !strings.Contains(out, "0 created, 1 updated, 148 unchanged, 1 failed") ||
		!strings.Contains(out, "failed: article "+want[7].ID) || !strings.Contains(errOut, "could not be written") {
		t.Fatalf("third copy: exit %d, want non-zero with one update and one failure\n%s%s", code, out, errOut)
	}
	if a, err := dst.Article(ctx, edited.ID); err != nil || a.Title != "Edited at the source" || !a.UpdatedAt.Equal(edited.UpdatedAt) {
		t.Fatalf("edited article in the target: %+v, %v; want the source's edit and UpdatedAt %v", a, err, edited.UpdatedAt)
	}
	if p, err := dst.Feed(ctx, herald.FeedQuery{Scope: herald.Scope{Kind: herald.ScopeCategory, Slug: "moved"}, Now: now, Limit: 10}); err != nil || p.Total != 1 {
		t.Fatalf("target's new category after the edit: %v, %v", p, err)
	}

	if code, _, errOut := runCLI(t, nil, "copy", "--from", from); code == 0 || !strings.Contains(errOut, "--to") {
		t.Fatalf("copy without --to: exit %d stderr %q", code, errOut)
	}
}

func ids(arts []*herald.Article) []string {
	out := make([]string, len(arts))
	for i, a := range arts {
		out[i] = a.ID
	}
	return out
}

// TestCopyGoesOnWithoutRedis: with Redis configured but down, a copy
// writes every article, says once that it could not invalidate, and
// leaves the written scopes on record in the target for a server to
// invalidate, instead of stopping at the first article.
func TestCopyGoesOnWithoutRedis(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.db"), filepath.Join(dir, "dst.db")
	seedSQLite(t, src, 30)
	code, out, errOut := runCLI(t, []string{"HERALD_REDIS_URL=redis://127.0.0.1:1/0", "HERALD_REDIS_TIMEOUT=200ms"},
		"copy", "--from", "sqlite:"+src, "--to", "sqlite:"+dst)
	if code != 0 || !strings.Contains(out, "29 articles read: 29 created") || strings.Count(out, "cache invalidation failed") != 1 {
		t.Fatalf("copy with Redis down: exit %d, want 0, every article and one warning\n%s%s", code, out, errOut)
	}
	st, err := sqlite.Open(ctx, dst, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	owed, err := st.Undelivered(ctx, 100)
	if err != nil || len(owed) == 0 || owed[0].Scope.Key() == "" {
		t.Fatalf("target's records of owed invalidations: %v, %v; want the written scopes", owed, err)
	}
}

// TestCopyLeavesItsSourceAlone: a copy only reads its source, so a source
// that lacks one of this build's migrations is refused with what to do,
// not migrated, and so is one a newer build migrated; the target stays
// empty in both cases.
func TestCopyLeavesItsSourceAlone(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	seedSQLite(t, src, 5)
	conn, err := sql.Open("sqlite", src)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var last string
	if err := conn.QueryRowContext(ctx, "SELECT max(version) FROM schema_migrations").Scan(&last); err != nil {
		t.Fatal(err)
	}
	// As a build before the last migration left it (its tables stay: a
	// copy that migrated would fail on them, or change them).
	if _, err := conn.ExecContext(ctx, "DELETE FROM schema_migrations WHERE version = ?", last); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "dst.db")
	code, out, errOut := runCLI(t, nil, "copy", "--from", "sqlite:"+src, "--to", "sqlite:"+dst)
	if code == 0 || !strings.Contains(errOut, "lacks this build's migrations "+last) || !strings.Contains(errOut, "herald migrate up") {
		t.Fatalf("copy from a source one migration behind: exit %d, want a failure naming %s and the way out\n%s%s", code, last, out, errOut)
	}
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", last).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the source's ledger holds %s %d times (err %v) after the copy: the copy migrated its source", last, n, err)
	}
	if _, err := os.Stat(dst); err == nil {
		t.Errorf("the refused copy created its target %s", dst)
	}

	if _, err := conn.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)", last); err != nil {
		t.Fatal(err)
	}
	recordMigration(t, "sqlite:"+src, "9999_from_a_newer_build")
	code, out, errOut = runCLI(t, nil, "copy", "--from", "sqlite:"+src, "--to", "sqlite:"+dst)
	if code == 0 || !strings.Contains(errOut, "migrated by a newer Herald (9999_from_a_newer_build") {
		t.Fatalf("copy from a newer build's source: exit %d, want a failure naming its migration\n%s%s", code, out, errOut)
	}
	if _, err := conn.ExecContext(ctx, "DELETE FROM schema_migrations WHERE version = '9999_from_a_newer_build'"); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI(t, nil, "copy", "--from", "sqlite:"+src, "--to", "sqlite:"+dst); code != 0 || !strings.Contains(out, "4 articles read: 4 created") {
		t.Fatalf("copy from a source at this build's schema: exit %d\n%s%s", code, out, errOut)
	}
}

// recordMigration records version as applied in db's migration ledger, as
// a newer build would.
func recordMigration(t *testing.T, db, version string) {
	t.Helper()
	ctx := context.Background()
	if path, ok := strings.CutPrefix(db, "sqlite:"); ok {
		conn, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", version, time.Now().Unix()); err != nil {
			t.Fatal(err)
		}
		return
	}
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())", version); err != nil {
		t.Fatal(err)
	}
}
