package cache

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"

	"github.com/herald-feeds/herald/internal/herald"
)

// Defaults of TieredOptions.
const (
	DefaultLocalTTL       = 2 * time.Second
	DefaultHealthInterval = 5 * time.Second
)

// TieredOptions configures a Tiered cache. Zero values take the defaults.
type TieredOptions struct {
	// LocalTTL bounds how long the local tier serves an entry without
	// asking Redis (default 2s). It is the worst-case staleness when an
	// invalidation message is lost without the subscription breaking.
	LocalTTL time.Duration
	// HealthInterval is how long the subscription may stay silent before
	// it is pinged; two silent intervals in a row drop the local tier
	// (default 5s).
	HealthInterval time.Duration
	// Logger receives subscription state changes. Default: discard.
	Logger *slog.Logger
	// Front is what reads, writes and invalidations of the shared tier go
	// through: a decorator of the same Redis such as a circuit breaker or
	// metrics, so that a write's invalidation counts towards opening the
	// breaker and is not sent while it is open. Default: the Redis itself.
	// Only the subscription uses the Redis directly.
	Front herald.Cache
}

// Tiered is a herald.Cache with a bounded in-process tier in front of Redis,
// so that a hit costs no network round trip.
//
// Redis stays the shared tier and the source of revisions: the local tier
// only holds revisions it read from Redis or received on the invalidation
// channel, never ones it made up. A write replaces the scopes' tokens in
// Redis and publishes them; every replica's subscriber applies them to its
// local tier, and the writing replica applies its own before Invalidate
// returns. While the subscription is down (Redis stopped, connection
// killed, no answer to a ping) the local tier is dropped and every call
// goes to Redis, until the subscription is confirmed again. Local entries
// live at most LocalTTL, which bounds staleness if a message is lost.
type Tiered struct {
	local    *Memory
	shared   *Redis
	front    herald.Cache // shared, or a decorator of it
	localTTL time.Duration
	health   time.Duration
	log      *slog.Logger
	origin   string // names this cache's own messages
	fills    singleflight.Group

	// live is true while the subscription is confirmed; the hit path reads
	// it without the lock. mu orders state changes and invalidations
	// against fills: epoch moves on each, and a fill started under an
	// older epoch does not adopt what it read.
	live  atomic.Bool
	mu    sync.Mutex
	epoch uint64

	ps     *redis.PubSub
	cancel context.CancelFunc
	done   chan struct{}
}

var (
	_ herald.Cache        = (*Tiered)(nil)
	_ herald.CodedGetter  = (*Tiered)(nil)
	_ herald.Unwrapper    = (*Tiered)(nil)
	_ herald.RenderLocker = (*Tiered)(nil)
	_ herald.LocalPutter  = (*Tiered)(nil)
)

