package cache

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/herald-feeds/herald/internal/herald"
)

// Scopes that do not exist.
//
// A lookup (get.lua) and the render lock (lock.lua) mint a scope's revision
// when it has none, before the store is asked: the token a rendering is
// stored under must be read before the data it is rendered from. A request
// for a category, tag or author that no article has (a 404, which anyone
// can send, with a slug kilobytes long) therefore left a revision key in
// Redis for RevisionTTL, and a flood of them filled Redis and, under an
// allkeys-lru policy, evicted real entries and revisions. The read path now
// calls ForgetMissing when a render ends in herald.ENotFound, which removes
// the minted key again (forget.lua) and the local tier's copy of it; the
// render lock was released already, and nothing was stored.
//
// Why remove afterwards rather than mint only when a rendering is stored:
// the revision has to be in Redis before the store is read. Minted at the
// Put instead, a Put that found no key would have to create one, and a
// write between the store read and the Put whose token was then lost
// (evicted, expired, or dropped by the generation reset after Redis lost
// writes) would let the rendering of the data before that write be stored
// as current, under a token the write never replaced. The render lock would
// have no revision to lock, nor the local tier one to adopt.
//
// Why removing is safe: it is what eviction or expiry of the key does,
// which the revisions already survive. The next reader mints a fresh token
// before its store read, so the price is a miss; put.lua stores only under
// the key's current value, so nothing can be stored under the removed token
// any more; and a token is random, so it never comes back. The removal
// compares: the key goes only while it still holds the revision read before
// the store said "not found". A write that creates the scope meanwhile sets
// (and publishes) a token of its own, which stays; one whose token arrives
// after the removal simply sets it. A write that committed before the store
// read would have made the scope exist, so there was no 404 to act on.
//
// Across replicas: the removal is not published. A replica whose local tier
// holds the removed token for a feed it has no entry of misses and asks the
// render lock, which works at Redis's current revision (minting one) and
// whose answer the local tier adopts. An entry another replica holds under
// the removed token was rendered after that token was read and is as
// current as before: the removal is no write, and every write still sends
// every replica a new token. So removing never makes an older rendering
// servable; at worst a scope created at that moment renders once more.

//go:embed scripts/forget.lua
var forgetSource string

var forgetScript = redis.NewScript(forgetSource)

var (
	_ herald.MissingForgetter = (*Redis)(nil)
	_ herald.MissingForgetter = (*Tiered)(nil)
	_ herald.MissingForgetter = (*Breaker)(nil)
	_ herald.MissingForgetter = (*Memory)(nil)
)

// ForgetMissing removes the revision key of k's scope if it still holds
// rev, the revision a render of k read before the store answered that the
// scope does not exist (herald.ENotFound). One round trip, only on that
// path.
func (r *Redis) ForgetMissing(ctx context.Context, k herald.FeedKey, rev string) error {
	if rev == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := forgetScript.Run(ctx, r.client, []string{r.revisionKey(k.Scope)}, rev).Err(); err != nil {
		return fmt.Errorf("redis cache: forget missing scope: %w", err)
	}
	return nil
}

// ForgetMissing drops the local tier's revision of k's scope if it is rev,
// then removes the one in Redis the same way (through Front). It does not
// move the epoch: a fill under way that adopts rev again only costs this
// process a miss, while moving the epoch on every 404 would keep every
// other fill from adopting what it read, which a flood of requests for
// missing scopes could use to keep the local tier empty.
func (t *Tiered) ForgetMissing(ctx context.Context, k herald.FeedKey, rev string) error {
	t.local.forgetRevision(k.Scope, rev)
	if f, ok := herald.CacheAs[herald.MissingForgetter](t.front); ok {
		return f.ForgetMissing(ctx, k, rev)
	}
	return t.shared.ForgetMissing(ctx, k, rev)
}

// ForgetMissing passes the removal through the breaker to the decorated
// cache when it (or a cache it decorates) can; otherwise it does nothing.
// Pending invalidations need not go first: removing a revision is safe
// whatever they are.
func (b *Breaker) ForgetMissing(ctx context.Context, k herald.FeedKey, rev string) error {
	f, ok := herald.CacheAs[herald.MissingForgetter](b.inner)
	if !ok {
		return nil
	}
	return b.call(ctx, func() error { return f.ForgetMissing(ctx, k, rev) })
}

// ForgetMissing drops the revision a lookup of k's missing scope minted,
// if it is still rev, so that such requests do not fill the bounded map of
// revisions and push out the revisions of scopes that exist.
func (m *Memory) ForgetMissing(_ context.Context, k herald.FeedKey, rev string) error {
	m.forgetRevision(k.Scope, rev)
	return nil
}

// forgetRevision drops the scope's revision if it is rev.
func (m *Memory) forgetRevision(s herald.Scope, rev string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur, ok := m.revs[s]; ok && cur == rev {
		delete(m.revs, s)
	}
}
