package cache

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/herald-feeds/herald/internal/herald"
)

// DefaultRenderLockTTL is RedisOptions.LockTTL when unset.
const DefaultRenderLockTTL = 5 * time.Second

//go:embed scripts/unlock.lua
var unlockSource string

var unlockScript = redis.NewScript(unlockSource)

//go:embed scripts/lock.lua
var lockSource string

var lockScript = redis.NewScript(lockSource)

var _ herald.RenderLocker = (*Redis)(nil)

// LockRender implements herald.RenderLocker with a script that looks at
// the entry's revision and, unless it is rev, sets a key of its own (SET NX
// PX) holding a random token; release deletes the key only while it still
// holds that token, so a holder that overran the TTL cannot release the
// next holder's lock. The key is in the scope's hash slot, like every
// other key of the scope, and names the revision, so a write does not make
// renders of the new revision wait for a render of the old one.
func (r *Redis) LockRender(ctx context.Context, k herald.FeedKey, rev string) (func(), herald.LockResult, error) {
	if rev == "" {
		return nil, herald.LockBusy, errors.New("redis cache: lock render: empty revision")
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	key := r.lockKey(k, rev)
	token := newRevision()
	n, err := lockScript.Run(ctx, r.client, []string{key, r.entryKey(k)}, token, r.lockTTL.Milliseconds(), rev).Int()
	if err != nil {
		return nil, herald.LockBusy, fmt.Errorf("redis cache: lock render: %w", err)
	}
	switch n {
	case 2:
		return nil, herald.LockStored, nil
	case 1:
	default:
		return nil, herald.LockBusy, nil
	}
	release := func() {
		// Detached from the request: the lock must go even when the
		// request that rendered was cancelled. If this fails, the lock
		// expires by its TTL.
		ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
		defer cancel()
		_ = unlockScript.Run(ctx, r.client, []string{key}, token).Err()
	}
	return release, herald.LockHeld, nil
}

// RenderLockTTL implements herald.RenderLocker.
func (r *Redis) RenderLockTTL() time.Duration { return r.lockTTL }

// lockKey is {prefix}:lock:{scope}:format:offset:limit:revision.
func (r *Redis) lockKey(k herald.FeedKey, rev string) string {
	return r.prefix + ":lock:{" + k.Scope.Key() + "}:" + string(k.Format) + ":" +
		strconv.Itoa(k.Offset) + ":" + strconv.Itoa(k.Limit) + ":" + rev
}
