package service

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/cache"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/render"
	"github.com/herald-feeds/herald/internal/sqlite"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type fixture struct {
	clock    *clock
	store    cachingStore
	cache    *cache.Memory
	feeds    *Feeds
	articles *Articles
}

func testSite() Site {
	return Site{Title: "Test Site", BaseURL: "https://example.com", Language: "en", DefaultLimit: 20, MaxLimit: 100, CacheTTL: time.Hour}
}

// cachingStore is a store with the article cache `herald serve` gives it.
type cachingStore interface {
	herald.Store
	ArticleCache() *artcache.Cache
}

func newFixture(t testing.TB, r herald.Renderer) *fixture {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"),
		sqlite.Options{Now: c.Now, ArticleCache: artcache.DefaultMaxArticles, ArticleCacheBytes: artcache.DefaultMaxBytes})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return newFixtureOn(c, st, r)
}

// fixtureWithOne is newFixture holding one article, published an hour
// before the fixture's clock.
func fixtureWithOne(t *testing.T, r herald.Renderer) *fixture {
	t.Helper()
	fx := newFixture(t, r)
	if err := fx.articles.Create(context.Background(), &herald.Article{Title: "One", PublishedAt: fx.clock.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return fx
}

// newFixtureOn builds the services on st, whose clock is c.
func newFixtureOn(c *clock, st cachingStore, r herald.Renderer) *fixture {
	mc := cache.NewMemory(cache.MemoryOptions{Now: c.Now})
	if r == nil {
		r = render.New()
	}
	return &fixture{
		clock:    c,
		store:    st,
		cache:    mc,
		feeds:    NewFeeds(st, mc, r, testSite(), FeedsOptions{Now: c.Now}),
		articles: NewArticles(st, mc, testSite(), ArticlesOptions{Now: c.Now}),
	}
}

// slowRenderer holds every render until released, so a burst of requests
// is guaranteed to overlap the first render.
type slowRenderer struct {
	herald.Renderer
	calls   atomic.Int64
	release chan struct{}
}

func (s *slowRenderer) Render(f herald.Format, ch herald.Channel, a []*herald.Article) ([]byte, error) {
	s.calls.Add(1)
	<-s.release
	return s.Renderer.Render(f, ch, a)
}

func TestBurstOfMissesRendersOnce(t *testing.T) {
	sr := &slowRenderer{Renderer: render.New(), release: make(chan struct{})}
	fx := fixtureWithOne(t, sr)
	ctx := context.Background()
	key := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatRSS, Limit: 20}
	const n = 50
	var wg sync.WaitGroup
	etags := make([]string, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			res, err := fx.feeds.Get(ctx, key, nil)
			etags[i], errs[i] = res.Entry.ETag, err
		}(i)
	}
	// Wait until every request is either waiting on the flight or has
	// joined it: the render is blocked, so none can have finished.
	for fx.feeds.Stats().Misses.Load() < n {
		time.Sleep(time.Millisecond)
	}
	close(sr.release)
	wg.Wait()
	if got := sr.calls.Load(); got != 1 {
		t.Fatalf("renders=%d for %d concurrent misses, want 1", got, n)
	}
	for i := range etags {
		if errs[i] != nil || etags[i] != etags[0] {
			t.Fatalf("request %d: etag %q err %v, want %q", i, etags[i], errs[i], etags[0])
		}
	}
	// The next request is a hit.
	if _, err := fx.feeds.Get(ctx, key, nil); err != nil || fx.feeds.Stats().Hits.Load() != 1 {
		t.Fatalf("follow-up: err %v hits %d, want a hit", err, fx.feeds.Stats().Hits.Load())
	}
}

