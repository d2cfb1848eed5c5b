package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/herald-feeds/herald/internal/herald"
)

// articleColumns are the columns scanArticle reads, in its order, for a
// query over articles aliased as a.
const articleColumns = `a.id, a.slug, a.title, a.url, a.summary, a.content_html, a.language, a.image, a.published_at, a.updated_at,
	a.episode, a.season, a.episode_type, a.transcript_url, a.transcript_type, a.chapters_url`

// Article returns the article with id.
func (s *Store) Article(ctx context.Context, id string) (*herald.Article, error) {
	a, err := s.oneArticle(ctx, "a.id = ?", id)
	if err != nil && !herald.IsNotFound(err) {
		return nil, fail("article", err)
	}
	return a, err
}

// ArticleBySlug returns the article with slug.
func (s *Store) ArticleBySlug(ctx context.Context, slug string) (*herald.Article, error) {
	a, err := s.oneArticle(ctx, "a.slug = ?", slug)
	if err != nil && !herald.IsNotFound(err) {
		return nil, fail("article by slug", err)
	}
	return a, err
}

// oneArticle reads the article matching where, with its lists, from one
// snapshot.
func (s *Store) oneArticle(ctx context.Context, where string, arg any) (*herald.Article, error) {
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return articleWhere(ctx, tx, where, arg)
}

// articleWhere reads the one article matching where inside tx, or gives
// ENotFound.
func articleWhere(ctx context.Context, tx queryer, where string, arg any) (*herald.Article, error) {
	arts, err := queryArticles(ctx, tx, "SELECT "+articleColumns+" FROM articles a WHERE "+where, arg)
	if err != nil {
		return nil, err
	}
	if len(arts) == 0 {
		return nil, errArticleNotFound()
	}
	return arts[0], nil
}

// listQuery selects one page of all articles, newest first: limit, offset.
const listQuery = "SELECT " + articleColumns + ` FROM articles a
	ORDER BY a.published_at DESC, a.id LIMIT ? OFFSET ?`

// ListArticles returns one page of all articles, scheduled ones included,
// newest first with ties by id, and the number of articles. A limit of
// zero or less means no limit.
func (s *Store) ListArticles(ctx context.Context, offset, limit int) ([]*herald.Article, int, error) {
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, 0, fail("list articles", err)
	}
	defer tx.Rollback()
	var total int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM articles").Scan(&total); err != nil {
		return nil, 0, fail("list articles", err)
	}
	arts, err := queryArticles(ctx, tx, listQuery, sqlLimit(limit), max(offset, 0))
	if err != nil {
		return nil, 0, fail("list articles", err)
	}
	return arts, total, nil
}

// sqlLimit maps "no limit" (zero or less) to SQLite's -1.
func sqlLimit(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}

// queryArticles runs query, which selects articleColumns, and fills in the
// lists of every article found with one query per list, whatever the
// number of articles.
func queryArticles(ctx context.Context, tx queryer, query string, args ...any) ([]*herald.Article, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var arts []*herald.Article
	for rows.Next() {
		var a herald.Article
		var pub, upd int64
		if err := rows.Scan(&a.ID, &a.Slug, &a.Title, &a.URL, &a.Summary, &a.ContentHTML,
			&a.Language, &a.Image, &pub, &upd,
			&a.Episode, &a.Season, &a.EpisodeType, &a.TranscriptURL, &a.TranscriptType, &a.ChaptersURL); err != nil {
			return nil, err
		}
		a.PublishedAt, a.UpdatedAt = fromUnix(pub), fromUnix(upd)
		arts = append(arts, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(arts) == 0 {
		return nil, nil
	}
	if err := loadLists(ctx, tx, arts); err != nil {
		return nil, err
	}
	return arts, nil
}

// loadLists reads the authors, categories, tags and enclosures of arts.
// The ids travel as one JSON array parameter, expanded by json_each, so a
// page of any size is one statement per list and never hits SQLite's limit
// on bound parameters.
func loadLists(ctx context.Context, tx queryer, arts []*herald.Article) error {
	byID := make(map[string]*herald.Article, len(arts))
	ids := make([]string, len(arts))
	for i, a := range arts {
		byID[a.ID] = a
		ids[i] = a.ID
	}
	idList, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	const in = "article_id IN (SELECT value FROM json_each(?))"

	err = eachRow(ctx, tx, "SELECT article_id, name, email, url FROM article_authors WHERE "+in+" ORDER BY article_id, position",
		string(idList), func(rows *sql.Rows) error {
			var id string
			var au herald.Author
			if err := rows.Scan(&id, &au.Name, &au.Email, &au.URL); err != nil {
				return err
			}
			byID[id].Authors = append(byID[id].Authors, au)
			return nil
		})
	if err != nil {
		return fmt.Errorf("authors: %w", err)
	}
	err = eachRow(ctx, tx, "SELECT article_id, kind, name FROM article_terms WHERE "+in+" ORDER BY article_id, kind, position",
		string(idList), func(rows *sql.Rows) error {
			var id, kind, name string
			if err := rows.Scan(&id, &kind, &name); err != nil {
				return err
			}
			a := byID[id]
			switch herald.ScopeKind(kind) {
			case herald.ScopeCategory:
				a.Categories = append(a.Categories, name)
			case herald.ScopeTag:
				a.Tags = append(a.Tags, name)
			default:
				return fmt.Errorf("unknown term kind %q", kind)
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("terms: %w", err)
	}
	err = eachRow(ctx, tx, "SELECT article_id, url, type, length, duration FROM article_enclosures WHERE "+in+" ORDER BY article_id, position",
		string(idList), func(rows *sql.Rows) error {
			var id string
			var e herald.Enclosure
			if err := rows.Scan(&id, &e.URL, &e.Type, &e.Length, &e.Duration); err != nil {
				return err
			}
			byID[id].Enclosures = append(byID[id].Enclosures, e)
			return nil
		})
	if err != nil {
		return fmt.Errorf("enclosures: %w", err)
	}
	return nil
}

// eachRow runs query and calls fn for each row.
func eachRow(ctx context.Context, tx queryer, query string, arg any, fn func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ArticleVersion returns the row version of the article with id, which
// every write of the article changes (migration 0003). The feed read keys
// its article cache by it; the conformance suite checks it.
func (s *Store) ArticleVersion(ctx context.Context, id string) (int64, error) {
	var v int64
	if err := s.db.QueryRowContext(ctx, "SELECT version FROM articles WHERE id = ?", id).Scan(&v); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, errArticleNotFound()
		}
		return 0, fail("article version", err)
	}
	return v, nil
}