// NewTiered returns a cache with local in front of shared and starts the
// subscriber. It owns both: Close closes them. The local tier is used only
// once the subscription is confirmed.
func NewTiered(local *Memory, shared *Redis, opts TieredOptions) *Tiered {
	t := &Tiered{
		local:    local,
		shared:   shared,
		localTTL: opts.LocalTTL,
		health:   opts.HealthInterval,
		log:      opts.Logger,
		origin:   newRevision(),
		done:     make(chan struct{}),
		front:    opts.Front,
	}
	if t.front == nil {
		t.front = shared
	}
	if t.localTTL <= 0 {
		t.localTTL = DefaultLocalTTL
	}
	if t.health <= 0 {
		t.health = DefaultHealthInterval
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel = cancel
	t.ps = shared.client.Subscribe(ctx, shared.channel())
	go t.listen(ctx)
	return t
}

// Name implements herald.Cache.
func (t *Tiered) Name() string { return "redis+local" }

// Unwrap returns the shared tier (through Front), so that herald.CacheAs
// finds its optional interfaces.
func (t *Tiered) Unwrap() herald.Cache { return t.front }

// Live reports whether the subscription is confirmed and the local tier in
// use; for health reports and tests.
func (t *Tiered) Live() bool { return t.live.Load() }

// LocalLen is the number of entries in the local tier; for tests.
func (t *Tiered) LocalLen() int { return t.local.Len() }

// Ping implements herald.Cache; the shared tier decides.
func (t *Tiered) Ping(ctx context.Context) error { return t.front.Ping(ctx) }

// Close stops the subscriber and closes both tiers.
func (t *Tiered) Close() error {
	t.cancel()
	t.ps.Close() // interrupts a read in progress, which ctx does not
	<-t.done
	t.local.Close()
	return t.shared.Close()
}

// Get implements herald.Cache. A local hit touches no lock but the local
// tier's read lock and sends nothing to Redis.
func (t *Tiered) Get(ctx context.Context, k herald.FeedKey, cond *herald.Condition) (herald.Lookup, error) {
	if !t.live.Load() {
		return t.front.Get(ctx, k, cond)
	}
	l, held := t.local.lookup(k, cond)
	switch held {
	case heldLive:
		return l, nil
	case heldNone:
		// The scope's revision is known here, from Redis or its
		// invalidation channel, and no entry of it: a write moved it on,
		// or no request of this process has read k since. Asking Redis
		// now would cost a round trip that the read path's LockRender,
		// which looks for the entry as it takes the lock, makes anyway.
		// (An expired entry is another matter: Redis most likely holds
		// its successor, so that one is filled, and counts as a hit.)
		return l, nil
	}
	return t.fill(ctx, k, cond)
}

// GetCoded implements herald.CodedGetter. With the local tier in use a hit
// carries every coding (they cost nothing to share); without it only the
// coding asked for leaves Redis.
func (t *Tiered) GetCoded(ctx context.Context, k herald.FeedKey, cond *herald.Condition, c herald.Coding) (herald.Lookup, error) {
	if !t.live.Load() {
		if cg, ok := t.front.(herald.CodedGetter); ok {
			return cg.GetCoded(ctx, k, cond, c)
		}
		return t.front.Get(ctx, k, cond)
	}
	return t.Get(ctx, k, cond)
}

// fill reads k from Redis with every coding, adopts the scope's revision
// and keeps the entry locally, then evaluates cond. Concurrent fills of one
// key share one Redis call.
func (t *Tiered) fill(ctx context.Context, k herald.FeedKey, cond *herald.Condition) (herald.Lookup, error) {
	t.mu.Lock()
	epoch := t.epoch
	t.mu.Unlock()
	key := keyString(k) + "\x00" + strconv.FormatUint(epoch, 10)
	v, err, _ := t.fills.Do(key, func() (any, error) {
		l, err := t.front.Get(ctx, k, nil)
		if err != nil {
			return l, err
		}
		t.keep(epoch, k, l.Revision, l.Entry, l.Hit, l.TTL)
		return l, nil
	})
	if err != nil {
		return herald.Lookup{}, err
	}
	l := v.(herald.Lookup)
	if l.Hit && cond.NotModified(l.Entry.ETag, l.Entry.LastModified, t.shared.now()) {
		l.NotModified = true
		l.Entry.Body = nil
		l.Entry.Variants = herald.Variants{}
	}
	return l, nil
}

// Put implements herald.Cache: Redis first, then the local tier, which
// keeps the entry only while rev is still the revision it knows.
func (t *Tiered) Put(ctx context.Context, k herald.FeedKey, rev string, e herald.Entry, ttl time.Duration) error {
	err := t.front.Put(ctx, k, rev, e, ttl)
	if err == nil && t.live.Load() {
		_ = t.local.Put(ctx, k, rev, e, min(ttl, t.localTTL))
	}
	return err
}

// PutLocal implements herald.LocalPutter: the local tier alone, without a
// copy, under the same rule as Put's (kept only while rev is the revision
// the local tier knows).
func (t *Tiered) PutLocal(k herald.FeedKey, rev string, e herald.Entry, ttl time.Duration) {
	if t.live.Load() {
		t.local.putShared(k, rev, e, min(ttl, t.localTTL))
	}
}

// PutShared implements herald.LocalPutter: Redis alone (through Front).
func (t *Tiered) PutShared(ctx context.Context, k herald.FeedKey, rev string, e herald.Entry, ttl time.Duration) error {
	return t.front.Put(ctx, k, rev, e, ttl)
}

// Invalidate implements herald.Cache: new tokens in Redis, published to
// every replica, and applied here before returning. It goes through Front
// like reads do: a failure counts towards opening the circuit breaker, and
// while the breaker is open Redis is not contacted at all (the breaker
// keeps the scopes and delivers them before Redis is read again). When
// Redis was not reached, or failed, the scopes are still dropped locally.
func (t *Tiered) Invalidate(ctx context.Context, scopes []herald.Scope) error {
	note := &sentNote{origin: t.origin}
	err := t.front.Invalidate(withSentNote(ctx, note), scopes)
	sent, tokens := note.taken()
	// Whatever Redis took, this call's scopes or more (what the breaker
	// still owed), is adopted; whatever of this call it did not, forgotten.
	var missed []herald.Scope
	for _, s := range scopes {
		if !slices.Contains(sent, s) {
			missed = append(missed, s)
		}
	}
	t.apply(sent, tokens, missed)
	return err
}

// apply moves the local tier to the given tokens of scopes (or forgets
// those scopes when the tokens do not match them) and forgets the scopes
// of forget, in one step for the fills under way (the epoch).
func (t *Tiered) apply(scopes []herald.Scope, tokens []string, forget []herald.Scope) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.epoch++
	t.local.forget(forget)
	if len(tokens) != len(scopes) {
		t.local.forget(scopes)
		return
	}
	for i, s := range scopes {
		t.local.adopt(s, tokens[i])
	}
}

