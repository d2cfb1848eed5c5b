package storetest

import (
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// richArticle fills every field, with several entries in each list and
// text outside ASCII.
func (h *harness) richArticle(t *testing.T) *herald.Article {
	t.Helper()
	return h.article(t, "Ünïcödé & „Quotes“: 日本語のタイトル", t0.Add(-time.Hour), func(a *herald.Article) {
		a.Slug = "unicode-quotes"
		a.Summary = "Zusammenfassung mit Umlauten — äöü, emoji 🎙️, and <b>markup</b>."
		a.ContentHTML = "<p>Ελληνικά, русский, עברית, 中文.</p>\n<p>Second paragraph &amp; entity.</p>"
		a.Language = "pt-BR"
		a.Image = "https://cdn.example.com/images/cover.jpg"
		a.Authors = []herald.Author{
			{Name: "Zoë Ångström", Email: "zoe@example.com", URL: "https://zoe.example.com/"},
			{Name: "Bob"},
			{Name: "李小龍", URL: "https://example.org/li"},
		}
		a.Categories = []string{"Podcasts", "Go & Rust", "Développement"}
		a.Tags = []string{"naïve", "日本語", "audio", "zeta"}
		a.Enclosures = []herald.Enclosure{
			{URL: "https://cdn.example.com/ep1.mp3", Type: "audio/mpeg", Length: 12345678, Duration: 3723},
			{URL: "https://cdn.example.com/ep1.ogg", Type: "audio/ogg", Length: 9876543},
		}
		a.Episode, a.Season, a.EpisodeType = 12, 3, herald.EpisodeBonus
		a.TranscriptURL = "https://cdn.example.com/ep1.vtt"
		a.TranscriptType = "text/vtt"
		a.ChaptersURL = "https://cdn.example.com/ep1.chapters.json"
	})
}

func testRoundTrip(t *testing.T, h *harness) {
	// A clock with a sub-second part: UpdatedAt is stored truncated.
	h.clock.Advance(750 * time.Millisecond)
	a := h.richArticle(t)
	want := a.Clone()
	h.create(t, a)
	want.UpdatedAt = t0
	wantTime(t, "UpdatedAt set by CreateArticle", a.UpdatedAt, t0)

	wantArticle(t, "Article", h.get(t, a.ID), want)
	got, err := h.s.ArticleBySlug(h.ctx, a.Slug)
	if err != nil {
		t.Fatalf("ArticleBySlug: %v", err)
	}
	wantArticle(t, "ArticleBySlug", got, want)

	// The same article through the feed and list paths.
	p := h.feed(t, herald.SiteScope, t0, 0, 10)
	wantArticles(t, "Feed(site)", p.Articles, []*herald.Article{want})
	p = h.feed(t, category("Go & Rust"), t0, 0, 10)
	wantArticles(t, "Feed(category)", p.Articles, []*herald.Article{want})
	list, total, err := h.s.ListArticles(h.ctx, 0, 10)
	if err != nil {
		t.Fatalf("ListArticles: %v", err)
	}
	if total != 1 {
		t.Fatalf("ListArticles total=%d, want 1", total)
	}
	wantArticles(t, "ListArticles", list, []*herald.Article{want})
}

func testEmptyLists(t *testing.T, h *harness) {
	a := h.create(t, h.article(t, "Bare", t0))
	want := a.Clone()
	got := h.get(t, a.ID)
	wantArticle(t, "Article", got, want)
	if got.Authors != nil || got.Categories != nil || got.Tags != nil || got.Enclosures != nil {
		t.Fatalf("lists=%#v %#v %#v %#v, want all nil", got.Authors, got.Categories, got.Tags, got.Enclosures)
	}
}

func testNotFound(t *testing.T, h *harness) {
	h.create(t, h.article(t, "Present", t0))
	_, err := h.s.Article(h.ctx, "00000000-0000-0000-0000-000000000000")
	wantCode(t, "Article(unknown)", err, herald.ENotFound, "")
	_, err = h.s.ArticleBySlug(h.ctx, "absent")
	wantCode(t, "ArticleBySlug(unknown)", err, herald.ENotFound, "")
}

func testCreateConflict(t *testing.T, h *harness) {
	first := h.create(t, h.article(t, "Taken", t0, inCategory("First")))
	before := h.feed(t, herald.SiteScope, t0, 0, 10)

	h.clock.Advance(time.Minute)
	dupSlug := h.article(t, "Taken", t0, inCategory("Only Here"), withTags("lonely"))
	err := h.s.CreateArticle(h.ctx, dupSlug)
	wantCode(t, "CreateArticle(taken slug)", err, herald.EConflict, "slug")
	if _, err := h.s.Article(h.ctx, dupSlug.ID); !herald.IsNotFound(err) {
		t.Fatalf("Article(rejected id): err=%v, want not found", err)
	}
	for _, sc := range []herald.Scope{category("Only Here"), tag("lonely")} {
		_, err := h.s.Feed(h.ctx, herald.FeedQuery{Scope: sc, Now: t0, Limit: 10})
		wantCode(t, "Feed("+sc.Key()+") after rejected create", err, herald.ENotFound, "")
	}

	dupID := h.article(t, "Another Title", t0, inCategory("Only Here"))
	dupID.ID = first.ID
	err = h.s.CreateArticle(h.ctx, dupID)
	wantCode(t, "CreateArticle(taken id)", err, herald.EConflict, "id")
	if _, err := h.s.ArticleBySlug(h.ctx, dupID.Slug); !herald.IsNotFound(err) {
		t.Fatalf("ArticleBySlug(rejected slug): err=%v, want not found", err)
	}

	after := h.feed(t, herald.SiteScope, t0, 0, 10)
	if after.Revision != before.Revision || !after.ChangedAt.Equal(before.ChangedAt) {
		t.Fatalf("site after rejected creates: revision=%d changed=%v, want %d %v",
			after.Revision, after.ChangedAt, before.Revision, before.ChangedAt)
	}
	wantArticles(t, "Feed(site)", after.Articles, []*herald.Article{first})
}

func testReplaceNotFound(t *testing.T, h *harness) {
	h.create(t, h.article(t, "Present", t0))
	before := h.feed(t, herald.SiteScope, t0, 0, 10)
	ghost := h.article(t, "Ghost", t0, inCategory("Ghosts"))
	_, err := h.s.ReplaceArticle(h.ctx, ghost)
	wantCode(t, "ReplaceArticle(unknown)", err, herald.ENotFound, "")
	if after := h.feed(t, herald.SiteScope, t0, 0, 10); after.Revision != before.Revision || after.Total != 1 {
		t.Fatalf("site after failed replace: revision=%d total=%d, want %d 1", after.Revision, after.Total, before.Revision)
	}
	_, err = h.s.Feed(h.ctx, herald.FeedQuery{Scope: category("Ghosts"), Now: t0, Limit: 10})
	wantCode(t, "Feed(category of failed replace)", err, herald.ENotFound, "")
}

func testReplaceMovesScopes(t *testing.T, h *harness) {
	// Each category keeps a second article, so both feeds exist after the move.
	h.create(t, h.article(t, "Stays in Go", t0.Add(-2*time.Hour), inCategory("Go")))
	h.create(t, h.article(t, "Stays in Rust", t0.Add(-2*time.Hour), inCategory("Rust")))
	h.create(t, h.article(t, "Elsewhere", t0.Add(-2*time.Hour), inCategory("Elsewhere")))
	mover := h.create(t, h.article(t, "Mover", t0.Add(-time.Hour), inCategory("Go")))
	stored := h.get(t, mover.ID)

	scopes := []herald.Scope{herald.SiteScope, category("Go"), category("Rust"), category("Elsewhere")}
	before := map[herald.Scope]*herald.FeedPage{}
	for _, sc := range scopes {
		before[sc] = h.feed(t, sc, t0, 0, 10)
	}

	replaceAt := h.clock.Advance(time.Hour)
	next := mover.Clone()
	next.Title = "Mover, moved"
	next.Categories = []string{"Rust"}
	old, err := h.s.ReplaceArticle(h.ctx, next)
	if err != nil {
		t.Fatalf("ReplaceArticle: %v", err)
	}
	wantArticle(t, "ReplaceArticle returned old", old, stored)
	wantTime(t, "UpdatedAt set by ReplaceArticle", next.UpdatedAt, replaceAt)
	wantArticle(t, "Article after replace", h.get(t, mover.ID), next)

	for _, sc := range scopes[:3] {
		p := h.feed(t, sc, replaceAt, 0, 10)
		if p.Revision <= before[sc].Revision {
			t.Fatalf("%s revision=%d after replace, want more than %d", sc, p.Revision, before[sc].Revision)
		}
		wantTime(t, sc.Key()+" ChangedAt", p.ChangedAt, replaceAt)
	}
	if p := h.feed(t, category("Elsewhere"), replaceAt, 0, 10); p.Revision != before[category("Elsewhere")].Revision {
		t.Fatalf("untouched category revision=%d, want %d", p.Revision, before[category("Elsewhere")].Revision)
	}
	if p := h.feed(t, category("Go"), replaceAt, 0, 10); p.Total != 1 {
		t.Fatalf("Feed(go) total=%d after the move, want 1", p.Total)
	}
	if p := h.feed(t, category("Rust"), replaceAt, 0, 10); p.Total != 2 || p.Articles[0].ID != mover.ID {
		t.Fatalf("Feed(rust) total=%d first=%v after the move, want 2 and the mover first", p.Total, ids(p.Articles))
	}
}

func testReplaceConflict(t *testing.T, h *harness) {
	h.create(t, h.article(t, "Owner", t0, inCategory("A")))
	other := h.create(t, h.article(t, "Other", t0, inCategory("B")))
	stored := h.get(t, other.ID)
	before := h.feed(t, category("B"), t0, 0, 10)

	h.clock.Advance(time.Minute)
	next := other.Clone()
	next.Slug = "owner"
	next.Categories = []string{"C"}
	_, err := h.s.ReplaceArticle(h.ctx, next)
	wantCode(t, "ReplaceArticle(taken slug)", err, herald.EConflict, "slug")
	wantArticle(t, "Article after failed replace", h.get(t, other.ID), stored)
	if after := h.feed(t, category("B"), t0, 0, 10); after.Revision != before.Revision {
		t.Fatalf("category revision=%d after failed replace, want %d", after.Revision, before.Revision)
	}
	_, err = h.s.Feed(h.ctx, herald.FeedQuery{Scope: category("C"), Now: t0, Limit: 10})
	wantCode(t, "Feed(category of failed replace)", err, herald.ENotFound, "")
}

func testDelete(t *testing.T, h *harness) {
	older := h.create(t, h.article(t, "Older", t0.Add(-2*time.Hour), inCategory("News")))
	newest := h.create(t, h.article(t, "Newest", t0.Add(-time.Hour), inCategory("News"), withTags("solo")))
	stored := h.get(t, newest.ID)
	before := h.feed(t, herald.SiteScope, t0, 0, 10)

	deleteAt := h.clock.Advance(30 * time.Minute)
	old, err := h.s.DeleteArticle(h.ctx, newest.ID)
	if err != nil {
		t.Fatalf("DeleteArticle: %v", err)
	}
	wantArticle(t, "DeleteArticle returned old", old, stored)
	if _, err := h.s.Article(h.ctx, newest.ID); !herald.IsNotFound(err) {
		t.Fatalf("Article(deleted): err=%v, want not found", err)
	}
	_, err = h.s.DeleteArticle(h.ctx, newest.ID)
	wantCode(t, "second DeleteArticle", err, herald.ENotFound, "")

	for _, sc := range []herald.Scope{herald.SiteScope, category("News")} {
		p := h.feed(t, sc, deleteAt, 0, 10)
		wantArticles(t, "Feed("+sc.Key()+") after delete", p.Articles, []*herald.Article{h.get(t, older.ID)})
		// The remaining articles are older than the deleted one, but the
		// feed changed now: Last-Modified moves forward to the deletion.
		wantTime(t, sc.Key()+" ChangedAt after delete", p.ChangedAt, deleteAt)
		wantTime(t, sc.Key()+" LastModified after delete", p.LastModified(), deleteAt)
	}
	if p := h.feed(t, herald.SiteScope, deleteAt, 0, 10); p.Revision != before.Revision+1 {
		t.Fatalf("site revision=%d after delete, want %d", p.Revision, before.Revision+1)
	}
	_, err = h.s.Feed(h.ctx, herald.FeedQuery{Scope: tag("solo"), Now: deleteAt, Limit: 10})
	wantCode(t, "Feed(tag of deleted article only)", err, herald.ENotFound, "")
}
