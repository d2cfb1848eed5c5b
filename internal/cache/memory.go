package cache

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// Default bounds of a Memory cache.
const (
	DefaultMaxEntries = 10_000
	DefaultMaxBytes   = 64 << 20
)

// entryOverhead approximates the bookkeeping bytes of one entry beyond its
// strings and body (map slot, list element, struct), so that many tiny
// entries still count against MaxBytes.
const entryOverhead = 256

// MemoryOptions configures a Memory cache. Zero values take the defaults.
type MemoryOptions struct {
	// MaxEntries bounds the number of stored feeds (default 10,000).
	MaxEntries int
	// MaxBytes bounds the approximate memory held by stored feeds
	// (default 64 MiB). A single feed larger than this is not stored.
	MaxBytes int64
	// Now returns the current time; tests inject a fake clock. Default
	// time.Now.
	Now func() time.Time
}

// Memory is an in-process herald.Cache, safe for concurrent use. It suits a
// single replica; with several replicas each would invalidate only its own
// copy, so use Redis there.
//
// A hit takes a read lock and returns the stored Entry without copying its
// body. When full, it evicts in insertion order but gives entries read since
// they were last considered a second chance (the CLOCK approximation of
// LRU), so the hit path never needs the write lock.
type Memory struct {
	now          func() time.Time
	maxEntries   int
	maxBytes     int64
	maxRevisions int

	mu   sync.RWMutex
	revs map[herald.Scope]string
	// written holds the scopes Invalidate was given: a revision of one of
	// them that is forgotten and minted again may hide a write, so the
	// new one is not reported Minted. Bounded by the scopes writes name.
	written map[herald.Scope]struct{}
	entries map[herald.FeedKey]*memEntry
	order   *list.List // of *memEntry, oldest first
	bytes   int64
}

// memEntry is one stored feed. Every field but used is immutable once the
// entry is in the map, which is why Get may read it after unlocking.
type memEntry struct {
	key     herald.FeedKey
	rev     string
	entry   herald.Entry
	expires time.Time
	size    int64
	elem    *list.Element
	used    atomic.Bool // read since eviction last passed over it
}

var (
	_ herald.Cache       = (*Memory)(nil)
	_ herald.LocalPutter = (*Memory)(nil)
)

// NewMemory returns an empty in-process cache.
func NewMemory(opts MemoryOptions) *Memory {
	m := &Memory{
		now:        opts.Now,
		maxEntries: opts.MaxEntries,
		maxBytes:   opts.MaxBytes,
		revs:       make(map[herald.Scope]string),
		written:    make(map[herald.Scope]struct{}),
		entries:    make(map[herald.FeedKey]*memEntry),
		order:      list.New(),
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.maxEntries <= 0 {
		m.maxEntries = DefaultMaxEntries
	}
	if m.maxBytes <= 0 {
		m.maxBytes = DefaultMaxBytes
	}
	// Requests may name scopes that have no entries (or do not exist), and
	// each mints a revision; this keeps that map bounded too.
	m.maxRevisions = max(4*m.maxEntries, 1024)
	return m
}

// Name implements herald.Cache.
func (m *Memory) Name() string { return "memory" }

// Ping implements herald.Cache; memory always answers.
func (m *Memory) Ping(context.Context) error { return nil }

// Close drops every entry and revision. The cache stays usable, empty.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.revs)
	clear(m.entries)
	m.order.Init()
	m.bytes = 0
	return nil
}

// Get implements herald.Cache. On a hit the returned Entry shares the
// stored body, which callers must treat as read-only. When cond is
// satisfied, NotModified is set and Entry.Body is nil, as with Redis.
func (m *Memory) Get(_ context.Context, k herald.FeedKey, cond *herald.Condition) (herald.Lookup, error) {
	l, held := m.lookup(k, cond)
	if held == heldUnknown {
		rev, minted := m.revision(k.Scope)
		return herald.Lookup{Revision: rev, Minted: minted}, nil
	}
	return l, nil
}

// held is what the cache holds for a key, as lookup found it.
type held int

const (
	heldUnknown held = iota // the scope has no revision
	heldNone                // the revision, but no entry of it
	heldExpired             // an entry of the revision, past its TTL
	heldLive                // a live entry of the revision: a hit
)

// lookup is Get without minting: heldUnknown when the scope has no
// revision yet. Tiered uses it on its local tier, whose revisions come
// from Redis and must never be invented locally, and tells the other
// outcomes apart.
func (m *Memory) lookup(k herald.FeedKey, cond *herald.Condition) (herald.Lookup, held) {
	m.mu.RLock()
	rev, ok := m.revs[k.Scope]
	e := m.entries[k]
	m.mu.RUnlock()
	if !ok {
		return herald.Lookup{}, heldUnknown
	}
	if e == nil || e.rev != rev {
		return herald.Lookup{Revision: rev}, heldNone
	}
	now := m.now()
	if !now.Before(e.expires) {
		return herald.Lookup{Revision: rev}, heldExpired
	}
	if !e.used.Load() { // skip the store when set: keeps the cache line shared
		e.used.Store(true)
	}
	l := herald.Lookup{Hit: true, Entry: e.entry, Revision: rev}
	if cond.NotModified(e.entry.ETag, e.entry.LastModified, now) {
		l.NotModified = true
		l.Entry.Body = nil
		l.Entry.Variants = herald.Variants{}
	}
	return l, heldLive
}

// adopt makes rev the scope's revision, for a local tier that mirrors the
// revisions kept in Redis.
func (m *Memory) adopt(s herald.Scope, rev string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.revs[s]; !ok && len(m.revs) >= m.maxRevisions {
		for victim := range m.revs {
			delete(m.revs, victim)
			break
		}
	}
	m.revs[s] = rev
}

