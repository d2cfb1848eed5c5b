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

// peerRender takes the cross-replica render lock of k when the cache
// offers one (herald.RenderLocker). It returns the scope's revision as the
// lock found it, which the caller renders and stores under: the lookup's
// rev unless this process had not yet heard of a write (rev is kept when
// the lock is not asked). With it comes either a release function for the
// caller, who then renders, stores and releases; or the entry of that
// revision, with fromPeer set, when it is stored in the shared tier: found
// by the lock itself (the same round trip), or stored by the replica that
// held the lock while this one waited.
//
// Without a working cache (cacheOK false) there is nothing to wait for.
// Nothing here fails a request: if Redis errs, or the lock's TTL passes
// without an entry, the caller renders itself. While it waits it asks the
// lock again, not the cache: the lock's answer carries the entry once
// stored, and a Tiered cache's lookup would not go to Redis for a revision
// it already knows. A write while it waits moves the lock on to the new
// revision, which the next ask may grant to this replica.
func (f *Feeds) peerRender(ctx context.Context, k herald.FeedKey, rev string, cacheOK bool) (release func(), cur string, e herald.Entry, fromPeer bool) {
	noop := func() {}
	lk, ok := f.cache.(herald.RenderLocker)
	if !ok || !cacheOK || rev == "" {
		return noop, rev, herald.Entry{}, false
	}
	deadline := time.Now().Add(lk.RenderLockTTL())
	wait := lockPollFirst
	for {
		lock, err := lk.LockRender(ctx, k)
		if err != nil {
			f.cacheLog.Warn(f.log, f.now(), "render lock unavailable; rendering without it", "scope", k.Scope.Key(), "err", err)
			return noop, rev, herald.Entry{}, false
		}
		if lock.Revision != "" {
			rev = lock.Revision
		}
		switch lock.Result {
		case herald.LockHeld:
			if lock.Release == nil {
				return noop, rev, herald.Entry{}, false
			}
			return lock.Release, rev, herald.Entry{}, false
		case herald.LockStored:
			f.stats.SharedFills.Add(1)
			return noop, rev, lock.Entry, true
		}
		if !time.Now().Before(deadline) {
			f.log.Warn("another replica's render did not arrive within the lock TTL; rendering here", "scope", k.Scope.Key())
			return noop, rev, herald.Entry{}, false
		}
		select {
		case <-ctx.Done():
			return noop, rev, herald.Entry{}, false
		case <-time.After(min(wait, time.Until(deadline))):
		}
		wait = min(2*wait, lockPollMax)
	}
}
