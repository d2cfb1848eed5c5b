// Package artcache keeps decoded articles in process memory so that a
// store's feed read fetches from the database only the rows that changed
// since this process last read them.
//
// Entries are keyed by article id and tagged with the row version they
// were read at. A store reads the (id, version) pairs of a page first and
// asks the cache for exactly those pairs: an article rewritten since it was
// cached has a new version, so its old entry never matches again, whichever
// process wrote it. Versions come from the database (migration 0003 of each
// store), never from this package.
//
// The articles handed out are shared by every reader and must not be
// modified. The cache is bounded by entry count and by the bytes its
// articles hold, and evicts the least recently used article; a nil *Cache
// is a valid, disabled cache.
package artcache

import (
	"container/list"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/herald-feeds/herald/internal/herald"
)

// DefaultMaxArticles and DefaultMaxBytes are the bounds of
// cache.max_articles and cache.max_article_bytes.
const (
	DefaultMaxArticles = 10000
	DefaultMaxBytes    = 64 << 20
)

// Key names one version of one article.
type Key struct {
	ID      string
	Version int64
}

// Cache is a bounded, least-recently-used set of articles, each at one
// version. It is safe for concurrent use.
type Cache struct {
	max      int
	maxBytes int // 0: no bound in bytes

	mu    sync.Mutex
	order list.List                // of *entry, most recently used first
	byID  map[string]*list.Element // one element per article id
	bytes int                      // Size of every cached article

	hits, misses atomic.Uint64
}

type entry struct {
	key     Key
	article *herald.Article
	size    int
}

// New returns a cache of at most maxArticles articles holding at most
// maxBytes (as Size counts them; zero or less: no bound in bytes), or nil
// (caching disabled) when maxArticles is zero or less. The bound in bytes
// is what keeps a site of long articles from growing the process by the
// count bound times their length.
func New(maxArticles, maxBytes int) *Cache {
	if maxArticles <= 0 {
		return nil
	}
	return &Cache{max: maxArticles, maxBytes: max(maxBytes, 0), byID: make(map[string]*list.Element)}
}

// Size is about what a cached article costs in memory: its text, its
// lists and a fixed overhead for the structures around them.
func Size(a *herald.Article) int {
	const overhead = 512
	n := overhead + len(a.ID) + len(a.Slug) + len(a.Title) + len(a.URL) + len(a.Summary) +
		len(a.ContentHTML) + len(a.Language) + len(a.Image) + len(a.EpisodeType) +
		len(a.TranscriptURL) + len(a.TranscriptType) + len(a.ChaptersURL)
	for _, au := range a.Authors {
		n += 48 + len(au.Name) + len(au.Email) + len(au.URL)
	}
	for _, s := range a.Categories {
		n += 16 + len(s)
	}
	for _, s := range a.Tags {
		n += 16 + len(s)
	}
	for _, e := range a.Enclosures {
		n += 48 + len(e.URL) + len(e.Type)
	}
	return n
}

// Get returns the article cached for k, only if it is at exactly
// k.Version.
func (c *Cache) Get(k Key) (*herald.Article, bool) {
	var out [1]*herald.Article
	if c.GetMany([]Key{k}, out[:]) > 0 {
		return nil, false
	}
	return out[0], true
}

// GetMany sets out[i] to the cached article for keys[i] and leaves it nil
// when that version is not cached; it returns the number of misses. out
// must be at least as long as keys. One lock covers the whole batch, which
// is a feed page.
func (c *Cache) GetMany(keys []Key, out []*herald.Article) (misses int) {
	if c == nil {
		for i := range keys {
			out[i] = nil
		}
		return len(keys)
	}
	c.mu.Lock()
	for i, k := range keys {
		out[i] = nil
		el, ok := c.byID[k.ID]
		if !ok || el.Value.(*entry).key.Version != k.Version {
			misses++
			continue
		}
		c.order.MoveToFront(el)
		out[i] = el.Value.(*entry).article
	}
	c.mu.Unlock()
	c.hits.Add(uint64(len(keys) - misses))
	c.misses.Add(uint64(misses))
	return misses
}

