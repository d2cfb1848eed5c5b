package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// CreateArticle inserts a and sets a.UpdatedAt, bumping every scope of a in
// the same transaction.
func (s *Store) CreateArticle(ctx context.Context, a *herald.Article) error {
	now := s.clock()
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.insertArticle(ctx, tx, a, now); err != nil {
			return err
		}
		if err := reportVersion(ctx, tx, a.ID); err != nil {
			return err
		}
		return s.bumpScopes(ctx, tx, a.ScopeKeys(), now, herald.ShowsChange(nil, a, now))
	})
	if err != nil {
		if c := conflict(err, a); c != nil {
			return c
		}
		return fail("create article", err)
	}
	a.UpdatedAt = now
	return nil
}

// ReplaceArticle overwrites the article with a.ID, sets a.UpdatedAt and
// returns the version it replaced. The scopes of the old and the new
// version are bumped.
func (s *Store) ReplaceArticle(ctx context.Context, a *herald.Article) (*herald.Article, error) {
	now := s.clock()
	var old *herald.Article
	var unchanged bool // the stored article already is a: nothing written
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if old, err = articleWhere(ctx, tx, "a.id = ?", a.ID); err != nil {
			return err
		}
		if err := checkVersion(ctx, tx, a.ID); err != nil {
			return err
		}
		if unchanged = old.SameAs(a); unchanged {
			return reportVersion(ctx, tx, a.ID)
		}
		_, err = tx.ExecContext(ctx, `UPDATE articles SET slug = ?, title = ?, url = ?, summary = ?,
			content_html = ?, language = ?, image = ?, published_at = ?, updated_at = ?,
			episode = ?, season = ?, episode_type = ?, transcript_url = ?, transcript_type = ?, chapters_url = ?
			WHERE id = ?`,
			a.Slug, a.Title, a.URL, a.Summary, a.ContentHTML, a.Language, a.Image,
			a.PublishedAt.Unix(), now.Unix(),
			a.Episode, a.Season, a.EpisodeType, a.TranscriptURL, a.TranscriptType, a.ChaptersURL, a.ID)
		if err != nil {
			return err
		}
		for _, table := range [...]string{"article_authors", "article_terms", "article_enclosures", "article_scopes"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE article_id = ?", a.ID); err != nil {
				return err
			}
		}
		if err := insertChildren(ctx, tx, a); err != nil {
			return err
		}
		if err := s.putPack(ctx, tx, a, now); err != nil {
			return err
		}
		if err := reportVersion(ctx, tx, a.ID); err != nil {
			return err
		}
		return s.bumpScopes(ctx, tx, append(old.ScopeKeys(), a.ScopeKeys()...), now, herald.ShowsChange(old, a, now))
	})
	if err != nil {
		if herald.IsNotFound(err) || herald.ErrorCode(err) == herald.EPrecondition {
			return nil, err
		}
		if c := conflict(err, a); c != nil {
			return nil, c
		}
		return nil, fail("replace article", err)
	}
	a.UpdatedAt = now
	if unchanged {
		a.UpdatedAt = old.UpdatedAt
	}
	return old, nil
}

// DeleteArticle removes the article with id, bumps every scope it was in
// and returns the deleted version.
func (s *Store) DeleteArticle(ctx context.Context, id string) (*herald.Article, error) {
	now := s.clock()
	var old *herald.Article
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if old, err = articleWhere(ctx, tx, "a.id = ?", id); err != nil {
			return err
		}
		if err := checkVersion(ctx, tx, id); err != nil {
			return err
		}
		// Child rows go by ON DELETE CASCADE.
		if _, err := tx.ExecContext(ctx, "DELETE FROM articles WHERE id = ?", id); err != nil {
			return err
		}
		return s.bumpScopes(ctx, tx, old.ScopeKeys(), now, herald.ShowsChange(old, nil, now))
	})
	if err != nil {
		if herald.IsNotFound(err) || herald.ErrorCode(err) == herald.EPrecondition {
			return nil, err
		}
		return nil, fail("delete article", err)
	}
	s.articles.Remove(id) // frees the memory now; later pages no longer list it
	return old, nil
}

// checkVersion refuses, when ctx carries a VersionCheck expecting another
// version, to go on with a write of the article id (herald.VersionCheck).
// The write transaction holds SQLite's write lock, so the version cannot
// change before the write.
func checkVersion(ctx context.Context, tx queryer, id string) error {
	if vc := herald.VersionCheckOf(ctx); vc == nil || vc.Expect == 0 {
		return nil
	}
	v, err := rowVersion(ctx, tx, id)
	if err != nil {
		return err
	}
	return herald.CheckVersion(ctx, id, v)
}

// reportVersion hands the version of the article id, as tx sees it, to
// the VersionCheck ctx carries, if any.
func reportVersion(ctx context.Context, tx queryer, id string) error {
	return herald.ReportVersion(ctx, func() (int64, error) { return rowVersion(ctx, tx, id) })
}

