package metrics

import (
	"context"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// Renderer times every render of r.
func (m *Metrics) Renderer(r herald.Renderer) herald.Renderer { return &renderer{r, m} }

type renderer struct {
	herald.Renderer
	m *Metrics
}

func (r *renderer) Render(f herald.Format, ch herald.Channel, arts []*herald.Article) ([]byte, error) {
	start := time.Now()
	b, err := r.Renderer.Render(f, ch, arts)
	r.m.renderDuration.WithLabelValues(string(f)).Observe(time.Since(start).Seconds())
	return b, err
}

// Cache times every call to c and counts its failures.
func (m *Metrics) Cache(c herald.Cache) herald.Cache {
	for _, op := range []string{"get", "put", "invalidate", "ping", "lock"} {
		m.cacheErrors.WithLabelValues(c.Name(), op)
	}
	return &cache{c, m, c.Name()}
}

type cache struct {
	herald.Cache
	m    *Metrics
	name string
}

// Unwrap returns the measured cache.
func (c *cache) Unwrap() herald.Cache { return c.Cache }

func (c *cache) done(op string, start time.Time, err error) {
	c.m.cacheDuration.WithLabelValues(c.name, op).Observe(time.Since(start).Seconds())
	if err != nil {
		c.m.cacheErrors.WithLabelValues(c.name, op).Inc()
	}
}

func (c *cache) Get(ctx context.Context, k herald.FeedKey, cond *herald.Condition) (herald.Lookup, error) {
	start := time.Now()
	l, err := c.Cache.Get(ctx, k, cond)
	c.done("get", start, err)
	return l, err
}

func (c *cache) Put(ctx context.Context, k herald.FeedKey, rev string, e herald.Entry, ttl time.Duration) error {
	start := time.Now()
	err := c.Cache.Put(ctx, k, rev, e, ttl)
	c.done("put", start, err)
	return err
}

func (c *cache) Invalidate(ctx context.Context, scopes []herald.Scope) error {
	start := time.Now()
	err := c.Cache.Invalidate(ctx, scopes)
	c.done("invalidate", start, err)
	return err
}

func (c *cache) Ping(ctx context.Context) error {
	start := time.Now()
	err := c.Cache.Ping(ctx)
	c.done("ping", start, err)
	return err
}

// LockRender forwards herald.RenderLocker to the measured cache, timing it;
// a cache without a render lock lets the caller hold it.
func (c *cache) LockRender(ctx context.Context, k herald.FeedKey) (herald.Lock, error) {
	lk, ok := c.Cache.(herald.RenderLocker)
	if !ok {
		return herald.Lock{Result: herald.LockHeld, Release: func() {}}, nil
	}
	start := time.Now()
	lock, err := lk.LockRender(ctx, k)
	c.done("lock", start, err)
	return lock, err
}

// RenderLockTTL forwards herald.RenderLocker.
func (c *cache) RenderLockTTL() time.Duration {
	if lk, ok := c.Cache.(herald.RenderLocker); ok {
		return lk.RenderLockTTL()
	}
	return 0
}

// GetCoded implements herald.CodedGetter, measured as a get, when the
// decorated cache has it; otherwise it is a Get.
func (c *cache) GetCoded(ctx context.Context, k herald.FeedKey, cond *herald.Condition, coding herald.Coding) (herald.Lookup, error) {
	cg, ok := c.Cache.(herald.CodedGetter)
	if !ok {
		return c.Get(ctx, k, cond)
	}
	start := time.Now()
	l, err := cg.GetCoded(ctx, k, cond, coding)
	c.done("get", start, err)
	return l, err
}
