package postgres

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
)

// CreateArticle inserts a and sets a.UpdatedAt, bumping every scope of a in
// the same transaction.
func (s *Store) CreateArticle(ctx context.Context, a *herald.Article) error {
	now := s.clock()
	var w written
	err := s.write(ctx, func(tx pgx.Tx) error {
		if err := s.insertArticle(ctx, tx, a, now); err != nil {
			return err
		}
		if err := reportVersion(ctx, tx, a.ID); err != nil {
			return err
		}
		if err := s.bumpScopes(ctx, tx, a.ScopeKeys(), now, herald.ShowsChange(nil, a, now)); err != nil {
			return err
		}
		return s.readBack(ctx, tx, a.ID, &w)
	})
	if err != nil {
		if c := conflict(err, a); c != nil {
			return c
		}
		return storeError("create article", err)
	}
	s.keep(w)
	a.UpdatedAt = now
	return nil
}

// ReplaceArticle overwrites the article with a.ID, sets a.UpdatedAt and
// returns the version it replaced. The scopes of the old and the new
// version are bumped.
func (s *Store) ReplaceArticle(ctx context.Context, a *herald.Article) (*herald.Article, error) {
	now := s.clock()
	var old *herald.Article
	var w written
	var unchanged bool // the stored article already is a: nothing written
	err := s.write(ctx, func(tx pgx.Tx) error {
		var err error
		if old, err = lockedArticle(ctx, tx, a.ID); err != nil {
			return err
		}
		if unchanged = old.SameAs(a); unchanged {
			return reportVersion(ctx, tx, a.ID)
		}
		if err := s.overwriteArticle(ctx, tx, a, now); err != nil {
			return err
		}
		if err := reportVersion(ctx, tx, a.ID); err != nil {
			return err
		}
		if err := s.bumpScopes(ctx, tx, append(old.ScopeKeys(), a.ScopeKeys()...), now, herald.ShowsChange(old, a, now)); err != nil {
			return err
		}
		return s.readBack(ctx, tx, a.ID, &w)
	})
	if err != nil {
		if herald.IsNotFound(err) || herald.ErrorCode(err) == herald.EPrecondition {
			return nil, err
		}
		if c := conflict(err, a); c != nil {
			return nil, c
		}
		return nil, storeError("replace article", err)
	}
	s.keep(w)
	a.UpdatedAt = now
	if unchanged {
		a.UpdatedAt = old.UpdatedAt
	}
	return old, nil
}