// setLive records a change of the subscription's state. Either way the
// local tier starts empty: what it held may have missed invalidations.
func (t *Tiered) setLive(live bool, reason string, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.live.Load() == live {
		return
	}
	t.epoch++
	t.live.Store(live)
	t.local.Close()
	if live {
		t.log.Info("cache invalidation channel subscribed; local tier on", "reason", reason)
	} else {
		t.log.Warn("cache invalidation channel lost; local tier dropped, reading Redis", "reason", reason, "err", err)
	}
}

func keyString(k herald.FeedKey) string {
	return k.Scope.Key() + "|" + string(k.Format) + "|" + strconv.Itoa(k.Offset) + "|" + strconv.Itoa(k.Limit)
}

// LockRender implements herald.RenderLocker by the shared tier's lock, so
// that the cross-replica render lock works with the local tier on. It is
// where a miss of the local tier meets Redis (see Get): the local tier
// adopts the revision the lock answered about, as a fill would (so a
// revision Redis moved on without this process hearing of it yet is
// caught up with here), and keeps an entry the lock script returns.
func (t *Tiered) LockRender(ctx context.Context, k herald.FeedKey) (herald.Lock, error) {
	t.mu.Lock()
	epoch := t.epoch
	t.mu.Unlock()
	lock, err := t.locker().LockRender(ctx, k)
	if err != nil || lock.Revision == "" {
		return lock, err
	}
	t.keep(epoch, k, lock.Revision, lock.Entry, lock.Result == herald.LockStored, lock.TTL)
	return lock, nil
}

// keep takes what Redis answered for k into the local tier: the scope's
// revision and, when hit, the entry of it, unless an invalidation or a
// subscription change came since epoch was read (the answer may predate
// it). The bytes are fresh from Redis and never written: the local tier
// keeps them without a copy.
func (t *Tiered) keep(epoch uint64, k herald.FeedKey, rev string, e herald.Entry, hit bool, left time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.epoch != epoch || !t.live.Load() {
		return
	}
	t.local.adopt(k.Scope, rev)
	if hit {
		// Never past the entry's own end in Redis (left, when known),
		// which comes early when a scheduled article is due.
		ttl := t.localTTL
		if left > 0 {
			ttl = min(ttl, left)
		}
		t.local.store(k, rev, e, ttl, entrySize(rev, e))
	}
}

// locker is the render lock of the shared tier, through Front when it
// has one.
func (t *Tiered) locker() herald.RenderLocker {
	if lk, ok := t.front.(herald.RenderLocker); ok {
		return lk
	}
	return t.shared
}

// RenderLockTTL implements herald.RenderLocker.
func (t *Tiered) RenderLockTTL() time.Duration { return t.locker().RenderLockTTL() }
