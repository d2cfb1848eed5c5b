package service

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// Bounds of the retried invalidations: the first retry comes soon (a
// Redis restart or failover takes seconds), later ones back off.
const (
	retryFirst   = 500 * time.Millisecond
	retryMax     = 30 * time.Second
	retryTimeout = 5 * time.Second
	// maxPendingScopes bounds the scopes kept in memory for a retry, and
	// those one retry takes from the store's records; scopes past it in
	// memory are still recorded in the store and delivered from there.
	maxPendingScopes = 10_000
	// sweepInterval is how often a started process with nothing owed
	// looks for invalidations recorded by another process (one that
	// stopped before it could deliver them).
	sweepInterval = 30 * time.Second
)

// invalidationRetry delivers, in the background, the invalidations that
// failed after a committed write. Without it a write made while Redis was
// unreachable left every replica serving the feeds it changed for up to
// feed.cache_ttl once Redis was back with its old entries (a network cut,
// a frozen or failed-over server: only a restart without persistence loses
// them).
//
// What is owed lives in two places: in memory, for this process's retries,
// and in the store, which records it with every write and forgets it once
// the invalidation is delivered (herald.Store), so that it outlives the
// process: a process that stops, or is killed, at any moment after the
// write commits and before the cache takes the invalidation, leaves it on
// record, and the next process to start, or any running one at its next
// sweep, delivers it.
type invalidationRetry struct {
	cache herald.Cache
	store herald.Store
	log   *slog.Logger
	stats *ArticleStats

	// pending are the scopes whose invalidation failed, each with the
	// failure that last added it: an invalidation that succeeds settles
	// only the failures before the mark taken before it was sent, since a
	// write that committed after it may have failed since, and must stay.
	pending herald.PendingScopes

	// seen are the records the last attempt listed, and swept is set after
	// the first. A write's record lives from its commit until its writer
	// clears it, a second or so later, so a sweep (an attempt with nothing
	// of this process's own to retry) delivers only the records the
	// previous attempt listed too: those their writers will not clear. The
	// first attempt after a start delivers all it finds. Used by the
	// retrying goroutine only, and by close after it stopped.
	seen  map[herald.Undelivered]bool
	swept bool
	// sweepEvery is sweepInterval, shorter in tests.
	sweepEvery time.Duration
	// delivered reports the records of this process's own writes whose
	// invalidation the cache took and whose clearing is queued
	// (recordClearer.covers): an attempt leaves them alone, since
	// delivering them again would only make their feeds render again.
	// Nil for none.
	delivered func(herald.Undelivered) bool
	// fresh, when set, learns the scopes each successful retry made fresh
	// (ArticlesOptions.Changed): a hub told of a write while its feed was
	// still stale on some replica is told again once it is not.
	fresh func([]herald.Scope)

	mu      sync.Mutex // orders started against stop
	started bool
	wake    chan struct{} // a new scope is pending
	stop    chan struct{}
	done    chan struct{}
}

func newInvalidationRetry(c herald.Cache, st herald.Store, log *slog.Logger, stats *ArticleStats) *invalidationRetry {
	return &invalidationRetry{cache: c, store: st, log: log, stats: stats, sweepEvery: sweepInterval,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// add keeps scopes for a retry (the store holds them on record since
// their write) and wakes the retrying goroutine, starting it on first use.
// It reports how many scopes it had to leave out of memory.
func (r *invalidationRetry) add(scopes []herald.Scope) (dropped int) {
	dropped = r.pending.Add(scopes, maxPendingScopes)
	r.stats.InvalidationsPending.Store(int64(r.pending.Len()))
	r.start()
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return dropped
}

// start starts the retrying goroutine unless it runs or has stopped.
func (r *invalidationRetry) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return
	}
	select {
	case <-r.stop: // closed: Close makes the last attempt
	default:
		r.started = true
		go r.run()
	}
}

// mark is taken before an invalidation is sent, for settled.
func (r *invalidationRetry) mark() uint64 { return r.pending.Mark() }