// overwriteArticle replaces the row and lists of the article with a.ID,
// which the caller has locked, stamping it updated at updatedAt. The caller
// bumps the scopes.
func (s *Store) overwriteArticle(ctx context.Context, tx pgx.Tx, a *herald.Article, updatedAt time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE articles SET slug = $1, title = $2, url = $3, summary = $4,
		content_html = $5, language = $6, image = $7, published_at = $8, updated_at = $9,
		episode = $10, season = $11, episode_type = $12, transcript_url = $13, transcript_type = $14, chapters_url = $15
		WHERE id = $16`,
		a.Slug, a.Title, a.URL, a.Summary, a.ContentHTML, a.Language, a.Image,
		seconds(a.PublishedAt), updatedAt,
		a.Episode, a.Season, a.EpisodeType, a.TranscriptURL, a.TranscriptType, a.ChaptersURL, a.ID)
	if err != nil {
		return err
	}
	for _, table := range [...]string{"article_authors", "article_terms", "article_enclosures", "article_scopes"} {
		if _, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE article_id = $1", a.ID); err != nil {
			return err
		}
	}
	return s.insertChildren(ctx, tx, a, updatedAt)
}

// DeleteArticle removes the article with id, bumps every scope it was in
// and returns the deleted version.
func (s *Store) DeleteArticle(ctx context.Context, id string) (*herald.Article, error) {
	now := s.clock()
	var old *herald.Article
	err := s.write(ctx, func(tx pgx.Tx) error {
		var err error
		if old, err = lockedArticle(ctx, tx, id); err != nil {
			return err
		}
		// Child rows go by ON DELETE CASCADE.
		if _, err := tx.Exec(ctx, "DELETE FROM articles WHERE id = $1", id); err != nil {
			return err
		}
		return s.bumpScopes(ctx, tx, old.ScopeKeys(), now, herald.ShowsChange(old, nil, now))
	})
	if err != nil {
		if herald.IsNotFound(err) || herald.ErrorCode(err) == herald.EPrecondition {
			return nil, err
		}
		return nil, storeError("delete article", err)
	}
	s.articles.Remove(id) // frees the memory now; later pages no longer list it
	return old, nil
}

// written is an article as its write transaction left it, with the version
// the database gave it.
type written struct {
	key     artcache.Key
	article *herald.Article
}

// readBack reads the article with id inside tx, after tx wrote it, for the
// article cache of this process: with it cached at its new version (keep,
// once tx has committed), this process's next feed miss reads only the
// page's (id, version) pairs, not the article just written. It goes
// through fetchVersioned, the feed read's own fetch, so what is cached is
// exactly what any replica would read. Nothing is read without a cache.
func (s *Store) readBack(ctx context.Context, tx pgx.Tx, id string, w *written) error {
	if s.articles == nil {
		return nil
	}
	byID, versions, _, err := fetchVersioned(ctx, tx, []string{id})
	if err != nil {
		return err
	}
	a := byID[id]
	if a == nil {
		return fmt.Errorf("article %s missing right after its write", id)
	}
	*w = written{key: artcache.Key{ID: id, Version: versions[id]}, article: a}
	return nil
}

// keep caches what readBack read, once its transaction has committed.
func (s *Store) keep(w written) {
	if w.article != nil {
		s.articles.Put(w.key, w.article)
	}
}

// lockedArticle locks the article's row against other writers, then reads
// it whole: under READ COMMITTED the version read is then the one this
// transaction replaces or deletes, even when writers race. A write whose
// context expects another version of the row (herald.VersionCheck) stops
// here with EPrecondition.
func lockedArticle(ctx context.Context, tx pgx.Tx, id string) (*herald.Article, error) {
	var version int64
	if err := tx.QueryRow(ctx, "SELECT version FROM articles WHERE id = $1 FOR UPDATE", id).Scan(&version); err != nil {
		if isNoRows(err) {
			return nil, errArticleNotFound()
		}
		return nil, err
	}
	if err := herald.CheckVersion(ctx, id, version); err != nil {
		return nil, err
	}
	return articleWhere(ctx, tx, "a.id = $1", id)
}

// reportVersion hands the version of the article id, as tx sees it, to
// the VersionCheck ctx carries, if any.
func reportVersion(ctx context.Context, tx pgx.Tx, id string) error {
	return herald.ReportVersion(ctx, func() (int64, error) { return rowVersion(ctx, tx, id) })
}

func (s *Store) insertArticle(ctx context.Context, tx pgx.Tx, a *herald.Article, updatedAt time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO articles (id, slug, title, url, summary, content_html,
		language, image, published_at, updated_at,
		episode, season, episode_type, transcript_url, transcript_type, chapters_url)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		a.ID, a.Slug, a.Title, a.URL, a.Summary, a.ContentHTML, a.Language, a.Image,
		seconds(a.PublishedAt), updatedAt,
		a.Episode, a.Season, a.EpisodeType, a.TranscriptURL, a.TranscriptType, a.ChaptersURL)
	if err != nil {
		return err
	}
	return s.insertChildren(ctx, tx, a, updatedAt)
}

// insertChildren writes a's lists, its feed membership and its pack
// (updated at updatedAt) in one batch, one round trip whatever the number
// of rows. The caller has written a's row.
func (s *Store) insertChildren(ctx context.Context, tx pgx.Tx, a *herald.Article, updatedAt time.Time) error {
	b := &pgx.Batch{}
	for i, au := range a.Authors {
		b.Queue(`INSERT INTO article_authors (article_id, position, name, email, url, slug)
			VALUES ($1, $2, $3, $4, $5, $6)`, a.ID, i, au.Name, au.Email, au.URL, herald.Slugify(au.Name))
	}
	terms := []struct {
		kind  herald.ScopeKind
		names []string
	}{{herald.ScopeCategory, a.Categories}, {herald.ScopeTag, a.Tags}}
	for _, t := range terms {
		for i, name := range t.names {
			b.Queue(`INSERT INTO article_terms (article_id, kind, position, name, slug)
				VALUES ($1, $2, $3, $4, $5)`, a.ID, string(t.kind), i, name, herald.Slugify(name))
		}
	}
	for i, e := range a.Enclosures {
		b.Queue(`INSERT INTO article_enclosures (article_id, position, url, type, length, duration)
			VALUES ($1, $2, $3, $4, $5, $6)`, a.ID, i, e.URL, e.Type, e.Length, e.Duration)
	}
	names := a.ScopeNames()
	pub := seconds(a.PublishedAt)
	for _, sc := range a.Scopes() {
		b.Queue(`INSERT INTO article_scopes (scope_key, published_at, article_id, name)
			VALUES ($1, $2, $3, $4)`, sc.Key(), pub, a.ID, names[sc])
	}
	if !s.packless {
		stored := *a
		stored.UpdatedAt = updatedAt
		b.Queue(packQuery, herald.PackFormat, herald.PackArticle(&stored), a.ID)
	}
	return tx.SendBatch(ctx, b).Close()
}

// packQuery stores an article's pack under the version its row has now,
// after the row and its lists: format, pack, id.
const packQuery = `INSERT INTO article_packs (article_id, version, format, pack)
	SELECT id, version, $1, $2 FROM articles WHERE id = $3
	ON CONFLICT (article_id) DO UPDATE SET version = excluded.version, format = excluded.format, pack = excluded.pack`

// bumpScopes adds one to the revision of each scope in keys (once per
// scope) and records that its cache invalidation is owed under the new
// revision (herald.Store). When shown is true, the write changes what
// feeds show, and each scope's changed_at becomes now, never moving
// backwards; a write only of scheduled articles leaves it alone, so the
// feeds it renders again keep their bytes, ETag and Last-Modified (a scope
// it creates starts with none). The keys are bumped in sorted order, so
// concurrent writers lock scope rows in one global order and cannot
// deadlock on them.
func (s *Store) bumpScopes(ctx context.Context, tx pgx.Tx, keys []string, now time.Time, shown bool) error {
	keys = append([]string(nil), keys...)
	sort.Strings(keys)
	query, changedAt := s.bumpQuery(now, shown)
	b := &pgx.Batch{}
	for i, k := range keys {
		if i > 0 && keys[i-1] == k {
			continue
		}
		b.Queue(query, k, changedAt)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("bump scopes: %w", err)
	}
	return nil
}

// bumpQuery is the statement bumpScopes runs for each scope, with key and
// the changed_at it passes as arguments, and that changed_at.
func (s *Store) bumpQuery(now time.Time, shown bool) (query string, changedAt time.Time) {
	changed := "greatest(scopes.changed_at, excluded.changed_at)"
	changedAt = now
	if !shown {
		// A scope this write creates has changed nothing readers see yet:
		// the epoch stands for "never" (a feed read takes it as zero).
		changed, changedAt = "scopes.changed_at", time.Unix(0, 0).UTC()
	}
	query = `INSERT INTO scopes (key, revision, changed_at, undelivered) VALUES ($1, 1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET revision = scopes.revision + 1,
		changed_at = ` + changed + `, undelivered = scopes.revision + 1`
	if s.unmarked {
		query = `INSERT INTO scopes (key, revision, changed_at) VALUES ($1, 1, $2)
		ON CONFLICT (key) DO UPDATE SET revision = scopes.revision + 1,
		changed_at = ` + changed
	}
	return query, changedAt
}
