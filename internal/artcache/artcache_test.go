package artcache

import (
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/herald-feeds/herald/internal/herald"
)

func art(id string) *herald.Article { return &herald.Article{ID: id, Title: "title of " + id} }

func TestDisabled(t *testing.T) {
	for _, n := range []int{0, -1} {
		c := New(n, 0)
		if c != nil {
			t.Fatalf("New(%d) = %v, want nil (disabled)", n, c)
		}
		c.Put(Key{"a", 1}, art("a"))
		if a, ok := c.Get(Key{"a", 1}); ok || a != nil {
			t.Fatalf("disabled Get = %v, %v; want a miss", a, ok)
		}
		out := []*herald.Article{art("junk")}
		if m := c.GetMany([]Key{{"a", 1}}, out); m != 1 || out[0] != nil {
			t.Fatalf("disabled GetMany = %d misses, out %v; want 1 and nil", m, out[0])
		}
		c.Remove("a")
		c.Purge()
		if c.Len() != 0 || c.Max() != 0 {
			t.Fatalf("disabled Len=%d Max=%d, want 0 0", c.Len(), c.Max())
		}
	}
}

func TestVersionMustMatch(t *testing.T) {
	c := New(10, 0)
	v2 := art("a")
	c.Put(Key{"a", 2}, v2)
	if got, ok := c.Get(Key{"a", 2}); !ok || got != v2 {
		t.Fatalf("Get(a@2) = %p, %v; want %p, true", got, ok, v2)
	}
	for _, v := range []int64{1, 3} {
		if got, ok := c.Get(Key{"a", v}); ok {
			t.Fatalf("Get(a@%d) = %p, hit; want a miss (cached at 2)", v, got)
		}
	}

	// A newer version replaces the entry; an older one does not.
	v3 := art("a")
	c.Put(Key{"a", 3}, v3)
	c.Put(Key{"a", 1}, art("a"))
	if got, ok := c.Get(Key{"a", 3}); !ok || got != v3 {
		t.Fatalf("after Put(a@3), Put(a@1): Get(a@3) = %p, %v; want %p", got, ok, v3)
	}
	if _, ok := c.Get(Key{"a", 2}); ok {
		t.Fatal("Get(a@2) hit after a@3 was cached")
	}
	if c.Len() != 1 {
		t.Fatalf("Len=%d, want 1 (one entry per id)", c.Len())
	}
	hits, misses := c.Stats()
	if hits != 2 || misses != 3 {
		t.Fatalf("Stats = %d hits, %d misses; want 2, 3", hits, misses)
	}
}

func TestEvictsLeastRecentlyUsed(t *testing.T) {
	c := New(3, 0)
	for _, id := range []string{"a", "b", "c"} {
		c.Put(Key{id, 1}, art(id))
	}
	c.Get(Key{"a", 1}) // a is now the most recently used; b the least
	c.Put(Key{"d", 1}, art("d"))
	if c.Len() != 3 {
		t.Fatalf("Len=%d, want 3", c.Len())
	}
	want := map[string]bool{"a": true, "b": false, "c": true, "d": true}
	for id, cached := range want {
		if _, ok := c.Get(Key{id, 1}); ok != cached {
			t.Errorf("%s cached=%v, want %v", id, ok, cached)
		}
	}
}

func TestGetManyPutMany(t *testing.T) {
	c := New(10, 0)
	keys := []Key{{"a", 1}, {"b", 1}, {"c", 1}}
	c.PutMany(keys[:2], []*herald.Article{art("a"), art("b")})
	out := make([]*herald.Article, len(keys))
	if m := c.GetMany(keys, out); m != 1 {
		t.Fatalf("GetMany misses=%d, want 1", m)
	}
	for i, want := range []string{"a", "b", ""} {
		got := ""
		if out[i] != nil {
			got = out[i].ID
		}
		if got != want {
			t.Errorf("out[%d]=%q, want %q", i, got, want)
		}
	}
}

