package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/herald-feeds/herald/internal/herald"
)

// articleColumns are the columns scanArticles reads, in its order, for a
// query over articles aliased as a.
const articleColumns = `a.id, a.slug, a.title, a.url, a.summary, a.content_html, a.language, a.image, a.published_at, a.updated_at,
	a.episode, a.season, a.episode_type, a.transcript_url, a.transcript_type, a.chapters_url`

// Article returns the article with id.
func (s *Store) Article(ctx context.Context, id string) (*herald.Article, error) {
	a, err := s.oneArticle(ctx, "a.id = $1", id)
	if err != nil && !herald.IsNotFound(err) {
		return nil, storeError("article", err)
	}
	return a, err
}

// ArticleBySlug returns the article with slug.
func (s *Store) ArticleBySlug(ctx context.Context, slug string) (*herald.Article, error) {
	a, err := s.oneArticle(ctx, "a.slug = $1", slug)
	if err != nil && !herald.IsNotFound(err) {
		return nil, storeError("article by slug", err)
	}
	return a, err
}

// oneArticle reads the article matching where, with its lists, from one
// snapshot.
func (s *Store) oneArticle(ctx context.Context, where string, arg any) (*herald.Article, error) {
	var a *herald.Article
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		var err error
		if a, err = articleWhere(ctx, tx, where, arg); err != nil {
			return err
		}
		return reportVersion(ctx, tx, a.ID)
	})
	return a, err
}

// articleWhere reads the one article matching where inside tx, or gives
// ENotFound.
func articleWhere(ctx context.Context, tx pgx.Tx, where string, arg any) (*herald.Article, error) {
	arts, err := queryArticles(ctx, tx, "SELECT "+articleColumns+" FROM articles a WHERE "+where, arg)
	if err != nil {
		return nil, err
	}
	if len(arts) == 0 {
		return nil, errArticleNotFound()
	}
	return arts[0], nil
}

// listQuery selects one page of all articles, newest first: limit (NULL
// for none), offset.
const listQuery = "SELECT " + articleColumns + ` FROM articles a
	ORDER BY a.published_at DESC, a.id LIMIT $1 OFFSET $2`

// totalArticlesQuery reads the number of articles from the site's kept
// count and its changes not folded yet (counts.go; every article is in the
// site scope, scheduled ones included), in one statement, rather than
// counting the table: 200,000 articles took milliseconds to count at every
// page of the listing.
const totalArticlesQuery = `SELECT
	coalesce((SELECT articles FROM scope_counts WHERE key = 'site'), 0) +
	coalesce((SELECT sum(change) FROM scope_count_changes WHERE scope_key = 'site'), 0)`

// ListArticles returns one page of all articles, scheduled ones included,
// newest first with ties by id, and the number of articles. A limit of
// zero or less means no limit.
func (s *Store) ListArticles(ctx context.Context, offset, limit int) ([]*herald.Article, int, error) {
	var arts []*herald.Article
	var total int
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, totalArticlesQuery).Scan(&total); err != nil {
			return err
		}
		var err error
		arts, err = queryArticles(ctx, tx, listQuery, sqlLimit(limit), max(offset, 0))
		return err
	})
	if err != nil {
		return nil, 0, storeError("list articles", err)
	}
	return arts, total, nil
}

// sqlLimit maps "no limit" (zero or less) to NULL, which LIMIT reads as
// no limit.
func sqlLimit(limit int) *int {
	if limit <= 0 {
		return nil
	}
	return &limit
}

// queryArticles runs query, which selects articleColumns, and fills in the
// lists of every article found with one query per list, whatever the
// number of articles.
func queryArticles(ctx context.Context, tx pgx.Tx, query string, args ...any) ([]*herald.Article, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	arts, err := scanArticles(rows)
	if err != nil {
		return nil, err
	}
	if len(arts) == 0 {
		return nil, nil
	}
	if err := loadLists(ctx, tx, arts); err != nil {
		return nil, err
	}
	return arts, nil
}

