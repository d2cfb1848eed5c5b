package service

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/pgtest"
	"github.com/herald-feeds/herald/internal/postgres"
	"github.com/herald-feeds/herald/internal/sqlite"
)

// pageStores opens the fixture on each store `herald serve` offers, on a
// clock the test sets (PostgreSQL is skipped, with a message, where none
// answers).
func pageStores(t *testing.T, run func(t *testing.T, fx *fixture)) {
	t.Run("sqlite", func(t *testing.T) {
		c := &clock{t: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"),
			sqlite.Options{Now: c.Now, ArticleCache: artcache.DefaultMaxArticles, ArticleCacheBytes: artcache.DefaultMaxBytes})
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		run(t, newFixtureOn(c, st, nil))
	})
	t.Run("postgres", func(t *testing.T) {
		c := &clock{t: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
		st, err := postgres.Open(context.Background(), pgtest.NewDatabase(t),
			postgres.Options{Now: c.Now, ArticleCache: artcache.DefaultMaxArticles, ArticleCacheBytes: artcache.DefaultMaxBytes})
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		run(t, newFixtureOn(c, st, nil))
	})
}

// TestOpenPageIsNotCachedAsAnArchive is the audit's case: four articles
// in a category and a fifth scheduled, read in pages of 2. Page 2, the
// newest full page, is an archive (fh:archive: its articles never
// change), but its links change when the fifth comes due ("previous" goes
// from the subscription document to page 3), so it is not cached as a
// sealed archive: it expires at the due time, and its Last-Modified moves
// then, so an If-Modified-Since of the old date gets the new bytes, not a
// 304. Once page 3 is full (a sixth comes due) page 2 is sealed: the
// archive lifetime, and validators that stay put. Page 1 is sealed from
// the start, and no publication touches its validators.
func TestOpenPageIsNotCachedAsAnArchive(t *testing.T) {
	pageStores(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		t0 := fx.clock.Now()
		for i, title := range []string{"One", "Two", "Three", "Four"} {
			a := &herald.Article{Title: title, Categories: []string{"Pagecat"}, PublishedAt: t0.Add(time.Duration(i-4) * time.Hour)}
			if err := fx.articles.Create(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		fifth, sixth := t0.Add(8*time.Second), t0.Add(20*time.Second)
		for title, at := range map[string]time.Time{"Five": fifth, "Six": sixth} {
			if err := fx.articles.Create(ctx, &herald.Article{Title: title, Categories: []string{"Pagecat"}, PublishedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		key := func(page int) herald.FeedKey {
			return herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeCategory, Slug: "pagecat"}, Format: herald.FormatAtom, Limit: 2, Offset: page}
		}
		get := func(when string, page int, cond *herald.Condition) FeedResult {
			t.Helper()
			res, err := fx.feeds.Get(ctx, key(page), cond)
			if err != nil {
				t.Fatalf("%s: page %d: %v", when, page, err)
			}
			return res
		}
		since := func(lm time.Time) *herald.Condition { return herald.ParseCondition("", lm.Format(http.TimeFormat)) }

		fx.clock.Set(t0.Add(time.Second))
		open := get("before the fifth is due", 2, nil).Entry
		if open.Archive || !open.Due.Equal(fifth) {
			t.Errorf("page 2 of 4 (newest full page): Archive=%v Due=%v, want false and %v: its links change when the fifth comes due", open.Archive, open.Due, fifth)
		}
		if !strings.Contains(string(open.Body), "<fh:archive") {
			t.Errorf("page 2 of 4 is full: want fh:archive, its articles never change:\n%s", open.Body)
		}
		sealed1 := get("before the fifth is due", 1, nil).Entry
		if !sealed1.Archive || !sealed1.Due.IsZero() {
			t.Errorf("page 1 of 4 (followed by a full page): Archive=%v Due=%v, want a sealed archive", sealed1.Archive, sealed1.Due)
		}

		fx.clock.Set(t0.Add(10 * time.Second)) // the fifth is out: page 3 exists
		res := get("once the fifth is out", 2, since(open.LastModified))
		if res.Entry.ETag == open.ETag {
			t.Fatalf("page 2's bytes did not change when page 3 appeared; the test no longer shows the case")
		}
		if res.NotModified || !res.Entry.LastModified.After(open.LastModified) {
			t.Errorf("page 2 once its links changed, If-Modified-Since %v: 304=%v, Last-Modified %v; want 200 and a later Last-Modified",
				open.LastModified, res.NotModified, res.Entry.LastModified)
		}
		if res.Entry.Archive || !res.Entry.Due.Equal(sixth) {
			t.Errorf("page 2 of 5: Archive=%v Due=%v, want false and %v: next-archive appears when page 3 fills", res.Entry.Archive, res.Entry.Due, sixth)
		}
		if r := get("once the fifth is out", 2, since(res.Entry.LastModified)); !r.NotModified {
			t.Errorf("page 2 of 5 unchanged since its own Last-Modified: want 304")
		}
		open5 := res.Entry
		for _, cond := range []*herald.Condition{since(sealed1.LastModified), herald.ParseCondition(sealed1.ETag, "")} {
			if r := get("once the fifth is out", 1, cond); !r.NotModified || r.Entry.ETag != sealed1.ETag || !r.Entry.LastModified.Equal(sealed1.LastModified) || !r.Entry.Archive {
				t.Errorf("page 1 (sealed) after a publication: 304=%v ETag %s Last-Modified %v Archive=%v, want 304 with %s, %v, true",
					r.NotModified, r.Entry.ETag, r.Entry.LastModified, r.Entry.Archive, sealed1.ETag, sealed1.LastModified)
			}
		}

		fx.clock.Set(t0.Add(30 * time.Second)) // the sixth is out: page 3 is full
		res = get("once the sixth is out", 2, since(open5.LastModified))
		if res.Entry.ETag == open5.ETag {
			t.Fatalf("page 2 did not gain next-archive when page 3 filled; the test no longer shows the case")
		}
		if res.NotModified || !res.Entry.LastModified.After(open5.LastModified) {
			t.Errorf("page 2 once sealed, If-Modified-Since %v: 304=%v, Last-Modified %v; want 200 and a later Last-Modified",
				open5.LastModified, res.NotModified, res.Entry.LastModified)
		}
		if !res.Entry.Archive || !res.Entry.Due.IsZero() {
			t.Errorf("page 2 of 6 (followed by a full page): Archive=%v Due=%v, want a sealed archive", res.Entry.Archive, res.Entry.Due)
		}
		sealed2 := res.Entry

		fx.clock.Set(t0.Add(time.Hour))
		if err := fx.articles.Create(ctx, &herald.Article{Title: "Seven", PublishedAt: t0.Add(time.Minute)}); err != nil { // another scope: no write here
			t.Fatal(err)
		}
		for page, e := range map[int]herald.Entry{1: sealed1, 2: sealed2} {
			if r := get("an hour later", page, since(e.LastModified)); !r.NotModified || r.Entry.ETag != e.ETag || !r.Entry.LastModified.Equal(e.LastModified) {
				t.Errorf("sealed page %d an hour later: 304=%v ETag %s Last-Modified %v, want 304 with %s, %v", page, r.NotModified, r.Entry.ETag, r.Entry.LastModified, e.ETag, e.LastModified)
			}
		}
	})
}
