package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"
)

// Options configures a Store.
type Options struct {
	// Now is the store's clock, used for UpdatedAt, a scope's changed_at
	// and the time a migration was applied. Nil means time.Now.
	Now func() time.Time
	// SkipMigrate opens the database without applying pending migrations,
	// for `herald migrate status`. Every other use wants them applied.
	SkipMigrate bool
	// ArticleCache is how many decoded articles the store keeps in memory
	// for feed reads (internal/artcache), so that a feed read fetches only
	// the rows written since this process last read them. Zero or less
	// keeps none.
	ArticleCache int
	// ArticleCacheBytes bounds that cache by the bytes its articles hold
	// (artcache.Size); zero or less bounds it by count alone.
	ArticleCacheBytes int
	// FoldEvery is how often the store folds the scopes' count changes
	// into their totals (FoldCounts); zero means every 10 s, and less than
	// zero never in the background (tests fold by hand). A store opened
	// with SkipMigrate never folds.
	FoldEvery time.Duration
	// Logger receives the warnings of background work; nil discards them.
	Logger *slog.Logger
}

// Store is herald.Store on PostgreSQL. It is safe for concurrent use.
type Store struct {
	pool     *pgxpool.Pool
	now      func() time.Time
	articles *artcache.Cache // nil when disabled
	// rowReads counts the articles the article cache lacked that were
	// read from their rows, having no pack of their version and format.
	rowReads atomic.Uint64
	// unmarked: writes do not record the invalidations they owe, for a
	// schema before the undelivered column, which only the upgrade test
	// opens (Open applies every migration before any write).
	unmarked bool
	// packless: writes do not store article packs, as a build before
	// migration 0006 does (for tests of schemas and builds before it).
	packless bool
	// folder folds the scopes' count changes in the background, nil when
	// it does not; writes counts commits for it.
	folder *folder
	writes atomic.Int64
}

var _ herald.Store = (*Store)(nil)

// Open connects to the database at dbURL (postgres:// or postgresql://),
// checks that it answers and applies pending migrations. Pool settings come
// from the URL's pgx parameters (pool_max_conns, pool_min_conns,
// pool_max_conn_lifetime, pool_max_conn_idle_time, pool_health_check_period)
// and libpq ones such as connect_timeout and sslmode.
func Open(ctx context.Context, dbURL string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		// pgx errors may quote the URL, password included.
		return nil, fmt.Errorf("postgres: open %s: bad database URL", Redact(dbURL))
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", Redact(dbURL), err)
	}
	s := &Store{pool: pool, now: opts.Now, articles: artcache.New(opts.ArticleCache, opts.ArticleCacheBytes)}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s: %w", Redact(dbURL), err)
	}
	if opts.SkipMigrate {
		return s, nil
	}
	if _, err := s.Migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if opts.FoldEvery >= 0 {
		log := opts.Logger
		if log == nil {
			log = slog.New(slog.DiscardHandler)
		}
		s.startFolding(cmp.Or(opts.FoldEvery, foldInterval), log)
	}
	return s, nil
}

// Redact returns dbURL for messages and logs, with its password hidden:
// the one in its user info and any given as a query parameter (password,
// sslpassword), which pgx reads too.
func Redact(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "(unparseable database URL)"
	}
	if u.RawQuery != "" {
		q := u.Query()
		hidden := false
		for k := range q {
			if strings.EqualFold(k, "password") || strings.EqualFold(k, "sslpassword") {
				q[k] = []string{"xxxxx"}
				hidden = true
			}
		}
		if hidden {
			u.RawQuery = q.Encode()
		}
	}
	return u.Redacted()
}

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return storeError("ping", err)
	}
	return nil
}

// ArticleCache is the store's cache of decoded articles, nil when
// disabled; for statistics, and for tests and benchmarks that empty it.
func (s *Store) ArticleCache() *artcache.Cache { return s.articles }

// ArticleRowReads returns how many articles missing from the article
// cache were read from their rows rather than from their packs
// (herald.PackArticle) since the store was opened: articles without a pack
// of their current version and format, which the packing at start (or
// their next write) gives one.
func (s *Store) ArticleRowReads() uint64 { return s.rowReads.Load() }

// Close stops the background folds and closes every connection of the
// pool.
func (s *Store) Close() error {
	s.stopFolding()
	s.pool.Close()
	return nil
}

// clock returns the store's current time as stored: UTC, whole seconds.
func (s *Store) clock() time.Time {
	return s.now().UTC().Truncate(time.Second)
}

// seconds floors t to its second in UTC, the precision of every stored
// time. It agrees with SQLite's Unix() for the times articles carry.
func seconds(t time.Time) time.Time {
	return time.Unix(t.Unix(), 0).UTC()
}

// readTx runs fn in one REPEATABLE READ, READ ONLY transaction: every
// statement of fn sees the same snapshot, and no write waits for it.
func (s *Store) readTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// write runs fn in one READ COMMITTED transaction and commits it, or rolls
// it back when fn or the commit fails, so no error leaves anything written.
// Races between writers are settled by row locks: an article is locked with
// FOR UPDATE before it is read for replacement, and scopes are bumped in
// key order so two writers never wait on each other in a cycle. Should
// PostgreSQL still report a deadlock (say, two replacements swapping slugs),
// the whole transaction is retried a few times.
// A committed write counts toward the next fold of the scopes' counts
// (wrote).
func (s *Store) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	err := s.retryWrite(ctx, fn)
	if err == nil {
		s.wrote()
	}
	return err
}

// retryWrite is write without counting the write toward a fold: for
// writes that change no scope, such as the packing of articles at start.
func (s *Store) retryWrite(ctx context.Context, fn func(tx pgx.Tx) error) error {
	var err error
	for range 3 {
		if err = s.writeOnce(ctx, fn); !isRetryable(err) {
			return err
		}
	}
	return err
}

func (s *Store) writeOnce(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	return tx.Commit(ctx)
}

// isNoRows reports whether err says a query returned no row.
func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
