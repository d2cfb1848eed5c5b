package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/herald-feeds/herald/internal/herald"
)

// articleFields are the columns of an article row that articleScanner
// reads, for a query over articles aliased as a, and articleColumns the
// same after the id. The optional fields come back NULL rather than empty
// or zero: the driver reads a NULL with one call into SQLite, an empty
// string with three, and most articles leave all of them unset.
const (
	articleFields = `a.slug, a.title, a.url, a.summary, a.content_html, NULLIF(a.language, ''), NULLIF(a.image, ''),
	a.published_at, a.updated_at, NULLIF(a.episode, 0), NULLIF(a.season, 0), NULLIF(a.episode_type, ''),
	NULLIF(a.transcript_url, ''), NULLIF(a.transcript_type, ''), NULLIF(a.chapters_url, '')`
	articleColumns = "a.id, " + articleFields
)

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
	a, err := articleWhere(ctx, tx, where, arg)
	if err != nil {
		return nil, err
	}
	return a, reportVersion(ctx, tx, a.ID)
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

// totalArticlesQuery reads the number of articles from the site's kept
// count (every article is in the site scope, scheduled ones included),
// rather than counting the table: 200,000 articles took milliseconds to
// count at every page of the listing.
const totalArticlesQuery = "SELECT coalesce((SELECT articles FROM scope_counts WHERE key = 'site'), 0)"

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
	if err := tx.QueryRowContext(ctx, totalArticlesQuery).Scan(&total); err != nil {
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

// articleScanner scans rows of articleFields, after one leading column,
// into new articles. Its destinations are made once per query rather
// than once per row.
type articleScanner struct {
	a                                           herald.Article
	pub, upd                                    int64
	language, image, episodeType, transcriptURL sql.NullString
	transcriptType, chaptersURL                 sql.NullString
	episode, season                             sql.NullInt64
	dest                                        []any
}

// newArticleScanner returns a scanner whose rows start with a column
// scanned into lead, or into the article's ID when lead is nil.
func newArticleScanner(lead any) *articleScanner {
	s := &articleScanner{}
	if lead == nil {
		lead = &s.a.ID
	}
	s.dest = []any{lead, &s.a.Slug, &s.a.Title, &s.a.URL, &s.a.Summary, &s.a.ContentHTML, &s.language, &s.image,
		&s.pub, &s.upd, &s.episode, &s.season, &s.episodeType, &s.transcriptURL, &s.transcriptType, &s.chaptersURL}
	return s
}

// scan reads the current row into a new article.
func (s *articleScanner) scan(rows *sql.Rows) (*herald.Article, error) {
	if err := rows.Scan(s.dest...); err != nil {
		return nil, err
	}
	a := new(herald.Article)
	*a = s.a
	a.Language, a.Image = s.language.String, s.image.String
	a.PublishedAt, a.UpdatedAt = fromUnix(s.pub), fromUnix(s.upd)
	a.Episode, a.Season = int(s.episode.Int64), int(s.season.Int64)
	a.EpisodeType, a.TranscriptURL = s.episodeType.String, s.transcriptURL.String
	a.TranscriptType, a.ChaptersURL = s.transcriptType.String, s.chaptersURL.String
	return a, nil
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
	sc := newArticleScanner(nil)
	for rows.Next() {
		a, err := sc.scan(rows)
		if err != nil {
			return nil, err
		}
		arts = append(arts, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(arts) == 0 {
		return nil, nil
	}
	ids := make([]string, len(arts))
	for i, a := range arts {
		ids[i] = a.ID
	}
	idList, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	if err := loadLists(ctx, tx, arts, string(idList)); err != nil {
		return nil, err
	}
	return arts, nil
}

// List queries: the authors, terms and enclosures of the articles whose
// ids are in a JSON array, each row led by the index of its article in
// the array. Joining json_each, rather than testing article_id IN
// (SELECT value FROM json_each(?)), spares SQLite building a temporary
// index of the ids, and an integer index is cheaper to read and to look
// up than the id. A page of any size is one statement per list and never
// hits SQLite's limit on bound parameters.
const (
	authorsByIndexQuery = `SELECT j.key, au.name, au.email, au.url
	FROM json_each(?) j JOIN article_authors au ON au.article_id = j.value
	ORDER BY j.key, au.position`
	termsByIndexQuery = `SELECT j.key, CASE t.kind WHEN 'category' THEN 0 WHEN 'tag' THEN 1 END, t.name
	FROM json_each(?) j JOIN article_terms t ON t.article_id = j.value
	ORDER BY j.key, t.kind, t.position`
	enclosuresByIndexQuery = `SELECT j.key, e.url, e.type, e.length, e.duration
	FROM json_each(?) j JOIN article_enclosures e ON e.article_id = j.value
	ORDER BY j.key, e.position`
)

// loadLists reads the authors, categories, tags and enclosures of arts,
// whose ids idList holds as a JSON array in the same order.
func loadLists(ctx context.Context, tx queryer, arts []*herald.Article, idList string) error {
	var i int
	article := func() (*herald.Article, error) {
		if i < 0 || i >= len(arts) {
			return nil, fmt.Errorf("row for article %d of %d", i, len(arts))
		}
		return arts[i], nil
	}
	var au herald.Author
	err := eachRow(ctx, tx, authorsByIndexQuery, idList, []any{&i, &au.Name, &au.Email, &au.URL}, func() error {
		a, err := article()
		if err != nil {
			return err
		}
		a.Authors = append(a.Authors, au)
		return nil
	})
	if err != nil {
		return fmt.Errorf("authors: %w", err)
	}
	var kind sql.NullInt64
	var name string
	err = eachRow(ctx, tx, termsByIndexQuery, idList, []any{&i, &kind, &name}, func() error {
		a, err := article()
		if err != nil {
			return err
		}
		switch {
		case kind.Valid && kind.Int64 == 0:
			a.Categories = append(a.Categories, name)
		case kind.Valid && kind.Int64 == 1:
			a.Tags = append(a.Tags, name)
		default:
			return errors.New("unknown term kind")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("terms: %w", err)
	}
	var e herald.Enclosure
	err = eachRow(ctx, tx, enclosuresByIndexQuery, idList, []any{&i, &e.URL, &e.Type, &e.Length, &e.Duration}, func() error {
		a, err := article()
		if err != nil {
			return err
		}
		a.Enclosures = append(a.Enclosures, e)
		return nil
	})
	if err != nil {
		return fmt.Errorf("enclosures: %w", err)
	}
	return nil
}

// eachRow runs query, scans each row into dest and then calls fn.
func eachRow(ctx context.Context, tx queryer, query string, arg any, dest []any, fn func() error) error {
	rows, err := tx.QueryContext(ctx, query, arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if err := fn(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ArticleVersion returns the row version of the article with id, which
// every write of the article changes (migration 0003). The feed read keys
// its article cache by it; the conformance suite checks it.
func (s *Store) ArticleVersion(ctx context.Context, id string) (int64, error) {
	v, err := rowVersion(ctx, s.db, id)
	if err != nil && !herald.IsNotFound(err) {
		return 0, fail("article version", err)
	}
	return v, err
}
