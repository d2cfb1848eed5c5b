package service

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// allCodings asks the cache for an entry with every coding it holds.
const allCodings herald.Coding = "*"

// lookup reads the cache, asking for coding c alone when the cache can.
func (f *Feeds) lookup(ctx context.Context, k herald.FeedKey, cond *herald.Condition, c herald.Coding) (herald.Lookup, error) {
	if c != allCodings && f.coded != nil {
		return f.coded.GetCoded(ctx, k, cond, c)
	}
	return f.cache.Get(ctx, k, cond)
}

// variantMaker compresses renderings in the background, at most one per
// CPU at a time, so a burst of writes cannot crowd out the requests.
type variantMaker struct {
	compress func([]byte) (herald.Variants, error)
	slots    chan struct{}
	pending  sync.WaitGroup
	// addMu orders each start of background work before a Wait that
	// follows it: the request that started it may have been answered
	// (the caller of Wait saw the answer over a socket, an order the race
	// detector cannot see), and a WaitGroup's Add at zero must happen
	// before its Wait.
	addMu sync.Mutex
}

// started counts one more piece of background work (Wait waits for it).
func (vm *variantMaker) started() {
	vm.addMu.Lock()
	vm.pending.Add(1)
	vm.addMu.Unlock()
}

func newVariantMaker(compress func([]byte) (herald.Variants, error)) variantMaker {
	return variantMaker{compress: compress, slots: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// storeRendering stores e, rendered at done, with put (the cache's Put, or
// its PutShared after a PutLocal) under rev, then
// releases the render lock: after the Put, so that replicas waiting on it
// find the entry, and before the compression starts, since with a
// compressor on the other core the unlock's round trip took about 1.5 ms
// (docs/PERFORMANCE.md). A stored entry is then compressed. With a local
// tier it runs after the miss was answered (Wait waits for it).
//
// The entry keeps the end of life it had when rendered: a Put that runs
// late stores it only for what is left of ttl, and not at all once that
// is spent (a scheduled article due meanwhile must not be hidden by it).
func (f *Feeds) storeRendering(ctx context.Context, put func(context.Context, herald.FeedKey, string, herald.Entry, time.Duration) error,
	k herald.FeedKey, rev string, e herald.Entry, ttl time.Duration, done time.Time, release func()) {
	left := ttl - f.now().Sub(done)
	if left <= 0 {
		release()
		return
	}
	err := put(ctx, k, rev, e, left)
	release()
	if err != nil {
		f.stats.CacheErrors.Add(1)
		f.cacheLog.Warn(f.log, f.now(), "cache put failed", "cache", f.cache.Name(), "scope", k.Scope.Key(), "err", err)
		return
	}
	if left := ttl - f.now().Sub(done); left > 0 {
		f.compressLater(k, rev, e, left)
	}
}

// compressLater makes the variants of e, just stored under rev, and stores
// e again with them. This is the only place a feed is compressed: once per
// rendering, never per request. It runs after the miss was answered because
// compressing a 234 KiB feed three ways costs several times the render
// (docs/PERFORMANCE.md); until it is done, clients get identity bytes.
// The cache keeps the second Put only while rev is current, so a write in
// the meantime wins.
func (f *Feeds) compressLater(k herald.FeedKey, rev string, e herald.Entry, ttl time.Duration) {
	vm := &f.variants
	if vm.compress == nil || len(e.Body) == 0 {
		return
	}
	start := f.now()
	vm.started()
	go func() {
		defer vm.pending.Done()
		vm.slots <- struct{}{}
		defer func() { <-vm.slots }()
		v, err := vm.compress(e.Body)
		if err != nil {
			f.log.Warn("compressing a feed failed; serving it uncompressed", "scope", k.Scope.Key(), "err", err)
			return
		}
		left := ttl - f.now().Sub(start)
		if left <= 0 {
			return
		}
		e.Variants = v
		ctx, cancel := context.WithTimeout(context.Background(), f.renderTimeout)
		defer cancel()
		if err := f.cache.Put(ctx, k, rev, e, left); err != nil {
			f.stats.CacheErrors.Add(1)
			f.log.Warn("cache put of compressed variants failed", "cache", f.cache.Name(), "scope", k.Scope.Key(), "err", err)
			return
		}
		f.stats.Compressions.Add(1)
	}()
}

// Wait blocks until every background Put and compression has finished;
// tests call it, and shutdown does before closing the cache.
func (f *Feeds) Wait() {
	// An empty section: it orders the Adds made so far before this Wait.
	f.variants.addMu.Lock()
	f.variants.addMu.Unlock()
	f.variants.pending.Wait()
}