// Page returns the articles of a feed page in the order of keys: those
// cached at exactly their version as they are, the others from fetch,
// which is given the missing ids and returns those articles by id, read in
// the same snapshot as keys. What fetch returns is cached. A page never has
// a hole: an id fetch does not return is an error. A nil cache fetches
// everything.
func (c *Cache) Page(keys []Key, fetch func(ids []string) (map[string]*herald.Article, error)) ([]*herald.Article, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	arts := make([]*herald.Article, len(keys))
	if c.GetMany(keys, arts) == 0 {
		return arts, nil
	}
	var missing []string
	for i, a := range arts {
		if a == nil {
			missing = append(missing, keys[i].ID)
		}
	}
	byID, err := fetch(missing)
	if err != nil {
		return nil, err
	}
	newKeys := make([]Key, 0, len(missing))
	newArts := make([]*herald.Article, 0, len(missing))
	for i, a := range arts {
		if a != nil {
			continue
		}
		if a = byID[keys[i].ID]; a == nil {
			// Impossible within one snapshot; never assemble a page with a hole.
			return nil, fmt.Errorf("article %s of the page is missing from its own snapshot", keys[i].ID)
		}
		arts[i] = a
		newKeys, newArts = append(newKeys, keys[i]), append(newArts, a)
	}
	c.PutMany(newKeys, newArts)
	return arts, nil
}

// Put caches a as the article at k. The caller gives up a: neither it nor
// anyone it is handed to may modify it afterwards. A newer version already
// cached for the id is kept (versions only grow, so a reader of an older
// snapshot cannot push out a newer row); an older one is replaced.
func (c *Cache) Put(k Key, a *herald.Article) {
	c.PutMany([]Key{k}, []*herald.Article{a})
}

// PutMany is Put for each keys[i] and arts[i], under one lock.
func (c *Cache) PutMany(keys []Key, arts []*herald.Article) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, k := range keys {
		size := Size(arts[i])
		if c.maxBytes > 0 && size > c.maxBytes {
			// Too large to keep: it would push out everything else. An
			// older version of it goes too, since it is stale.
			if el, ok := c.byID[k.ID]; ok && el.Value.(*entry).key.Version < k.Version {
				c.removeElement(el)
			}
			continue
		}
		if el, ok := c.byID[k.ID]; ok {
			e := el.Value.(*entry)
			if e.key.Version < k.Version {
				c.bytes += size - e.size
				e.key, e.article, e.size = k, arts[i], size
			}
			c.order.MoveToFront(el)
		} else {
			c.byID[k.ID] = c.order.PushFront(&entry{key: k, article: arts[i], size: size})
			c.bytes += size
		}
		// The article just put is at the front and within the bound on its
		// own, so it is never the one evicted.
		for c.order.Len() > c.max || c.maxBytes > 0 && c.bytes > c.maxBytes {
			c.removeElement(c.order.Back())
		}
	}
}

func (c *Cache) removeElement(el *list.Element) {
	e := el.Value.(*entry)
	c.order.Remove(el)
	delete(c.byID, e.key.ID)
	c.bytes -= e.size
}

// Remove drops whatever version of the article with id is cached, as a
// delete does in the process that made it (other processes' entries are
// never matched again and age out).
func (c *Cache) Remove(id string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byID[id]; ok {
		c.removeElement(el)
	}
}

// Purge empties the cache, as a process start would.
func (c *Cache) Purge() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	clear(c.byID)
	c.bytes = 0
}

// Len is the number of articles cached.
func (c *Cache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// Bytes is the Size of every article cached.
func (c *Cache) Bytes() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Max is the bound New was given; zero for a disabled cache.
func (c *Cache) Max() int {
	if c == nil {
		return 0
	}
	return c.max
}

// Room reports whether n more articles, each the size of the cached
// articles' average (or of half a page of text when none is cached), would
// fit within both bounds without evicting any. A disabled cache has no
// room.
func (c *Cache) Room(n int) bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.order.Len()+n > c.max {
		return false
	}
	if c.maxBytes == 0 {
		return true
	}
	avg := 2048
	if l := c.order.Len(); l > 0 {
		avg = c.bytes / l
	}
	return c.bytes+n*avg <= c.maxBytes
}

// Stats returns how many lookups found their article and how many did
// not, since the cache was made.
func (c *Cache) Stats() (hits, misses uint64) {
	if c == nil {
		return 0, 0
	}
	return c.hits.Load(), c.misses.Load()
}