func TestRemoveAndPurge(t *testing.T) {
	c := New(10, 0)
	c.Put(Key{"a", 1}, art("a"))
	c.Put(Key{"b", 1}, art("b"))
	c.Remove("a")
	c.Remove("missing")
	if _, ok := c.Get(Key{"a", 1}); ok || c.Len() != 1 {
		t.Fatalf("after Remove(a): a cached=%v, Len=%d; want false, 1", ok, c.Len())
	}
	c.Purge()
	if _, ok := c.Get(Key{"b", 1}); ok || c.Len() != 0 {
		t.Fatalf("after Purge: b cached=%v, Len=%d; want false, 0", ok, c.Len())
	}
	c.Put(Key{"b", 2}, art("b")) // still usable after Purge
	if _, ok := c.Get(Key{"b", 2}); !ok {
		t.Fatal("Put after Purge was not cached")
	}
}

// TestConcurrent hammers one small cache from several goroutines; run
// with -race. The bound must hold and every hit must be the article put
// under exactly that key.
func TestConcurrent(t *testing.T) {
	const maxArticles, workers, rounds = 50, 8, 2000
	c := New(maxArticles, 0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys := make([]Key, 5)
			out := make([]*herald.Article, 5)
			for i := range rounds {
				for j := range keys {
					n := (i*7 + j*13 + w) % 120
					keys[j] = Key{ID: strconv.Itoa(n), Version: int64(n % 3)}
				}
				c.GetMany(keys, out)
				for j, a := range out {
					if a != nil && a.Title != keys[j].ID+"@"+strconv.FormatInt(keys[j].Version, 10) {
						t.Errorf("GetMany(%v) = %q", keys[j], a.Title)
						return
					}
					if a == nil {
						k := keys[j]
						c.Put(k, &herald.Article{ID: k.ID, Title: k.ID + "@" + strconv.FormatInt(k.Version, 10)})
					}
				}
				if i%500 == 0 {
					c.Remove(keys[0].ID)
				}
				if n := c.Len(); n > maxArticles {
					t.Errorf("Len=%d, over the bound %d", n, maxArticles)
					return
				}
			}
		}()
	}
	wg.Wait()
	hits, misses := c.Stats()
	if hits == 0 || misses == 0 {
		t.Fatalf("Stats = %d hits, %d misses; want some of each", hits, misses)
	}
}

// TestBoundInBytes: the cache drops least recently used articles to stay
// within its bytes, keeps no article larger than the bound, and counts
// replaced and removed articles out.
func TestBoundInBytes(t *testing.T) {
	sized := func(id string, n int) *herald.Article {
		return &herald.Article{ID: id, ContentHTML: strings.Repeat("x", n)}
	}
	one := Size(sized("a", 1000))
	c := New(100, 3*one)
	for _, id := range []string{"a", "b", "c"} {
		c.Put(Key{id, 1}, sized(id, 1000))
	}
	if c.Len() != 3 || c.Bytes() != 3*one {
		t.Fatalf("three articles: len %d bytes %d, want 3 and %d", c.Len(), c.Bytes(), 3*one)
	}
	c.Get(Key{"a", 1}) // a is now the most recently used
	c.Put(Key{"d", 1}, sized("d", 1000))
	if _, ok := c.Get(Key{"b", 1}); ok {
		t.Error("b, the least recently used, is still cached past the bound in bytes")
	}
	for _, id := range []string{"a", "c", "d"} {
		if _, ok := c.Get(Key{id, 1}); !ok {
			t.Errorf("%s was evicted, want only b gone", id)
		}
	}
	c.Put(Key{"big", 1}, sized("big", 4*one))
	if _, ok := c.Get(Key{"big", 1}); ok || c.Bytes() > 3*one {
		t.Errorf("an article over the whole bound: cached=%v bytes=%d, want not cached, bytes ≤ %d", ok, c.Bytes(), 3*one)
	}
	c.Put(Key{"a", 2}, sized("a", 10)) // a newer, smaller version replaces a
	c.Remove("d")
	want := 0
	for _, k := range []Key{{"a", 2}, {"c", 1}} {
		a, ok := c.Get(k)
		if !ok {
			t.Fatalf("%v not cached", k)
		}
		want += Size(a)
	}
	if c.Len() != 2 || c.Bytes() != want {
		t.Errorf("after replace and remove: len %d bytes %d, want 2 and %d", c.Len(), c.Bytes(), want)
	}
	c.Purge()
	if c.Bytes() != 0 {
		t.Errorf("bytes after Purge = %d, want 0", c.Bytes())
	}
}

