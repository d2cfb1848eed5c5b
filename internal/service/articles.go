package service

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/logthrottle"
	"github.com/herald-feeds/herald/internal/sanitize"
)

// Articles is the write path: validate, store, then invalidate every feed
// the write touched before reporting success, so the next read on any
// replica sees the change.
type Articles struct {
	store   herald.Store
	cache   herald.Cache
	site    Site
	limits  herald.Limits
	now     func() time.Time
	newID   func() string
	log     *slog.Logger
	stats   ArticleStats
	clean   *sanitize.Sanitizer
	retry   *invalidationRetry
	clearer *recordClearer
	// leaveOnRecord: writes invalidate nothing and leave their records
	// (ArticlesOptions.LeaveOnRecord).
	leaveOnRecord bool
	// delivered, when set, learns the revisions this process's writes
	// have invalidated its cache at (WatchWrites).
	delivered atomic.Pointer[func([]herald.Undelivered)]
	// failLog and shortLog throttle the lines of failed and of
	// unreplicated invalidations: during an outage every write fails alike.
	failLog, shortLog logthrottle.Throttle
	// changed and scheduled are ArticlesOptions'; nil for none.
	changed   func([]herald.Scope)
	scheduled func()
	ownSlugs  []string // ArticlesOptions.OwnSlugs
}

// WatchWrites tells fn, after each write whose invalidation the cache
// took, the scopes and the revisions it covered, as the write's records
// listed them: a StoreWatch then knows those changes are already in this
// process's cache and does not invalidate them a second time.
func (s *Articles) WatchWrites(fn func([]herald.Undelivered)) {
	s.delivered.Store(&fn)
}

// ArticleStats counts failures of the write path that do not fail a write.
type ArticleStats struct {
	InvalidationErrors atomic.Int64
	// InvalidationRetries counts background invalidations that succeeded
	// after a write's own had failed; InvalidationsPending is the number
	// of scopes still waiting for one.
	InvalidationRetries  atomic.Int64
	InvalidationsPending atomic.Int64
	// InvalidationsRecovered counts scopes delivered from the store's
	// records alone: owed by a process that stopped first, or another
	// replica.
	InvalidationsRecovered atomic.Int64
}

// Stats returns the live counters.
func (s *Articles) Stats() *ArticleStats { return &s.stats }

// ArticlesOptions are the optional dependencies of NewArticles.
type ArticlesOptions struct {
	Now    func() time.Time
	NewID  func() string
	Limits herald.Limits
	Logger *slog.Logger
	// LeaveOnRecord is for a process that serves nothing and whose cache
	// no server reads (`herald import` without Redis): invalidating that
	// cache would deliver nothing, so a write invalidates nothing and
	// leaves its scopes on record in the store, where the servers sharing
	// it find them (their sweeps, and with the in-process cache their
	// store watch) instead of the records being cleared as delivered.
	LeaveOnRecord bool
	// Changed, when set, learns after each write the scopes whose
	// published feeds it changed: those of the article before and after
	// the write that readers could see then (a scheduled article changes
	// nothing readers see until it is due; see WatchDue). It is called
	// once the write is stored and its invalidation sent, and again with
	// every scope a background retry of a failed invalidation delivers
	// (which may include scheduled ones'). It must not block.
	Changed func([]herald.Scope)
	// Scheduled, when set, is called after each write that stored an
	// article with a publication date still to come (to wake WatchDue).
	// It must not block.
	Scheduled func()
	// OwnSlugs are the paths the server's own routes take at
	// base_url + "/" + slug (httpserver.OwnSlugs): an article linked there
	// (one without a url of its own) would link to them, not to its page,
	// so its write is refused.
	OwnSlugs []string
}