// scanArticles reads rows of articleColumns, without their lists.
func scanArticles(rows pgx.Rows) ([]*herald.Article, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*herald.Article, error) {
		var a herald.Article
		err := scanArticle(r, &a)
		return &a, err
	})
}

// scanArticle scans a row of lead columns (into lead) followed by
// articleColumns (into a), with a's times in UTC.
func scanArticle(r pgx.Row, a *herald.Article, lead ...any) error {
	err := r.Scan(append(lead, articleScanTargets(a)...)...)
	a.PublishedAt, a.UpdatedAt = a.PublishedAt.UTC(), a.UpdatedAt.UTC()
	return err
}

// articleScanTargets are the fields of a that articleColumns fill, in
// their order.
func articleScanTargets(a *herald.Article) []any {
	return []any{&a.ID, &a.Slug, &a.Title, &a.URL, &a.Summary, &a.ContentHTML,
		&a.Language, &a.Image, &a.PublishedAt, &a.UpdatedAt,
		&a.Episode, &a.Season, &a.EpisodeType, &a.TranscriptURL, &a.TranscriptType, &a.ChaptersURL}
}

// loadLists reads the authors, categories, tags and enclosures of arts in
// one round trip: a batch of one statement per list, the ids passed as one
// array parameter whatever their number.
func loadLists(ctx context.Context, tx batchSender, arts []*herald.Article) error {
	byID := make(map[string]*herald.Article, len(arts))
	ids := make([]string, len(arts))
	for i, a := range arts {
		byID[a.ID] = a
		ids[i] = a.ID
	}
	b := &pgx.Batch{}
	queueLists(b, ids, byID)
	return tx.SendBatch(ctx, b).Close()
}

// queueLists queues on b the queries that fill in the lists of the articles
// with ids. byID is read only when the results arrive, so a query queued
// before these on the same batch may still be filling it.
func queueLists(b *pgx.Batch, ids []string, byID map[string]*herald.Article) {
	const in = "article_id = ANY($1)"
	queueRows(b, "authors", "SELECT article_id, name, email, url FROM article_authors WHERE "+in+" ORDER BY article_id, position",
		ids, func(rows pgx.Rows) error {
			var id string
			var au herald.Author
			if err := rows.Scan(&id, &au.Name, &au.Email, &au.URL); err != nil {
				return err
			}
			byID[id].Authors = append(byID[id].Authors, au)
			return nil
		})
	queueRows(b, "terms", "SELECT article_id, kind, name FROM article_terms WHERE "+in+" ORDER BY article_id, kind, position",
		ids, func(rows pgx.Rows) error {
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
	queueRows(b, "enclosures", "SELECT article_id, url, type, length, duration FROM article_enclosures WHERE "+in+" ORDER BY article_id, position",
		ids, func(rows pgx.Rows) error {
			var id string
			var e herald.Enclosure
			if err := rows.Scan(&id, &e.URL, &e.Type, &e.Length, &e.Duration); err != nil {
				return err
			}
			byID[id].Enclosures = append(byID[id].Enclosures, e)
			return nil
		})
}

// queueRows queues query on b and calls fn for each row of its result.
func queueRows(b *pgx.Batch, what, query string, arg any, fn func(pgx.Rows) error) {
	b.Queue(query, arg).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			if err := fn(rows); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	})
}

// ArticleVersion returns the row version of the article with id, which
// every write of the article changes (migration 0003). The feed read keys
// its article cache by it; the conformance suite checks it.
func (s *Store) ArticleVersion(ctx context.Context, id string) (int64, error) {
	v, err := rowVersion(ctx, s.pool, id)
	if err != nil && !herald.IsNotFound(err) {
		return 0, storeError("article version", err)
	}
	return v, err
}

// rowVersion reads the version of the article id, or gives ENotFound.
func rowVersion(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, id string) (int64, error) {
	var v int64
	if err := q.QueryRow(ctx, "SELECT version FROM articles WHERE id = $1", id).Scan(&v); err != nil {
		if isNoRows(err) {
			return 0, errArticleNotFound()
		}
		return 0, err
	}
	return v, nil
}