func rowVersion(ctx context.Context, tx queryer, id string) (int64, error) {
	var v int64
	if err := tx.QueryRowContext(ctx, "SELECT version FROM articles WHERE id = ?", id).Scan(&v); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, errArticleNotFound()
		}
		return 0, err
	}
	return v, nil
}

// write runs fn in one read-write transaction and commits it, or rolls it
// back when fn or the commit fails, so no error leaves anything written.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil) // IMMEDIATE through the DSN
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (s *Store) insertArticle(ctx context.Context, tx *sql.Tx, a *herald.Article, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO articles (id, slug, title, url, summary, content_html,
		language, image, published_at, updated_at,
		episode, season, episode_type, transcript_url, transcript_type, chapters_url)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Slug, a.Title, a.URL, a.Summary, a.ContentHTML, a.Language, a.Image,
		a.PublishedAt.Unix(), now.Unix(),
		a.Episode, a.Season, a.EpisodeType, a.TranscriptURL, a.TranscriptType, a.ChaptersURL)
	if err != nil {
		return err
	}
	if err := insertChildren(ctx, tx, a); err != nil {
		return err
	}
	return s.putPack(ctx, tx, a, now)
}

// packQuery stores an article's pack under the version its row has now, in
// the writing transaction, after the row and its lists: format, pack, id.
const packQuery = `INSERT INTO article_packs (article_id, version, format, pack)
	SELECT id, version, ?1, ?2 FROM articles WHERE id = ?3
	ON CONFLICT (article_id) DO UPDATE SET version = excluded.version, format = excluded.format, pack = excluded.pack`

// putPack stores the pack of a as written, updated at updated, once its
// row and lists are written.
func (s *Store) putPack(ctx context.Context, tx *sql.Tx, a *herald.Article, updated time.Time) error {
	if s.packless {
		return nil
	}
	stored := *a
	stored.UpdatedAt = updated
	_, err := tx.ExecContext(ctx, packQuery, herald.PackFormat, herald.PackArticle(&stored), a.ID)
	return err
}

// insertChildren writes a's lists and its feed membership.
func insertChildren(ctx context.Context, tx *sql.Tx, a *herald.Article) error {
	for i, au := range a.Authors {
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_authors (article_id, position, name, email, url, slug)
			VALUES (?, ?, ?, ?, ?, ?)`, a.ID, i, au.Name, au.Email, au.URL, herald.Slugify(au.Name)); err != nil {
			return err
		}
	}
	terms := []struct {
		kind  herald.ScopeKind
		names []string
	}{{herald.ScopeCategory, a.Categories}, {herald.ScopeTag, a.Tags}}
	for _, t := range terms {
		for i, name := range t.names {
			if _, err := tx.ExecContext(ctx, `INSERT INTO article_terms (article_id, kind, position, name, slug)
				VALUES (?, ?, ?, ?, ?)`, a.ID, string(t.kind), i, name, herald.Slugify(name)); err != nil {
				return err
			}
		}
	}
	for i, e := range a.Enclosures {
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_enclosures (article_id, position, url, type, length, duration)
			VALUES (?, ?, ?, ?, ?, ?)`, a.ID, i, e.URL, e.Type, e.Length, e.Duration); err != nil {
			return err
		}
	}
	names := a.ScopeNames()
	for _, sc := range a.Scopes() {
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_scopes (scope_key, published_at, article_id, name)
			VALUES (?, ?, ?, ?)`, sc.Key(), a.PublishedAt.Unix(), a.ID, names[sc]); err != nil {
			return err
		}
	}
	return nil
}

// bumpScopes adds one to the revision of each scope in keys (once per
// scope, duplicates ignored) and records that its cache invalidation is
// owed under the new revision (herald.Store). When shown is true, the
// write changes what feeds show, and each scope's changed_at becomes now;
// a write only of scheduled articles leaves it alone, so the feeds it
// renders again keep their bytes, ETag and Last-Modified (a scope it
// creates starts with none). changed_at never moves backwards, even if the
// clock does, because Last-Modified is derived from it.
func (s *Store) bumpScopes(ctx context.Context, tx *sql.Tx, keys []string, now time.Time, shown bool) error {
	seen := make(map[string]bool, len(keys))
	changed := "max(changed_at, excluded.changed_at)"
	changedAt := now.Unix()
	if !shown {
		// A scope this write creates has changed nothing readers see yet:
		// 0, the epoch, stands for "never" (a feed read takes it as zero).
		changed, changedAt = "changed_at", 0
	}
	query := `INSERT INTO scopes (key, revision, changed_at, undelivered) VALUES (?, 1, ?, 1)
		ON CONFLICT (key) DO UPDATE SET revision = revision + 1, changed_at = ` + changed + `,
		undelivered = revision + 1`
	if s.unmarked {
		query = `INSERT INTO scopes (key, revision, changed_at) VALUES (?, 1, ?)
		ON CONFLICT (key) DO UPDATE SET revision = revision + 1, changed_at = ` + changed
	}
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		_, err := tx.ExecContext(ctx, query, k, changedAt)
		if err != nil {
			return fmt.Errorf("bump scope %s: %w", k, err)
		}
	}
	return nil
}
