package service

import (
	"container/list"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// staleRecord keeps, per feed key, the last rendering this process knew to
// be current and when it last knew so. When the store fails on a miss, a
// rendering confirmed less than maxAge ago is served instead of an error
// (stale-if-error): readers poll again anyway, and an hour-old feed is
// worth more to them than a 503.
//
// It is bounded by a count and by the bytes of the bodies it references;
// the least recently confirmed key goes first. Bodies are shared with the
// cache, never copied, so a feed held by both costs its bytes once.
type staleRecord struct {
	maxAge   time.Duration
	maxKeys  int
	maxBytes int

	// mu guards the list, the map and each item's entry; seen is atomic so
	// that the common case, a hit confirming the entry already recorded,
	// takes only the read lock (every feed hit passes here).
	mu    sync.RWMutex
	ll    *list.List // front: most recently confirmed
	items map[herald.FeedKey]*list.Element
	bytes int
}

type staleItem struct {
	key   herald.FeedKey
	entry herald.Entry
	// rev is the scope's cache revision the entry was last known current
	// under ("" when the cache could not tell): once the scope has moved
	// to another one, a write has changed it, and the entry may show what
	// that write removed.
	rev  string
	seen atomic.Int64 // Unix nanoseconds when the entry was last known to be current
}

// refreshEvery is how stale an item's confirmation time may get before a
// hit takes the write lock to move it: a second is nothing against a
// max age of minutes or hours, and it keeps hot feeds off the write lock.
const refreshEvery = time.Second

// fresh reports, under the read lock only, whether key's recorded entry
// has etag (and compressed variants, if hasVariants) under revision rev
// and was confirmed less than refreshEvery before now, so that recording
// it again would change nothing that matters.
func (r *staleRecord) fresh(key herald.FeedKey, etag, rev string, hasVariants bool, now time.Time) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	el, ok := r.items[key]
	if !ok {
		return false
	}
	it := el.Value.(*staleItem)
	if it.entry.ETag != etag || it.rev != rev || hasVariants && it.entry.Variants.Size() == 0 {
		return false
	}
	return now.UnixNano()-it.seen.Load() < int64(refreshEvery)
}

// newStaleRecord returns a record, or nil (which records nothing) when
// maxAge or maxKeys is not positive.
func newStaleRecord(maxAge time.Duration, maxKeys, maxBytes int) *staleRecord {
	if maxAge <= 0 || maxKeys <= 0 {
		return nil
	}
	if maxBytes <= 0 {
		maxBytes = 64 << 20
	}
	return &staleRecord{maxAge: maxAge, maxKeys: maxKeys, maxBytes: maxBytes, ll: list.New(), items: map[herald.FeedKey]*list.Element{}}
}

// remember records e, a rendering known to be current at now under the
// scope's revision rev.
func (r *staleRecord) remember(key herald.FeedKey, e herald.Entry, rev string, now time.Time) {
	if r == nil || e.Body == nil || len(e.Body) > r.maxBytes {
		return
	}
	if r.fresh(key, e.ETag, rev, e.Variants.Size() > 0, now) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if el, ok := r.items[key]; ok {
		it := el.Value.(*staleItem)
		r.bytes += len(e.Body) - len(it.entry.Body)
		it.entry, it.rev = e, rev
		it.seen.Store(now.UnixNano())
		r.ll.MoveToFront(el)
	} else {
		it := &staleItem{key: key, entry: e, rev: rev}
		it.seen.Store(now.UnixNano())
		r.items[key] = r.ll.PushFront(it)
		r.bytes += len(e.Body)
	}
	for r.ll.Len() > r.maxKeys || r.bytes > r.maxBytes {
		last := r.ll.Back()
		it := last.Value.(*staleItem)
		r.ll.Remove(last)
		delete(r.items, it.key)
		r.bytes -= len(it.entry.Body)
	}
}

// confirm records that the rendering with etag is still current at now
// under revision rev, as a 304 answered from the cache shows without
// carrying the body.
func (r *staleRecord) confirm(key herald.FeedKey, etag, rev string, now time.Time) {
	if r == nil || r.fresh(key, etag, rev, false, now) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if el, ok := r.items[key]; ok && el.Value.(*staleItem).entry.ETag == etag {
		it := el.Value.(*staleItem)
		it.rev = rev
		it.seen.Store(now.UnixNano())
		r.ll.MoveToFront(el)
	}
}

