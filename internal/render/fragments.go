package render

import (
	"encoding/binary"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/herald-feeds/herald/internal/herald"
)

// A feed is its channel and its items, and an item's bytes depend only on
// its article and on a few facts about the feed: its language, whether it
// is a podcast show's RSS feed (which gives items their episode elements
// and picks their enclosure) and, for an Atom entry without a date of its
// own, the feed's date. After a write, the next render of a feed meets 99
// articles of 100 exactly as it last encoded them. So a Renderer keeps
// each item's encoded bytes under a hash of everything they are made from,
// and a render prepares and encodes only the items it has not met, then
// splices them with the kept ones into the channel's own bytes. Preparing
// (cleaning every string) and encoding are most of a render (encoding/xml
// alone was about three quarters of an RSS render of 100 items, before
// items wrote themselves), and a document spliced from kept items is byte for byte the one
// encoding it whole gives (TestSplicedEqualsWhole).

// DefaultFragmentCacheBytes is the budget of kept items when Options
// leaves it zero: about the items of fifty feeds of 100 long articles.
const DefaultFragmentCacheBytes = 32 << 20

// fragmentOverhead is what a kept item costs besides its bytes and id:
// the map slot, the slice and string headers.
const fragmentOverhead = 64

// fragment is one item's encoded bytes and the id of its article, which a
// lookup compares: two articles whose hashes collide can then never trade
// places; only two versions of one article could, with a chance of 2⁻⁶⁴.
type fragment struct {
	id    string
	b     []byte
	flags itemFlags
}

// fragmentCache keeps encoded items within a byte budget, in two
// generations: new items go to the current one; when it is full it
// becomes the old one and the previous old one is dropped whole. An item
// found in the old generation moves to the current one as a copy of its
// bytes, so that no item of the current generation keeps alive the
// buffer another render encoded it in. Items kept by one render share that
// render's buffer, which goes away with their generation.
type fragmentCache struct {
	mu       sync.Mutex
	genMax   int // bytes per generation
	cur, old map[uint64]fragment
	curBytes int

	hits, misses atomic.Uint64
}

func newFragmentCache(budget int) *fragmentCache {
	return &fragmentCache{genMax: budget / 2, cur: map[uint64]fragment{}}
}

// lookup sets out[i] and flags[i] to the kept bytes and namespaces of
// every item i it holds, leaving the others alone, and returns how many
// it found.
func (c *fragmentCache) lookup(keys []uint64, ids []string, out [][]byte, flags []itemFlags) int {
	found := 0
	c.mu.Lock()
	for i, k := range keys {
		f, ok := c.cur[k]
		if !ok || f.id != ids[i] {
			if f, ok = c.old[k]; !ok || f.id != ids[i] {
				continue
			}
			f.b = append([]byte(nil), f.b...)
			delete(c.old, k)
			c.add(k, f)
		}
		out[i], flags[i] = f.b, f.flags
		found++
	}
	c.mu.Unlock()
	c.hits.Add(uint64(found))
	c.misses.Add(uint64(len(keys) - found))
	return found
}

// keep adds the items a render encoded (s.fresh), with their namespaces.
// An id may be a view of a larger string; a kept copy keeps only itself
// alive.
func (c *fragmentCache) keep(s *itemSet) {
	c.mu.Lock()
	for i, fresh := range s.fresh {
		if fresh {
			c.add(s.keys[i], fragment{id: strings.Clone(s.ids[i]), b: s.bytes[i], flags: s.flags[i]})
		}
	}
	c.mu.Unlock()
}

// add puts f in the current generation, turning generations first when f
// would not fit. An item larger than a whole generation is not kept.
func (c *fragmentCache) add(k uint64, f fragment) {
	size := len(f.b) + len(f.id) + fragmentOverhead
	if size > c.genMax {
		return
	}
	if prev, ok := c.cur[k]; ok {
		c.curBytes -= len(prev.b) + len(prev.id) + fragmentOverhead
	}
	if c.curBytes+size > c.genMax {
		c.old, c.cur, c.curBytes = c.cur, make(map[uint64]fragment, len(c.cur)), 0
	}
	c.cur[k] = f
	c.curBytes += size
}

// FragmentStats reports how many items renders found already encoded and
// how many they had to encode. Both are zero for a Renderer that keeps no
// items.
func (r *Renderer) FragmentStats() (hits, misses uint64) {
	if r.fragments == nil {
		return 0, 0
	}
	return r.fragments.hits.Load(), r.fragments.misses.Load()
}

// itemKey hashes everything the item of article a in format f within
// channel c is made from: every field of the article as it was given
// (equal fields give an equal entry, since preparing one is a pure
// function of them), the feed's language (an item in it leaves its own
// out), whether the feed is a show's and the feed's author (RSS), and
// for an Atom entry without
// a date the feed's date that stands in for it.
// TestItemKeyCoversEveryField checks that changing any field of an
// article, or any of those facts where it matters, changes the key.
func itemKey(k *keyHash, f herald.Format, c channel, a *herald.Article) uint64 {
	k.b = k.b[:0]
	k.str(string(f))
	k.str(c.language)
	switch f {
	case herald.FormatRSS:
		k.flag(c.podcast != nil)
		// An item whose article names no author, once cleaned, names the
		// feed's (creditFeedAuthor): hashed for every item, so that the
		// key does not depend on how cleaning will judge the names.
		fa := c.feedAuthor()
		k.str(fa.Name)
		k.str(fa.Email)
	case herald.FormatAtom:
		if entryUpdated(a).IsZero() {
			k.time(c.updated)
		}
	}
	k.str(a.ID)
	k.str(a.Slug)
	k.str(a.Title)
	k.str(a.URL)
	k.str(a.Summary)
	k.str(a.ContentHTML)
	k.num(int64(len(a.Authors)))
	for _, au := range a.Authors {
		k.str(au.Name)
		k.str(au.Email)
		k.str(au.URL)
	}
	k.strs(a.Categories)
	k.strs(a.Tags)
	k.str(a.Language)
	k.str(a.Image)
	k.num(int64(len(a.Enclosures)))
	for _, x := range a.Enclosures {
		k.str(x.URL)
		k.str(x.Type)
		k.num(x.Length)
		k.num(x.Duration)
	}
	k.time(second(a.PublishedAt))
	k.time(second(a.UpdatedAt))
	k.num(int64(a.Episode))
	k.num(int64(a.Season))
	k.str(a.EpisodeType)
	k.str(a.TranscriptURL)
	k.str(a.TranscriptType)
	k.str(a.ChaptersURL)
	return xxhash.Sum64(k.b)
}

// keyHash lays the values an item is made from out in one buffer, to be
// hashed at once (many small writes to a streaming hash cost more than
// the copy). Every string is preceded by its length, so that no two
// different sequences of fields give the same bytes. One keyHash serves
// all the items of a render.
type keyHash struct {
	b []byte
}

func (k *keyHash) num(v int64) { k.b = binary.AppendVarint(k.b, v) }

func (k *keyHash) str(s string) {
	k.num(int64(len(s)))
	k.b = append(k.b, s...)
}

func (k *keyHash) strs(list []string) {
	k.num(int64(len(list)))
	for _, s := range list {
		k.str(s)
	}
}

func (k *keyHash) flag(b bool) {
	if b {
		k.num(1)
	} else {
		k.num(0)
	}
}

// time lays out a time in whole seconds (as second gives it); a zero
// time differs from every instant.
func (k *keyHash) time(t time.Time) {
	if t.IsZero() {
		k.flag(false)
		return
	}
	k.flag(true)
	k.num(t.Unix())
}
