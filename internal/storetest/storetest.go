// Package storetest is the conformance suite every herald.Store must pass,
// whatever the database behind it. A store's own tests call Run with a
// function that opens a fresh, empty store on a clock the suite controls.
//
// Beyond the herald.Store documentation, the suite pins down these
// contracts, so that the stores are interchangeable:
//   - times come back in UTC, truncated to whole seconds (UpdatedAt and
//     ChangedAt included, whatever the clock's sub-second part);
//   - empty lists (authors, categories, tags, enclosures) come back nil;
//   - a non-empty list comes back in the order it was written;
//   - a scope's display name is the one its newest visible article gives
//     it (the next scheduled one when none is visible yet);
//   - a scope's ChangedAt never moves backwards.
package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/herald-feeds/herald/internal/herald"
)

// Opener opens a fresh, empty store whose clock is now. The suite closes the
// store when the subtest ends; the opener cleans up anything else (files,
// schemas) with t.Cleanup.
type Opener func(t *testing.T, now func() time.Time) herald.Store

// namedTest is one conformance test.
type namedTest struct {
	name string
	fn   func(t *testing.T, h *harness)
}

// totalsTests check the scopes' totals, which a store may keep rather
// than count (RunTotals).
var totalsTests = []namedTest{
	{"TotalsFollowEveryWrite", testTotalsFollowEveryWrite},
	{"TotalsUnderConcurrentWrites", testTotalsUnderConcurrentWrites},
}

// RunTotals runs the tests of the scopes' totals alone, for a store
// configured to keep them in another way than Run's (say, folding its
// counts all the time).
func RunTotals(t *testing.T, open Opener) { runTests(t, open, totalsTests) }

// Run runs every conformance test as a subtest of t, each on its own store.
func Run(t *testing.T, open Opener) {
	tests := append([]namedTest{
		{"RoundTrip", testRoundTrip},
		{"EmptyLists", testEmptyLists},
		{"NotFound", testNotFound},
		{"CreateConflict", testCreateConflict},
		{"ReplaceNotFound", testReplaceNotFound},
		{"ReplaceMovesScopes", testReplaceMovesScopes},
		{"ReplaceConflict", testReplaceConflict},
		{"Delete", testDelete},
		{"FeedOrderAndPaging", testFeedOrderAndPaging},
		{"Scheduled", testScheduled},
		{"ScheduledWritesKeepChangedAt", testScheduledWritesKeepChangedAt},
		{"FeedHorizon", testFeedHorizon},
		{"ScopeNotFound", testScopeNotFound},
		{"ScopeKinds", testScopeKinds},
		{"ScopeName", testScopeName},
		{"ListArticles", testListArticles},
		{"ConcurrentWriters", testConcurrentWriters},
		{"RevisionsIncrease", testRevisionsIncrease},
		{"Scopes", testScopes},
		{"EpisodeFieldsReplaced", testEpisodeFieldsReplaced},
		{"PutArticle", testPutArticle},
		{"VersionBumps", testVersionBumps},
		{"FeedSeesEveryWrite", testFeedSeesEveryWrite},
		{"Undelivered", testUndelivered},
		{"Revisions", testRevisions},
		{"VersionCheck", testVersionCheck},
	}, totalsTests...)
	runTests(t, open, tests)
}

func runTests(t *testing.T, open Opener, tests []namedTest) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &clock{t: t0}
			s := open(t, clock.Now)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, &harness{s: s, clock: clock, ctx: context.Background()})
		})
	}
}

// t0 is where every subtest's clock starts.
var t0 = time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable time source, safe for the concurrent writers test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d and returns the new time.
func (c *clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// harness is what each conformance test works with.
type harness struct {
	s     herald.Store
	clock *clock
	ctx   context.Context
}

// article builds a valid article through Prepare, as the API would, with a
// fresh ID, published at pub, then applies each edit before Prepare.
func (h *harness) article(t *testing.T, title string, pub time.Time, edits ...func(*herald.Article)) *herald.Article {
	t.Helper()
	a := &herald.Article{ID: uuid.New().String(), Title: title, PublishedAt: pub}
	for _, e := range edits {
		e(a)
	}
	if err := a.Prepare("https://example.com", h.clock.Now(), herald.Limits{}); err != nil {
		t.Fatalf("Prepare(%q): %v", title, err)
	}
	return a
}

// create stores a and fails the test on any error.
func (h *harness) create(t *testing.T, a *herald.Article) *herald.Article {
	t.Helper()
	if err := h.s.CreateArticle(h.ctx, a); err != nil {
		t.Fatalf("CreateArticle(%q): %v", a.Slug, err)
	}
	return a
}

// feed reads a page of scope at now and fails the test on any error.
func (h *harness) feed(t *testing.T, scope herald.Scope, now time.Time, offset, limit int) *herald.FeedPage {
	t.Helper()
	p, err := h.s.Feed(h.ctx, herald.FeedQuery{Scope: scope, Now: now, Offset: offset, Limit: limit})
	if err != nil {
		t.Fatalf("Feed(%s): %v", scope, err)
	}
	return p
}

// get reads the article with id and fails the test on any error.
func (h *harness) get(t *testing.T, id string) *herald.Article {
	t.Helper()
	a, err := h.s.Article(h.ctx, id)
	if err != nil {
		t.Fatalf("Article(%s): %v", id, err)
	}
	return a
}

// inCategory, withTags and byAuthors are edits for harness.article.
func inCategory(names ...string) func(*herald.Article) {
	return func(a *herald.Article) { a.Categories = names }
}

func withTags(names ...string) func(*herald.Article) {
	return func(a *herald.Article) { a.Tags = names }
}

func byAuthors(names ...string) func(*herald.Article) {
	return func(a *herald.Article) {
		a.Authors = nil
		for _, n := range names {
			a.Authors = append(a.Authors, herald.Author{Name: n})
		}
	}
}

func category(name string) herald.Scope {
	return herald.Scope{Kind: herald.ScopeCategory, Slug: herald.Slugify(name)}
}

func tag(name string) herald.Scope {
	return herald.Scope{Kind: herald.ScopeTag, Slug: herald.Slugify(name)}
}

func author(name string) herald.Scope {
	return herald.Scope{Kind: herald.ScopeAuthor, Slug: herald.Slugify(name)}
}

// wantCode fails the test unless err is a *herald.Error with code and, when
// field is not empty, that field.
func wantCode(t *testing.T, op string, err error, code herald.Code, field string) {
	t.Helper()
	var he *herald.Error
	if !errors.As(err, &he) {
		t.Fatalf("%s: err=%v, want a *herald.Error with code %s", op, err, code)
	}
	if he.Code != code {
		t.Fatalf("%s: code=%s, want %s (err %v)", op, he.Code, code, err)
	}
	if field != "" && he.Field != field {
		t.Fatalf("%s: field=%q, want %q (err %v)", op, he.Field, field, err)
	}
}

// ids lists the IDs of arts, for order comparisons.
func ids(arts []*herald.Article) []string {
	out := make([]string, len(arts))
	for i, a := range arts {
		out[i] = a.ID
	}
	return out
}