// adopt records that key's rendering with etag counts as current under
// revision rev from now on, its confirmation time unchanged.
func (r *staleRecord) adopt(key herald.FeedKey, etag, rev string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if el, ok := r.items[key]; ok && el.Value.(*staleItem).entry.ETag == etag {
		el.Value.(*staleItem).rev = rev
	}
}

// lookup returns the recorded rendering of key and its age, if it is
// younger than maxAge and, when rev is known, was current under rev: a
// rendering of an older revision is one a write has superseded, and
// serving it would undo that write for readers (a deleted article back in
// the feed) on the very replica that acknowledged it.
func (r *staleRecord) lookup(key herald.FeedKey, rev string, now time.Time) (herald.Entry, time.Duration, bool) {
	if r == nil {
		return herald.Entry{}, 0, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	el, ok := r.items[key]
	if !ok {
		return herald.Entry{}, 0, false
	}
	it := el.Value.(*staleItem)
	age := now.Sub(time.Unix(0, it.seen.Load()))
	if age > r.maxAge || rev != "" && it.rev != "" && it.rev != rev {
		return herald.Entry{}, 0, false
	}
	return it.entry, age, true
}

// recordGood notes that e is the current rendering of k under the
// scope's cache revision rev ("" when unknown). A 304 answered from the
// cache carries no body and only confirms the recorded one.
func (f *Feeds) recordGood(k herald.FeedKey, e herald.Entry, rev string) {
	if f.stale != nil {
		f.recordGoodAt(k, e, rev, f.now())
	}
}

// recordGoodAt is recordGood with the time already read.
func (f *Feeds) recordGoodAt(k herald.FeedKey, e herald.Entry, rev string, now time.Time) {
	if f.stale == nil {
		return
	}
	if e.Body == nil {
		f.stale.confirm(k, e.ETag, rev, now)
		return
	}
	f.stale.remember(k, e, rev, now)
}

// staleOrError answers a miss whose render failed. A client's error (a
// missing scope, a page out of range) stays what it is. Otherwise the store (or the renderer) failed: the last good
// rendering is served if it is recent enough and no write has superseded
// it (its revision is still rev, the scope's current one, when the cache
// could tell), else the failure becomes EUnavailable, a 503 with
// Retry-After, since nothing is wrong with the request. A revision the
// cache minted for this lookup (minted: it had evicted the scope's) tells
// nothing of writes: the rendering is served and from then on counts as
// current under it, so that the next lookups, which find that revision,
// serve it too.
func (f *Feeds) staleOrError(k herald.FeedKey, cond *herald.Condition, rev string, minted bool, err error) (FeedResult, error) {
	switch herald.ErrorCode(err) {
	case herald.EUnavailable, herald.EInternal:
	default: // the request's own problem (no such scope, a page out of range)
		return FeedResult{}, err
	}
	check := rev
	if minted {
		check = ""
	}
	if e, age, ok := f.stale.lookup(k, check, f.now()); ok {
		if minted {
			f.stale.adopt(k, e.ETag, rev)
		}
		f.stats.StaleServed.Add(1)
		f.storeLog.Warn(f.log, f.now(), "store failed; serving the last good rendering", "scope", k.Scope.Key(), "format", k.Format, "age", age.Round(time.Second), "err", err)
		res := FeedResult{Entry: e, Stale: true, Age: age, NotModified: cond.NotModified(e.ETag, e.LastModified, f.now())}
		if res.NotModified {
			f.stats.NotModified.Add(1)
		}
		return res, nil
	}
	if herald.ErrorCode(err) == herald.EUnavailable {
		return FeedResult{}, err
	}
	f.storeLog.Warn(f.log, f.now(), "feed failed and no recent rendering is kept", "scope", k.Scope.Key(), "format", k.Format, "err", err)
	return FeedResult{}, &herald.Error{Code: herald.EUnavailable, Message: "this feed cannot be produced right now; try again shortly", Err: err}
}

// StaleFor is how long after it was last known to be current a document
// may stand in for one the store cannot make now (feed.max_stale); zero
// when nothing is kept for that.
func (f *Feeds) StaleFor() time.Duration {
	if f.stale == nil {
		return 0
	}
	return f.stale.maxAge
}
