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

// LockRender implements herald.RenderLocker with a script that first
// checks the scope's revision, then returns the entry if it is stored at
// rev, and otherwise sets a key of its own (SET NX PX) holding a random
// token; release deletes the key only while it still holds that token, so
// a holder that overran the TTL cannot release the next holder's lock. The
// key is in the scope's hash slot, like every other key of the scope, and
// names the revision, so a write does not make renders of the new revision
// wait for a render of the old one.
func (r *Redis) LockRender(ctx context.Context, k herald.FeedKey, rev string) (release func(), got herald.LockResult, stored herald.Entry, err error) {
	if rev == "" {
		return nil, herald.LockBusy, herald.Entry{}, errors.New("redis cache: lock render: empty revision")
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	key := r.lockKey(k, rev)
	token := newRevision()
	reply, err := lockScript.Run(ctx, r.client, []string{key, r.entryKey(k), r.revisionKey(k.Scope)}, token, r.lockTTL.Milliseconds(), rev).Slice()
	if err == nil && len(reply) == 0 {
		err = errors.New("empty script reply")
	}
	var n int64
	if err == nil {
		var ok bool
		if n, ok = reply[0].(int64); !ok {
			err = fmt.Errorf("result is %T, want integer", reply[0])
		}
	}
	if err != nil {
		return nil, herald.LockBusy, herald.Entry{}, fmt.Errorf("redis cache: lock render: %w", err)
	}
	switch n {
	case 3:
		return nil, herald.LockMoved, herald.Entry{}, nil
	case 2:
		l, _, err := parseGetReply(reply[1:])
		if err == nil && !l.Hit {
			err = errors.New("no entry fields")
		}
		if err != nil {
			return nil, herald.LockBusy, herald.Entry{}, fmt.Errorf("redis cache: lock render: stored entry: %w", err)
		}
		return nil, herald.LockStored, l.Entry, nil
	case 1:
	default:
		return nil, herald.LockBusy, herald.Entry{}, nil
	}
	release = func() {
		// Detached from the request: the lock must go even when the
		// request that rendered was cancelled. If this fails, the lock
		// expires by its TTL.
		ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
		defer cancel()
		_ = unlockScript.Run(ctx, r.client, []string{key}, token).Err()
	}
	return release, herald.LockHeld, herald.Entry{}, nil
}

// RenderLockTTL implements herald.RenderLocker.
func (r *Redis) RenderLockTTL() time.Duration { return r.lockTTL }

// lockKey is {prefix}:lock:{scope}:format:offset:limit:revision.
func (r *Redis) lockKey(k herald.FeedKey, rev string) string {
	return r.prefix + ":lock:{" + k.Scope.Key() + "}:" + string(k.Format) + ":" +
		strconv.Itoa(k.Offset) + ":" + strconv.Itoa(k.Limit) + ":" + rev
}