// TestPage: a page comes back in key order, cached versions as they are,
// only the missing ids fetched (then cached), and a fetch that leaves a
// hole is an error.
func TestPage(t *testing.T) {
	c := New(10, 0)
	c.Put(Key{"b", 1}, art("b"))
	c.Put(Key{"c", 1}, art("c")) // stale: the page wants version 2
	var asked []string
	fetch := func(ids []string) (map[string]*herald.Article, error) {
		asked = append(asked, ids...)
		out := map[string]*herald.Article{}
		for _, id := range ids {
			out[id] = &herald.Article{ID: id, Title: "fetched " + id}
		}
		return out, nil
	}
	keys := []Key{{"a", 1}, {"b", 1}, {"c", 2}}
	page, err := c.Page(keys, fetch)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(asked, ","); got != "a,c" {
		t.Errorf("fetched %q, want a,c", got)
	}
	if page[0].Title != "fetched a" || page[1].Title != "title of b" || page[2].Title != "fetched c" {
		t.Errorf("page titles %q %q %q", page[0].Title, page[1].Title, page[2].Title)
	}
	asked = nil
	if _, err := c.Page(keys, fetch); err != nil || len(asked) != 0 {
		t.Errorf("second read fetched %v (err %v), want everything cached", asked, err)
	}
	if _, err := c.Page([]Key{{"z", 1}}, func([]string) (map[string]*herald.Article, error) { return nil, nil }); err == nil {
		t.Error("a fetch missing an id gave no error")
	}
	var off *Cache
	asked = nil
	if page, err := off.Page(keys, fetch); err != nil || len(page) != 3 || len(asked) != 3 {
		t.Errorf("disabled cache: page %d err %v fetched %v, want all three fetched", len(page), err, asked)
	}
}

// TestRoom: Room answers whether more articles fit in both bounds, by the
// count and by the cached articles' average size, without evicting any.
func TestRoom(t *testing.T) {
	var disabled *Cache
	if disabled.Room(0) || disabled.Room(1) {
		t.Error("a disabled cache has room")
	}
	sized := func(id string, n int) *herald.Article {
		return &herald.Article{ID: id, ContentHTML: strings.Repeat("x", n)}
	}
	one := Size(sized("a", 1000))
	byCount := New(4, 0)
	if !byCount.Room(4) || byCount.Room(5) {
		t.Errorf("empty cache of 4: Room(4)=%v Room(5)=%v, want true false", byCount.Room(4), byCount.Room(5))
	}
	byCount.Put(Key{"a", 1}, sized("a", 1000))
	if !byCount.Room(3) || byCount.Room(4) {
		t.Errorf("cache of 4 holding 1: Room(3)=%v Room(4)=%v, want true false", byCount.Room(3), byCount.Room(4))
	}
	byBytes := New(100, 5*one)
	for _, id := range []string{"a", "b"} {
		byBytes.Put(Key{id, 1}, sized(id, 1000))
	}
	if !byBytes.Room(3) || byBytes.Room(4) {
		t.Errorf("2 of 5 articles' bytes: Room(3)=%v Room(4)=%v, want true false", byBytes.Room(3), byBytes.Room(4))
	}
}