// settled drops scopes that an invalidation sent after mark was taken
// (by a later write, or a retry) has covered. Their records in the store
// stay until a retry clears them: one invalidation more, never one less.
func (r *invalidationRetry) settled(scopes []herald.Scope, mark uint64) {
	r.pending.Settle(scopes, mark)
	r.stats.InvalidationsPending.Store(int64(r.pending.Len()))
}

func (r *invalidationRetry) run() {
	defer close(r.done)
	wait := retryFirst
	for {
		select {
		case <-r.stop:
			return
		case <-time.After(wait):
		}
		owed, delivered := r.attempt()
		switch {
		case !owed:
			wait = retryFirst
			select {
			case <-r.stop:
				return
			case <-r.wake:
			case <-time.After(r.sweepEvery):
			}
		case delivered:
			wait = retryFirst // more may be on record
		default:
			wait = min(2*wait, retryMax)
		}
	}
}

// attempt invalidates once what is owed: the scopes pending in memory and
// those on record in the store. It drops from both what the cache took;
// owed is false when there was nothing to do.
func (r *invalidationRetry) attempt() (owed, delivered bool) {
	ctx, cancel := context.WithTimeout(herald.Repeating(context.Background()), retryTimeout)
	defer cancel()
	recorded, err := r.store.Undelivered(ctx, maxPendingScopes)
	if err != nil {
		r.log.Warn("could not read the cache invalidations recorded in the database; retrying those of this process only", "err", err)
	}
	if r.delivered != nil {
		recorded = slices.DeleteFunc(recorded, r.delivered)
	}
	scopes, mark := r.pending.Snapshot()
	mine := len(scopes) // first, and distinct: uniqueScopes keeps them so
	lingering := r.lingering(recorded)
	if mine == 0 && r.swept {
		recorded = lingering
	}
	r.swept = true
	for _, u := range recorded {
		scopes = append(scopes, u.Scope)
	}
	scopes = uniqueScopes(scopes)
	if len(scopes) == 0 {
		return false, false
	}
	if err := r.cache.Invalidate(ctx, scopes); err != nil {
		return true, false
	}
	r.stats.InvalidationRetries.Add(1) // counted before the pending scopes drop, which readers of both wait for
	others := len(scopes) - mine
	// Counted as soon as the feeds are fresh, before the records are
	// cleared (a transaction of its own), so that whoever sees the feed
	// fresh sees the count too.
	r.stats.InvalidationsRecovered.Add(int64(others))
	r.settled(scopes[:mine], mark)
	if r.fresh != nil {
		r.fresh(scopes)
	}
	if err := r.store.ClearUndelivered(ctx, recorded); err != nil {
		r.log.Warn("delivered cache invalidations stay on record in the database; they will be delivered again", "err", err)
	}
	if others > 0 {
		r.log.Info("delivered cache invalidations recorded in the database by an earlier or another process; their feeds are fresh again",
			"cache", r.cache.Name(), "scopes", others)
	}
	if mine > 0 {
		r.log.Info("cache invalidation retried after a failure; the written feeds are fresh again", "cache", r.cache.Name(), "scopes", mine)
	}
	return true, true
}

// lingering returns the records of list that the last attempt listed too,
// and remembers list for the next.
func (r *invalidationRetry) lingering(list []herald.Undelivered) []herald.Undelivered {
	prev := r.seen
	r.seen = make(map[herald.Undelivered]bool, len(list))
	var out []herald.Undelivered
	for _, u := range list {
		r.seen[u] = true
		if prev[u] {
			out = append(out, u)
		}
	}
	return out
}

