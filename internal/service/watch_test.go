package service

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// invalidationLog is a cache that records what it is told to invalidate,
// and can be made to fail.
type invalidationLog struct {
	herald.Cache
	fail bool
	got  [][]herald.Scope
}

func (c *invalidationLog) Invalidate(_ context.Context, scopes []herald.Scope) error {
	if c.fail {
		return errors.New("cache down")
	}
	c.got = append(c.got, slices.SortedFunc(slices.Values(scopes), func(a, b herald.Scope) int {
		return strings.Compare(a.Key(), b.Key())
	}))
	return nil
}

// TestStoreWatchInvalidatesWhatWasWritten: a check after writes
// invalidates exactly the scopes they touched, a check with nothing
// written reads only the site's revision and invalidates nothing, and a
// check whose invalidation failed is repeated by the next.
func TestStoreWatchInvalidatesWhatWasWritten(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t, nil)
	old := &herald.Article{Title: "Old", Categories: []string{"News"}, PublishedAt: fx.clock.Now().Add(-time.Hour)}
	if err := fx.articles.Create(ctx, old); err != nil {
		t.Fatal(err)
	}
	log := &invalidationLog{}
	w, err := NewStoreWatch(ctx, fx.store, log, time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := w.Poll(ctx); err != nil || n != 0 || len(log.got) != 0 {
		t.Fatalf("Poll with nothing written = %d, %v (invalidated %v), want 0 and nothing", n, err, log.got)
	}

	// Written elsewhere: the watch's cache is not the one the services use.
	if err := fx.articles.Create(ctx, &herald.Article{Title: "New", Tags: []string{"Fresh"}, PublishedAt: fx.clock.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	log.fail = true
	if _, err := w.Poll(ctx); err == nil {
		t.Fatal("Poll with the cache failing succeeded")
	}
	log.fail = false
	if err := fx.articles.Delete(ctx, old.ID); err != nil {
		t.Fatal(err)
	}
	n, err := w.Poll(ctx)
	want := [][]herald.Scope{{{Kind: herald.ScopeCategory, Slug: "news"}, herald.SiteScope, {Kind: herald.ScopeTag, Slug: "fresh"}}}
	if err != nil || n != 3 || !reflect.DeepEqual(log.got, want) {
		t.Fatalf("Poll after two writes = %d, %v, invalidated %v; want 3 and %v", n, err, log.got, want)
	}
	if n, _ := w.Poll(ctx); n != 0 {
		t.Fatalf("Poll again = %d, want 0", n)
	}

	// This process's own writes, handed over by Articles, are not
	// invalidated a second time.
	fx.articles.WatchWrites(w.Seen)
	log.got = nil
	if err := fx.articles.Create(ctx, &herald.Article{Title: "Mine", Tags: []string{"Fresh"}, PublishedAt: fx.clock.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if n, err := w.Poll(ctx); err != nil || n != 0 || len(log.got) != 0 {
		t.Fatalf("Poll after this process's own write = %d, %v (invalidated %v), want 0 and nothing", n, err, log.got)
	}
}

// BenchmarkStoreWatchIdle is what a check costs when nothing was
// written: the site scope's revision, read from SQLite.
func BenchmarkStoreWatchIdle(b *testing.B) {
	ctx := context.Background()
	fx := newFixture(b, nil)
	if err := fx.articles.Create(ctx, &herald.Article{Title: "One", PublishedAt: fx.clock.Now().Add(-time.Hour)}); err != nil {
		b.Fatal(err)
	}
	w, err := NewStoreWatch(ctx, fx.store, &invalidationLog{}, time.Hour, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if n, err := w.Poll(ctx); err != nil || n != 0 {
			b.Fatalf("Poll = %d, %v", n, err)
		}
	}
}

// failingRevisions is a store whose Revisions fail once fail is set.
type failingRevisions struct {
	herald.Store
	fail  atomic.Bool
	calls atomic.Int64
}

func (f *failingRevisions) Revisions(ctx context.Context, scopes []herald.Scope) (map[herald.Scope]int64, error) {
	f.calls.Add(1)
	if f.fail.Load() {
		return nil, errors.New("database away")
	}
	return f.Store.Revisions(ctx, scopes)
}

// TestStoreWatchThrottlesItsWarnings: a database that stays away is
// reported once per interval, not at every check.
func TestStoreWatchThrottlesItsWarnings(t *testing.T) {
	fx := newFixture(t, nil)
	st := &failingRevisions{Store: fx.store}
	var logs bytes.Buffer
	w, err := NewStoreWatch(context.Background(), st, &invalidationLog{}, time.Millisecond, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	st.fail.Store(true)
	w.Start()
	for deadline := time.Now().Add(10 * time.Second); st.calls.Load() < 20; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d checks in 10 s", st.calls.Load())
		}
	}
	w.Close()
	if n := strings.Count(logs.String(), "could not check the database"); n != 1 {
		t.Fatalf("%d warnings over %d failed checks, want 1:\n%s", n, st.calls.Load(), logs.String())
	}
}

// BenchmarkStoreWatchAfterWrite is what a check costs once something was
// written: every scope's revision read and compared, here 10,001 scopes
// (the site and 10,000 tags) on SQLite.
func BenchmarkStoreWatchAfterWrite(b *testing.B) {
	ctx := context.Background()
	fx := newFixture(b, nil)
	for i := range 100 {
		tags := make([]string, 100)
		for j := range tags {
			tags[j] = "tag " + strconv.Itoa(i*100+j)
		}
		if err := fx.articles.Create(ctx, &herald.Article{Title: "A" + strconv.Itoa(i), Tags: tags, PublishedAt: fx.clock.Now().Add(-time.Hour)}); err != nil {
			b.Fatal(err)
		}
	}
	w, err := NewStoreWatch(ctx, fx.store, &invalidationLog{}, time.Hour, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		if err := fx.articles.Create(ctx, &herald.Article{Title: "W" + strconv.Itoa(i), PublishedAt: fx.clock.Now().Add(-time.Hour)}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if n, err := w.Poll(ctx); err != nil || n != 1 {
			b.Fatalf("Poll = %d, %v; want the site only", n, err)
		}
	}
}
