package service

import (
	"context"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// Bounds of the wait for another replica's render: the first poll comes
// soon (most renders take milliseconds), later ones back off.
const (
	lockPollFirst = 5 * time.Millisecond
	lockPollMax   = 100 * time.Millisecond
)

// peerRender takes the cross-replica render lock of k at revision rev
// when the cache offers one (herald.RenderLocker). It returns either a
// release function for the caller, who then renders, stores and releases;
// or the entry of k at rev, with fromPeer set, when it is stored in the
// shared tier: found by the lock itself (the same round trip), or stored
// by the replica that held the lock while this one waited.
//
// Without a working cache (cacheOK false) there is nothing to wait for.
// Nothing here fails a request: if Redis errs, the revision moves on (a
// write: the other replica's entry would never be stored under rev), or the
// lock's TTL passes without an entry, the caller renders itself. While it
// waits it asks the lock again, not the cache: the lock's answer carries
// the entry once stored, and a Tiered cache's lookup would not go to Redis
// for a revision it already knows.
func (f *Feeds) peerRender(ctx context.Context, k herald.FeedKey, rev string, cacheOK bool) (release func(), e herald.Entry, fromPeer bool) {
	noop := func() {}
	lk, ok := f.cache.(herald.RenderLocker)
	if !ok || !cacheOK || rev == "" {
		return noop, herald.Entry{}, false
	}
	deadline := time.Now().Add(lk.RenderLockTTL())
	wait := lockPollFirst
	for {
		rel, got, stored, err := lk.LockRender(ctx, k, rev)
		if err != nil {
			f.cacheLog.warn(f.log, f.now(), "render lock unavailable; rendering without it", "scope", k.Scope.Key(), "err", err)
			return noop, herald.Entry{}, false
		}
		switch got {
		case herald.LockHeld:
			return rel, herald.Entry{}, false
		case herald.LockStored:
			f.stats.SharedFills.Add(1)
			return noop, stored, true
		case herald.LockMoved:
			return noop, herald.Entry{}, false
		}
		if !time.Now().Before(deadline) {
			f.log.Warn("another replica's render did not arrive within the lock TTL; rendering here", "scope", k.Scope.Key())
			return noop, herald.Entry{}, false
		}
		select {
		case <-ctx.Done():
			return noop, herald.Entry{}, false
		case <-time.After(min(wait, time.Until(deadline))):
		}
		wait = min(2*wait, lockPollMax)
	}
}
