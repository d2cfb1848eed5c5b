package storetest

import (
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/storecopy"
)

// feedOrder sorts arts the way every feed lists them: newest PublishedAt
// first, ties by ID.
func feedOrder(arts []*herald.Article) []*herald.Article {
	out := append([]*herald.Article(nil), arts...)
	sort.Slice(out, func(i, j int) bool {
		if !out[i].PublishedAt.Equal(out[j].PublishedAt) {
			return out[i].PublishedAt.After(out[j].PublishedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func testFeedOrderAndPaging(t *testing.T, h *harness) {
	// Three articles share one second, so their order rests on the ID alone;
	// they are created in an order unrelated to the expected one.
	var all []*herald.Article
	for i, offset := range []time.Duration{-3 * time.Hour, -time.Hour, -time.Hour, -5 * time.Hour, -time.Hour, -2 * time.Hour} {
		a := h.article(t, fmt.Sprintf("Article %d", i), t0.Add(offset), inCategory("All"), withTags(fmt.Sprintf("t%d", i)))
		all = append(all, h.create(t, a))
	}
	want := feedOrder(all)

	for _, sc := range []herald.Scope{herald.SiteScope, category("All")} {
		p := h.feed(t, sc, t0, 0, 100)
		wantArticles(t, "Feed("+sc.Key()+")", p.Articles, want)
		if p.Total != len(all) {
			t.Fatalf("Feed(%s) total=%d, want %d", sc, p.Total, len(all))
		}
		tests := []struct{ offset, limit, from, to int }{
			{0, 2, 0, 2},
			{2, 2, 2, 4},
			{4, 2, 4, 6},
			{5, 10, 5, 6},
			{6, 10, 6, 6},
			{100, 10, 6, 6},
		}
		for _, tc := range tests {
			p := h.feed(t, sc, t0, tc.offset, tc.limit)
			if got, w := ids(p.Articles), ids(want[tc.from:tc.to]); !reflect.DeepEqual(got, w) {
				t.Fatalf("Feed(%s, offset %d, limit %d)=%q, want %q", sc, tc.offset, tc.limit, got, w)
			}
			if p.Total != len(all) {
				t.Fatalf("Feed(%s, offset %d) total=%d, want %d", sc, tc.offset, p.Total, len(all))
			}
		}
	}
	// Repeated reads agree: the order is a property of the data.
	first := ids(h.feed(t, herald.SiteScope, t0, 0, 100).Articles)
	if again := ids(h.feed(t, herald.SiteScope, t0, 0, 100).Articles); !reflect.DeepEqual(first, again) {
		t.Fatalf("second read=%q, want %q", again, first)
	}
}

func testScheduled(t *testing.T, h *harness) {
	past := h.create(t, h.article(t, "Past", t0.Add(-time.Hour), inCategory("Shows")))
	soon := h.create(t, h.article(t, "Soon", t0.Add(2*time.Hour), inCategory("Shows")))
	later := h.create(t, h.article(t, "Later", t0.Add(5*time.Hour), inCategory("Shows"), withTags("Future Only")))

	p := h.feed(t, category("Shows"), t0, 0, 10)
	wantArticles(t, "Feed before publication", p.Articles, []*herald.Article{past})
	if p.Total != 1 {
		t.Fatalf("total=%d before publication, want 1", p.Total)
	}
	wantTime(t, "NextPublish", p.NextPublish, soon.PublishedAt)

	// A scope whose articles are all scheduled does not exist yet: neither
	// its feed nor its name shows before the first of them, to the second.
	_, err := h.s.Feed(h.ctx, herald.FeedQuery{Scope: tag("Future Only"), Now: later.PublishedAt.Add(-time.Second), Limit: 10})
	wantCode(t, "Feed(scheduled-only tag)", err, herald.ENotFound, "")
	p = h.feed(t, tag("Future Only"), later.PublishedAt, 0, 10)
	wantArticles(t, "scheduled-only tag when due", p.Articles, []*herald.Article{later})
	if p.Name != "Future Only" {
		t.Fatalf("tag name=%q when due, want %q", p.Name, "Future Only")
	}

	// Visibility follows the query's Now, second by second; no write needed.
	p = h.feed(t, category("Shows"), soon.PublishedAt.Add(-time.Second), 0, 10)
	wantArticles(t, "Feed one second before", p.Articles, []*herald.Article{past})
	p = h.feed(t, category("Shows"), soon.PublishedAt, 0, 10)
	wantArticles(t, "Feed at publication", p.Articles, []*herald.Article{soon, past})
	wantTime(t, "NextPublish after the first", p.NextPublish, later.PublishedAt)
	p = h.feed(t, herald.SiteScope, later.PublishedAt.Add(time.Hour), 0, 10)
	wantArticles(t, "Feed after all", p.Articles, []*herald.Article{later, soon, past})
	if !p.NextPublish.IsZero() {
		t.Fatalf("NextPublish=%v with nothing scheduled, want zero", p.NextPublish)
	}
}

func testScopeNotFound(t *testing.T, h *harness) {
	// The site exists even in an empty store.
	p := h.feed(t, herald.SiteScope, t0, 0, 10)
	if len(p.Articles) != 0 || p.Total != 0 || p.Revision != 0 || !p.ChangedAt.IsZero() || !p.NextPublish.IsZero() || p.Name != "" {
		t.Fatalf("empty site=%+v, want a zero page", p)
	}
	h.create(t, h.article(t, "Something", t0, inCategory("Real"), withTags("real"), byAuthors("Real Person")))
	for _, sc := range []herald.Scope{category("unknown"), tag("unknown"), author("Nobody"), tag("real-person"), category("real-person")} {
		_, err := h.s.Feed(h.ctx, herald.FeedQuery{Scope: sc, Now: t0, Limit: 10})
		wantCode(t, "Feed("+sc.Key()+")", err, herald.ENotFound, "")
	}
}

func testScopeKinds(t *testing.T, h *harness) {
	a := h.create(t, h.article(t, "First", t0.Add(-2*time.Hour), inCategory("Go"), withTags("Concurrency", "Tips"), byAuthors("Ann Lee", "Bo Chen")))
	b := h.create(t, h.article(t, "Second", t0.Add(-time.Hour), inCategory("Rust"), withTags("Concurrency"), byAuthors("Ann Lee")))
	c := h.create(t, h.article(t, "Third", t0.Add(-30*time.Minute), withTags("Tips")))
	tests := []struct {
		scope herald.Scope
		want  []*herald.Article
	}{
		{herald.SiteScope, []*herald.Article{c, b, a}},
		{category("Go"), []*herald.Article{a}},
		{category("Rust"), []*herald.Article{b}},
		{tag("Concurrency"), []*herald.Article{b, a}},
		{tag("Tips"), []*herald.Article{c, a}},
		{herald.Scope{Kind: herald.ScopeAuthor, Slug: "ann-lee"}, []*herald.Article{b, a}},
		{herald.Scope{Kind: herald.ScopeAuthor, Slug: "bo-chen"}, []*herald.Article{a}},
	}
	for _, tc := range tests {
		p := h.feed(t, tc.scope, t0, 0, 10)
		wantArticles(t, "Feed("+tc.scope.Key()+")", p.Articles, tc.want)
		if p.Total != len(tc.want) {
			t.Fatalf("Feed(%s) total=%d, want %d", tc.scope, p.Total, len(tc.want))
		}
	}
}

func testScopeName(t *testing.T, h *harness) {
	h.create(t, h.article(t, "Old", t0.Add(-3*time.Hour), inCategory("GO & rust"), withTags("naïve"), byAuthors("zoë ångström")))
	h.create(t, h.article(t, "New", t0.Add(-time.Hour), inCategory("Go & Rust"), withTags("Naïve"), byAuthors("Zoë Ångström")))
	// Scheduled and spelled differently again: not shown before it appears.
	h.create(t, h.article(t, "Next", t0.Add(time.Hour), inCategory("go & RUST")))
	tests := []struct {
		scope herald.Scope
		now   time.Time
		want  string
	}{
		{herald.SiteScope, t0, ""},
		{category("Go & Rust"), t0, "Go & Rust"},
		{tag("naïve"), t0, "Naïve"},
		{author("Zoë Ångström"), t0, "Zoë Ångström"},
		{category("Go & Rust"), t0.Add(-2 * time.Hour), "GO & rust"},
		{category("Go & Rust"), t0.Add(2 * time.Hour), "go & RUST"},
	}
	for _, tc := range tests {
		if got := h.feed(t, tc.scope, tc.now, 0, 10).Name; got != tc.want {
			t.Fatalf("Feed(%s at %v).Name=%q, want %q", tc.scope, tc.now, got, tc.want)
		}
	}
	// Before any of its articles appears, the scope has no name to give.
	_, err := h.s.Feed(h.ctx, herald.FeedQuery{Scope: category("Go & Rust"), Now: t0.Add(-4 * time.Hour), Limit: 10})
	wantCode(t, "Feed(category before its first article)", err, herald.ENotFound, "")
	if got, want := author("Zoë Ångström").Slug, "zoë-ångström"; got != want {
		t.Fatalf("author slug=%q, want %q", got, want)
	}
}

// testScheduledWritesKeepChangedAt: a write that only touches scheduled
// articles invalidates its scopes (their next publication may move) but
// does not move their change time, so a feed rendered again has the same
// bytes and Last-Modified; a write that shows or hides an article does.
func testScheduledWritesKeepChangedAt(t *testing.T, h *harness) {
	target, err := storecopy.AsTarget(h.s)
	if err != nil {
		t.Fatalf("store %T: %v", h.s, err)
	}
	// On an empty store, a scheduled article creates the site's record
	// without giving it a change: the empty feed stays undated.
	h.create(t, h.article(t, "Early bird", t0.Add(72*time.Hour), inCategory("Shows")))
	if p := h.feed(t, herald.SiteScope, t0, 0, 10); p.Revision != 1 || !p.ChangedAt.IsZero() || !p.LastModified().IsZero() {
		t.Fatalf("site after a scheduled first write: revision %d, ChangedAt %v, LastModified %v; want 1 and none", p.Revision, p.ChangedAt, p.LastModified())
	}
	shown := h.create(t, h.article(t, "Shown", t0.Add(-time.Hour), inCategory("Shows")))
	h.create(t, h.article(t, "Stays", t0.Add(-2*time.Hour), inCategory("Shows"))) // keeps the category when Shown hides
	scopes := []herald.Scope{herald.SiteScope, category("Shows")}
	// check reads each scope at the clock's time and wants its revision
	// one past the last check's and its ChangedAt at changed.
	revisions := map[string]int64{}
	for _, sc := range scopes {
		revisions[sc.Key()] = h.feed(t, sc, h.clock.Now(), 0, 10).Revision
	}
	check := func(step string, changed time.Time) {
		t.Helper()
		for _, sc := range scopes {
			p := h.feed(t, sc, h.clock.Now(), 0, 10)
			if p.Revision <= revisions[sc.Key()] {
				t.Fatalf("%s: %s revision=%d, want above %d", step, sc.Key(), p.Revision, revisions[sc.Key()])
			}
			revisions[sc.Key()] = p.Revision
			wantTime(t, step+": "+sc.Key()+" ChangedAt", p.ChangedAt, changed)
		}
	}

	h.clock.Advance(time.Minute)
	future := h.create(t, h.article(t, "Future", t0.Add(48*time.Hour), inCategory("Shows"), withTags("Premiere")))
	check("scheduled create", t0)
	// A scope the scheduled article brings into being appears with it.
	wantTime(t, "new tag's LastModified when due", h.feed(t, tag("Premiere"), future.PublishedAt, 0, 10).LastModified(), future.PublishedAt)

	h.clock.Advance(time.Minute)
	edited := future.Clone()
	edited.Title = "Future, retitled"
	edited.PublishedAt = t0.Add(24 * time.Hour)
	if _, err := h.s.ReplaceArticle(h.ctx, edited); err != nil {
		t.Fatalf("ReplaceArticle(scheduled): %v", err)
	}
	check("scheduled replace", t0)

	h.clock.Advance(time.Minute)
	put := edited.Clone()
	put.Summary = "put while scheduled"
	if _, err := target.PutArticle(h.ctx, put); err != nil {
		t.Fatalf("PutArticle(scheduled): %v", err)
	}
	check("scheduled put", t0)

	h.clock.Advance(time.Minute)
	if _, err := h.s.DeleteArticle(h.ctx, future.ID); err != nil {
		t.Fatalf("DeleteArticle(scheduled): %v", err)
	}
	check("scheduled delete", t0)

	// Hiding a shown article behind a future date is a change now.
	hiddenAt := h.clock.Advance(time.Minute)
	hidden := shown.Clone()
	hidden.PublishedAt = t0.Add(time.Hour)
	if _, err := h.s.ReplaceArticle(h.ctx, hidden); err != nil {
		t.Fatalf("ReplaceArticle(hide): %v", err)
	}
	check("hiding replace", hiddenAt)

	// Showing it again, by moving its date into the past, is one too.
	showAt := h.clock.Advance(time.Minute)
	again := hidden.Clone()
	again.PublishedAt = t0.Add(-time.Hour)
	if _, err := h.s.ReplaceArticle(h.ctx, again); err != nil {
		t.Fatalf("ReplaceArticle(show): %v", err)
	}
	check("showing replace", showAt)

	// A scheduled article coming due needs no write: Last-Modified moves
	// to its publication while ChangedAt stays.
	due := h.create(t, h.article(t, "Due", showAt.Add(time.Hour), inCategory("Shows")))
	check("scheduled create before coming due", showAt)
	p := h.feed(t, category("Shows"), due.PublishedAt, 0, 10)
	wantTime(t, "ChangedAt when due", p.ChangedAt, showAt)
	wantTime(t, "LastModified when due", p.LastModified(), due.PublishedAt)
}

// testFeedHorizon: FeedPage.Horizon is the publication of the newest
// visible article among the page and the Limit articles just newer than
// it, read in the page's snapshot, and it follows Now with no write: a
// history page's links change with those articles (service/paging.go), so
// its Last-Modified must too.
func testFeedHorizon(t *testing.T, h *harness) {
	var arts []*herald.Article // oldest first
	for i := range 5 {
		arts = append(arts, h.create(t, h.article(t, fmt.Sprintf("Horizon %d", i), t0.Add(time.Duration(i-5)*time.Hour), inCategory("Pagecat"))))
	}
	due := h.create(t, h.article(t, "Horizon due", t0.Add(8*time.Second), inCategory("Pagecat")))
	newest := arts[4].PublishedAt
	for _, sc := range []herald.Scope{herald.SiteScope, category("Pagecat")} {
		for _, tc := range []struct {
			now           time.Time
			offset, limit int
			want          time.Time
		}{
			{t0, 0, 2, newest},                           // the subscription document: its own newest
			{t0, 1, 2, newest},                           // page 2 of 5 by 2, fewer than Limit newer: the scope's newest
			{t0, 3, 2, arts[3].PublishedAt},              // page 1 of 5 by 2: page 2's newest
			{t0, 2, 2, newest},                           // exactly Limit newer: the newest of them
			{t0, 4, 1, arts[1].PublishedAt},              // the article just newer
			{t0, 2, 0, newest},                           // no limit
			{t0, 100, 2, time.Time{}},                    // past the end: nothing there
			{due.PublishedAt, 2, 2, due.PublishedAt},     // the scheduled article has come due
			{due.PublishedAt, 4, 2, arts[3].PublishedAt}, // page 1 of 6 by 2: page 2's newest
			{due.PublishedAt, 0, 2, due.PublishedAt},
		} {
			p := h.feed(t, sc, tc.now, tc.offset, tc.limit)
			wantTime(t, fmt.Sprintf("%s at %s, offset %d limit %d: Horizon", sc.Key(), tc.now.Format(time.TimeOnly), tc.offset, tc.limit), p.Horizon, tc.want)
		}
	}
	// Page 2 of 5 by 2 is full but page 3 is not: its links change when
	// the scheduled article comes due, and its LastModified moves then,
	// with no write. Once page 3 is full, page 2's bytes stop changing
	// and so does its LastModified.
	before := h.feed(t, category("Pagecat"), t0, 1, 2).LastModified()
	wantTime(t, "page 2 of 5 by 2: LastModified", before, t0) // the writes' time
	sealed := h.feed(t, category("Pagecat"), due.PublishedAt, 2, 2).LastModified()
	wantTime(t, "page 2 of 6 by 2 once the scheduled article is out: LastModified", sealed, due.PublishedAt)
	wantTime(t, "page 2 of 6 by 2 an hour later: LastModified", h.feed(t, category("Pagecat"), due.PublishedAt.Add(time.Hour), 2, 2).LastModified(), sealed)
}
