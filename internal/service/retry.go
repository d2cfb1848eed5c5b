package service

import (
	"context"
	"log/slog"
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
	// maxPendingScopes bounds the scopes kept for a retry; past it a
	// failed invalidation's scopes are left to their TTL, as before.
	maxPendingScopes = 10_000
)

// invalidationRetry keeps the scopes whose invalidation failed after a
// committed write and invalidates them again in the background until the
// cache takes it. Without it a write made while Redis was unreachable left
// every replica serving the feeds it changed for up to feed.cache_ttl once
// Redis was back with its old entries (a network cut, a frozen or
// failed-over server: only a restart without persistence loses them).
type invalidationRetry struct {
	cache herald.Cache
	log   *slog.Logger
	stats *ArticleStats

	// pending are the scopes whose invalidation failed, each with the
	// failure that last added it: an invalidation that succeeds settles
	// only the failures before the mark taken before it was sent, since a
	// write that committed after it may have failed since, and must stay.
	pending herald.PendingScopes

	mu      sync.Mutex // orders started against stop
	started bool
	wake    chan struct{} // a new scope is pending
	stop    chan struct{}
	done    chan struct{}
}

func newInvalidationRetry(c herald.Cache, log *slog.Logger, stats *ArticleStats) *invalidationRetry {
	return &invalidationRetry{cache: c, log: log, stats: stats,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// add keeps scopes for a retry and starts the retrying goroutine on first
// use. It reports how many scopes it had to leave out.
func (r *invalidationRetry) add(scopes []herald.Scope) (dropped int) {
	dropped = r.pending.Add(scopes, maxPendingScopes)
	r.stats.InvalidationsPending.Store(int64(r.pending.Len()))
	r.mu.Lock()
	if !r.started {
		select {
		case <-r.stop: // closed: Close makes the last attempt
		default:
			r.started = true
			go r.run()
		}
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return dropped
}

// mark is taken before an invalidation is sent, for settled.
func (r *invalidationRetry) mark() uint64 { return r.pending.Mark() }

// settled drops scopes that an invalidation sent after mark was taken
// (by a later write, or a retry) has covered.
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
		scopes, mark := r.pending.Snapshot()
		if len(scopes) == 0 {
			wait = retryFirst
			select {
			case <-r.stop:
				return
			case <-r.wake:
			}
			continue
		}
		if r.attempt(scopes, mark) {
			wait = retryFirst
		} else {
			wait = min(2*wait, retryMax)
		}
	}
}

// attempt invalidates scopes once and drops them from the pending set when
// the cache took it.
func (r *invalidationRetry) attempt(scopes []herald.Scope, mark uint64) bool {
	ctx, cancel := context.WithTimeout(context.Background(), retryTimeout)
	defer cancel()
	if err := r.cache.Invalidate(ctx, scopes); err != nil {
		return false
	}
	r.settled(scopes, mark)
	r.stats.InvalidationRetries.Add(1)
	r.log.Info("cache invalidation retried after a failure; the written feeds are fresh again", "cache", r.cache.Name(), "scopes", len(scopes))
	return true
}

// close stops the goroutine and makes one last attempt for what is still
// pending, so that a clean shutdown does not leave stale feeds behind when
// the cache is back by then.
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
	if started {
		<-r.done
	}
	if scopes, mark := r.pending.Snapshot(); len(scopes) > 0 && !r.attempt(scopes, mark) {
		r.log.Error("cache invalidation still failing at shutdown; feeds may be stale until their TTL ends",
			"cache", r.cache.Name(), "scopes", len(scopes))
	}
}
