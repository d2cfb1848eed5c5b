package herald

import (
	"context"
	"time"
)

// Store keeps articles and, per scope, the bookkeeping feeds need: a
// revision bumped by every write that touches the scope and the time of the
// scope's last change. Both are updated in the same transaction as the
// article, so a reader never sees one without the other.
//
// Every write (CreateArticle, ReplaceArticle, DeleteArticle, PutArticle)
// also records, in that transaction, that the cache invalidation of each
// scope it touched is owed, under the scope's new revision (Undelivered).
// The writer clears the record once the cache has taken the invalidation;
// a writer that dies first, whenever that is, leaves it for another
// process to deliver (internal/service).
//
// Implementations: internal/sqlite (embedded default) and internal/postgres.
// Every method returns *Error values with ENotFound or EConflict where those
// apply; not found is always an error, never a nil article.
type Store interface {
	// CreateArticle inserts a, which must already be validated and carry
	// an ID and a slug. It sets a.UpdatedAt to the store's clock.
	// A taken slug or ID gives EConflict (field "slug" or "id").
	CreateArticle(ctx context.Context, a *Article) error
	// ReplaceArticle overwrites the article with a.ID (ENotFound if there is
	// none), sets a.UpdatedAt and returns the version it replaced, read in
	// the same transaction. Scopes the old version belonged to are touched as
	// well as the new ones, so a move between categories changes both feeds;
	// the caller invalidates the cache of old.Scopes() and a.Scopes(), which
	// is exact even when writers race. When the stored article already is a
	// (old.SameAs(a)), nothing is written and a takes its UpdatedAt: a write
	// bumps its scopes, which changes each feed's date and ETag, so saving
	// an article unchanged (or importing a file again) would otherwise have
	// every reader download its feeds again.
	ReplaceArticle(ctx context.Context, a *Article) (old *Article, err error)
	// DeleteArticle removes the article, touches every scope it was in and
	// returns the deleted version (read in the same transaction).
	DeleteArticle(ctx context.Context, id string) (old *Article, err error)
	// Article returns the article with id.
	Article(ctx context.Context, id string) (*Article, error)
	// ArticleBySlug returns the article with slug.
	ArticleBySlug(ctx context.Context, slug string) (*Article, error)
	// ListArticles returns articles for the admin API, scheduled ones
	// included, newest PublishedAt first (ties broken by ID), and the total
	// count of articles.
	ListArticles(ctx context.Context, offset, limit int) ([]*Article, int, error)
	// Feed returns what a feed of q.Scope needs at q.Now. A scope that no
	// article visible at q.Now belongs to gives ENotFound, even when
	// scheduled articles do, so its name does not show before they do;
	// the site scope always exists. The page's articles may be shared with every
	// other reader (a store may cache them): read them, never modify them.
	Feed(ctx context.Context, q FeedQuery) (*FeedPage, error)
	// Scopes lists every category, tag and author that has at least one
	// article visible at now, with its display name and number of visible
	// articles, ordered by kind (category, tag, author) then slug. The site
	// scope is not listed: it always exists.
	Scopes(ctx context.Context, now time.Time) ([]ScopeInfo, error)
	// Undelivered lists up to max scopes whose invalidation is owed, with
	// their marks, in key order.
	Undelivered(ctx context.Context, max int) ([]Undelivered, error)
	// UndeliveredOf lists the records of scopes that are owed, in key
	// order: what an invalidation of scopes sent from now on covers.
	UndeliveredOf(ctx context.Context, scopes []Scope) ([]Undelivered, error)
	// ClearUndelivered forgets the records an invalidation sent after they
	// were listed has covered: each only if its mark is still the one
	// listed, so that a scope recorded again by a later write stays.
	ClearUndelivered(ctx context.Context, list []Undelivered) error
	// Revisions returns the revision of each scope of scopes that has been
	// written, or of every written scope when scopes is nil. Every write
	// bumps the site's, so reading the site's alone tells whether anything
	// was written since: how a process whose cache no other process
	// reaches notices the writes of others (service.StoreWatch).
	Revisions(ctx context.Context, scopes []Scope) (map[Scope]int64, error)
	// Ping checks that the store answers.
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}

// ScopeInfo describes one scope that has a feed.
type ScopeInfo struct {
	Scope Scope
	// Name is the display name its newest visible article gives it, as
	// FeedPage.Name.
	Name string
	// Articles counts its visible articles.
	Articles int
}

// Undelivered is a scope whose cache invalidation a committed write owes,
// as the store recorded it with the write.
type Undelivered struct {
	Scope Scope
	// Mark is the revision the last write of the scope gave it: a later
	// write records the scope again under a higher one.
	Mark int64
}

// FeedQuery asks for the newest visible articles of a scope.
type FeedQuery struct {
	Scope  Scope
	Now    time.Time // articles published after Now are scheduled, not visible
	Offset int
	Limit  int
}

// FeedPage is one page of a scope's feed, read in one consistent snapshot.
type FeedPage struct {
	// Name is the scope's display name as publishers wrote it (the category
	// "Go & Rust" for slug "go-rust"); empty for the site.
	Name string
	// Articles are the visible articles, newest PublishedAt first, ties
	// broken by ID so the order is the same on every replica. The slice
	// is the caller's; the articles it points to are shared and read-only.
	Articles []*Article
	// Total counts every visible article of the scope, for paging.
	Total int
	// Revision counts the writes that touched the scope.
	Revision int64
	// ChangedAt is the time of the scope's last write that changed what
	// it shows, deletions included; writes of scheduled articles that
	// stay scheduled leave it (ShowsChange).
	ChangedAt time.Time
	// NextPublish is the earliest PublishedAt after Now in the scope, or
	// zero when nothing is scheduled: the feed changes then without a write.
	NextPublish time.Time
	// Horizon is the PublishedAt of the newest visible article among the
	// page and the Limit articles just newer than it (those at offsets
	// from max(0, Offset-Limit); any offset when Limit is zero or less):
	// the page's own newest when it starts at offset 0, the scope's newest
	// when fewer than Limit articles are newer than the page. Zero when
	// none is visible. A history page's links say whether the next newer
	// page exists and whether it is full (RFC 5005 "previous",
	// "next-archive"), so until that page is full the page's bytes change
	// with every publication, scheduled articles coming due included,
	// and once it is full they stop changing: Horizon is when they last
	// did, short of a write.
	Horizon time.Time
}

// LastModified is the time the page's bytes last changed: the last write
// to the scope or the publication of the newest article that decides them
// (Horizon, and the page's own articles), whichever is later. For the
// subscription document that is its newest article; for a history page
// whose newer neighbour is not full yet, the scope's newest, so a
// scheduled article coming due moves it along with the page's links; for
// an archive followed by a full page, the newest article of that page,
// which stays put. It never goes backwards when an article is deleted,
// because the deletion is itself a write.
func (p *FeedPage) LastModified() time.Time {
	lm := p.ChangedAt
	if p.Horizon.After(lm) {
		lm = p.Horizon
	}
	for _, a := range p.Articles {
		if a.PublishedAt.After(lm) {
			lm = a.PublishedAt
		}
	}
	return lm.UTC().Truncate(time.Second)
}
