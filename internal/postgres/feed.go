package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
)

// Feed returns one page of q.Scope's feed at q.Now, read from one snapshot:
// the page itself, the visible total, the scope's revision and change time,
// the next scheduled publication, the page's horizon (herald.FeedPage) and
// the scope's display name. A limit of
// zero or less means no limit.
//
// With an article cache the read is pipelined (see snapshotBatches): one
// round trip when every article of the page is cached, two when some are
// not, instead of a transaction's begin and commit around them. Should a
// write land between the two and change an article the first one listed,
// the read starts again; after a few such races it falls back to one
// ordinary transaction.
func (s *Store) Feed(ctx context.Context, q herald.FeedQuery) (*herald.FeedPage, error) {
	var page *herald.FeedPage
	err := errSnapshotMoved
	if s.articles != nil {
		for range 3 {
			if page, err = s.feedPipelined(ctx, q); !errors.Is(err, errSnapshotMoved) {
				break
			}
		}
	}
	if errors.Is(err, errSnapshotMoved) {
		err = s.readTx(ctx, func(tx pgx.Tx) error {
			var err error
			page, err = s.feed(ctx, tx, q)
			return err
		})
	}
	if err != nil && !herald.IsNotFound(err) {
		return nil, storeError("feed "+q.Scope.Key(), err)
	}
	return page, err
}

// feedPipelined is feed on one pooled connection whose every batch is its
// own snapshot.
func (s *Store) feedPipelined(ctx context.Context, q herald.FeedQuery) (*herald.FeedPage, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	// A batch that failed leaves its transaction open and aborted; the pool
	// closes such a connection on release instead of reusing it.
	defer conn.Release()
	return s.feed(ctx, snapshotBatches{conn}, q)
}

// batchSender sends a batch: a transaction, or snapshotBatches.
type batchSender interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// snapshotBatches sends each batch inside a read-only REPEATABLE READ
// transaction of its own, begun and committed in the same round trip, so
// that every statement of a batch sees one snapshot. Two batches see two
// snapshots: a reader that needs them to agree checks versions (see
// cachedPage).
type snapshotBatches struct{ conn *pgxpool.Conn }

func (sb snapshotBatches) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	wrapped := &pgx.Batch{}
	wrapped.Queue("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
	wrapped.QueuedQueries = append(wrapped.QueuedQueries, b.QueuedQueries...)
	wrapped.Queue("COMMIT")
	return sb.conn.SendBatch(ctx, wrapped)
}

// beforeFetch, when set (by tests), runs between the two batches of a feed
// read that fetches articles.
var beforeFetch func()

// errSnapshotMoved reports that an article changed between the two
// batches of a pipelined feed read.
var errSnapshotMoved = errors.New("an article of the page changed during the read")

// pageScopes is the subquery of one page of a scope's visible articles,
// in feed order, from article_scopes alone: scope key, now, limit,
// offset. The page is cut before joining articles, so a page far into the
// history (RFC 5005 archives) looks up its own articles only, not every
// article before it (BenchmarkFeedDeepPage: the eleventh page of 100 took
// 1,100 lookups).
const pageScopes = `(SELECT article_id, published_at FROM article_scopes
	WHERE scope_key = $1 AND published_at <= $2
	ORDER BY published_at DESC, article_id
	LIMIT $3 OFFSET $4) s`

// feedPageQuery selects one page of a scope's visible articles in feed
// order: scope key, now, limit, offset.
const feedPageQuery = "SELECT " + articleColumns + " FROM " + pageScopes + `
	JOIN articles a ON a.id = s.article_id
	ORDER BY s.published_at DESC, s.article_id`

// feedKeysQuery selects the id and version of each article of one page of
// a scope, in feed order: scope key, now, limit, offset.
const feedKeysQuery = "SELECT s.article_id, a.version FROM " + pageScopes + `
	JOIN articles a ON a.id = s.article_id
	ORDER BY s.published_at DESC, s.article_id`

// scopeCountQuery reads, in one statement (one snapshot, which a fold
// changes all at once), a scope's visible total and the time its next
// scheduled article shows: its kept total, plus its count changes not
// folded yet, less its scheduled articles, counted from the newest end of
// its range (counts.go): scope key, now.
const scopeCountQuery = `SELECT
	coalesce((SELECT articles FROM scope_counts WHERE key = $1), 0) +
	coalesce((SELECT sum(change) FROM scope_count_changes WHERE scope_key = $1), 0) -
	(SELECT count(*) FROM article_scopes WHERE scope_key = $1 AND published_at > $2),
	(SELECT min(published_at) FROM article_scopes WHERE scope_key = $1 AND published_at > $2)`