// forget drops the revisions of scopes, so their entries stop matching and
// the next lookup is a miss that asks Redis.
func (m *Memory) forget(scopes []herald.Scope) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range scopes {
		delete(m.revs, s)
	}
}

// revision returns the scope's revision, minting one if it has none;
// minted reports that this call made it for a scope no write has named
// (herald.Lookup.Minted).
func (m *Memory) revision(s herald.Scope) (rev string, minted bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if rev, ok := m.revs[s]; ok { // minted (or invalidated) while we waited for the lock
		return rev, false
	}
	if len(m.revs) >= m.maxRevisions {
		// Forgetting any revision is safe: its entries just stop matching.
		for victim := range m.revs {
			delete(m.revs, victim)
			break
		}
	}
	rev = newRevision()
	m.revs[s] = rev
	_, written := m.written[s]
	return rev, !written
}

// Put implements herald.Cache. It stores a private copy of e.Body, so the
// caller may reuse its buffer, and ignores the entry when rev is no longer
// the scope's current revision: a render that raced an Invalidate never
// replaces a newer entry.
func (m *Memory) Put(_ context.Context, k herald.FeedKey, rev string, e herald.Entry, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("memory cache: put: ttl %v is not positive", ttl)
	}
	if rev == "" {
		return errors.New("memory cache: put: empty revision")
	}
	size := entrySize(rev, e)
	if size > m.maxBytes {
		return nil // too big to keep; serving it uncached is correct
	}
	// Bytes the cache already holds for k (handed over by putShared, or
	// read back from it) are immutable and need no second copy: the Put
	// of the compressed variants after a miss's PutLocal passes the same
	// body.
	var held herald.Entry
	m.mu.RLock()
	if old := m.entries[k]; old != nil {
		held = old.entry
	}
	m.mu.RUnlock()
	e.Body = own(e.Body, held.Body)
	e.Variants = herald.Variants{Gzip: own(e.Variants.Gzip, held.Variants.Gzip),
		Brotli: own(e.Variants.Brotli, held.Variants.Brotli), Zstd: own(e.Variants.Zstd, held.Variants.Zstd)}
	m.store(k, rev, e, ttl, size)
	return nil
}

// PutLocal implements herald.LocalPutter. A Memory cache is all local
// tier: the miss that renders stores its bytes here without a copy.
func (m *Memory) PutLocal(k herald.FeedKey, rev string, e herald.Entry, ttl time.Duration) {
	m.putShared(k, rev, e, ttl)
}

// PutShared implements herald.LocalPutter: a Memory cache has no shared
// tier, so there is nothing to store.
func (m *Memory) PutShared(context.Context, herald.FeedKey, string, herald.Entry, time.Duration) error {
	return nil
}

// putShared is Put without the copy: the cache keeps e's slices, which the
// caller hands over and never modifies.
func (m *Memory) putShared(k herald.FeedKey, rev string, e herald.Entry, ttl time.Duration) {
	if ttl <= 0 || rev == "" {
		return
	}
	if size := entrySize(rev, e); size <= m.maxBytes {
		m.store(k, rev, e, ttl, size)
	}
}

// own returns b, or a copy of it unless it is exactly held (same bytes in
// memory and length), which the cache already owns.
func own(b, held []byte) []byte {
	if len(b) > 0 && len(b) == len(held) && &b[0] == &held[0] {
		return b
	}
	return clone(b)
}

// store keeps e, whose bytes the cache now owns, under rev if rev is
// still the scope's revision.
func (m *Memory) store(k herald.FeedKey, rev string, e herald.Entry, ttl time.Duration, size int64) {
	me := &memEntry{key: k, rev: rev, entry: e, size: size}

	m.mu.Lock()
	defer m.mu.Unlock()
	if m.revs[k.Scope] != rev {
		return
	}
	me.expires = m.now().Add(ttl)
	if old := m.entries[k]; old != nil {
		m.removeLocked(old)
	}
	me.elem = m.order.PushBack(me)
	m.entries[k] = me
	m.bytes += size
	m.evictLocked()
}

// entrySize is what an entry counts against MaxBytes.
func entrySize(rev string, e herald.Entry) int64 {
	return int64(len(e.Body)+e.Variants.Size()+len(e.ETag)+len(e.ContentType)+len(rev)) + entryOverhead
}

// clone copies b, keeping nil as nil (a missing variant).
func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// Invalidate implements herald.Cache: each scope gets a fresh revision.
func (m *Memory) Invalidate(_ context.Context, scopes []herald.Scope) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range scopes {
		m.revs[s] = newRevision()
		m.written[s] = struct{}{}
	}
	return nil
}

// evictLocked removes entries, oldest first, until both bounds hold. A live
// entry read since the last pass is moved to the back once instead of being
// removed; an expired one never gets that second chance. Each pass clears
// the flags it sees and no reader can set them while the write lock is
// held, so the loop ends within two passes.
func (m *Memory) evictLocked() {
	now := m.now()
	for len(m.entries) > m.maxEntries || m.bytes > m.maxBytes {
		front := m.order.Front()
		e := front.Value.(*memEntry)
		if e.used.Load() && now.Before(e.expires) {
			e.used.Store(false)
			m.order.MoveToBack(front)
			continue
		}
		m.removeLocked(e)
	}
}

// removeLocked drops one entry.
func (m *Memory) removeLocked(e *memEntry) {
	m.order.Remove(e.elem)
	delete(m.entries, e.key)
	m.bytes -= e.size
}

// Len reports how many entries are stored, live or not yet evicted; for
// tests and metrics.
func (m *Memory) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.entries)
}