func TestScheduledArticleAppearsOnTime(t *testing.T) {
	fx := newFixture(t, nil)
	ctx := context.Background()
	now := fx.clock.Now()
	if err := fx.articles.Create(ctx, &herald.Article{Title: "Now", PublishedAt: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	due := now.Add(30 * time.Minute)
	if err := fx.articles.Create(ctx, &herald.Article{Title: "Later", PublishedAt: due}); err != nil {
		t.Fatal(err)
	}
	key := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatJSON, Limit: 20}
	before, err := fx.feeds.Get(ctx, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	if containsTitle(before.Entry.Body, "Later") {
		t.Fatalf("scheduled article is in the feed before its time")
	}
	fx.clock.Set(due.Add(time.Second))
	after, err := fx.feeds.Get(ctx, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !containsTitle(after.Entry.Body, "Later") {
		t.Fatalf("scheduled article missing after its time: the cached feed outlived it")
	}
	if !after.Entry.LastModified.After(before.Entry.LastModified) {
		t.Errorf("Last-Modified %v did not advance past %v when the article was published", after.Entry.LastModified, before.Entry.LastModified)
	}
	// A conditional request with the old ETag now gets the new feed.
	cond := herald.ParseCondition(before.Entry.ETag, "")
	if res, _ := fx.feeds.Get(ctx, key, cond); res.NotModified {
		t.Errorf("old ETag still answered 304 after the scheduled publication")
	}
}

func containsTitle(body []byte, title string) bool {
	return bytes.Contains(body, []byte(title))
}

// failingCache is a cache whose every call fails, as a dead Redis does.
type failingCache struct{ herald.Cache }

func (failingCache) Get(context.Context, herald.FeedKey, *herald.Condition) (herald.Lookup, error) {
	return herald.Lookup{}, context.DeadlineExceeded
}
func (failingCache) Put(context.Context, herald.FeedKey, string, herald.Entry, time.Duration) error {
	return context.DeadlineExceeded
}
func (failingCache) Invalidate(context.Context, []herald.Scope) error {
	return context.DeadlineExceeded
}
func (failingCache) Name() string { return "failing" }

func TestFailingCacheFallsBackToStore(t *testing.T) {
	fx := newFixture(t, nil)
	ctx := context.Background()
	feeds := NewFeeds(fx.store, failingCache{}, render.New(), testSite(), FeedsOptions{Now: fx.clock.Now})
	articles := NewArticles(fx.store, failingCache{}, testSite(), ArticlesOptions{Now: fx.clock.Now})
	if err := articles.Create(ctx, &herald.Article{Title: "Still saved", PublishedAt: fx.clock.Now().Add(-time.Minute)}); err != nil {
		t.Fatalf("create with a failing cache: %v, want the write to stand", err)
	}
	if articles.Stats().InvalidationErrors.Load() != 1 {
		t.Errorf("invalidation errors=%d, want 1", articles.Stats().InvalidationErrors.Load())
	}
	res, err := feeds.Get(ctx, herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatAtom, Limit: 20}, nil)
	if err != nil || !containsTitle(res.Entry.Body, "Still saved") {
		t.Fatalf("feed with a failing cache: err %v, body has the article=%v", err, containsTitle(res.Entry.Body, "Still saved"))
	}
	if feeds.Stats().CacheErrors.Load() == 0 {
		t.Errorf("cache errors not counted")
	}
}

func TestUpsertMatchesBySlugAndKeepsDate(t *testing.T) {
	fx := newFixture(t, nil)
	ctx := context.Background()
	orig := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	did, err := fx.articles.Upsert(ctx, &herald.Article{Title: "Imported", PublishedAt: orig})
	if err != nil || did != herald.UpsertCreated {
		t.Fatalf("first upsert: %v, %v; want created", did, err)
	}
	did, err = fx.articles.Upsert(ctx, &herald.Article{Title: "Imported", Summary: "edited"})
	if err != nil || did != herald.UpsertUpdated {
		t.Fatalf("second upsert: %v, %v; want an update", did, err)
	}
	did, err = fx.articles.Upsert(ctx, &herald.Article{Title: "Imported", Summary: "edited"})
	if err != nil || did != herald.UpsertUnchanged {
		t.Fatalf("third upsert, the same: %v, %v; want unchanged", did, err)
	}
	list, total, err := fx.articles.List(ctx, 0, 10)
	if err != nil || total != 1 {
		t.Fatalf("list: total %d err %v, want 1 article", total, err)
	}
	if list[0].Summary != "edited" || !list[0].PublishedAt.Equal(orig) {
		t.Errorf("after re-import: summary %q published %v, want edited and %v", list[0].Summary, list[0].PublishedAt, orig)
	}
}

// TestUpsertKeepsGivenIDs: an article that gives an id (a file in the
// API's JSON shape) is created with it, so a site moved by export and
// import keeps its items' identity in the feeds; it is matched by it
// before its slug, so a renamed slug updates it; an id that is not a UUID
// is refused, naming the field.
func TestUpsertKeepsGivenIDs(t *testing.T) {
	fx := newFixture(t, nil)
	ctx := context.Background()
	const id = "6f1c2e3a-4b5d-4e6f-8a9b-0c1d2e3f4a5b"
	did, err := fx.articles.Upsert(ctx, &herald.Article{ID: strings.ToUpper(id), Title: "Moved here"})
	if err != nil || did != herald.UpsertCreated {
		t.Fatalf("upsert with an id: %v, %v; want created", did, err)
	}
	if a, err := fx.articles.Get(ctx, id); err != nil || a.Slug != "moved-here" {
		t.Fatalf("the article under the given id: %v, %v", a, err)
	}
	did, err = fx.articles.Upsert(ctx, &herald.Article{ID: id, Title: "Moved here", Slug: "renamed"})
	if err != nil || did != herald.UpsertUpdated {
		t.Fatalf("upsert with the id and a new slug: %v, %v; want updated", did, err)
	}
	// Without an id, by slug as before, keeping the stored id.
	did, err = fx.articles.Upsert(ctx, &herald.Article{Title: "Moved here", Slug: "renamed", Summary: "s"})
	if err != nil || did != herald.UpsertUpdated {
		t.Fatalf("upsert by slug: %v, %v; want updated", did, err)
	}
	list, total, err := fx.articles.List(ctx, 0, 10)
	if err != nil || total != 1 || list[0].ID != id || list[0].Slug != "renamed" || list[0].Summary != "s" {
		t.Fatalf("after the upserts: %d articles, first %+v, err %v", total, list[0], err)
	}
	if _, err := fx.articles.Upsert(ctx, &herald.Article{ID: "abc", Title: "Bad id"}); herald.ErrorCode(err) != herald.EInvalid || herald.ErrorField(err) != "id" {
		t.Errorf("a non-UUID id: %v, want EInvalid on id", err)
	}
}

// TestUpsertMatchesTheSlugPrepareGives: an import predicts the slug
// Prepare will give, so a long title (whose slug Prepare cuts) and a
// decomposed one (which Prepare puts in NFC) are matched on re-import,
// not refused or duplicated.
func TestUpsertMatchesTheSlugPrepareGives(t *testing.T) {
	fx := newFixture(t, nil)
	ctx := context.Background()
	for _, title := range []string{strings.Repeat("日本語の記事", 60), "Cafe\u0301 notes", "Notes"} {
		for round, want := range []herald.Upserted{herald.UpsertCreated, herald.UpsertUnchanged} {
			a := &herald.Article{Title: title, PublishedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
			if title == "Notes" {
				a.Slug = "notes-by-hand" // a slug of its own, in NFC already
			}
			if did, err := fx.articles.Upsert(ctx, a); err != nil || did != want {
				t.Fatalf("upsert %d of %.20q: %v, %v; want %v", round+1, title, did, err, want)
			}
		}
	}
	if _, total, err := fx.articles.List(ctx, 0, 10); err != nil || total != 3 {
		t.Fatalf("list: total %d err %v, want 3 articles", total, err)
	}
}

// TestDecomposedNamesOfOlderBuilds: an article an older build stored with
// decomposed names (no NFC then) is filed under the slugs those names gave
// ("cafe" for "Cafe" + U+0301). Re-importing it matches it by that slug
// and keeps its URL; the write moves it to the NFC scope ("café") and
// invalidates the old one, whose cached feed must not list it any more.
func TestDecomposedNamesOfOlderBuilds(t *testing.T) {
	fx := newFixture(t, nil)
	ctx := context.Background()
	title, name := "Cafe\u0301 notes", "Cafe\u0301"
	old := &herald.Article{ID: "00000000-0000-4000-8000-0000000000aa", Title: "x", PublishedAt: fx.clock.Now().Add(-time.Hour)}
	if err := old.Prepare("https://example.com", fx.clock.Now(), herald.Limits{}); err != nil {
		t.Fatal(err)
	}
	// As an older build stored it: names as typed, slug without accent.
	old.Title, old.Slug, old.Categories = title, "cafe-notes", []string{name}
	if err := fx.store.CreateArticle(ctx, old); err != nil {
		t.Fatal(err)
	}
	oldScope := herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeCategory, Slug: "cafe"}, Format: herald.FormatAtom, Limit: 20}
	if res, err := fx.feeds.Get(ctx, oldScope, nil); err != nil || !containsTitle(res.Entry.Body, "notes") {
		t.Fatalf("the old scope before the re-import: %v", err)
	}
	did, err := fx.articles.Upsert(ctx, &herald.Article{Title: title, Summary: "again", Categories: []string{name}, PublishedAt: old.PublishedAt})
	if err != nil || did != herald.UpsertUpdated {
		t.Fatalf("re-import: %v, %v; want an update of the stored article", did, err)
	}
	list, total, err := fx.articles.List(ctx, 0, 10)
	if err != nil || total != 1 || list[0].ID != old.ID || list[0].Slug != "cafe-notes" {
		t.Fatalf("after the re-import: %d articles (err %v), %+v; want the one article, its slug kept", total, err, list)
	}
	if res, err := fx.feeds.Get(ctx, oldScope, nil); err == nil && containsTitle(res.Entry.Body, "notes") {
		t.Errorf("the old scope's feed still lists the article after it moved")
	}
	newScope := herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeCategory, Slug: "caf\u00e9"}, Format: herald.FormatAtom, Limit: 20}
	if res, err := fx.feeds.Get(ctx, newScope, nil); err != nil || !containsTitle(res.Entry.Body, "again") {
		t.Errorf("the NFC scope's feed: err %v, want the article", err)
	}
}