// feed reads everything a page needs inside tx. Without an article cache
// that is two round trips: one batch for the scope's name, counts,
// bookkeeping and the page, one for the page's lists. With one, the first
// batch reads only the page's (id, version) pairs, and a second batch reads
// the rows and lists of the articles whose version is not cached; when
// every one is, the page costs a single round trip.
func (s *Store) feed(ctx context.Context, tx batchSender, q herald.FeedQuery) (*herald.FeedPage, error) {
	key := q.Scope.Key()
	// Stored times are whole seconds; flooring Now keeps an article visible
	// from the first instant of its second.
	now := seconds(q.Now)
	page := &herald.FeedPage{}
	var name *string // the newest visible article's
	var next *time.Time
	b := &pgx.Batch{}
	// The site has no name to find; other scopes are named by their newest
	// visible article (see below).
	if q.Scope.Kind != herald.ScopeSite {
		b.Queue(scopeNameQuery, key, now).QueryRow(func(row pgx.Row) error {
			var n string
			if err := row.Scan(&n); err != nil {
				if isNoRows(err) {
					return nil
				}
				return fmt.Errorf("scope name: %w", err)
			}
			name = &n
			return nil
		})
	}
	b.Queue(scopeCountQuery, key, now).QueryRow(func(row pgx.Row) error {
		if err := row.Scan(&page.Total, &next); err != nil {
			return fmt.Errorf("count: %w", err)
		}
		return nil
	})
	// changed_at is the epoch for a scope only scheduled writes touched:
	// none yet.
	b.Queue("SELECT revision, NULLIF(changed_at, 'epoch') FROM scopes WHERE key = $1", key).QueryRow(func(row pgx.Row) error {
		var changed *time.Time
		err := row.Scan(&page.Revision, &changed)
		if changed != nil {
			page.ChangedAt = *changed
		}
		if err != nil && !isNoRows(err) {
			return fmt.Errorf("revision: %w", err)
		}
		return nil
	})
	// The horizon of a page at offset 0 is its own first article: the
	// feeds read most cost no statement more.
	var horizon *time.Time
	if q.Offset > 0 {
		b.Queue(horizonQuery, key, now, horizonOffset(q)).QueryRow(func(row pgx.Row) error {
			if err := row.Scan(&horizon); err != nil && !isNoRows(err) {
				return fmt.Errorf("horizon: %w", err)
			}
			return nil
		})
	}
	var keys []artcache.Key
	if s.articles == nil {
		b.Queue(feedPageQuery, key, now, sqlLimit(q.Limit), max(q.Offset, 0)).Query(func(rows pgx.Rows) error {
			var err error
			if page.Articles, err = scanArticles(rows); err != nil {
				return fmt.Errorf("page: %w", err)
			}
			return nil
		})
	} else {
		b.Queue(feedKeysQuery, key, now, sqlLimit(q.Limit), max(q.Offset, 0)).Query(func(rows pgx.Rows) error {
			var err error
			keys, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (artcache.Key, error) {
				var k artcache.Key
				err := r.Scan(&k.ID, &k.Version)
				return k, err
			})
			if err != nil {
				return fmt.Errorf("page: %w", err)
			}
			return nil
		})
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}

	if q.Scope.Kind != herald.ScopeSite {
		// The name the newest visible article gives the scope, fixed by
		// the data, so every replica picks the same name. A scope whose
		// articles are all scheduled does not exist yet: neither its feed
		// nor its name shows before its first article does.
		if name == nil {
			return nil, herald.Errorf(herald.ENotFound, "%s %q not found", q.Scope.Kind, q.Scope.Slug)
		}
		page.Name = *name
	}
	if next != nil {
		page.NextPublish = next.UTC()
	}
	if !page.ChangedAt.IsZero() {
		page.ChangedAt = page.ChangedAt.UTC()
	}
	if horizon != nil {
		page.Horizon = horizon.UTC()
	}
	if s.articles != nil {
		var err error
		if page.Articles, err = s.cachedPage(ctx, tx, keys); err != nil {
			return nil, fmt.Errorf("page: %w", err)
		}
		return withHorizon(page, q), nil
	}
	if len(page.Articles) == 0 {
		page.Articles = nil
		return page, nil
	}
	if err := loadLists(ctx, tx, page.Articles); err != nil {
		return nil, fmt.Errorf("page: %w", err)
	}
	return withHorizon(page, q), nil
}

// horizonQuery selects the publication time of the visible article at an
// offset of a scope's feed order, from article_scopes' primary key alone:
// scope key, now, offset.
const horizonQuery = `SELECT published_at FROM article_scopes
	WHERE scope_key = $1 AND published_at <= $2
	ORDER BY published_at DESC, article_id
	LIMIT 1 OFFSET $3`

