package postgres

import (
	"context"
	"log/slog"
	"time"
)

// Each scope's count of articles is kept in two parts (migration 0007): a
// total in scope_counts and rows of +1 and -1 in scope_count_changes,
// which a trigger on article_scopes inserts and which a read adds to the
// total. Folding moves the changes into the totals, so that a read sums
// few rows: a server folds every foldInterval, and sooner after
// foldAfterWrites writes of its own; one server folds at a time.
const (
	foldInterval    = 10 * time.Second
	foldAfterWrites = 500
	// foldLock is the key of the advisory lock a fold holds ("heraldc" in
	// ASCII, beside migrationLock).
	foldLock int64 = 0x68_65_72_61_6c_64_63
)

// foldBatch bounds the changes one fold transaction takes, so that a
// backlog of any size (say, hours of writes by a build before migration
// 0007, which does not fold) is folded in transactions of bounded time.
const foldBatch = 50_000

// foldQuery folds up to foldBatch committed changes into the totals, in
// one transaction: a read sees each change either as a row or in a total,
// never both or neither. Rows committed while it runs stay for the next.
// It returns how many changes it folded. The changes are found by their
// row addresses, which nothing else moves while the fold's lock is held
// (no other fold deletes, and VACUUM does not move rows).
const foldQuery = `WITH folded AS (
		DELETE FROM scope_count_changes
		WHERE ctid = ANY (ARRAY(SELECT ctid FROM scope_count_changes LIMIT $1))
		RETURNING scope_key, change),
	totals AS (
		INSERT INTO scope_counts (key, articles)
		SELECT scope_key, sum(change) FROM folded GROUP BY scope_key ORDER BY scope_key
		ON CONFLICT (key) DO UPDATE SET articles = scope_counts.articles + excluded.articles)
	SELECT count(*) FROM folded`

// FoldCounts folds the scopes' count changes into their totals and
// returns how many it folded, in transactions of up to foldBatch changes.
// When another server is folding it does nothing and returns 0: that fold
// takes the same rows. After folding it vacuums the table of changes,
// which every fold fills with dead rows that reads would otherwise step
// over, whatever autovacuum does (a table owned by another role is left
// to autovacuum).
func (s *Store) FoldCounts(ctx context.Context) (int64, error) {
	var total int64
	for {
		n, err := s.fold(ctx)
		total += n
		if err != nil {
			return total, storeError("fold scope counts", err)
		}
		if n < foldBatch {
			break
		}
	}
	if total > 0 {
		if _, err := s.pool.Exec(ctx, "VACUUM (SKIP_LOCKED) scope_count_changes"); err != nil {
			return total, storeError("vacuum scope count changes", err)
		}
	}
	return total, nil
}

// fold folds one batch, and nothing when another server holds the lock.
func (s *Store) fold(ctx context.Context) (int64, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var mine bool
	if err := tx.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock($1)", foldLock).Scan(&mine); err != nil || !mine {
		return 0, err
	}
	var n int64
	if err := tx.QueryRow(ctx, foldQuery, foldBatch).Scan(&n); err != nil {
		return 0, err
	}
	return n, tx.Commit(ctx)
}

// folder runs a Store's folds in the background.
type folder struct {
	kick chan struct{}
	stop context.CancelFunc // ends the loop and the fold in progress
	done chan struct{}
}

// startFolding folds every `every`, and when a write kicks it (wrote).
func (s *Store) startFolding(every time.Duration, log *slog.Logger) {
	running, stop := context.WithCancel(context.Background())
	f := &folder{kick: make(chan struct{}, 1), stop: stop, done: make(chan struct{})}
	s.folder = f
	go func() {
		defer close(f.done)
		t := time.NewTicker(every)
		defer t.Stop()
		var lastWarn time.Time
		for first := true; ; first = false {
			// The first fold comes at once: a backlog left while no
			// server folded (a build before this one, alone) slows reads
			// until it is folded.
			if !first {
				select {
				case <-running.Done():
					return
				case <-t.C:
				case <-f.kick:
				}
			}
			ctx, cancel := context.WithTimeout(running, time.Minute)
			_, err := s.FoldCounts(ctx)
			cancel()
			// The totals stay right without folds; reads only sum more
			// rows. A database that keeps failing is reported elsewhere.
			if err != nil && running.Err() == nil && time.Since(lastWarn) > time.Minute {
				lastWarn = time.Now()
				log.Warn("could not fold the scopes' count changes into their totals; feed reads sum more rows until a fold succeeds", "err", err)
			}
		}
	}()
}

// wrote counts a committed write, kicking a fold every foldAfterWrites.
func (s *Store) wrote() {
	if s.folder != nil && s.writes.Add(1)%foldAfterWrites == 0 {
		select {
		case s.folder.kick <- struct{}{}:
		default:
		}
	}
}

// stopFolding stops the background folds, cancelling the one in progress
// (rolled back, it leaves the changes for the next fold), and waits for
// the loop to end.
func (s *Store) stopFolding() {
	if f := s.folder; f != nil {
		f.stop()
		<-f.done
	}
}
