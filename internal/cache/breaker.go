package cache

import (
	"context"
	"errors"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/herald-feeds/herald/internal/herald"
)

// BreakerState is the state of a Breaker, numbered as exported in metrics.
type BreakerState int

// The states: closed passes every call, open refuses every call without
// trying, half-open lets probes through to find out whether the cache is
// back.
const (
	BreakerClosed   BreakerState = BreakerState(gobreaker.StateClosed)
	BreakerHalfOpen BreakerState = BreakerState(gobreaker.StateHalfOpen)
	BreakerOpen     BreakerState = BreakerState(gobreaker.StateOpen)
)

// String names the state ("closed", "half-open", "open").
func (s BreakerState) String() string { return gobreaker.State(s).String() }

// ErrBreakerOpen is returned, without calling the cache, while the breaker
// is open (or half-open with its probes already out).
var ErrBreakerOpen = errors.New("cache: circuit breaker open")

// errCallerGone marks a call whose own context ended: the cache may be
// fine, so it counts neither for nor against it.
var errCallerGone = errors.New("cache: caller gone")

// Defaults of BreakerOptions.
const (
	DefaultBreakerFailures = 5
	DefaultBreakerCooldown = 5 * time.Second
)

// BreakerOptions configures a Breaker. Zero values take the defaults.
type BreakerOptions struct {
	// Failures is how many consecutive failed calls open the breaker.
	Failures int
	// Cooldown is how long the breaker stays open before one probe may
	// try the cache again.
	Cooldown time.Duration
	// OnStateChange, when set, is called on every transition (for logs).
	OnStateChange func(from, to BreakerState)
}

// Breaker is a herald.Cache decorator with a circuit breaker: after a run of
// failures it stops calling the cache for a cooldown, so a dead Redis costs
// each request nothing instead of its timeout, and after the cooldown a
// probe finds out by itself whether the cache is back.
//
// Invalidations the cache missed are kept (a set of scopes, so bounded by
// the number of scopes the site has) and sent before the cache is trusted
// again: until they are delivered every Get and Put fails, so a cache that
// kept its data through an outage can never serve an entry a write during
// the outage made stale.
type Breaker struct {
	inner herald.Cache
	cb    *gobreaker.TwoStepCircuitBreaker[struct{}]

	// pending are the invalidations the cache has not taken yet.
	pending herald.PendingScopes
}

var _ herald.Cache = (*Breaker)(nil)

// NewBreaker wraps inner in a circuit breaker.
func NewBreaker(inner herald.Cache, opts BreakerOptions) *Breaker {
	if opts.Failures <= 0 {
		opts.Failures = DefaultBreakerFailures
	}
	if opts.Cooldown <= 0 {
		opts.Cooldown = DefaultBreakerCooldown
	}
	failures := uint32(opts.Failures)
	st := gobreaker.Settings{
		Name:        inner.Name(),
		MaxRequests: 1,
		Timeout:     opts.Cooldown,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= failures },
		IsExcluded:  func(err error) bool { return errors.Is(err, errCallerGone) },
		// An invalidation the master took, short of replicas, is no
		// failure of the cache: it stays in use.
		IsSuccessful: func(err error) bool { return err == nil || errors.Is(err, herald.ErrUnreplicated) },
	}
	if opts.OnStateChange != nil {
		st.OnStateChange = func(_ string, from, to gobreaker.State) {
			opts.OnStateChange(BreakerState(from), BreakerState(to))
		}
	}
	return &Breaker{inner: inner, cb: gobreaker.NewTwoStepCircuitBreaker[struct{}](st)}
}

// State returns the breaker's current state.
func (b *Breaker) State() BreakerState { return BreakerState(b.cb.State()) }

// Unwrap returns the decorated cache.
func (b *Breaker) Unwrap() herald.Cache { return b.inner }

// call runs fn through the breaker.
func (b *Breaker) call(ctx context.Context, fn func() error) error {
	done, err := b.cb.Allow()
	if err != nil {
		return ErrBreakerOpen
	}
	err = fn()
	if err != nil && ctx.Err() != nil {
		done(errCallerGone)
		return err
	}
	done(err)
	return err
}

// Get implements herald.Cache.
func (b *Breaker) Get(ctx context.Context, k herald.FeedKey, cond *herald.Condition) (herald.Lookup, error) {
	if err := b.ready(ctx); err != nil {
		return herald.Lookup{}, err
	}
	var look herald.Lookup
	err := b.call(ctx, func() error {
		var err error
		look, err = b.inner.Get(ctx, k, cond)
		return err
	})
	return look, err
}