// horizonOffset is where FeedPage.Horizon is read for q: Limit articles
// before the page, or the newest end.
func horizonOffset(q herald.FeedQuery) int {
	if q.Limit <= 0 {
		return 0
	}
	return max(0, q.Offset-q.Limit)
}

// withHorizon sets the horizon of a page read at offset 0, which is its
// first article (read in the same snapshot); others had theirs queried.
func withHorizon(page *herald.FeedPage, q herald.FeedQuery) *herald.FeedPage {
	if q.Offset <= 0 && len(page.Articles) > 0 {
		page.Horizon = page.Articles[0].PublishedAt
	}
	return page
}

// articlesByIDQuery selects the articles whose ids are in an array, with
// their versions, in no particular order.
const articlesByIDQuery = "SELECT a.version, " + articleColumns + " FROM articles a WHERE a.id = ANY($1)"

// cachedPage assembles the page whose (id, version) pairs are keys: cached
// articles as they are, the others read in one batch (rows and lists) and
// then cached. The batch may see a later snapshot than the one keys came
// from (snapshotBatches): every article it reads must be at the version
// keys name, since a version names one content of the row and its lists,
// or the read fails with errSnapshotMoved.
func (s *Store) cachedPage(ctx context.Context, tx batchSender, keys []artcache.Key) ([]*herald.Article, error) {
	return s.articles.Page(keys, func(missing []string) (map[string]*herald.Article, error) {
		want := make(map[string]int64, len(missing))
		for _, k := range keys {
			want[k.ID] = k.Version
		}
		if beforeFetch != nil {
			beforeFetch()
		}
		byID, versions, fromRows, err := fetchVersioned(ctx, tx, missing)
		if err != nil {
			return nil, err
		}
		s.rowReads.Add(uint64(fromRows))
		if len(byID) != len(missing) {
			return nil, errSnapshotMoved
		}
		for id, v := range versions {
			if v != want[id] {
				return nil, errSnapshotMoved
			}
		}
		return byID, nil
	})
}

// packsByIDQuery selects, for each article whose id is in an array, its
// version and its pack when the pack was made from that version and is of
// a format (NULL otherwise), in no particular order: ids, format.
const packsByIDQuery = `SELECT a.id, a.version, p.pack FROM articles a
	LEFT JOIN article_packs p ON p.article_id = a.id AND p.version = a.version AND p.format = $2
	WHERE a.id = ANY($1)`

// fetchVersioned reads the articles with ids, and their versions: from
// their packs in one round trip, and those without a pack of their
// version (written before packs existed, or last by a build that does not
// make them, or whose pack does not unpack) from their rows and lists in a
// second, and how many of those there were. An id with no row is left out.
func fetchVersioned(ctx context.Context, tx batchSender, ids []string) (byID map[string]*herald.Article, versions map[string]int64, fromRows int, err error) {
	byID = make(map[string]*herald.Article, len(ids))
	versions = make(map[string]int64, len(ids))
	var unpacked []string
	b := &pgx.Batch{}
	b.Queue(packsByIDQuery, ids, herald.PackFormat).Query(func(rows pgx.Rows) error {
		var id string
		var version int64
		var pack []byte
		for rows.Next() {
			if err := rows.Scan(&id, &version, &pack); err != nil {
				return err
			}
			versions[id] = version
			if pack != nil {
				if a, err := herald.UnpackArticle(pack); err == nil && a.ID == id {
					byID[id] = a
					continue
				}
			}
			unpacked = append(unpacked, id)
		}
		return rows.Err()
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, nil, 0, err
	}
	if len(unpacked) == 0 {
		return byID, versions, 0, nil
	}
	// The rows' versions replace those read with the packs: a caller
	// checking them against the versions it expects sees what it got.
	b = &pgx.Batch{}
	b.Queue(articlesByIDQuery, unpacked).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var a herald.Article
			var version int64
			if err := scanArticle(rows, &a, &version); err != nil {
				return err
			}
			byID[a.ID] = &a
			versions[a.ID] = version
		}
		return rows.Err()
	})
	queueLists(b, unpacked, byID)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, nil, 0, err
	}
	return byID, versions, len(unpacked), nil
}

// scopeNameQuery finds the display name of a category, tag or author
// scope: its newest visible article's.
const scopeNameQuery = `SELECT name FROM article_scopes WHERE scope_key = $1 AND published_at <= $2
	ORDER BY published_at DESC, article_id LIMIT 1`
