package herald

import (
	"context"
	"time"
)

// RenderLocker is implemented by a Cache shared between processes (Redis)
// that can also keep several replicas from rendering the same feed at once.
// The read path uses it on a miss when the cache offers it: the replica
// that takes the lock renders and stores the entry; the others wait for
// that entry and render themselves only if it does not come within the
// lock's TTL. A cache local to one process has no need of it.
type RenderLocker interface {
	// LockRender settles a miss of k at the scope's current revision in
	// the cache, in one step (one round trip): it returns the entry of
	// that revision when it is stored, else takes the render lock of k for
	// that revision and RenderLockTTL unless another process holds it. An
	// entry stored and a lock released just before cannot be missed. The
	// revision is the cache's, not the caller's: a caller whose idea of it
	// is behind (an invalidation on its way to this process) learns the
	// current one from Lock.Revision, and renders and stores under it. An
	// error means the lock could not be asked for at all; the caller then
	// renders without it.
	LockRender(ctx context.Context, k FeedKey) (Lock, error)
	// RenderLockTTL is how long a lock lives when its holder never
	// releases it (a crash), and so how long others wait at most.
	RenderLockTTL() time.Duration
}

// Lock is what LockRender found.
type Lock struct {
	Result LockResult
	// Revision is the scope's current revision, which Result is about;
	// empty from a cache that has no render lock of its own (the caller
	// keeps the revision of its lookup).
	Revision string
	// Entry is the stored entry of Revision, with every coding the cache
	// holds, when Result is LockStored, and how long it has left there
	// (Lookup.TTL).
	Entry Entry
	TTL   time.Duration
	// Release must be called once the entry is stored (or the render
	// failed) when Result is LockHeld; it is nil otherwise.
	Release func()
}

// LockResult says how LockRender settled the miss.
type LockResult int

const (
	// LockBusy: another process holds the lock for the revision; wait for
	// its entry.
	LockBusy LockResult = iota
	// LockHeld: the caller holds the lock: render, store, release.
	LockHeld
	// LockStored: the entry of the revision is stored, and came with the
	// answer.
	LockStored
)

// LocalPutter is implemented by a Cache that keeps a tier in this process,
// alone (cache.Memory) or in front of a shared one (cache.Tiered). On a
// miss the read path stores the new rendering in the local tier first,
// answers, and stores it in the shared tier in the background: the
// requests of this process find it at once, and the client waits neither
// for the body's trip to Redis nor for a copy of it.
type LocalPutter interface {
	// PutLocal stores e for rev in the local tier only (nothing when that
	// tier is not in use). The cache keeps e's byte slices without copying
	// them; the caller must never modify them.
	PutLocal(k FeedKey, rev string, e Entry, ttl time.Duration)
	// PutShared stores e for rev in the shared tier only, as Put does
	// there (nothing for a cache without one). It leaves the local tier
	// alone, so a late PutShared never replaces a newer local entry.
	PutShared(ctx context.Context, k FeedKey, rev string, e Entry, ttl time.Duration) error
}

// MissingForgetter is a Cache that can remove a scope's revision, if it is
// still rev, after a render of k under rev found that the scope does not
// exist (ENotFound): the lookup or the render lock minted it before the
// store was asked, and a request for a made-up scope must not leave it
// behind. Found through decorators with CacheAs; internal/cache/missing.go
// says why removing a revision is always safe.
type MissingForgetter interface {
	ForgetMissing(ctx context.Context, k FeedKey, rev string) error
}
