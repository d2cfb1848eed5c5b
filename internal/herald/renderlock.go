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
	// LockRender tries to take the render lock of k at cache revision rev
	// for RenderLockTTL. held reports whether this caller now holds it;
	// when it does, release must be called once the entry is stored (or the
	// render failed). An error means the lock could not be asked for at
	// all; the caller then renders without it.
	LockRender(ctx context.Context, k FeedKey, rev string) (release func(), held bool, err error)
	// RenderLockTTL is how long a lock lives when its holder never
	// releases it (a crash), and so how long others wait at most.
	RenderLockTTL() time.Duration
}