// NewArticles returns the write path over the given store and cache.
func NewArticles(store herald.Store, cache herald.Cache, site Site, opts ArticlesOptions) *Articles {
	s := &Articles{store: store, cache: cache, site: site, limits: opts.Limits.WithDefaults(), now: opts.Now, newID: opts.NewID, log: opts.Logger,
		clean: sanitize.New(), leaveOnRecord: opts.LeaveOnRecord, changed: opts.Changed, scheduled: opts.Scheduled, ownSlugs: opts.OwnSlugs,
		failLog: logthrottle.Throttle{Interval: 10 * time.Second}, shortLog: logthrottle.Throttle{Interval: 10 * time.Second}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = func() string { return uuid.NewString() }
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.retry = newInvalidationRetry(cache, store, s.log, &s.stats)
	s.clearer = &recordClearer{store: store, log: s.log}
	s.retry.delivered = s.clearer.covers
	s.retry.fresh = opts.Changed
	return s
}

// Start starts delivering, in the background, the cache invalidations
// recorded in the store and not delivered yet: those a process that
// stopped before the cache was back left behind, and later those of other
// replicas that stop. Without Start that happens only once a write of this
// process fails to invalidate. `herald serve` starts it.
func (s *Articles) Start() { s.retry.start() }

// Close stops the background retries of failed invalidations, after one
// last attempt for the scopes still owed, and waits for the records of
// delivered ones to be cleared.
func (s *Articles) Close() {
	s.retry.close()
	s.clearer.close()
}

// Create validates a, assigns it a new ID and stores it.
func (s *Articles) Create(ctx context.Context, a *herald.Article) error {
	return s.create(ctx, s.newID(), a)
}

// create stores a, a new article, as the article id.
func (s *Articles) create(ctx context.Context, id string, a *herald.Article) error {
	a.ID = id
	if err := s.prepare(a); err != nil {
		return err
	}
	if err := s.store.CreateArticle(ctx, a); err != nil {
		return err
	}
	err := s.invalidate(ctx, a.Scopes())
	s.tell(a)
	return err
}

// Replace validates a and overwrites the article with id, unless the
// stored article already is a (herald.Store's ReplaceArticle).
func (s *Articles) Replace(ctx context.Context, id string, a *herald.Article) error {
	a.ID = id
	if err := s.prepare(a); err != nil {
		return err
	}
	old, err := s.store.ReplaceArticle(ctx, a)
	if err != nil {
		return err
	}
	if old.SameAs(a) { // the store wrote nothing: nothing to invalidate
		return nil
	}
	err = s.invalidate(ctx, append(old.Scopes(), a.Scopes()...))
	s.tell(old, a)
	return err
}

// Delete removes the article with id.
func (s *Articles) Delete(ctx context.Context, id string) error {
	old, err := s.store.DeleteArticle(ctx, id)
	if err != nil {
		return err
	}
	err = s.invalidate(ctx, old.Scopes())
	s.tell(old)
	return err
}

// tell passes the scopes of the versions of an article a write replaced
// or stored that readers could see (ArticlesOptions.Changed), and that a
// version is scheduled (ArticlesOptions.Scheduled).
func (s *Articles) tell(versions ...*herald.Article) {
	if s.changed == nil && s.scheduled == nil {
		return
	}
	now := s.now()
	var scopes []herald.Scope
	later := false
	for _, a := range versions {
		switch {
		case a == nil:
		case a.PublishedAt.After(now):
			later = true
		default:
			scopes = append(scopes, a.Scopes()...)
		}
	}
	if len(scopes) > 0 && s.changed != nil {
		s.changed(uniqueScopes(scopes))
	}
	if later && s.scheduled != nil {
		s.scheduled()
	}
}

// Get returns the article with id.
func (s *Articles) Get(ctx context.Context, id string) (*herald.Article, error) {
	return s.store.Article(ctx, id)
}

// List returns a page of articles, scheduled ones included, and the total.
func (s *Articles) List(ctx context.Context, offset, limit int) ([]*herald.Article, int, error) {
	return s.store.ListArticles(ctx, offset, limit)
}

// Upsert creates the article or replaces the one it matches, keeping that
// one's ID: re-importing a file updates its article instead of
// duplicating it. An article that gives an id (a file in the API's JSON
// shape, as a listing of the API returns it) is matched by it first, and
// created with it when no article has it, so that a site exported through
// the API and imported into a new store keeps every item's identity in
// its feeds (guid, Atom id, JSON Feed id). Otherwise, and when no article
// has that id, it is matched by slug, settled first as Prepare will
// (herald.SlugOf) so that matching works for sources that carry none;
// when that slug is derived from the title and names no article, the
// slugs older builds derived from the same title are tried too.
// updated_at is the time of the write, as for every write: an import
// dated back would leave the feeds' Last-Modified behind the change.
func (s *Articles) Upsert(ctx context.Context, a *herald.Article) (herald.Upserted, error) {
	var given string
	if id := strings.TrimSpace(a.ID); id != "" {
		u, err := uuid.Parse(id)
		if err != nil {
			return 0, herald.FieldError(herald.EInvalid, "id", "id %q is not an article id (a UUID); leave it out to have one assigned", id)
		}
		given = u.String()
		existing, err := s.store.Article(ctx, given)
		switch {
		case err == nil:
			return s.replaceMatched(ctx, existing, a)
		case !herald.IsNotFound(err):
			return 0, err
		}
	}
	derived := strings.TrimSpace(a.Slug) == ""
	a.Slug = herald.SlugOf(a)
	existing, err := s.store.ArticleBySlug(ctx, a.Slug)
	if derived && herald.IsNotFound(err) {
		// Older builds derived other slugs from some titles, and an
		// article one of them imported is matched by the slug it got,
		// and keeps it (its permalink). Before NFC, a title in
		// decomposed Unicode lost its accents ("cafe" for "Café");
		// before Slugify kept combining marks, every mark cut its word
		// ("ह-न-द" for "हिन्दी"). The first that names an article wins.
		tried := ""
		for _, legacy := range [...]string{herald.Slugify(a.Title), herald.LegacyTitleSlug(a.Title)} {
			if legacy == "" || legacy == a.Slug || legacy == tried {
				continue
			}
			tried = legacy
			old, lerr := s.store.ArticleBySlug(ctx, legacy)
			if lerr == nil {
				existing, err, a.Slug = old, nil, legacy
				break
			}
			if !herald.IsNotFound(lerr) {
				return 0, lerr
			}
		}
	}
	switch {
	case herald.IsNotFound(err) && given != "":
		return herald.UpsertCreated, s.create(ctx, given, a)
	case herald.IsNotFound(err):
		return herald.UpsertCreated, s.Create(ctx, a)
	case err != nil:
		return 0, err
	}
	return s.replaceMatched(ctx, existing, a)
}

// replaceMatched replaces existing, the article an upsert of a matched,
// with a, keeping existing's publication date when a has none.
func (s *Articles) replaceMatched(ctx context.Context, existing, a *herald.Article) (herald.Upserted, error) {
	if a.PublishedAt.IsZero() {
		a.PublishedAt = existing.PublishedAt // keep the original date on re-import
	}
	if err := s.Replace(ctx, existing.ID, a); err != nil {
		return 0, err
	}
	// a is now as prepared and stored; the store wrote nothing when it
	// matched what it held.
	if existing.SameAs(a) {
		return herald.UpsertUnchanged, nil
	}
	return herald.UpsertUpdated, nil
}

// prepare validates a and sanitises its HTML before it is stored.
//
// Sanitising at store time rather than at every render means the API
// returns exactly what readers get, every format and the HTML view share
// one cleaned copy, renders stay cheap and deterministic, and the cost is
// paid once per write. Relative URLs are resolved against the article's
// URL, which Prepare has just settled.
func (s *Articles) prepare(a *herald.Article) error {
	if err := a.Prepare(s.site.BaseURL, s.now(), s.limits); err != nil {
		return err
	}
	if slices.Contains(s.ownSlugs, a.Slug) && a.URL == herald.DerivedURL(s.site.BaseURL, a.Slug) {
		return herald.FieldError(herald.EInvalid, "slug",
			"slug %q is the path of one of Herald's own resources (%s/%s), where this article's page cannot be served; give it another slug, or a url of its own",
			a.Slug, s.site.BaseURL, a.Slug)
	}
	// Sanitising can lengthen content (relative URLs made absolute against
	// a long article URL, characters written as references): the limit
	// holds for what is stored, not only for what was sent.
	content, err := s.clean.HTMLWithin(a.ContentHTML, a.URL, s.limits.ContentLength)
	if errors.Is(err, sanitize.ErrTooLarge) {
		return herald.FieldError(herald.EInvalid, "content_html",
			"content_html is longer than %d bytes once sanitised, with its relative URLs made absolute against the article's url", s.limits.ContentLength)
	}
	// Sanitising decodes character references, so a removed character
	// written as one (&#x85;) comes back: remove those again.
	a.ContentHTML = herald.RemoveUnfit(content)
	return nil
}

// invalidate bumps the cache revision of every scope a write touched. The
// store has already committed, and recorded with the write that these
// scopes' invalidations are owed (herald.Store), so the write stands
// whatever happens here, even this process dying: a failed invalidation is
// retried in the background until the cache takes it (invalidationRetry),
// and what this process cannot deliver another one delivers from the
// store's records. It is sent once, whether or not the request is still
// waiting (the write is done), so a write costs at most one cache timeout,
// and none while the cache's circuit breaker is open: an immediate second
// attempt would only wait for a Redis that just failed to answer.
// Meanwhile readers of a cache that is down render from the store and see
// the write, and a cache that is only unreachable from here serves what it
// held until the retry. Once the cache has taken the invalidation, the
// records it covers are cleared: those the store held for these scopes
// before it was sent.
func (s *Articles) invalidate(ctx context.Context, scopes []herald.Scope) error {
	if s.leaveOnRecord {
		return nil // the write's records stay for the servers (ArticlesOptions)
	}
	scopes = uniqueScopes(scopes)
	owed, owedErr := s.store.UndeliveredOf(ctx, scopes)
	mark := s.retry.mark()
	err := s.cache.Invalidate(context.WithoutCancel(ctx), scopes)
	if err == nil {
		s.retry.settled(scopes, mark)
		if owedErr != nil {
			s.log.Warn("could not list the write's invalidation records; they stay in the database and a background sweep delivers them once more",
				"scopes", len(scopes), "err", owedErr)
		} else {
			s.clearer.add(owed)
			if fn := s.delivered.Load(); fn != nil {
				(*fn)(owed)
			}
		}
		return nil
	}
	s.stats.InvalidationErrors.Add(1)
	dropped := s.retry.add(scopes)
	args := []any{"cache", s.cache.Name(), "scopes", len(scopes), "err", err}
	if id := herald.RequestID(ctx); id != "" {
		args = append(args, "request_id", id) // the write request's, as in its access log line
	}
	// Logged at most once per 10 s per kind, like every failure of Redis:
	// while it is down every write fails alike.
	if errors.Is(err, herald.ErrUnreplicated) {
		// In force, so readers see the write; only a failover could
		// undo it. Waiting again at once would hold the write's answer
		// back by another wait for a replica that is likely down.
		s.shortLog.Log(s.log, slog.LevelWarn, s.now(), "cache invalidation not acknowledged by enough Redis replicas; repeating it in the background", args...)
	} else {
		s.failLog.Log(s.log, slog.LevelError, s.now(), "cache invalidation failed after a committed write; retrying in the background", args...)
	}
	if dropped > 0 {
		s.log.Error("too many scopes wait for an invalidation; these are retried from the database's records only, and may stay stale until their TTL ends if those failed",
			"scopes", dropped)
	}
	return nil
}

func uniqueScopes(in []herald.Scope) []herald.Scope {
	seen := make(map[herald.Scope]bool, len(in))
	out := in[:0:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
