package cache

import (
	"context"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/redistest"
)

var missingRSS = herald.FeedKey{Scope: herald.Scope{Kind: herald.ScopeTag, Slug: "nowhere"}, Format: herald.FormatRSS, Limit: 20}

// unwrapping is a decorator that offers nothing but Unwrap, as the metrics
// decorator does for ForgetMissing.
type unwrapping struct{ herald.Cache }

func (u unwrapping) Unwrap() herald.Cache { return u.Cache }

// TestForgetMissingRemovesOnlyTheRevisionRead: the revision a lookup (or
// the render lock) minted for a scope is removed when it is still the one
// the caller read, and kept when a write has replaced it since; through
// the breaker and a decorator, as served.
func TestForgetMissingRemovesOnlyTheRevisionRead(t *testing.T) {
	srv := redistest.Start(t)
	admin := mustClient(t, srv)
	shared := mustOpenRedis(t, srv, RedisOptions{Prefix: "miss"})
	ctx := context.Background()
	for _, c := range []herald.MissingForgetter{shared, NewBreaker(unwrapping{shared}, BreakerOptions{})} {
		rev := mustGet(t, shared, missingRSS, nil).Revision
		if n := admin.Exists(ctx, "miss:rev:{tag:nowhere}").Val(); n != 1 {
			t.Fatalf("the lookup minted no revision key")
		}
		if err := c.ForgetMissing(ctx, missingRSS, rev); err != nil {
			t.Fatal(err)
		}
		if n := admin.DBSize(ctx).Val(); n != 0 {
			t.Fatalf("%T: %d keys left, want none: %v", c, n, admin.Keys(ctx, "*").Val())
		}

		lock, err := shared.LockRender(ctx, missingRSS) // mints the revision this time
		if err != nil || lock.Result != herald.LockHeld || lock.Revision == "" {
			t.Fatalf("LockRender: %+v err %v, want the lock at a minted revision", lock, err)
		}
		if err := shared.Invalidate(ctx, []herald.Scope{missingRSS.Scope}); err != nil { // the scope's first article
			t.Fatal(err)
		}
		written := admin.Get(ctx, "miss:rev:{tag:nowhere}").Val()
		lock.Release()
		if err := c.ForgetMissing(ctx, missingRSS, lock.Revision); err != nil {
			t.Fatal(err)
		}
		if got := admin.Get(ctx, "miss:rev:{tag:nowhere}").Val(); got != written || written == lock.Revision {
			t.Fatalf("%T: revision %q after forgetting %q, want the write's %q kept", c, got, lock.Revision, written)
		}
		if err := admin.FlushDB(ctx).Err(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTieredForgetMissing: the local tier drops the revision too (it would
// otherwise hold every missing scope's name), but only the one forgotten;
// the next lookup asks Redis again.
func TestTieredForgetMissing(t *testing.T) {
	srv := redistest.Start(t)
	admin := mustClient(t, srv)
	shared, log := openLogged(t, srv, RedisOptions{Prefix: "miss"})
	c := mustOpenTiered(t, shared, time.Now, TieredOptions{LocalTTL: time.Hour, Front: NewBreaker(unwrapping{shared}, BreakerOptions{})})
	ctx := context.Background()
	rev := mustGet(t, c, missingRSS, nil).Revision
	if err := c.ForgetMissing(ctx, missingRSS, "another"); err != nil {
		t.Fatal(err)
	}
	if l, held := c.local.lookup(missingRSS, nil); held != heldNone || l.Revision != rev {
		t.Fatalf("after forgetting another revision: local %v %q, want %q kept", held, l.Revision, rev)
	}
	log.take()
	if err := c.ForgetMissing(ctx, missingRSS, rev); err != nil {
		t.Fatal(err)
	}
	if cmds := withoutHandshake(log); len(cmds) != 1 {
		t.Fatalf("ForgetMissing sent %v, want one script call", cmds)
	}
	if _, held := c.local.lookup(missingRSS, nil); held != heldUnknown {
		t.Fatalf("local tier still holds the forgotten revision (%v)", held)
	}
	if n := admin.Exists(ctx, "miss:rev:{tag:nowhere}").Val(); n != 0 {
		t.Fatalf("the revision key is still in Redis")
	}
	if again := mustGet(t, c, missingRSS, nil).Revision; again == rev {
		t.Fatalf("the next lookup found the forgotten revision %q", rev)
	}
}

// TestMemoryForgetMissing: the in-process cache drops a minted revision
// only while it is the one given.
func TestMemoryForgetMissing(t *testing.T) {
	m := NewMemory(MemoryOptions{})
	ctx := context.Background()
	rev := mustGet(t, m, missingRSS, nil).Revision
	if err := m.Invalidate(ctx, []herald.Scope{missingRSS.Scope}); err != nil {
		t.Fatal(err)
	}
	written := mustGet(t, m, missingRSS, nil).Revision
	_ = m.ForgetMissing(ctx, missingRSS, rev)
	if got := mustGet(t, m, missingRSS, nil).Revision; got != written {
		t.Fatalf("revision %q after forgetting the replaced %q, want %q", got, rev, written)
	}
	_ = m.ForgetMissing(ctx, missingRSS, written)
	m.mu.RLock()
	_, ok := m.revs[missingRSS.Scope]
	m.mu.RUnlock()
	if ok {
		t.Fatalf("the forgotten revision is still held")
	}
}
