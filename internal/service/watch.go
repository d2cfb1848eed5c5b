package service

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/logthrottle"
)

// StoreWatch brings writes made by other processes to a cache that only
// this process reaches: the in-process cache, when several processes
// share one database without Redis (`herald import` or `herald copy` into
// the file a running server uses, two servers on one SQLite file). Their
// writes reach the database, but their invalidations reach only their
// own memory, so without it this process would serve the old feeds until
// feed.cache_ttl.
//
// Every interval it reads the site scope's revision, which every write
// bumps (one indexed read). When it moved, it reads every scope's
// revision and invalidates the scopes whose revision differs from the
// last reading. This process's own writes are not invalidated again:
// Articles.WatchWrites hands their revisions to Seen.
type StoreWatch struct {
	store herald.Store
	cache herald.Cache
	log   *slog.Logger
	every time.Duration

	mu    sync.Mutex             // guards known: Poll against Seen
	known map[herald.Scope]int64 // the last reading, and what Seen added
	warns logthrottle.Throttle   // a database that is away: one line per interval

	runMu   sync.Mutex // orders Start against Close
	running bool
	closed  bool
	stop    chan struct{}
	done    chan struct{}
}

// NewStoreWatch reads every scope's revision, the reading later changes
// are told from, and returns a watch that Start runs every interval.
func NewStoreWatch(ctx context.Context, st herald.Store, c herald.Cache, every time.Duration, log *slog.Logger) (*StoreWatch, error) {
	known, err := st.Revisions(ctx, nil)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &StoreWatch{store: st, cache: c, log: log, every: every, known: known,
		warns: logthrottle.Throttle{Interval: 10 * time.Second}, stop: make(chan struct{}), done: make(chan struct{})}, nil
}

// Start runs the watch in the background until Close.
func (w *StoreWatch) Start() {
	w.runMu.Lock()
	defer w.runMu.Unlock()
	if w.running || w.closed {
		return
	}
	w.running = true
	go func() {
		defer close(w.done)
		t := time.NewTicker(w.every)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), retryTimeout)
			n, err := w.Poll(ctx)
			cancel()
			switch {
			case err != nil:
				w.warns.Warn(w.log, time.Now(), "could not check the database for writes of other processes; their feeds may stay stale until a check succeeds", "err", err)
			case n > 0:
				w.log.Debug("feeds written in the database since the last check invalidated", "scopes", n)
			}
		}
	}()
}

// Poll checks once, invalidating the scopes written since the last
// reading, and returns how many it invalidated. Start calls it on its
// own; tests call it directly.
func (w *StoreWatch) Poll(ctx context.Context) (int, error) {
	site, err := w.store.Revisions(ctx, []herald.Scope{herald.SiteScope})
	if err != nil {
		return 0, err
	}
	w.mu.Lock()
	same := site[herald.SiteScope] <= w.known[herald.SiteScope]
	w.mu.Unlock()
	if same {
		return 0, nil
	}
	now, err := w.store.Revisions(ctx, nil)
	if err != nil {
		return 0, err
	}
	var changed []herald.Scope
	w.mu.Lock()
	for sc, rev := range now {
		if w.known[sc] < rev {
			changed = append(changed, sc)
		}
	}
	w.mu.Unlock()
	if err := w.cache.Invalidate(ctx, changed); err != nil {
		return 0, err // the reading stays: the next check tries them again
	}
	w.mu.Lock()
	for sc, rev := range now {
		// Seen may have gone further meanwhile: a revision only grows.
		w.known[sc] = max(w.known[sc], rev)
	}
	w.mu.Unlock()
	return len(changed), nil
}

// Seen takes the revisions this process's own writes have invalidated
// its cache at (Articles.WatchWrites), so that Poll does not invalidate
// them again. A write's record holds its scope's revision after the
// write, or a later one if another write followed before it was listed,
// which the invalidation that followed the listing covers as well.
func (w *StoreWatch) Seen(list []herald.Undelivered) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, u := range list {
		w.known[u.Scope] = max(w.known[u.Scope], u.Mark)
	}
}

// Close stops the watch and waits for it.
func (w *StoreWatch) Close() {
	w.runMu.Lock()
	if w.closed {
		w.runMu.Unlock()
		return
	}
	w.closed = true
	close(w.stop)
	running := w.running
	w.runMu.Unlock()
	if running {
		<-w.done
	}
}
