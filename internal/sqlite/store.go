package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/herald-feeds/herald/internal/artcache"
	"github.com/herald-feeds/herald/internal/herald"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Options configures a Store.
type Options struct {
	// Now is the store's clock, used for UpdatedAt, a scope's changed_at
	// and the time a migration was applied. Nil means time.Now.
	Now func() time.Time
	// SkipMigrate opens the database without applying pending migrations,
	// for `herald migrate status`; only the (empty) ledger table is created.
	SkipMigrate bool
	// ArticleCache is how many decoded articles the store keeps in memory
	// for feed reads (internal/artcache), so that a feed read fetches only
	// the rows written since this process last read them. Zero or less
	// keeps none.
	ArticleCache int
	// ArticleCacheBytes bounds that cache by the bytes its articles hold
	// (artcache.Size); zero or less bounds it by count alone.
	ArticleCacheBytes int
}

// Store is herald.Store on SQLite. It is safe for concurrent use.
type Store struct {
	db       *sql.DB
	now      func() time.Time
	stmts    *stmtCache
	articles *artcache.Cache // nil when disabled
	// rowReads counts the articles the article cache lacked that were
	// read from their rows, having no pack of their version and format.
	rowReads atomic.Uint64
	// unmarked: writes do not record the invalidations they owe, for a
	// schema before the undelivered column, which only the upgrade test
	// opens (Open applies every migration before any write).
	unmarked bool
	// packless: writes do not store article packs, as a build before
	// migration 0005 does (for tests of schemas and builds before it).
	packless bool
}

var _ herald.Store = (*Store)(nil)

// busyTimeout is how long a connection waits for another one's write lock
// before giving up with SQLITE_BUSY. Writes are short, so this is only
// reached when something is badly stuck.
const busyTimeout = 10 * time.Second

// dsn builds the connection string for path. Every pragma is per
// connection, so it goes in the DSN and the driver applies it to each new
// connection of the pool.
//
//   - journal_mode=WAL: readers see a snapshot and never block the writer,
//     nor it them.
//   - synchronous=FULL: in WAL mode NORMAL syncs only at checkpoints, so a
//     commit already acknowledged to a publisher could be lost on power
//     failure or a kernel crash. FULL fsyncs the WAL on every commit, so an
//     article the API answered 201 for survives kill -9 and power loss.
//     Writes are rare next to feed reads; the cost is acceptable.
//   - busy_timeout: concurrent writers wait for the lock instead of failing.
//   - foreign_keys=ON: deleting an article cascades to its child rows.
//   - _txlock=immediate: a read-write transaction takes the write lock at
//     BEGIN. With the default DEFERRED, two transactions that both read and
//     then write can deadlock on the upgrade, and SQLite fails one with
//     SQLITE_BUSY mid-transaction without consulting busy_timeout; with
//     IMMEDIATE they queue at BEGIN. Read-only transactions (sql.TxOptions
//     ReadOnly) still begin DEFERRED in this driver.
func dsn(path string) string {
	q := []string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", busyTimeout.Milliseconds()),
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(FULL)",
		"_pragma=foreign_keys(ON)",
		"_txlock=immediate",
	}
	return path + "?" + strings.Join(q, "&")
}

// Open opens (creating if needed) the database at path, creating its parent
// directory when missing, and applies pending migrations.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || path == ":memory:" {
		// The driver reads everything after '?' as parameters; a memory
		// database would vanish with its connection and lose WAL.
		return nil, fmt.Errorf("sqlite: open: path %q must be a plain file path without '?' or '#'", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	s := &Store{db: db, now: opts.Now, stmts: &stmtCache{db: db}, articles: artcache.New(opts.ArticleCache, opts.ArticleCacheBytes)}
	if s.now == nil {
		s.now = time.Now
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if opts.SkipMigrate {
		_, err = db.ExecContext(ctx, ledgerTable)
	} else {
		err = s.migrate(ctx)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fail("ping", err)
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

// Close closes the database. Closing the last connection checkpoints the
// WAL into the main file.
func (s *Store) Close() error {
	s.stmts.close()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// clock returns the store's current time as stored: UTC, whole seconds.
func (s *Store) clock() time.Time {
	return s.now().UTC().Truncate(time.Second)
}

// fromUnix turns a stored time back into a time.Time in UTC.
func fromUnix(sec int64) time.Time {
	return time.Unix(sec, 0).UTC()
}

// readTx begins a read-only transaction: a DEFERRED one, which in WAL mode
// reads one snapshot without taking the write lock. Its queries use the
// store's prepared statements.
func (s *Store) readTx(ctx context.Context) (readTx, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	return readTx{Tx: tx, cache: s.stmts}, err
}
