package service

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/render"
)

// outageStore puts a real store behind a switch: while down, reads of
// feeds fail as a store that cannot be reached does.
type outageStore struct {
	herald.Store
	down atomic.Bool
}

func (s *outageStore) Feed(ctx context.Context, q herald.FeedQuery) (*herald.FeedPage, error) {
	if s.down.Load() {
		return nil, &herald.Error{Code: herald.EUnavailable, Message: "the database is unavailable"}
	}
	return s.Store.Feed(ctx, q)
}

func TestStaleIfError(t *testing.T) {
	fx := newFixture(t, nil)
	ctx := context.Background()
	st := &outageStore{Store: fx.store}
	const maxStale = 3 * time.Hour
	feeds := NewFeeds(st, fx.cache, render.New(), testSite(), FeedsOptions{Now: fx.clock.Now, MaxStale: maxStale, StaleEntries: 10})
	site := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatAtom, Limit: 20}
	goFeed := herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeCategory, Slug: "go"}, Format: herald.FormatRSS, Limit: 20}
	if err := fx.articles.Create(ctx, &herald.Article{Title: "First", Categories: []string{"Go"}, PublishedAt: fx.clock.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	good, err := feeds.Get(ctx, site, nil)
	if err != nil {
		t.Fatalf("first read: %v", err)
	}
	if _, err := feeds.Get(ctx, goFeed, nil); err != nil {
		t.Fatalf("first read of the category: %v", err)
	}
	// The cached renderings expire (testSite's CacheTTL is an hour), so
	// the next reads miss and must go to the store, which is down.
	st.down.Store(true)
	elapsed := testSite().CacheTTL + time.Minute
	fx.clock.Set(fx.clock.Now().Add(elapsed))

	res, err := feeds.Get(ctx, site, nil)
	if err != nil || !res.Stale || res.Entry.ETag != good.Entry.ETag {
		t.Fatalf("read with the store down: err=%v stale=%v etag=%q, want the last good rendering %q", err, res.Stale, res.Entry.ETag, good.Entry.ETag)
	}
	if res.Age != elapsed {
		t.Errorf("age=%v, want %v", res.Age, elapsed)
	}
	if res, err := feeds.Get(ctx, site, herald.ParseCondition(good.Entry.ETag, "")); err != nil || !res.NotModified {
		t.Errorf("conditional read of the stale rendering: err=%v notModified=%v, want 304", err, res.NotModified)
	}
	if feeds.Stats().StaleServed.Load() != 2 {
		t.Errorf("stale served=%d, want 2", feeds.Stats().StaleServed.Load())
	}

	never := herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeCategory, Slug: "go"}, Format: herald.FormatJSON, Limit: 20}
	if _, err := feeds.Get(ctx, never, nil); herald.ErrorCode(err) != herald.EUnavailable {
		t.Errorf("never-rendered feed with the store down: err=%v, want %q", err, herald.EUnavailable)
	}

	// A write this process acknowledged (the store takes writes; only its
	// feed reads fail) supersedes the recorded rendering: serving it would
	// show the feed as it was before the write, on the replica that wrote.
	if err := fx.articles.Create(ctx, &herald.Article{Title: "Second", PublishedAt: fx.clock.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if res, err := feeds.Get(ctx, site, nil); herald.ErrorCode(err) != herald.EUnavailable {
		t.Errorf("read after a write, store down: err=%v stale=%v, want %q, not the rendering the write superseded", err, res.Stale, herald.EUnavailable)
	}
	// The write left the category alone: its rendering still stands in.
	if res, err := feeds.Get(ctx, goFeed, nil); err != nil || !res.Stale {
		t.Errorf("category the write did not touch, store down: err=%v stale=%v, want its last good rendering", err, res.Stale)
	}

	// Past the maximum staleness nothing stands in.
	fx.clock.Set(fx.clock.Now().Add(maxStale))
	if _, err := feeds.Get(ctx, goFeed, nil); herald.ErrorCode(err) != herald.EUnavailable {
		t.Errorf("read past the maximum staleness: err=%v, want %q", err, herald.EUnavailable)
	}

	st.down.Store(false)
	res, err = feeds.Get(ctx, site, nil)
	if err != nil || res.Stale || !containsTitle(res.Entry.Body, "Second") {
		t.Fatalf("read after recovery: err=%v stale=%v, want a fresh feed with the second article", err, res.Stale)
	}
}

// TestStaleRecordIsBounded: the record forgets the least recently
// confirmed key beyond its count, and never keeps more bytes than allowed.
func TestStaleRecordIsBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := newStaleRecord(time.Hour, 2, 10)
	entry := func(body string) herald.Entry { return herald.Entry{Body: []byte(body), ETag: `"` + body + `"`} }
	r.remember(staleKey("a"), entry("aaaa"), "", now)
	r.remember(staleKey("b"), entry("bbbb"), "", now)
	// Confirmations within refreshEvery of the last change nothing: the
	// hot path stays on the read lock.
	r.confirm(staleKey("a"), `"aaaa"`, "", now.Add(refreshEvery/2))
	if _, age, _ := r.lookup(staleKey("a"), "", now.Add(refreshEvery/2)); age != refreshEvery/2 {
		t.Errorf("age after a confirmation within refreshEvery = %v, want %v", age, refreshEvery/2)
	}
	now = now.Add(refreshEvery)
	r.confirm(staleKey("a"), `"aaaa"`, "", now) // a is now the most recent
	if _, age, _ := r.lookup(staleKey("a"), "", now); age != 0 {
		t.Errorf("age after a confirmation past refreshEvery = %v, want 0", age)
	}
	r.remember(staleKey("c"), entry("cccc"), "", now)
	for key, want := range map[string]bool{"a": true, "b": false, "c": true} {
		if _, _, ok := r.lookup(staleKey(key), "", now); ok != want {
			t.Errorf("lookup(%q) found=%v, want %v", key, ok, want)
		}
	}
	r.remember(staleKey("d"), entry("dddddddd"), "", now) // 4+8 bytes > 10: only d fits with nothing else
	if r.bytes > 10 {
		t.Errorf("bytes=%d, want at most 10", r.bytes)
	}
	if _, _, ok := r.lookup(staleKey("d"), "", now); !ok {
		t.Errorf("the newest entry was evicted")
	}
	r.remember(staleKey("e"), entry("far too large"), "", now)
	if _, _, ok := r.lookup(staleKey("e"), "", now); ok {
		t.Errorf("an entry larger than the byte bound was kept")
	}
	var off *staleRecord = newStaleRecord(0, 10, 0)
	off.remember(staleKey("x"), entry("x"), "", now)
	if _, _, ok := off.lookup(staleKey("x"), "", now); ok {
		t.Errorf("a disabled record kept an entry")
	}
}

