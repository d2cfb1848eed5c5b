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

var lockScript = redis.NewScript(bytesSource + lockSource)

var _ herald.RenderLocker = (*Redis)(nil)

// LockRender implements herald.RenderLocker with a script that reads the
// scope's revision (minting one, as a lookup would, if it has none), then
// returns the entry if it is stored at that revision, and otherwise sets
// the feed's lock key (SET PX) to the revision and a random token unless
// it already holds that revision. Release deletes the key only while it
// still holds the caller's value, so a holder that overran the TTL, or
// whose revision a write moved on, cannot release the next holder's lock.
// The key is in the scope's hash slot, like every other key of the scope.
func (r *Redis) LockRender(ctx context.Context, k herald.FeedKey) (herald.Lock, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	key := r.lockKey(k)
	token := newRevision()
	reply, err := lockScript.Run(ctx, r.client, []string{key, r.entryKey(k), r.revisionKey(k.Scope)},
		token, r.lockTTL.Milliseconds(), newRevision(), r.revisionTTL.Milliseconds()).Slice()
	if err == nil && len(reply) < 2 {
		err = fmt.Errorf("script reply of %d values, want at least 2", len(reply))
	}
	var n int64
	var rev string
	if err == nil {
		var ok bool
		if n, ok = reply[0].(int64); !ok {
			err = fmt.Errorf("result is %T, want integer", reply[0])
		} else if rev, ok = reply[1].(string); !ok || rev == "" {
			err = fmt.Errorf("revision is %T %q, want a string", reply[1], rev)
		}
	}
	if err != nil {
		return herald.Lock{}, fmt.Errorf("redis cache: lock render: %w", err)
	}
	switch n {
	case 2:
		l, _, err := parseGetReply(reply[1:])
		if err == nil && !l.Hit {
			err = errors.New("no entry fields")
		}
		if err != nil {
			return herald.Lock{}, fmt.Errorf("redis cache: lock render: stored entry: %w", err)
		}
		return herald.Lock{Result: herald.LockStored, Revision: rev, Entry: l.Entry, TTL: l.TTL}, nil
	case 1:
	default:
		return herald.Lock{Result: herald.LockBusy, Revision: rev}, nil
	}
	value := rev + " " + token
	release := func() {
		// Detached from the request: the lock must go even when the
		// request that rendered was cancelled. If this fails, the lock
		// expires by its TTL.
		ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
		defer cancel()
		_ = unlockScript.Run(ctx, r.client, []string{key}, value).Err()
	}
	return herald.Lock{Result: herald.LockHeld, Revision: rev, Release: release}, nil
}

// RenderLockTTL implements herald.RenderLocker.
func (r *Redis) RenderLockTTL() time.Duration { return r.lockTTL }

// lockKey is {prefix}:lock:{scope}[:variant]:format:offset:limit.
func (r *Redis) lockKey(k herald.FeedKey) string {
	return r.prefix + ":lock:{" + k.Scope.Key() + "}" + r.variant + ":" + string(k.Format) + ":" +
		strconv.Itoa(k.Offset) + ":" + strconv.Itoa(k.Limit)
}