// Put implements herald.Cache.
func (b *Breaker) Put(ctx context.Context, k herald.FeedKey, rev string, e herald.Entry, ttl time.Duration) error {
	if err := b.ready(ctx); err != nil {
		return err
	}
	return b.call(ctx, func() error { return b.inner.Put(ctx, k, rev, e, ttl) })
}

// Invalidate implements herald.Cache. The scopes are recorded first and
// stay recorded until the cache has taken them, however long that takes.
// Like any call it counts towards opening the breaker, and while the
// breaker is open it fails at once with ErrBreakerOpen, sending nothing.
func (b *Breaker) Invalidate(ctx context.Context, scopes []herald.Scope) error {
	b.pending.Add(scopes, 0)
	return b.flush(ctx)
}

// flush delivers the pending invalidations. A scope is forgotten only if
// no write touched it again since the copy that was delivered was taken.
func (b *Breaker) flush(ctx context.Context) error {
	if b.pending.Len() == 0 {
		return nil
	}
	scopes, mark := b.pending.Snapshot()
	if len(scopes) == 0 {
		return nil
	}
	err := b.call(ctx, func() error { return b.inner.Invalidate(ctx, scopes) })
	if err != nil && !errors.Is(err, herald.ErrUnreplicated) {
		return err
	}
	// Delivered, if perhaps not yet replicated: the error says so to
	// Invalidate's caller, who retries; reads and writes go on.
	b.pending.Settle(scopes, mark)
	return err
}

// ready delivers the pending invalidations before a read or a write. One
// delivered short of replicas is delivered: the cache may be used.
func (b *Breaker) ready(ctx context.Context) error {
	if err := b.flush(ctx); err != nil && !errors.Is(err, herald.ErrUnreplicated) {
		return err
	}
	return nil
}

// Pending returns how many scopes wait for an invalidation the cache has
// not taken yet.
func (b *Breaker) Pending() int { return b.pending.Len() }

// Ping implements herald.Cache; a ping counts like any call, so a
// successful one may close a half-open breaker.
func (b *Breaker) Ping(ctx context.Context) error {
	return b.call(ctx, func() error { return b.inner.Ping(ctx) })
}

// Name implements herald.Cache with the decorated cache's name.
func (b *Breaker) Name() string { return b.inner.Name() }

// Close implements herald.Cache.
func (b *Breaker) Close() error { return b.inner.Close() }

// LockRender implements herald.RenderLocker through the breaker when the
// decorated cache has a render lock. A cache without one has nobody to
// share renders with: the caller simply holds the lock. Like Get, it
// waits for the pending invalidations to be delivered: the lock hands
// back the entry it finds stored.
func (b *Breaker) LockRender(ctx context.Context, k herald.FeedKey) (lock herald.Lock, err error) {
	lk, ok := b.inner.(herald.RenderLocker)
	if !ok {
		return herald.Lock{Result: herald.LockHeld, Release: func() {}}, nil
	}
	if err := b.ready(ctx); err != nil {
		return herald.Lock{}, err
	}
	err = b.call(ctx, func() error {
		var err error
		lock, err = lk.LockRender(ctx, k)
		return err
	})
	return lock, err
}

// RenderLockTTL implements herald.RenderLocker: the decorated cache's, or
// zero without a render lock.
func (b *Breaker) RenderLockTTL() time.Duration {
	if lk, ok := b.inner.(herald.RenderLocker); ok {
		return lk.RenderLockTTL()
	}
	return 0
}

// GetCoded implements herald.CodedGetter through the breaker: the decorated
// cache's when it has one, else its Get (which carries every coding).
func (b *Breaker) GetCoded(ctx context.Context, k herald.FeedKey, cond *herald.Condition, c herald.Coding) (herald.Lookup, error) {
	cg, ok := b.inner.(herald.CodedGetter)
	if !ok {
		return b.Get(ctx, k, cond)
	}
	if err := b.ready(ctx); err != nil {
		return herald.Lookup{}, err
	}
	var look herald.Lookup
	err := b.call(ctx, func() error {
		var err error
		look, err = cg.GetCoded(ctx, k, cond, c)
		return err
	})
	return look, err
}