// close stops the goroutine and makes one last attempt for what is still
// owed, so that a clean shutdown does not leave stale feeds behind when the
// cache is back by then. What it cannot deliver stays on record for the
// next process.
func (r *invalidationRetry) close() {
	r.mu.Lock()
	started := r.started
	select {
	case <-r.stop:
		r.mu.Unlock()
		return
	default:
		close(r.stop)
	}
	r.mu.Unlock()
	if !started {
		return // nothing failed here, and no sweep was asked for
	}
	<-r.done
	if owed, delivered := r.attempt(); owed && !delivered {
		r.log.Error("cache invalidation still failing at shutdown; the scopes stay on record in the database and the next Herald process to reach the cache delivers them",
			"cache", r.cache.Name(), "scopes", r.pending.Len())
	}
}

// clearDelay is how long the record clearer waits before clearing, so that
// the records of a burst of writes are cleared in one transaction: a clear
// locks the scope rows it touches, which the next write of those scopes
// must then wait for.
const clearDelay = time.Second

// recordClearer clears the store's records of delivered invalidations in
// the background, after the writes that delivered them have answered:
// clearing is a transaction of its own, and a burst of writes shares one.
// It keeps, per scope, the highest mark delivered, since clearing it also
// covers every lower one. A record it does not get to clear (the process
// stops first, or the store fails) only makes a sweep deliver that
// invalidation once more.
type recordClearer struct {
	store herald.Store
	log   *slog.Logger

	mu    sync.Mutex
	marks map[herald.Scope]int64
	// clearing are the marks of the clear in progress, until it returns.
	clearing map[herald.Scope]int64
	running  bool // a goroutine is clearing
	closed   bool
	stop     chan struct{} // closed by close: clear at once
	done     sync.WaitGroup
}

// add queues the records owed lists, which a delivered invalidation covered.
func (c *recordClearer) add(owed []herald.Undelivered) {
	if len(owed) == 0 {
		return
	}
	c.mu.Lock()
	if c.marks == nil {
		c.marks = make(map[herald.Scope]int64)
	}
	if c.stop == nil {
		c.stop = make(chan struct{})
	}
	for _, u := range owed {
		if u.Mark > c.marks[u.Scope] {
			c.marks[u.Scope] = u.Mark
		}
	}
	start := !c.running && !c.closed
	if start {
		c.running = true
		c.done.Add(1)
	}
	closed := c.closed
	c.mu.Unlock()
	switch {
	case start:
		go c.run()
	case closed:
		c.flush()
	}
}

// covers reports whether u's invalidation was delivered by this process
// and its record is queued for clearing, or being cleared.
func (c *recordClearer) covers(u herald.Undelivered) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m, ok := c.marks[u.Scope]; ok && m >= u.Mark {
		return true
	}
	m, ok := c.clearing[u.Scope]
	return ok && m >= u.Mark
}

// run clears what is queued until nothing is.
func (c *recordClearer) run() {
	defer c.done.Done()
	for {
		select {
		case <-time.After(clearDelay):
		case <-c.stop:
		}
		if !c.flush() {
			c.mu.Lock()
			if len(c.marks) > 0 { // queued since the flush
				c.mu.Unlock()
				continue
			}
			c.running = false
			c.mu.Unlock()
			return
		}
	}
}

// flush clears what is queued, in one call to the store, and reports
// whether there was anything.
func (c *recordClearer) flush() bool {
	c.mu.Lock()
	list := make([]herald.Undelivered, 0, len(c.marks))
	for sc, m := range c.marks {
		list = append(list, herald.Undelivered{Scope: sc, Mark: m})
	}
	c.clearing, c.marks = c.marks, nil
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.clearing = nil
		c.mu.Unlock()
	}()
	if len(list) == 0 {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), retryTimeout)
	defer cancel()
	if err := c.store.ClearUndelivered(ctx, list); err != nil {
		c.log.Warn("delivered cache invalidations stay on record in the database; a background sweep will deliver them once more",
			"scopes", len(list), "err", err)
	}
	return true
}

// close waits for the background clearing and clears what is left.
func (c *recordClearer) close() {
	c.mu.Lock()
	if !c.closed && c.stop != nil {
		close(c.stop)
	}
	c.closed = true
	c.mu.Unlock()
	c.done.Wait()
	c.flush()
}