// staleKey names a test feed by a letter.
func staleKey(name string) herald.FeedKey {
	return herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeTag, Slug: name}, Format: herald.FormatRSS}
}

// TestStaleRecordFastPath: within refreshEvery a confirmation of the same
// rendering changes nothing, but a new rendering (another ETag) or the
// same one now with its compressed variants is recorded at once.
func TestStaleRecordFastPath(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := newStaleRecord(time.Hour, 10, 1<<20)
	k := staleKey("a")
	r.remember(k, herald.Entry{Body: []byte("one"), ETag: `"1"`}, "", now)
	soon := now.Add(refreshEvery / 4)
	r.remember(k, herald.Entry{Body: []byte("two"), ETag: `"2"`}, "", soon)
	if e, age, ok := r.lookup(k, "", soon); !ok || e.ETag != `"2"` || age != 0 {
		t.Fatalf("after a new rendering: %q age %v found %v, want the new one, just seen", e.ETag, age, ok)
	}
	later := soon.Add(refreshEvery / 4)
	r.remember(k, herald.Entry{Body: []byte("two"), ETag: `"2"`, Variants: herald.Variants{Gzip: []byte("gz")}}, "", later)
	if e, _, _ := r.lookup(k, "", later); e.Variants.Gzip == nil {
		t.Errorf("the same rendering with its variants was not recorded")
	}
	r.remember(k, herald.Entry{Body: []byte("two"), ETag: `"2"`}, "", later.Add(refreshEvery/4))
	if e, _, _ := r.lookup(k, "", later); e.Variants.Gzip == nil {
		t.Errorf("a hit without variants dropped the recorded ones within refreshEvery")
	}
}

// evictingCache passes everything to a real cache until evicted is set;
// from then on every scope's revision is one it minted after forgetting
// the old one, as the in-process cache does when it holds too many (the
// first lookup reports it minted, later ones find it).
type evictingCache struct {
	herald.Cache
	evicted bool
	minted  map[herald.Scope]bool
}

func (c *evictingCache) Get(ctx context.Context, k herald.FeedKey, cond *herald.Condition) (herald.Lookup, error) {
	if !c.evicted {
		return c.Cache.Get(ctx, k, cond)
	}
	first := !c.minted[k.Scope]
	c.minted[k.Scope] = true
	return herald.Lookup{Revision: "minted-" + k.Scope.Key(), Minted: first}, nil
}

// TestStaleSurvivesAnEvictedRevision: the in-process cache forgets
// revisions when it holds too many (requests for scopes that do not exist
// mint them too); a revision minted again says nothing of writes, so the
// last good rendering still stands in during a store outage, on every
// request, not only the first.
func TestStaleSurvivesAnEvictedRevision(t *testing.T) {
	fx := newFixture(t, nil)
	ctx := context.Background()
	st := &outageStore{Store: fx.store}
	c := &evictingCache{Cache: fx.cache, minted: map[herald.Scope]bool{}}
	feeds := NewFeeds(st, c, render.New(), testSite(), FeedsOptions{Now: fx.clock.Now, MaxStale: 3 * time.Hour, StaleEntries: 10})
	site := herald.FeedKey{Scope: herald.SiteScope, Format: herald.FormatAtom, Limit: 20}
	if err := fx.articles.Create(ctx, &herald.Article{Title: "Kept", PublishedAt: fx.clock.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	good, err := feeds.Get(ctx, site, nil)
	if err != nil {
		t.Fatal(err)
	}
	st.down.Store(true)
	c.evicted = true
	for i := range 3 {
		res, err := feeds.Get(ctx, site, nil)
		if err != nil || !res.Stale || res.Entry.ETag != good.Entry.ETag {
			t.Fatalf("read %d with the store down, the site's revision evicted: err=%v stale=%v; want the last good rendering", i, err, res.Stale)
		}
	}
}
